/**
 * A metric's best value and its step (issue 12) against the real API and database: the extremes
 * latest_metrics keeps on both ingest paths (batches through COPY or ON CONFLICT, and MLflow's
 * one-point log_metric), non-finite points left out, ties at the earliest step, retries changing
 * nothing; the direction from the key's name, a project's override (audited, remembered, per
 * project, reset), and who may set it.
 */
import { Client } from 'pg';
import { TrackingService } from '../../tracking/tracking.service';
import { mlflow, mlflowFixture, MlflowFixture } from '../../__tests__/mlflow-api-helpers';
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

type Extreme = { value: number; step: number } | null;
type Best = { value: number; step: number; direction: string } | null;
type Metric = { key: string; value: number | null; nonFinite: string | null; step: number; min: Extreme; max: Extreme; best: Best };

const RUNS = `query($p: ID!, $r: [String!]!) { compareRuns(projectId: $p, runIds: $r) { runId latestMetrics { key value nonFinite step min { value step } max { value step } best { value step direction } } } }`;
const DIRECTIONS = `query($p: ID!, $k: [String!]!) { metricDirections(projectId: $p, keys: $k) { id key direction isDefault } }`;
const SET = `mutation($i: SetMetricDirectionInput!) { setMetricDirection(input: $i) { id key direction isDefault } }`;

describe('best metric values and metric directions', () => {
  let api: TestApi;
  let admin: Auth;
  let f: MlflowFixture;
  let researcher: Auth;
  let viewer: Auth;
  let tracking: TrackingService;
  let who: Parameters<TrackingService['logBatch']>[0];
  let experimentId: string;

  beforeAll(async () => {
    api = await startTestApi();
    admin = await login(api, ADMIN.username, ADMIN.password);
    f = await mlflowFixture(api, 'best-main', admin);
    const r = await newUser(api, admin, { projectId: f.projectId, roles: ['RESEARCHER'] });
    researcher = await login(api, r.username, r.password);
    const v = await newUser(api, admin, { projectId: f.projectId, roles: ['VIEWER'] });
    viewer = await login(api, v.username, v.password);
    tracking = api.app.get(TrackingService);
    who = { method: 'session', sessionId: 't', user: { id: r.id, username: r.username, displayName: r.username, globalRole: null } };
    experimentId = (await tracking.defaultExperiment(f.projectId)).id;
  }, 90000);
  afterAll(() => api.close());

  const metricsOf = async (runId: string, auth: Auth = researcher, projectId = f.projectId): Promise<Map<string, Metric>> => {
    const r = await gqlOk<{ compareRuns: { latestMetrics: Metric[] }[] }>(api, auth, RUNS, { p: projectId, r: [runId] });
    return new Map(r.compareRuns[0]!.latestMetrics.map((m) => [m.key, m]));
  };
  const points = (key: string, values: readonly number[], firstStep = 0) =>
    values.map((value, i) => ({ key, value, timestamp: 1000 + firstStep + i, step: firstStep + i }));

  it('keeps the lowest and highest finite value with the first step each was reached at, over batches (COPY and ON CONFLICT)', async () => {
    const run = await tracking.createRun(who, { experimentId, name: 'batches' });
    // loss: 0.9 0.5 0.7 0.3 0.3 (tie: step 3 stays) | then NaN, Infinity (not finite) and a higher value.
    await tracking.logBatch(who, run.uuid, {
      metrics: [...points('loss', [0.9, 0.5, 0.7, 0.3, 0.3]), ...points('dice', [0.2, 0.6, 0.6, 0.4])],
    });
    let m = await metricsOf(run.uuid);
    expect(m.get('loss')).toMatchObject({ value: 0.3, step: 4, min: { value: 0.3, step: 3 }, max: { value: 0.9, step: 0 } });
    expect(m.get('loss')!.best).toEqual({ value: 0.3, step: 3, direction: 'MIN' });
    expect(m.get('dice')).toMatchObject({ value: 0.4, step: 3, min: { value: 0.2, step: 0 }, max: { value: 0.6, step: 1 } });
    expect(m.get('dice')!.best).toEqual({ value: 0.6, step: 1, direction: 'MAX' });

    await tracking.logBatch(who, run.uuid, {
      metrics: [...points('loss', [NaN, Infinity, 0.4, -Infinity], 5), ...points('dice', [0.6, 0.8, 0.1], 9)],
    });
    m = await metricsOf(run.uuid);
    expect(m.get('loss')).toMatchObject({ nonFinite: '-Infinity', step: 8, min: { value: 0.3, step: 3 }, max: { value: 0.9, step: 0 } });
    expect(m.get('dice')).toMatchObject({ value: 0.1, step: 11, min: { value: 0.1, step: 11 }, max: { value: 0.8, step: 10 } });

    // A retried batch (every point stored: COPY fails, ON CONFLICT DO NOTHING) and an older point at an earlier step.
    await tracking.logBatch(who, run.uuid, { metrics: points('dice', [0.6, 0.8, 0.1], 9) });
    await tracking.logBatch(who, run.uuid, {
      metrics: [...points('dice', [0.6, 0.8, 0.1], 9), { key: 'dice', value: 0.8, timestamp: 5, step: 2 }],
    });
    m = await metricsOf(run.uuid);
    // 0.8 was reached at step 2 too, earlier than step 10: the best is the first step it was reached at.
    expect(m.get('dice')).toMatchObject({ value: 0.1, step: 11, min: { value: 0.1, step: 11 }, max: { value: 0.8, step: 2 } });

    // A series with no finite point has no extremes and no best.
    await tracking.logBatch(who, run.uuid, { metrics: points('grad_norm', [NaN, Infinity]) });
    m = await metricsOf(run.uuid);
    expect(m.get('grad_norm')).toMatchObject({ min: null, max: null, best: null });
  });

  it("keeps them on MLflow's log_metric path (one point per request) too", async () => {
    const run = (await mlflow(api, f.token, 'POST', 'runs/create', { experiment_id: '0' })).body.run.info.run_id as string;
    const series = [0.7, 0.9, 0.95, 0.93, 0.95];
    for (const [step, value] of series.entries()) {
      const res = await mlflow(api, f.token, 'POST', 'runs/log-metric', {
        run_id: run,
        key: 'val_acc',
        value,
        timestamp: 100 + step,
        step,
      });
      expect(res.status).toBe(200);
    }
    const nan = await mlflow(api, f.token, 'POST', 'runs/log-metric', {
      run_id: run,
      key: 'val_acc',
      value: 'NaN',
      timestamp: 200,
      step: 5,
    });
    expect(nan.status).toBe(200);
    const m = await metricsOf(run);
    expect(m.get('val_acc')).toMatchObject({ nonFinite: 'NaN', step: 5, min: { value: 0.7, step: 0 }, max: { value: 0.95, step: 2 } });
    expect(m.get('val_acc')!.best).toEqual({ value: 0.95, step: 2, direction: 'MAX' });
  });

  it('takes a direction set for a key in the project, remembers it, audits it, and goes back to the default on reset', async () => {
    const run = await tracking.createRun(who, { experimentId, name: 'override' });
    await tracking.logBatch(who, run.uuid, { metrics: [...points('hd95', [9, 4, 6]), ...points('lr', [0.1, 0.01, 0.001])] });
    const keys = ['hd95', 'lr', 'dice_et'];
    expect((await gqlOk<{ metricDirections: unknown[] }>(api, viewer, DIRECTIONS, { p: f.projectId, k: keys })).metricDirections).toEqual([
      { id: `${f.projectId}/hd95`, key: 'hd95', direction: 'MIN', isDefault: true },
      { id: `${f.projectId}/lr`, key: 'lr', direction: 'MIN', isDefault: true },
      { id: `${f.projectId}/dice_et`, key: 'dice_et', direction: 'MAX', isDefault: true },
    ]);
    expect((await metricsOf(run.uuid)).get('lr')!.best).toEqual({ value: 0.001, step: 2, direction: 'MIN' });

    const set = await gqlOk<{ setMetricDirection: unknown }>(api, researcher, SET, {
      i: { projectId: f.projectId, key: 'lr', direction: 'MAX' },
    });
    expect(set.setMetricDirection).toEqual({ id: `${f.projectId}/lr`, key: 'lr', direction: 'MAX', isDefault: false });
    // Setting it again changes nothing (one audit event).
    await gqlOk(api, researcher, SET, { i: { projectId: f.projectId, key: 'lr', direction: 'MAX' } });
    expect((await metricsOf(run.uuid, viewer)).get('lr')!.best).toEqual({ value: 0.1, step: 0, direction: 'MAX' });
    expect((await metricsOf(run.uuid)).get('hd95')!.best).toEqual({ value: 4, step: 1, direction: 'MIN' });
    expect((await gqlOk<{ metricDirections: unknown[] }>(api, viewer, DIRECTIONS, { p: f.projectId, k: ['lr'] })).metricDirections).toEqual(
      [{ id: `${f.projectId}/lr`, key: 'lr', direction: 'MAX', isDefault: false }],
    );

    // Another project keeps its own default for the same key.
    const otherId = await newProject(api, admin, 'best-other');
    expect((await gqlOk<{ metricDirections: unknown[] }>(api, admin, DIRECTIONS, { p: otherId, k: ['lr'] })).metricDirections).toEqual([
      { id: `${otherId}/lr`, key: 'lr', direction: 'MIN', isDefault: true },
    ]);

    const reset = await gqlOk<{ setMetricDirection: unknown }>(api, researcher, SET, {
      i: { projectId: f.projectId, key: 'lr', direction: null },
    });
    expect(reset.setMetricDirection).toEqual({ id: `${f.projectId}/lr`, key: 'lr', direction: 'MIN', isDefault: true });
    expect((await metricsOf(run.uuid)).get('lr')!.best).toEqual({ value: 0.001, step: 2, direction: 'MIN' });

    const events = (
      await gqlOk<{ auditEvents: { edges: { node: { action: string; entityId: string; before: unknown; after: unknown } }[] } }>(
        api,
        admin,
        `query($p: ID) { auditEvents(filter: { projectId: $p }, first: 100) { edges { node { action entityId before after } } } }`,
        { p: f.projectId },
      )
    ).auditEvents.edges
      .map((e) => e.node)
      .filter((n) => n.action.startsWith('metric_direction.'));
    expect(events.map((e) => [e.action, e.entityId, e.before, e.after]).sort()).toEqual(
      [
        ['metric_direction.set', 'lr', { key: 'lr', direction: 'min', isDefault: true }, { key: 'lr', direction: 'max', isDefault: false }],
        [
          'metric_direction.reset',
          'lr',
          { key: 'lr', direction: 'max', isDefault: false },
          { key: 'lr', direction: 'min', isDefault: true },
        ],
      ].sort(),
    );
  });

  it('refuses a viewer, a key no run of the project logged, and a direction that is not MIN or MAX', async () => {
    const forbidden = await gql(api, viewer, SET, { i: { projectId: f.projectId, key: 'loss', direction: 'MAX' } });
    expect(errorCode(forbidden)).toBe('FORBIDDEN');
    const unknown = await gql(api, researcher, SET, { i: { projectId: f.projectId, key: 'never_logged', direction: 'MAX' } });
    expect(errorCode(unknown)).toBe('BAD_USER_INPUT');
    expect(errorMessage(unknown)).toBe('key: "never_logged" is not a metric logged by a run of this project');
    const bad = await gql(api, researcher, SET, { i: { projectId: f.projectId, key: 'loss', direction: 'UP' } });
    expect(bad.errors?.length).toBeGreaterThan(0);
    const long = await gql(api, researcher, DIRECTIONS, { p: f.projectId, k: ['x'.repeat(251)] });
    expect(errorCode(long)).toBe('BAD_USER_INPUT');
    // Nothing was written by the refusals.
    const db = new Client({ connectionString: api.db.ownerUrl });
    await db.connect();
    try {
      const rows = await db.query(`SELECT key FROM metric_directions WHERE project_id = $1`, [f.projectId]);
      expect(rows.rows).toEqual([]);
    } finally {
      await db.end();
    }
  });
});
