/**
 * Bounded checkpoint interval (issue 10, finding 4): the worker writes a checkpoint soon after each
 * burst of audit events, not only on the long timer, and records it in the database; a rewrite
 * after the last checkpoint is then caught, and so is a deleted checkpoint. Real PostgreSQL,
 * Redis and a local S3 server; the worker in-process.
 */
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { canonicalAuditText, chainHash, StoredAuditEvent } from '@caliper/domain';
import { AuditRepository, createDataSource } from '@caliper/persistence';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { AuditCheckpointStore } from '@caliper/storage';
import { startTestObjectStore, TestObjectStore } from '@caliper/storage/testing';
import { startTestWorker, TestWorker, waitFor } from '../__tests__/worker-harness';
import { AuditCheckpointJob, checkpointPollMs } from './audit-checkpoint.job';

const BUCKET = 'caliper-audit-test';

/**
 * Fakes only Date, the jobs' default clock, starting at `now`; PostgreSQL, Redis and S3 keep real
 * timers, and audit events keep their real stamps (perf_hooks, which Jest does not fake).
 */
const useFakeClock = (now: number) =>
  jest.useFakeTimers({
    now,
    doNotFake: [
      'hrtime',
      'performance',
      'nextTick',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setTimeout',
      'clearTimeout',
      'setInterval',
      'clearInterval',
    ],
  });

describe('audit checkpoints after each burst (worker in-process; real PostgreSQL, Redis, S3)', () => {
  let db: TestDatabase;
  let s3: TestObjectStore;
  let ds: DataSource;
  let audit: AuditRepository;
  let store: AuditCheckpointStore;

  const burst = (n: number, label: string) =>
    ds.transaction(async (m) => {
      for (let i = 0; i < n; i++)
        await audit.append(m, {
          actorId: null,
          actorLabel: label,
          action: 'project.created',
          entityType: 'project',
          entityId: `${label}-${i}`,
        });
    });

  beforeEach(async () => {
    db = await createTestDatabase();
    s3 = await startTestObjectStore();
    await s3.store.ensureBucket(BUCKET);
    ds = await createDataSource(db.appUrl).initialize();
    audit = new AuditRepository(ds);
    store = new AuditCheckpointStore(s3.store, BUCKET);
  });
  afterEach(async () => {
    jest.useRealTimers();
    await ds.destroy();
    await s3.close();
    await db.drop();
  });

  it('polls every few seconds, never slower than the interval', () => {
    expect(checkpointPollMs({ quietSeconds: 10, intervalSeconds: 300 })).toBe(5000);
    expect(checkpointPollMs({ quietSeconds: 1, intervalSeconds: 300 })).toBe(1000);
    expect(checkpointPollMs({ quietSeconds: 4, intervalSeconds: 300 })).toBe(2000);
  });

  describe('with the worker running', () => {
    let worker: TestWorker;
    afterEach(() => worker.close());

    it('writes and records a checkpoint of the head within seconds of a burst, long before the interval', async () => {
      worker = await startTestWorker(db, s3, { AUDIT_CHECKPOINT_QUIET_SECONDS: '1', AUDIT_CHECKPOINT_INTERVAL_SECONDS: '3600' });
      const schedulers = await worker.queues.of('audit').getJobSchedulers();
      expect(schedulers.find((s) => s.key === 'audit.checkpoint')?.every).toBe(1000);

      await burst(5, 'first');
      const head = (await audit.latest())!;
      const started = Date.now();
      const [cp] = await waitFor(
        'a checkpoint of the first burst',
        async () => (await store.readAll()).filter((c) => c.seq === head.seq),
        10000,
      );
      expect(Date.now() - started).toBeLessThan(8000); // quiet 1 s + poll 1 s + job latency; the interval is an hour
      expect(cp?.hash).toBe(head.hash);
      await waitFor('its record', async () => (await audit.recordedCheckpoints()).length === 1);
      expect(await audit.recordedCheckpoints()).toEqual([
        {
          seq: head.seq,
          hash: head.hash,
          objectKey: `audit-checkpoints/${String(head.seq).padStart(20, '0')}.json`,
          writtenAt: expect.any(String),
        },
      ]);

      // A second burst gets its own checkpoint; the first is kept.
      await burst(3, 'second');
      const head2 = (await audit.latest())!;
      await waitFor(
        'a checkpoint of the second burst',
        async () => (await audit.recordedCheckpoints()).some((c) => c.seq === head2.seq),
        10000,
      );
      expect((await store.readAll()).map((c) => c.seq)).toEqual([head.seq, head2.seq]);
      const report = await audit.verify(await store.readAll(), { coverBefore: new Date() });
      expect(report).toMatchObject({ ok: true, checkpointsChecked: 2, checkpointsFound: 2, checkpointsExpected: 2 });
    }, 30000);
  });

  it('checkpoints on the interval while events keep coming, and waits while a burst is still arriving', async () => {
    await burst(1, 'early');
    // The jobs' clock starts at the first event's stamp, so what they measure from it is exact.
    const { head: early } = await audit.checkpointState();
    useFakeClock(early!.occurredAt.getTime());
    // Made under the fake clock: a job's default clock is Date.now as it is made.
    const job = new AuditCheckpointJob(audit, store, { quietSeconds: 10, intervalSeconds: 1 });
    expect(await new AuditCheckpointJob(audit, store, { quietSeconds: 10, intervalSeconds: 300 }).run()).toMatchObject({
      outcome: 'skipped',
      detail: { reason: 'audit events are still arriving', seq: 1, quietMs: 0, waitedMs: 0 },
    });
    await jest.advanceTimersByTimeAsync(999);
    await burst(1, 'late');
    expect(await job.run()).toMatchObject({
      outcome: 'skipped',
      detail: { reason: 'audit events are still arriving', seq: 2, waitedMs: 999 },
    });
    await jest.advanceTimersByTimeAsync(1); // the head is fresh, but the first uncheckpointed event has now waited the interval
    expect(await job.run()).toMatchObject({ outcome: 'done', detail: { seq: 2, trigger: 'interval', locked: false } });
    expect(await job.run()).toMatchObject({ outcome: 'skipped', detail: { reason: 'no audit event since the last checkpoint' } });
  });

  it('records an object written by a run that stopped before recording it, and never replaces it', async () => {
    await burst(2, 'e');
    const head = (await audit.latest())!;
    const first = await store.write(head);
    const job = new AuditCheckpointJob(audit, store, { quietSeconds: 1, intervalSeconds: 300 }, () => Date.now() + 2000);
    expect(await job.run()).toMatchObject({ outcome: 'done', detail: { seq: 2, recordedOnly: true } });
    expect((await audit.recordedCheckpoints()).map((c) => c.seq)).toEqual([2]);
    expect(await store.get(2)).toEqual({ seq: 2, hash: head.hash, writtenAt: first.writtenAt, objectKey: first.objectKey });
  });

  it('catches a rewrite after the last checkpoint once the bounded checkpoint is written, and a deleted checkpoint object', async () => {
    const job = new AuditCheckpointJob(audit, store, { quietSeconds: 1, intervalSeconds: 300 }, () => Date.now() + 2000);
    await burst(3, 'a');
    await job.run();
    await burst(2, 'b');
    await job.run(); // the bounded checkpoint after the second burst, at event 5

    // A superuser rewrites event 5 and re-hashes it: the chain alone is consistent again.
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    const [row] = (
      await owner.query(
        `SELECT seq, prev_hash, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS time, entity_id FROM audit_events WHERE seq = 5`,
      )
    ).rows;
    const forged: Omit<StoredAuditEvent, 'seq' | 'canonical' | 'prevHash' | 'hash'> = {
      time: row.time,
      actorId: null,
      actorLabel: 'b',
      action: 'project.delete',
      entityType: 'project',
      entityId: row.entity_id,
      projectId: null,
      before: null,
      after: null,
      reason: null,
    };
    const canonical = canonicalAuditText(forged);
    await owner.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_immutable`);
    await owner.query(`UPDATE audit_events SET action = 'project.delete', canonical = $1, hash = $2 WHERE seq = 5`, [
      canonical,
      chainHash(row.prev_hash, canonical),
    ]);
    await owner.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_immutable`);
    expect((await audit.verify()).ok).toBe(true); // the chain alone cannot tell
    const rewritten = await audit.verify(await store.readAll());
    expect(rewritten).toMatchObject({
      ok: false,
      breaks: [{ seq: 5, kind: 'checkpoint_mismatch', problem: expect.stringMatching(/the chain was rewritten/) }],
    });

    // Deleting a checkpoint object (what object locking prevents in production) no longer passes as "0 of 0".
    await s3.store.remove(BUCKET, `audit-checkpoints/${'3'.padStart(20, '0')}.json`);
    const deleted = await audit.verify(await store.readAll());
    expect(deleted.breaks.map((b) => [b.seq, b.kind])).toEqual([
      [3, 'checkpoint_missing'],
      [5, 'checkpoint_mismatch'],
    ]);
    expect(deleted).toMatchObject({ checkpointsFound: 1, checkpointsExpected: 2 });
    await owner.end();
  });
});
