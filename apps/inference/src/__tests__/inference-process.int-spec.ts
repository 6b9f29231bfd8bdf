import { spawn, ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { startTestObjectStore, TestObjectStore } from '@caliper/storage/testing';

const MAIN = path.resolve(__dirname, '../main.ts');
const REGISTER = path.resolve(__dirname, '../../../../tools/register.js');

function startInference(env: Record<string, string>) {
  let out = '';
  const proc: ChildProcess = spawn('node', ['-r', REGISTER, MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

async function waitFor(url: string, ms = 30000): Promise<void> {
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

describe('inference process (real PostgreSQL, Redis, S3)', () => {
  let db: TestDatabase;
  let s3: TestObjectStore;
  let inference: ReturnType<typeof startInference>;
  const port = 39900 + Math.floor(Math.random() * 90);
  const base = `http://127.0.0.1:${port}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    s3 = await startTestObjectStore();
    await s3.store.ensureBucket('caliper-artifacts');
    inference = startInference({ INFERENCE_PORT: String(port), DATABASE_URL: db.appUrl, ...s3.config, LOG_LEVEL: 'info' });
    await waitFor(`${base}/health/live`);
  }, 40000);
  afterAll(async () => {
    inference.proc.kill('SIGTERM');
    await inference.exited;
    await s3.close();
    await db.drop();
  });

  it('is live, and ready with PostgreSQL, Redis and S3 each up', async () => {
    expect(await (await fetch(`${base}/health/live`)).json()).toEqual({ status: 'ok' });
    const r = await fetch(`${base}/health/ready`);
    expect(r.status).toBe(200);
    expect(((await r.json()) as { checks: unknown }).checks).toEqual({
      postgres: expect.objectContaining({ status: 'ok' }),
      redis: expect.objectContaining({ status: 'ok' }),
      s3: expect.objectContaining({ status: 'ok' }),
    });
  });

  it('serves Prometheus metrics', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/caliper_inference_process_resident_memory_bytes/);
    expect(text).toMatch(/caliper_dependency_up\{dependency="s3"\} 1/);
  });

  it('logs JSON lines', () => {
    const lines = inference
      .output()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; service: string });
    expect(lines.find((l) => l.msg === 'caliper inference listening')).toMatchObject({ service: 'caliper-inference', level: 'info' });
  });

  it('answers 503 naming S3 when the object store goes away', async () => {
    await s3.close();
    const r = await fetch(`${base}/health/ready`);
    expect(r.status).toBe(503);
    expect(((await r.json()) as { checks: Record<string, { status: string }> }).checks.s3?.status).toBe('down');
  });

  it('refuses to start on bad configuration, naming the variable', async () => {
    const bad = startInference({ INFERENCE_PORT: '70000' });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toMatch(/INFERENCE_PORT/);
  });
});
