/**
 * The ahead-of-time server build (what the container images and the benchmarks run): it builds,
 * and the built API boots on a migrated database, answers health and serves GraphQL — so decorator
 * metadata, workspace imports and the migrations list all survived compilation.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, TestDatabase } from '@caliper/persistence';

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
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', path.join(ROOT, 'tools/register.js'), path.join(ROOT, 'tools/build/server.ts'), '--out', OUT]);
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
    const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ me { user { id } } }' }) });
    const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  }, 60000);
});
