/**
 * What `npm start` chose, for the CLI to find by itself: the launcher may run an embedded
 * PostgreSQL on a port of its choosing, with its own password, a local S3 server and so on, none
 * of which is in the shell where an operator then types `npm run caliper -- audit verify`. The
 * launcher writes its effective settings to ./data/launcher-settings.json (mode 600: local
 * credentials) and removes the file when it stops; the CLI fills what the environment leaves unset
 * from it, as long as that launcher is still running.
 *
 * Variables come in groups that belong together (the database URLs and password; the S3
 * endpoint, keys and buckets; Redis): when the environment sets any variable of a group, the whole
 * group stays the environment's, so one never mixes, say, a test database URL with the launcher's
 * owner URL.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The repository: two folders up from tools/cli, or from a build of it in dist/<name>/tools/cli. */
const ROOT = ((up) => (path.basename(path.dirname(up)) === 'dist' ? path.resolve(up, '../..') : up))(path.resolve(__dirname, '../..'));

export const SETTINGS_FILE = 'launcher-settings.json';

export interface LauncherSettings {
  /** The launcher's process id: the settings count only while it runs. */
  pid: number;
  startedAt: string;
  /** Where the API answers (for clients that have no URL of their own). */
  apiUrl: string;
  /** Configuration variables as the launcher's services got them (see libs/config). */
  env: Record<string, string>;
}

/** Variables that travel together: set one in the environment and the file's values for the others are ignored. */
export const SETTING_GROUPS: readonly (readonly string[])[] = [
  ['DATABASE_URL', 'DATABASE_OWNER_URL', 'DATABASE_APP_PASSWORD'],
  ['REDIS_URL', 'REDIS_PREFIX'],
  ['S3_ENDPOINT', 'S3_REGION', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'S3_BUCKET_AUDIT', 'S3_BUCKET_ARTIFACTS', 'S3_PUBLIC_ENDPOINT'],
  ['HOST'],
  ['API_PORT'],
  ['WORKER_PORT'],
  ['INFERENCE_PORT'],
  ['WEB_PORT'],
  ['BOOTSTRAP_ADMIN_USERNAME'],
];

/** The launcher's data folder: CALIPER_DATA_DIR, else ./data in the repository. */
export function launcherDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.CALIPER_DATA_DIR ?? path.join(ROOT, 'data'));
}

export function launcherSettingsPath(dataDir: string): string {
  return path.join(dataDir, SETTINGS_FILE);
}

/** Only the variables in SETTING_GROUPS, as strings, from a parsed configuration or an environment. */
export function settingsEnv(values: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of SETTING_GROUPS.flat()) {
    const v = values[name];
    if (v !== undefined && v !== null && v !== '') out[name] = String(v);
  }
  return out;
}

/** Writes the file whole (temporary file, then rename), readable by its owner only. */
export function writeLauncherSettings(dataDir: string, settings: LauncherSettings): string {
  const file = launcherSettingsPath(dataDir);
  mkdirSync(dataDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return file;
}

/** Removes the file if it is still this launcher's (another one may have taken the folder over). */
export function removeLauncherSettings(dataDir: string, pid = process.pid): void {
  const file = launcherSettingsPath(dataDir);
  try {
    if ((JSON.parse(readFileSync(file, 'utf8')) as Partial<LauncherSettings>).pid === pid) rmSync(file, { force: true });
  } catch {
    // gone already, or not ours to judge
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

export type LauncherSettingsLookup =
  | { status: 'none'; file: string }
  | { status: 'stale'; file: string; reason: string }
  | { status: 'running'; file: string; settings: LauncherSettings };

/** The settings of a running launcher, or why there are none. */
export function readLauncherSettings(dataDir: string): LauncherSettingsLookup {
  const file = launcherSettingsPath(dataDir);
  if (!existsSync(file)) return { status: 'none', file };
  let settings: LauncherSettings;
  try {
    settings = JSON.parse(readFileSync(file, 'utf8')) as LauncherSettings;
  } catch (err) {
    return { status: 'stale', file, reason: `unreadable (${(err as Error).message})` };
  }
  if (!Number.isInteger(settings.pid) || typeof settings.env !== 'object' || settings.env === null)
    return { status: 'stale', file, reason: 'not a launcher settings file' };
  if (!isRunning(settings.pid)) return { status: 'stale', file, reason: `the launcher that wrote it (pid ${settings.pid}) is not running` };
  return { status: 'running', file, settings };
}

/**
 * Fills `env` from a running launcher's settings, group by group, where the environment sets none
 * of a group's variables. Returns what it did, for the caller to report; changes nothing when no
 * launcher runs.
 */
export function applyLauncherSettings(env: NodeJS.ProcessEnv = process.env): LauncherSettingsLookup & { applied: string[] } {
  const lookup = readLauncherSettings(launcherDataDir(env));
  const applied: string[] = [];
  if (lookup.status !== 'running') return { ...lookup, applied };
  const isSet = (name: string) => env[name] !== undefined && env[name] !== '';
  for (const group of SETTING_GROUPS) {
    if (group.some(isSet)) continue;
    for (const name of group) {
      const value = lookup.settings.env[name];
      if (typeof value === 'string' && value !== '') {
        env[name] = value;
        applied.push(name);
      }
    }
  }
  return { ...lookup, applied };
}
