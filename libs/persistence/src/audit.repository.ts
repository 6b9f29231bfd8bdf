/**
 * The only code that reads or writes audit_events. Inserts run inside the caller's transaction
 * (the event commits or rolls back with the change it records); the trigger assigns seq and hash.
 */
import { performance } from 'node:perf_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { AuditChainVerifier, AuditCheckpoint, AuditEventBody, auditTime, canonicalAuditText, ChainReport, JsonValue, redactForAudit, StoredAuditEvent } from '@caliper/domain';

export interface AuditInput {
  actorId: string | null;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string | null;
  projectId?: string | null;
  before?: JsonValue | null;
  after?: JsonValue | null;
  reason?: string | null;
}

interface AuditRow {
  seq: string;
  occurred_at_text: string;
  actor_id: string | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  project_id: string | null;
  before: JsonValue | null;
  after: JsonValue | null;
  reason: string | null;
  canonical: string;
  prev_hash: string;
  hash: string;
}

function nowMicros(): string {
  const t = performance.timeOrigin + performance.now();
  const ms = Math.floor(t);
  return auditTime(new Date(ms), Math.floor((t - ms) * 1000));
}

function toStored(r: AuditRow): StoredAuditEvent {
  return {
    seq: Number(r.seq),
    time: r.occurred_at_text,
    actorId: r.actor_id,
    actorLabel: r.actor_label,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    projectId: r.project_id,
    before: r.before,
    after: r.after,
    reason: r.reason,
    canonical: r.canonical,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

const SELECT_COLUMNS = `seq, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_at_text,
  actor_id, actor_label, action, entity_type, entity_id, project_id, before, after, reason, canonical, prev_hash, hash`;

export interface AuditSearch {
  actor?: string | null;
  /** Exact action, or a prefix when it ends in '.' */
  action?: string | null;
  entityType?: string | null;
  entityId?: string | null;
  projectId?: string | null;
  from?: Date | null;
  to?: Date | null;
  /** Newest first: events with seq below this one. */
  beforeSeq?: number | null;
  limit: number;
}

export class AuditRepository {
  constructor(private readonly ds: DataSource) {}

  /** Appends one event in the given transaction. before/after are stripped of secrets first. */
  async append(manager: EntityManager, input: AuditInput): Promise<{ seq: number; hash: string }> {
    const body: AuditEventBody = {
      time: nowMicros(),
      actorId: input.actorId,
      actorLabel: input.actorLabel,
      action: input.action,
      entityType: input.entityType,
      entityId: input.entityId,
      projectId: input.projectId ?? null,
      before: redactForAudit(input.before ?? null),
      after: redactForAudit(input.after ?? null),
      reason: input.reason ?? null,
    };
    const rows: { seq: string; hash: string }[] = await manager.query(
      `INSERT INTO audit_events (occurred_at, actor_id, actor_label, action, entity_type, entity_id, project_id, before, after, reason, canonical, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '', '') RETURNING seq, hash`,
      [body.time, body.actorId, body.actorLabel, body.action, body.entityType, body.entityId, body.projectId,
        body.before === null ? null : JSON.stringify(body.before), body.after === null ? null : JSON.stringify(body.after),
        body.reason, canonicalAuditText(body)],
    );
    return { seq: Number(rows[0].seq), hash: rows[0].hash };
  }

  async latest(): Promise<{ seq: number; hash: string } | null> {
    const rows: { seq: string; hash: string }[] = await this.ds.query(`SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`);
    return rows.length ? { seq: Number(rows[0].seq), hash: rows[0].hash } : null;
  }

  /** Newest-first page of events matching every given filter (parameterised; the seq index serves the order). */
  async search(q: AuditSearch): Promise<StoredAuditEvent[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.actor) add('actor_label = ?', q.actor);
    if (q.action) {
      if (q.action.endsWith('.')) add(`starts_with(action, ?)`, q.action);
      else add('action = ?', q.action);
    }
    if (q.entityType) add('entity_type = ?', q.entityType);
    if (q.entityId) add('entity_id = ?', q.entityId);
    if (q.projectId) add('project_id = ?', q.projectId);
    if (q.from) add('occurred_at >= ?', q.from);
    if (q.to) add('occurred_at < ?', q.to);
    if (q.beforeSeq) add('seq < ?', q.beforeSeq);
    params.push(q.limit);
    const rows: AuditRow[] = await this.ds.query(
      `SELECT ${SELECT_COLUMNS} FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toStored);
  }

  /** Walks the whole chain in pages and checks it against the given checkpoints. */
  async verify(checkpoints: readonly AuditCheckpoint[] = [], pageSize = 5000): Promise<ChainReport> {
    const verifier = new AuditChainVerifier();
    const wanted = new Set(checkpoints.map((c) => c.seq));
    const hashes = new Map<number, string>();
    let after = 0;
    for (;;) {
      const rows: AuditRow[] = await this.ds.query(`SELECT ${SELECT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, pageSize]);
      let intact = true;
      for (const row of rows) {
        const ev = toStored(row);
        if (wanted.has(ev.seq)) hashes.set(ev.seq, ev.hash);
        if (!verifier.feed(ev)) { intact = false; break; }
      }
      if (!intact || rows.length < pageSize) break;
      after = Number(rows[rows.length - 1].seq);
    }
    return verifier.finish(checkpoints, (seq) => hashes.get(seq));
  }
}
