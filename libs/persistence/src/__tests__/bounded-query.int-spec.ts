/**
 * Bounded queries on real PostgreSQL (issue 10, finding 2): a statement past its timeout is
 * stopped by the server with a message naming what was stopped, a statement whose request went
 * away is cancelled in the server (not left running), and many-comparison run filters plan in
 * time linear in their length.
 */
import { DataSource } from 'typeorm';
import { boundedQuery, createDataSource, queryScope, RunSearchRepository, SEMIJOIN_MAX_COMPARISONS } from '../index';
import { createTestDatabase, TestDatabase } from '../testing/test-database';

describe('bounded queries', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.appUrl, { poolSize: 4 }).initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const sleeping = async () =>
    (await ds.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(%' AND state = 'active'`))[0]
      .n as number;

  it('stops a statement at its timeout and says what was stopped', async () => {
    const started = Date.now();
    await expect(boundedQuery(ds, 'SELECT pg_sleep(5)', [], { timeoutMs: 200, what: 'The slow thing' })).rejects.toMatchObject({
      code: 'INVALID_PARAMETER',
      message: 'The slow thing took longer than 0.2 s and was stopped; narrow the filter or the scope.',
    });
    expect(Date.now() - started).toBeLessThan(3000);
    // The timeout does not stay on the pooled connection.
    const settings = await Promise.all([1, 2, 3, 4].map(() => ds.query(`SHOW statement_timeout`)));
    expect(settings.map((r) => r[0].statement_timeout)).toEqual(['0', '0', '0', '0']);
  });

  it('cancels the statement in the server when its request goes away', async () => {
    const controller = new AbortController();
    const query = queryScope.run({ signal: controller.signal }, () =>
      boundedQuery(ds, 'SELECT pg_sleep(30)', [], { timeoutMs: 60_000, what: 'The search' }),
    );
    const deadline = Date.now() + 5000;
    while ((await sleeping()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await sleeping()).toBe(1);
    const aborted = Date.now();
    controller.abort();
    await expect(query).rejects.toMatchObject({ message: 'The request for The search was closed by the client; the query was stopped.' });
    expect(Date.now() - aborted).toBeLessThan(2000);
    expect(await sleeping()).toBe(0);
    // The pool still serves queries.
    expect(await ds.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('keeps the comparisons of a long filter out of the join search (per-run subplans, no semi-joins), so planning stays linear', async () => {
    const repo = new RunSearchRepository(ds);
    interface PlanNode {
      'Node Type': string;
      'Join Type'?: string;
      'Subplan Name'?: string;
      Plans?: PlanNode[];
    }
    const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];
    const plan = async (n: number) => {
      const filter = Array.from({ length: n }, (_, i) => `params.p${i} = 'x'`).join(' and ');
      const { sql, values } = await repo.tableSql({
        projectId: '00000000-0000-4000-8000-000000000000',
        experimentIds: ['1'],
        filter,
        orderBy: [],
        first: 50,
        after: null,
      });
      const [row] = await ds.query(`EXPLAIN (FORMAT JSON) ${sql}`, values);
      return { sql, nodes: nodes((row['QUERY PLAN'][0] as { Plan: PlanNode }).Plan) };
    };
    const long = await plan(SEMIJOIN_MAX_COMPARISONS + 1);
    expect(long.sql.match(/ OFFSET 0\)/g)).toHaveLength(SEMIJOIN_MAX_COMPARISONS + 1);
    expect(long.nodes.filter((n) => n['Join Type'] === 'Semi')).toEqual([]);
    const fifty = await plan(50);
    expect(fifty.nodes.filter((n) => n['Join Type'] === 'Semi')).toEqual([]);
    expect(fifty.nodes.filter((n) => n['Subplan Name']?.startsWith('SubPlan')).length).toBeGreaterThanOrEqual(50);
    // A short filter keeps the semi-joins the planner can drive from an index.
    expect((await plan(2)).sql).not.toMatch(/OFFSET 0/);
  });
});
