/**
 * 'auth.failed-logins.flush' end to end: the API's side (INCR the minute's counter, and on the
 * first failure enqueue the job through the outbox with run_after) is done here as the API does
 * it; the worker relays the delayed job, runs it once the delay passed, and writes ONE audit event.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { deterministicJobId, failedLoginsFlush, LOGIN_FAILURE_COUNTER_TTL_SECONDS } from '@caliper/jobs';
import { AuditRepository, createDataSource, OutboxRepository } from '@caliper/persistence';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { startTestObjectStore, TestObjectStore } from '@caliper/storage/testing';
import { startTestWorker, TestWorker, waitFor } from './worker-harness';

describe('auth.failed-logins.flush (worker in-process; real PostgreSQL, Redis, S3)', () => {
  let db: TestDatabase;
  let s3: TestObjectStore;
  let ds: DataSource;
  let redis: Redis;
  let worker: TestWorker;
  let audit: AuditRepository;
  let outbox: OutboxRepository;
  let aliceId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    s3 = await startTestObjectStore();
    ds = await createDataSource(db.appUrl).initialize();
    audit = new AuditRepository(ds);
    outbox = new OutboxRepository(ds);
    redis = new Redis('redis://127.0.0.1:6379');
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    aliceId = (await owner.query(`INSERT INTO users (username, display_name) VALUES ('alice', 'Alice') RETURNING id`)).rows[0].id;
    await owner.end();
    worker = await startTestWorker(db, s3);
  });
  afterAll(async () => {
    await worker.close();
    redis.disconnect();
    await ds.destroy();
    await s3.close();
    await db.drop();
  });

  const loginFailedEvents = async () => (await audit.search({ action: 'auth.login_failed', limit: 100 })).reverse();

  /** What the API does on a failed login, with a test-sized delay instead of "end of minute + 5 s". */
  async function failLogin(username: string, ip: string, at: Date, runAfter: Date) {
    const f = failedLoginsFlush(username, ip, at);
    const [[, count]] = (await redis.multi().incr(f.counterKey).expire(f.counterKey, LOGIN_FAILURE_COUNTER_TTL_SECONDS).exec()) as [
      [null, number],
      unknown,
    ];
    if (count === 1) await ds.transaction((m) => outbox.enqueue(m, f.job, { runAfter }));
    return f;
  }

  it('writes one event with the count after the delay, for a known user, and deletes the counter', async () => {
    const ip = `10.9.${randomBytes(1)[0]}.1`;
    const at = new Date();
    const runAfter = new Date(Date.now() + 3000);
    let f = await failLogin('alice', ip, at, runAfter);
    for (let i = 0; i < 3; i++) f = await failLogin('alice', ip, at, runAfter);
    const jobId = deterministicJobId(f.job);
    const relayed = await waitFor('the relay', () => worker.queues.of('auth').getJob(jobId));
    expect(await relayed.getState()).toBe('delayed');
    expect(await loginFailedEvents()).toEqual([]);

    const [event] = await waitFor('the audit event', async () => (await loginFailedEvents()).filter((e) => e.actorLabel === 'alice'));
    expect(Date.now()).toBeGreaterThanOrEqual(runAfter.getTime());
    expect(event).toMatchObject({
      actorId: null,
      actorLabel: 'alice',
      action: 'auth.login_failed',
      entityType: 'user',
      entityId: aliceId,
      after: { ip, failures: 4, minute: f.job.data.minute },
    });
    await waitFor('the counter to be deleted', async () => (await redis.exists(f.counterKey)) === 0);
    expect((await loginFailedEvents()).filter((e) => e.actorLabel === 'alice')).toHaveLength(1);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('records an unknown username with no entity id', async () => {
    const f = await failLogin('nobody-here', '2001:db8::7', new Date(), new Date());
    const [event] = await waitFor('the audit event', async () => (await loginFailedEvents()).filter((e) => e.actorLabel === 'nobody-here'));
    expect(event).toMatchObject({ entityId: null, after: { ip: '2001:db8::7', failures: 1, minute: f.job.data.minute } });
  });

  it('writes no second event when a retry finds the event already written (died before deleting the counter)', async () => {
    const at = new Date(Date.now() - 120_000);
    const f = await failLogin('alice', '10.77.0.1', at, new Date());
    await waitFor('the audit event', async () =>
      (await loginFailedEvents()).filter((e) => e.after && (e.after as { ip?: string }).ip === '10.77.0.1'),
    );
    await waitFor('the counter to be deleted', async () => (await redis.exists(f.counterKey)) === 0);
    // The state a crash between the audit commit and DEL leaves: the counter is still there; BullMQ retries the job.
    await redis.set(f.counterKey, '1', 'EX', 60);
    await worker.queues.add(f.job, { jobId: 'retry-after-crash' });
    await waitFor('the retry to delete the counter', async () => (await redis.exists(f.counterKey)) === 0);
    expect((await loginFailedEvents()).filter((e) => (e.after as { ip?: string }).ip === '10.77.0.1')).toHaveLength(1);
  });

  it('fails a job with an invalid payload at once, naming the field, and counts it', async () => {
    const auth = worker.queues.of('auth');
    await auth.add(
      'auth.failed-logins.flush',
      { v: 1, username: 'alice', ip: '10.0.0.1', minute: 'soon' },
      { jobId: 'bad-payload', attempts: 5 },
    );
    await waitFor('the job to fail', async () => (await auth.getJobState('bad-payload')) === 'failed');
    const job = (await auth.getJob('bad-payload'))!;
    expect(job.failedReason).toMatch(/invalid payload for job "auth.failed-logins.flush": minute: must be the start of a UTC minute/);
    expect(job.attemptsMade).toBe(1);
    expect(await worker.metrics.registry.getSingleMetricAsString('caliper_worker_jobs_total')).toMatch(
      /caliper_worker_jobs_total\{name="auth.failed-logins.flush",outcome="failed"\} 1/,
    );
  });
});
