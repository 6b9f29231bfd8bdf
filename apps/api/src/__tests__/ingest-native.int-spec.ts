/**
 * The native tracking API (/api/v1) on real PostgreSQL, Redis and S3: runs, JSON and NDJSON
 * batches (points, params and tags), idempotent retries of run creation, batches and log
 * appends (also through the SDK), body limits, heartbeats, logs, history paging, search, the
 * OpenAPI document and authorisation.
 */
import { Client } from 'pg';
import { CaliperClient } from '@caliper/sdk';
import { ADMIN, Auth, gqlOk, login, newProject, newUser, rest, startTestApi, TestApi } from '../testing/api-harness';
import { defined } from '../testing/defined';

interface RunJson {
  id: string;
  name: string;
  status: string;
  endTime: number | null;
  heartbeatAt: string | null;
  experiment: { id: string; name: string };
  params: Record<string, string>;
  tags: Record<string, string>;
  parentRunId: string | null;
  gitCommit: string | null;
  latestMetrics: { key: string; value: number | string; step: number }[];
}

describe('native tracking API (/api/v1)', () => {
  let api: TestApi;
  let admin: Auth;
  let pg: Client;
  let researcher: Auth;
  let viewer: Auth;
  let otherProjectToken: Auth;
  let researcherToken: string;

  const post = (path: string, auth: Auth, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${api.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeader(auth), ...headers },
      body: JSON.stringify(body),
    });
  const ndjson = (path: string, auth: Auth, body: string, headers: Record<string, string> = {}) =>
    fetch(`${api.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', ...authHeader(auth), ...headers },
      body,
    });
  const pointCount = async (runUuid: string) =>
    Number(
      (await pg.query(`SELECT count(*) FROM metric_points p JOIN runs r ON r.id = p.run_id WHERE r.uuid = $1`, [runUuid])).rows[0].count,
    );
  const runsNamed = async (name: string) => Number((await pg.query(`SELECT count(*) FROM runs WHERE name = $1`, [name])).rows[0].count);
  const logLines = async (runUuid: string) =>
    (await pg.query(`SELECT l.line, l.ts FROM run_logs l JOIN runs r ON r.id = l.run_id WHERE r.uuid = $1 ORDER BY l.id`, [runUuid]))
      .rows as { line: string; ts: Date }[];
  const records = async (key: string) =>
    Number((await pg.query(`SELECT count(*) FROM idempotency_records WHERE key = $1`, [key])).rows[0].count);
  const runOf = async (runUuid: string) =>
    ((await (await rest(api, 'GET', `/api/v1/runs/${runUuid}`, researcher)).json()) as { run: RunJson }).run;
  async function newRun(body: Record<string, unknown> = {}): Promise<RunJson> {
    const res = await post('/api/v1/projects/ingest/runs', researcher, body);
    expect(res.status).toBe(201);
    return ((await res.json()) as { run: RunJson }).run;
  }

  beforeAll(async () => {
    api = await startTestApi({ MAX_BATCH_BODY_MB: '2' });
    admin = await login(api, ADMIN.username, ADMIN.password);
    pg = new Client({ connectionString: api.db.ownerUrl });
    await pg.connect();
    const projectId = await newProject(api, admin, 'ingest');
    const other = await newProject(api, admin, 'ingest-other');
    const r = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    researcher = await login(api, r.username, r.password);
    researcherToken = (
      await gqlOk<{ createApiToken: { token: string } }>(
        api,
        researcher,
        `mutation($p: ID!) { createApiToken(input: { projectId: $p, name: "sdk", roles: [RESEARCHER] }) { token } }`,
        { p: projectId },
      )
    ).createApiToken.token;
    const v = await newUser(api, admin, { projectId, roles: ['VIEWER'] });
    viewer = await login(api, v.username, v.password);
    const o = await newUser(api, admin, { projectId: other, roles: ['RESEARCHER'] });
    const oSession = await login(api, o.username, o.password);
    const t = await gqlOk<{ createApiToken: { token: string } }>(
      api,
      oSession,
      `mutation($p: ID!) { createApiToken(input: { projectId: $p, name: "other", roles: [RESEARCHER] }) { token } }`,
      { p: other },
    );
    otherProjectToken = { bearer: t.createApiToken.token };
  }, 90000);
  afterAll(async () => {
    await pg.end();
    await api.close();
  }, 30000);

  it('creates a run in a named experiment (made on first use) with params, tags and code, and reads it back', async () => {
    const parent = await newRun({ name: 'parent' });
    const run = await newRun({
      experiment: 'liver-seg',
      name: 'unet-1',
      params: { lr: 0.001, arch: 'unet', amp: true },
      tags: { team: 'liver' },
      gitCommit: 'abc123',
      parentRunId: parent.id,
    });
    expect(run).toMatchObject({
      name: 'unet-1',
      status: 'running',
      experiment: { name: 'liver-seg' },
      params: { lr: '0.001', arch: 'unet', amp: 'true' },
      gitCommit: 'abc123',
      parentRunId: parent.id,
    });
    expect(run.tags).toMatchObject({ team: 'liver', 'mlflow.runName': 'unet-1' });
    expect(run.id).toMatch(/^[0-9a-f]{32}$/);
    expect(parent.experiment.name).toBe('Default');
    const got = await rest(api, 'GET', `/api/v1/runs/${run.id}`, viewer);
    expect(((await got.json()) as { run: RunJson }).run).toEqual(run);
  });

  it('creates runs sent at once into an experiment that does not exist yet: one experiment, every run in it', async () => {
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        post('/api/v1/projects/ingest/runs', researcher, { experiment: 'raced-into-existence', name: `r${i}` }),
      ),
    );
    expect(made.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
    const runs = await Promise.all(made.map(async (r) => ((await r.json()) as { run: RunJson }).run));
    expect(new Set(runs.map((r) => r.experiment.name))).toEqual(new Set(['raced-into-existence']));
    const experiments = await pg.query(`SELECT count(*)::int AS n FROM experiments WHERE name = 'raced-into-existence'`);
    expect(experiments.rows[0].n).toBe(1);
  });

  it('refuses a bad param before creating anything, naming the field', async () => {
    const before = Number((await pg.query(`SELECT count(*) FROM runs`)).rows[0].count);
    const res = await post('/api/v1/projects/ingest/runs', researcher, { params: { 'bad key!': 1 } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining("Invalid param name: 'bad key!'") });
    const wrongType = await post('/api/v1/projects/ingest/runs', researcher, { tags: { a: 1 } });
    expect(await wrongType.json()).toEqual({ code: 'BAD_USER_INPUT', message: 'tags.a: expected a string.' });
    expect(Number((await pg.query(`SELECT count(*) FROM runs`)).rows[0].count)).toBe(before);
  });

  it('finishes a run with PATCH (end time set) and refuses an unknown status', async () => {
    const run = await newRun();
    const res = await fetch(`${api.base}/api/v1/runs/${run.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...authHeader(researcher) },
      body: JSON.stringify({ status: 'finished' }),
    });
    const done = ((await res.json()) as { run: RunJson }).run;
    expect(done.status).toBe('finished');
    expect(done.endTime).toBeGreaterThan(0);
    const bad = await fetch(`${api.base}/api/v1/runs/${run.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...authHeader(researcher) },
      body: JSON.stringify({ status: 'done' }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ code: 'BAD_USER_INPUT', message: 'status: expected one of running, finished, failed, killed.' });
  });

  it('logs a JSON batch of 5,000 points with params and tags; the same batch again writes no point twice', async () => {
    const run = await newRun();
    const metrics = Array.from({ length: 5000 }, (_, i) => ({
      key: i % 2 ? 'loss' : 'acc',
      value: i % 2 ? 1 / (i + 1) : i / 5000,
      step: i,
      timestamp: 1_700_000_000_000 + i,
    }));
    const body = { metrics, params: { epochs: 10 }, tags: [{ key: 'phase', value: 'train' }] };
    const first = await post(`/api/v1/runs/${run.id}/batch`, researcher, body);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ metricsReceived: 5000, pointsWritten: 5000, params: 1, tags: 1 });
    const retry = await post(`/api/v1/runs/${run.id}/batch`, researcher, body);
    expect(await retry.json()).toEqual({ metricsReceived: 5000, pointsWritten: 0, params: 1, tags: 1 });
    expect(await pointCount(run.id)).toBe(5000);
    const view = ((await (await rest(api, 'GET', `/api/v1/runs/${run.id}`, researcher)).json()) as { run: RunJson }).run;
    expect(view.params).toEqual({ epochs: '10' });
    expect(view.latestMetrics.find((m) => m.key === 'loss')).toMatchObject({ step: 4999 });
  });

  it('with an Idempotency-Key returns the first response to a repeat and writes nothing, and refuses the key for another body', async () => {
    const run = await newRun();
    // No timestamps: each request would stamp "now", so only the key keeps a retry from adding points.
    const body = { metrics: Array.from({ length: 100 }, (_, i) => ({ key: 'loss', value: i, step: i })) };
    const headers = { 'idempotency-key': `batch-${run.id}-1` };
    const first = await post(`/api/v1/runs/${run.id}/batch`, researcher, body, headers);
    const firstBody = await first.json();
    expect(firstBody).toEqual({ metricsReceived: 100, pointsWritten: 100, params: 0, tags: 0 });
    await new Promise((r) => setTimeout(r, 5));
    const repeat = await post(`/api/v1/runs/${run.id}/batch`, researcher, body, headers);
    expect(repeat.status).toBe(200);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(await repeat.json()).toEqual(firstBody);
    expect(await pointCount(run.id)).toBe(100);
    const reused = await post(`/api/v1/runs/${run.id}/batch`, researcher, { metrics: [{ key: 'loss', value: 1 }] }, headers);
    expect(reused.status).toBe(422);
    expect(await reused.json()).toEqual({
      code: 'IDEMPOTENCY_KEY_REUSED',
      message: `Idempotency-Key "batch-${run.id}-1" was already used in the last 24 hours for a different request; use a new key for new data.`,
    });
    // Without a key the same body stamps new timestamps: new points, as the identity rule says.
    await post(`/api/v1/runs/${run.id}/batch`, researcher, body);
    expect(await pointCount(run.id)).toBe(200);
    // Two concurrent first sends of one key: the work runs once, the other gets the stored answer.
    const racing = { metrics: [{ key: 'race', value: 1 }] };
    const both = await Promise.all(
      [1, 2].map(() => post(`/api/v1/runs/${run.id}/batch`, researcher, racing, { 'idempotency-key': `race-${run.id}` })),
    );
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(both.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(1);
    expect(await pointCount(run.id)).toBe(201);
    // After 24 hours the key is free again.
    await pg.query(`UPDATE idempotency_records SET created_at = now() - interval '25 hours'`);
    const later = await post(
      `/api/v1/runs/${run.id}/batch`,
      researcher,
      { metrics: [{ key: 'loss', value: 1, step: 0, timestamp: 1 }] },
      headers,
    );
    expect(later.status).toBe(200);
    expect(later.headers.get('idempotent-replayed')).toBeNull();
  });

  it('logs an NDJSON batch streamed line by line, replays it under its key, and names a bad line', async () => {
    const run = await newRun();
    const lines = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({ key: 'system/gpu0', value: i === 7 ? 'NaN' : i, step: i, timestamp: 1_700_000_000_000 + i }),
    );
    const body = `${lines.join('\r\n')}\n\n`;
    const headers = { 'idempotency-key': `nd-${run.id}` };
    const first = await ndjson(`/api/v1/runs/${run.id}/batch`, researcher, body, headers);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ metricsReceived: 3000, pointsWritten: 3000, params: 0, tags: 0 });
    const repeat = await ndjson(`/api/v1/runs/${run.id}/batch`, researcher, body, headers);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(await pointCount(run.id)).toBe(3000);
    const bad = await ndjson(`/api/v1/runs/${run.id}/batch`, researcher, `${lines[0]}\n{"key":"x","value":"high"}\n`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      code: 'BAD_USER_INPUT',
      message: 'line 2.value: expected a number, "NaN", "Infinity" or "-Infinity".',
    });
    const notJson = await ndjson(`/api/v1/runs/${run.id}/batch`, researcher, `${lines[0]}\n{oops\n`);
    expect(((await notJson.json()) as { message: string }).message).toBe(
      'line 2: is not valid JSON; each NDJSON line is one JSON object: a metric point {key, value, step?, timestamp?}, {"param": {key, value}} or {"tag": {key, value}}.',
    );
  });

  it('logs NDJSON lines of params and tags with the points, in one transaction, under the JSON batch rules', async () => {
    const run = await newRun();
    const lines = [
      { param: { key: 'lr', value: 0.001 } },
      { key: 'loss', value: 0.5, step: 0, timestamp: 1_700_000_000_000 },
      { tag: { key: 'phase', value: 'train' } },
      { param: { key: 'arch', value: 'unet' } },
      { param: { key: 'amp', value: true } },
      { key: 'loss', value: 0.25, step: 1, timestamp: 1_700_000_000_001 },
    ];
    const body = lines.map((l) => JSON.stringify(l)).join('\n');
    const headers = { 'idempotency-key': `nd-kv-${run.id}` };
    const first = await ndjson(`/api/v1/runs/${run.id}/batch`, researcher, body, headers);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ metricsReceived: 2, pointsWritten: 2, params: 3, tags: 1 });
    const view = await runOf(run.id);
    expect(view.params).toEqual({ lr: '0.001', arch: 'unet', amp: 'true' });
    expect(view.tags).toMatchObject({ phase: 'train' });
    expect((await ndjson(`/api/v1/runs/${run.id}/batch`, researcher, body, headers)).headers.get('idempotent-replayed')).toBe('true');
    // The same param value again is fine (write-once, not write-never).
    expect((await ndjson(`/api/v1/runs/${run.id}/batch`, researcher, `{"param":{"key":"lr","value":"0.001"}}\n`)).status).toBe(200);

    // Every refusal names its line, and nothing of the batch is written.
    const refused = async (text: string) => {
      const res = await ndjson(`/api/v1/runs/${run.id}/batch`, researcher, text);
      expect(res.status).toBe(400);
      return (await res.json()) as { code: string; message: string };
    };
    const point = (step: number) => JSON.stringify({ key: 'acc', value: step, step, timestamp: 1 });
    expect(await refused(`${point(1)}\n{"param":{"key":"bad key!","value":1}}\n`)).toEqual({
      code: 'BAD_USER_INPUT',
      message:
        "line 2: Invalid param name: 'bad key!'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).",
    });
    expect((await refused(`${point(1)}\n{"tag":{"key":"t","value":3}}`)).message).toBe('line 2.tag.value: expected a string.');
    expect((await refused(`{"param":{"key":"x","value":{}}}`)).message).toBe('line 1.param.value: expected a string, number or boolean.');
    expect((await refused(`{"param":{"key":"x"}}`)).message).toBe('line 1.param.value: expected a string, number or boolean.');
    expect((await refused(`{"tag":{"key":"big","value":"${'x'.repeat(5001)}"}}`)).message).toBe(
      'line 1.tag.value: longer than 5000 characters (the limit for a tag value).',
    );
    expect((await refused(`{"param":{"key":"a","value":1}}\n${point(1)}\n\n{"param":{"key":"a","value":1}}`)).message).toBe(
      "line 4: param 'a' is already on line 1; a batch carries one value per param key.",
    );
    expect((await refused(Array.from({ length: 101 }, (_, i) => `{"param":{"key":"p${i}","value":${i}}}`).join('\n'))).message).toBe(
      'line 101: a batch can carry at most 100 params; split them across batches.',
    );
    expect((await refused(`{"tag":{"key":"t","value":"v"},"key":"loss","value":1}`)).message).toBe(
      'line 1: a tag line carries only {"tag": {key, value}}; put metric points and other items on lines of their own.',
    );
    expect((await refused(`${point(1)}\n{"params":{"lr":1}}`)).message).toBe(
      'line 2: expected a metric point {key, value, step?, timestamp?}, {"param": {key, value}} or {"tag": {key, value}}.',
    );
    expect((await refused(`${point(1)}\n[1]`)).message).toBe(
      'line 2: expected a metric point {key, value, step?, timestamp?}, {"param": {key, value}} or {"tag": {key, value}}.',
    );
    expect((await refused(`${point(1)}\n${point(2)}\n{"key":"bad*","value":1}`)).message).toMatch(/^line 3: Invalid metric name: 'bad\*'/);
    // A param logged before with another value: the whole batch (its points too) is refused.
    const changed = await refused(`${point(1)}\n{"param":{"key":"lr","value":0.1}}\n${point(2)}`);
    expect(changed.message).toMatch(
      /^Changing param values is not allowed. Params were already logged='\[Param\(key='lr', value='0.001'\)\]'/,
    );
    expect(await pointCount(run.id)).toBe(2);
    expect((await runOf(run.id)).params).toEqual({ lr: '0.001', arch: 'unet', amp: 'true' });
  });

  it('creates a run once per Idempotency-Key: a repeat gets the first response, another body under the key a 422', async () => {
    const key = `create-${Date.now()}`;
    const body = { experiment: 'idem-create', name: 'idem-run', params: { lr: 0.1 }, tags: { team: 'x' } };
    const first = await post('/api/v1/projects/ingest/runs', researcher, body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const created = (await first.json()) as { run: RunJson };
    expect(created.run).toMatchObject({ name: 'idem-run', params: { lr: '0.1' }, tags: { team: 'x', 'mlflow.runName': 'idem-run' } });
    // The stored answer is the run as committed: the same as reading it.
    expect(created.run).toEqual(await runOf(created.run.id));
    // The run changes afterwards; a repeat still gets the first response, and creates nothing.
    await post(`/api/v1/runs/${created.run.id}/batch`, researcher, { metrics: [{ key: 'loss', value: 1, step: 0, timestamp: 1 }] });
    const repeat = await post('/api/v1/projects/INGEST/runs', researcher, body, { 'idempotency-key': key });
    expect(repeat.status).toBe(201);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(await repeat.json()).toEqual(created);
    expect(await runsNamed('idem-run')).toBe(1);
    expect(await records(key)).toBe(1);

    const other = await post('/api/v1/projects/ingest/runs', researcher, { ...body, name: 'idem-other' }, { 'idempotency-key': key });
    expect(other.status).toBe(422);
    expect(await other.json()).toEqual({
      code: 'IDEMPOTENCY_KEY_REUSED',
      message: `Idempotency-Key "${key}" was already used in the last 24 hours for a different request; use a new key for new data.`,
    });
    // Keys are per route: the key of a run creation cannot carry a batch or log lines.
    expect((await post(`/api/v1/runs/${created.run.id}/batch`, researcher, { metrics: [] }, { 'idempotency-key': key })).status).toBe(422);
    expect((await post(`/api/v1/runs/${created.run.id}/logs`, researcher, { lines: [] }, { 'idempotency-key': key })).status).toBe(422);
    expect(await runsNamed('idem-other')).toBe(0);
    // Keys belong to the user, whichever credentials they send: their API token gets the same answer.
    const token = await post('/api/v1/projects/ingest/runs', { bearer: researcherToken }, body, { 'idempotency-key': key });
    expect(token.headers.get('idempotent-replayed')).toBe('true');
    expect(await runsNamed('idem-run')).toBe(1);
    expect((await post('/api/v1/projects/ingest/runs', researcher, body, { 'idempotency-key': 'bad key with spaces' })).status).toBe(400);

    // Two concurrent first sends of one key create one run; the other gets the stored answer.
    const racing = await Promise.all(
      [1, 2].map(() => post('/api/v1/projects/ingest/runs', researcher, { name: 'idem-race' }, { 'idempotency-key': `${key}-race` })),
    );
    expect(racing.map((r) => r.status)).toEqual([201, 201]);
    expect(racing.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(1);
    const [a, b] = (await Promise.all(racing.map((r) => r.json()))) as { run: RunJson }[];
    expect(b?.run.id).toBe(defined(a, 'the first answer').run.id);
    expect(await runsNamed('idem-race')).toBe(1);
  });

  it('stores no idempotency record for a refused run creation, so the corrected request under the key is a first request', async () => {
    const key = `create-fail-${Date.now()}`;
    const orphan = await post(
      '/api/v1/projects/ingest/runs',
      researcher,
      { name: 'idem-orphan', params: { a: 1 }, parentRunId: 'f'.repeat(32) },
      { 'idempotency-key': key },
    );
    expect(orphan.status).toBe(404);
    expect(await records(key)).toBe(0);
    expect(await runsNamed('idem-orphan')).toBe(0);
    expect(
      (await pg.query(`SELECT count(*) FROM run_params p JOIN runs r ON r.id = p.run_id WHERE r.name = 'idem-orphan'`)).rows[0].count,
    ).toBe('0');
    // Nothing was stored under the key, so the corrected request is a first request.
    const fixed = await post(
      '/api/v1/projects/ingest/runs',
      researcher,
      { name: 'idem-orphan', params: { a: 1 } },
      { 'idempotency-key': key },
    );
    expect(fixed.status).toBe(201);
    expect(fixed.headers.get('idempotent-replayed')).toBeNull();
    expect(((await fixed.json()) as { run: RunJson }).run.params).toEqual({ a: '1' });
  });

  it('appends log lines once per Idempotency-Key, with the first response for a repeat', async () => {
    const run = await newRun();
    const key = `logs-${run.id}`;
    // No ts: the server stamps its time, so only the key keeps a retry from adding lines.
    const body = { lines: [{ line: 'epoch 1' }, { line: 'epoch 2', stream: 'stderr' }] };
    const first = await post(`/api/v1/runs/${run.id}/logs`, researcher, body, { 'idempotency-key': key });
    expect(first.status).toBe(204);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const repeat = await post(`/api/v1/runs/${run.id}/logs`, researcher, body, { 'idempotency-key': key });
    expect(repeat.status).toBe(204);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect((await logLines(run.id)).map((l) => l.line)).toEqual(['epoch 1', 'epoch 2']);
    const reused = await post(`/api/v1/runs/${run.id}/logs`, researcher, { lines: [{ line: 'epoch 3' }] }, { 'idempotency-key': key });
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { code: string }).code).toBe('IDEMPOTENCY_KEY_REUSED');
    // The same body under the key for another run is another request.
    const other = await newRun();
    expect((await post(`/api/v1/runs/${other.id}/logs`, researcher, body, { 'idempotency-key': key })).status).toBe(422);
    // Without a key, the same body appends again.
    expect((await post(`/api/v1/runs/${run.id}/logs`, researcher, body)).status).toBe(204);
    expect(await logLines(run.id)).toHaveLength(4);
    // A refused append stores no record.
    const missing = await post(`/api/v1/runs/${run.id}/logs`, researcher, { lines: [{ line: 4 }] }, { 'idempotency-key': `${key}-bad` });
    expect(missing.status).toBe(400);
    expect(await records(`${key}-bad`)).toBe(0);
  });

  it('SDK: run creation and log appends whose response was lost are retried under the same key and applied once', async () => {
    const lost: string[] = [];
    let loseNext: RegExp | null = /\/api\/v1\/projects\/ingest\/runs$/;
    // The request reaches the server and is applied; the client then sees the connection fail.
    const losingFetch: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const url = String(input);
      if (loseNext && init?.method === 'POST' && loseNext.test(url)) {
        loseNext = null;
        lost.push(url);
        await res.arrayBuffer();
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
      }
      return res;
    };
    const client = new CaliperClient({ baseUrl: api.base, token: researcherToken, fetch: losingFetch, sleep: async () => undefined });
    const logger = await client.startRun({
      project: 'ingest',
      experiment: 'sdk-retry',
      name: 'sdk-lost-create',
      params: { lr: 0.5 },
      logger: { heartbeatIntervalMs: 0 },
    });
    expect(lost).toHaveLength(1);
    expect(await runsNamed('sdk-lost-create')).toBe(1);
    expect(logger.run).toMatchObject({ name: 'sdk-lost-create', params: { lr: '0.5' } });
    loseNext = /\/logs$/;
    await logger.appendLogs([{ line: 'only once' }]);
    expect(lost).toHaveLength(2);
    expect((await logLines(logger.runId)).map((l) => l.line)).toEqual(['only once']);
    logger.close();
  });

  it('accepts bodies far over 100 KB and refuses bodies over MAX_BATCH_BODY_MB with a clear 413 in either API shape', async () => {
    const run = await newRun();
    const big = {
      metrics: Array.from({ length: 1000 }, (_, i) => ({
        key: `a-rather-long-metric-name-for-size/${i % 10}`,
        value: Math.random(),
        step: i,
        timestamp: 1_700_000_000_000 + i,
      })),
    };
    expect(JSON.stringify(big).length).toBeGreaterThan(100 * 1024);
    expect((await post(`/api/v1/runs/${run.id}/batch`, researcher, big)).status).toBe(200);
    const tooBig = {
      metrics: Array.from({ length: 45000 }, (_, i) => ({ key: 'loss', value: i, step: i, timestamp: 1_700_000_000_000 + i })),
    };
    expect(JSON.stringify(tooBig).length).toBeGreaterThan(2 * 1024 * 1024);
    const refused = await post(`/api/v1/runs/${run.id}/batch`, researcher, tooBig);
    expect(refused.status).toBe(413);
    expect(await refused.json()).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'The request body is larger than 2 MiB (MAX_BATCH_BODY_MB); split it into smaller batches.',
    });
    const nd = await ndjson(`/api/v1/runs/${run.id}/batch`, researcher, tooBig.metrics.map((m) => JSON.stringify(m)).join('\n'));
    expect(nd.status).toBe(413);
    expect(((await nd.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
    const mlflow = await post('/api/2.0/mlflow/runs/log-batch', researcher, { run_id: run.id, ...tooBig });
    expect(mlflow.status).toBe(413);
    expect(((await mlflow.json()) as { error_code: string }).error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(await pointCount(run.id)).toBe(1000);
    const malformed = await fetch(`${api.base}/api/v1/runs/${run.id}/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeader(researcher) },
      body: '{"metrics": [',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { code: string }).code).toBe('BAD_USER_INPUT');
  });

  it('records heartbeats and appends and pages log lines', async () => {
    const run = await newRun();
    const hb = await post(`/api/v1/runs/${run.id}/heartbeat`, researcher, {});
    expect(hb.status).toBe(204);
    const view = ((await (await rest(api, 'GET', `/api/v1/runs/${run.id}`, researcher)).json()) as { run: RunJson }).run;
    expect(Date.now() - Date.parse(view.heartbeatAt!)).toBeLessThan(60_000);
    const lines = Array.from({ length: 25 }, (_, i) => ({
      line: `epoch ${i}`,
      stream: i % 5 ? 'stdout' : 'stderr',
      ...(i === 0 ? { ts: 1_700_000_000_000 } : {}),
    }));
    expect((await post(`/api/v1/runs/${run.id}/logs`, researcher, { lines })).status).toBe(204);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = (await (
        await rest(api, 'GET', `/api/v1/runs/${run.id}/logs?limit=10${after ? `&after=${after}` : ''}`, viewer)
      ).json()) as { lines: { line: string; stream: string; ts: string }[]; next: string | null };
      seen.push(...page.lines.map((l) => l.line));
      if (seen.length === 10) expect(page.lines[0]).toMatchObject({ stream: 'stderr' });
      if (!page.next) break;
      after = page.next;
    }
    expect(seen).toEqual(lines.map((l) => l.line));
    const bad = await post(`/api/v1/runs/${run.id}/logs`, researcher, { lines: [{ line: 3 }] });
    expect(await bad.json()).toEqual({ code: 'BAD_USER_INPUT', message: 'lines[0].line: expected a string.' });
  });

  it('pages a history in both formats across non-finite values and shared steps, each point exactly once', async () => {
    const run = await newRun();
    // In (step, timestamp, value) order.
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
    const body = [...points]
      .reverse()
      .map((p) => JSON.stringify({ key: 'edge', ...p }))
      .join('\n');
    expect((await ndjson(`/api/v1/runs/${run.id}/batch`, researcher, body)).status).toBe(200);
    for (const limit of [1, 2, 3, 7, 8, 9]) {
      const seen: { step: number; timestamp: number; value: number | string }[] = [];
      // A column shorter than steps shows as undefined cells, which the comparison below refuses.
      const seenColumns: { step: number; timestamp: number | undefined; value: number | string | undefined }[] = [];
      for (const format of ['points', 'columns'] as const) {
        let after: string | null = null;
        do {
          const res = await rest(
            api,
            'GET',
            `/api/v1/runs/${run.id}/metrics/edge/history?format=${format}&limit=${limit}${after ? `&after=${after}` : ''}`,
            viewer,
          );
          const page = (await res.json()) as {
            points?: typeof seen;
            steps?: number[];
            timestamps?: number[];
            values?: (number | string)[];
            next: string | null;
          };
          if (format === 'points') seen.push(...page.points!);
          else seenColumns.push(...page.steps!.map((step, i) => ({ step, timestamp: page.timestamps![i], value: page.values![i] })));
          expect((page.points ?? page.steps)!.length).toBeLessThanOrEqual(limit);
          after = page.next;
        } while (after);
      }
      expect({ limit, seen }).toEqual({ limit, seen: points });
      expect({ limit, seenColumns }).toEqual({ limit, seenColumns: points });
    }
  });

  it('pages through a 100,000-point history by cursor, keeping NaN and infinities', async () => {
    const run = await newRun();
    for (let start = 0; start < 100_000; start += 20_000) {
      const body = Array.from({ length: 20_000 }, (_, j) => {
        const step = start + j;
        return JSON.stringify({
          key: 'val/loss',
          value: step === 5 ? 'NaN' : step === 6 ? 'Infinity' : step,
          step,
          timestamp: 1_700_000_000_000 + step,
        });
      }).join('\n');
      expect((await ndjson(`/api/v1/runs/${run.id}/batch`, researcher, body)).status).toBe(200);
    }
    const all: { step: number; value: number | string }[] = [];
    let after: string | null = null;
    for (;;) {
      const res = await rest(
        api,
        'GET',
        `/api/v1/runs/${run.id}/metrics/${encodeURIComponent('val/loss')}/history?limit=50000${after ? `&after=${after}` : ''}`,
        viewer,
      );
      const page = (await res.json()) as { points: { step: number; value: number | string }[]; next: string | null };
      all.push(...page.points);
      if (!page.next) break;
      after = page.next;
    }
    expect(all).toHaveLength(100_000);
    expect(all[5]?.value).toBe('NaN');
    expect(all[6]?.value).toBe('Infinity');
    expect(all.every((p, i) => p.step === i)).toBe(true);
    // The same history as parallel lists, in pages of another size: the same points in the same order.
    const columns = { steps: [] as number[], timestamps: [] as number[], values: [] as (number | string)[] };
    let cursor: string | null = null;
    let pages = 0;
    for (;;) {
      const res = await rest(
        api,
        'GET',
        `/api/v1/runs/${run.id}/metrics/${encodeURIComponent('val/loss')}/history?format=columns&limit=30000${cursor ? `&after=${cursor}` : ''}`,
        viewer,
      );
      const page = (await res.json()) as typeof columns & { key: string; next: string | null; points?: unknown };
      expect(page.key).toBe('val/loss');
      expect(page.points).toBeUndefined();
      columns.steps.push(...page.steps);
      columns.timestamps.push(...page.timestamps);
      columns.values.push(...page.values);
      pages++;
      if (!page.next) break;
      cursor = page.next;
    }
    expect(pages).toBe(4);
    expect(columns.steps).toEqual(all.map((p) => p.step));
    expect(columns.values).toEqual(all.map((p) => p.value));
    expect(columns.timestamps[99_999]).toBe(1_700_000_099_999);
    const empty = await rest(api, 'GET', `/api/v1/runs/${run.id}/metrics/never-logged/history?format=columns`, viewer);
    expect(await empty.json()).toEqual({ key: 'never-logged', steps: [], timestamps: [], values: [], next: null });
    const badFormat = await rest(api, 'GET', `/api/v1/runs/${run.id}/metrics/val%2Floss/history?format=csv`, viewer);
    expect(await badFormat.json()).toEqual({ code: 'BAD_USER_INPUT', message: 'format: expected points or columns.' });
    // The whole series as a download, over more than one internal page: every point, in order.
    const csv = await rest(api, 'GET', `/api/v1/runs/${run.id}/metrics/val%2Floss/export`, viewer);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="${run.id}-val_loss.csv"`);
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines).toHaveLength(100_001);
    expect(lines.slice(0, 8)).toEqual([
      'step,timestamp,value',
      '0,1700000000000,0',
      '1,1700000000001,1',
      '2,1700000000002,2',
      '3,1700000000003,3',
      '4,1700000000004,4',
      '5,1700000000005,NaN',
      '6,1700000000006,Infinity',
    ]);
    expect(lines[100_000]).toBe('99999,1700000099999,99999');
    const asJson = (await (await rest(api, 'GET', `/api/v1/runs/${run.id}/metrics/val%2Floss/export?format=json`, viewer)).json()) as {
      key: string;
      points: { step: number; value: number | string }[];
    };
    expect(asJson.key).toBe('val/loss');
    expect(asJson.points.map((p) => p.value)).toEqual(all.map((p) => p.value));
    expect((await rest(api, 'GET', `/api/v1/runs/${'0'.repeat(32)}/metrics/loss/export`, viewer)).status).toBe(404);
    expect(
      ((await (await rest(api, 'GET', `/api/v1/runs/${run.id}/metrics/loss/export?format=xml`, viewer)).json()) as { message: string })
        .message,
    ).toBe('format: expected csv or json.');
    expect((await rest(api, 'GET', `/api/v1/runs/${run.id}/metrics/val%2Floss/export`, null)).status).toBe(401);
    const badCursor = await rest(api, 'GET', `/api/v1/runs/${run.id}/metrics/val%2Floss/history?after=nonsense`, viewer);
    expect(await badCursor.json()).toEqual({
      code: 'BAD_USER_INPUT',
      message: 'after: is not a cursor this API returned; pass the `next` value of the previous page.',
    });
  }, 60000);

  it("searches the project's runs with MLflow's filter grammar, order and pages", async () => {
    const a = await newRun({ experiment: 'search-exp', name: 'a' });
    const b = await newRun({ experiment: 'search-exp', name: 'b' });
    const c = await newRun({ experiment: 'search-exp', name: 'c' });
    for (const [run, loss] of [
      [a, 0.3],
      [b, 0.1],
      [c, 0.9],
    ] as const) {
      await post(`/api/v1/runs/${run.id}/batch`, researcher, {
        metrics: [{ key: 'loss', value: loss, step: 1, timestamp: 1 }],
        params: { lr: run === c ? '0.1' : '0.01' },
      });
    }
    const q = (s: string) =>
      rest(api, 'GET', `/api/v1/projects/ingest/runs?experiment=search-exp&${s}`, viewer).then((r) => r.json()) as Promise<{
        runs: RunJson[];
        nextPageToken: string | null;
      }>;
    const filtered = await q(
      `filter=${encodeURIComponent("metrics.loss < 0.5 AND params.lr = '0.01'")}&orderBy=${encodeURIComponent('metrics.loss ASC')}`,
    );
    expect(filtered.runs.map((r) => r.name)).toEqual(['b', 'a']);
    const page1 = await q('maxResults=2');
    expect(page1.runs).toHaveLength(2);
    const page2 = await q(`maxResults=2&pageToken=${encodeURIComponent(page1.nextPageToken!)}`);
    expect([...page1.runs, ...page2.runs].map((r) => r.name).sort()).toEqual(['a', 'b', 'c']);
    const bad = await rest(api, 'GET', `/api/v1/projects/ingest/runs?filter=${encodeURIComponent('metrics.loss <<< 1')}`, viewer);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('BAD_USER_INPUT');
  });

  it('serves an OpenAPI 3 document listing every /api/v1 route, to signed-in callers only', async () => {
    expect((await rest(api, 'GET', '/api/v1/openapi.json')).status).toBe(401);
    const doc = (await (await rest(api, 'GET', '/api/v1/openapi.json', viewer)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    const router = (
      api.app.getHttpAdapter().getInstance() as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }
    ).router;
    const routes = router.stack
      .filter((l) => l.route?.path.startsWith('/api/v1/'))
      .flatMap((l) => Object.keys(l.route!.methods).map((m) => ({ method: m, path: l.route!.path.replace(/[:*](\w+)/g, '{$1}') })));
    expect(routes.length).toBeGreaterThanOrEqual(15);
    for (const r of routes)
      expect({ route: `${r.method} ${r.path}`, documented: Boolean(doc.paths[r.path]?.[r.method]) }).toEqual({
        route: `${r.method} ${r.path}`,
        documented: true,
      });
  });

  it('refuses writers without run.write and tokens of another project', async () => {
    const run = await newRun();
    expect((await post('/api/v1/projects/ingest/runs', viewer, {})).status).toBe(403);
    const viewerBatch = await post(`/api/v1/runs/${run.id}/batch`, viewer, { metrics: [{ key: 'x', value: 1 }] });
    expect(viewerBatch.status).toBe(403);
    expect(await viewerBatch.json()).toEqual({ code: 'FORBIDDEN', message: 'You do not have permission to log or change runs.' });
    // What another project's token cannot read answers as if it did not exist (nothing about other projects' ids leaks).
    const foreignRun = await rest(api, 'GET', `/api/v1/runs/${run.id}`, otherProjectToken);
    const absentRun = await rest(api, 'GET', `/api/v1/runs/${'0'.repeat(32)}`, researcher);
    expect([foreignRun.status, absentRun.status]).toEqual([404, 404]);
    expect(((await foreignRun.json()) as { code: string }).code).toBe('NOT_FOUND');
    expect((await post(`/api/v1/runs/${run.id}/batch`, otherProjectToken, { metrics: [{ key: 'x', value: 1 }] })).status).toBe(404);
    const foreignProject = await post('/api/v1/projects/ingest/runs', otherProjectToken, {});
    const absentProject = await post('/api/v1/projects/no-such-project/runs', researcher, {});
    expect([foreignProject.status, absentProject.status]).toEqual([404, 404]);
    expect(await pointCount(run.id)).toBe(0);
  });
});

function authHeader(auth: Auth): Record<string, string> {
  if (!auth) return {};
  if ('cookie' in auth) return { cookie: auth.cookie };
  if ('bearer' in auth) return { authorization: `Bearer ${auth.bearer}` };
  return { authorization: `Basic ${Buffer.from(auth.basic.join(':')).toString('base64')}` };
}
