/**
 * Phase (c) of bench:compare, "search": run search over 10,000 runs (20 params, 10 metrics and
 * 2 tags each) with a two-clause filter ordered by a metric, as the web's runs table asks for it.
 *
 * Seeds through the native ingest API (never SQL): one POST /api/v1/projects/:slug/runs with the
 * params and tags, then one batch with the 10 metrics, per run, 8 requests in flight. Then, after
 * VACUUM ANALYZE (what autovacuum leaves after a bulk load), times --reps repetitions of
 *   - the GraphQL runs connection (first page of 50 rows, the row fields the table reads), the
 *     target: ≤ 100 ms;
 *   - the same search through MLflow's REST runs/search, the baseline path, same filter and order;
 *   - the GraphQL search asking only for run ids (what serialising the rows costs on top);
 * and prints the server's execution time of the generated SQL (EXPLAIN ANALYZE) and whether
 * its plan scans any run table sequentially.
 */
import { Client } from 'pg';
import { createDataSource, RunSearchRepository } from '@caliper/persistence';
import { cycle, firstRow, fmt, median, percentile, type BenchApi } from '../harness';

export const SEARCH_RUNS = 10_000;
const PARAMS = 20;
const METRICS = 10;
const IN_FLIGHT = 8;
const EXPERIMENT = 'search-bench';
const LRS = ['0.1', '0.01', '0.001', '0.0001'];
export const SEARCH_FILTER = "metrics.loss < 0.2 and params.lr = '0.01'";
export const SEARCH_ORDER = 'metrics.acc DESC';

/** The same search asking only for run ids: what the rows' fields cost on top. */
const IDS_QUERY = `query($id: ID!, $filter: String, $orderBy: [String!]) {
  experiment(id: $id) { runs(first: 50, filter: $filter, orderBy: $orderBy) { totalCount edges { node { runId } } } } }`;

const TABLE_QUERY = `query($id: ID!, $filter: String, $orderBy: [String!]) {
  experiment(id: $id) { runs(first: 50, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { runId name status mlflowStatus startTime endTime durationMs user { id username displayName } params { key value } tags { key value } latestMetrics { key value nonFinite step } } }
  } } }`;

/** Deterministic values of run i (a cheap hash, so the filter's selectivity is stable: ~5% of runs). */
const unit = (i: number, salt: number) => (((i + 1) * 2654435761 + salt * 40503) % 1_000_003) / 1_000_003;

async function post(api: BenchApi, path: string, body: unknown): Promise<Response> {
  return fetch(`${api.base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${api.token}` },
    body: JSON.stringify(body),
  });
}

async function seedRuns(api: BenchApi): Promise<number> {
  const started = performance.now();
  const t0 = Date.now() - SEARCH_RUNS * 1000;
  let next = 0;
  let done = 0;
  const one = async (i: number) => {
    const params: Record<string, string> = { lr: cycle(LRS, i), batch_size: String(2 ** (i % 6)) };
    for (let p = 2; p < PARAMS; p++) params[`p${p}`] = String(Math.floor(unit(i, p) * 100));
    const created = await post(api, `/api/v1/projects/${api.project.slug}/runs`, {
      experiment: EXPERIMENT,
      name: `search-${i}`,
      startTime: t0 + i * 1000,
      params,
      tags: { site: `site-${i % 7}`, model: `unet-${i % 3}` },
    });
    if (created.status !== 201) throw new Error(`creating run ${i} answered ${created.status}: ${await created.text()}`);
    const runId = ((await created.json()) as { run: { id: string } }).run.id;
    const metrics = [
      { key: 'loss', value: unit(i, 100), step: 100, timestamp: t0 + i * 1000 },
      { key: 'acc', value: unit(i, 101), step: 100, timestamp: t0 + i * 1000 },
      ...Array.from({ length: METRICS - 2 }, (_, m) => ({
        key: `m${m + 2}`,
        value: unit(i, 102 + m),
        step: 100,
        timestamp: t0 + i * 1000,
      })),
    ];
    const batch = await post(api, `/api/v1/runs/${runId}/batch`, { metrics });
    if (!batch.ok) throw new Error(`batch of run ${i} answered ${batch.status}: ${await batch.text()}`);
    if (++done % 2000 === 0) console.log(`  seeded ${fmt(done)} runs`);
  };
  // The first run creates the experiment; concurrent first uses of a new experiment name race
  // (seen here as a 500 from the native create-run route), so it goes alone.
  await one(next++);
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < SEARCH_RUNS) await one(next++);
    }),
  );
  return (performance.now() - started) / 1000;
}

async function timed(reps: number, once: () => Promise<void>): Promise<number[]> {
  await once(); // warm-up, not counted
  const out: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    await once();
    out.push(performance.now() - t);
  }
  return out;
}

const figures = (label: string, ms: number[]) =>
  `${label}: median ${median(ms).toFixed(1)} ms, p95 ${percentile(ms, 95).toFixed(1)} ms (${ms.length} reps: ${ms.map((m) => m.toFixed(1)).join(', ')})`;

export async function searchPhase(api: BenchApi, opts: { reps: number }): Promise<void> {
  console.log(
    `(c) run search: seeding ${fmt(SEARCH_RUNS)} runs × ${PARAMS} params × ${METRICS} metrics through /api/v1 (${IN_FLIGHT} requests in flight)…`,
  );
  const seedSeconds = await seedRuns(api);
  console.log(`  seeded in ${seedSeconds.toFixed(1)} s (${fmt((SEARCH_RUNS * 2) / seedSeconds)} requests/s)`);
  const owner = new Client({ connectionString: api.ownerUrl });
  await owner.connect();
  try {
    await owner.query('VACUUM ANALYZE');
    const gql = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
      const res = await fetch(`${api.base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: api.cookie },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
      if (!res.ok || body.errors) throw new Error(`GraphQL answered ${res.status}: ${JSON.stringify(body.errors)}`);
      return body.data!;
    };
    const { project } = await gql<{ project: { experiments: { id: string; name: string }[] } }>(
      `query($s: String!) { project(slug: $s) { experiments { id name } } }`,
      { s: api.project.slug },
    );
    const experimentId = project.experiments.find((e) => e.name === EXPERIMENT)!.id;
    const variables = { id: experimentId, filter: SEARCH_FILTER, orderBy: [SEARCH_ORDER] };
    const first = await gql<{ experiment: { runs: { totalCount: number; edges: unknown[] } } }>(TABLE_QUERY, variables);
    console.log(
      `  filter "${SEARCH_FILTER}" ordered by ${SEARCH_ORDER}: ${first.experiment.runs.totalCount} of ${fmt(SEARCH_RUNS)} runs match; first page ${first.experiment.runs.edges.length} rows`,
    );

    const graphql = await timed(opts.reps, async () => {
      await gql(TABLE_QUERY, variables);
    });
    const idsOnly = await timed(opts.reps, async () => {
      await gql(IDS_QUERY, variables);
    });
    const mlflow = await timed(opts.reps, async () => {
      const res = await post(api, '/api/2.0/mlflow/runs/search', {
        experiment_ids: [experimentId],
        filter: SEARCH_FILTER,
        order_by: [SEARCH_ORDER],
        max_results: 50,
      });
      if (!res.ok) throw new Error(`MLflow runs/search answered ${res.status}: ${await res.text()}`);
      await res.json();
    });

    // The SQL the GraphQL field runs, planned and executed on the server (the repository builds it).
    const ds = await createDataSource(api.ownerUrl, { poolSize: 1 }).initialize();
    try {
      const { project_id: projectId } = firstRow(
        (await owner.query(`SELECT project_id FROM experiments WHERE id = $1`, [experimentId])).rows as { project_id: string }[],
        `experiment ${experimentId}`,
      );
      const built = await new RunSearchRepository(ds).tableSql({
        projectId,
        experimentIds: [experimentId],
        filter: SEARCH_FILTER,
        orderBy: [SEARCH_ORDER],
        first: 50,
      });
      const executions: number[] = [];
      let seqScans: string[] = [];
      for (let r = 0; r < opts.reps; r++) {
        const { 'QUERY PLAN': plans } = firstRow(
          (await owner.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${built.sql}`, built.values)).rows as {
            'QUERY PLAN': { Plan: PlanNode; 'Execution Time': number }[];
          }[],
          'EXPLAIN output',
        );
        const plan = firstRow(plans, 'plan in the EXPLAIN output');
        executions.push(plan['Execution Time']);
        seqScans = nodes(plan.Plan)
          .filter((n) => n['Node Type'] === 'Seq Scan')
          .map((n) => n['Relation Name'] ?? '?');
      }
      console.log(`  ${figures('(c) GraphQL runs connection, first 50 rows (target ≤ 100 ms)', graphql)}`);
      console.log(`  ${figures('    the same asking only run ids (no params, metrics, tags)', idsOnly)}`);
      console.log(`  ${figures('    baseline: MLflow REST runs/search, same filter and order, 50 rows', mlflow)}`);
      console.log(`  ${figures('    its SQL on the server (EXPLAIN ANALYZE execution time)', executions)}`);
      console.log(`    sequential scans in the plan: ${seqScans.length ? seqScans.join(', ') : 'none'}`);
    } finally {
      await ds.destroy();
    }
  } finally {
    await owner.end();
  }
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];
