import type { Principal } from '@caliper/server-kit';
import { Client } from 'pg';
import { TrackingService } from '../tracking/tracking.service';
import { ADMIN, gqlOk, login, newProject, newUser, startTestApi, TestApi } from '../testing/api-harness';

/** The metric write path under concurrency: exact point counts, MLflow's latest-value rule, no lost updates. */
describe('metric ingest (real PostgreSQL)', () => {
  let api: TestApi;
  let tracking: TrackingService;
  let principal: Principal;
  let pg: Client;
  let experimentId: string;

  beforeAll(async () => {
    api = await startTestApi();
    const admin = await login(api, ADMIN.username, ADMIN.password);
    const projectId = await newProject(api, admin, 'ingest');
    const researcher = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    const me = await gqlOk<{ me: { user: { id: string } } }>(
      api,
      await login(api, researcher.username, researcher.password),
      '{ me { user { id } } }',
    );
    principal = {
      method: 'password',
      user: { id: me.me.user.id, username: researcher.username, displayName: researcher.username, globalRole: null },
    };
    tracking = api.app.get(TrackingService);
    experimentId = (await tracking.defaultExperiment(projectId)).id;
    pg = new Client({ connectionString: api.db.ownerUrl });
    await pg.connect();
  }, 60000);
  afterAll(async () => {
    await pg.end();
    await api.close();
  });

  const latest = async (runUuid: string) =>
    Object.fromEntries(
      (await tracking.getRun(runUuid)).latestMetrics.map((m) => [m.key, { step: m.step, timestamp: m.timestamp, value: m.value }]),
    );

  it('keeps the latest point by step, then timestamp, then value, whatever order batches arrive in', async () => {
    const run = await tracking.createRun(principal, { experimentId });
    await tracking.logBatch(principal, run.uuid, { metrics: [{ key: 'loss', value: 0.5, step: 10, timestamp: 1000 }] });
    await tracking.logBatch(principal, run.uuid, { metrics: [{ key: 'loss', value: 0.9, step: 3, timestamp: 5000 }] });
    expect((await latest(run.uuid)).loss).toEqual({ step: 10, timestamp: 1000, value: 0.5 });
    await tracking.logBatch(principal, run.uuid, {
      metrics: [
        { key: 'loss', value: 0.4, step: 10, timestamp: 2000 },
        { key: 'loss', value: 0.3, step: 10, timestamp: 1500 },
      ],
    });
    expect((await latest(run.uuid)).loss).toEqual({ step: 10, timestamp: 2000, value: 0.4 });
    await tracking.logBatch(principal, run.uuid, { metrics: [{ key: 'loss', value: NaN, step: 10, timestamp: 2000 }] });
    expect((await latest(run.uuid)).loss?.value).toBeNaN();
  });

  it('stores exactly the distinct points when four senders write one run at once, retries included', async () => {
    const run = await tracking.createRun(principal, { experimentId });
    const batch = (sender: number, part: number) =>
      Array.from({ length: 500 }, (_, i) => {
        const step = part * 2000 + sender * 500 + i;
        return [
          { key: 'loss', value: 1 / (step + 1), step, timestamp: 1_700_000_000_000 + step },
          { key: 'acc', value: step / 8000, step, timestamp: 1_700_000_000_000 + step },
        ];
      }).flat();
    const sends = [];
    for (let part = 0; part < 4; part++)
      for (let sender = 0; sender < 4; sender++)
        sends.push(tracking.logBatch(principal, run.uuid, { metrics: batch(sender, part) }, { enforceMlflowLimits: false }));
    const written = (await Promise.all(sends)).reduce((n, r) => n + r.pointsWritten, 0);
    expect(written).toBe(16_000);
    // A retried batch writes nothing.
    expect((await tracking.logBatch(principal, run.uuid, { metrics: batch(3, 3) }, { enforceMlflowLimits: false })).pointsWritten).toBe(0);
    const stored = await pg.query(`SELECT count(*)::int AS n FROM metric_points p JOIN runs r ON r.id = p.run_id WHERE r.uuid = $1`, [
      run.uuid,
    ]);
    expect(stored.rows[0].n).toBe(16_000);
    expect((await latest(run.uuid)).loss?.step).toBe(7999);
    expect((await latest(run.uuid)).acc).toEqual({ step: 7999, timestamp: 1_700_000_007_999, value: 7999 / 8000 });
  });

  it('writes only the new points of a batch that repeats stored points or holds a point twice (the COPY fast path falls back)', async () => {
    const run = await tracking.createRun(principal, { experimentId });
    const point = (step: number, value = step / 10) => ({ key: 'loss', value, step, timestamp: 1_700_000_000_000 + step });
    expect(
      (await tracking.logBatch(principal, run.uuid, { metrics: [point(1), point(2), point(3, NaN), point(4, -Infinity)] })).pointsWritten,
    ).toBe(4);
    // Two stored points (NaN included: MLflow's identity counts NaN equal to NaN), two new ones, one of them twice.
    expect(
      (await tracking.logBatch(principal, run.uuid, { metrics: [point(2), point(3, NaN), point(5), point(6), point(6)] })).pointsWritten,
    ).toBe(2);
    const rows = await pg.query(
      `SELECT p.step::int, p.value::text FROM metric_points p JOIN runs r ON r.id = p.run_id WHERE r.uuid = $1 ORDER BY p.step`,
      [run.uuid],
    );
    expect(rows.rows).toEqual([
      { step: 1, value: '0.1' },
      { step: 2, value: '0.2' },
      { step: 3, value: 'NaN' },
      { step: 4, value: '-Infinity' },
      { step: 5, value: '0.5' },
      { step: 6, value: '0.6' },
    ]);
    expect((await latest(run.uuid)).loss?.step).toBe(6);
  });

  it('writes small batches for a resolved run in one statement with the same results: latest rule, duplicates, tiers, concurrency, lifecycle', async () => {
    const run = await tracking.createRun(principal, { experimentId });
    const point = (step: number, value = step / 10, timestamp = 1_700_000_000_000 + step) => ({ key: 'loss', value, step, timestamp });
    // 200 single-point requests from four senders at once (log_metric's pattern), each point sent twice.
    const sends = [];
    for (let sender = 0; sender < 4; sender++) {
      for (let i = 0; i < 50; i++)
        sends.push(
          tracking.logBatch(principal, run, { metrics: [point(sender * 50 + i)] }),
          tracking.logBatch(principal, run, { metrics: [point(sender * 50 + i)] }),
        );
    }
    const written = (await Promise.all(sends)).reduce((n, r) => n + r.pointsWritten, 0);
    expect(written).toBe(200);
    await tracking.logBatch(principal, run, { metrics: [point(150, 99, 1)] }); // an earlier step: stored, but not the latest
    expect((await latest(run.uuid)).loss).toEqual({ step: 199, timestamp: 1_700_000_000_199, value: 19.9 });
    expect((await tracking.logBatch(principal, run, { metrics: [point(500, NaN)] })).pointsWritten).toBe(1);
    expect((await latest(run.uuid)).loss?.value).toBeNaN();
    const rows = await pg.query(`SELECT count(*)::int AS n FROM metric_points p JOIN runs r ON r.id = p.run_id WHERE r.uuid = $1`, [
      run.uuid,
    ]);
    expect(rows.rows[0].n).toBe(202); // 200, the earlier-step point and the NaN
    // The statement-level trigger kept the tiers exact: their counts add up to the points.
    const tiers = await pg.query(
      `SELECT coalesce(sum(t.n), 0)::int AS n FROM metric_tiers t JOIN runs r ON r.id = t.run_id WHERE r.uuid = $1 AND t.level = (SELECT min(level) FROM metric_tiers)`,
      [run.uuid],
    );
    expect(tiers.rows[0].n).toBe(202);
    await tracking.setRunLifecycle(principal, run.uuid, 'deleted');
    await expect(tracking.logBatch(principal, run, { metrics: [point(600)] })).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: `The run ${run.uuid} must be in the 'active' state. Current state is deleted.`,
    });
    expect(
      (await pg.query(`SELECT count(*)::int AS n FROM metric_points p JOIN runs r ON r.id = p.run_id WHERE r.uuid = $1`, [run.uuid]))
        .rows[0].n,
    ).toBe(202);
  });

  it('answers ALREADY_EXISTS, not a database error, to every client but one creating the same experiment at once', async () => {
    const projectId = (await tracking.getExperiment(experimentId)).projectId;
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => tracking.createExperiment(principal, projectId, 'created-at-once')),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect({ code: r.reason.code, message: r.reason.message }).toEqual({
        code: 'ALREADY_EXISTS',
        message: "Experiment 'created-at-once' already exists.",
      });
    }
  });
});
