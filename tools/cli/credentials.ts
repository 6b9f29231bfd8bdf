/**
 * Where the CLI finds the API and its token: CALIPER_URL / CALIPER_TOKEN when set (CI, training
 * jobs), else what `caliper login` stored in ~/.config/caliper/credentials.json (mode 600,
 * since the token is a secret); with no URL from either, the API of a running `npm start`.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { launcherDataDir, readLauncherSettings } from './launcher-settings';

export interface StoredCredentials {
  url: string;
  token: string;
  username?: string;
  project?: string;
}

export function credentialsPath(): string {
  const configHome = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(configHome, 'caliper', 'credentials.json');
}

export async function saveCredentials(creds: StoredCredentials): Promise<string> {
  const file = credentialsPath();
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600 });
  // writeFile keeps the mode of a file that already exists; a token must never stay world-readable.
  await chmod(file, 0o600);
  return file;
}

/** The credentials to use, or an error saying how to provide them. */
export async function loadCredentials(): Promise<StoredCredentials> {
  const url = process.env.CALIPER_URL;
  const token = process.env.CALIPER_TOKEN;
  if (url && token) return { url, token };
  let stored: Partial<StoredCredentials> = {};
  try {
    stored = JSON.parse(await readFile(credentialsPath(), 'utf8')) as Partial<StoredCredentials>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`could not read ${credentialsPath()}: ${(err as Error).message}`);
  }
  // No URL anywhere: the API of a running `npm start`, if one runs.
  const launcher = (url ?? stored.url) ? null : readLauncherSettings(launcherDataDir());
  const launcherUrl = launcher?.status === 'running' ? launcher.settings.apiUrl : undefined;
  const merged = { url: url ?? stored.url ?? launcherUrl, token: token ?? stored.token };
  if (!merged.url || !merged.token) {
    throw new Error(
      `not logged in: run \`caliper login --url <api url> --token <token>\` (or --username), or set CALIPER_URL and CALIPER_TOKEN`,
    );
  }
  return { ...stored, url: merged.url, token: merged.token };
}
