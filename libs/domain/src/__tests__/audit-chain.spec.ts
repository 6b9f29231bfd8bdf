import { AuditChainVerifier, AuditEventBody, canonicalAuditText, canonicalJson, chainHash, GENESIS_HASH, redactForAudit, StoredAuditEvent, auditTime } from '../audit-chain';

function chain(n: number): StoredAuditEvent[] {
  const out: StoredAuditEvent[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const body: AuditEventBody = {
      time: `2026-11-27T01:00:0${i}.000001Z`, actorId: 'u1', actorLabel: 'alice', action: 'project.create',
      entityType: 'project', entityId: `p${i}`, projectId: `p${i}`, before: null, after: { slug: `s${i}`, n: i }, reason: null,
    };
    const canonical = canonicalAuditText(body);
    const hash = chainHash(prev, canonical);
    out.push({ ...body, seq: i, canonical, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

function verify(events: StoredAuditEvent[], checkpoints: { seq: number; hash: string; writtenAt: string }[] = []) {
  const v = new AuditChainVerifier();
  for (const e of events) if (!v.feed(e)) break;
  const bySeq = new Map(events.map((e) => [e.seq, e.hash]));
  return v.finish(checkpoints, (s) => bySeq.get(s));
}

describe('audit chain', () => {
  it('produces RFC 8785 text with sorted keys', () => {
    const text = canonicalAuditText(chain(1)[0]);
    expect(text.startsWith('{"action":"project.create","actor":{"id":"u1","label":"alice"},"after":{"n":1,"slug":"s1"}')).toBe(true);
  });

  it('accepts an intact chain', () => {
    const r = verify(chain(5));
    expect(r).toMatchObject({ ok: true, checkedEvents: 5, lastSeq: 5, firstBrokenSeq: null });
  });

  it('reports a changed field at its event', () => {
    const events = chain(5);
    events[2] = { ...events[2], actorLabel: 'mallory' };
    expect(verify(events)).toMatchObject({ ok: false, firstBrokenSeq: 3, checkedEvents: 2 });
  });

  it('reports a rewritten hash at its event', () => {
    const events = chain(5);
    events[3] = { ...events[3], hash: 'f'.repeat(64) };
    expect(verify(events)).toMatchObject({ ok: false, firstBrokenSeq: 4 });
  });

  it('reports a deleted middle event', () => {
    const events = chain(5);
    events.splice(1, 1);
    expect(verify(events)).toMatchObject({ ok: false, firstBrokenSeq: 3 });
  });

  it('catches a deleted tail with a checkpoint', () => {
    const events = chain(5);
    const cp = { seq: 5, hash: events[4].hash, writtenAt: 'x' };
    expect(verify(events.slice(0, 3), [cp])).toMatchObject({ ok: false, firstBrokenSeq: 4 });
    expect(verify(events, [cp])).toMatchObject({ ok: true, checkpointsChecked: 1 });
  });

  it('catches a full rewrite with a checkpoint', () => {
    const original = chain(3);
    const forged = chain(3).map((e) => e);
    const cp = { seq: 2, hash: 'a'.repeat(64), writtenAt: 'x' };
    expect(verify(forged, [cp])).toMatchObject({ ok: false, firstBrokenSeq: 2 });
    expect(verify(original, [{ seq: 2, hash: original[1].hash, writtenAt: 'x' }]).ok).toBe(true);
  });

  it('never keeps secrets or their hashes in before/after', () => {
    expect(redactForAudit({ username: 'a', passwordHash: 'x', nested: { secret: 's', token_hash: 'h', ok: 1 } })).toEqual({ username: 'a', nested: { ok: 1 } });
    expect(redactForAudit({ token: 'clp_x', tokenId: 't1', headers: { Authorization: 'Bearer x', cookie: 'c' } })).toEqual({ tokenId: 't1', headers: {} });
  });

  it('formats microsecond UTC times', () => {
    expect(auditTime(new Date('2026-11-27T01:02:03.123Z'), 456)).toBe('2026-11-27T01:02:03.123456Z');
  });
});

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and serialises numbers as ECMAScript does', () => {
    // Examples from RFC 8785 section 3.2.3 (key order) and 3.2.2.3 (numbers).
    expect(canonicalJson({ '\u20ac': 'Euro', '\r': 'CR', '1': 'One', '\u00fc': 'u', a: [1e21, 1e-7, -0, 333333333.3333333] }))
      .toBe('{"\\r":"CR","1":"One","a":[1e+21,1e-7,0,333333333.3333333],"ü":"u","€":"Euro"}');
  });
  it('refuses non-finite numbers', () => {
    expect(() => canonicalJson({ v: NaN })).toThrow(/NaN/);
  });
});
