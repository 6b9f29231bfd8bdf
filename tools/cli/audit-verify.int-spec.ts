/**
 * `caliper audit verify` against checkpoints in S3: the chain alone cannot reveal a deleted tail
 * or a chain rewritten from some event on (both leave a self-consistent chain); the checkpoints
 * the worker wrote can. Real PostgreSQL, a local S3 server, the CLI as a process.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { AuditRepository, createDataSource, createTestDatabase, TestDatabase } from '@caliper/persistence';
import { AuditCheckpointStore, startTestObjectStore, TestObjectStore } from '@caliper/storage';

const run = promisify(execFile);
const BIN = path.resolve(__dirname, 'bin.js');
const BUCKET = 'caliper-audit-cli';

describe('caliper audit verify with S3 checkpoints', () => {
  let db: TestDatabase;
  let s3: TestObjectStore;
  let checkpoints: AuditCheckpointStore;

  async function cli(args: string[], env: Record<string, string> = {}) {
    try {
      const r = await run('node', [BIN, ...args], { env: { ...process.env, ...s3.config, S3_BUCKET_AUDIT: BUCKET, DATABASE_URL: db.appUrl, DATABASE_OWNER_URL: db.ownerUrl, ...env } });
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, out: err.stdout, err: err.stderr };
    }
  }

  async function append(...labels: string[]) {
    const ds = await createDataSource(db.appUrl).initialize();
    const audit = new AuditRepository(ds);
    for (const label of labels) await ds.transaction((m) => audit.append(m, { actorId: null, actorLabel: label, action: 'project.create', entityType: 'project', entityId: label }));
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
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, firstBrokenSeq: 3, checkpointsChecked: 1, checkpointsFound: 2, problem: expect.stringMatching(/events were deleted/) });
  });

  it('reports a chain rewritten from an event on', async () => {
    await deleteFrom(3);
    await append('forged-3', 'forged-4');
    const r = await cli(['audit', 'verify']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/audit chain BROKEN at event #4: event 4 no longer has the hash recorded in the checkpoint .* the chain was rewritten/);
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
