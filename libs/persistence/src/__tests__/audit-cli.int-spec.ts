import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { Client } from 'pg';
import { startTestObjectStore, TestObjectStore } from '@caliper/storage/testing';
import { AuditRepository, createDataSource } from '../index';
import { createTestDatabase, TestDatabase } from '../testing/test-database';

const run = promisify(execFile);
const BIN = path.resolve(__dirname, '../../../../tools/cli/bin.js');

// `audit verify` also reads the audit checkpoints from S3: an empty audit bucket on a local S3 server.
let s3: TestObjectStore;

async function cli(db: TestDatabase, args: string[]) {
  try {
    const r = await run('node', [BIN, ...args], {
      env: { ...process.env, ...s3.config, DATABASE_URL: db.appUrl, DATABASE_OWNER_URL: db.ownerUrl },
    });
    return { code: 0, out: r.stdout };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, out: err.stdout };
  }
}

describe('caliper audit verify (CLI, real database)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    s3 = await startTestObjectStore();
    await s3.store.ensureBucket('caliper-audit');
    db = await createTestDatabase();
    const ds = createDataSource(db.appUrl);
    await ds.initialize();
    const audit = new AuditRepository(ds);
    for (let i = 1; i <= 4; i++) {
      await ds.transaction((m) =>
        audit.append(m, { actorId: null, actorLabel: 'cli-test', action: 'user.created', entityType: 'user', entityId: `u${i}` }),
      );
    }
    await ds.destroy();
  });
  afterAll(async () => {
    await db.drop();
    await s3.close();
  });

  it('reports an intact chain and exits 0', async () => {
    const r = await cli(db, ['audit', 'verify']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/audit chain intact: 4 events, last #4/);
  });

  it('reports every tampered event, not only the first, and exits 1', async () => {
    const c = new Client({ connectionString: db.ownerUrl });
    await c.connect();
    await c.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_immutable`);
    await c.query(`UPDATE audit_events SET hash = repeat('a', 64) WHERE seq = 2`);
    await c.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_immutable`);
    await c.end();
    const r = await cli(db, ['audit', 'verify', '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    // The rewritten hash at 2, and event 3's link to the hash 2 had; 4 is checked too.
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 2, checkedEvents: 4, lastSeq: 4, unacknowledgedBreaks: 2 });
    expect(report.breaks.map((b: { seq: number; kind: string }) => [b.seq, b.kind])).toEqual([
      [2, 'hash_mismatch'],
      [3, 'prev_hash_mismatch'],
    ]);
    const text = await cli(db, ['audit', 'verify']);
    expect(text.out).toMatch(
      /^audit chain BROKEN at event #2: stored hash of event 2 \(a{64}\) is not sha256\(prev_hash \|\| canonical text\) = [0-9a-f]{64} \(2 unacknowledged break\(s\), 4 events checked, last #4; 0 of 0 checkpoint\(s\) in s3:\/\/caliper-audit match; 0 recorded in the database\)\n  #2 hash_mismatch: .*\n  #3 prev_hash_mismatch: .*\nInvestigate each break/,
    );
  });

  it('acknowledge-break: only for a broken event, only by an active system admin, as a new audited event; then verify exits 0 and still lists both', async () => {
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    await owner.query(
      `INSERT INTO users (username, display_name, global_role) VALUES ('root-admin', 'Root', 'system_admin'), ('plain-user', 'Plain', NULL)`,
    );
    await owner.end();
    const reason = 'hash column overwritten in the 2026-11 incident; original row restored from backup is identical';
    expect(await cli(db, ['audit', 'acknowledge-break', '--seq', '2', '--by', 'plain-user', '--reason', reason])).toMatchObject({
      code: 2,
    });
    expect(await cli(db, ['audit', 'acknowledge-break', '--seq', '4', '--by', 'root-admin', '--reason', reason])).toMatchObject({
      code: 2,
    });
    expect(await cli(db, ['audit', 'acknowledge-break', '--seq', '2', '--by', 'root-admin', '--reason', 'short'])).toMatchObject({
      code: 2,
    });

    const two = await cli(db, ['audit', 'acknowledge-break', '--seq', '2', '--by', 'root-admin', '--reason', reason]);
    expect(two).toMatchObject({ code: 0, out: 'acknowledged the break at event #2 (hash_mismatch) in audit event #5 by root-admin\n' });
    expect((await cli(db, ['audit', 'verify'])).code).toBe(1); // event 3's link is still open
    expect((await cli(db, ['audit', 'acknowledge-break', '--seq', '3', '--by', 'root-admin', '--reason', reason])).code).toBe(0);

    const r = await cli(db, ['audit', 'verify']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^audit chain intact but for 2 acknowledged break\(s\): 6 events, last #6/);
    expect(r.out).toContain(`  #2 hash_mismatch: stored hash of event 2 (${'a'.repeat(64)})`);
    expect(r.out).toMatch(/#3 prev_hash_mismatch: .* \[acknowledged in event #6 by root-admin at .*: hash column overwritten/);
    const report = JSON.parse((await cli(db, ['audit', 'verify', '--json'])).out);
    expect(report).toMatchObject({
      ok: true,
      unacknowledgedBreaks: 0,
      breaks: [
        { seq: 2, acknowledged: { seq: 5, by: 'root-admin', reason } },
        { seq: 3, acknowledged: { seq: 6 } },
      ],
    });
    // The broken rows are untouched: the hash column still holds what the tampering left.
    const check = new Client({ connectionString: db.ownerUrl });
    await check.connect();
    expect((await check.query(`SELECT hash FROM audit_events WHERE seq = 2`)).rows[0].hash).toBe('a'.repeat(64));
    const acks = await check.query(
      `SELECT seq, action, entity_id, reason, after FROM audit_events WHERE action = 'audit.break_acknowledged' ORDER BY seq`,
    );
    await check.end();
    expect(acks.rows.map((a) => [a.seq, a.entity_id, a.reason])).toEqual([
      ['5', '2', reason],
      ['6', '3', reason],
    ]);
    expect(acks.rows[0].after).toMatchObject({
      brokenSeq: 2,
      kinds: ['hash_mismatch'],
      sha256: { stored: 'a'.repeat(64), recomputed: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect((await cli(db, ['audit', 'acknowledge-break', '--seq', '2', '--by', 'root-admin', '--reason', reason])).code).toBe(2); // already acknowledged
    // Nine CLI processes, each compiling the CLI on load: ~27 s alone, more under the full suite.
  }, 120_000);

  it('migrate reports an up-to-date database', async () => {
    const r = await cli(db, ['migrate']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/database is up to date/);
  });
});
