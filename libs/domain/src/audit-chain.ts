/**
 * The tamper-evident audit chain (DESIGN.md: AuditEvent). Each event is stored with its canonical
 * text (RFC 8785 JSON); hash = sha256(prev_hash || canonical); genesis prev_hash is 64 zeros.
 * The database trigger computes the hash on insert; this module rebuilds and checks the chain.
 */
import { createHash } from 'node:crypto';

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
 * specifies), object keys sorted by UTF-16 code units, no whitespace. Non-finite numbers refused.
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('canonical JSON cannot hold NaN or Infinity');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

export function canonicalAuditText(body: AuditEventBody): string {
  return canonicalJson({
    action: body.action,
    actor: { id: body.actorId, label: body.actorLabel },
    after: body.after,
    before: body.before,
    entity: { id: body.entityId, type: body.entityType },
    project: body.projectId,
    reason: body.reason,
    time: body.time,
  });
}

export function chainHash(prevHash: string, canonical: string): string {
  return createHash('sha256').update(prevHash + canonical, 'utf8').digest('hex');
}

/** Formats a time as UTC with microseconds; `micros` are the microseconds within the millisecond. */
export function auditTime(date: Date, micros = 0): string {
  const iso = date.toISOString(); // 2026-11-27T01:02:03.123Z
  return `${iso.slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}

/** Keys whose values must never appear in before/after (secrets or hashes of them). */
/** Keys whose values are secrets or derived from them: never written to the audit log. */
const SECRET_KEY = /(password|secret|token_hash|secretHash|passwordHash|hash|credential|^token$|accessToken|apiToken|bearer|authorization|cookie)/i;

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

export interface ChainReport {
  ok: boolean;
  checkedEvents: number;
  lastSeq: number;
  lastHash: string;
  firstBrokenSeq: number | null;
  problem: string | null;
  checkpointsChecked: number;
}

/**
 * Walks events in seq order (possibly in pages: pass the previous page's state) and reports the
 * first broken link: a gap in seq, a prev_hash that does not match, a hash that does not match
 * its canonical text, or canonical text that does not match the stored columns.
 */
export class AuditChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  private checked = 0;
  private broken: { seq: number; problem: string } | null = null;

  feed(event: StoredAuditEvent): boolean {
    if (this.broken) return false;
    const fail = (problem: string) => {
      this.broken = { seq: event.seq, problem };
      return false;
    };
    if (event.seq !== this.expectedSeq) return fail(`expected event ${this.expectedSeq} but found ${event.seq}: events are missing`);
    if (event.prevHash !== this.prevHash) return fail(`prev_hash of event ${event.seq} does not match the hash of event ${event.seq - 1}`);
    if (chainHash(event.prevHash, event.canonical) !== event.hash) return fail(`hash of event ${event.seq} does not match its content`);
    if (canonicalAuditText(event) !== event.canonical) return fail(`stored fields of event ${event.seq} differ from its signed canonical text`);
    this.checked += 1;
    this.expectedSeq = event.seq + 1;
    this.prevHash = event.hash;
    return true;
  }

  /** Checkpoints written earlier must still match: catches a deleted tail or a rewritten chain. */
  finish(checkpoints: readonly AuditCheckpoint[], hashAt: (seq: number) => string | undefined): ChainReport {
    let checkpointsChecked = 0;
    if (!this.broken) {
      for (const cp of [...checkpoints].sort((a, b) => a.seq - b.seq)) {
        const lastSeq = this.expectedSeq - 1;
        if (cp.seq > lastSeq) {
          this.broken = { seq: lastSeq + 1, problem: `checkpoint at event ${cp.seq} (${cp.writtenAt}) is past the end of the chain (${lastSeq}): events were deleted` };
          break;
        }
        if (hashAt(cp.seq) !== cp.hash) {
          this.broken = { seq: cp.seq, problem: `event ${cp.seq} no longer has the hash recorded in the checkpoint of ${cp.writtenAt}: the chain was rewritten` };
          break;
        }
        checkpointsChecked += 1;
      }
    }
    return {
      ok: this.broken === null,
      checkedEvents: this.checked,
      lastSeq: this.expectedSeq - 1,
      lastHash: this.prevHash,
      firstBrokenSeq: this.broken?.seq ?? null,
      problem: this.broken?.problem ?? null,
      checkpointsChecked,
    };
  }
}
