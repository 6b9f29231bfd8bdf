/**
 * The ahead-of-time server build (what the container images and the benchmarks run): it builds,
 * and the built API boots on a migrated database, answers health and serves GraphQL — so decorator
 * metadata, workspace imports and the migrations list all survived compilation. The built CLI runs
 * its commands, `admin create` (a second built entry point it starts as a child) among them.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';

const ROOT = path.resolve(__dirname, '../..');
const OUT = path.join(ROOT, '.tmp/build-test');

describe('npm run build:server', () => {
  let db: TestDatabase;
  let api: ChildProcess | null = null;
  let output = '';

  beforeAll(async () => {
    db = await createTestDatabase();
  }, 30000);
  afterAll(async () => {
    if (api && api.exitCode === null) {
      api.kill('SIGTERM');
      await new Promise((r) => api!.once('exit', r));
    }
    await db.drop();
    rmSync(OUT, { recursive: true, force: true });
  });

  it('builds every server app, and the built API boots and serves GraphQL', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      '-r',
      path.join(ROOT, 'tools/register.js'),
      path.join(ROOT, 'tools/build/server.ts'),
      '--out',
      OUT,
    ]);
    expect(stdout).toMatch(/^built \d+ files into \.tmp\/build-test/);
    for (const app of ['api', 'worker', 'inference']) expect(existsSync(path.join(OUT, `apps/${app}/src/main.js`))).toBe(true);
    const port = 39500 + Math.floor(Math.random() * 400);
    api = spawn(process.execPath, [path.join(OUT, 'apps/api/src/main.js')], {
      env: { ...process.env, API_PORT: String(port), DATABASE_URL: db.appUrl, LOG_LEVEL: 'warn', REDIS_PREFIX: `build-test-${port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    api.stdout!.on('data', (d) => (output += d));
    api.stderr!.on('data', (d) => (output += d));
    const base = `http://127.0.0.1:${port}`;
    const until = Date.now() + 30000;
    for (;;) {
      if (api.exitCode !== null) throw new Error(`the built API exited: ${output}`);
      const live = await fetch(`${base}/health/live`).catch(() => null);
      if (live?.ok) break;
      if (Date.now() > until) throw new Error(`the built API did not answer: ${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // A resolver with injected services answers: without credentials, the access guard refuses by name.
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { user { id } } }' }),
    });
    const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  }, 60000);

  /** The built CLI as an operator runs it, with no compiler loaded; the password on stdin. */
  function builtCli(args: string[], stdin = ''): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve) => {
      const proc = spawn(process.execPath, [path.join(OUT, 'tools/cli/bin.js'), ...args], {
        env: { ...process.env, DATABASE_URL: db.appUrl, DATABASE_OWNER_URL: db.ownerUrl, CALIPER_DATA_DIR: path.join(OUT, 'no-launcher') },
      });
      let out = '';
      proc.stdout.on('data', (d) => (out += d));
      proc.stderr.on('data', (d) => (out += d));
      proc.on('exit', (code) => resolve({ code, out }));
      proc.stdin.end(stdin);
    });
  }

  it('builds a CLI that runs its commands, admin create included, without the compiler', async () => {
    expect(existsSync(path.join(OUT, 'tools/cli/bin.js'))).toBe(true);
    const help = await builtCli(['--help']);
    expect(help).toMatchObject({ code: 0 });
    expect(help.out).toMatch(/Usage: caliper/);
    expect(help.out).toMatch(/admin/);
    const adminHelp = await builtCli(['admin', 'create', '--help']);
    expect(adminHelp).toMatchObject({ code: 0 });
    expect(adminHelp.out).toMatch(/--username <name>/);

    expect(await builtCli(['migrate'])).toEqual({ code: 0, out: 'database is up to date\n' });

    const created = await builtCli(
      ['admin', 'create', '--username', 'built-admin', '--display-name', 'Built Admin'],
      'a-long-admin-password\n',
    );
    expect(created.out).toMatch(/^created system admin built-admin \([0-9a-f-]{36}\)$/m);
    expect(created.out).not.toMatch(/MODULE_NOT_FOUND|Cannot find module|register\.js/);
    expect(created.code).toBe(0);
    const pg = new Client({ connectionString: db.ownerUrl });
    await pg.connect();
    try {
      const { rows } = await pg.query(
        `SELECT u.global_role, u.display_name, c.password_hash FROM users u JOIN user_credentials c ON c.user_id = u.id WHERE u.username = 'built-admin'`,
      );
      expect(rows).toEqual([
        { global_role: 'system_admin', display_name: 'Built Admin', password_hash: expect.stringMatching(/^\$argon2id\$/) },
      ]);
    } finally {
      await pg.end();
    }
    // Its errors come back as messages and exit codes, as from the sources.
    const taken = await builtCli(['admin', 'create', '--username', 'built-admin'], 'another-long-password\n');
    expect(taken.code).toBe(2);
    expect(taken.out).toMatch(/username "built-admin" is taken/);
  }, 60000);
});
