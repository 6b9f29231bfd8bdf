/**
 * RunsTableService on its real repositories and a fresh database (medium test): one page of a
 * project's runs table with MLflow's filter grammar, any order (NULLs last, ties by run id) and
 * keyset cursors; group counts by a param or tag; the column keys. Deleted runs and runs of
 * experiments not asked for never show. Bad input is refused as BAD_USER_INPUT naming the argument
 * at fault: `filter`, `orderBy`, `after` or `by`.
 */
import type { ExperimentEntity, ProjectEntity, RunEntity, UserEntity } from '@caliper/persistence';
import { TrackingRepository } from '@caliper/persistence';
import { defined } from '../testing/defined';
import { Medium, startMedium } from '../testing/medium';
import { RunsTableService } from './runs-table.service';
import { TrackingModule } from './tracking.module';

describe('RunsTableService (medium: real repositories, real database)', () => {
  let md: Medium;
  let table: RunsTableService;
  let project: ProjectEntity;
  let e1: ExperimentEntity;
  let e2: ExperimentEntity;
  let user: UserEntity;
  const runs: Record<string, RunEntity> = {};
  const nameOf = new Map<string, string>();

  async function seed(
    name: string,
    experiment: ExperimentEntity,
    startTime: number,
    data: { lr?: string; site?: string; loss?: number; acc?: number },
  ): Promise<RunEntity> {
    const run = await md.newRun(experiment, user, { name, startTime });
    const repo = md.get(TrackingRepository);
    await md.ds.transaction(async (m) => {
      if (data.lr !== undefined) await repo.insertParams(m, run.id, [{ key: 'lr', value: data.lr }]);
      if (data.site !== undefined) await repo.upsertTags(m, run.id, [{ key: 'site', value: data.site }]);
    });
    const points = [
      ...(data.loss !== undefined ? [{ key: 'loss', step: 0, value: data.loss }] : []),
      ...(data.acc !== undefined ? [{ key: 'acc', step: 0, value: data.acc }] : []),
    ];
    if (points.length) await md.logPoints(run, points);
    nameOf.set(run.uuid, name);
    return (runs[name] = run);
  }
  const names = (page: { runs: { run: RunEntity }[] }) => page.runs.map((v) => nameOf.get(v.run.uuid));
  const query = (
    experiments: ExperimentEntity[],
    q: { filter?: string; orderBy?: string[]; first?: number; after?: string | null } = {},
  ) => ({
    projectId: project.id,
    experimentIds: experiments.map((e) => e.id),
    first: 50,
    ...q,
  });

  beforeAll(async () => {
    md = await startMedium(TrackingModule);
    table = md.get(RunsTableService);
    project = await md.newProject();
    e1 = await md.newExperiment(project.id, 'first');
    e2 = await md.newExperiment(project.id, 'second');
    user = await md.newUser();
    await seed('a', e1, 1000, { lr: '0.01', site: 'north', loss: 0.3, acc: 0.9 });
    await seed('b', e1, 2000, { lr: '0.1', site: 'south', loss: 0.5, acc: 0.8 });
    await seed('c', e1, 3000, { lr: '0.001', site: 'north', acc: 0.7 });
    const d = await seed('d', e1, 4000, { lr: '0.01', site: 'deleted-site', loss: 0.2 });
    await md.query(`UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = 1 WHERE id = $1`, [d.id]);
    await seed('e', e2, 5000, { lr: '1', loss: 0.9 });
    // Another project's run in no experiment asked for.
    const elsewhere = await md.newProject();
    await seed('x', await md.newExperiment(elsewhere.id), 6000, { lr: '0.01', loss: 0.1 });
  }, 60000);
  afterAll(() => md?.close());

  it('lists the active runs of the experiments asked for, newest first, with their params, tags and latest metrics', async () => {
    const page = await table.page(query([e1]));
    expect(names(page)).toEqual(['c', 'b', 'a']);
    expect(page).toMatchObject({ totalCount: 3, hasNextPage: false });
    expect(page.cursors).toHaveLength(3);
    const a = defined(page.runs[2], 'run a');
    expect(a.params.map((p) => [p.key, p.value])).toEqual([['lr', '0.01']]);
    expect(a.tags.map((t) => [t.key, t.value])).toEqual([['site', 'north']]);
    expect(a.latestMetrics.map((l) => [l.key, l.value])).toEqual([
      ['acc', 0.9],
      ['loss', 0.3],
    ]);
    expect(a.experiment.id).toBe(e1.id);
    expect(names(await table.page(query([e1, e2])))).toEqual(['e', 'c', 'b', 'a']);
    expect(await table.page(query([]))).toEqual({ runs: [], cursors: [], hasNextPage: false, totalCount: 0 });
  });

  it("filters with MLflow's grammar", async () => {
    expect(names(await table.page(query([e1, e2], { filter: 'metrics.loss < 0.6' })))).toEqual(['b', 'a']);
    expect(names(await table.page(query([e1, e2], { filter: "params.lr = '0.01'" })))).toEqual(['a']);
    expect(names(await table.page(query([e1, e2], { filter: "tags.site = 'north' and metrics.acc > 0.75" })))).toEqual(['a']);
    // Injection stays data.
    expect(names(await table.page(query([e1, e2], { filter: "params.lr = '0.01'' OR ''1''=''1'" })))).toEqual([]);
  });

  it('orders by a metric with runs missing it last, and pages with keyset cursors', async () => {
    const all = await table.page(query([e1, e2], { orderBy: ['metrics.loss ASC'] }));
    expect(names(all)).toEqual(['a', 'b', 'e', 'c']);
    expect(names(await table.page(query([e1, e2], { orderBy: ['metrics.loss DESC'] })))).toEqual(['e', 'b', 'a', 'c']);
    expect(names(await table.page(query([e1, e2], { orderBy: ['params.lr ASC'] })))).toEqual(['c', 'a', 'b', 'e']);

    const first = await table.page(query([e1, e2], { orderBy: ['metrics.loss ASC'], first: 2 }));
    expect(names(first)).toEqual(['a', 'b']);
    expect(first).toMatchObject({ hasNextPage: true, totalCount: 4 });
    const second = await table.page(query([e1, e2], { orderBy: ['metrics.loss ASC'], first: 2, after: first.cursors[1] }));
    expect(names(second)).toEqual(['e', 'c']);
    expect(second).toMatchObject({ hasNextPage: false, totalCount: 4 });
  });

  it.each([
    ['a filter that does not parse', { filter: 'params.lr =' }, 'filter'],
    ['a filter with SQL in it', { filter: "params.lr = '0.01'; DROP TABLE runs; --" }, 'filter'],
    ['an order in no direction', { orderBy: ['metrics.loss SIDEWAYS'] }, 'orderBy'],
    ['an order by an unknown attribute', { orderBy: ['attributes.colour ASC'] }, 'orderBy'],
    ['a cursor that is not one', { after: 'not-a-cursor' }, 'after'],
  ])('refuses %s naming the argument', async (_what, q, field) => {
    const refused = table.page(query([e1], q));
    await expect(refused).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { field } });
    await expect(refused).rejects.toThrow(new RegExp(`^${field}: `));
  });

  it('refuses a cursor of another order as `after`', async () => {
    const page = await table.page(query([e1], { orderBy: ['metrics.loss ASC'], first: 1 }));
    await expect(table.page(query([e1], { orderBy: ['metrics.loss DESC'], first: 1, after: page.cursors[0] }))).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'after: must be a cursor from pageInfo.endCursor of the same filter and order',
      details: { field: 'after' },
    });
    await expect(
      table.page(query([e1], { orderBy: ['metrics.loss ASC'], filter: 'metrics.loss > 0', after: page.cursors[0] })),
    ).rejects.toMatchObject({
      details: { field: 'after' },
    });
  });

  it('counts runs per param or tag value, in the table order with runs missing the key last', async () => {
    expect(await table.groups({ ...query([e1, e2]), by: 'params.lr' })).toEqual({
      groups: [
        { value: '0.001', count: 1 },
        { value: '0.01', count: 1 },
        { value: '0.1', count: 1 },
        { value: '1', count: 1 },
      ],
      truncated: false,
    });
    expect(await table.groups({ ...query([e1, e2]), by: 'tags.site' })).toEqual({
      groups: [
        { value: 'north', count: 2 },
        { value: 'south', count: 1 },
        { value: null, count: 1 },
      ],
      truncated: false,
    });
    expect(await table.groups({ ...query([e1, e2]), by: 'tags.site', filter: 'metrics.loss < 0.6' })).toEqual({
      groups: [
        { value: 'north', count: 1 },
        { value: 'south', count: 1 },
      ],
      truncated: false,
    });
  });

  it('refuses a grouping by anything but a param or tag as `by`, and a bad filter as `filter`', async () => {
    await expect(table.groups({ ...query([e1]), by: 'metrics.loss' })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: "by: group by a param or a tag (params.<key> or tags.<key>), not 'metrics.loss'",
      details: { field: 'by' },
    });
    await expect(table.groups({ ...query([e1]), by: 'params.lr', filter: 'params.lr =' })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'filter' },
    });
  });

  it("lists the column keys of the experiments' active runs", async () => {
    expect(await table.columnKeys(project.id, [e1.id])).toEqual({ params: ['lr'], metrics: ['acc', 'loss'], tags: ['site'] });
    expect(await table.columnKeys(project.id, [e2.id])).toEqual({ params: ['lr'], metrics: ['loss'], tags: [] });
  });
});
