import {
  AUDIT_BREAK_ACK_ACTION,
  AuditChainVerifier,
  AuditEventBody,
  canonicalAuditText,
  canonicalJson,
  chainHash,
  checkpointDeadlineSeconds,
  GENESIS_HASH,
  redactForAudit,
  RecordedCheckpoint,
  rowFingerprint,
  StoredAuditEvent,
  auditTime,
  VerifierOptions,
} from '../audit-chain';
import { InvalidTextError } from '../text-check';

function event(i: number, over: Partial<AuditEventBody> = {}): AuditEventBody {
  return {
    time: `2026-11-27T01:00:${String(i).padStart(2, '0')}.000001Z`,
    actorId: 'u1',
    actorLabel: 'alice',
    action: 'project.create',
    entityType: 'project',
    entityId: `p${i}`,
    projectId: `p${i}`,
    before: null,
    after: { slug: `s${i}`, n: i },
    reason: null,
    ...over,
  };
}

/** Appends as the database trigger does: hash over the previous stored hash and the canonical text. */
function append(events: StoredAuditEvent[], body: AuditEventBody, canonical = canonicalAuditText(body)): StoredAuditEvent[] {
  const last = events.at(-1);
  const prev = last ? last.hash : GENESIS_HASH;
  events.push({
    ...body,
    seq: last ? last.seq + 1 : 1,
    canonical,
    prevHash: prev,
    hash: chainHash(prev, canonical),
  });
  return events;
}

function chain(n: number): StoredAuditEvent[] {
  const out: StoredAuditEvent[] = [];
  for (let i = 1; i <= n; i++) append(out, event(i));
  return out;
}

/** The fixture's element at `i` (negative from the end); a shorter fixture fails the test. */
function at<T>(list: readonly T[], i: number): T {
  const item = list.at(i);
  if (item === undefined) throw new Error(`the fixture has no element at ${i} (length ${list.length})`);
  return item;
}

type Cp = { seq: number; hash: string; writtenAt: string };

function verify(events: StoredAuditEvent[], checkpoints: Cp[] = [], recorded: RecordedCheckpoint[] = [], opts: VerifierOptions = {}) {
  const v = new AuditChainVerifier(opts);
  for (const e of events) v.feed(e);
  const bySeq = new Map(events.map((e) => [e.seq, e.hash]));
  return v.finish({ objects: checkpoints, recorded }, (s) => bySeq.get(s));
}

/** What `caliper audit acknowledge-break` appends for the broken row `broken`. */
function acknowledge(
  events: StoredAuditEvent[],
  broken: StoredAuditEvent,
  kinds: string[],
  reason = 'lone surrogate stored as U+FFFD (issue 10)',
) {
  return append(
    events,
    event(events.length + 1, {
      action: AUDIT_BREAK_ACK_ACTION,
      actorLabel: 'root-admin',
      entityType: 'audit_event',
      entityId: String(broken.seq),
      projectId: null,
      after: { brokenSeq: broken.seq, kinds, sha256: { ...rowFingerprint(broken) } },
      reason,
    }),
  );
}

/** The finding of issue 10: the hash covers "\ud800" (escaped in the canonical text), the column holds U+FFFD. */
function surrogateRow(events: StoredAuditEvent[]): StoredAuditEvent {
  const signed = event(events.length + 1, { reason: 'left \ud800 group' });
  // canonicalJson now refuses it: build the text as the old code did, JSON.stringify escaping the surrogate.
  const canonical = canonicalAuditText({ ...signed, reason: 'PLACEHOLDER' }).replace('"PLACEHOLDER"', JSON.stringify('left \ud800 group'));
  append(events, signed, canonical);
  const row = at(events, -1);
  row.reason = 'left \ufffd group'; // what PostgreSQL stored
  return row;
}

describe('audit chain', () => {
  it('produces RFC 8785 text with sorted keys', () => {
    const text = canonicalAuditText(at(chain(1), 0));
    expect(text.startsWith('{"action":"project.create","actor":{"id":"u1","label":"alice"},"after":{"n":1,"slug":"s1"}')).toBe(true);
  });

  it('accepts an intact chain', () => {
    const r = verify(chain(5));
    expect(r).toMatchObject({ ok: true, checkedEvents: 5, lastSeq: 5, firstBrokenSeq: null, breaks: [], unacknowledgedBreaks: 0 });
  });

  it('reports a changed field at its event, naming the field, and keeps verifying after it', () => {
    const events = chain(5);
    events[2] = { ...at(events, 2), actorLabel: 'mallory' };
    const r = verify(events);
    expect(r).toMatchObject({ ok: false, firstBrokenSeq: 3, checkedEvents: 5, lastSeq: 5, unacknowledgedBreaks: 1 });
    expect(r.breaks).toEqual([
      {
        seq: 3,
        kind: 'canonical_mismatch',
        storedHash: at(events, 2).hash,
        expectedHash: at(events, 2).hash,
        acknowledged: null,
        problem: expect.stringContaining('actor: {"id":"u1","label":"alice"} signed, {"id":"u1","label":"mallory"} stored'),
      },
    ]);
  });

  it('reports every break, not only the first: each kind at its event', () => {
    const events = chain(9);
    events[1] = { ...at(events, 1), after: { slug: 'forged' } }; // 2: columns edited
    events[3] = { ...at(events, 3), hash: 'f'.repeat(64) }; // 4: hash rewritten (5's link then points at the old hash)
    events.splice(6, 1); // 7 deleted
    const r = verify(events);
    expect(r.breaks.map((b) => [b.seq, b.kind])).toEqual([
      [2, 'canonical_mismatch'],
      [4, 'hash_mismatch'],
      [5, 'prev_hash_mismatch'],
      [8, 'events_missing'],
    ]);
    expect(r.breaks[1]).toMatchObject({ storedHash: 'f'.repeat(64), expectedHash: at(chain(9), 3).hash });
    expect(r.breaks[3]?.problem).toBe('event 7 is missing before event 8');
    expect(r).toMatchObject({
      ok: false,
      checkedEvents: 8,
      lastSeq: 9,
      lastHash: at(events, 7).hash,
      unacknowledgedBreaks: 4,
      firstBrokenSeq: 2,
    });
  });

  it('re-anchors on the stored hash of a broken row: a break does not cascade down the chain', () => {
    const events = chain(3);
    // Event 4 is written after a broken event 3 and links to its stored hash: it is intact.
    events[2] = { ...at(events, 2), actorLabel: 'mallory' };
    append(events, event(4));
    append(events, event(5));
    expect(verify(events).breaks.map((b) => b.seq)).toEqual([3]);
  });

  it('reports a rewritten hash at its event', () => {
    const events = chain(5);
    events[3] = { ...at(events, 3), hash: 'f'.repeat(64) };
    expect(verify(events)).toMatchObject({ ok: false, firstBrokenSeq: 4 });
  });

  it('reports the stored-as-U+FFFD reason of issue 10 as a columns/canonical mismatch and nothing after it', () => {
    const events = chain(2);
    surrogateRow(events);
    append(events, event(4));
    const r = verify(events);
    expect(r.breaks).toHaveLength(1);
    expect(r.breaks[0]).toMatchObject({
      seq: 3,
      kind: 'canonical_mismatch',
      problem: expect.stringContaining('reason: "left \\ud800 group" signed, "left \ufffd group" stored'),
    });
  });

  it('reports a deleted middle event', () => {
    const events = chain(5);
    events.splice(1, 1);
    expect(verify(events)).toMatchObject({ ok: false, firstBrokenSeq: 3 });
  });

  it('catches a deleted tail with a checkpoint', () => {
    const events = chain(5);
    const cp = { seq: 5, hash: at(events, 4).hash, writtenAt: 'x' };
    expect(verify(events.slice(0, 3), [cp])).toMatchObject({ ok: false, firstBrokenSeq: 4, breaks: [{ kind: 'checkpoint_past_end' }] });
    expect(verify(events, [cp])).toMatchObject({ ok: true, checkpointsChecked: 1, checkpointsFound: 1, checkpointsExpected: 0 });
  });

  it('fails when a checkpoint the database recorded is gone from the object store, or disagrees with it', () => {
    const events = chain(6);
    const cps = [2, 4, 6].map((seq) => ({
      seq,
      hash: at(events, seq - 1).hash,
      writtenAt: `t${seq}`,
      objectKey: `audit-checkpoints/${seq}.json`,
    }));
    expect(verify(events, cps, cps)).toMatchObject({ ok: true, checkpointsChecked: 3, checkpointsFound: 3, checkpointsExpected: 3 });
    const r = verify(events, [at(cps, 0), { ...at(cps, 2), hash: 'b'.repeat(64) }], cps);
    expect(r.breaks.map((b) => [b.seq, b.kind])).toEqual([
      [4, 'checkpoint_missing'],
      [6, 'checkpoint_mismatch'],
      [6, 'checkpoint_mismatch'],
    ]);
    expect(r.breaks[0]?.problem).toBe(
      'checkpoint of event 4 written at t4 (object audit-checkpoints/4.json) is recorded in the database but missing from the object store: it was deleted or hidden by a delete marker',
    );
    expect(r).toMatchObject({ ok: false, checkpointsChecked: 1, checkpointsFound: 2, checkpointsExpected: 3 });
  });

  it('fails when events older than the checkpoint deadline have no checkpoint (all checkpoints deleted)', () => {
    const events = chain(5); // events at 01:00:01 .. 01:00:05
    const coverBefore = new Date('2026-11-27T01:00:03.5Z');
    expect(verify(events, [], [], { coverBefore })).toMatchObject({
      ok: false,
      checkpointsFound: 0,
      breaks: [
        {
          seq: 1,
          kind: 'checkpoint_overdue',
          problem: expect.stringMatching(
            /^no checkpoint in the object store covers events 1\.\.3, though event 3 occurred before 2026-11-27T01:00:03\.500Z/,
          ),
        },
      ],
    });
    // A checkpoint at 3 covers them; 4 and 5 are recent enough to wait for the worker.
    expect(verify(events, [{ seq: 3, hash: at(events, 2).hash, writtenAt: 'x' }], [], { coverBefore }).ok).toBe(true);
    expect(verify(events, [{ seq: 2, hash: at(events, 1).hash, writtenAt: 'x' }], [], { coverBefore }).breaks).toMatchObject([
      { seq: 3, kind: 'checkpoint_overdue' },
    ]);
    expect(checkpointDeadlineSeconds(300, 10)).toBe(360);
  });

  it('skips every checkpoint check when given no evidence', () => {
    const r = new AuditChainVerifier({ coverBefore: new Date('2030-01-01T00:00:00Z') });
    for (const e of chain(2)) r.feed(e);
    expect(r.finish(null, () => undefined)).toMatchObject({ ok: true, checkpointsFound: null, checkpointsExpected: null });
  });

  it('catches a full rewrite with a checkpoint', () => {
    const original = chain(3);
    const forged = chain(3).map((e) => e);
    const cp = { seq: 2, hash: 'a'.repeat(64), writtenAt: 'x' };
    expect(verify(forged, [cp])).toMatchObject({ ok: false, firstBrokenSeq: 2 });
    expect(verify(original, [{ seq: 2, hash: at(original, 1).hash, writtenAt: 'x' }]).ok).toBe(true);
  });

  it('an intact acknowledgement by an admin marks the break acknowledged, still listed, and the chain ok', () => {
    const events = chain(2);
    const broken = surrogateRow(events);
    append(events, event(4));
    acknowledge(events, broken, ['canonical_mismatch']);
    const r = verify(events);
    expect(r).toMatchObject({ ok: true, unacknowledgedBreaks: 0, firstBrokenSeq: null, problem: null, lastSeq: 5 });
    expect(r.breaks).toEqual([
      expect.objectContaining({
        seq: 3,
        kind: 'canonical_mismatch',
        acknowledged: { seq: 5, by: 'root-admin', reason: 'lone surrogate stored as U+FFFD (issue 10)', time: at(events, 4).time },
      }),
    ]);
  });

  it('an acknowledgement does not cover a row changed after it, another kind, another seq, or a tampered acknowledgement', () => {
    const base = () => {
      const events = chain(2);
      const broken = surrogateRow(events);
      return { events, broken };
    };
    // The row was changed again after the acknowledgement: its fingerprint no longer matches.
    let { events, broken } = base();
    acknowledge(events, broken, ['canonical_mismatch']);
    events[2] = { ...at(events, 2), actorLabel: 'mallory' };
    expect(verify(events)).toMatchObject({ ok: false, firstBrokenSeq: 3 });
    // Acknowledging a kind the row does not have.
    ({ events, broken } = base());
    acknowledge(events, broken, ['hash_mismatch']);
    expect(verify(events).ok).toBe(false);
    // Acknowledging with another row's fingerprint.
    ({ events, broken } = base());
    acknowledge(events, at(events, 0), ['canonical_mismatch']);
    expect(verify(events).ok).toBe(false);
    // The acknowledgement event itself altered: it is a break of its own and acknowledges nothing.
    ({ events, broken } = base());
    acknowledge(events, broken, ['canonical_mismatch']);
    events[3] = { ...at(events, 3), reason: 'something else' };
    expect(verify(events).breaks.map((b) => [b.seq, b.acknowledged])).toEqual([
      [3, null],
      [4, null],
    ]);
  });

  it('checkpoint problems cannot be acknowledged', () => {
    const events = chain(3);
    const cp = { seq: 3, hash: 'c'.repeat(64), writtenAt: 'x' };
    const fake = { ...at(events, 2) };
    acknowledge(events, fake, ['checkpoint_mismatch']);
    expect(verify(events, [cp]).breaks).toMatchObject([{ seq: 3, kind: 'checkpoint_mismatch', acknowledged: null }]);
  });

  it('never keeps secrets or their hashes in before/after', () => {
    expect(redactForAudit({ username: 'a', passwordHash: 'x', nested: { secret: 's', token_hash: 'h', ok: 1 } })).toEqual({
      username: 'a',
      nested: { ok: 1 },
    });
    expect(redactForAudit({ token: 'clp_x', tokenId: 't1', headers: { Authorization: 'Bearer x', cookie: 'c' } })).toEqual({
      tokenId: 't1',
      headers: {},
    });
  });

  it('formats microsecond UTC times', () => {
    expect(auditTime(new Date('2026-11-27T01:02:03.123Z'), 456)).toBe('2026-11-27T01:02:03.123456Z');
  });
});

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and serialises numbers as ECMAScript does', () => {
    // Examples from RFC 8785 section 3.2.3 (key order) and 3.2.2.3 (numbers).
    expect(canonicalJson({ '\u20ac': 'Euro', '\r': 'CR', '1': 'One', '\u00fc': 'u', a: [1e21, 1e-7, -0, 333333333.3333333] })).toBe(
      '{"\\r":"CR","1":"One","a":[1e+21,1e-7,0,333333333.3333333],"ü":"u","€":"Euro"}',
    );
  });
  it('refuses non-finite numbers', () => {
    expect(() => canonicalJson({ v: NaN })).toThrow(/NaN/);
  });
  it('refuses a lone surrogate or U+0000 in a value or a key, naming where (the database would store something else)', () => {
    expect(() => canonicalJson({ reason: 'left \ud800 group' })).toThrow(InvalidTextError);
    expect(() => canonicalJson({ reason: 'left \ud800 group' })).toThrow(/\$\.reason holds a lone UTF-16 surrogate U\+D800/);
    expect(() => canonicalJson({ a: ['x', 'n\u0000'] })).toThrow(/\$\.a\[1\] holds U\+0000/);
    expect(() => canonicalJson({ ['\udc01']: 1 })).toThrow(/key "\\udc01"/);
    expect(() => canonicalAuditText(event(1, { actorLabel: '\ud800' }))).toThrow(InvalidTextError);
    expect(canonicalJson({ smile: '\ud83d\ude00' })).toBe('{"smile":"\u{1F600}"}');
  });
});
