/**
 * `caliper audit verify` against checkpoints in S3: the chain alone cannot reveal a deleted tail
 * or a chain rewritten from some event on (both leave a self-consistent chain); the checkpoints
 * the worker wrote can. Real PostgreSQL, a local S3 server, the CLI as a process.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { AuditRepository, createDataSource } from '@caliper/persistence';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { auditTime, canonicalAuditText } from '@caliper/domain';
import { AuditCheckpointStore, auditCheckpointKey } from '@caliper/storage';
import { startTestObjectStore, TestObjectStore } from '@caliper/storage/testing';

const run = promisify(execFile);
const BIN = path.resolve(__dirname, 'bin.js');
const BUCKET = 'caliper-audit-cli';

describe('caliper audit verify with S3 checkpoints', () => {
  let db: TestDatabase;
  let s3: TestObjectStore;
  let checkpoints: AuditCheckpointStore;

  async function cli(args: string[], env: Record<string, string> = {}) {
    try {
      const r = await run('node', [BIN, ...args], {
        env: { ...process.env, ...s3.config, S3_BUCKET_AUDIT: BUCKET, DATABASE_URL: db.appUrl, DATABASE_OWNER_URL: db.ownerUrl, ...env },
      });
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, out: err.stdout, err: err.stderr };
    }
  }

  async function append(...labels: string[]) {
    const ds = await createDataSource(db.appUrl).initialize();
    const audit = new AuditRepository(ds);
    for (const label of labels)
      await ds.transaction((m) =>
        audit.append(m, { actorId: null, actorLabel: label, action: 'project.created', entityType: 'project', entityId: label }),
      );
    const head = await audit.latest();
    await ds.destroy();
    return head!;
  }

  /** What an owner with the triggers disabled can do: delete events from `fromSeq` on. */
  async function deleteFrom(fromSeq: number) {
    const c = new Client({ connectionString: db.ownerUrl });
    await c.connect();
    await c.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_immutable`);
    await c.query(`DELETE FROM audit_events WHERE seq >= $1`, [fromSeq]);
    await c.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_immutable`);
    await c.end();
  }

  beforeEach(async () => {
    db = await createTestDatabase();
    s3 = await startTestObjectStore();
    await s3.store.ensureBucket(BUCKET);
    checkpoints = new AuditCheckpointStore(s3.store, BUCKET);
    await checkpoints.write(await append('e1', 'e2'));
    await checkpoints.write(await append('e3', 'e4'));
  });
  afterEach(async () => {
    await s3.close();
    await db.drop();
  });

  it('reports an intact chain that matches every checkpoint', async () => {
    const r = await cli(['audit', 'verify']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/audit chain intact: 4 events, last #4 [0-9a-f]{64}; 2 of 2 checkpoint\(s\) in s3:\/\/caliper-audit-cli match/);
  });

  it('reports a deleted tail that the chain alone does not show', async () => {
    await deleteFrom(3);
    expect((await cli(['audit', 'verify', '--skip-checkpoints'])).code).toBe(0);
    const r = await cli(['audit', 'verify', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({
      ok: false,
      firstBrokenSeq: 3,
      checkpointsChecked: 1,
      checkpointsFound: 2,
      problem: expect.stringMatching(/events were deleted/),
    });
  });

  it('reports a chain rewritten from an event on', async () => {
    await deleteFrom(3);
    await append('forged-3', 'forged-4');
    const r = await cli(['audit', 'verify']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /audit chain BROKEN at event #4: event 4 no longer has the hash recorded in the checkpoint .* the chain was rewritten/,
    );
  });

  /** What the worker does: write the head's checkpoint to S3, then record it in the database. */
  async function checkpointAndRecord(head: { seq: number; hash: string }) {
    const written = await checkpoints.write(head);
    const ds = await createDataSource(db.appUrl).initialize();
    await new AuditRepository(ds).recordCheckpoint(written);
    await ds.destroy();
  }

  it('fails when a checkpoint the database recorded was deleted from S3, instead of checking "1 of 1"', async () => {
    await checkpointAndRecord(await append('e5'));
    await checkpointAndRecord(await append('e6'));
    expect((await cli(['audit', 'verify'])).out).toMatch(
      /audit chain intact: 6 events, .*; 4 of 4 checkpoint\(s\) in s3:\/\/caliper-audit-cli match; 2 recorded in the database/,
    );
    await s3.store.remove(BUCKET, auditCheckpointKey(5));
    const r = await cli(['audit', 'verify']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /^audit chain BROKEN at event #5: checkpoint of event 5 written at .* \(object audit-checkpoints\/0+5\.json\) is recorded in the database but missing from the object store: it was deleted .*; 3 of 3 checkpoint\(s\) in s3:\/\/caliper-audit-cli match; 2 recorded in the database\)/,
    );
    expect(JSON.parse((await cli(['audit', 'verify', '--json'])).out)).toMatchObject({
      ok: false,
      checkpointsFound: 3,
      checkpointsExpected: 2,
      breaks: [{ seq: 5, kind: 'checkpoint_missing' }],
    });
  });

  it('fails when events older than the checkpoint deadline have no checkpoint at all (every checkpoint deleted)', async () => {
    // An event written an hour ago, through the trigger (a valid chain): the worker would have checkpointed it long since.
    const time = auditTime(new Date(Date.now() - 3600_000));
    const body = {
      time,
      actorId: null,
      actorLabel: 'old',
      action: 'project.create',
      entityType: 'project',
      entityId: 'old',
      projectId: null,
      before: null,
      after: null,
      reason: null,
    };
    const c = new Client({ connectionString: db.appUrl });
    await c.connect();
    await c.query(
      `INSERT INTO audit_events (occurred_at, actor_label, action, entity_type, entity_id, canonical, prev_hash, hash) VALUES ($1, 'old', 'project.create', 'project', 'old', $2, '', '')`,
      [time, canonicalAuditText(body)],
    );
    await c.end();
    expect((await cli(['audit', 'verify', '--skip-checkpoints'])).code).toBe(0);
    for (const seq of [2, 4]) await s3.store.remove(BUCKET, auditCheckpointKey(seq));
    const r = await cli(['audit', 'verify']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /^audit chain BROKEN at event #1: no checkpoint in the object store covers events 1\.\.5, though event 5 occurred before .*: .*checkpoints were deleted or the worker is not running \(1 unacknowledged break\(s\), 5 events checked, last #5; 0 of 0 checkpoint\(s\)/,
    );
    // A deadline longer than the event's age (interval 2 h) accepts it: the worker still has time.
    expect((await cli(['audit', 'verify'], { AUDIT_CHECKPOINT_INTERVAL_SECONDS: '7200' })).code).toBe(0);
  });

  it('fails, naming S3 and the way out, when the checkpoints cannot be read', async () => {
    await s3.close();
    const r = await cli(['audit', 'verify']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/could not read the audit checkpoints from http:\/\/127\.0\.0\.1:\d+: .*pass --skip-checkpoints/);
    const skipped = await cli(['audit', 'verify', '--skip-checkpoints']);
    expect(skipped.code).toBe(0);
    expect(skipped.out).toMatch(/checkpoints NOT checked/);
  });
});
