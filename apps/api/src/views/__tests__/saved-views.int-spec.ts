/**
 * Saved views and the compare page's run read over GraphQL against the real API and database:
 * save, overwrite by name, list, delete (each audited), the forbidden role, and bad input.
 */
import { TrackingService } from '../../tracking/tracking.service';
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
} from '../../testing/api-harness';

const SAVE = `mutation($i: SaveViewInput!) { saveView(input: $i) { id name kind state { key value } createdBy { username } createdAt updatedAt } }`;
const LIST = `query($p: ID!, $k: SavedViewKind!) { savedViews(projectId: $p, kind: $k) { id name kind state { key value } } }`;
const DELETE = `mutation($i: DeleteViewInput!) { deleteView(input: $i) }`;
type Saved = {
  id: string;
  name: string;
  kind: string;
  state: { key: string; value: string }[];
  createdBy: { username: string } | null;
  createdAt: string;
  updatedAt: string;
};

describe('saved views over GraphQL', () => {
  let api: TestApi;
  let admin: Auth;
  let projectId: string;
  let otherProjectId: string;
  let researcher: Auth;
  let researcherName: string;
  let viewer: Auth;

  beforeAll(async () => {
    api = await startTestApi();
    admin = await login(api, ADMIN.username, ADMIN.password);
    projectId = await newProject(api, admin, 'views-main');
    otherProjectId = await newProject(api, admin, 'views-other');
    const r = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    researcherName = r.username;
    researcher = await login(api, r.username, r.password);
    const v = await newUser(api, admin, { projectId, roles: ['VIEWER'] });
    viewer = await login(api, v.username, v.password);
  }, 90000);
  afterAll(() => api.close());

  const auditOf = async (entityId: string) =>
    (
      await gqlOk<{ auditEvents: { edges: { node: { action: string; before: unknown; after: unknown } }[] } }>(
        api,
        admin,
        `query($p: ID) { auditEvents(filter: { projectId: $p }, first: 100) { edges { node { action entityId before after } } } }`,
        { p: projectId },
      )
    ).auditEvents.edges
      .map((e) => e.node as { action: string; entityId?: string; before: unknown; after: unknown })
      .filter((n) => n.entityId === entityId);

  it('saves a view, lists it, overwrites it by name and deletes it, auditing each write', async () => {
    const state = [
      { key: 'runs', value: 'a,b' },
      { key: 'metrics', value: 'loss' },
      { key: 'smooth', value: '0.6' },
    ];
    const first = (
      await gqlOk<{ saveView: Saved }>(api, researcher, SAVE, { i: { projectId, kind: 'COMPARE', name: '  Sweep A  ', state } })
    ).saveView;
    expect(first).toMatchObject({ name: 'Sweep A', kind: 'COMPARE', createdBy: { username: researcherName } });
    expect(first.state).toEqual([
      { key: 'metrics', value: 'loss' },
      { key: 'runs', value: 'a,b' },
      { key: 'smooth', value: '0.6' },
    ]);

    // The same name in the other kind is another view; a viewer may list them.
    await gqlOk(api, researcher, SAVE, {
      i: { projectId, kind: 'RUNS_TABLE', name: 'Sweep A', state: [{ key: 'filter', value: "params.lr = '0.1'" }] },
    });
    const listed = (await gqlOk<{ savedViews: Saved[] }>(api, viewer, LIST, { p: projectId, k: 'COMPARE' })).savedViews;
    expect(listed.map((v) => [v.id, v.name])).toEqual([[first.id, 'Sweep A']]);

    const second = (
      await gqlOk<{ saveView: Saved }>(api, researcher, SAVE, {
        i: { projectId, kind: 'COMPARE', name: 'Sweep A', state: [{ key: 'runs', value: 'c' }] },
      })
    ).saveView;
    expect(second.id).toBe(first.id);
    expect(second.state).toEqual([{ key: 'runs', value: 'c' }]);
    expect(second.createdAt).toBe(first.createdAt);
    expect(Date.parse(second.updatedAt)).toBeGreaterThanOrEqual(Date.parse(first.updatedAt));
    expect((await gqlOk<{ savedViews: Saved[] }>(api, researcher, LIST, { p: projectId, k: 'COMPARE' })).savedViews).toHaveLength(1);

    expect((await gqlOk<{ deleteView: boolean }>(api, researcher, DELETE, { i: { projectId, id: first.id } })).deleteView).toBe(true);
    // A retried delete finds nothing to do.
    expect((await gqlOk<{ deleteView: boolean }>(api, researcher, DELETE, { i: { projectId, id: first.id } })).deleteView).toBe(false);
    expect((await gqlOk<{ savedViews: Saved[] }>(api, researcher, LIST, { p: projectId, k: 'COMPARE' })).savedViews).toEqual([]);

    const events = await auditOf(first.id);
    expect(events.map((e) => e.action).sort()).toEqual(['view.created', 'view.deleted', 'view.updated']);
    const updated = events.find((e) => e.action === 'view.updated')!;
    expect(updated.before).toMatchObject({ name: 'Sweep A', state: { runs: 'a,b', metrics: 'loss', smooth: '0.6' } });
    expect(updated.after).toMatchObject({ name: 'Sweep A', state: { runs: 'c' } });
  });

  it('refuses saving and deleting to a viewer, and to members of another project', async () => {
    const r = await gql(api, viewer, SAVE, { i: { projectId, kind: 'COMPARE', name: 'v', state: [] } });
    expect(errorCode(r)).toBe('FORBIDDEN');
    const saved = (await gqlOk<{ saveView: Saved }>(api, researcher, SAVE, { i: { projectId, kind: 'COMPARE', name: 'keep', state: [] } }))
      .saveView;
    expect(errorCode(await gql(api, viewer, DELETE, { i: { projectId, id: saved.id } }))).toBe('FORBIDDEN');
    expect(errorCode(await gql(api, researcher, LIST, { p: otherProjectId, k: 'COMPARE' }))).toBe('FORBIDDEN');
    // An admin of the other project cannot delete this project's view by naming their own project.
    const o = await newUser(api, admin, { projectId: otherProjectId, roles: ['PI'] });
    const other = await login(api, o.username, o.password);
    expect(errorCode(await gql(api, other, DELETE, { i: { projectId: otherProjectId, id: saved.id } }))).toBe('NOT_FOUND');
    expect((await gqlOk<{ savedViews: Saved[] }>(api, viewer, LIST, { p: projectId, k: 'COMPARE' })).savedViews.map((v) => v.name)).toEqual(
      ['keep'],
    );
  });

  it('names what is wrong with bad input', async () => {
    const bad = async (input: Record<string, unknown>) => {
      const r = await gql(api, researcher, SAVE, { i: { projectId, kind: 'COMPARE', name: 'n', state: [], ...input } });
      expect(errorCode(r)).toBe('BAD_USER_INPUT');
      return errorMessage(r);
    };
    expect(await bad({ name: '' })).toMatch(/name must be 1 to 100 characters/);
    expect(await bad({ name: '   ' })).toMatch(/name: must not be blank/);
    expect(await bad({ name: 'x'.repeat(101) })).toMatch(/name must be 1 to 100/);
    expect(await bad({ state: [{ key: '1bad', value: 'v' }] })).toMatch(/key must be a URL parameter name/);
    expect(
      await bad({
        state: [
          { key: 'runs', value: 'a' },
          { key: 'runs', value: 'b' },
        ],
      }),
    ).toMatch(/state: names the parameter "runs" twice/);
    expect(await bad({ state: Array.from({ length: 41 }, (_, i) => ({ key: `k${i}`, value: 'v' })) })).toMatch(
      /state must have at most 40 entries/,
    );
    expect(await bad({ state: [{ key: 'runs', value: 'x'.repeat(8001) }] })).toMatch(/value must be at most 8000 characters/);
    // A malformed project id names no project: the guard answers bad input naming the argument (as for every project field).
    expect(await bad({ projectId: 'not-a-uuid' })).toMatch(/input\.projectId: is not a project id/);
    const series = await gql(
      api,
      researcher,
      `query { metricSeries(projectId: "1; DROP TABLE runs", runIds: ["x"], keys: ["loss"]) { bucketCount } }`,
    );
    expect(errorCode(series)).toBe('BAD_USER_INPUT');
    expect(errorMessage(series)).toMatch(/^projectId: is not a project id/);
    const k = await gql(api, researcher, SAVE, { i: { projectId, kind: 'SOMETHING', name: 'n', state: [] } });
    expect(errorMessage(k)).toMatch(/SavedViewKind/);
  });
});

describe('compareRuns over GraphQL', () => {
  let api: TestApi;
  let admin: Auth;

  beforeAll(async () => {
    api = await startTestApi();
    admin = await login(api, ADMIN.username, ADMIN.password);
  }, 90000);
  afterAll(() => api.close());

  it("returns the project's runs in the order asked and leaves out others", async () => {
    const projectId = await newProject(api, admin, 'cmp-runs');
    const otherId = await newProject(api, admin, 'cmp-runs-other');
    const u = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    await gqlOk(
      api,
      admin,
      `mutation($p: ID!, $u: String!) { addProjectMember(input: { projectId: $p, username: $u, roles: [RESEARCHER] }) { roles } }`,
      { p: otherId, u: u.username },
    );
    const session = await login(api, u.username, u.password);
    const tracking = api.app.get(TrackingService);
    const who = {
      method: 'session' as const,
      sessionId: 't',
      user: { id: u.id, username: u.username, displayName: u.username, globalRole: null },
    };
    const exp = await tracking.defaultExperiment(projectId);
    const otherExp = await tracking.defaultExperiment(otherId);
    const a = await tracking.createRun(who, { experimentId: exp.id, name: 'a' });
    const b = await tracking.createRun(who, { experimentId: exp.id, name: 'b' });
    const elsewhere = await tracking.createRun(who, { experimentId: otherExp.id, name: 'x' });
    await tracking.logBatch(who, b.uuid, {
      params: [{ key: 'lr', value: '0.1' }],
      metrics: [{ key: 'loss', value: 0.5, timestamp: 1, step: 3 }],
    });
    const q = `query($p: ID!, $r: [String!]!) { compareRuns(projectId: $p, runIds: $r) { runId name status params { key value } latestMetrics { key value step } } }`;
    const r = await gqlOk<{ compareRuns: { runId: string; name: string; params: unknown[]; latestMetrics: unknown[] }[] }>(
      api,
      session,
      q,
      {
        p: projectId,
        r: [b.uuid, elsewhere.uuid, a.uuid, b.uuid, '0'.repeat(32)],
      },
    );
    expect(r.compareRuns.map((x) => x.name)).toEqual(['b', 'a']);
    expect(r.compareRuns[0]).toMatchObject({
      params: [{ key: 'lr', value: '0.1' }],
      latestMetrics: [{ key: 'loss', value: 0.5, step: 3 }],
    });

    const tooMany = await gql(api, session, q, { p: projectId, r: Array.from({ length: 101 }, () => a.uuid) });
    expect(errorCode(tooMany)).toBe('BAD_USER_INPUT');
    expect(errorMessage(tooMany)).toMatch(/at most 100 runs/);
    const notId = await gql(api, session, q, { p: projectId, r: ["x' OR 1=1 --"] });
    expect(errorMessage(notId)).toMatch(/is not a run id/);
  });
});
