/**
 * The scheduled jobs end to end, worker in-process on real PostgreSQL, Redis and a local S3
 * server: 'audit.checkpoint' from its job scheduler, and 'uploads.sweep'.
 */
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { JOB_FAMILIES } from '@caliper/jobs';
import { AuditRepository, createDataSource, UploadsRepository } from '@caliper/persistence';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { AuditCheckpointStore } from '@caliper/storage';
import { startTestObjectStore, TestObjectStore } from '@caliper/storage/testing';
import { startTestWorker, TestWorker, waitFor } from './worker-harness';

describe('scheduled jobs (worker in-process; real PostgreSQL, Redis, S3)', () => {
  let db: TestDatabase;
  let s3: TestObjectStore;
  let ds: DataSource;
  let worker: TestWorker;

  beforeAll(async () => {
    db = await createTestDatabase();
    s3 = await startTestObjectStore();
    ds = await createDataSource(db.appUrl).initialize();
    worker = await startTestWorker(db, s3, { AUDIT_CHECKPOINT_INTERVAL_SECONDS: '5', UPLOAD_ORPHAN_AFTER_SECONDS: '3600' });
  });
  afterAll(async () => {
    await worker.close();
    await ds.destroy();
    await s3.close();
    await db.drop();
  });

  const jobsTotal = async (name: string, outcome: string) => {
    const text = await worker.metrics.registry.getSingleMetricAsString('caliper_worker_jobs_total');
    return Number(text.match(new RegExp(`name="${name.replace(/\./g, '\\.')}",outcome="${outcome}"\\} (\\d+)`))?.[1] ?? 0);
  };

  it("registers each scheduler on its family's queue: audit checkpoints every AUDIT_CHECKPOINT_INTERVAL_SECONDS, the upload sweep and the idempotency purge hourly, the training sync every TRAINING_SYNC_INTERVAL_MS", async () => {
    const schedulers = [];
    for (const family of JOB_FAMILIES)
      for (const s of await worker.queues.of(family).getJobSchedulers()) schedulers.push([family, s.key, s.every]);
    expect(schedulers.sort()).toEqual([
      ['audit', 'audit.checkpoint', 5000],
      ['idempotency', 'idempotency.purge', 3600_000],
      ['training', 'training.sync', 10_000],
      ['uploads', 'uploads.sweep', 3600_000],
    ]);
  });

  it('audit.checkpoint writes the chain head to the audit bucket from the scheduler, and skips an unchanged head', async () => {
    const audit = new AuditRepository(ds);
    // One transaction, so the scheduler sees the log empty or with all three events, never in between.
    await ds.transaction(async (m) => {
      for (let i = 1; i <= 3; i++)
        await audit.append(m, { actorId: null, actorLabel: 'test', action: 'project.created', entityType: 'project', entityId: `p${i}` });
    });
    const head = (await audit.latest())!;
    const checkpoints = new AuditCheckpointStore(s3.store, 'caliper-audit-test');
    const [written] = await waitFor(
      'a checkpoint of the head',
      async () => (await checkpoints.readAll()).filter((c) => c.seq === head.seq),
      12000,
    );
    expect(written?.hash).toBe(head.hash);
    const skippedBefore = await jobsTotal('audit.checkpoint', 'skipped');
    await worker.queues.add({ name: 'audit.checkpoint', data: { v: 1 } });
    await waitFor('an unchanged head to be skipped', async () => (await jobsTotal('audit.checkpoint', 'skipped')) > skippedBefore);
    expect((await checkpoints.readAll()).map((c) => c.seq)).toEqual([head.seq]);
  }, 20000);

  it('uploads.sweep removes abandoned uploads (object and row) and leaves complete and recent ones', async () => {
    const uploads = new UploadsRepository(ds);
    const bucket = 'caliper-artifacts-test';
    await s3.store.ensureBucket(bucket);
    const begin = async (key: string) => {
      await s3.store.putObject(bucket, `runs/${key}.bin`, `content of ${key}`);
      return ds.transaction((m) => uploads.begin(m, bucket, `runs/${key}.bin`));
    };
    const ids = { abandoned: await begin('abandoned'), finished: await begin('finished'), inProgress: await begin('in-progress') };
    await ds.transaction((m) => uploads.complete(m, ids.finished, { size: 19, sha256: 'a'.repeat(64) }));
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    await owner.query(`UPDATE uploads SET created_at = now() - interval '2 hours' WHERE id = ANY($1::uuid[])`, [
      [ids.abandoned, ids.finished],
    ]);
    await owner.end();

    const doneBefore = await jobsTotal('uploads.sweep', 'done');
    await worker.queues.add({ name: 'uploads.sweep', data: { v: 1 } });
    await waitFor('the sweep', async () => (await jobsTotal('uploads.sweep', 'done')) > doneBefore);

    expect((await s3.store.list(bucket, 'runs/')).map((o) => o.key)).toEqual(['runs/finished.bin', 'runs/in-progress.bin']);
    const rows: { object_key: string; status: string }[] = await ds.query(`SELECT object_key, status FROM uploads ORDER BY object_key`);
    expect(rows).toEqual([
      { object_key: 'runs/finished.bin', status: 'complete' },
      { object_key: 'runs/in-progress.bin', status: 'pending' },
    ]);
  });

  it('idempotency.purge deletes records older than 24 hours and keeps the rest', async () => {
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    const user = (await owner.query(`INSERT INTO users (username, display_name) VALUES ('purge-user', 'P') RETURNING id`)).rows[0]
      .id as string;
    for (const [key, age] of [
      ['old', '25 hours'],
      ['fresh', '1 hour'],
    ]) {
      await owner.query(
        `INSERT INTO idempotency_records (user_id, key, request_hash, status_code, response, created_at) VALUES ($1, $2, 'h', 200, '{}', now() - $3::interval)`,
        [user, key, age],
      );
    }
    const doneBefore = await jobsTotal('idempotency.purge', 'done');
    await worker.queues.add({ name: 'idempotency.purge', data: { v: 1 } });
    await waitFor('the purge', async () => (await jobsTotal('idempotency.purge', 'done')) > doneBefore);
    const left = await owner.query(`SELECT key FROM idempotency_records WHERE user_id = $1`, [user]);
    await owner.end();
    expect(left.rows).toEqual([{ key: 'fresh' }]);
  });
});
