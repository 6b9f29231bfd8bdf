import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { Client } from 'pg';
import { startTestObjectStore, TestObjectStore } from '@caliper/storage';
import { AuditRepository, createDataSource } from '../index';
import { createTestDatabase, TestDatabase } from '../testing/test-database';

const run = promisify(execFile);
const BIN = path.resolve(__dirname, '../../../../tools/cli/bin.js');

// `audit verify` also reads the audit checkpoints from S3: an empty audit bucket on a local S3 server.
let s3: TestObjectStore;

async function cli(db: TestDatabase, args: string[]) {
  try {
    const r = await run('node', [BIN, ...args], { env: { ...process.env, ...s3.config, DATABASE_URL: db.appUrl, DATABASE_OWNER_URL: db.ownerUrl } });
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
      await ds.transaction((m) => audit.append(m, { actorId: null, actorLabel: 'cli-test', action: 'user.create', entityType: 'user', entityId: `u${i}` }));
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

  it('reports the first tampered event and exits 1', async () => {
    const c = new Client({ connectionString: db.ownerUrl });
    await c.connect();
    await c.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_immutable`);
    await c.query(`UPDATE audit_events SET hash = repeat('a', 64) WHERE seq = 2`);
    await c.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_immutable`);
    await c.end();
    const r = await cli(db, ['audit', 'verify', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, firstBrokenSeq: 2, checkedEvents: 1 });
  });

  it('migrate reports an up-to-date database', async () => {
    const r = await cli(db, ['migrate']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/database is up to date/);
  });
});
