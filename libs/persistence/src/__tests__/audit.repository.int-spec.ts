/**
 * AuditRepository on real PostgreSQL: what is stored is exactly what the hash covers (issue 10,
 * finding 3), every break is reported, a break is repaired only by an audited acknowledgement,
 * and checkpoints are recorded in an append-only table.
 */
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AUDIT_BREAK_ACK_ACTION, auditTime, canonicalAuditText, InvalidTextError } from '@caliper/domain';
import { AuditAcknowledgeError, AuditRepository, createDataSource } from '../index';
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

/** As the owner with the append-only trigger off: what a superuser can do. */
async function tamper(db: TestDatabase, statement: string, params: unknown[] = []) {
  const c = new Client({ connectionString: db.ownerUrl });
  await c.connect();
  await c.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_immutable`);
  await c.query(statement, params);
  await c.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_immutable`);
  await c.end();
}

/**
 * What the code before the fix wrote for `reason: "left \ud800 group"`: the canonical text (and so
 * the hash, computed by the trigger) holds the escaped surrogate, the column holds U+FFFD.
 */
async function legacySurrogateEvent(db: TestDatabase, reason = 'left \ud800 group') {
  const time = auditTime(new Date());
  const body = {
    time,
    actorId: null,
    actorLabel: 'pi-user',
    action: 'member.removed',
    entityType: 'project',
    entityId: 'p1',
    projectId: null,
    before: null,
    after: null,
    reason: 'PLACEHOLDER',
  };
  const canonical = canonicalAuditText(body).replace('"PLACEHOLDER"', JSON.stringify(reason));
  await sql(
    db.appUrl,
    `INSERT INTO audit_events (occurred_at, actor_id, actor_label, action, entity_type, entity_id, project_id, before, after, reason, canonical, prev_hash, hash)
    VALUES ($1, NULL, 'pi-user', 'member.removed', 'project', 'p1', NULL, NULL, NULL, $2, $3, '', '')`,
    [time, reason, canonical],
  );
}

describe('AuditRepository (real PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let audit: AuditRepository;
  const event = (label: string, extra: Record<string, unknown> = {}) => ({
    actorId: null,
    actorLabel: label,
    action: 'project.created' as const,
    entityType: 'project',
    entityId: label,
    ...extra,
  });
  const append = (label: string, extra: Record<string, unknown> = {}) => ds.transaction((m) => audit.append(m, event(label, extra)));
  const count = async () => Number((await ds.query(`SELECT count(*) AS n FROM audit_events`))[0].n);

  beforeEach(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.appUrl).initialize();
    audit = new AuditRepository(ds);
  });
  afterEach(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('refuses a lone surrogate or NUL anywhere in an event, naming the field, and writes nothing (not even the change it records)', async () => {
    await append('e1');
    await expect(append('e2', { reason: 'left \ud800 group' })).rejects.toThrow(InvalidTextError);
    await expect(append('e2', { reason: 'left \ud800 group' })).rejects.toThrow(
      /^audit event field \$\.reason holds a lone UTF-16 surrogate U\+D800 at character 5.*refused, nothing was written/,
    );
    await expect(append('e2', { after: { note: ['ok', 'a\u0000b'] } })).rejects.toThrow(/\$\.after\.note\[1\] holds U\+0000/);
    await expect(append('\udc00')).rejects.toThrow(/\$\.actorLabel/);
    // The business change in the same transaction rolls back with the refused event.
    await expect(
      ds.transaction(async (m) => {
        await m.query(`INSERT INTO users (username, display_name) VALUES ('half-written', 'x')`);
        await audit.append(m, event('e2', { reason: '\ud800' }));
      }),
    ).rejects.toThrow(InvalidTextError);
    expect((await sql(db.ownerUrl, `SELECT count(*)::int AS n FROM users WHERE username = 'half-written'`)).rows[0].n).toBe(0);
    expect(await count()).toBe(1);
    // Well-formed text, astral characters included, is stored exactly as the hash covers it.
    await append('e3', { reason: 'Müller \u{1F600} 東京', after: { k: '\ufffd is a real character' } });
    expect(await audit.verify()).toMatchObject({ ok: true, checkedEvents: 2, breaks: [] });
  });

  it('stores an upper-case uuid as PostgreSQL hands it back, so the columns equal the canonical text', async () => {
    const owner = await sql(db.ownerUrl, `INSERT INTO users (username, display_name) VALUES ('upper', 'U') RETURNING id`);
    await append('e1', { actorId: String(owner.rows[0].id).toUpperCase() });
    expect(await audit.verify()).toMatchObject({ ok: true, breaks: [] });
  });

  it('reports the legacy U+FFFD row and every later break, and keeps checking after them', async () => {
    await append('e1');
    await legacySurrogateEvent(db); // 2
    await append('e3');
    await append('e4');
    await append('e5');
    await tamper(db, `UPDATE audit_events SET after = '{"slug":"forged"}' WHERE seq = 4`);
    const r = await audit.verify();
    expect(r).toMatchObject({ ok: false, checkedEvents: 5, lastSeq: 5, unacknowledgedBreaks: 2, firstBrokenSeq: 2 });
    expect(r.breaks.map((b) => [b.seq, b.kind])).toEqual([
      [2, 'canonical_mismatch'],
      [4, 'canonical_mismatch'],
    ]);
    expect(r.breaks[0]?.problem).toContain('reason: "left \\ud800 group" signed, "left \ufffd group" stored');
  });

  it('acknowledge-break appends an audited event; verify then lists the break as acknowledged and the chain ok', async () => {
    await append('e1');
    await legacySurrogateEvent(db); // 2
    await append('e3');
    const before = (await ds.query(`SELECT hash FROM audit_events WHERE seq = 2`))[0].hash as string;
    await expect(audit.acknowledgeBreak({ seq: 3, reason: 'r', actorId: null, actorLabel: 'admin' })).rejects.toThrow(
      new AuditAcknowledgeError('event 3 has no break to acknowledge (broken events: 2)'),
    );

    const { ackSeq, acknowledged } = await audit.acknowledgeBreak({
      seq: 2,
      reason: 'lone surrogate from a GraphQL variable, issue 10',
      actorId: null,
      actorLabel: 'admin',
    });
    expect(ackSeq).toBe(4);
    expect(acknowledged.map((b) => b.kind)).toEqual(['canonical_mismatch']);
    const [ack] = await audit.search({ action: AUDIT_BREAK_ACK_ACTION, limit: 5 });
    expect(ack).toMatchObject({
      seq: 4,
      actorLabel: 'admin',
      entityType: 'audit_event',
      entityId: '2',
      reason: 'lone surrogate from a GraphQL variable, issue 10',
    });
    expect(ack?.after).toEqual({
      brokenSeq: 2,
      kinds: ['canonical_mismatch'],
      sha256: {
        stored: before,
        recomputed: before,
        prevLink: expect.stringMatching(/^[0-9a-f]{64}$/),
        columns: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    });
    // The row itself was not rewritten.
    expect((await ds.query(`SELECT hash, reason FROM audit_events WHERE seq = 2`))[0]).toEqual({
      hash: before,
      reason: 'left \ufffd group',
    });

    const r = await audit.verify();
    expect(r).toMatchObject({ ok: true, unacknowledgedBreaks: 0, firstBrokenSeq: null, lastSeq: 4 });
    expect(r.breaks).toEqual([
      expect.objectContaining({ seq: 2, kind: 'canonical_mismatch', acknowledged: expect.objectContaining({ seq: 4, by: 'admin' }) }),
    ]);
    await expect(audit.acknowledgeBreak({ seq: 2, reason: 'again', actorId: null, actorLabel: 'admin' })).rejects.toThrow(
      /already acknowledged \(by event 4\)/,
    );

    // A later edit of the acknowledged row re-opens it.
    await tamper(db, `UPDATE audit_events SET actor_label = 'someone-else' WHERE seq = 2`);
    expect(await audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: 2 });
  });

  it('records checkpoints append-only, and answers the checkpoint state from index lookups', async () => {
    expect(await audit.checkpointState()).toEqual({ head: null, lastCheckpoint: null, firstUncoveredAt: null });
    await append('e1');
    await append('e2');
    const state = await audit.checkpointState();
    expect(state).toMatchObject({ head: { seq: 2 }, lastCheckpoint: null });
    expect(state.firstUncoveredAt).toBeInstanceOf(Date);
    await audit.recordCheckpoint({
      seq: 2,
      hash: state.head!.hash,
      objectKey: 'audit-checkpoints/2.json',
      locked: false,
      writtenAt: new Date().toISOString(),
    });
    await audit.recordCheckpoint({
      seq: 2,
      hash: state.head!.hash,
      objectKey: 'audit-checkpoints/2.json',
      locked: false,
      writtenAt: new Date().toISOString(),
    });
    expect(await audit.checkpointState()).toMatchObject({ head: { seq: 2 }, lastCheckpoint: { seq: 2 }, firstUncoveredAt: null });
    expect(await audit.recordedCheckpoints()).toEqual([
      { seq: 2, hash: state.head!.hash, objectKey: 'audit-checkpoints/2.json', writtenAt: expect.any(String) },
    ]);
    for (const stmt of [
      `UPDATE audit_checkpoints SET hash = repeat('a', 64)`,
      `DELETE FROM audit_checkpoints`,
      `TRUNCATE audit_checkpoints`,
    ]) {
      await expect(sql(db.appUrl, stmt)).rejects.toThrow(/permission denied/);
      await expect(sql(db.ownerUrl, stmt)).rejects.toThrow(/append-only/);
    }
  });
});
