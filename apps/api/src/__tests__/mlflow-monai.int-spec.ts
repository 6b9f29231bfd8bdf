/**
 * MONAI 1.3's MLFlowHandler call sequence, as its MlflowClient sends it, and what a reader of
 * the run sees afterwards. The handler's artifact PUT (mlflow-artifacts) is covered by the
 * artifact proxy's tests; this sequence stops before it.
 */
import { startTestApi, TestApi } from '../testing/api-harness';
import { mlflow, mlflowFixture, MlflowFixture } from './mlflow-api-helpers';

// Tests here make dozens of requests each; the machine is shared, so allow for a slow one.
jest.setTimeout(30000);

describe('MONAI MLFlowHandler sequence over the MLflow API', () => {
  let api: TestApi;
  let f: MlflowFixture;

  beforeAll(async () => {
    api = await startTestApi();
    f = await mlflowFixture(api, 'mlf-monai');
  }, 90000);
  afterAll(() => api.close());

  /** What MLFlowHandler.start() does: find or create the experiment, then reuse or create the run. */
  async function handlerStart(runName: string): Promise<{ experimentId: string; runId: string }> {
    let experiment = await mlflow(api, f.basic, 'GET', 'experiments/get-by-name', { experiment_name: 'monai_experiment' });
    if (experiment.status === 404) {
      expect(experiment.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
      const created = await mlflow(api, f.basic, 'POST', 'experiments/create', { name: 'monai_experiment' });
      expect(created.status).toBe(200);
      experiment = await mlflow(api, f.basic, 'GET', 'experiments/get', { experiment_id: created.body.experiment_id });
    }
    expect(experiment.status).toBe(200);
    const experimentId = experiment.body.experiment.experiment_id;
    const search = await mlflow(api, f.basic, 'POST', 'runs/search', {
      experiment_ids: [experimentId],
      filter: '',
      run_view_type: 'ACTIVE_ONLY',
      max_results: 1000,
    });
    expect(search.status).toBe(200);
    const existing = (search.body.runs ?? []).filter((r: { info: { run_name: string } }) => r.info.run_name === runName);
    if (existing.length) {
      const got = await mlflow(api, f.basic, 'GET', 'runs/get', {
        run_uuid: existing[existing.length - 1].info.run_id,
        run_id: existing[existing.length - 1].info.run_id,
      });
      return { experimentId, runId: got.body.run.info.run_id };
    }
    const created = await mlflow(api, f.basic, 'POST', 'runs/create', {
      experiment_id: experimentId,
      user_id: 'monai',
      run_name: runName,
      start_time: Date.now(),
      tags: [{ key: 'mlflow.runName', value: runName }],
    });
    expect(created.status).toBe(200);
    const got = await mlflow(api, f.basic, 'GET', 'runs/get', {
      run_uuid: created.body.run.info.run_id,
      run_id: created.body.run.info.run_id,
    });
    expect(got.status).toBe(200);
    return { experimentId, runId: got.body.run.info.run_id };
  }

  it('logs params once, metrics per iteration, finishes, and a reader sees it all', async () => {
    const { experimentId, runId } = await handlerStart('run_20261127');
    const params = { max_epochs: '5', learning_rate: '0.0001', network: 'UNet', 'amp/enabled': 'True' };
    const logParams = await mlflow(api, f.basic, 'POST', 'runs/log-batch', {
      run_id: runId,
      params: Object.entries(params).map(([key, value]) => ({ key, value })),
    });
    expect(logParams).toEqual({ status: 200, body: {} });
    const t0 = Date.now();
    for (let iteration = 1; iteration <= 20; iteration++) {
      const metrics = [{ key: 'Loss', value: 1 / iteration, timestamp: t0 + iteration, step: iteration }];
      if (iteration % 5 === 0)
        metrics.push({ key: 'val_mean_dice', value: iteration / 25, timestamp: t0 + iteration, step: iteration / 5 });
      expect((await mlflow(api, f.basic, 'POST', 'runs/log-batch', { run_id: runId, metrics, params: [], tags: [] })).status).toBe(200);
    }
    // The handler's artifact upload: the client PUTs the file through the artifact proxy at the run's artifact_uri.
    const checkpoint = Buffer.from('model weights '.repeat(1000));
    const artifactUrl = `${api.base}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/checkpoints/net_key_metric=0.8.pt`;
    const basicHeader = `Basic ${Buffer.from((f.basic as { basic: [string, string] }).basic.join(':')).toString('base64')}`;
    const put = await fetch(artifactUrl, {
      method: 'PUT',
      headers: { authorization: basicHeader, 'content-type': 'application/octet-stream' },
      body: checkpoint,
    });
    expect(put.status).toBe(200);
    const end = t0 + 1000;
    const finished = await mlflow(api, f.basic, 'POST', 'runs/update', {
      run_uuid: runId,
      run_id: runId,
      status: 'FINISHED',
      end_time: end,
    });
    expect(finished.body.run_info).toMatchObject({ run_id: runId, status: 'FINISHED', end_time: end });

    // A reader (another client of the project, by token) sees the finished run.
    const run = (await mlflow(api, f.token, 'GET', 'runs/get', { run_id: runId })).body.run;
    expect(run.info).toMatchObject({
      experiment_id: experimentId,
      run_name: 'run_20261127',
      status: 'FINISHED',
      end_time: end,
      user_id: f.username,
      lifecycle_stage: 'active',
    });
    expect(run.data.params).toEqual(expect.arrayContaining(Object.entries(params).map(([key, value]) => ({ key, value }))));
    expect(run.data.params).toHaveLength(4);
    expect(run.data.metrics).toEqual(
      expect.arrayContaining([
        { key: 'Loss', value: 1 / 20, timestamp: t0 + 20, step: 20 },
        { key: 'val_mean_dice', value: 0.8, timestamp: t0 + 20, step: 4 },
      ]),
    );
    const history = await mlflow(api, f.token, 'GET', 'metrics/get-history', { run_id: runId, metric_key: 'Loss', max_results: 25000 });
    expect(history.body.metrics).toHaveLength(20);
    const listed = await mlflow(api, f.token, 'GET', '/api/2.0/mlflow-artifacts/artifacts', {
      path: `${experimentId}/${runId}/artifacts/checkpoints`,
    });
    expect(listed.body.files).toEqual([{ path: 'net_key_metric=0.8.pt', is_dir: false, file_size: checkpoint.length }]);
    const downloaded = await fetch(artifactUrl, { headers: { authorization: `Bearer ${(f.token as { bearer: string }).bearer}` } });
    expect(Buffer.from(await downloaded.arrayBuffer()).equals(checkpoint)).toBe(true);

    // A second handler start with the same run name finds the experiment and reuses the run.
    const again = await handlerStart('run_20261127');
    expect(again).toEqual({ experimentId, runId });
    // Its repeated param batch is accepted (same values) and changes nothing.
    expect(
      (
        await mlflow(api, f.basic, 'POST', 'runs/log-batch', {
          run_id: runId,
          params: Object.entries(params).map(([key, value]) => ({ key, value })),
        })
      ).status,
    ).toBe(200);
    expect((await mlflow(api, f.token, 'GET', 'runs/get', { run_id: runId })).body.run.data.params).toHaveLength(4);
  });
});
