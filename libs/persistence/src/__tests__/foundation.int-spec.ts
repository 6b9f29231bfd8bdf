import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AuditRepository, createDataSource, MIGRATIONS, pendingSchemaChanges, runMigrations } from '../index';
import { createTestDatabase, TestDatabase } from '../testing/test-database';

async function sql(url: string, text: string, params: unknown[] = []) {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text, params);
  } finally {
    await c.end();
  }
}

describe('migrations', () => {
  let db: TestDatabase;
  afterEach(async () => db?.drop());

  it('apply to an empty database and leave nothing for the schema check to generate', async () => {
    db = await createTestDatabase({ empty: true });
    const applied = await runMigrations(db.ownerUrl);
    // Every migration of the list, in its order: named <Name><13-digit timestamp>, timestamps rising, each once.
    const listed = MIGRATIONS.map((m) => m.name);
    expect(applied).toEqual(listed);
    expect(listed[0]).toBe('Foundation1764205200000');
    const stamps = listed.map((n) => Number(/\d{13}$/.exec(n)?.[0]));
    expect(stamps.every((t) => Number.isInteger(t))).toBe(true);
    expect([...stamps].sort((x, y) => x - y)).toEqual(stamps);
    expect(new Set(stamps).size).toBe(stamps.length);
    expect(await runMigrations(db.ownerUrl)).toEqual([]);
    expect(await pendingSchemaChanges(db.ownerUrl)).toEqual([]);
    const tables = await sql(db.ownerUrl, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
    expect(tables.rows.map((r) => r.tablename)).toEqual(
      expect.arrayContaining([
        'users',
        'user_credentials',
        'sessions',
        'projects',
        'project_members',
        'api_tokens',
        'audit_events',
        'audit_checkpoints',
        'outbox',
        'uploads',
      ]),
    );
  });

  it('schema check reports a schema that differs from the entities (a missing migration)', async () => {
    db = await createTestDatabase();
    await sql(db.ownerUrl, `ALTER TABLE projects DROP COLUMN description`);
    const pending = await pendingSchemaChanges(db.ownerUrl);
    expect(pending.join('\n')).toMatch(/ALTER TABLE "projects" ADD "description"/);
  });
});

describe('audit log in the database', () => {
  let db: TestDatabase;
  let app: DataSource;
  let audit: AuditRepository;

  beforeEach(async () => {
    db = await createTestDatabase();
    app = createDataSource(db.appUrl);
    await app.initialize();
    audit = new AuditRepository(app);
  });
  afterEach(async () => {
    await app.destroy();
    await db.drop();
  });

  const event = (n: number) => ({
    actorId: null,
    actorLabel: 'system',
    action: 'project.created' as const,
    entityType: 'project',
    entityId: `p${n}`,
    after: { slug: `proj-${n}`, passwordHash: 'must-not-be-kept' },
  });

  it('chains events written by the app role and verifies them', async () => {
    for (let i = 1; i <= 3; i++) await app.transaction((m) => audit.append(m, event(i)));
    const report = await audit.verify();
    expect(report).toMatchObject({ ok: true, checkedEvents: 3, lastSeq: 3, firstBrokenSeq: null });
    const rows = await sql(db.ownerUrl, `SELECT seq, prev_hash, after FROM audit_events ORDER BY seq`);
    expect(rows.rows[0].prev_hash).toBe('0'.repeat(64));
    expect(rows.rows[1].after).toEqual({ slug: 'proj-2' });
  });

  it('keeps the chain gap-free and unforked under concurrent writers and rollbacks', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => app.transaction((m) => audit.append(m, event(i)))));
    await expect(
      app.transaction(async (m) => {
        await audit.append(m, event(99));
        throw new Error('business change failed');
      }),
    ).rejects.toThrow('business change failed');
    await app.transaction((m) => audit.append(m, event(100)));
    const report = await audit.verify();
    expect(report).toMatchObject({ ok: true, checkedEvents: 21, lastSeq: 21 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE from the app role and from the owner', async () => {
    await app.transaction((m) => audit.append(m, event(1)));
    for (const stmt of [`UPDATE audit_events SET actor_label = 'x'`, `DELETE FROM audit_events`, `TRUNCATE audit_events`]) {
      await expect(sql(db.appUrl, stmt)).rejects.toThrow(/permission denied/);
      await expect(sql(db.ownerUrl, stmt)).rejects.toThrow(/append-only/);
    }
    expect((await sql(db.ownerUrl, `SELECT count(*)::int AS n FROM audit_events`)).rows[0].n).toBe(1);
  });

  it('reports tampering by the owner with the trigger disabled at the right event', async () => {
    for (let i = 1; i <= 5; i++) await app.transaction((m) => audit.append(m, event(i)));
    await sql(db.ownerUrl, `ALTER TABLE audit_events DISABLE TRIGGER audit_events_immutable`);
    await sql(db.ownerUrl, `UPDATE audit_events SET after = '{"slug":"forged"}' WHERE seq = 3`);
    await sql(db.ownerUrl, `ALTER TABLE audit_events ENABLE TRIGGER audit_events_immutable`);
    expect(await audit.verify()).toMatchObject({
      ok: false,
      firstBrokenSeq: 3,
      checkedEvents: 5,
      breaks: [{ seq: 3, kind: 'canonical_mismatch' }],
    });
  });

  it('catches a deleted tail through a checkpoint', async () => {
    for (let i = 1; i <= 4; i++) await app.transaction((m) => audit.append(m, event(i)));
    const cp = await audit.latest();
    await sql(db.ownerUrl, `ALTER TABLE audit_events DISABLE TRIGGER audit_events_immutable`);
    await sql(db.ownerUrl, `DELETE FROM audit_events WHERE seq > 2`);
    await sql(db.ownerUrl, `ALTER TABLE audit_events ENABLE TRIGGER audit_events_immutable`);
    expect((await audit.verify()).ok).toBe(true);
    const report = await audit.verify([{ seq: cp!.seq, hash: cp!.hash, writtenAt: '2026-11-27T00:00:00Z' }]);
    expect(report).toMatchObject({ ok: false, firstBrokenSeq: 3 });
  });
});
