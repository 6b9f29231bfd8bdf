/**
 * The worker as it runs in production: a spawned process with its health and metrics server.
 * It gets a Redis database of its own (REDIS_URL .../N) so its schedulers never meet another run's.
 */
import { spawn, ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Queue } from 'bullmq';
import { JOB_QUEUES } from '@caliper/jobs';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { startTestObjectStore, TestObjectStore } from '@caliper/storage/testing';
import { waitFor } from './worker-harness';

const MAIN = path.resolve(__dirname, '../main.ts');
const REGISTER = path.resolve(__dirname, '../../../../tools/register.js');

function startWorker(env: Record<string, string>) {
  let out = '';
  const proc: ChildProcess = spawn('node', ['-r', REGISTER, MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

describe('worker process (real PostgreSQL, Redis, S3)', () => {
  let db: TestDatabase;
  let s3: TestObjectStore;
  let worker: ReturnType<typeof startWorker>;
  const port = 39500 + Math.floor(Math.random() * 400);
  const base = `http://127.0.0.1:${port}`;
  const redisUrl = `redis://127.0.0.1:6379/${1 + Math.floor(Math.random() * 15)}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    s3 = await startTestObjectStore();
    worker = startWorker({ WORKER_PORT: String(port), DATABASE_URL: db.appUrl, REDIS_URL: redisUrl, ...s3.config, LOG_LEVEL: 'info' });
    // Compiled on load while the whole suite shares two cores: starting can take well over 30 s there.
    // A worker that exits instead (a port taken, a bad setting) is reported at once with its output.
    let exitCode: number | null | undefined;
    void worker.exited.then((code) => (exitCode = code));
    await waitFor(
      'the worker to listen',
      () => {
        if (exitCode !== undefined) throw new Error(`the worker exited (code ${exitCode}) before listening:\n${worker.output()}`);
        return fetch(`${base}/health/live`).then(
          (r) => r.ok,
          () => false,
        );
      },
      90000,
    );
  }, 100000);
  afterAll(async () => {
    worker.proc.kill('SIGTERM');
    await worker.exited;
    for (const name of Object.values(JOB_QUEUES)) {
      const queue = new Queue(name, { connection: { url: redisUrl } });
      await queue.obliterate({ force: true });
      await queue.close();
    }
    await s3.close();
    await db.drop();
  });

  it('is live and ready with PostgreSQL, Redis and S3 each up', async () => {
    expect(await (await fetch(`${base}/health/live`)).json()).toEqual({ status: 'ok' });
    const r = await fetch(`${base}/health/ready`);
    const body = (await r.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(r.status).toBe(200);
    expect(body.checks).toEqual({
      postgres: expect.objectContaining({ status: 'ok' }),
      redis: expect.objectContaining({ status: 'ok' }),
      s3: expect.objectContaining({ status: 'ok' }),
    });
  });

  it('serves job counters by name and outcome once a scheduled job ran', async () => {
    // The checkpoint scheduler runs at start; the audit log is empty, so the job is skipped.
    const text = await waitFor('a processed job in /metrics', async () => {
      const t = await (await fetch(`${base}/metrics`)).text();
      return /caliper_worker_jobs_total\{name="audit.checkpoint",outcome="skipped"\} [1-9]/.test(t) ? t : null;
    });
    expect(text).toMatch(/caliper_worker_job_duration_seconds_count\{name="audit.checkpoint",outcome="skipped"\} [1-9]/);
    expect(text).toMatch(/caliper_worker_process_resident_memory_bytes/);
    expect(text).toMatch(/caliper_dependency_up\{dependency="s3"\} 1/);
    expect(text).toMatch(/^caliper_worker_outbox_unrelayed 0$/m);
  });

  it('writes JSON log lines', () => {
    const lines = worker.output().trim().split('\n').filter(Boolean);
    const running = lines
      .map((l) => JSON.parse(l) as { msg: string; level: string; service: string })
      .find((l) => l.msg === 'caliper worker running');
    expect(running).toMatchObject({ service: 'caliper-worker', level: 'info' });
  });

  it('answers 503 naming S3 when the object store goes away', async () => {
    await s3.close();
    const r = await fetch(`${base}/health/ready`);
    const body = (await r.json()) as { checks: Record<string, { status: string }> };
    expect(r.status).toBe(503);
    expect(body.checks.s3?.status).toBe('down');
    expect(body.checks.postgres?.status).toBe('ok');
  });

  it('refuses to start on bad configuration, naming the variable', async () => {
    const bad = startWorker({ WORKER_PORT: 'not-a-port' });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toMatch(/WORKER_PORT/);
  });
});
