import { Client } from 'pg';
import { AuditCheckpointStore } from '@caliper/storage';
import {
  ADMIN,
  Auth,
  errorCode,
  errorMessage,
  gql,
  gqlOk,
  login,
  newProject,
  newUser,
  startTestApi,
  TestApi,
} from '../testing/api-harness';

interface Page {
  auditEvents: {
    edges: {
      cursor: string;
      node: { seq: string; action: string; actorLabel: string; projectId: string | null; after: Record<string, unknown> | null };
    }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}
const EVENTS = `query($f: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $f, first: $first, after: $after) { edges { cursor node { seq action actorLabel projectId after } } pageInfo { hasNextPage endCursor } } }`;
const STATUS = `{ auditChainStatus { ok checkedEvents lastSeq brokenAtSeq problem checkpointsChecked checkpointsFound checkpointsExpected unacknowledgedBreaks breaks { seq kind problem storedHash expectedHash acknowledged { seq by reason } } } }`;

describe('audit log over GraphQL (real PostgreSQL and S3)', () => {
  let api: TestApi;
  let admin: Auth;
  let pg: Client;
  let projectId: string;

  beforeAll(async () => {
    api = await startTestApi();
    admin = await login(api, ADMIN.username, ADMIN.password);
    projectId = await newProject(api, admin, 'audit-a');
    await newProject(api, admin, 'audit-b');
    for (let i = 0; i < 3; i++) await newUser(api, admin, { projectId, roles: ['VIEWER'] });
    pg = new Client({ connectionString: api.db.ownerUrl });
    await pg.connect();
  }, 60000);
  afterAll(async () => {
    await pg.end();
    await api.close();
  });

  it('lists events newest first with cursor pagination and no gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Page = await gqlOk<Page>(api, admin, EVENTS, { first: 4, after });
      seen.push(...page.auditEvents.edges.map((e) => e.node.seq));
      if (!page.auditEvents.pageInfo.hasNextPage) break;
      after = page.auditEvents.pageInfo.endCursor;
    }
    const total = Number((await pg.query('SELECT count(*) FROM audit_events')).rows[0].count);
    expect(seen.length).toBe(total);
    expect(seen.map(Number)).toEqual([...seen.map(Number)].sort((a, b) => b - a));
    expect(new Set(seen).size).toBe(total);
  });

  it('filters by action prefix, actor, project and time', async () => {
    const projects = await gqlOk<Page>(api, admin, EVENTS, { f: { action: 'project.' } });
    expect(projects.auditEvents.edges.map((e) => e.node.action)).toEqual(['project.created', 'project.created']);
    const members = await gqlOk<Page>(api, admin, EVENTS, { f: { action: 'member.added', projectId } });
    expect(members.auditEvents.edges).toHaveLength(3);
    expect(members.auditEvents.edges.every((e) => e.node.projectId === projectId)).toBe(true);
    const byActor = await gqlOk<Page>(api, admin, EVENTS, { f: { actor: 'system:bootstrap' } });
    expect(byActor.auditEvents.edges.map((e) => e.node.action)).toEqual(['user.created']);
    const future = await gqlOk<Page>(api, admin, EVENTS, { f: { from: new Date(Date.now() + 60_000).toISOString() } });
    expect(future.auditEvents.edges).toHaveLength(0);
  });

  it('rejects a malformed cursor or page size with a message naming the argument', async () => {
    const r = await gql(api, admin, EVENTS, { first: 500 });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(errorMessage(r)).toMatch(/^first:/);
    expect(errorCode(await gql(api, admin, EVENTS, { after: 'abc' }))).toBe('BAD_USER_INPUT');
  });

  it("shows a project's PI its events only: not another project's, not the whole log", async () => {
    const pi = await newUser(api, admin, { projectId, roles: ['PI'] });
    const session = await login(api, pi.username, pi.password);
    const own = await gqlOk<Page>(api, session, EVENTS, { f: { projectId } });
    expect(own.auditEvents.edges.length).toBeGreaterThan(0);
    expect(own.auditEvents.edges.every((e) => e.node.projectId === projectId)).toBe(true);
    const other = await gqlOk<{ createProject: { id: string } }>(
      api,
      admin,
      `mutation { createProject(input: { slug: "pi-other", name: "Other" }) { id } }`,
    );
    expect(errorCode(await gql(api, session, EVENTS, { f: { projectId: other.createProject.id } }))).toBe('FORBIDDEN');
    expect(errorCode(await gql(api, session, EVENTS, {}))).toBe('FORBIDDEN');
    expect(errorCode(await gql(api, session, STATUS, {}))).toBe('FORBIDDEN');
  });

  it("shows a QA member their project's events only", async () => {
    const qa = await newUser(api, admin, { projectId, roles: ['QA'] });
    const session = await login(api, qa.username, qa.password);
    const own = await gqlOk<Page>(api, session, EVENTS, { f: { projectId } });
    expect(own.auditEvents.edges.length).toBeGreaterThan(0);
    expect(errorCode(await gql(api, session, EVENTS, {}))).toBe('FORBIDDEN');
  });

  it('reports an intact chain, then a deleted tail against the S3 checkpoint, then every break with the first one named', async () => {
    const ok = await gqlOk<{ auditChainStatus: { ok: boolean; checkedEvents: number; lastSeq: string } }>(api, admin, STATUS);
    expect(ok.auditChainStatus.ok).toBe(true);
    const lastSeq = Number(ok.auditChainStatus.lastSeq);
    expect(ok.auditChainStatus.checkedEvents).toBe(lastSeq);

    const checkpoints = new AuditCheckpointStore(api.objects.store, 'caliper-audit');
    const tail = (await pg.query('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1')).rows[0];
    await checkpoints.write({ seq: Number(tail.seq), hash: tail.hash });

    // A deleted tail: the chain that is left is internally consistent; only the checkpoint shows it.
    await pg.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    await pg.query('DELETE FROM audit_events WHERE seq = $1', [tail.seq]);
    const truncated = await gqlOk<{ auditChainStatus: { ok: boolean; checkpointsChecked: number; problem: string } }>(api, admin, STATUS);
    expect(truncated.auditChainStatus.ok).toBe(false);
    expect(truncated.auditChainStatus.problem).toMatch(/checkpoint/i);

    // A rewritten hash in the middle is reported at that event.
    await pg.query(`UPDATE audit_events SET hash = repeat('0', 64) WHERE seq = 3`);
    await pg.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
    type Status = {
      ok: boolean;
      brokenAtSeq: string;
      unacknowledgedBreaks: number;
      checkpointsFound: number;
      checkpointsExpected: number;
      breaks: { seq: string; kind: string; storedHash: string | null; acknowledged: unknown }[];
    };
    const broken = await gqlOk<{ auditChainStatus: Status }>(api, admin, STATUS);
    expect(broken.auditChainStatus).toMatchObject({
      ok: false,
      brokenAtSeq: '3',
      unacknowledgedBreaks: 3,
      checkpointsFound: 1,
      checkpointsExpected: 0,
    });
    // The rewritten hash, the next event's link to the old one, and the deleted tail: all listed, in seq order.
    expect(broken.auditChainStatus.breaks.map((b) => [b.seq, b.kind])).toEqual([
      ['3', 'hash_mismatch'],
      ['4', 'prev_hash_mismatch'],
      [String(tail.seq), 'checkpoint_past_end'],
    ]);
    expect(broken.auditChainStatus.breaks[0]).toMatchObject({ storedHash: '0'.repeat(64), acknowledged: null });
  });

  it('refuses UPDATE and DELETE of audit rows through SQL as the app role', async () => {
    const app = new Client({ connectionString: api.db.appUrl });
    await app.connect();
    try {
      await expect(app.query(`UPDATE audit_events SET reason = 'x' WHERE seq = 1`)).rejects.toThrow(/permission denied/);
      await expect(app.query(`DELETE FROM audit_events WHERE seq = 1`)).rejects.toThrow(/permission denied/);
    } finally {
      await app.end();
    }
  });
});
