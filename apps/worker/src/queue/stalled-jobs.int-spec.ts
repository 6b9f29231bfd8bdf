/**
 * Stalled-job recovery on real Redis: a worker takes a job and then dies (its process is killed)
 * or hangs (it stops renewing its lock); the lock expires, the stalled check of another worker
 * moves the job back to wait, and that worker runs it to completion once: one audit event, not
 * two, and a hung worker that wakes up later cannot complete the job a second time. Short lock
 * and stalled-check timings keep each case to a few seconds; the recovering worker is the real
 * one, in-process on real PostgreSQL and a local S3 server.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Worker } from 'bullmq';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { deterministicJobId, failedLoginsFlush, JOB_QUEUES } from '@caliper/jobs';
import { AuditRepository, createDataSource } from '@caliper/persistence';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { startTestObjectStore, TestObjectStore } from '@caliper/storage/testing';
import { startTestWorker, TestWorker, waitFor } from '../__tests__/worker-harness';
import { bullConnection, JobQueues } from './job-queues';

const REDIS_URL = 'redis://127.0.0.1:6379';
const REPO_ROOT = path.resolve(__dirname, '../../../..');
/** Timings of every worker here: a lock lost 1 s after its last renewal is found stalled within another second. */
const SHORT = { lockDurationMs: 1000, stalledIntervalMs: 500 };

/**
 * A BullMQ worker in a process of its own that takes one job and never finishes it. It has the
 * same timings as the others: a queue's stalled check runs once per interval whichever worker
 * runs it, so one worker with a long interval would hold off the others' checks.
 */
const DYING_WORKER = `
const { Worker } = require('bullmq');
new Worker(process.env.QUEUE, async (job) => {
  process.stdout.write('took ' + job.id + '\\n');
  await new Promise(() => {});
}, { connection: { url: process.env.REDIS_URL, maxRetriesPerRequest: null }, prefix: process.env.PREFIX,
  lockDuration: ${SHORT.lockDurationMs}, stalledInterval: ${SHORT.stalledIntervalMs} });
`;

describe('stalled jobs (real Redis; worker in-process on real PostgreSQL and S3)', () => {
  let db: TestDatabase;
  let s3: TestObjectStore;
  let ds: DataSource;
  let redis: Redis;
  let audit: AuditRepository;
  let prefix: string;
  let producer: JobQueues;
  let survivor: TestWorker | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    s3 = await startTestObjectStore();
    ds = await createDataSource(db.appUrl).initialize();
    audit = new AuditRepository(ds);
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    redis.disconnect();
    await ds.destroy();
    await s3.close();
    await db.drop();
  });
  beforeEach(() => {
    prefix = `caliper-test-${randomBytes(5).toString('hex')}`;
    producer = new JobQueues({ url: REDIS_URL, prefix });
  });
  afterEach(async () => {
    await survivor?.close();
    survivor = undefined;
    await producer.close();
  });

  /** The API's side of a failed login: the counter, and the flush job in the queue. */
  async function countedFailures(username: string, failures: number) {
    const f = failedLoginsFlush(username, `10.8.${randomBytes(1)[0]}.1`, new Date());
    await redis.set(f.counterKey, String(failures), 'EX', 600);
    const jobId = deterministicJobId(f.job);
    await producer.add(f.job, { jobId });
    return { ...f, jobId };
  }

  const eventsOf = async (username: string) => (await audit.search({ actor: username, action: 'auth.login_failed', limit: 10 })).length;
  /** The flush runs the survivor recorded, by outcome: one 'done' and nothing else is "once". */
  const flushRuns = async (worker: TestWorker) =>
    [
      ...(await worker.metrics.registry.getSingleMetricAsString('caliper_worker_jobs_total')).matchAll(
        /name="auth\.failed-logins\.flush",outcome="(\w+)"\} (\d+)/g,
      ),
    ].map(([, outcome, n]) => `${outcome} ${n}`);
  const stalledCount = async (worker: TestWorker) =>
    (await worker.metrics.registry.getSingleMetricAsString('caliper_worker_jobs_stalled_total')).match(/family="auth"\} (\d+)/)?.[1];

  it('runs the job of a worker process killed mid-job on another worker, once', async () => {
    const flush = await countedFailures('killed-mid-job', 3);
    const auth = producer.of('auth');
    let out = '';
    const dying = spawn(process.execPath, ['-e', DYING_WORKER], {
      cwd: REPO_ROOT,
      env: { ...process.env, QUEUE: JOB_QUEUES.auth, PREFIX: prefix, REDIS_URL },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    dying.stdout.on('data', (d) => (out += d));
    const exited = new Promise((resolve) => dying.on('exit', resolve));
    await waitFor('the dying worker to take the job', async () => out.includes(`took ${flush.jobId}`));
    expect(await auth.getJobState(flush.jobId)).toBe('active');
    dying.kill('SIGKILL');
    await exited;
    expect(await auth.getJobState(flush.jobId)).toBe('active'); // nothing ran it, and nothing will renew its lock

    survivor = await startTestWorker(db, s3, {}, { queuePrefix: prefix, ...SHORT });
    await waitFor('the job to complete on the other worker', async () => (await auth.getJobState(flush.jobId)) === 'completed');
    const job = (await auth.getJob(flush.jobId))!;
    expect(job.stalledCounter).toBe(1);
    expect(job.returnvalue).toMatchObject({ outcome: 'done', detail: { username: 'killed-mid-job', failures: 3 } });
    expect(await eventsOf('killed-mid-job')).toBe(1);
    expect(await redis.exists(flush.counterKey)).toBe(0);
    expect(await stalledCount(survivor)).toBe('1');
    expect(await flushRuns(survivor)).toEqual(['done 1']);
  });

  it('runs the job of a worker that lost its lock on another worker, and refuses the late completion of the first', async () => {
    const flush = await countedFailures('lost-its-lock', 2);
    const auth = producer.of('auth');
    let took!: () => void;
    const taken = new Promise<void>((resolve) => (took = resolve));
    let wakeUp!: () => void;
    const hung = new Promise<void>((resolve) => (wakeUp = resolve));
    const errors: Error[] = [];
    // Renews no lock and checks no stalled jobs: a worker whose event loop is stuck for longer than its lock lasts.
    const stuck = new Worker(
      JOB_QUEUES.auth,
      async () => {
        took();
        await hung;
        return { outcome: 'done', detail: { by: 'the stuck worker' } };
      },
      { connection: bullConnection(REDIS_URL), prefix, lockDuration: SHORT.lockDurationMs, skipLockRenewal: true, skipStalledCheck: true },
    );
    stuck.on('error', (err) => errors.push(err));
    try {
      await taken;
      survivor = await startTestWorker(db, s3, {}, { queuePrefix: prefix, ...SHORT });
      await waitFor('the job to complete on the other worker', async () => (await auth.getJobState(flush.jobId)) === 'completed');
      expect(await eventsOf('lost-its-lock')).toBe(1);

      wakeUp();
      await waitFor('the stuck worker to be refused', async () => errors.some((e) => /Missing lock for job/.test(e.message)));
      const job = (await auth.getJob(flush.jobId))!;
      expect(await job.getState()).toBe('completed');
      expect(job.stalledCounter).toBe(1);
      expect(job.returnvalue).toMatchObject({ outcome: 'done', detail: { username: 'lost-its-lock', failures: 2 } });
      expect(await eventsOf('lost-its-lock')).toBe(1);
      expect(await stalledCount(survivor)).toBe('1');
      expect(await flushRuns(survivor)).toEqual(['done 1']);
    } finally {
      await stuck.close(true);
    }
  });
});
