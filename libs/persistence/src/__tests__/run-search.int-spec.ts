/**
 * The runs table's search at scale on real PostgreSQL: 10,000 runs (20 params, 10 metrics and
 * 3 tags each) seeded in bulk SQL, VACUUM ANALYZEd (as autovacuum leaves it), then
 * - the plans (EXPLAIN FORMAT JSON) of the generated SQL scan no run table sequentially: the
 *   filters and the order come from the indexes of migration RunSearchIndexes;
 * - the pages (keyset cursors, NULLS LAST, ties by run id) match a reference computed here.
 * The scale property, not a timing: the benchmark (tools/bench/compare) times it.
 */
import { DataSource } from 'typeorm';
import { createDataSource, RunCursorError, RunSearchRepository, RunTableQuery } from '../index';
import { createTestDatabase, TestDatabase } from '../testing/test-database';

const RUNS = 10_000;
const OTHER_RUNS = 2_000;
const LRS = ['0.1', '0.01', '0.001', '0.0001'];
const SCANNED = ['runs', 'run_params', 'run_tags', 'latest_metrics', 'metric_points'];

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/** The deterministic values of run i, as the seeding SQL computes them (reference for the checks). */
const ref = (i: number) => ({
  lr: LRS[i % 4],
  loss: ((i * 7919) % 10_000) / 10_000,
  accuracy: i % 13 === 0 ? null : ((i * 104729) % 1000) / 1000,
  uuid: i.toString(16).padStart(32, '0'),
  batch: String(2 ** (i % 6)),
  startTime: 1_700_000_000_000 + i * 1000,
});

describe('run search at 10,000 runs (real PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let repo: RunSearchRepository;
  let projectId: string;
  let experimentId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.ownerUrl, { poolSize: 2 }).initialize();
    [{ id: projectId }] = await ds.query(`INSERT INTO projects (slug, name) VALUES ('search-scale', 'Search scale') RETURNING id`);
    const [sweep, other]: { id: string }[] = await ds.query(
      `INSERT INTO experiments (project_id, name, artifact_location, creation_time, last_update_time) VALUES ($1, 'sweep', '', 0, 0), ($1, 'other', '', 0, 0) RETURNING id::text AS id`,
      [projectId],
    );
    if (!sweep || !other) throw new Error('the two experiments were not inserted');
    experimentId = sweep.id;
    // Runs 0..9999 in the sweep, 10000..11999 in another experiment of the same project; rows as
    // wide as the ingest API writes them (artifact URI, git commit, heartbeat).
    await ds.query(
      `INSERT INTO runs (uuid, experiment_id, project_id, name, status, start_time, end_time, artifact_uri, git_commit, heartbeat_at)
       SELECT x.uuid, x.experiment_id, $4, 'sweep-run-' || i, (ARRAY['finished', 'failed', 'running'])[1 + i % 3],
              1700000000000 + i * 1000, 1700000000000 + i * 1000 + (i % 97) * 60000,
              'mlflow-artifacts:/' || x.experiment_id || '/' || x.uuid || '/artifacts', md5(x.uuid) || left(md5(x.uuid), 8), now()
       FROM generate_series(0, $1::int + $5::int - 1) i
       CROSS JOIN LATERAL (SELECT lpad(to_hex(i), 32, '0') AS uuid, CASE WHEN i < $1::int THEN $2::bigint ELSE $3::bigint END AS experiment_id) x`,
      [RUNS, experimentId, other.id, projectId, OTHER_RUNS],
    );
    await ds.query(
      `INSERT INTO run_params (run_id, key, value, value_num)
       SELECT r.id, k.key, v.value, CASE WHEN v.value ~ '^[0-9.e+-]+$' THEN v.value::float8 END
       FROM runs r CROSS JOIN generate_series(0, 19) j
       CROSS JOIN LATERAL (SELECT CASE j WHEN 0 THEN 'lr' WHEN 1 THEN 'batch_size' ELSE 'p' || j END AS key) k
       CROSS JOIN LATERAL (SELECT CASE j WHEN 0 THEN (ARRAY['0.1', '0.01', '0.001', '0.0001'])[1 + (('x' || right(r.uuid, 16))::bit(64)::bigint % 4)::int]
                                         WHEN 1 THEN (2 ^ (('x' || right(r.uuid, 16))::bit(64)::bigint % 6))::int::text
                                         ELSE 'value-' || (r.id % (j * 3)) END AS value) v`,
    );
    await ds.query(
      `INSERT INTO metric_keys (name) SELECT unnest(ARRAY['loss', 'accuracy', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'system/gpu_0_utilization_percentage']) ON CONFLICT DO NOTHING`,
    );
    await ds.query(
      `INSERT INTO latest_metrics (run_id, key_id, step, ts, value)
       SELECT r.id, mk.id, 100, 0, CASE mk.name
           WHEN 'loss' THEN ((n * 7919) % 10000) / 10000.0
           WHEN 'accuracy' THEN ((n * 104729) % 1000) / 1000.0
           ELSE random() END
       FROM runs r CROSS JOIN LATERAL (SELECT ('x' || right(r.uuid, 16))::bit(64)::bigint AS n) x CROSS JOIN metric_keys mk
       WHERE NOT (mk.name = 'accuracy' AND n % 13 = 0)`,
    );
    await ds.query(
      `INSERT INTO metric_points (run_id, key_id, step, ts, value) SELECT run_id, key_id, step, ts, value FROM latest_metrics`,
    );
    await ds.query(
      `INSERT INTO run_tags (run_id, key, value)
       SELECT r.id, t.key, t.key || '-' || (r.id % 5) FROM runs r CROSS JOIN unnest(ARRAY['site', 'model', 'mlflow.user']) t(key)`,
    );
    // What autovacuum does after a bulk load: statistics, and the visibility map index-only scans rely on.
    await ds.query('VACUUM ANALYZE');
    repo = new RunSearchRepository(ds);
  }, 240_000);

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const query = (over: Partial<RunTableQuery>): RunTableQuery => ({ projectId, experimentIds: [experimentId], first: 50, ...over });

  async function scansOf(q: RunTableQuery): Promise<PlanNode[]> {
    const { sql, values, countSql, countValues } = await repo.tableSql(q);
    const plans: PlanNode[] = [];
    for (const [text, args] of [
      [sql, values],
      [countSql, countValues],
    ] as const) {
      const [{ 'QUERY PLAN': plan }] = await ds.query(`EXPLAIN (FORMAT JSON) ${text}`, args);
      plans.push(...nodes(plan[0].Plan));
    }
    return plans;
  }

  it.each([
    [
      'a two-clause filter ordered by a metric',
      { filter: "metrics.loss < 0.2 and params.lr = '0.01'", orderBy: ['metrics.accuracy DESC'] },
    ],
    ['a metric filter ordered by a metric', { filter: 'metrics.accuracy > 0.99', orderBy: ['metrics.loss ASC'] }],
    [
      'a tag and a param filter ordered by a param',
      { filter: "tags.site = 'site-3' and params.batch_size = '8'", orderBy: ['params.lr ASC'] },
    ],
    ['the default listing', {}],
  ])('plans %s without a sequential scan of the run tables', async (_what, over) => {
    const plan = await scansOf(query(over));
    const seq = plan
      .filter((n) => n['Node Type'] === 'Seq Scan' && SCANNED.includes(n['Relation Name'] ?? ''))
      .map((n) => n['Relation Name']);
    expect(seq).toEqual([]);
    // And the run table is read at all (through an index), so the check is not vacuous.
    expect(plan.some((n) => n['Relation Name'] === 'runs' && /Index/.test(n['Node Type']))).toBe(true);
  });

  it('counts groups over every matching run as the reference does, in numeric order, planned without a sequential scan when filtered', async () => {
    const all = Array.from({ length: RUNS }, (_, i) => ref(i));
    const countBy = (rows: ReturnType<typeof ref>[], value: (r: ReturnType<typeof ref>) => string) => {
      const m = new Map<string, number>();
      for (const r of rows) m.set(value(r), (m.get(value(r)) ?? 0) + 1);
      return [...m].sort((a, b) => Number(a[0]) - Number(b[0])).map(([v, count]) => ({ value: v, count }));
    };
    expect(await repo.groupCounts({ projectId, experimentIds: [experimentId], by: 'params.batch_size' })).toEqual({
      groups: countBy(all, (r) => r.batch),
      truncated: false,
    });
    const filter = "metrics.loss < 0.2 and params.lr = '0.01'";
    const filtered = all.filter((r) => r.loss < 0.2 && r.lr === '0.01');
    expect(await repo.groupCounts({ projectId, experimentIds: [experimentId], by: 'params.batch_size', filter })).toEqual({
      groups: countBy(filtered, (r) => r.batch),
      truncated: false,
    });
    const { sql, values } = await repo.groupSql({ projectId, experimentIds: [experimentId], by: 'params.batch_size', filter });
    const [{ 'QUERY PLAN': plan }] = await ds.query(`EXPLAIN (FORMAT JSON) ${sql}`, values);
    const scans = nodes(plan[0].Plan);
    expect(
      scans.filter((n) => n['Node Type'] === 'Seq Scan' && SCANNED.includes(n['Relation Name'] ?? '')).map((n) => n['Relation Name']),
    ).toEqual([]);
    expect(scans.some((n) => n['Relation Name'] === 'run_params' && /Index/.test(n['Node Type']))).toBe(true);
  });

  it('pages the two-clause search, ordered by a metric with NULLS LAST and ties by run id, as the reference does', async () => {
    const expected = Array.from({ length: RUNS }, (_, i) => ref(i))
      .filter((r) => r.loss < 0.2 && r.lr === '0.01')
      .sort((a, b) =>
        a.accuracy === b.accuracy
          ? a.uuid.localeCompare(b.uuid)
          : a.accuracy === null
            ? 1
            : b.accuracy === null
              ? -1
              : b.accuracy - a.accuracy,
      );
    expect(expected.length).toBeGreaterThan(100);
    expect(expected.some((r) => r.accuracy === null)).toBe(true);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await repo.searchTable(
        query({ filter: "metrics.loss < 0.2 and params.lr = '0.01'", orderBy: ['metrics.accuracy DESC'], first: 97, after }),
      );
      expect(page.totalCount).toBe(expected.length);
      seen.push(...page.runs.map((r) => r.uuid));
      const last = page.cursors.at(-1);
      if (!page.hasNextPage || !last) break;
      after = last;
    }
    expect(seen).toEqual(expected.map((r) => r.uuid));
  }, 60_000);

  it('sorts a numeric param by its value, not its text, and pages ascending and descending alike', async () => {
    for (const ascending of [true, false]) {
      const expected = Array.from({ length: RUNS }, (_, i) => ref(i))
        .filter((r) => r.loss < 0.05)
        .sort((a, b) =>
          Number(a.batch) === Number(b.batch) ? a.uuid.localeCompare(b.uuid) : (ascending ? 1 : -1) * (Number(a.batch) - Number(b.batch)),
        );
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page = await repo.searchTable(
          query({ filter: 'metrics.loss < 0.05', orderBy: [`params.batch_size ${ascending ? 'ASC' : 'DESC'}`], first: 64, after }),
        );
        seen.push(...page.runs.map((r) => r.uuid));
        const last = page.cursors.at(-1);
        if (!page.hasNextPage || !last) break;
        after = last;
      }
      expect(seen).toEqual(expected.map((r) => r.uuid));
    }
  }, 60_000);

  it('offers the param, metric and tag keys of the experiment', async () => {
    const keys = await repo.columnKeys(projectId, [experimentId]);
    expect(keys.params).toHaveLength(20);
    expect(keys.params.slice(0, 2)).toEqual(['batch_size', 'lr']);
    expect(keys.metrics).toEqual(['accuracy', 'loss', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'system/gpu_0_utilization_percentage']);
    expect(keys.tags).toEqual(['mlflow.user', 'model', 'site']);
  });

  it('matches a param value longer than the indexed prefix exactly, not by its prefix', async () => {
    const [{ id: exp }] = await ds.query(
      `INSERT INTO experiments (project_id, name, artifact_location, creation_time, last_update_time) VALUES ($1, 'long-values', '', 0, 0) RETURNING id::text AS id`,
      [projectId],
    );
    const prefix = 'x'.repeat(200);
    const long = `${prefix}-long`;
    const runs: { id: string }[] = await ds.query(
      `INSERT INTO runs (uuid, experiment_id, project_id, name, status, start_time, artifact_uri)
       SELECT lpad(to_hex(1000000 + i), 32, '0'), $1, $2, 'long-' || i, 'finished', i, '' FROM generate_series(0, 2) i RETURNING id::text AS id`,
      [exp, projectId],
    );
    await ds.query(`INSERT INTO run_params (run_id, key, value) VALUES ($1, 'note', $4), ($2, 'note', $5), ($3, 'note', $6)`, [
      ...runs.map((r) => r.id),
      prefix,
      long,
      `${long}-er`,
    ]);
    const names = async (filter: string) =>
      (await repo.searchTable({ projectId, experimentIds: [exp], filter, first: 10 })).runs.map((r) => r.name).sort();
    expect(await names(`params.note = '${long}'`)).toEqual(['long-1']);
    expect(await names(`params.note = '${prefix}'`)).toEqual(['long-0']);
    expect(await names(`params.note = '${'x'.repeat(199)}'`)).toEqual([]);
    expect(await names(`params.note != '${long}'`)).toEqual(['long-0', 'long-2']);
  });

  it('refuses a cursor of another order', async () => {
    const page = await repo.searchTable(query({ orderBy: ['metrics.loss ASC'], first: 5 }));
    await expect(repo.searchTable(query({ orderBy: ['metrics.loss DESC'], after: page.cursors[4] }))).rejects.toBeInstanceOf(
      RunCursorError,
    );
    await expect(repo.searchTable(query({ after: 'bm90LWEtY3Vyc29y' }))).rejects.toBeInstanceOf(RunCursorError);
  });
});
