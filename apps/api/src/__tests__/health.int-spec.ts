import { spawn, ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';

const MAIN = path.resolve(__dirname, '../main.ts');
const REGISTER = path.resolve(__dirname, '../../../../tools/register.js');

function startApi(env: Record<string, string>): { proc: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = '';
  const proc = spawn('node', ['-r', REGISTER, MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

async function waitFor(url: string, ms = 20000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > until) throw new Error(`${url} did not answer`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('api process (real PostgreSQL and Redis)', () => {
  let db: TestDatabase;
  let api: ReturnType<typeof startApi>;
  const port = 39000 + Math.floor(Math.random() * 500);
  const base = `http://127.0.0.1:${port}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    // No S3 server listens on this port: readiness must name S3 as the dependency that is down.
    api = startApi({ API_PORT: String(port), DATABASE_URL: db.appUrl, S3_ENDPOINT: 'http://127.0.0.1:1' });
    await waitFor(`${base}/health/live`);
  }, 30000);
  afterAll(async () => {
    api.proc.kill('SIGTERM');
    await api.exited;
    await db.drop();
  });

  it('boots from the migrated schema and is live', async () => {
    const r = await fetch(`${base}/health/live`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
  });

  it('reports each dependency in readiness and 503 while one is down', async () => {
    const r = await fetch(`${base}/health/ready`);
    const body = (await r.json()) as { checks: Record<string, { status: string }> };
    expect(r.status).toBe(503);
    expect(body.checks.postgres?.status).toBe('ok');
    expect(body.checks.redis?.status).toBe('ok');
    expect(body.checks.s3?.status).toBe('down');
  });

  it('serves Prometheus metrics', async () => {
    const r = await fetch(`${base}/metrics`);
    expect(r.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await r.text();
    expect(text).toMatch(/caliper_dependency_up\{dependency="postgres"\} 1/);
    expect(text).toMatch(/caliper_api_process_resident_memory_bytes/);
  });

  it('refuses to start on bad configuration, naming the variable', async () => {
    const bad = startApi({ API_PORT: 'not-a-port' });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toMatch(/API_PORT/);
  });
});
