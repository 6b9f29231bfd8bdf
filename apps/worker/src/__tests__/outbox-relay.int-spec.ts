/**
 * The outbox relay on real PostgreSQL and Redis: a job exists in its family's queue exactly when the
 * transaction that wrote it committed, with its deterministic id and delay, and a relay that
 * fails after adding but before marking (a real database failure: the app role loses UPDATE on
 * relayed_at) adds nothing twice when it runs again.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Queue } from 'bullmq';
import { deterministicJobId, failedLoginsFlush, JOB_FAMILIES, jobQueueName } from '@caliper/jobs';
import { createDataSource, OutboxRepository } from '@caliper/persistence';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { OutboxRelay } from '../outbox/outbox-relay';
import { JobQueues } from '../queue/job-queues';

describe('outbox relay (real PostgreSQL and Redis)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let outbox: OutboxRepository;
  let queues: JobQueues;
  let prefix: string;
  let relay: OutboxRelay;

  async function asOwner(sql: string) {
    const c = new Client({ connectionString: db.ownerUrl });
    await c.connect();
    await c.query(sql);
    await c.end();
  }

  beforeEach(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.appUrl).initialize();
    outbox = new OutboxRepository(ds);
    prefix = `caliper-test-${randomBytes(5).toString('hex')}`;
    queues = new JobQueues({ url: 'redis://127.0.0.1:6379', prefix });
    relay = new OutboxRelay(outbox, queues, new WorkerMetrics(), pino({ level: 'silent' }), {
      intervalMs: 50,
      batchSize: 2,
      keepRelayedMs: 86400_000,
    });
  });
  afterEach(async () => {
    await relay.stop();
    for (const family of JOB_FAMILIES) await queues.of(family).obliterate({ force: true });
    await queues.close();
    await ds.destroy();
    await db.drop();
  });

  const at = new Date('2026-11-27T03:41:30Z');

  it("relays committed jobs to their family's queue under their deterministic id with the delay from run_after, and marks them", async () => {
    const now = Date.now();
    const jobs = ['alice', 'bob', 'carol'].map((u) => failedLoginsFlush(u, '10.1.2.3', at));
    for (const f of jobs) await ds.transaction((m) => outbox.enqueue(m, f.job, { runAfter: new Date(now + 60_000) }));
    expect(await relay.relayPending()).toBe(3); // two batches of at most 2
    for (const f of jobs) {
      const job = await queues.of('auth').getJob(deterministicJobId(f.job));
      expect(job?.name).toBe('auth.failed-logins.flush');
      expect(job?.data).toEqual(f.job.data);
      expect(await job?.getState()).toBe('delayed');
      expect(job!.opts.delay).toBeGreaterThan(55_000);
    }
    expect(await outbox.countUnrelayed()).toBe(0);
    for (const family of JOB_FAMILIES.filter((f) => f !== 'auth'))
      expect([family, await queues.of(family).getJobCounts('waiting', 'delayed')]).toEqual([family, { waiting: 0, delayed: 0 }]);
  });

  it("relays a job this worker does not know to its family's queue, where the newer workers that know it read", async () => {
    // What a newer API writes during a rolling deploy; this version's enqueue would refuse the name.
    await asOwner(
      `INSERT INTO outbox (job_name, job_id, payload) VALUES ('training.dispatch', 'training.dispatch|run-7', '{"v":1,"runId":7}')`,
    );
    expect(await relay.relayPending()).toBe(1);
    const training = new Queue(jobQueueName('training'), { connection: { url: 'redis://127.0.0.1:6379' }, prefix });
    try {
      const job = await training.getJob('training.dispatch|run-7');
      expect(job).toMatchObject({ name: 'training.dispatch', data: { v: 1, runId: 7 } });
      expect(await job!.getState()).toBe('waiting');
    } finally {
      await training.obliterate({ force: true });
      await training.close();
    }
    expect(await outbox.countUnrelayed()).toBe(0);
  });

  it('never relays the job of a rolled-back transaction', async () => {
    const phantom = failedLoginsFlush('mallory', '10.6.6.6', at);
    await expect(
      ds.transaction(async (m) => {
        await outbox.enqueue(m, phantom.job);
        throw new Error('the change failed after the job was written');
      }),
    ).rejects.toThrow('the change failed');
    const real = failedLoginsFlush('alice', '10.1.2.3', at);
    await ds.transaction((m) => outbox.enqueue(m, real.job));
    expect(await relay.relayPending()).toBe(1);
    expect(await queues.of('auth').getJob(deterministicJobId(phantom.job))).toBeUndefined();
    expect(await queues.of('auth').getJobCounts('waiting', 'delayed')).toEqual({ waiting: 1, delayed: 0 });
  });

  it('adds nothing twice when a relay died between adding and marking', async () => {
    const f = failedLoginsFlush('alice', '10.1.2.3', at);
    await ds.transaction((m) => outbox.enqueue(m, f.job));
    // FOR UPDATE needs UPDATE on some column: keep it on payload only, so the claim and the add succeed and marking relayed_at fails.
    await asOwner(`REVOKE UPDATE ON outbox FROM caliper_app; GRANT UPDATE (payload) ON outbox TO caliper_app`);
    await expect(relay.relayPending()).rejects.toThrow(/permission denied/);
    const first = await queues.of('auth').getJob(deterministicJobId(f.job));
    expect(first).toBeDefined();
    expect(await outbox.countUnrelayed()).toBe(1);

    await asOwner(`GRANT UPDATE ON outbox TO caliper_app`);
    expect(await relay.relayPending()).toBe(1);
    expect(await outbox.countUnrelayed()).toBe(0);
    expect(await queues.of('auth').getJobCounts('waiting', 'delayed', 'active', 'completed')).toEqual({
      waiting: 1,
      delayed: 0,
      active: 0,
      completed: 0,
    });
    expect((await queues.of('auth').getJob(deterministicJobId(f.job)))?.timestamp).toBe(first!.timestamp);
  });

  /** Waits (up to `ms`) for the job to be in its queue; how long it took, or null. */
  async function arrival(job: Parameters<typeof deterministicJobId>[0], ms: number): Promise<number | null> {
    const t0 = Date.now();
    while (Date.now() - t0 < ms) {
      if (await queues.of('auth').getJob(deterministicJobId(job))) return Date.now() - t0;
      await new Promise((r) => setTimeout(r, 20));
    }
    return null;
  }

  it('relays a committed job at once on its NOTIFY, long before the next poll; reopens a dropped listening connection', async () => {
    const slow = new OutboxRelay(outbox, queues, new WorkerMetrics(), pino({ level: 'silent' }), {
      intervalMs: 60_000,
      batchSize: 2,
      keepRelayedMs: 86400_000,
    });
    const listeners = async () =>
      Number(
        (
          await ds.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'LISTEN caliper_outbox' AND datname = current_database()`,
          )
        )[0].n,
      );
    slow.start();
    try {
      // The first pass runs at once and opens the listening connection.
      const until = Date.now() + 5000;
      while ((await listeners()) === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(await listeners()).toBe(1);
      const first = failedLoginsFlush('erin', '10.1.2.4', at);
      await ds.transaction((m) => outbox.enqueue(m, first.job));
      // The first pass is done and the next poll is 60 s away: only the NOTIFY can bring it within 5 s.
      expect(await arrival(first.job, 5000)).not.toBeNull();
      // A rolled-back enqueue announces nothing and relays nothing.
      const rolledBack = failedLoginsFlush('frank', '10.1.2.5', at);
      await ds
        .transaction(async (m) => {
          await outbox.enqueue(m, rolledBack.job);
          throw new Error('roll back');
        })
        .catch(() => undefined);
      expect(await arrival(rolledBack.job, 300)).toBeNull();
    } finally {
      await slow.stop();
    }
    // The listening connection is killed: polling carries on and the next pass reopens it.
    const quick = new OutboxRelay(outbox, queues, new WorkerMetrics(), pino({ level: 'silent' }), {
      intervalMs: 200,
      batchSize: 2,
      keepRelayedMs: 86400_000,
    });
    quick.start();
    try {
      const waitFor = async (n: number) => {
        const until = Date.now() + 5000;
        while ((await listeners()) !== n && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        return listeners();
      };
      expect(await waitFor(1)).toBe(1);
      const [{ pid }] = await ds.query(
        `SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN caliper_outbox' AND datname = current_database()`,
      );
      await asOwner(`SELECT pg_terminate_backend(${Number(pid)})`);
      const reopened = Date.now() + 5000;
      let again: number[] = [];
      while (Date.now() < reopened) {
        again = (
          await ds.query(`SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN caliper_outbox' AND datname = current_database()`)
        ).map((r: { pid: number }) => r.pid);
        if (again.length === 1 && again[0] !== pid) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(again).toHaveLength(1);
      expect(again[0]).not.toBe(pid);
      const second = failedLoginsFlush('gail', '10.1.2.6', at);
      await ds.transaction((m) => outbox.enqueue(m, second.job));
      expect(await arrival(second.job, 5000)).not.toBeNull();
    } finally {
      await quick.stop();
    }
  });

  it('keeps polling: a job committed while it runs reaches the queue', async () => {
    relay.start();
    const f = failedLoginsFlush('dave', '10.1.2.3', at);
    await ds.transaction((m) => outbox.enqueue(m, f.job));
    const until = Date.now() + 5000;
    while (!(await queues.of('auth').getJob(deterministicJobId(f.job))) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(await queues.of('auth').getJob(deterministicJobId(f.job))).toBeDefined();
  });
});
