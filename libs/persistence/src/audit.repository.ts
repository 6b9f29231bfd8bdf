/**
 * The only code that reads or writes audit_events. Inserts run inside the caller's transaction
 * (the event commits or rolls back with the change it records); the trigger assigns seq and hash.
 * What is stored is exactly what the hash covers: text PostgreSQL would store differently (a lone
 * UTF-16 surrogate, U+0000) is refused before the insert, and the inserted row is read back and
 * compared with its canonical text before the transaction can commit.
 */
import { performance } from 'node:perf_hooks';
import { DataSource, EntityManager } from 'typeorm';
import {
  AUDIT_BREAK_ACK_ACTION,
  AuditAction,
  AuditChainVerifier,
  AuditCheckpoint,
  AuditEventBody,
  auditTime,
  BreakAckPayload,
  canonicalAuditText,
  ChainBreak,
  ChainReport,
  assertStorableText,
  JsonValue,
  RecordedCheckpoint,
  redactForAudit,
  ROW_BREAK_KINDS,
  rowFingerprint,
  StoredAuditEvent,
} from '@caliper/domain';
import { singleRow } from './single-row';

export interface AuditInput {
  actorId: string | null;
  actorLabel: string;
  /** Only the listed actions are written; `search` and `verify` read any stored action as text. */
  action: AuditAction;
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

/** A refused audit write (text that cannot be stored, or a row that would differ from its canonical text); nothing was written. */
export class AuditWriteError extends Error {
  readonly code = 'AUDIT_WRITE_REFUSED';
}

/** Refused `acknowledge-break`: the event has no open break. */
export class AuditAcknowledgeError extends Error {
  readonly code = 'AUDIT_ACK_REFUSED';
}

/** What the checkpoint job needs to decide, in one query. */
export interface CheckpointState {
  head: { seq: number; hash: string; occurredAt: Date } | null;
  lastCheckpoint: { seq: number; writtenAt: Date } | null;
  /** When the first event after the last checkpoint occurred (null: none). */
  firstUncoveredAt: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** uuid columns hand back lowercase: store it that way so the columns equal the canonical text. */
const normaliseUuid = (v: string | null): string | null => (v !== null && UUID.test(v) ? v.toLowerCase() : v);

export interface VerifyOptions {
  /** Events older than this must be covered by a checkpoint (see checkpointDeadlineSeconds); only with checkpoints. */
  coverBefore?: Date | null;
  pageSize?: number;
}

export class AuditRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Appends one event in the given transaction. before/after are stripped of secrets first. Throws
   * InvalidTextError (from @caliper/domain) for text that cannot be stored as given, and
   * AuditWriteError if the stored row would differ from its canonical text; either way the
   * caller's transaction must roll back (it does when the error propagates).
   */
  async append(manager: EntityManager, input: AuditInput): Promise<{ seq: number; hash: string }> {
    const body: AuditEventBody = {
      time: nowMicros(),
      actorId: normaliseUuid(input.actorId),
      actorLabel: input.actorLabel,
      action: input.action,
      entityType: input.entityType,
      entityId: input.entityId,
      projectId: normaliseUuid(input.projectId ?? null),
      before: redactForAudit(input.before ?? null),
      after: redactForAudit(input.after ?? null),
      reason: input.reason ?? null,
    };
    assertStorableText(body, '$', 'audit event field');
    const canonical = canonicalAuditText(body);
    const rows: AuditRow[] = await manager.query(
      `INSERT INTO audit_events (occurred_at, actor_id, actor_label, action, entity_type, entity_id, project_id, before, after, reason, canonical, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '', '') RETURNING ${SELECT_COLUMNS}`,
      [
        body.time,
        body.actorId,
        body.actorLabel,
        body.action,
        body.entityType,
        body.entityId,
        body.projectId,
        body.before === null ? null : JSON.stringify(body.before),
        body.after === null ? null : JSON.stringify(body.after),
        body.reason,
        canonical,
      ],
    );
    const stored = toStored(singleRow(rows, `the audit append of "${body.action}"`));
    if (stored.canonical !== canonical || canonicalAuditText(stored) !== canonical) {
      throw new AuditWriteError(
        `audit event "${body.action}" would be stored differently from the canonical text its hash covers (stored: ${canonicalAuditText(stored)}): refused, nothing was written`,
      );
    }
    return { seq: stored.seq, hash: stored.hash };
  }

  async latest(): Promise<{ seq: number; hash: string } | null> {
    const rows: { seq: string; hash: string }[] = await this.ds.query(`SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`);
    const [head] = rows;
    return head ? { seq: Number(head.seq), hash: head.hash } : null;
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

  /**
   * Walks the whole chain in pages and reports every break. With `checkpoints` (the objects read
   * from the object store) it also checks them against the chain, checks that every checkpoint
   * the database recorded is among them, and, with `coverBefore`, that old events are covered.
   * Without (null): the chain alone.
   */
  async verify(checkpoints: readonly AuditCheckpoint[] | null = null, opts: VerifyOptions = {}): Promise<ChainReport> {
    const recorded = checkpoints ? await this.recordedCheckpoints() : [];
    const verifier = new AuditChainVerifier({ coverBefore: checkpoints ? (opts.coverBefore ?? null) : null });
    const wanted = new Set([...(checkpoints ?? []), ...recorded].map((c) => c.seq));
    const hashes = new Map<number, string>();
    const pageSize = opts.pageSize ?? 5000;
    let after = 0;
    for (;;) {
      const rows: AuditRow[] = await this.ds.query(`SELECT ${SELECT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`, [
        after,
        pageSize,
      ]);
      for (const row of rows) {
        const ev = toStored(row);
        if (wanted.has(ev.seq)) hashes.set(ev.seq, ev.hash);
        verifier.feed(ev);
      }
      const last = rows.at(-1);
      if (!last || rows.length < pageSize) break;
      after = Number(last.seq);
    }
    return verifier.finish(checkpoints ? { objects: checkpoints, recorded } : null, (seq) => hashes.get(seq));
  }

  /**
   * The audited repair of a broken row (never a rewrite): appends an `audit.break_acknowledged`
   * event recording the broken seq, what is wrong with it, the row's stored and recomputed hashes
   * and the admin's reason. Verify then lists the break as acknowledged for as long as the row stays
   * exactly as it is now. Refused when the event has no unacknowledged break.
   */
  async acknowledgeBreak(input: {
    seq: number;
    reason: string;
    actorId: string | null;
    actorLabel: string;
  }): Promise<{ ackSeq: number; acknowledged: ChainBreak[] }> {
    const report = await this.verify(null);
    const atSeq = report.breaks.filter((b) => b.seq === input.seq);
    const open = atSeq.filter((b) => !b.acknowledged && ROW_BREAK_KINDS.includes(b.kind));
    if (!open.length) {
      throw new AuditAcknowledgeError(
        atSeq.length
          ? `every break at event ${input.seq} is already acknowledged (by event ${atSeq[0]?.acknowledged?.seq})`
          : `event ${input.seq} has no break to acknowledge${report.breaks.length ? ` (broken events: ${[...new Set(report.breaks.map((b) => b.seq))].join(', ')})` : ': the chain is intact'}`,
      );
    }
    return this.ds.transaction(async (m) => {
      const rows: AuditRow[] = await m.query(`SELECT ${SELECT_COLUMNS} FROM audit_events WHERE seq = $1`, [input.seq]);
      const [row] = rows;
      if (!row) throw new AuditAcknowledgeError(`event ${input.seq} no longer exists`);
      const payload: BreakAckPayload = { brokenSeq: input.seq, kinds: open.map((b) => b.kind), sha256: rowFingerprint(toStored(row)) };
      const ack = await this.append(m, {
        actorId: input.actorId,
        actorLabel: input.actorLabel,
        action: AUDIT_BREAK_ACK_ACTION,
        entityType: 'audit_event',
        entityId: String(input.seq),
        after: payload as unknown as JsonValue,
        reason: input.reason,
      });
      return { ackSeq: ack.seq, acknowledged: open };
    });
  }

  /** Head of the chain, the last recorded checkpoint and when the first uncovered event occurred: index lookups only. */
  async checkpointState(): Promise<CheckpointState> {
    const rows: {
      seq: string | null;
      hash: string | null;
      occurred_at: Date | null;
      cp_seq: string | null;
      cp_written_at: Date | null;
      first_uncovered_at: Date | null;
    }[] = await this.ds.query(
      `SELECT h.seq, h.hash, h.occurred_at, c.seq AS cp_seq, c.written_at AS cp_written_at,
         (SELECT occurred_at FROM audit_events WHERE seq = COALESCE(c.seq, 0) + 1) AS first_uncovered_at
       FROM (SELECT 1) one
       LEFT JOIN LATERAL (SELECT seq, hash, occurred_at FROM audit_events ORDER BY seq DESC LIMIT 1) h ON true
       LEFT JOIN LATERAL (SELECT seq, written_at FROM audit_checkpoints ORDER BY seq DESC LIMIT 1) c ON true`,
    );
    const r = singleRow(rows, 'the checkpoint state');
    return {
      head: r.seq === null ? null : { seq: Number(r.seq), hash: r.hash as string, occurredAt: r.occurred_at as Date },
      lastCheckpoint: r.cp_seq === null ? null : { seq: Number(r.cp_seq), writtenAt: r.cp_written_at as Date },
      firstUncoveredAt: r.first_uncovered_at,
    };
  }

  /** Records a checkpoint written to the object store; recording one twice is not an error. */
  async recordCheckpoint(cp: { seq: number; hash: string; objectKey: string; locked: boolean; writtenAt: string }): Promise<void> {
    await this.ds.query(
      `INSERT INTO audit_checkpoints (seq, hash, object_key, locked, written_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (seq) DO NOTHING`,
      [cp.seq, cp.hash, cp.objectKey, cp.locked, cp.writtenAt],
    );
  }

  async recordedCheckpoints(): Promise<RecordedCheckpoint[]> {
    const rows: { seq: string; hash: string; object_key: string; written_at: Date }[] = await this.ds.query(
      `SELECT seq, hash, object_key, written_at FROM audit_checkpoints ORDER BY seq`,
    );
    return rows.map((r) => ({ seq: Number(r.seq), hash: r.hash, objectKey: r.object_key, writtenAt: r.written_at.toISOString() }));
  }
}
