/**
 * Experiments, runs and metrics over GraphQL on the real API: runs are written through
 * TrackingService (the one write path) and read back as the web app reads them — paging,
 * non-finite metric values, logs, the default project, and refusals across projects.
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
  startTestApi,
  TestApi,
} from '../testing/api-harness';
import { defined } from '../testing/defined';

interface ExperimentRow {
  id: string;
  name: string;
  isDefault: boolean;
  runCount: number;
}
interface RunRow {
  runId: string;
  name: string;
  status: string;
  mlflowStatus: string;
  startTime: string | null;
  durationMs: number | null;
  user: { username: string } | null;
  params: { key: string; value: string }[];
  latestMetrics: { key: string; value: number | null; nonFinite: string | null; step: number }[];
}
interface RunsPage {
  experiment: {
    runs: { totalCount: number; edges: { cursor: string; node: RunRow }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  };
}
interface HistoryPage {
  run: {
    metricHistory: {
      key: string;
      steps: number[];
      timestamps: number[];
      values: (number | null)[];
      nonFinite: (string | null)[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };
}

const RUNS_PAGE = `query($id: ID!, $first: Int, $after: String) {
  experiment(id: $id) { runs(first: $first, after: $after) {
    totalCount
    edges { cursor node { runId name status mlflowStatus startTime durationMs user { username } params { key value } latestMetrics { key value nonFinite step } } }
    pageInfo { hasNextPage endCursor }
  } } }`;
const HISTORY_PAGE = `query($r: String!, $k: String!, $first: Int, $after: String) {
  run(runId: $r) { metricHistory(key: $k, first: $first, after: $after) { key steps timestamps values nonFinite pageInfo { hasNextPage endCursor } } } }`;

describe('tracking over GraphQL (real API, PostgreSQL)', () => {
  let api: TestApi;
  let admin: Auth;
  let tracking: TrackingService;
  let researcher: { id: string; username: string; password: string };
  let researcherSession: Auth;
  let projectA: string;
  let projectB: string;
  let experimentId: string;
  /** Runs of the experiment in the order the API must list them (newest first). */
  const expectedOrder: string[] = [];
  let mainRun: string;
  let childRun: string;

  const principalOf = (u: { id: string; username: string }): Principal => ({
    method: 'session',
    sessionId: 'tracking-graphql-test',
    user: { id: u.id, username: u.username, displayName: u.username, globalRole: null },
  });

  beforeAll(async () => {
    api = await startTestApi();
    admin = await login(api, ADMIN.username, ADMIN.password);
    projectA = await newProject(api, admin, 'trk-a');
    projectB = await newProject(api, admin, 'trk-b');
    researcher = await newUser(api, admin, { projectId: projectA, roles: ['RESEARCHER'] });
    researcherSession = await login(api, researcher.username, researcher.password);
    tracking = api.app.get(TrackingService);
    const who = principalOf(researcher);

    const experiment = await tracking.createExperiment(who, projectA, 'liver-unet', [
      { key: 'mlflow.note.content', value: 'U-Net baseline' },
    ]);
    experimentId = experiment.id;
    // Five runs, two sharing a start time (ordered by run id between them); no start time means now.
    const t0 = Date.UTC(2026, 10, 1, 8, 0, 0);
    const starts = [t0, t0 + 60000, t0 + 120000, t0 + 120000, null];
    const created = [];
    for (const [i, startTime] of starts.entries()) {
      created.push(
        await tracking.createRun(who, {
          experimentId,
          name: `fold-${i}`,
          startTime,
          gitCommit: 'a1b2c3d',
          gitRepo: 'https://git.example.org/liver',
          imageDigest: 'sha256:feed',
        }),
      );
    }
    const fold1 = defined(created[1], 'the run fold-1');
    mainRun = fold1.uuid;
    await tracking.logBatch(who, mainRun, {
      params: [
        { key: 'lr', value: '0.001' },
        { key: 'batch_size', value: '8' },
      ],
      tags: [{ key: 'team', value: 'hepatology' }],
      metrics: [
        { key: 'loss', value: 1.5, timestamp: t0 + 1000, step: 0 },
        { key: 'loss', value: NaN, timestamp: t0 + 2000, step: 1 },
        { key: 'loss', value: 0.75, timestamp: t0 + 3000, step: 2 },
        { key: 'loss', value: Infinity, timestamp: t0 + 4000, step: 3 },
        { key: 'loss', value: -Infinity, timestamp: t0 + 5000, step: 4 },
        { key: 'dice', value: 0.91, timestamp: t0 + 5000, step: 4 },
      ],
    });
    await tracking.logInputs(who, mainRun, [
      { kind: 'dataset', name: 'liver-ct-v3', digest: 'd1g35t', descriptor: { source_type: 'local' } },
    ]);
    await tracking.appendLogs(
      who,
      mainRun,
      Array.from({ length: 5 }, (_, i) => ({ ts: new Date(t0 + i * 1000), stream: i === 4 ? 'stderr' : 'stdout', line: `epoch ${i}` })),
    );
    await tracking.updateRun(who, mainRun, { status: 'finished', endTime: (fold1.startTime ?? 0) + 90_000 });
    const child = await tracking.createRun(who, { experimentId, name: 'fold-1-eval', startTime: t0 - 60000, parentRunUuid: mainRun });
    childRun = child.uuid;
    const byStart = [...created, child].sort((a, b) => b.startTime! - a.startTime! || (a.uuid < b.uuid ? -1 : 1));
    expectedOrder.push(...byStart.map((r) => r.uuid));
  }, 90000);
  afterAll(() => api.close());

  it("lists a project's experiments with run counts, the Default one first", async () => {
    const r = await gqlOk<{ project: { experiments: ExperimentRow[] } }>(
      api,
      researcherSession,
      `{ project(slug: "trk-a") { experiments { id name isDefault runCount } } }`,
    );
    expect(r.project.experiments).toEqual([
      expect.objectContaining({ name: 'Default', isDefault: true, runCount: 0 }),
      { id: experimentId, name: 'liver-unet', isDefault: false, runCount: 6 },
    ]);
  });

  it('pages through runs newest first with cursors, each row carrying status, user, params and latest metrics', async () => {
    const seen: RunRow[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: RunsPage = await gqlOk<RunsPage>(api, researcherSession, RUNS_PAGE, { id: experimentId, first: 2, after });
      expect(page.experiment.runs.totalCount).toBe(6);
      seen.push(...page.experiment.runs.edges.map((e) => e.node));
      pages++;
      if (!page.experiment.runs.pageInfo.hasNextPage) break;
      after = page.experiment.runs.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen.map((r) => r.runId)).toEqual(expectedOrder);
    const main = seen.find((r) => r.runId === mainRun)!;
    expect(main).toMatchObject({
      name: 'fold-1',
      status: 'FINISHED',
      mlflowStatus: 'FINISHED',
      durationMs: 90_000,
      user: { username: researcher.username },
    });
    expect(main.params).toEqual([
      { key: 'batch_size', value: '8' },
      { key: 'lr', value: '0.001' },
    ]);
    expect(main.latestMetrics).toEqual([
      { key: 'dice', value: 0.91, nonFinite: null, step: 4 },
      { key: 'loss', value: null, nonFinite: '-Infinity', step: 4 },
    ]);
    expect(seen[0]).toMatchObject({ name: 'fold-4', durationMs: null, status: 'RUNNING', mlflowStatus: 'RUNNING' });
    expect(seen.at(-1)?.name).toBe('fold-1-eval');
    expect(new Set(seen.slice(1, 3).map((r) => r.name))).toEqual(new Set(['fold-2', 'fold-3']));
  });

  it('refuses malformed paging arguments with the argument named', async () => {
    const badCursor = await gql(api, researcherSession, RUNS_PAGE, { id: experimentId, after: 'not-a-cursor' });
    expect(errorCode(badCursor)).toBe('BAD_USER_INPUT');
    expect(errorMessage(badCursor)).toMatch(/^after: /);
    expect(errorCode(await gql(api, researcherSession, RUNS_PAGE, { id: experimentId, first: 0 }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql(api, researcherSession, HISTORY_PAGE, { r: mainRun, k: 'loss', first: 100000 }))).toBe('BAD_USER_INPUT');
  });

  it('shows a run: info, code, params, tags, inputs, parent, and experiment', async () => {
    const r = await gqlOk<{ run: Record<string, unknown> }>(
      api,
      researcherSession,
      `query($r: String!) { run(runId: $r) {
      runId name status gitCommit gitRepo imageDigest artifactUri startTime endTime durationMs
      tags { key value } inputs { kind name digest descriptor }
      experiment { id name project { slug } }
      parentRun { runId }
    } }`,
      { r: childRun },
    );
    expect(r.run).toMatchObject({
      name: 'fold-1-eval',
      parentRun: { runId: mainRun },
      experiment: { id: experimentId, name: 'liver-unet', project: { slug: 'trk-a' } },
      gitCommit: null,
    });
    const main = await gqlOk<{ run: Record<string, unknown> }>(
      api,
      researcherSession,
      `query($r: String!) { run(runId: $r) {
      gitCommit gitRepo imageDigest startTime endTime tags { key value } inputs { kind name digest descriptor } parentRun { runId } } }`,
      { r: mainRun },
    );
    expect(main.run).toMatchObject({
      gitCommit: 'a1b2c3d',
      gitRepo: 'https://git.example.org/liver',
      imageDigest: 'sha256:feed',
      parentRun: null,
      startTime: '2026-11-01T08:01:00.000Z',
      endTime: '2026-11-01T08:02:30.000Z',
      inputs: [{ kind: 'dataset', name: 'liver-ct-v3', digest: 'd1g35t', descriptor: { source_type: 'local' } }],
    });
    expect(main.run.tags).toEqual(
      expect.arrayContaining([
        { key: 'team', value: 'hepatology' },
        { key: 'mlflow.runName', value: 'fold-1' },
      ]),
    );
  });

  it('returns metric history as parallel lists where NaN and ±Infinity survive as markers, across pages', async () => {
    const steps: number[] = [];
    const values: (number | null)[] = [];
    const nonFinite: (string | null)[] = [];
    const timestamps: number[] = [];
    let after: string | null = null;
    for (;;) {
      const page: HistoryPage = await gqlOk<HistoryPage>(api, researcherSession, HISTORY_PAGE, { r: mainRun, k: 'loss', first: 2, after });
      const h = page.run.metricHistory;
      expect([h.steps.length, h.timestamps.length, h.values.length]).toEqual([h.nonFinite.length, h.nonFinite.length, h.nonFinite.length]);
      steps.push(...h.steps);
      values.push(...h.values);
      nonFinite.push(...h.nonFinite);
      timestamps.push(...h.timestamps);
      if (!h.pageInfo.hasNextPage) break;
      after = h.pageInfo.endCursor;
    }
    expect(steps).toEqual([0, 1, 2, 3, 4]);
    expect(values).toEqual([1.5, null, 0.75, null, null]);
    expect(nonFinite).toEqual([null, 'NaN', null, 'Infinity', '-Infinity']);
    expect(defined(timestamps[1], 'a second timestamp') - defined(timestamps[0], 'a first timestamp')).toBe(1000);

    const none = await gqlOk<HistoryPage>(api, researcherSession, HISTORY_PAGE, { r: mainRun, k: 'never-logged' });
    expect(none.run.metricHistory).toMatchObject({ steps: [], values: [], pageInfo: { hasNextPage: false } });
  });

  it('pages through logs and keeps the cursor at the last line for polling', async () => {
    const q = `query($r: String!, $after: String) { run(runId: $r) { logs(first: 3, after: $after) { lines { line stream } pageInfo { hasNextPage endCursor } } } }`;
    type Logs = {
      run: { logs: { lines: { line: string; stream: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    };
    const first = await gqlOk<Logs>(api, researcherSession, q, { r: mainRun });
    expect(first.run.logs.lines.map((l) => l.line)).toEqual(['epoch 0', 'epoch 1', 'epoch 2']);
    expect(first.run.logs.pageInfo.hasNextPage).toBe(true);
    const second = await gqlOk<Logs>(api, researcherSession, q, { r: mainRun, after: first.run.logs.pageInfo.endCursor });
    expect(second.run.logs.lines).toEqual([
      { line: 'epoch 3', stream: 'stdout' },
      { line: 'epoch 4', stream: 'stderr' },
    ]);
    expect(second.run.logs.pageInfo.hasNextPage).toBe(false);
    const polled = await gqlOk<Logs>(api, researcherSession, q, { r: mainRun, after: second.run.logs.pageInfo.endCursor });
    expect(polled.run.logs).toEqual({ lines: [], pageInfo: { hasNextPage: false, endCursor: second.run.logs.pageInfo.endCursor } });
  });

  it('reads the tail of the log and back from it', async () => {
    const q = `query($r: String!, $before: String) { run(runId: $r) { logTail(last: 2, before: $before) { lines { line } hasEarlier earlierCursor pageInfo { endCursor } } } }`;
    type Tail = {
      run: {
        logTail: { lines: { line: string }[]; hasEarlier: boolean; earlierCursor: string | null; pageInfo: { endCursor: string | null } };
      };
    };
    const end = await gqlOk<Tail>(api, researcherSession, q, { r: mainRun });
    expect(end.run.logTail.lines.map((l) => l.line)).toEqual(['epoch 3', 'epoch 4']);
    expect(end.run.logTail.hasEarlier).toBe(true);
    const earlier = await gqlOk<Tail>(api, researcherSession, q, { r: mainRun, before: end.run.logTail.earlierCursor });
    expect(earlier.run.logTail.lines.map((l) => l.line)).toEqual(['epoch 1', 'epoch 2']);
    const first = await gqlOk<Tail>(api, researcherSession, q, { r: mainRun, before: earlier.run.logTail.earlierCursor });
    expect(first.run.logTail).toMatchObject({ lines: [{ line: 'epoch 0' }], hasEarlier: false });
    // Polling forward from the tail's end finds nothing new yet.
    const polled = await gqlOk<{ run: { logs: { lines: unknown[] } } }>(
      api,
      researcherSession,
      `query($r: String!, $a: String) { run(runId: $r) { logs(after: $a) { lines { line } } } }`,
      {
        r: mainRun,
        a: end.run.logTail.pageInfo.endCursor,
      },
    );
    expect(polled.run.logs.lines).toEqual([]);
    expect(errorCode(await gql(api, researcherSession, q, { r: mainRun, before: 'x' }))).toBe('BAD_USER_INPUT');
  });

  it('refuses a token of another project, and users who are not members', async () => {
    await gqlOk(
      api,
      admin,
      `mutation($p: ID!, $u: String!) { addProjectMember(input: { projectId: $p, username: $u, roles: [RESEARCHER] }) { roles } }`,
      { p: projectB, u: researcher.username },
    );
    const created = await gqlOk<{ createApiToken: { token: string } }>(
      api,
      researcherSession,
      `mutation($p: ID!) { createApiToken(input: { projectId: $p, name: "b-only", roles: [RESEARCHER] }) { token } }`,
      { p: projectB },
    );
    const tokenOfB = { bearer: created.createApiToken.token };
    // Unreadable answers as absent: NOT_FOUND, the same as for an id that does not exist.
    expect(errorCode(await gql(api, tokenOfB, `query($r: String!) { run(runId: $r) { name } }`, { r: mainRun }))).toBe('NOT_FOUND');
    expect(errorCode(await gql(api, tokenOfB, `query($r: String!) { run(runId: $r) { name } }`, { r: 'e'.repeat(32) }))).toBe('NOT_FOUND');
    expect(errorCode(await gql(api, tokenOfB, `query($id: ID!) { experiment(id: $id) { name } }`, { id: experimentId }))).toBe('NOT_FOUND');
    // The same person's session reaches the run: the token's project is what refused it.
    expect((await gql(api, researcherSession, `query($r: String!) { run(runId: $r) { name } }`, { r: mainRun })).errors).toBeUndefined();

    const outsider = await newUser(api, admin, { projectId: projectB, roles: ['VIEWER'] });
    const outsiderSession = await login(api, outsider.username, outsider.password);
    expect(errorCode(await gql(api, outsiderSession, `query($r: String!) { run(runId: $r) { name } }`, { r: mainRun }))).toBe('NOT_FOUND');
    expect(errorCode(await gql(api, outsiderSession, RUNS_PAGE, { id: experimentId }))).toBe('NOT_FOUND');
    expect(errorCode(await gql(api, admin, `{ run(runId: "0123456789abcdef0123456789abcdef") { name } }`))).toBe('NOT_FOUND');
    expect(errorCode(await gql(api, admin, `{ experiment(id: "987654") { name } }`))).toBe('NOT_FOUND');
  });

  it('sets the default project of the signed-in member only, and audits it', async () => {
    const me = `{ me { defaultProject { slug } } projects { slug isMyDefault } }`;
    type Me = { me: { defaultProject: { slug: string } | null }; projects: { slug: string; isMyDefault: boolean }[] };
    expect((await gqlOk<Me>(api, researcherSession, me)).me.defaultProject).toEqual({ slug: 'trk-a' });
    await gqlOk(api, researcherSession, `mutation($p: ID!) { setDefaultProject(projectId: $p) { slug } }`, { p: projectB });
    const after = await gqlOk<Me>(api, researcherSession, me);
    expect(after.me.defaultProject).toEqual({ slug: 'trk-b' });
    expect(after.projects.filter((p) => p.isMyDefault).map((p) => p.slug)).toEqual(['trk-b']);

    const audit = await gqlOk<{ auditEvents: { edges: { node: { actorLabel: string; after: unknown } }[] } }>(
      api,
      admin,
      `{ auditEvents(filter: { action: "user.default_project_set" }) { edges { node { actorLabel after } } } }`,
    );
    expect(audit.auditEvents.edges.map((e) => e.node)).toEqual([
      { actorLabel: researcher.username, after: { defaultProjectId: projectB } },
    ]);

    const stranger = await newProject(api, admin, 'trk-c');
    const refused = await gql(api, researcherSession, `mutation($p: ID!) { setDefaultProject(projectId: $p) { slug } }`, { p: stranger });
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(errorMessage(refused)).toContain('not a member of "trk-c"');
    expect(errorCode(await gql(api, researcherSession, `mutation { setDefaultProject(projectId: "nope") { slug } }`))).toBe(
      'BAD_USER_INPUT',
    );
    expect((await gqlOk<Me>(api, researcherSession, me)).me.defaultProject).toEqual({ slug: 'trk-b' });

    // Once the membership ends, the leftover default no longer names the project.
    await gqlOk(api, admin, `mutation($p: ID!, $u: ID!) { removeProjectMember(input: { projectId: $p, userId: $u }) }`, {
      p: projectB,
      u: researcher.id,
    });
    expect((await gqlOk<Me>(api, researcherSession, me)).me.defaultProject).toBeNull();
  });
});
