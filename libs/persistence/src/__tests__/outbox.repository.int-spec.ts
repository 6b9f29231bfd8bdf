import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { failedLoginsFlush } from '@caliper/jobs';
import { createDataSource, OutboxRepository, OutboxRow } from '../index';
import { createTestDatabase, TestDatabase } from '../testing/test-database';

describe('OutboxRepository (real PostgreSQL, app role)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let outbox: OutboxRepository;
  const at = new Date('2026-11-27T03:41:17Z');

  beforeEach(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.appUrl).initialize();
    outbox = new OutboxRepository(ds);
  });
  afterEach(async () => {
    await ds.destroy();
    await db.drop();
  });

  const unrelayed = async () =>
    (await ds.query(`SELECT job_id, payload, run_after FROM outbox WHERE relayed_at IS NULL ORDER BY id`)) as {
      job_id: string;
      payload: unknown;
      run_after: Date | null;
    }[];

  it('writes a job with its deterministic id and run_after, once however often it is enqueued', async () => {
    const f = failedLoginsFlush('alice', '10.0.0.7', at);
    await ds.transaction((m) => outbox.enqueue(m, f.job, { runAfter: f.runAfter }));
    await ds.transaction((m) => outbox.enqueue(m, f.job, { runAfter: f.runAfter }));
    const rows = await unrelayed();
    expect(rows).toEqual([
      { job_id: 'auth.failed-logins.flush|alice|10.0.0.7|20261127T0341Z', payload: f.job.data, run_after: f.runAfter },
    ]);
  });

  it('keeps no job from a rolled-back transaction', async () => {
    await expect(
      ds.transaction(async (m) => {
        await outbox.enqueue(m, failedLoginsFlush('ghost', '10.0.0.9', at).job);
        throw new Error('login handler failed after enqueueing');
      }),
    ).rejects.toThrow('login handler failed');
    expect(await unrelayed()).toEqual([]);
  });

  it('refuses an invalid payload before writing it', async () => {
    const bad = {
      name: 'auth.failed-logins.flush' as const,
      data: { v: 1 as const, username: 'alice', ip: '10.0.0.7', minute: 'yesterday' },
    };
    await expect(ds.transaction((m) => outbox.enqueue(m, bad))).rejects.toThrow(/job "auth.failed-logins.flush": minute/);
  });

  it('marks a batch relayed only when publishing succeeds', async () => {
    await ds.transaction((m) => outbox.enqueue(m, failedLoginsFlush('alice', '10.0.0.7', at).job));
    await expect(
      outbox.relayBatch(10, async () => {
        throw new Error('redis unreachable');
      }),
    ).rejects.toThrow('redis unreachable');
    expect(await outbox.countUnrelayed()).toBe(1);
    const seen: OutboxRow[] = [];
    expect(
      await outbox.relayBatch(10, async (rows) => {
        seen.push(...rows);
      }),
    ).toBe(1);
    expect(seen).toEqual([
      expect.objectContaining({
        name: 'auth.failed-logins.flush',
        jobId: 'auth.failed-logins.flush|alice|10.0.0.7|20261127T0341Z',
        runAfter: null,
      }),
    ]);
    expect(await outbox.countUnrelayed()).toBe(0);
    expect(
      await outbox.relayBatch(10, async () => {
        throw new Error('must not be called with nothing to relay');
      }),
    ).toBe(0);
  });

  it('lets two relays work side by side without taking the same row', async () => {
    for (let i = 0; i < 6; i++) await ds.transaction((m) => outbox.enqueue(m, failedLoginsFlush(`user${i}`, '10.0.0.7', at).job));
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((r) => (releaseFirst = r));
    const first: string[] = [];
    const second: string[] = [];
    const a = outbox.relayBatch(3, async (rows) => {
      first.push(...rows.map((r) => r.jobId));
      await firstHolds;
    });
    while (first.length === 0) await new Promise((r) => setTimeout(r, 10));
    await outbox.relayBatch(10, async (rows) => {
      second.push(...rows.map((r) => r.jobId));
    });
    releaseFirst();
    await a;
    expect(first).toHaveLength(3);
    expect(second).toHaveLength(3);
    expect(new Set([...first, ...second]).size).toBe(6);
  });

  it('prunes relayed rows older than the cutoff and keeps the rest', async () => {
    await ds.transaction((m) => outbox.enqueue(m, failedLoginsFlush('old', '10.0.0.7', at).job));
    await outbox.relayBatch(10, async () => undefined);
    await ds.transaction((m) => outbox.enqueue(m, failedLoginsFlush('new', '10.0.0.7', at).job));
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    await owner.query(`UPDATE outbox SET relayed_at = now() - interval '8 days' WHERE relayed_at IS NOT NULL`);
    await owner.end();
    expect(await outbox.pruneRelayed(new Date(Date.now() - 7 * 86400_000))).toBe(1);
    expect((await unrelayed()).map((r) => r.job_id)).toEqual(['auth.failed-logins.flush|new|10.0.0.7|20261127T0341Z']);
  });
});
