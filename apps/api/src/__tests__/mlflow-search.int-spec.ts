/**
 * runs/search with MLflow's filter grammar and order_by on real PostgreSQL: metrics compare
 * numerically on the latest value, params and tags as strings, attributes, run_id IN, dataset
 * inputs (name, digest, context), default order start_time DESC then run_id, paging, view
 * types, and injection attempts kept inert.
 */
import { startTestApi, TestApi } from '../testing/api-harness';
import { mlflow, mlflowFixture, MlflowFixture } from './mlflow-api-helpers';

// Tests here make dozens of requests each; the machine is shared, so allow for a slow one.
jest.setTimeout(30000);

describe('MLflow runs/search', () => {
  let api: TestApi;
  let f: MlflowFixture;
  let experimentId: string;
  const ids: Record<string, string> = {};

  const search = async (args: Record<string, unknown>) => {
    const r = await mlflow(api, f.token, 'POST', 'runs/search', { experiment_ids: [experimentId], ...args });
    expect(r.status).toBe(200);
    return r.body;
  };
  const names = async (args: Record<string, unknown>) =>
    ((await search(args)).runs ?? []).map((r: { info: { run_name: string } }) => r.info.run_name);

  beforeAll(async () => {
    api = await startTestApi();
    f = await mlflowFixture(api, 'mlf-search');
    experimentId = (await mlflow(api, f.token, 'POST', 'experiments/create', { name: 'search-exp' })).body.experiment_id;
    // name, start_time, latest loss, lr param, tag, final status
    const runs: [string, number, number | null, string, string, string][] = [
      ['r1', 1000, 0.9, '0.1', 'dev', 'FINISHED'],
      ['r2', 2000, 0.3, '0.01', 'dev', 'FINISHED'],
      ['r3', 3000, 0.1, '0.01', 'prod', 'FAILED'],
      ['r4', 4000, null, '9', 'it\'s "quoted"', 'RUNNING'],
    ];
    for (const [name, start, loss, lr, stage, status] of runs) {
      const id = (await mlflow(api, f.token, 'POST', 'runs/create', { experiment_id: experimentId, run_name: name, start_time: start }))
        .body.run.info.run_id;
      ids[name] = id;
      const metrics =
        loss === null
          ? []
          : [
              { key: 'loss', value: loss + 1, timestamp: start, step: 0 },
              { key: 'loss', value: loss, timestamp: start + 1, step: 1 },
            ];
      await mlflow(api, f.token, 'POST', 'runs/log-batch', {
        run_id: id,
        metrics,
        params: [{ key: 'lr', value: lr }],
        tags: [{ key: 'stage', value: stage }],
      });
      if (status !== 'RUNNING') await mlflow(api, f.token, 'POST', 'runs/update', { run_id: id, status, end_time: start + 500 });
    }
  }, 90000);
  afterAll(() => api.close());

  it('returns every run, newest start first, with no filter (as MONAI calls it)', async () => {
    expect(await names({})).toEqual(['r4', 'r3', 'r2', 'r1']);
    expect(await names({ filter: '' })).toEqual(['r4', 'r3', 'r2', 'r1']);
  });

  it('compares metrics numerically on the latest value', async () => {
    expect(await names({ filter: 'metrics.loss < 0.5' })).toEqual(['r3', 'r2']);
    expect(await names({ filter: 'metrics.loss >= 0.3' })).toEqual(['r2', 'r1']);
    expect(await names({ filter: 'metrics.loss > 1.5' })).toEqual([]);
    expect(await names({ filter: 'metrics.`loss` != 0.9' })).toEqual(['r3', 'r2']);
  });

  it('compares params and tags as strings, with LIKE and ILIKE', async () => {
    expect(await names({ filter: "params.lr = '0.01'" })).toEqual(['r3', 'r2']);
    expect(await names({ filter: "params.lr != '0.01'" })).toEqual(['r4', 'r1']);
    expect(await names({ filter: "params.lr LIKE '0.%'" })).toEqual(['r3', 'r2', 'r1']);
    expect(await names({ filter: "tags.stage ILIKE 'DE%'" })).toEqual(['r2', 'r1']);
    expect(await names({ filter: "tags.stage LIKE 'DE%'" })).toEqual([]);
    expect(await names({ filter: "metrics.loss < 0.5 and params.lr = '0.01' and tags.stage = 'dev'" })).toEqual(['r2']);
  });

  it('filters on attributes and run_id IN / NOT IN', async () => {
    expect(await names({ filter: "attributes.status = 'FINISHED'" })).toEqual(['r2', 'r1']);
    expect(await names({ filter: "status != 'FINISHED'" })).toEqual(['r4', 'r3']);
    expect(await names({ filter: "attributes.run_name LIKE 'r%' and start_time >= 2000 and start_time < 4000" })).toEqual(['r3', 'r2']);
    expect(await names({ filter: `attributes.run_id IN ('${ids.r1}', '${ids.r3}')` })).toEqual(['r3', 'r1']);
    expect(await names({ filter: `run_id NOT IN ('${ids.r1}')` })).toEqual(['r4', 'r3', 'r2']);
    expect(await names({ filter: `attributes.user_id = '${f.username}'` })).toHaveLength(4);
    expect(await names({ filter: 'end_time > 0' })).toEqual(['r3', 'r2', 'r1']);
    expect(await names({ filter: `attributes.artifact_uri LIKE '%${ids.r2}%'` })).toEqual(['r2']);
  });

  it('orders by metrics, params, tags and attributes, missing values last', async () => {
    expect(await names({ order_by: ['metrics.loss ASC'] })).toEqual(['r3', 'r2', 'r1', 'r4']);
    expect(await names({ order_by: ['metrics.loss DESC'] })).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(await names({ order_by: ['params.lr DESC', 'attributes.run_name ASC'] })).toEqual(['r4', 'r1', 'r2', 'r3']);
    expect(await names({ order_by: ['start_time ASC'] })).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(await names({ order_by: ['tags.stage ASC', 'run_name DESC'] })).toEqual(['r2', 'r1', 'r4', 'r3']);
  });

  it('pages with max_results and page_token until no token is returned', async () => {
    const first = await search({ max_results: 3 });
    expect(first.runs.map((r: { info: { run_name: string } }) => r.info.run_name)).toEqual(['r4', 'r3', 'r2']);
    expect(first.next_page_token).toEqual(expect.any(String));
    const second = await search({ max_results: '3', page_token: first.next_page_token });
    expect(second.runs.map((r: { info: { run_name: string } }) => r.info.run_name)).toEqual(['r1']);
    expect(second).not.toHaveProperty('next_page_token');
    expect(await search({ filter: "tags.stage = 'none'" })).toEqual({});
    // Unknown experiments hold no runs (MLflow answers a search of them with nothing, not an error).
    expect(await mlflow(api, f.token, 'POST', 'runs/search', { experiment_ids: ['987654'] })).toEqual({ status: 200, body: {} });
    expect((await mlflow(api, f.token, 'POST', 'runs/search', { experiment_ids: ['987654', experimentId] })).body.runs).toHaveLength(4);
  });

  it('honours run_view_type', async () => {
    await mlflow(api, f.token, 'POST', 'runs/delete', { run_id: ids.r1 });
    expect(await names({})).toEqual(['r4', 'r3', 'r2']);
    expect(await names({ run_view_type: 'DELETED_ONLY' })).toEqual(['r1']);
    expect(await names({ run_view_type: 'ALL' })).toEqual(['r4', 'r3', 'r2', 'r1']);
    await mlflow(api, f.token, 'POST', 'runs/restore', { run_id: ids.r1 });
  });

  it('returns full runs (metrics, params, tags, inputs) in MLflow shape', async () => {
    const run = (await search({ filter: `run_id IN ('${ids.r2}')` })).runs[0];
    expect(run).toEqual({
      info: expect.objectContaining({ run_id: ids.r2, status: 'FINISHED', end_time: 2500, start_time: 2000 }),
      data: {
        metrics: [{ key: 'loss', value: 0.3, timestamp: 2001, step: 1 }],
        params: [{ key: 'lr', value: '0.01' }],
        tags: expect.arrayContaining([{ key: 'stage', value: 'dev' }]),
      },
      inputs: {},
    });
  });

  it('refuses bad filters, order_by and max_results with INVALID_PARAMETER_VALUE', async () => {
    for (const args of [
      { filter: 'metrics.loss < 1 OR 1=1' },
      { filter: "params.lr > '1'" },
      { filter: 'metrics.loss' },
      { order_by: ['metrics.loss SIDEWAYS'] },
      { max_results: 50001 },
      { page_token: '%%%' },
    ]) {
      const r = await mlflow(api, f.token, 'POST', 'runs/search', { experiment_ids: [experimentId], ...args });
      expect({ args, status: r.status, code: r.body.error_code }).toEqual({ args, status: 400, code: 'INVALID_PARAMETER_VALUE' });
    }
  });

  it('binds injection attempts as values: they match literally and change nothing', async () => {
    expect(await names({ filter: `tags.stage = 'it''s "quoted"'` })).toEqual(['r4']);
    expect(await names({ filter: `tags.stage = "it's \\"quoted\\""` })).toEqual(['r4']);
    expect(await names({ filter: "tags.stage = 'x'' OR ''1''=''1'" })).toEqual([]);
    expect(await names({ filter: "params.`lr'; DELETE FROM runs; --` = '1'" })).toEqual([]);
    expect(await names({ order_by: ['params.`lr) DESC; DELETE FROM runs; --`'] })).toHaveLength(4);
    expect(await names({})).toHaveLength(4);
  });
});

describe('MLflow runs/search on dataset inputs (datasets.name, datasets.digest, datasets.context)', () => {
  let api: TestApi;
  let f: MlflowFixture;
  let experimentId: string;

  const search = (args: Record<string, unknown>) =>
    mlflow(api, f.token, 'POST', 'runs/search', { experiment_ids: [experimentId], ...args });
  const names = async (filter: string) => {
    const r = await search({ filter });
    expect({ filter, status: r.status }).toEqual({ filter, status: 200 });
    return (r.body.runs ?? []).map((run: { info: { run_name: string } }) => run.info.run_name);
  };
  const dataset = (name: string, digest: string, context?: string) => ({
    ...(context === undefined ? {} : { tags: [{ key: 'mlflow.data.context', value: context }] }),
    dataset: { name, digest, source_type: 'code', source: '{}' },
  });

  beforeAll(async () => {
    api = await startTestApi();
    f = await mlflowFixture(api, 'mlf-search-ds');
    experimentId = (await mlflow(api, f.token, 'POST', 'experiments/create', { name: 'search-datasets' })).body.experiment_id;
    const runs: [string, number, ReturnType<typeof dataset>[]][] = [
      ['d1', 1000, [dataset('mnist', 'aaa', 'training')]],
      ['d2', 2000, [dataset('mnist', 'bbb', 'eval'), dataset('cifar', 'ccc', 'training')]],
      ['d3', 3000, []],
      ['d4', 4000, [dataset('imagenet', 'ddd'), dataset("o'brien", 'eee', 'Training')]],
    ];
    for (const [name, start, datasets] of runs) {
      const id = (await mlflow(api, f.token, 'POST', 'runs/create', { experiment_id: experimentId, run_name: name, start_time: start }))
        .body.run.info.run_id;
      await mlflow(api, f.token, 'POST', 'runs/log-batch', { run_id: id, params: [{ key: 'lr', value: name === 'd2' ? '0.1' : '0.01' }] });
      if (datasets.length) expect((await mlflow(api, f.token, 'POST', 'runs/log-inputs', { run_id: id, datasets })).status).toBe(200);
    }
  }, 90000);
  afterAll(() => api.close());

  it('matches runs with some dataset input of that name or digest', async () => {
    expect(await names("datasets.name = 'mnist'")).toEqual(['d2', 'd1']);
    expect(await names("dataset.digest = 'ccc'")).toEqual(['d2']);
    expect(await names("datasets.name = 'missing'")).toEqual([]);
    expect(await names("datasets.name LIKE 'mn%'")).toEqual(['d2', 'd1']);
    expect(await names("datasets.name LIKE 'MN%'")).toEqual([]);
    expect(await names("datasets.name ILIKE 'MN%'")).toEqual(['d2', 'd1']);
    expect(await names("datasets.digest IN ('aaa', 'ddd')")).toEqual(['d4', 'd1']);
  });

  it('reads != and NOT IN as MLflow does: some dataset input differs (runs without inputs never match)', async () => {
    expect(await names("datasets.name != 'mnist'")).toEqual(['d4', 'd2']);
    expect(await names("datasets.name NOT IN ('mnist', 'cifar')")).toEqual(['d4']);
    expect(await names("datasets.digest NOT IN ('aaa')")).toEqual(['d4', 'd2']);
  });

  it("matches datasets.context against the input's mlflow.data.context tag", async () => {
    expect(await names("datasets.context = 'training'")).toEqual(['d2', 'd1']);
    expect(await names("datasets.context = 'Training'")).toEqual(['d4']);
    expect(await names("datasets.context ILIKE 'train%'")).toEqual(['d4', 'd2', 'd1']);
    expect(await names("datasets.context != 'training'")).toEqual(['d4', 'd2']);
    expect(await names("datasets.context IN ('eval')")).toEqual(['d2']);
    expect(await names("datasets.context NOT IN ('training', 'eval')")).toEqual(['d4']);
  });

  it('combines dataset conditions with each other and with params, metrics and attributes', async () => {
    expect(await names("datasets.name = 'mnist' and datasets.context = 'eval'")).toEqual(['d2']);
    expect(await names("datasets.name = 'mnist' and params.lr = '0.01'")).toEqual(['d1']);
    expect(await names("datasets.context = 'training' and start_time > 1500")).toEqual(['d2']);
    expect(
      (await search({ filter: "datasets.name = 'mnist'", order_by: ['start_time ASC'] })).body.runs.map(
        (r: { info: { run_name: string } }) => r.info.run_name,
      ),
    ).toEqual(['d1', 'd2']);
  });

  it('refuses comparators, keys and order_by MLflow refuses for datasets with INVALID_PARAMETER_VALUE', async () => {
    const r = await search({ filter: "datasets.name > 'a'" });
    expect(r).toEqual({
      status: 400,
      body: {
        error_code: 'INVALID_PARAMETER_VALUE',
        message:
          "Invalid filter string 'datasets.name > 'a'': comparator '>' is not valid for 'datasets.name'; use one of =, !=, LIKE, ILIKE, IN, NOT IN.",
      },
    });
    for (const args of [
      { filter: "datasets.size = '1'" },
      { filter: 'datasets.digest = 1' },
      { filter: "datasets.name IN 'mnist'" },
      { order_by: ['datasets.name'] },
    ]) {
      const res = await search(args);
      expect({ args, status: res.status, code: res.body.error_code }).toEqual({ args, status: 400, code: 'INVALID_PARAMETER_VALUE' });
    }
  });

  it('binds injection attempts as values: they match only literally and change nothing', async () => {
    expect(await names("datasets.name = 'o''brien'")).toEqual(['d4']);
    expect(await names(`datasets.name = "o'brien"`)).toEqual(['d4']);
    expect(await names("datasets.name = 'x'' OR ''1''=''1'")).toEqual([]);
    expect(await names("datasets.name = 'x''; DELETE FROM run_inputs; --'")).toEqual([]);
    expect(await names("datasets.context IN ('a'') OR 1=1 --')")).toEqual([]);
    expect(await names("datasets.digest LIKE '%'' OR 1=1 --'")).toEqual([]);
    const refused = await search({ filter: "datasets.name = 'mnist' OR 1=1" });
    expect([refused.status, refused.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    // The inputs are all still there.
    expect(await names("datasets.name LIKE '%'")).toEqual(['d4', 'd2', 'd1']);
  });
});
