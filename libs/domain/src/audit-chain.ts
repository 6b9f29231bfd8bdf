/**
 * The tamper-evident audit chain (DESIGN.md: AuditEvent). Each event is stored with its canonical
 * text (RFC 8785 JSON); hash = sha256(prev_hash || canonical); genesis prev_hash is 64 zeros.
 * The database trigger computes the hash on insert; this module rebuilds and checks the chain.
 */
import { createHash } from 'node:crypto';
import type { AuditAction } from './audit-actions';
import { InvalidTextError, textProblem } from './text-check';

export const GENESIS_HASH = '0'.repeat(64);

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface AuditEventBody {
  /** UTC with microseconds, e.g. 2026-11-27T01:02:03.123456Z */
  time: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string | null;
  projectId: string | null;
  before: JsonValue | null;
  after: JsonValue | null;
  reason: string | null;
}

export interface StoredAuditEvent extends AuditEventBody {
  seq: number;
  canonical: string;
  prevHash: string;
  hash: string;
}

/**
 * RFC 8785 (JCS) serialisation: ECMAScript JSON.stringify for primitives (which is what JCS
 * specifies), object keys sorted by UTF-16 code units, no whitespace. Non-finite numbers are
 * refused, and so is any string or key holding a lone UTF-16 surrogate (JCS requires I-JSON,
 * which forbids them) or U+0000 (the database cannot store it): such text would be stored
 * differently from what the hash covers.
 */
export function canonicalJson(value: JsonValue): string {
  return serialise(value, true, '$');
}

function serialise(value: JsonValue, strict: boolean, path: string): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'string') {
    if (strict) {
      const problem = textProblem(value);
      if (problem) throw new InvalidTextError(path, problem, 'canonical JSON cannot hold the string at');
    }
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('canonical JSON cannot hold NaN or Infinity');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => serialise(v, strict, `${path}[${i}]`)).join(',')}]`;
  const members: string[] = [];
  for (const k of Object.keys(value).sort()) {
    const v = value[k];
    if (v !== undefined)
      members.push(`${serialise(k, strict, `${path} (key ${JSON.stringify(k)})`)}:${serialise(v, strict, `${path}.${k}`)}`);
  }
  return `{${members.join(',')}}`;
}

function auditTextObject(body: AuditEventBody): { [key: string]: JsonValue } {
  return {
    action: body.action,
    actor: { id: body.actorId, label: body.actorLabel },
    after: body.after,
    before: body.before,
    entity: { id: body.entityId, type: body.entityType },
    project: body.projectId,
    reason: body.reason,
    time: body.time,
  };
}

/** The canonical text of an event; throws InvalidTextError for text the database would not store as given. */
export function canonicalAuditText(body: AuditEventBody): string {
  return canonicalJson(auditTextObject(body));
}

export function chainHash(prevHash: string, canonical: string): string {
  return createHash('sha256')
    .update(prevHash + canonical, 'utf8')
    .digest('hex');
}

/** Formats a time as UTC with microseconds; `micros` are the microseconds within the millisecond. */
export function auditTime(date: Date, micros = 0): string {
  const iso = date.toISOString(); // 2026-11-27T01:02:03.123Z
  return `${iso.slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}

/** Keys whose values must never appear in before/after (secrets or hashes of them). */
/** Keys whose values are secrets or derived from them: never written to the audit log. */
const SECRET_KEY =
  /(password|secret|token_hash|secretHash|passwordHash|hash|credential|^token$|accessToken|apiToken|bearer|authorization|cookie)/i;

/** Removes secret-bearing keys recursively so before/after can be logged safely. */
export function redactForAudit(value: JsonValue | null): JsonValue | null {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactForAudit(v) as JsonValue);
  const out: { [key: string]: JsonValue } = {};
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_KEY.test(k)) continue;
    out[k] = redactForAudit(v) as JsonValue;
  }
  return out;
}

export interface AuditCheckpoint {
  seq: number;
  hash: string;
  writtenAt: string;
}

/** A checkpoint as the database recorded it when the worker wrote it (table audit_checkpoints). */
export interface RecordedCheckpoint extends AuditCheckpoint {
  objectKey: string;
}

/** The action of the event an admin appends to acknowledge a break (`caliper audit acknowledge-break`). */
export const AUDIT_BREAK_ACK_ACTION = 'audit.break_acknowledged' satisfies AuditAction;

/**
 * What can be wrong. Row breaks (at an event that exists) can be acknowledged by an admin;
 * checkpoint problems cannot: they mean evidence outside the database is gone or disagrees.
 */
export type ChainBreakKind =
  /** events before this one are missing (seq gap) */
  | 'events_missing'
  /** prev_hash does not equal the stored hash of the event before */
  | 'prev_hash_mismatch'
  /** the stored hash is not sha256(prev_hash || canonical text) */
  | 'hash_mismatch'
  /** the stored columns differ from the canonical text the hash covers */
  | 'canonical_mismatch'
  /** a checkpoint is past the end of the chain: the tail was deleted */
  | 'checkpoint_past_end'
  /** the event no longer has the hash a checkpoint recorded, or a checkpoint object and its database record disagree */
  | 'checkpoint_mismatch'
  /** the database records a checkpoint whose object is gone from the object store */
  | 'checkpoint_missing'
  /** events older than the checkpoint deadline that no checkpoint covers */
  | 'checkpoint_overdue';

export const ROW_BREAK_KINDS: readonly ChainBreakKind[] = ['events_missing', 'prev_hash_mismatch', 'hash_mismatch', 'canonical_mismatch'];

export interface BreakAcknowledgement {
  /** seq of the audit.break_acknowledged event */
  seq: number;
  by: string;
  reason: string | null;
  time: string;
}

export interface ChainBreak {
  /** The event where the break shows (for a deleted tail: the first deleted seq). */
  seq: number;
  kind: ChainBreakKind;
  problem: string;
  /** The hash column of the event, when it exists. */
  storedHash: string | null;
  /** Row breaks: sha256(prev_hash || canonical text) recomputed; checkpoint breaks: the checkpoint's hash. */
  expectedHash: string | null;
  /** Set when an admin acknowledged this break (its kind, at this seq) and the row is still exactly as it was then. */
  acknowledged: BreakAcknowledgement | null;
}

export interface ChainReport {
  /** True when every break (if any) is acknowledged. */
  ok: boolean;
  /** Events walked, broken ones included. */
  checkedEvents: number;
  lastSeq: number;
  lastHash: string;
  /** Every break in seq order, acknowledged ones included. */
  breaks: ChainBreak[];
  unacknowledgedBreaks: number;
  /** The first unacknowledged break, for one-line reports. */
  firstBrokenSeq: number | null;
  problem: string | null;
  /** Checkpoint objects that match the chain. */
  checkpointsChecked: number;
  /** Checkpoint objects read from the object store; null when checkpoints were not checked. */
  checkpointsFound: number | null;
  /** Checkpoints the database records as written (each must still be in the object store); null when not checked. */
  checkpointsExpected: number | null;
}

/** Sha256s that identify a row's state: an acknowledgement applies only while the row is unchanged. */
export interface RowFingerprint {
  /** The row's hash column. */
  stored: string;
  /** sha256(prev_hash || canonical) over the stored canonical text. */
  recomputed: string;
  /** The row's prev_hash column. */
  prevLink: string;
  /** sha256 of the canonical text rebuilt from the row's columns. */
  columns: string;
}

export function rowFingerprint(event: StoredAuditEvent): RowFingerprint {
  return {
    stored: event.hash,
    recomputed: chainHash(event.prevHash, event.canonical),
    prevLink: event.prevHash,
    columns: createHash('sha256')
      .update(serialise(auditTextObject(event), false, '$'), 'utf8')
      .digest('hex'),
  };
}

/** The `after` of an audit.break_acknowledged event. */
export interface BreakAckPayload {
  brokenSeq: number;
  kinds: ChainBreakKind[];
  sha256: RowFingerprint;
}

function parseAck(after: JsonValue | null): BreakAckPayload | null {
  if (!after || typeof after !== 'object' || Array.isArray(after)) return null;
  const { brokenSeq, kinds, sha256 } = after;
  if (typeof brokenSeq !== 'number' || !Array.isArray(kinds) || !sha256 || typeof sha256 !== 'object' || Array.isArray(sha256)) return null;
  const fp = sha256 as { [k: string]: JsonValue };
  const hex = (v: JsonValue | undefined) => (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? v : null);
  const [stored, recomputed, prevLink, columns] = [hex(fp.stored), hex(fp.recomputed), hex(fp.prevLink), hex(fp.columns)];
  if (!stored || !recomputed || !prevLink || !columns) return null;
  return {
    brokenSeq,
    kinds: kinds.filter((k): k is ChainBreakKind => typeof k === 'string' && ROW_BREAK_KINDS.includes(k as ChainBreakKind)),
    sha256: { stored, recomputed, prevLink, columns },
  };
}

const sameFingerprint = (a: RowFingerprint, b: RowFingerprint) =>
  a.stored === b.stored && a.recomputed === b.recomputed && a.prevLink === b.prevLink && a.columns === b.columns;

/** Which top-level fields of the canonical text differ from the columns, e.g. `reason: "left \ud800 group" signed, "left \ufffd group" stored`. */
function describeFieldDifference(event: StoredAuditEvent): string {
  let signed: { [key: string]: JsonValue };
  try {
    signed = JSON.parse(event.canonical) as { [key: string]: JsonValue };
  } catch {
    return 'the canonical text is not JSON';
  }
  const columns = auditTextObject(event);
  const fields = [...new Set([...Object.keys(signed), ...Object.keys(columns)])].sort();
  const diffs: string[] = [];
  for (const f of fields) {
    const a = signed[f] === undefined ? 'absent' : serialise(signed[f], false, '$');
    const b = columns[f] === undefined ? 'absent' : serialise(columns[f], false, '$');
    if (a !== b)
      diffs.push(`${f}: ${a.length > 120 ? `${a.slice(0, 120)}…` : a} signed, ${b.length > 120 ? `${b.slice(0, 120)}…` : b} stored`);
  }
  return diffs.length ? diffs.join('; ') : 'the field order or encoding differs';
}

export interface VerifierOptions {
  /**
   * Events that occurred before this instant must be covered by a checkpoint (the worker writes
   * one within the checkpoint deadline of any event). Null: coverage not checked.
   */
  coverBefore?: Date | null;
}

/**
 * The worker checkpoints the head once the chain has been quiet for `quietSeconds`, and at
 * least every `intervalSeconds` while events keep coming; `CHECKPOINT_GRACE_SECONDS` absorbs its
 * poll period, job latency and a worker restart. Events older than this must be covered.
 */
export const CHECKPOINT_GRACE_SECONDS = 60;
export function checkpointDeadlineSeconds(intervalSeconds: number, quietSeconds: number): number {
  return Math.max(intervalSeconds, quietSeconds) + CHECKPOINT_GRACE_SECONDS;
}

/**
 * Walks events in seq order (possibly in pages: keep feeding the same verifier) and records
 * every break, not only the first: after a broken event it re-anchors on that event's stored
 * hash and carries on, so one bad row never hides what follows it. `finish` adds the
 * checkpoint evidence and applies the admins' acknowledgements found in the chain.
 */
export class AuditChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  private checked = 0;
  private readonly breaks: ChainBreak[] = [];
  private readonly fingerprints = new Map<number, RowFingerprint>();
  private readonly acks = new Map<number, { payload: BreakAckPayload; ack: BreakAcknowledgement }>();
  private lastSeqBeforeCover = 0;

  constructor(private readonly options: VerifierOptions = {}) {}

  /** Checks one event; true when it is intact. Never stops: call it for every event. */
  feed(event: StoredAuditEvent): boolean {
    const found: ChainBreak[] = [];
    const recomputed = chainHash(event.prevHash, event.canonical);
    const add = (kind: ChainBreakKind, problem: string) =>
      found.push({ seq: event.seq, kind, problem, storedHash: event.hash, expectedHash: recomputed, acknowledged: null });
    if (event.seq !== this.expectedSeq) {
      add(
        'events_missing',
        event.seq > this.expectedSeq
          ? `event${event.seq - this.expectedSeq > 1 ? `s ${this.expectedSeq}..${event.seq - 1} are` : ` ${this.expectedSeq} is`} missing before event ${event.seq}`
          : `event ${event.seq} comes after event ${this.expectedSeq - 1}: seq out of order`,
      );
    } else if (event.prevHash !== this.prevHash) {
      add(
        'prev_hash_mismatch',
        `prev_hash of event ${event.seq} (${event.prevHash}) is not the stored hash of event ${event.seq - 1} (${this.prevHash})`,
      );
    }
    if (recomputed !== event.hash)
      add('hash_mismatch', `stored hash of event ${event.seq} (${event.hash}) is not sha256(prev_hash || canonical text) = ${recomputed}`);
    let fromColumns: string | null;
    try {
      fromColumns = canonicalAuditText(event);
    } catch {
      fromColumns = null;
    }
    if (fromColumns !== event.canonical)
      add(
        'canonical_mismatch',
        `stored fields of event ${event.seq} differ from the canonical text its hash covers (${describeFieldDifference(event)})`,
      );

    this.checked += 1;
    this.expectedSeq = Math.max(this.expectedSeq, event.seq + 1);
    this.prevHash = event.hash; // re-anchor on what is stored, broken or not
    if (this.options.coverBefore && Date.parse(event.time) < this.options.coverBefore.getTime()) this.lastSeqBeforeCover = event.seq;
    if (found.length) {
      this.breaks.push(...found);
      this.fingerprints.set(event.seq, rowFingerprint(event));
      return false;
    }
    if (event.action === AUDIT_BREAK_ACK_ACTION) {
      const payload = parseAck(event.after);
      if (payload && payload.brokenSeq < event.seq) {
        this.acks.set(payload.brokenSeq, {
          payload,
          ack: { seq: event.seq, by: event.actorLabel, reason: event.reason, time: event.time },
        });
      }
    }
    return true;
  }

  /** The fingerprint of a broken row seen so far (what an acknowledgement must record). */
  fingerprintOf(seq: number): RowFingerprint | undefined {
    return this.fingerprints.get(seq);
  }

  /**
   * Compares the chain with the checkpoints: those in the object store must match it, and those
   * the database records as written must still be in the object store. `evidence` null: not
   * checked (the chain alone). `hashAt` answers the stored hash of any checkpointed seq.
   */
  finish(
    evidence: { objects: readonly AuditCheckpoint[]; recorded: readonly RecordedCheckpoint[] } | null,
    hashAt: (seq: number) => string | undefined,
  ): ChainReport {
    const lastSeq = this.expectedSeq - 1;
    let checkpointsChecked = 0;
    const checkpointBreaks: ChainBreak[] = [];
    if (evidence) {
      const objects = [...evidence.objects].sort((a, b) => a.seq - b.seq);
      const bySeq = new Map(objects.map((c) => [c.seq, c]));
      let covered = 0;
      const last = objects.filter((c) => c.seq > lastSeq).at(-1);
      if (last) {
        checkpointBreaks.push({
          seq: lastSeq + 1,
          kind: 'checkpoint_past_end',
          storedHash: null,
          expectedHash: last.hash,
          acknowledged: null,
          problem: `checkpoint at event ${last.seq} (${last.writtenAt}) is past the end of the chain (${lastSeq}): events were deleted`,
        });
      }
      for (const cp of objects) {
        if (cp.seq > lastSeq) continue;
        const stored = hashAt(cp.seq);
        if (stored !== cp.hash) {
          checkpointBreaks.push({
            seq: cp.seq,
            kind: 'checkpoint_mismatch',
            storedHash: stored ?? null,
            expectedHash: cp.hash,
            acknowledged: null,
            problem:
              stored === undefined
                ? `event ${cp.seq}, recorded in the checkpoint of ${cp.writtenAt}, is missing: events were deleted`
                : `event ${cp.seq} no longer has the hash recorded in the checkpoint of ${cp.writtenAt}: the chain was rewritten`,
          });
          continue;
        }
        checkpointsChecked += 1;
        covered = Math.max(covered, cp.seq);
      }
      for (const rec of [...evidence.recorded].sort((a, b) => a.seq - b.seq)) {
        const obj = bySeq.get(rec.seq);
        if (!obj) {
          checkpointBreaks.push({
            seq: rec.seq,
            kind: 'checkpoint_missing',
            storedHash: hashAt(rec.seq) ?? null,
            expectedHash: rec.hash,
            acknowledged: null,
            problem: `checkpoint of event ${rec.seq} written at ${rec.writtenAt} (object ${rec.objectKey}) is recorded in the database but missing from the object store: it was deleted or hidden by a delete marker`,
          });
        } else if (obj.hash !== rec.hash) {
          checkpointBreaks.push({
            seq: rec.seq,
            kind: 'checkpoint_mismatch',
            storedHash: rec.hash,
            expectedHash: obj.hash,
            acknowledged: null,
            problem: `checkpoint object of event ${rec.seq} holds hash ${obj.hash} but the database recorded ${rec.hash} when it was written: one of them was altered`,
          });
        }
      }
      if (this.options.coverBefore && this.lastSeqBeforeCover > covered) {
        checkpointBreaks.push({
          seq: covered + 1,
          kind: 'checkpoint_overdue',
          storedHash: null,
          expectedHash: null,
          acknowledged: null,
          problem: `no checkpoint in the object store covers events ${covered + 1}..${this.lastSeqBeforeCover}, though event ${this.lastSeqBeforeCover} occurred before ${this.options.coverBefore.toISOString()}: the worker writes one soon after every event, so checkpoints were deleted or the worker is not running`,
        });
      }
    }

    for (const b of this.breaks) {
      const entry = this.acks.get(b.seq);
      const fp = this.fingerprints.get(b.seq);
      if (entry && fp && entry.payload.kinds.includes(b.kind) && sameFingerprint(entry.payload.sha256, fp)) b.acknowledged = entry.ack;
    }
    const breaks = [...this.breaks, ...checkpointBreaks].sort((a, b) => a.seq - b.seq);
    const open = breaks.filter((b) => !b.acknowledged);
    return {
      ok: open.length === 0,
      checkedEvents: this.checked,
      lastSeq,
      lastHash: this.prevHash,
      breaks,
      unacknowledgedBreaks: open.length,
      firstBrokenSeq: open[0]?.seq ?? null,
      problem: open[0]?.problem ?? null,
      checkpointsChecked,
      checkpointsFound: evidence ? evidence.objects.length : null,
      checkpointsExpected: evidence ? evidence.recorded.length : null,
    };
  }
}
