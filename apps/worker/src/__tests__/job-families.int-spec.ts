/**
 * A queue and a queue worker per job family, and the move from the single queue the worker read
 * before (issue 11): a worker of this version starts on a Redis where the old 'caliper' queue
 * still holds schedulers and jobs, and loses none of the jobs. Worker in-process on real
 * PostgreSQL, Redis and a local S3 server.
 */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { deterministicJobId, failedLoginsFlush, FAMILY_CONSUMERS, JOB_FAMILIES, JOB_QUEUES } from '@caliper/jobs';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { startTestObjectStore, TestObjectStore } from '@caliper/storage/testing';
import { LEGACY_QUEUE } from '../queue/legacy-queue';
import { startTestWorker, TestWorker, waitFor } from './worker-harness';

const REDIS_URL = 'redis://127.0.0.1:6379';

describe('job families (worker in-process; real PostgreSQL, Redis, S3)', () => {
  let db: TestDatabase;
  let s3: TestObjectStore;
  let worker: TestWorker | undefined;
  let legacy: Queue;
  let prefix: string;

  beforeEach(async () => {
    db = await createTestDatabase();
    s3 = await startTestObjectStore();
    prefix = `caliper-test-${randomBytes(5).toString('hex')}`;
    legacy = new Queue(LEGACY_QUEUE, { connection: { url: REDIS_URL }, prefix });
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await legacy.obliterate({ force: true });
    await legacy.close();
    await s3.close();
    await db.drop();
  });

  it('runs one queue worker per family it consumes, each on its own queue, and none on the families another app consumes', async () => {
    worker = await startTestWorker(db, s3, {}, { queuePrefix: prefix });
    const queues = JOB_FAMILIES.map((f) => worker!.queues.of(f));
    expect(queues.map((q) => q.name).sort()).toEqual(Object.values(JOB_QUEUES).sort());
    const expected = JOB_FAMILIES.map((f) => (FAMILY_CONSUMERS[f] === 'worker' ? 1 : 0));
    expect(expected).toContain(0); // 'deployments' is the inference service's
    // A worker names its Redis connection after its queue once it connected, a moment after start.
    const counts = () => Promise.all(queues.map((q) => q.getWorkersCount()));
    await waitFor('every queue worker to connect', async () => (await counts()).every((n, i) => n >= (expected[i] ?? 0)));
    expect(await counts()).toEqual(expected);
  });

  it("moves what waits in the old single queue to the families' queues at start, with ids and due times, and removes its schedulers", async () => {
    const at = new Date('2026-11-27T03:41:30Z');
    const due = failedLoginsFlush('alice', '10.1.2.3', at).job;
    const waiting = failedLoginsFlush('bob', '10.1.2.3', at).job;
    // What the previous version left: its schedulers, a flush relayed a minute before it is due, one ready to run, and a scheduled job.
    await legacy.upsertJobScheduler('audit.checkpoint', { every: 5000 }, { name: 'audit.checkpoint', data: { v: 1 } });
    await legacy.upsertJobScheduler('uploads.sweep', { every: 3600_000 }, { name: 'uploads.sweep', data: { v: 1 } });
    await legacy.add(due.name, due.data, { jobId: deterministicJobId(due), delay: 60_000 });
    await legacy.add(waiting.name, waiting.data, { jobId: deterministicJobId(waiting) });
    await legacy.add('idempotency.purge', { v: 1 });
    const dueAt = (await legacy.getJob(deterministicJobId(due)))!;

    worker = await startTestWorker(db, s3, {}, { queuePrefix: prefix });

    expect(await legacy.getJobSchedulers()).toEqual([]);
    expect(await legacy.getJobCounts('waiting', 'delayed', 'prioritized')).toEqual({ waiting: 0, delayed: 0, prioritized: 0 });
    const auth = worker.queues.of('auth');
    const moved = (await auth.getJob(deterministicJobId(due)))!;
    expect(moved).toMatchObject({ name: 'auth.failed-logins.flush', data: due.data });
    expect(await moved.getState()).toBe('delayed');
    expect(Math.abs(moved.timestamp + moved.delay - (dueAt.timestamp + dueAt.delay))).toBeLessThan(1000);
    // The ready one runs on the auth family's worker (no failures were counted, so it has nothing to write).
    await waitFor('the moved job to run', async () => (await auth.getJobState(deterministicJobId(waiting))) === 'completed');
    expect((await auth.getJob(deterministicJobId(waiting)))!.returnvalue).toMatchObject({ outcome: 'skipped' });
    // The old scheduler's jobs are not moved: each family's queue has its own schedulers.
    const purges = await worker.queues.of('idempotency').getJobs(['waiting', 'active', 'delayed', 'completed', 'failed']);
    expect(purges.filter((j) => !j.repeatJobKey)).toEqual([]);
    expect((await worker.queues.of('audit').getJobSchedulers()).map((s) => s.key)).toEqual(['audit.checkpoint']);
  });
});
