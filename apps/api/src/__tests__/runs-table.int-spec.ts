/**
 * The runs table's server side on the real API: GraphQL run search (MLflow filter grammar, order
 * by any column with NULLs last, by a metric's best value following the project's direction,
 * keyset cursors, totals), the column keys, and the CSV export of the same table over REST (RFC
 * 4180, formula guard, authorisation). Injection attempts go
 * through the HTTP endpoints, not only the parser.
 */
import type { Principal } from '@caliper/server-kit';
import { TrackingService } from '../tracking/tracking.service';
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
  rest,
  startTestApi,
  TestApi,
} from '../testing/api-harness';

interface Row {
  runId: string;
  name: string;
}
interface Page {
  totalCount: number;
  edges: { cursor: string; node: Row }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const EXPERIMENT_RUNS = `query($id: ID!, $first: Int, $after: String, $filter: String, $orderBy: [String!]) {
  experiment(id: $id) { runs(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount edges { cursor node { runId name } } pageInfo { hasNextPage endCursor } } } }`;

/** The runs of `spec` (name → params, metrics, tags, status, duration in minutes). */
const SPEC: {
  name: string;
  lr?: string;
  loss?: number;
  acc?: number;
  site?: string;
  status: 'finished' | 'failed' | 'running';
  minutes?: number;
  note?: string;
}[] = [
  { name: 'a', lr: '0.01', loss: 0.3, acc: 0.8, site: 'north', status: 'finished', minutes: 30 },
  { name: 'b', lr: '0.1', loss: 0.2, acc: 0.85, site: 'south', status: 'finished', minutes: 10 },
  { name: 'c', lr: '0.001', loss: 0.4, site: 'north', status: 'failed', minutes: 5 },
  { name: 'd', lr: '0.01', loss: 0.1, acc: 0.9, site: 'north', status: 'finished', minutes: 60, note: '=HYPERLINK("http://x","y")' },
  { name: 'e', lr: 'auto', loss: 0.25, acc: 0.85, status: 'running' },
  { name: 'f', status: 'finished', minutes: 1, note: 'has, "quotes"\nand a line' },
];

describe('the runs table over GraphQL and CSV (real API, PostgreSQL)', () => {
  let api: TestApi;
  let session: Auth;
  let outsider: Auth;
  let tracking: TrackingService;
  let experimentId: string;
  let otherExperimentId: string;
  const uuid = new Map<string, string>();
  let username: string;

  beforeAll(async () => {
    api = await startTestApi();
    const admin = await login(api, ADMIN.username, ADMIN.password);
    const projectId = await newProject(api, admin, 'table-a');
    const otherProject = await newProject(api, admin, 'table-b');
    const researcher = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    username = researcher.username;
    const stranger = await newUser(api, admin, { projectId: otherProject, roles: ['RESEARCHER'] });
    session = await login(api, researcher.username, researcher.password);
    outsider = await login(api, stranger.username, stranger.password);
    tracking = api.app.get(TrackingService);
    const who: Principal = {
      method: 'session',
      sessionId: 'runs-table-test',
      user: { id: researcher.id, username: researcher.username, displayName: researcher.username, globalRole: null },
    };
    experimentId = (await tracking.createExperiment(who, projectId, 'sweep', [])).id;
    otherExperimentId = (await tracking.createExperiment(who, projectId, 'other', [])).id;
    const t0 = Date.UTC(2026, 10, 1, 8, 0, 0);
    for (const [i, s] of SPEC.entries()) {
      const run = await tracking.createRun(who, { experimentId, name: s.name, startTime: t0 + i * 60_000 });
      uuid.set(s.name, run.uuid);
      await tracking.logBatch(who, run.uuid, {
        params: [...(s.lr ? [{ key: 'lr', value: s.lr }] : []), ...(s.note ? [{ key: 'note', value: s.note }] : [])],
        tags: s.site ? [{ key: 'site', value: s.site }] : [],
        metrics: [
          ...(s.loss !== undefined ? [{ key: 'loss', value: s.loss, timestamp: t0, step: 1 }] : []),
          ...(s.acc !== undefined ? [{ key: 'acc', value: s.acc, timestamp: t0, step: 1 }] : []),
          { key: 'system/cpu_utilization_percentage', value: 50, timestamp: t0, step: 0 },
        ],
      });
      if (s.status !== 'running')
        await tracking.updateRun(who, run.uuid, { status: s.status, endTime: t0 + i * 60_000 + (s.minutes ?? 0) * 60_000 });
    }
    const other = await tracking.createRun(who, { experimentId: otherExperimentId, name: 'z', startTime: t0 - 60_000 });
    uuid.set('z', other.uuid);
    await tracking.logBatch(who, other.uuid, {
      params: [{ key: 'epochs', value: '3' }],
      tags: [{ key: 'owner', value: 'x' }],
      metrics: [{ key: 'val_loss', value: 1, timestamp: t0, step: 0 }],
    });
  }, 90_000);
  afterAll(() => api.close());

  /** Run names in run id order: how ties are broken. */
  const byRunId = (...runs: string[]) => runs.sort((x, y) => (uuid.get(x)! < uuid.get(y)! ? -1 : 1));
  const names = (p: Page) => p.edges.map((e) => e.node.name);
  async function all(vars: Record<string, unknown>, first = 2): Promise<{ names: string[]; totals: number[] }> {
    const out: string[] = [];
    const totals: number[] = [];
    let after: string | null = null;
    for (;;) {
      const r: { experiment: { runs: Page } } = await gqlOk(api, session, EXPERIMENT_RUNS, { id: experimentId, first, after, ...vars });
      out.push(...names(r.experiment.runs));
      totals.push(r.experiment.runs.totalCount);
      if (!r.experiment.runs.pageInfo.hasNextPage) return { names: out, totals };
      after = r.experiment.runs.pageInfo.endCursor;
    }
  }

  it('filters with the MLflow grammar and orders by a metric, NULLs last and ties by run id, across pages', async () => {
    const desc = await all({ filter: "metrics.loss < 0.35 and params.lr != '0.1'", orderBy: ['metrics.acc DESC'] });
    expect(desc.totals.every((t) => t === 3)).toBe(true);
    expect(desc.names).toEqual(['d', 'e', 'a']);
    expect((await all({ orderBy: ['metrics.acc ASC'] })).names).toEqual(['a', ...byRunId('b', 'e'), 'd', ...byRunId('c', 'f')]);
  });

  it('orders params numerically when they are numbers (then as text), and by duration and name', async () => {
    expect((await all({ orderBy: ['params.lr ASC'] })).names).toEqual(['c', ...byRunId('a', 'd'), 'b', 'e', 'f']);
    expect((await all({ orderBy: ['params.lr DESC'] }, 10)).names).toEqual(['b', ...byRunId('a', 'd'), 'c', 'e', 'f']);
    expect((await all({ orderBy: ['attributes.duration DESC'] })).names).toEqual(['d', 'a', 'b', 'c', 'f', 'e']);
    expect((await all({ orderBy: ['attributes.run_name DESC'] })).names).toEqual(['f', 'e', 'd', 'c', 'b', 'a']);
    expect((await all({})).names).toEqual(['f', 'e', 'd', 'c', 'b', 'a']);
  });

  it('expresses the quick filters (status, user, tag) in the grammar', async () => {
    expect((await all({ filter: "attributes.status = 'FINISHED' and tags.site = 'north'" })).names).toEqual(['d', 'a']);
    expect((await all({ filter: `attributes.user_id = '${username}' and attributes.status = 'RUNNING'` })).names).toEqual(['e']);
    expect((await all({ filter: "attributes.user_id = 'somebody-else'" })).names).toEqual([]);
  });

  it('offers the keys of an experiment and of a project, system metrics included', async () => {
    const r = await gqlOk<{ experiment: { runKeys: unknown }; project: { runKeys: unknown; runs: Page } }>(
      api,
      session,
      `query($id: ID!) { experiment(id: $id) { runKeys { params metrics tags } } project(slug: "table-a") { runKeys { params metrics tags } runs(first: 50, orderBy: ["attributes.start_time ASC"]) { totalCount edges { node { name } } } } }`,
      { id: experimentId },
    );
    const keys = r.experiment.runKeys as { params: string[]; metrics: string[]; tags: string[] };
    expect(keys.params).toEqual(['lr', 'note']);
    expect(keys.metrics).toEqual(['acc', 'loss', 'system/cpu_utilization_percentage']);
    expect(keys.tags).toContain('site');
    expect(keys.tags).not.toContain('owner');
    expect(r.project.runKeys).toEqual(
      expect.objectContaining({
        params: ['epochs', 'lr', 'note'],
        metrics: ['acc', 'loss', 'system/cpu_utilization_percentage', 'val_loss'],
      }),
    );
    expect(r.project.runs.totalCount).toBe(7);
    expect(names(r.project.runs)).toEqual(['z', 'a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('counts the groups of a param or tag over every matching run, in the table order for the key, runs without it last', async () => {
    const GROUPS = `query($id: ID!, $by: String!, $filter: String) { experiment(id: $id) { runGroups(by: $by, filter: $filter) { groups { value count } truncated } } }`;
    const groups = async (by: string, filter?: string) =>
      (await gqlOk<{ experiment: { runGroups: unknown } }>(api, session, GROUPS, { id: experimentId, by, filter })).experiment.runGroups;
    // Numbers by value (0.001 < 0.01 < 0.1, not as text), then text, then the run without lr.
    expect(await groups('params.lr')).toEqual({
      groups: [
        { value: '0.001', count: 1 },
        { value: '0.01', count: 2 },
        { value: '0.1', count: 1 },
        { value: 'auto', count: 1 },
        { value: null, count: 1 },
      ],
      truncated: false,
    });
    expect(await groups('tags.site', "attributes.status = 'FINISHED'")).toEqual({
      groups: [
        { value: 'north', count: 2 },
        { value: 'south', count: 1 },
        { value: null, count: 1 },
      ],
      truncated: false,
    });
    expect(await groups('params.`lr`', "params.lr = '0.01'' OR ''1''=''1'")).toEqual({ groups: [], truncated: false });
    // The rows ordered by the same key come in the groups' order.
    expect((await all({ orderBy: ['params.lr ASC'] })).names).toEqual(['c', ...byRunId('a', 'd'), 'b', 'e', 'f']);
    const project = await gqlOk<{ project: { runGroups: { groups: unknown[] } } }>(
      api,
      session,
      `{ project(slug: "table-a") { runGroups(by: "params.epochs") { groups { value count } } } }`,
    );
    expect(project.project.runGroups.groups).toEqual([
      { value: '3', count: 1 },
      { value: null, count: 6 },
    ]);
    for (const [by, message] of [
      ['metrics.loss', /^by: group by a param or a tag/],
      ['params.lr; DROP TABLE runs', /^by: /],
      ['', /^by: group by a param or a tag/],
    ] as const) {
      const r = await gql(api, session, GROUPS, { id: experimentId, by });
      expect({ by, code: errorCode(r) }).toEqual({ by, code: 'BAD_USER_INPUT' });
      expect(errorMessage(r)).toMatch(message);
    }
    expect(errorMessage(await gql(api, session, GROUPS, { id: experimentId, by: 'params.lr', filter: 'params.lr =' }))).toMatch(
      /^filter: /,
    );
    const foreign = await gql(api, outsider, GROUPS, { id: experimentId, by: 'params.lr' });
    expect(errorCode(foreign)).toBe('NOT_FOUND');
  });

  it('refuses bad filters, orders and cursors with the argument named, and keeps injection strings as data', async () => {
    const bad = await gql(api, session, EXPERIMENT_RUNS, { id: experimentId, filter: "params.lr = '0.01'; DROP TABLE runs; --" });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(errorMessage(bad)).toMatch(/^filter: /);
    const badOrder = await gql(api, session, EXPERIMENT_RUNS, { id: experimentId, orderBy: ['metrics.loss SIDEWAYS'] });
    expect(errorMessage(badOrder)).toMatch(/^orderBy: /);
    const first = await gqlOk<{ experiment: { runs: Page } }>(api, session, EXPERIMENT_RUNS, {
      id: experimentId,
      first: 1,
      orderBy: ['metrics.loss ASC'],
    });
    const foreign = await gql(api, session, EXPERIMENT_RUNS, {
      id: experimentId,
      after: first.experiment.runs.pageInfo.endCursor,
      orderBy: ['metrics.loss DESC'],
    });
    expect(errorMessage(foreign)).toMatch(/^after: /);
    expect((await all({ filter: "params.lr = '0.01'' OR ''1''=''1'" })).names).toEqual([]);
    expect((await all({ filter: "tags.site LIKE '%'' OR 1=1 --'" })).names).toEqual([]);
    expect((await all({ filter: 'metrics.`loss) OR (1=1` < 1' })).names).toEqual([]);
    const runsLeft = await gqlOk<{ experiment: { runs: Page } }>(api, session, EXPERIMENT_RUNS, { id: experimentId, first: 50 });
    expect(runsLeft.experiment.runs.totalCount).toBe(6);
  });

  it("orders by a metric's best value, best first by the project's direction for the key, NULLs last, across pages and in the CSV", async () => {
    // A project of its own (the other tests count table-a's runs), its PI logging and sorting.
    const admin = await login(api, ADMIN.username, ADMIN.password);
    const projectId = await newProject(api, admin, 'table-best');
    const p = await newUser(api, admin, { projectId, roles: ['PI'] });
    const pi = await login(api, p.username, p.password);
    const who: Principal = {
      method: 'session',
      sessionId: 'runs-table-best',
      user: { id: p.id, username: p.username, displayName: p.username, globalRole: null },
    };
    const bests = (await tracking.createExperiment(who, projectId, 'bests', [])).id;
    // loss: latest t .25 < q .3 < r .5 < p .8, but lowest p .2 < t .25 < q .3 < r .35, highest p .9 > r .6 > q .5 > t .25; s logs none.
    // dice (better high by its name): highest r .8 > p .7 > q .65 > s .5; t logs none.
    const SERIES: Record<string, Record<string, number[]>> = {
      p: { loss: [0.9, 0.2, 0.8], dice: [0.1, 0.7, 0.3] },
      q: { loss: [0.5, 0.4, 0.3], dice: [0.6, 0.65, 0.6] },
      r: { loss: [0.6, 0.35, 0.5], dice: [0.2, 0.8, 0.1] },
      s: { dice: [0.5] },
      t: { loss: [0.25] },
    };
    const t0 = Date.UTC(2026, 10, 2, 8, 0, 0);
    for (const [i, [name, series]] of Object.entries(SERIES).entries()) {
      const run = await tracking.createRun(who, { experimentId: bests, name, startTime: t0 + i * 60_000 });
      uuid.set(name, run.uuid);
      await tracking.logBatch(who, run.uuid, {
        metrics: Object.entries(series).flatMap(([key, values]) => values.map((value, step) => ({ key, value, timestamp: t0, step }))),
      });
    }
    const sorted = async (orderBy: string[], first = 2) => {
      const out: string[] = [];
      let after: string | null = null;
      for (;;) {
        const r: { experiment: { runs: Page } } = await gqlOk(api, pi, EXPERIMENT_RUNS, { id: bests, first, after, orderBy });
        out.push(...names(r.experiment.runs));
        if (!r.experiment.runs.pageInfo.hasNextPage) return out;
        after = r.experiment.runs.pageInfo.endCursor;
      }
    };
    const SET = `mutation($i: SetMetricDirectionInput!) { setMetricDirection(input: $i) { direction isDefault } }`;

    expect(await sorted(['metrics.loss ASC'])).toEqual(['t', 'q', 'r', 'p', 's']);
    expect(await sorted(['best.loss'])).toEqual(['p', 't', 'q', 'r', 's']);
    expect(await sorted(['best.`dice`'], 3)).toEqual(['r', 'p', 'q', 's', 't']);
    const csvNames = async () => {
      const q = new URLSearchParams({ experimentId: bests, orderBy: 'best.loss', columns: 'attributes.run_name' });
      const res = await rest(api, 'GET', `/api/v1/projects/table-best/runs.csv?${q.toString()}`, pi);
      expect(res.status).toBe(200);
      return (await res.text())
        .trimEnd()
        .split('\r\n')
        .slice(1)
        .map((l) => l.split(',')[1]);
    };
    expect(await csvNames()).toEqual(['p', 't', 'q', 'r', 's']);

    // The PI makes loss better high: its best is now its highest, sorted highest first; a cursor of the old order is refused.
    const before = await gqlOk<{ experiment: { runs: Page } }>(api, pi, EXPERIMENT_RUNS, { id: bests, first: 2, orderBy: ['best.loss'] });
    expect(
      (await gqlOk<{ setMetricDirection: unknown }>(api, pi, SET, { i: { projectId, key: 'loss', direction: 'MAX' } })).setMetricDirection,
    ).toEqual({ direction: 'MAX', isDefault: false });
    expect(await sorted(['best.loss'])).toEqual(['p', 'r', 'q', 't', 's']);
    expect(await csvNames()).toEqual(['p', 'r', 'q', 't', 's']);
    const stale = await gql(api, pi, EXPERIMENT_RUNS, {
      id: bests,
      first: 2,
      after: before.experiment.runs.pageInfo.endCursor,
      orderBy: ['best.loss'],
    });
    expect({ code: errorCode(stale), message: errorMessage(stale) }).toEqual({
      code: 'BAD_USER_INPUT',
      message: expect.stringMatching(/^after: must be a cursor from pageInfo.endCursor of the same filter and order/),
    });
    // Other projects keep the default for the same key: table-a's lowest loss first.
    expect((await all({ orderBy: ['best.loss'] }, 10)).names).toEqual(['d', 'b', 'e', 'a', 'c', 'f']);
    await gqlOk(api, pi, SET, { i: { projectId, key: 'loss', direction: null } });
    expect(await sorted(['best.loss'])).toEqual(['p', 't', 'q', 'r', 's']);

    // A best value takes no direction; keys are data, never SQL.
    const refused = await gql(api, pi, EXPERIMENT_RUNS, { id: bests, orderBy: ['best.loss DESC'] });
    expect({ code: errorCode(refused), message: errorMessage(refused) }).toEqual({
      code: 'BAD_USER_INPUT',
      message:
        "orderBy: Invalid order_by clause 'best.loss DESC': a best value sorts best first, the lowest or highest by the metric's direction in the project: nothing may follow the key, found 'DESC'.",
    });
    expect(await sorted(['best.`loss) DESC, (SELECT 1`'], 10)).toEqual(byRunId('p', 'q', 'r', 's', 't'));
  });

  const csv = (query: string, auth: Auth = session) => rest(api, 'GET', `/api/v1/projects/table-a/runs.csv?${query}`, auth);

  it('exports the table as CSV with its filter, order and columns, quoted and formula-guarded', async () => {
    const q = new URLSearchParams({ experimentId, filter: "metrics.loss < 0.35 and params.lr != '0.1'" });
    for (const c of [
      'attributes.run_name',
      'metrics.acc',
      'params.lr',
      'params.note',
      'tags.site',
      'attributes.status',
      'attributes.duration',
    ])
      q.append('columns', c);
    q.append('orderBy', 'metrics.acc DESC');
    const res = await csv(q.toString());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="table-a-runs.csv"');
    expect(await res.text()).toBe(
      'attributes.run_id,attributes.run_name,metrics.acc,params.lr,params.note,tags.site,attributes.status,attributes.duration\r\n' +
        `${uuid.get('d')},d,0.9,0.01,"'=HYPERLINK(""http://x"",""y"")",north,finished,3600000\r\n` +
        `${uuid.get('e')},e,0.85,auto,,,running,\r\n` +
        `${uuid.get('a')},a,0.8,0.01,,north,finished,1800000\r\n`,
    );
    const quoted = await (
      await csv(new URLSearchParams({ experimentId, filter: "attributes.run_name = 'f'", columns: 'params.note' }).toString())
    ).text();
    expect(quoted).toBe(`attributes.run_id,params.note\r\n${uuid.get('f')},"has, ""quotes""\nand a line"\r\n`);
  });

  it('exports every run of the project by default, with the default columns', async () => {
    const lines = (await (await csv('orderBy=attributes.start_time%20ASC')).text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'attributes.run_id,attributes.run_name,attributes.status,attributes.user,attributes.start_time,attributes.duration',
    );
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(['z', 'a', 'b', 'c', 'd', 'e', 'f']);
    expect(lines[2]).toBe(`${uuid.get('a')},a,finished,${username},2026-11-01T08:00:00.000Z,1800000`);
  });

  it('refuses bad export requests with the problem named, and callers without project.read', async () => {
    const bad = await csv(`filter=${encodeURIComponent("params.lr = '1' OR 1=1")}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^filter: /);
    expect((await csv('columns=attributes.password')).status).toBe(400);
    expect((await csv('experimentId=999999')).status).toBe(404);
    expect((await csv(`experimentId=${experimentId}`, null)).status).toBe(401);
    expect((await csv(`experimentId=${experimentId}`, outsider)).status).toBe(404);
    expect((await rest(api, 'GET', '/api/v1/projects/no-such/runs.csv', session)).status).toBe(404);
  });
});
