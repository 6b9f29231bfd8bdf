/**
 * Downsampled metric series through GraphQL on real PostgreSQL: the tier path (trigger-maintained
 * metric_tiers + raw ends) must equal the pure reference bucketing of the points as logged, for
 * random series with duplicate and out-of-order steps and non-finite values; spikes and the
 * window's first and last points survive; and a 1,000-bucket read of a 10^6-point series touches
 * the same order of buffers as one of a 10^4-point series.
 */
import { Client } from 'pg';
import { coverSteps, planBuckets, referenceDownsample } from '@caliper/domain';
import { seriesQueries } from '@caliper/persistence';
import { ADMIN, Auth, gql, gqlOk, login, newProject, newUser, rest, startTestApi, TestApi } from '../testing/api-harness';
import { defined } from '../testing/defined';

interface Point {
  key: string;
  step: number;
  timestamp: number;
  value: number | string;
}
interface SeriesSet {
  fromStep: number | null;
  toStep: number | null;
  bucketWidth: number;
  bucketCount: number;
  exact: boolean;
  tierLevel: number | null;
  series: {
    runId: string;
    key: string;
    pointCount: number;
    first: { step: number; timestamp: number; value: number | null; nonFinite: string | null } | null;
    buckets: number[];
    steps: number[];
    timestamps: (number | null)[];
    last: (number | null)[];
    min: (number | null)[];
    max: (number | null)[];
    counts: number[];
    nanCounts: number[];
  }[];
}

const SERIES = `query($p: ID!, $r: [String!]!, $k: [String!]!, $from: Float, $to: Float, $b: Int) {
  metricSeries(projectId: $p, runIds: $r, keys: $k, fromStep: $from, toStep: $to, buckets: $b) {
    fromStep toStep bucketWidth bucketCount exact tierLevel
    series { runId key pointCount first { step timestamp value nonFinite } buckets steps timestamps last min max counts nanCounts }
  }
}`;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}
const wire = (v: number): number | string => (Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v);

describe('metricSeries (GraphQL downsampling over metric tiers, real PostgreSQL)', () => {
  let api: TestApi;
  let pg: Client;
  let projectId: string;
  let researcher: Auth;
  let viewer: Auth;

  beforeAll(async () => {
    api = await startTestApi();
    pg = new Client({ connectionString: api.db.ownerUrl });
    await pg.connect();
    const admin = await login(api, ADMIN.username, ADMIN.password);
    projectId = await newProject(api, admin, 'series');
    const r = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    researcher = await login(api, r.username, r.password);
    const v = await newUser(api, admin, { projectId, roles: ['VIEWER'] });
    viewer = await login(api, v.username, v.password);
  }, 60000);
  afterAll(async () => {
    await pg.end();
    await api.close();
  });

  async function newRun(name: string): Promise<string> {
    const res = await rest(api, 'POST', '/api/v1/projects/series/runs', researcher, { name });
    expect(res.status).toBe(201);
    return ((await res.json()) as { run: { id: string } }).run.id;
  }
  async function log(runId: string, points: Point[]): Promise<void> {
    for (let i = 0; i < points.length; i += 5000) {
      const res = await rest(api, 'POST', `/api/v1/runs/${runId}/batch`, researcher, { metrics: points.slice(i, i + 5000) });
      expect(res.status).toBe(200);
    }
  }
  const series = (vars: Record<string, unknown>, auth: Auth = viewer) =>
    gqlOk<{ metricSeries: SeriesSet }>(api, auth, SERIES, { p: projectId, ...vars }).then((d) => d.metricSeries);

  it('equals the reference bucketing of the logged points for random series, windows and budgets (duplicates, out of order, NaN, ±Infinity)', async () => {
    const random = rng(2026);
    const runs = [await newRun('prop-a'), await newRun('prop-b')];
    const logged = new Map<string, { step: number; timestamp: number; value: number }[]>();
    for (const [r, runId] of runs.entries()) {
      const n = 3000 + r * 9000;
      const points: Point[] = [];
      const stored: { step: number; timestamp: number; value: number }[] = [];
      const seen = new Set<string>();
      for (let i = 0; i < n; i++) {
        const x = random();
        const value = x < 0.02 ? NaN : x < 0.03 ? Infinity : x < 0.04 ? -Infinity : Math.round((random() - 0.5) * 1e6) / 1000;
        // Steps spread over 3× the count: gaps, repeats and any order.
        const p = {
          key: 'loss',
          step: Math.floor(random() * n * 3) - 500,
          timestamp: 1_700_000_000_000 + Math.floor(random() * 50),
          value,
        };
        points.push({ ...p, value: wire(value) });
        const id = `${p.step}/${p.timestamp}/${Number.isNaN(value) ? 'NaN' : value}`;
        if (!seen.has(id)) stored.push(p);
        seen.add(id);
      }
      // Some points twice, in a later batch: stored once (MLflow's identity rule), counted once.
      points.push(...points.slice(0, 700));
      await log(runId, points);
      logged.set(runId, stored);
    }
    const all = [...logged.values()].flat();
    const lo = Math.min(...all.map((p) => p.step));
    const hi = Math.max(...all.map((p) => p.step));
    const windows: [number | null, number | null, number][] = [
      [null, null, 1000],
      [null, null, 50],
      [lo + 1234, hi - 777, 300],
      [lo + 10, lo + 4000, 2000],
      [100, 160, 1000],
      [hi - 20_000, null, 97],
    ];
    for (const [from, to, budget] of windows) {
      const got = await series({ r: runs, k: ['loss'], from, to, b: budget });
      const plan = planBuckets(from ?? lo, to ?? hi, budget);
      expect({ from: got.fromStep, to: got.toStep, width: got.bucketWidth, count: got.bucketCount, level: got.tierLevel }).toEqual({
        from: plan.fromStep,
        to: plan.toStep,
        width: plan.width,
        count: plan.bucketCount,
        level: plan.level,
      });
      for (const s of got.series) {
        const ref = referenceDownsample(plan, logged.get(s.runId)!);
        const { buckets, steps, timestamps, last, min, max, counts, nanCounts } = s;
        expect({ window: [from, to, budget], run: s.runId, buckets, steps, timestamps, last, min, max, counts, nanCounts }).toEqual({
          window: [from, to, budget],
          run: s.runId,
          ...ref,
        });
        const inWindow = logged.get(s.runId)!.filter((p) => p.step >= plan.fromStep && p.step <= plan.toStep);
        expect(s.pointCount).toBe(inWindow.length);
        const first = [...inWindow].sort(
          (a, b) =>
            a.step - b.step || a.timestamp - b.timestamp || (Number.isNaN(a.value) ? 1 : Number.isNaN(b.value) ? -1 : a.value - b.value),
        )[0];
        if (first) expect([s.first?.step, s.first?.timestamp]).toEqual([first.step, first.timestamp]);
      }
    }
  }, 120000);

  it('keeps a one-step spike and the last point at any budget, and returns every point for a zoomed window', async () => {
    const runId = await newRun('spike');
    const points: Point[] = Array.from({ length: 50_000 }, (_, step) => ({
      key: 'dice',
      step,
      timestamp: 1_700_000_000_000 + step,
      value: step === 31_337 ? 42 : 0.5 + 0.1 * Math.sin(step / 500),
    }));
    await log(runId, points);
    const coarse = defined((await series({ r: [runId], k: ['dice'], b: 200 })).series[0], 'the series of dice');
    expect(Math.max(...coarse.max.map(Number))).toBe(42);
    expect(Math.max(...coarse.last.map(Number))).toBeLessThan(1); // the spike is in the band, not on the line
    expect(coarse.steps.at(-1)).toBe(49_999);
    expect(coarse.first).toEqual({ step: 0, timestamp: 1_700_000_000_000, value: 0.5, nonFinite: null });
    const zoom = await series({ r: [runId], k: ['dice'], from: 31_300, to: 31_399, b: 200 });
    expect(zoom.exact).toBe(true);
    expect(zoom.series[0]?.steps).toEqual(Array.from({ length: 100 }, (_, i) => 31_300 + i));
    expect(zoom.series[0]?.last[37]).toBe(42);
  }, 60000);

  it('answers empty series for a metric a run never logged, and refuses bad requests naming the argument', async () => {
    const runId = await newRun('empty');
    const got = await series({ r: [runId], k: ['never-logged'] });
    expect(got).toMatchObject({ bucketCount: 0, series: [{ runId, key: 'never-logged', pointCount: 0, buckets: [], first: null }] });
    const bad = async (vars: Record<string, unknown>) => {
      const res = await gql(api, viewer, SERIES, { p: projectId, r: [runId], k: ['loss'], ...vars });
      return { code: res.errors?.[0]?.extensions?.code, message: res.errors?.[0]?.message };
    };
    expect(await bad({ b: 1 })).toEqual({ code: 'BAD_USER_INPUT', message: 'buckets: must be an integer between 2 and 2000' });
    expect(await bad({ b: 5000 })).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await bad({ from: 10, to: 5 })).toEqual({ code: 'BAD_USER_INPUT', message: 'toStep: must not be before fromStep (10)' });
    expect(await bad({ from: 1.5 })).toEqual({ code: 'BAD_USER_INPUT', message: 'fromStep: must be an integer step' });
    expect(await bad({ r: [] })).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('runIds') });
    expect(await bad({ r: [runId, runId] })).toEqual({ code: 'BAD_USER_INPUT', message: 'runIds: names a run more than once' });
    expect(await bad({ r: ['0'.repeat(32)] })).toMatchObject({ code: 'NOT_FOUND' });
    // An injection attempt in a key is just a metric name nobody logged.
    const injected = await series({ r: [runId], k: ["loss'); DROP TABLE metric_points; --"] });
    expect(injected.series[0]?.pointCount).toBe(0);
    expect((await pg.query(`SELECT to_regclass('metric_points') IS NOT NULL AS present`)).rows[0].present).toBe(true);
  });

  it('hides runs of another project: NOT_FOUND, as for a run that does not exist', async () => {
    const admin = await login(api, ADMIN.username, ADMIN.password);
    const otherProject = await newProject(api, admin, 'series-other');
    const o = await newUser(api, admin, { projectId: otherProject, roles: ['RESEARCHER'] });
    const other = await login(api, o.username, o.password);
    const res = await rest(api, 'POST', '/api/v1/projects/series-other/runs', other, { name: 'theirs' });
    const theirs = ((await res.json()) as { run: { id: string } }).run.id;
    const answer = await gql(api, viewer, SERIES, { p: projectId, r: [theirs], k: ['loss'] });
    expect(answer.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('reads a 10^6-point series at 1,000 buckets touching the same order of buffers as a 10^4-point one', async () => {
    // Seeded in SQL for speed (this checks scale, not ingest): the tier trigger runs as for any insert.
    const small = await newRun('scale-1e4');
    const large = await newRun('scale-1e6');
    const [{ key_id: keyId }] = (
      await pg.query(
        `INSERT INTO metric_keys (name) VALUES ('scale') ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id AS key_id`,
      )
    ).rows;
    const internal = async (uuid: string) => (await pg.query(`SELECT id FROM runs WHERE uuid = $1`, [uuid])).rows[0].id as string;
    const [smallId, largeId] = [await internal(small), await internal(large)];
    await pg.query(
      `INSERT INTO metric_points (run_id, key_id, step, ts, value) SELECT $1, $2, g, 1700000000000 + g, sin(g / 100.0) FROM generate_series(0, 9999) g`,
      [smallId, keyId],
    );
    await pg.query(
      `INSERT INTO metric_points (run_id, key_id, step, ts, value) SELECT $1, $2, g, 1700000000000 + g, sin(g / 100.0) FROM generate_series(0, 999999) g`,
      [largeId, keyId],
    );
    await pg.query(`ANALYZE metric_points; ANALYZE metric_tiers`);
    const buffers = async (runId: string, toStep: number) => {
      const plan = planBuckets(0, toStep, 1000);
      const q = seriesQueries([{ runId, keyId }], coverSteps(0, toStep + 1, plan.level), plan);
      let total = 0;
      for (const query of [q.tiers, q.raw, q.firsts]) {
        if (!query) continue;
        const [
          {
            'QUERY PLAN': [plan],
          },
        ] = (await pg.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query.text}`, query.params)).rows;
        total += plan.Plan['Shared Hit Blocks'] + plan.Plan['Shared Read Blocks'];
      }
      return total;
    };
    const [b4, b6] = [await buffers(smallId, 9999), await buffers(largeId, 999_999)];
    expect(b4).toBeGreaterThan(0);
    // 100× the points, but the read stays within the same order of magnitude of buffers.
    expect(b6).toBeLessThan(b4 * 10);
    // And through the API, the answer covers the whole series.
    const got = await series({ r: [large], k: ['scale'] });
    expect(got.tierLevel).toBe(10);
    expect(got.series[0]?.pointCount).toBe(1_000_000);
  }, 120000);

  describe("Run.chartSeries: a run's own training metrics by its id alone (the run page's startup request)", () => {
    const CHART = `query($r: String!, $b: Int) {
      run(runId: $r) { runId chartSeries(buckets: $b) {
        fromStep toStep bucketWidth bucketCount exact tierLevel
        series { runId key pointCount first { step timestamp value nonFinite } buckets steps timestamps last min max counts nanCounts }
      } }
    }`;
    const chart = (runId: string, buckets: number | null, auth: Auth = viewer) =>
      gqlOk<{ run: { runId: string; chartSeries: SeriesSet | null } }>(api, auth, CHART, { r: runId, b: buckets }).then(
        (d) => d.run.chartSeries,
      );
    // 22 training metrics m00 … m21, a system metric (system/…) and a training metric whose name only contains system/, first by key.
    const trainingKeys = Array.from({ length: 22 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    async function runWithMetrics(name: string, status: string | null): Promise<string> {
      const runId = await newRun(name);
      const points: Point[] = [];
      for (const key of [...trainingKeys, 'system/cpu_utilization_percentage', 'a/system/not'])
        for (let step = 0; step < 300; step++)
          points.push({ key, step, timestamp: 1_700_000_000_000 + step, value: Math.sin(step / (7 + key.length)) });
      await log(runId, points);
      if (status) expect((await rest(api, 'PATCH', `/api/v1/runs/${runId}`, researcher, { status })).status).toBe(200);
      return runId;
    }

    it('equals metricSeries of the first 20 training metrics by key, system metrics left out, once the run has ended', async () => {
      const runId = await runWithMetrics('chart-finished', 'finished');
      const got = await chart(runId, 50);
      if (!got) throw new Error('chartSeries of a finished run with training metrics is null');
      const first20 = ['a/system/not', ...trainingKeys].slice(0, 20);
      expect(got.series.map((s) => s.key)).toEqual(first20);
      expect(got).toEqual(await series({ r: [runId], k: first20, b: 50 }));
      expect(got.series.every((s) => s.pointCount === 300 && s.steps.length > 0)).toBe(true);
      // The rest by key, as the page asks for it.
      const rest = await series({ r: [runId], k: ['a/system/not', ...trainingKeys].slice(20), b: 50 });
      expect(rest.series.map((s) => s.key)).toEqual(['m19', 'm20', 'm21']);
    });

    it('is null while the run is live (its page follows the histories) and for a run with no training metric', async () => {
      expect(await chart(await runWithMetrics('chart-running', null), 50)).toBeNull();
      const systemOnly = await newRun('chart-system-only');
      await log(systemOnly, [{ key: 'system/memory_usage_megabytes', step: 0, timestamp: 1_700_000_000_000, value: 512 }]);
      expect((await rest(api, 'PATCH', `/api/v1/runs/${systemOnly}`, researcher, { status: 'finished' })).status).toBe(200);
      expect(await chart(systemOnly, 50)).toBeNull();
    });

    it('refuses a bad bucket count by name, live run or not, and keeps a run of another project out of reach', async () => {
      const running = await runWithMetrics('chart-bad-buckets', null);
      for (const b of [1, 2001]) {
        const res = await gql(api, viewer, CHART, { r: running, b });
        expect(res.errors?.[0]?.message).toMatch(/buckets.*between 2 and/);
        expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      }
      const admin = await login(api, ADMIN.username, ADMIN.password);
      const otherProject = await newProject(api, admin, 'series-charts-other');
      const o = await newUser(api, admin, { projectId: otherProject, roles: ['VIEWER'] });
      const outsider = await login(api, o.username, o.password);
      const finished = await runWithMetrics('chart-private', 'finished');
      const res = await gql(api, outsider, CHART, { r: finished, b: 50 });
      expect(res.data?.run ?? null).toBeNull();
      expect(['NOT_FOUND', 'FORBIDDEN']).toContain(res.errors?.[0]?.extensions?.code);
    });
  });
});
