/**
 * The settings file `npm start` leaves for the CLI: written for its owner only, used only while
 * the launcher that wrote it runs, and never over what the environment sets (group by group).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadCredentials } from './credentials';
import {
  applyLauncherSettings,
  LauncherSettings,
  readLauncherSettings,
  removeLauncherSettings,
  settingsEnv,
  writeLauncherSettings,
} from './launcher-settings';

const launcherEnv = {
  DATABASE_URL: 'postgres://caliper_app:pw@127.0.0.1:41234/caliper',
  DATABASE_OWNER_URL: 'postgres://postgres:pw@127.0.0.1:41234/caliper',
  DATABASE_APP_PASSWORD: 'pw',
  REDIS_URL: 'redis://127.0.0.1:6379',
  S3_ENDPOINT: 'http://127.0.0.1:9000',
  S3_ACCESS_KEY: 'caliper',
  S3_SECRET_KEY: 'caliper-dev-secret',
  API_PORT: '3000',
};

describe('launcher settings for the CLI', () => {
  let dir: string;
  const settings = (pid = process.pid): LauncherSettings => ({
    pid,
    startedAt: new Date().toISOString(),
    apiUrl: 'http://127.0.0.1:3000',
    env: launcherEnv,
  });

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'caliper-settings-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is written for its owner only, with only the configuration variables it knows', () => {
    const file = writeLauncherSettings(dir, settings());
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(
      settingsEnv({
        DATABASE_URL: 'postgres://x@h/db',
        API_PORT: 3000,
        COOKIE_SECURE: false,
        BOOTSTRAP_ADMIN_PASSWORD: 'secret',
        S3_PUBLIC_ENDPOINT: undefined,
      }),
    ).toEqual({ DATABASE_URL: 'postgres://x@h/db', API_PORT: '3000' });
  });

  it('fills what the environment leaves unset', () => {
    writeLauncherSettings(dir, settings());
    const env: NodeJS.ProcessEnv = { CALIPER_DATA_DIR: dir };
    const result = applyLauncherSettings(env);
    expect(result.status).toBe('running');
    expect(env).toEqual({ CALIPER_DATA_DIR: dir, ...launcherEnv });
  });

  it('lets the environment win, a whole group at a time', () => {
    writeLauncherSettings(dir, settings());
    const env: NodeJS.ProcessEnv = {
      CALIPER_DATA_DIR: dir,
      DATABASE_URL: 'postgres://caliper_app@db.example:5432/caliper',
      S3_ENDPOINT: '',
      API_PORT: '4000',
    };
    const result = applyLauncherSettings(env);
    // Database: the environment's URL, and neither the launcher's owner URL nor its password.
    expect(env.DATABASE_URL).toBe('postgres://caliper_app@db.example:5432/caliper');
    expect(env.DATABASE_OWNER_URL).toBeUndefined();
    expect(env.DATABASE_APP_PASSWORD).toBeUndefined();
    expect(env.API_PORT).toBe('4000');
    // An empty variable counts as unset (as loadConfig treats it).
    expect(env.S3_ENDPOINT).toBe('http://127.0.0.1:9000');
    expect(result.applied.sort()).toEqual(['REDIS_URL', 'S3_ACCESS_KEY', 'S3_ENDPOINT', 'S3_SECRET_KEY']);
  });

  it('is ignored once the launcher that wrote it has stopped', () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeLauncherSettings(dir, settings(Number(gone.stdout)));
    const env: NodeJS.ProcessEnv = { CALIPER_DATA_DIR: dir };
    const result = applyLauncherSettings(env);
    expect(result).toMatchObject({ status: 'stale', applied: [] });
    expect(result.status === 'stale' && result.reason).toMatch(/is not running/);
    expect(env).toEqual({ CALIPER_DATA_DIR: dir });
    expect(readLauncherSettings(path.join(dir, 'nowhere')).status).toBe('none');
  });

  it("gives the client commands the launcher's API when no URL is configured", async () => {
    writeLauncherSettings(dir, settings());
    const saved = { ...process.env };
    try {
      delete process.env.CALIPER_URL;
      Object.assign(process.env, { CALIPER_TOKEN: 'clp_token', CALIPER_DATA_DIR: dir, XDG_CONFIG_HOME: path.join(dir, 'no-config') });
      expect(await loadCredentials()).toEqual({ url: 'http://127.0.0.1:3000', token: 'clp_token' });
      process.env.CALIPER_URL = 'https://caliper.example.org';
      expect(await loadCredentials()).toEqual({ url: 'https://caliper.example.org', token: 'clp_token' });
    } finally {
      process.env = saved;
    }
  });

  it('is removed only by the launcher that wrote it', () => {
    const file = writeLauncherSettings(dir, settings(process.pid));
    removeLauncherSettings(dir, process.pid + 1);
    expect(existsSync(file)).toBe(true);
    removeLauncherSettings(dir, process.pid);
    expect(existsSync(file)).toBe(false);
  });
});
