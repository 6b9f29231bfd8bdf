/**
 * The MLflow 2.x tracking endpoints against real PostgreSQL and S3, written from MLflow's REST
 * reference: status codes, error_code, response shapes, limits and write-once params.
 */
import { gqlOk, login, newUser, rest, startTestApi, TestApi } from '../testing/api-harness';
import { mlflow, mlflowFixture, MlflowFixture, WireJson } from './mlflow-api-helpers';

// Tests here make dozens of requests each; the machine is shared, so allow for a slow one.
jest.setTimeout(30000);

describe('MLflow tracking API: experiments, runs, metrics', () => {
  let api: TestApi;
  let f: MlflowFixture;
  let other: MlflowFixture;

  beforeAll(async () => {
    api = await startTestApi();
    f = await mlflowFixture(api, 'mlf-main');
    other = await mlflowFixture(api, 'mlf-other', f.admin);
  }, 90000);
  afterAll(() => api.close());

  const createRun = async (experimentId: string, extra: Record<string, unknown> = {}) => {
    const r = await mlflow(api, f.token, 'POST', 'runs/create', { experiment_id: experimentId, start_time: 1700000000000, ...extra });
    expect(r.status).toBe(200);
    return r.body.run.info.run_id as string;
  };

  describe('experiments', () => {
    it('creates, gets by id and by name, with tags, in MLflow shape', async () => {
      const created = await mlflow(api, f.token, 'POST', 'experiments/create', {
        name: 'exp-a',
        tags: [{ key: 'purpose', value: 'test' }],
      });
      expect(created).toEqual({ status: 200, body: { experiment_id: expect.stringMatching(/^\d+$/) } });
      const id = created.body.experiment_id;
      const got = await mlflow(api, f.token, 'GET', 'experiments/get', { experiment_id: id });
      expect(got.status).toBe(200);
      expect(got.body).toEqual({
        experiment: {
          experiment_id: id,
          name: 'exp-a',
          artifact_location: `mlflow-artifacts:/${id}`,
          lifecycle_stage: 'active',
          last_update_time: expect.any(Number),
          creation_time: expect.any(Number),
          tags: [{ key: 'purpose', value: 'test' }],
        },
      });
      const byName = await mlflow(api, f.token, 'GET', 'experiments/get-by-name', { experiment_name: 'exp-a' });
      expect(byName.body).toEqual(got.body);
    });

    it("accepts a client artifact_location, keeps Caliper's own and records the request as a tag", async () => {
      const created = await mlflow(api, f.token, 'POST', 'experiments/create', {
        name: 'exp-located',
        artifact_location: 's3://team-bucket/experiments/located',
        tags: [{ key: 'purpose', value: 'test' }],
      });
      expect(created.status).toBe(200);
      const id = created.body.experiment_id;
      const got = (await mlflow(api, f.token, 'GET', 'experiments/get', { experiment_id: id })).body.experiment;
      expect(got.artifact_location).toBe(`mlflow-artifacts:/${id}`);
      expect(got.tags).toHaveLength(2);
      expect(got.tags).toEqual(
        expect.arrayContaining([
          { key: 'caliper.requested_artifact_location', value: 's3://team-bucket/experiments/located' },
          { key: 'purpose', value: 'test' },
        ]),
      );
      // Runs store their artifacts through Caliper's proxy, not at the requested location.
      const runId = await createRun(id);
      expect((await mlflow(api, f.token, 'GET', 'runs/get', { run_id: runId })).body.run.info.artifact_uri).toBe(
        `mlflow-artifacts:/${id}/${runId}/artifacts`,
      );
      // An empty location is MLflow's "not given": nothing to record.
      const plain = (await mlflow(api, f.token, 'POST', 'experiments/create', { name: 'exp-unlocated', artifact_location: '' })).body
        .experiment_id;
      expect((await mlflow(api, f.token, 'GET', 'experiments/get', { experiment_id: plain })).body.experiment).not.toHaveProperty('tags');
    });

    it('refuses the artifact_location values MLflow 2.10.2 refuses, creating nothing', async () => {
      for (const [i, [location, message]] of [
        [
          'runs:/0123456789abcdef0123456789abcdef/artifacts',
          "Artifact location cannot be a runs:/ URI. Given: 'runs:/0123456789abcdef0123456789abcdef/artifacts'",
        ],
        ['http://host/#/../../../../etc', "'artifact_location' URL can't include fragments or params."],
        ['http://host/;..%2F..%2Fetc', "'artifact_location' URL can't include fragments or params."],
        ['file:///tmp/exp?x=%252E%252E%252Fetc', 'Invalid query string'],
      ].entries()) {
        const name = `bad-location-${i}`;
        expect({ location, ...(await mlflow(api, f.token, 'POST', 'experiments/create', { name, artifact_location: location })) }).toEqual({
          location,
          status: 400,
          body: { error_code: 'INVALID_PARAMETER_VALUE', message },
        });
        expect((await mlflow(api, f.token, 'GET', 'experiments/get-by-name', { experiment_name: name })).status).toBe(404);
      }
      expect(
        (await mlflow(api, f.token, 'POST', 'experiments/create', { name: 'bad-location-type', artifact_location: 42 })).body.error_code,
      ).toBe('INVALID_PARAMETER_VALUE');
    });

    it('maps experiment "0" to the project Default experiment', async () => {
      const got = await mlflow(api, f.token, 'GET', 'experiments/get', { experiment_id: '0' });
      expect(got.status).toBe(200);
      expect(got.body.experiment.name).toBe('Default');
      expect(got.body.experiment).not.toHaveProperty('tags');
    });

    it('refuses a duplicate name, a missing name and unknown experiments with MLflow errors', async () => {
      await mlflow(api, f.token, 'POST', 'experiments/create', { name: 'dup' });
      expect(await mlflow(api, f.token, 'POST', 'experiments/create', { name: 'dup' })).toEqual({
        status: 400,
        body: { error_code: 'RESOURCE_ALREADY_EXISTS', message: expect.stringContaining('dup') },
      });
      expect(await mlflow(api, f.token, 'POST', 'experiments/create', {})).toEqual({
        status: 400,
        body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("'name'") },
      });
      expect(await mlflow(api, f.token, 'GET', 'experiments/get', { experiment_id: '987654' })).toEqual({
        status: 404,
        body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'No Experiment with id=987654 exists' },
      });
      expect(await mlflow(api, f.token, 'GET', 'experiments/get-by-name', { experiment_name: 'nope' })).toEqual({
        status: 404,
        body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Could not find experiment with name 'nope'" },
      });
    });

    it("deletes an experiment's runs with it and restores them with it, as MLflow's store does", async () => {
      const id = (await mlflow(api, f.token, 'POST', 'experiments/create', { name: 'cascade' })).body.experiment_id;
      const kept = await createRun(id);
      const gone = await createRun(id);
      expect((await mlflow(api, f.token, 'POST', 'runs/delete', { run_id: gone })).status).toBe(200);
      expect((await mlflow(api, f.token, 'POST', 'experiments/delete', { experiment_id: id })).status).toBe(200);
      const stage = async (run: string) => (await mlflow(api, f.token, 'GET', 'runs/get', { run_id: run })).body.run.info.lifecycle_stage;
      expect([await stage(kept), await stage(gone)]).toEqual(['deleted', 'deleted']);
      expect(await mlflow(api, f.token, 'POST', 'runs/log-metric', { run_id: kept, key: 'x', value: 1, timestamp: 1 })).toEqual({
        status: 400,
        body: {
          error_code: 'INVALID_PARAMETER_VALUE',
          message: `The run ${kept} must be in the 'active' state. Current state is deleted.`,
        },
      });
      const search = async (view: string) =>
        ((await mlflow(api, f.token, 'POST', 'runs/search', { experiment_ids: [id], run_view_type: view })).body.runs ?? [])
          .map((r: WireJson) => r.info.run_id)
          .sort();
      expect(await search('ACTIVE_ONLY')).toEqual([]);
      expect(await search('DELETED_ONLY')).toEqual([kept, gone].sort());
      expect((await mlflow(api, f.token, 'POST', 'experiments/restore', { experiment_id: id })).status).toBe(200);
      // MLflow restores every run of the experiment, the one deleted on its own before too.
      expect(await search('ACTIVE_ONLY')).toEqual([kept, gone].sort());
      expect((await mlflow(api, f.token, 'POST', 'runs/log-metric', { run_id: kept, key: 'x', value: 1, timestamp: 1 })).status).toBe(200);
    });

    it('renames, tags, deletes and restores', async () => {
      const id = (await mlflow(api, f.token, 'POST', 'experiments/create', { name: 'to-rename' })).body.experiment_id;
      expect(await mlflow(api, f.token, 'POST', 'experiments/update', { experiment_id: id, new_name: 'renamed' })).toEqual({
        status: 200,
        body: {},
      });
      expect(await mlflow(api, f.token, 'POST', 'experiments/set-experiment-tag', { experiment_id: id, key: 'team', value: 'ml' })).toEqual(
        { status: 200, body: {} },
      );
      const got = (await mlflow(api, f.token, 'GET', 'experiments/get', { experiment_id: id })).body.experiment;
      expect(got).toMatchObject({ name: 'renamed', tags: [{ key: 'team', value: 'ml' }] });
      expect(await mlflow(api, f.token, 'POST', 'experiments/delete', { experiment_id: id })).toEqual({ status: 200, body: {} });
      expect((await mlflow(api, f.token, 'GET', 'experiments/get', { experiment_id: id })).body.experiment.lifecycle_stage).toBe('deleted');
      expect((await mlflow(api, f.token, 'POST', 'experiments/delete', { experiment_id: id })).body.error_code).toBe(
        'RESOURCE_DOES_NOT_EXIST',
      );
      expect(await mlflow(api, f.token, 'POST', 'runs/create', { experiment_id: id })).toEqual({
        status: 400,
        body: {
          error_code: 'INVALID_PARAMETER_VALUE',
          message: `The experiment ${id} must be in the 'active' state. Current state is deleted.`,
        },
      });
      expect(await mlflow(api, f.token, 'POST', 'experiments/restore', { experiment_id: id })).toEqual({ status: 200, body: {} });
      expect((await mlflow(api, f.token, 'GET', 'experiments/get', { experiment_id: id })).body.experiment.lifecycle_stage).toBe('active');
      const badTag = await mlflow(api, f.token, 'POST', 'experiments/set-experiment-tag', { experiment_id: id, key: '../x', value: 'v' });
      expect(badTag).toEqual({
        status: 400,
        body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("Invalid tag name: '../x'") },
      });
    });

    it('searches by name and tag with LIKE/ILIKE, orders, pages and filters by view type', async () => {
      for (const name of ['srch-alpha', 'srch-beta', 'srch-gamma']) {
        const id = (
          await mlflow(api, f.token, 'POST', 'experiments/create', {
            name,
            tags: [{ key: 'grp', value: name === 'srch-beta' ? 'B' : 'A' }],
          })
        ).body.experiment_id;
        if (name === 'srch-gamma') await mlflow(api, f.token, 'POST', 'experiments/delete', { experiment_id: id });
      }
      const names = (r: { body: WireJson }) => (r.body.experiments ?? []).map((e: { name: string }) => e.name);
      expect(
        names(await mlflow(api, f.token, 'POST', 'experiments/search', { filter: "name LIKE 'srch-%'", order_by: ['name ASC'] })),
      ).toEqual(['srch-alpha', 'srch-beta']);
      expect(
        names(
          await mlflow(api, f.token, 'POST', 'experiments/search', {
            filter: "name ILIKE 'SRCH-%'",
            order_by: ['name DESC'],
            view_type: 'ALL',
          }),
        ),
      ).toEqual(['srch-gamma', 'srch-beta', 'srch-alpha']);
      expect(names(await mlflow(api, f.token, 'POST', 'experiments/search', { filter: "tags.grp = 'B'" }))).toEqual(['srch-beta']);
      expect(
        names(await mlflow(api, f.token, 'POST', 'experiments/search', { filter: "name LIKE 'srch-%'", view_type: 'DELETED_ONLY' })),
      ).toEqual(['srch-gamma']);
      const first = await mlflow(api, f.token, 'POST', 'experiments/search', {
        filter: "name LIKE 'srch-%'",
        order_by: ['name'],
        max_results: 1,
      });
      expect(names(first)).toEqual(['srch-alpha']);
      expect(first.body.next_page_token).toEqual(expect.any(String));
      const second = await mlflow(api, f.token, 'GET', 'experiments/search', {
        filter: "name LIKE 'srch-%'",
        order_by: 'name',
        max_results: '1',
        page_token: first.body.next_page_token,
      });
      expect(names(second)).toEqual(['srch-beta']);
      expect(second.body).not.toHaveProperty('next_page_token');
      expect(await mlflow(api, f.token, 'POST', 'experiments/search', { filter: "name LIKE 'none-%'" })).toEqual({ status: 200, body: {} });
      expect((await mlflow(api, f.token, 'POST', 'experiments/search', { filter: "name = 'x' OR name = 'y'" })).body.error_code).toBe(
        'INVALID_PARAMETER_VALUE',
      );
      // Another project's experiments are invisible to this token.
      await mlflow(api, other.token, 'POST', 'experiments/create', { name: 'srch-other' });
      expect(names(await mlflow(api, f.token, 'POST', 'experiments/search', { filter: "name = 'srch-other'" }))).toEqual([]);
    });
  });

  describe('runs', () => {
    let experimentId: string;
    beforeAll(async () => {
      experimentId = (await mlflow(api, f.token, 'POST', 'experiments/create', { name: 'runs-exp' })).body.experiment_id;
    });

    it('creates a run in MLflow shape (user_id is the Caliper user, no end_time while running, no inputs)', async () => {
      const r = await mlflow(api, f.token, 'POST', 'runs/create', {
        experiment_id: experimentId,
        user_id: 'root',
        run_name: 'first',
        start_time: '1700000000000',
        tags: [{ key: 'mlflow.source.type', value: 'LOCAL' }],
      });
      expect(r.status).toBe(200);
      const id = r.body.run.info.run_id;
      expect(r.body).toEqual({
        run: {
          info: {
            run_uuid: id,
            run_id: id,
            experiment_id: experimentId,
            run_name: 'first',
            user_id: f.username,
            status: 'RUNNING',
            start_time: 1700000000000,
            artifact_uri: `mlflow-artifacts:/${experimentId}/${id}/artifacts`,
            lifecycle_stage: 'active',
          },
          data: {
            tags: expect.arrayContaining([
              { key: 'mlflow.source.type', value: 'LOCAL' },
              { key: 'mlflow.runName', value: 'first' },
            ]),
          },
        },
      });
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      const got = await mlflow(api, f.token, 'GET', 'runs/get', { run_id: id });
      expect(got.body.run.inputs).toEqual({});
      expect(got.body.run.info).not.toHaveProperty('end_time');
    });

    it('creates runs in the Default experiment for experiment "0"', async () => {
      const id = await createRun('0');
      const got = await mlflow(api, f.token, 'GET', 'runs/get', { run_uuid: id });
      const def = await mlflow(api, f.token, 'GET', 'experiments/get', { experiment_id: '0' });
      expect(got.body.run.info.experiment_id).toBe(def.body.experiment.experiment_id);
    });

    it('logs metrics, params and tags one by one and reads them back', async () => {
      const id = await createRun(experimentId);
      expect(
        await mlflow(api, f.token, 'POST', 'runs/log-metric', { run_id: id, key: 'loss', value: 0.5, timestamp: 1700000000100, step: 1 }),
      ).toEqual({ status: 200, body: {} });
      expect(
        (
          await mlflow(api, f.token, 'POST', 'runs/log-metric', {
            run_uuid: id,
            key: 'loss',
            value: 0.25,
            timestamp: '1700000000200',
            step: '2',
          })
        ).status,
      ).toBe(200);
      expect((await mlflow(api, f.token, 'POST', 'runs/log-parameter', { run_id: id, key: 'lr', value: '0.01' })).status).toBe(200);
      expect((await mlflow(api, f.token, 'POST', 'runs/set-tag', { run_id: id, key: 'stage', value: 'dev' })).status).toBe(200);
      expect((await mlflow(api, f.token, 'POST', 'runs/set-tag', { run_id: id, key: 'stage', value: 'prod' })).status).toBe(200);
      expect((await mlflow(api, f.token, 'POST', 'runs/set-tag', { run_id: id, key: 'gone', value: 'x' })).status).toBe(200);
      expect(await mlflow(api, f.token, 'POST', 'runs/delete-tag', { run_id: id, key: 'gone' })).toEqual({ status: 200, body: {} });
      expect(await mlflow(api, f.token, 'POST', 'runs/delete-tag', { run_id: id, key: 'gone' })).toEqual({
        status: 404,
        body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `No tag with name: gone in run with id ${id}` },
      });
      const run = (await mlflow(api, f.token, 'GET', 'runs/get', { run_id: id })).body.run;
      expect(run.data.metrics).toEqual([{ key: 'loss', value: 0.25, timestamp: 1700000000200, step: 2 }]);
      expect(run.data.params).toEqual([{ key: 'lr', value: '0.01' }]);
      expect(run.data.tags).toContainEqual({ key: 'stage', value: 'prod' });
      expect(run.data.tags.map((t: { key: string }) => t.key)).not.toContain('gone');
    });

    it('keeps params write-once: the same value again is fine, a different one is INVALID_PARAMETER_VALUE', async () => {
      const id = await createRun(experimentId);
      expect((await mlflow(api, f.token, 'POST', 'runs/log-parameter', { run_id: id, key: 'bs', value: '32' })).status).toBe(200);
      expect((await mlflow(api, f.token, 'POST', 'runs/log-parameter', { run_id: id, key: 'bs', value: '32' })).status).toBe(200);
      const changed = await mlflow(api, f.token, 'POST', 'runs/log-parameter', { run_id: id, key: 'bs', value: '64' });
      expect(changed).toEqual({
        status: 400,
        body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('Changing param values is not allowed') },
      });
      const batch = await mlflow(api, f.token, 'POST', 'runs/log-batch', {
        run_id: id,
        params: [{ key: 'bs', value: '128' }],
        metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }],
      });
      expect(batch.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      // Nothing of the refused batch was written.
      expect((await mlflow(api, f.token, 'GET', 'runs/get', { run_id: id })).body.run.data.metrics).toBeUndefined();
    });

    it('enforces log-batch limits, duplicate param keys and key rules with MLflow messages', async () => {
      const id = await createRun(experimentId);
      const metrics = (n: number) => Array.from({ length: n }, (_, i) => ({ key: 'm', value: i, timestamp: 1700000000000 + i, step: i }));
      expect((await mlflow(api, f.token, 'POST', 'runs/log-batch', { run_id: id, metrics: metrics(1000) })).status).toBe(200);
      // Well over Express's 100 KB default body limit: 1000 metrics with 200-character keys.
      const longKeys = metrics(1000).map((m, i) => ({ ...m, key: `k${i % 10}/${'x'.repeat(200)}` }));
      expect(JSON.stringify({ metrics: longKeys }).length).toBeGreaterThan(200_000);
      expect((await mlflow(api, f.token, 'POST', 'runs/log-batch', { run_id: id, metrics: longKeys })).status).toBe(200);
      expect(await mlflow(api, f.token, 'POST', 'runs/log-batch', { run_id: id, metrics: metrics(1001) })).toEqual({
        status: 400,
        body: {
          error_code: 'INVALID_PARAMETER_VALUE',
          message:
            'A batch logging request can contain at most 1000 metrics. Got 1001 metrics. Please split up metrics across multiple requests and try again.',
        },
      });
      const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: 'v' }));
      expect((await mlflow(api, f.token, 'POST', 'runs/log-batch', { run_id: id, params })).body.message).toContain('at most 100 params');
      const tags = Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: 'v' }));
      expect((await mlflow(api, f.token, 'POST', 'runs/log-batch', { run_id: id, tags })).body.message).toContain('at most 100 tags');
      const total = await mlflow(api, f.token, 'POST', 'runs/log-batch', {
        run_id: id,
        metrics: metrics(950),
        params: params.slice(0, 60),
      });
      expect(total.body.message).toContain('at most 1000 metrics, params, and tags in total');
      const dup = await mlflow(api, f.token, 'POST', 'runs/log-batch', {
        run_id: id,
        params: [
          { key: 'a', value: '1' },
          { key: 'a', value: '2' },
        ],
      });
      expect(dup).toEqual({
        status: 400,
        body: {
          error_code: 'INVALID_PARAMETER_VALUE',
          message: expect.stringContaining("Duplicate parameter keys have been submitted: ['a']"),
        },
      });
      // Duplicate tags in one batch: the last one wins.
      expect(
        (
          await mlflow(api, f.token, 'POST', 'runs/log-batch', {
            run_id: id,
            tags: [
              { key: 'k', value: '1' },
              { key: 'k', value: '2' },
            ],
          })
        ).status,
      ).toBe(200);
      expect((await mlflow(api, f.token, 'GET', 'runs/get', { run_id: id })).body.run.data.tags).toContainEqual({ key: 'k', value: '2' });
      const badKey = await mlflow(api, f.token, 'POST', 'runs/log-metric', { run_id: id, key: 'a/../b', value: 1, timestamp: 1 });
      expect(badKey.body).toEqual({
        error_code: 'INVALID_PARAMETER_VALUE',
        message: expect.stringContaining("Invalid metric name: 'a/../b'"),
      });
      const longValue = await mlflow(api, f.token, 'POST', 'runs/log-parameter', { run_id: id, key: 'long', value: 'x'.repeat(6001) });
      expect(longValue.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(
        (await mlflow(api, f.token, 'POST', 'runs/log-metric', { run_id: id, key: 'm2', value: 'abc', timestamp: 1 })).body.error_code,
      ).toBe('INVALID_PARAMETER_VALUE');
      expect((await mlflow(api, f.token, 'POST', 'runs/log-metric', { run_id: id, key: 'm2', value: 1 })).body.message).toContain(
        "'timestamp'",
      );
    });

    it('stores NaN and ±Infinity and returns them as MLflow 2.10 with a SQL store does ("NaN", ±1.7976931348623157e308); the native API keeps ±Infinity', async () => {
      const id = await createRun(experimentId);
      const metrics = [
        { key: 'nan', value: 'NaN', timestamp: 1, step: 0 },
        { key: 'inf', value: 'Infinity', timestamp: 1, step: 0 },
        { key: 'ninf', value: '-Infinity', timestamp: 1, step: 0 },
        { key: 'nan', value: 'NaN', timestamp: 1, step: 0 },
      ];
      expect((await mlflow(api, f.token, 'POST', 'runs/log-batch', { run_id: id, metrics })).status).toBe(200);
      const run = (await mlflow(api, f.token, 'GET', 'runs/get', { run_id: id })).body.run;
      expect(run.data.metrics).toEqual(
        expect.arrayContaining([
          { key: 'nan', value: 'NaN', timestamp: 1, step: 0 },
          { key: 'inf', value: 1.7976931348623157e308, timestamp: 1, step: 0 },
          { key: 'ninf', value: -1.7976931348623157e308, timestamp: 1, step: 0 },
        ]),
      );
      const history = await mlflow(api, f.token, 'GET', 'metrics/get-history', { run_id: id, metric_key: 'nan' });
      expect(history.body).toEqual({ metrics: [{ key: 'nan', value: 'NaN', timestamp: 1, step: 0 }] });
      const raw = await (await rest(api, 'GET', `/api/2.0/mlflow/metrics/get-history?run_id=${id}&metric_key=inf`, f.token)).text();
      expect(raw).toBe('{"metrics":[{"key":"inf","value":1.7976931348623157e+308,"timestamp":1,"step":0}]}');
      const native = (await (await rest(api, 'GET', `/api/v1/runs/${id}/metrics/ninf/history`, f.token)).json()) as {
        points: { value: unknown }[];
      };
      expect(native.points.map((p) => p.value)).toEqual(['-Infinity']);
    });

    it('does not duplicate points when a log-batch is retried', async () => {
      const id = await createRun(experimentId);
      const batch = {
        run_id: id,
        metrics: Array.from({ length: 10 }, (_, i) => ({ key: 'acc', value: i / 10, timestamp: 1700000000000 + i, step: i })),
      };
      for (let i = 0; i < 3; i++) expect((await mlflow(api, f.token, 'POST', 'runs/log-batch', batch)).status).toBe(200);
      const history = await mlflow(api, f.token, 'GET', 'metrics/get-history', { run_id: id, metric_key: 'acc' });
      expect(history.body.metrics).toHaveLength(10);
    });

    it('pages metric history with max_results and page_token', async () => {
      const id = await createRun(experimentId);
      const metrics = Array.from({ length: 25 }, (_, i) => ({ key: 'h', value: i, timestamp: 1700000000000 + i, step: i }));
      await mlflow(api, f.token, 'POST', 'runs/log-batch', { run_id: id, metrics });
      const seen: number[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await mlflow(api, f.token, 'GET', 'metrics/get-history', {
          run_id: id,
          metric_key: 'h',
          max_results: 10,
          ...(token ? { page_token: token } : {}),
        });
        expect(page.status).toBe(200);
        seen.push(...page.body.metrics.map((m: { step: number }) => m.step));
        token = page.body.next_page_token;
        pages++;
      } while (token);
      expect(pages).toBe(3);
      expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i));
      expect((await mlflow(api, f.token, 'GET', 'metrics/get-history', { run_id: id, metric_key: 'unknown' })).body).toEqual({});
      expect((await mlflow(api, f.token, 'GET', 'metrics/get-history', { run_id: id })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(
        (await mlflow(api, f.token, 'GET', 'metrics/get-history', { run_id: id, metric_key: 'h', page_token: 'garbage' })).body.error_code,
      ).toBe('INVALID_PARAMETER_VALUE');
    });

    it('pages across non-finite values and points that share a step, at every page size, each point exactly once', async () => {
      const id = await createRun(experimentId);
      // In (step, timestamp, value) order; MLflow sends the non-finite values as strings.
      const points = [
        { step: 0, timestamp: 1, value: 'NaN' },
        { step: 0, timestamp: 2, value: 1.5 },
        { step: 1, timestamp: 1, value: '-Infinity' },
        { step: 1, timestamp: 1, value: 0.1 },
        { step: 1, timestamp: 1, value: 0.30000000000000004 },
        { step: 1, timestamp: 1, value: 'Infinity' },
        { step: 2, timestamp: 5, value: -2.5e-300 },
        { step: 3, timestamp: 4, value: 'NaN' },
      ];
      await mlflow(api, f.token, 'POST', 'runs/log-batch', {
        run_id: id,
        metrics: [...points].reverse().map((p) => ({ key: 'edge', ...p })),
      });
      for (const size of [1, 2, 3, 7, 8, 9]) {
        const seen: unknown[] = [];
        let token: string | undefined;
        do {
          const page = await mlflow(api, f.token, 'GET', 'metrics/get-history', {
            run_id: id,
            metric_key: 'edge',
            max_results: size,
            ...(token ? { page_token: token } : {}),
          });
          expect(page.status).toBe(200);
          expect(page.body.metrics.length).toBeLessThanOrEqual(size);
          seen.push(...page.body.metrics);
          token = page.body.next_page_token;
        } while (token);
        const wire = (v: number | string) => (v === 'Infinity' ? Number.MAX_VALUE : v === '-Infinity' ? -Number.MAX_VALUE : v);
        expect({ size, seen }).toEqual({
          size,
          seen: points.map((p) => ({ key: 'edge', value: wire(p.value), timestamp: p.timestamp, step: p.step })),
        });
      }
    });

    it('serves get-history-bulk-interval with sampled steps and run ids (also under /ajax-api)', async () => {
      const a = await createRun(experimentId);
      const b = await createRun(experimentId);
      await mlflow(api, f.token, 'POST', 'runs/log-batch', {
        run_id: a,
        metrics: Array.from({ length: 100 }, (_, i) => ({ key: 'curve', value: i, timestamp: 1 + i, step: i })),
      });
      await mlflow(api, f.token, 'POST', 'runs/log-batch', { run_id: b, metrics: [{ key: 'curve', value: 5, timestamp: 1, step: 7 }] });
      const r = await mlflow(api, f.token, 'GET', '/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval', {
        run_ids: [a, b],
        metric_key: 'curve',
        max_results: 10,
      });
      expect(r.status).toBe(200);
      const stepsA = r.body.metrics.filter((m: { run_id: string }) => m.run_id === a).map((m: { step: number }) => m.step);
      expect(stepsA).toEqual([0, 7, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99]);
      expect(r.body.metrics.filter((m: { run_id: string }) => m.run_id === b)).toEqual([
        { key: 'curve', value: 5, timestamp: 1, step: 7, run_id: b },
      ]);
      const windowed = await mlflow(api, f.token, 'GET', 'metrics/get-history-bulk-interval', {
        run_ids: a,
        metric_key: 'curve',
        start_step: 10,
        end_step: 14,
      });
      expect(windowed.body.metrics.map((m: { step: number }) => m.step)).toEqual([10, 11, 12, 13, 14]);
      expect(
        (await mlflow(api, f.token, 'GET', 'metrics/get-history-bulk-interval', { run_ids: a, metric_key: 'curve', start_step: 10 })).body
          .error_code,
      ).toBe('INVALID_PARAMETER_VALUE');
      expect(
        (await mlflow(api, f.token, 'GET', 'metrics/get-history-bulk-interval', { run_ids: a, metric_key: 'curve', max_results: 2501 }))
          .body.message,
      ).toBe('max_results must be between 1 and 2500.');
    });

    it('updates status, end time and name, answering run_info', async () => {
      const id = await createRun(experimentId);
      const r = await mlflow(api, f.token, 'POST', 'runs/update', {
        run_id: id,
        status: 'FINISHED',
        end_time: 1700000009999,
        run_name: 'done',
      });
      expect(r).toEqual({
        status: 200,
        body: { run_info: expect.objectContaining({ run_id: id, status: 'FINISHED', end_time: 1700000009999, run_name: 'done' }) },
      });
      expect((await mlflow(api, f.token, 'POST', 'runs/update', { run_id: id, status: 'DONE' })).body.error_code).toBe(
        'INVALID_PARAMETER_VALUE',
      );
      const killed = await mlflow(api, f.token, 'POST', 'runs/update', { run_id: await createRun(experimentId), status: 'KILLED' });
      expect(killed.body.run_info.end_time).toEqual(expect.any(Number));
    });

    it('deletes and restores runs; a deleted run is still readable and refuses writes', async () => {
      const id = await createRun(experimentId);
      expect(await mlflow(api, f.token, 'POST', 'runs/delete', { run_id: id })).toEqual({ status: 200, body: {} });
      expect((await mlflow(api, f.token, 'GET', 'runs/get', { run_id: id })).body.run.info.lifecycle_stage).toBe('deleted');
      expect(await mlflow(api, f.token, 'POST', 'runs/log-metric', { run_id: id, key: 'x', value: 1, timestamp: 1 })).toEqual({
        status: 400,
        body: { error_code: 'INVALID_PARAMETER_VALUE', message: `The run ${id} must be in the 'active' state. Current state is deleted.` },
      });
      expect(await mlflow(api, f.token, 'POST', 'runs/restore', { run_id: id })).toEqual({ status: 200, body: {} });
      expect((await mlflow(api, f.token, 'GET', 'runs/get', { run_id: id })).body.run.info.lifecycle_stage).toBe('active');
    });

    it('logs dataset inputs once and returns them under inputs.dataset_inputs', async () => {
      const id = await createRun(experimentId);
      const datasets = [
        {
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
          dataset: { name: 'tiny', digest: 'a5357541', source_type: 'code', source: '{}', schema: '{"s":1}', profile: '{"num_rows": 3}' },
        },
      ];
      expect(await mlflow(api, f.token, 'POST', 'runs/log-inputs', { run_id: id, datasets })).toEqual({ status: 200, body: {} });
      expect((await mlflow(api, f.token, 'POST', 'runs/log-inputs', { run_id: id, datasets })).status).toBe(200);
      expect((await mlflow(api, f.token, 'GET', 'runs/get', { run_id: id })).body.run.inputs).toEqual({ dataset_inputs: datasets });
      expect(
        (await mlflow(api, f.token, 'POST', 'runs/log-inputs', { run_id: id, datasets: [{ dataset: { name: 'x' } }] })).body.error_code,
      ).toBe('INVALID_PARAMETER_VALUE');
    });

    it('records logged models in the mlflow.log-model.history tag', async () => {
      const id = await createRun(experimentId);
      const model = (path: string) => ({
        run_id: id,
        artifact_path: path,
        utc_time_created: '2026-11-27 04:00:00.000000',
        flavors: { python_function: {} },
      });
      for (const path of ['model', 'model2']) {
        expect((await mlflow(api, f.token, 'POST', 'runs/log-model', { run_id: id, model_json: JSON.stringify(model(path)) })).status).toBe(
          200,
        );
      }
      const tag = (await mlflow(api, f.token, 'GET', 'runs/get', { run_id: id })).body.run.data.tags.find(
        (t: { key: string }) => t.key === 'mlflow.log-model.history',
      );
      expect(JSON.parse(tag.value)).toEqual([model('model'), model('model2')]);
      const incomplete = await mlflow(api, f.token, 'POST', 'runs/log-model', {
        run_id: id,
        model_json: JSON.stringify({ run_id: id, artifact_path: 'm' }),
      });
      expect(incomplete).toEqual({
        status: 400,
        body: { error_code: 'INVALID_PARAMETER_VALUE', message: "Model json is missing mandatory fields: {'flavors', 'utc_time_created'}" },
      });
      expect((await mlflow(api, f.token, 'POST', 'runs/log-model', { run_id: id, model_json: '{not json' })).body.error_code).toBe(
        'INVALID_PARAMETER_VALUE',
      );
    });

    it('answers RESOURCE_DOES_NOT_EXIST for unknown runs and INVALID_PARAMETER_VALUE without run_id', async () => {
      const unknown = 'f'.repeat(32);
      expect(await mlflow(api, f.token, 'GET', 'runs/get', { run_id: unknown })).toEqual({
        status: 404,
        body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Run with id=${unknown} not found` },
      });
      expect((await mlflow(api, f.token, 'POST', 'runs/log-metric', { run_id: unknown, key: 'x', value: 1, timestamp: 1 })).status).toBe(
        404,
      );
      expect(await mlflow(api, f.token, 'POST', 'runs/log-batch', {})).toEqual({
        status: 400,
        body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("'run_id'") },
      });
    });
  });

  describe('authentication and project isolation', () => {
    it('answers 401 UNAUTHENTICATED in MLflow shape without credentials', async () => {
      expect(await mlflow(api, null, 'GET', 'experiments/get', { experiment_id: '0' })).toEqual({
        status: 401,
        body: { error_code: 'UNAUTHENTICATED', message: expect.any(String) },
      });
      expect((await mlflow(api, null, 'POST', 'runs/log-batch', { run_id: 'a'.repeat(32) })).status).toBe(401);
      expect((await mlflow(api, { bearer: 'clp_0000000000000000_' + '0'.repeat(64) }, 'POST', 'runs/search', {})).body.error_code).toBe(
        'UNAUTHENTICATED',
      );
    });

    it('answers a token of project X on runs and experiments of project Y exactly as for ids that do not exist', async () => {
      const otherExp = (await mlflow(api, other.token, 'POST', 'experiments/create', { name: 'private' })).body.experiment_id;
      const otherRun = (await mlflow(api, other.token, 'POST', 'runs/create', { experiment_id: otherExp })).body.run.info.run_id;
      const noRun = { status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Run with id=${otherRun} not found` } };
      const noExperiment = {
        status: 404,
        body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `No Experiment with id=${otherExp} exists` },
      };
      expect(await mlflow(api, f.token, 'GET', 'runs/get', { run_id: otherRun })).toEqual(noRun);
      expect(await mlflow(api, f.token, 'POST', 'runs/log-metric', { run_id: otherRun, key: 'x', value: 1, timestamp: 1 })).toEqual(noRun);
      expect(await mlflow(api, f.token, 'POST', 'runs/update', { run_id: otherRun, status: 'KILLED' })).toEqual(noRun);
      expect(await mlflow(api, f.token, 'POST', 'runs/delete', { run_id: otherRun })).toEqual(noRun);
      expect(await mlflow(api, f.token, 'GET', 'experiments/get', { experiment_id: otherExp })).toEqual(noExperiment);
      expect(await mlflow(api, f.token, 'POST', 'runs/create', { experiment_id: otherExp })).toEqual(noExperiment);
      // Searched as an experiment that does not exist: no runs, as MLflow answers unknown ids.
      expect(await mlflow(api, f.token, 'POST', 'runs/search', { experiment_ids: [otherExp] })).toEqual({ status: 200, body: {} });
      expect(await mlflow(api, f.token, 'POST', 'runs/search', { experiment_ids: ['987654321'] })).toEqual({ status: 200, body: {} });
      expect(await mlflow(api, f.token, 'GET', 'metrics/get-history', { run_id: otherRun, metric_key: 'x' })).toEqual(noRun);
      const mine = (await mlflow(api, f.token, 'GET', 'experiments/get', { experiment_id: '0' })).body.experiment.experiment_id;
      const mixed = await mlflow(api, f.token, 'POST', 'runs/search', { experiment_ids: [mine, otherExp] });
      expect(mixed.status).toBe(200);
      expect((mixed.body.runs ?? []).map((r: WireJson) => r.info.experiment_id)).not.toContain(otherExp);
      expect((mixed.body.runs ?? []).map((r: WireJson) => r.info.run_id)).not.toContain(otherRun);
      // The owner still sees it unchanged.
      expect((await mlflow(api, other.token, 'GET', 'runs/get', { run_id: otherRun })).body.run.info.status).toBe('RUNNING');
    });

    it('lets a viewer read runs but refuses their writes with PERMISSION_DENIED', async () => {
      const viewer = await newUser(api, f.admin, { projectId: f.projectId, roles: ['VIEWER'] });
      const auth = { basic: [viewer.username, viewer.password] as [string, string] };
      const runId = await createRun('0');
      expect((await mlflow(api, auth, 'GET', 'runs/get', { run_id: runId })).status).toBe(200);
      expect((await mlflow(api, auth, 'POST', 'runs/search', { experiment_ids: ['0'] })).body.runs.length).toBeGreaterThan(0);
      expect(await mlflow(api, auth, 'POST', 'runs/log-metric', { run_id: runId, key: 'x', value: 1, timestamp: 1 })).toEqual({
        status: 403,
        body: { error_code: 'PERMISSION_DENIED', message: expect.any(String) },
      });
      expect((await mlflow(api, auth, 'POST', 'runs/create', { experiment_id: '0' })).status).toBe(403);
      expect((await mlflow(api, auth, 'POST', 'experiments/create', { name: 'viewer-exp' })).status).toBe(403);
    });

    it("limits a run-scoped token (a training job's) to its run", async () => {
      const runId = await createRun('0');
      const otherRun = await createRun('0');
      const [username, password] = (f.basic as { basic: [string, string] }).basic;
      const session = await login(api, username, password);
      const created = await gqlOk<{ createApiToken: { token: string } }>(
        api,
        session,
        `mutation($p: ID!, $r: String) { createApiToken(input: { projectId: $p, name: "job", roles: [RESEARCHER], runId: $r }) { token } }`,
        { p: f.projectId, r: runId },
      );
      const job = { bearer: created.createApiToken.token };
      expect((await mlflow(api, job, 'POST', 'runs/log-metric', { run_id: runId, key: 'x', value: 1, timestamp: 1 })).status).toBe(200);
      expect(await mlflow(api, job, 'POST', 'runs/log-metric', { run_id: otherRun, key: 'x', value: 1, timestamp: 1 })).toEqual({
        status: 403,
        body: { error_code: 'PERMISSION_DENIED', message: expect.stringContaining(runId) },
      });
      expect((await mlflow(api, job, 'POST', 'runs/create', { experiment_id: '0' })).body.error_code).toBe('PERMISSION_DENIED');
    });

    it('keeps a parent run link only within the project and never refuses an unknown parent tag', async () => {
      const parent = await createRun('0');
      const child = await mlflow(api, f.token, 'POST', 'runs/create', {
        experiment_id: '0',
        tags: [{ key: 'mlflow.parentRunId', value: parent }],
      });
      expect(child.body.run.data.tags).toContainEqual({ key: 'mlflow.parentRunId', value: parent });
      const orphan = await mlflow(api, f.token, 'POST', 'runs/create', {
        experiment_id: '0',
        tags: [{ key: 'mlflow.parentRunId', value: 'e'.repeat(32) }],
      });
      expect(orphan.status).toBe(200);
    });

    it('lets a Basic-auth user log into their default project and into project-slug/experiment', async () => {
      const created = await mlflow(api, f.basic, 'POST', 'experiments/create', { name: 'basic-exp' });
      expect(created.status).toBe(200);
      const byToken = await mlflow(api, f.token, 'GET', 'experiments/get-by-name', { experiment_name: 'basic-exp' });
      expect(byToken.body.experiment.experiment_id).toBe(created.body.experiment_id);
      const slugged = await mlflow(api, f.basic, 'GET', 'experiments/get-by-name', { experiment_name: `${f.slug}/basic-exp` });
      expect(slugged.body.experiment.experiment_id).toBe(created.body.experiment_id);
      expect((await mlflow(api, f.basic, 'GET', 'experiments/get-by-name', { experiment_name: `${other.slug}/private` })).status).toBe(403);
    });
  });
});
