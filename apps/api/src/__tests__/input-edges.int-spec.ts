/**
 * Input that used to reach the database or a JavaScript prototype and come back as a generic 500,
 * or be stored differently from what was sent (issue 10, findings 3 and 7): each is refused at the
 * edge with a 400 naming the value, on every transport, and nothing is written — the audit chain
 * stays intact.
 */
import { Client } from 'pg';
import { ADMIN, Auth, gql, gqlOk, headersFor, login, newProject, newUser, rest, startTestApi, TestApi } from '../testing/api-harness';
import { mlflow, mlflowFixture, MlflowFixture, WireJson } from './mlflow-api-helpers';

/** Sends a body as written, so JSON escapes such as \ud800 reach the server untouched. */
async function rawJson(
  api: TestApi,
  auth: Auth,
  method: string,
  path: string,
  body: string,
  contentType = 'application/json',
): Promise<{ status: number; body: WireJson }> {
  const res = await fetch(`${api.base}${path}`, { method, headers: { 'content-type': contentType, ...headersFor(auth) }, body });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as WireJson) : {} };
}

describe('input edges: 400s that name the field, nothing half-written', () => {
  let api: TestApi;
  let db: Client;
  let f: MlflowFixture;
  let admin: Auth;
  let run: string;

  const counts = async () =>
    (
      await db.query(
        `SELECT (SELECT count(*) FROM experiments) e, (SELECT count(*) FROM runs) r, (SELECT count(*) FROM metric_points) m, (SELECT count(*) FROM run_tags) t, (SELECT count(*) FROM audit_events) a`,
      )
    ).rows[0];

  beforeAll(async () => {
    api = await startTestApi();
    db = new Client({ connectionString: api.db.ownerUrl });
    await db.connect();
    admin = await login(api, ADMIN.username, ADMIN.password);
    f = await mlflowFixture(api, 'edges', admin);
    run = (await mlflow(api, f.token, 'POST', 'runs/create', { experiment_id: '0' })).body.run.info.run_id;
  });
  afterAll(async () => {
    await db?.end();
    await api?.close();
  });

  it('refuses integers past 2^53 (step 2^63, huge start_time literals) naming the field', async () => {
    const before = await counts();
    for (const step of ['9223372036854775808', 9223372036854775807, '9007199254740993']) {
      const r = await mlflow(api, f.token, 'POST', 'runs/log-metric', { run_id: run, key: 'loss', value: 1, timestamp: 1, step });
      expect({ step, status: r.status, code: r.body.error_code }).toEqual({ step, status: 400, code: 'INVALID_PARAMETER_VALUE' });
      expect(r.body.message).toMatch(/parameter 'step'/);
    }
    const batch = await mlflow(api, f.token, 'POST', 'runs/log-batch', {
      run_id: run,
      metrics: [{ key: 'loss', value: 1, timestamp: 1e300, step: 0 }],
    });
    expect([batch.status, batch.body.message]).toEqual([400, expect.stringMatching(/parameter 'timestamp'/)]);
    const created = await rawJson(api, f.token, 'POST', '/api/2.0/mlflow/runs/create', '{"experiment_id":"0","start_time":1e400}');
    expect([created.status, created.body.message]).toEqual([400, expect.stringMatching(/parameter 'start_time'/)]);
    const native = await rest(api, 'POST', `/api/v1/runs/${run}/batch`, f.token, {
      metrics: [{ key: 'loss', value: 1, step: '9223372036854775808' }],
    });
    expect([native.status, ((await native.json()) as { message: string }).message]).toEqual([
      400,
      expect.stringMatching(/^metrics\[0\]\.step: /),
    ]);
    expect(await counts()).toEqual(before);
  });

  it("refuses order_by and filter keys that name JavaScript's object members as unknown attributes", async () => {
    for (const orderBy of ['attributes.constructor', 'attributes.__proto__', 'attributes.toString']) {
      const r = await mlflow(api, f.token, 'POST', 'runs/search', { experiment_ids: ['0'], order_by: [orderBy] });
      expect({ orderBy, status: r.status, code: r.body.error_code }).toEqual({ orderBy, status: 400, code: 'INVALID_PARAMETER_VALUE' });
    }
    const filtered = await mlflow(api, f.token, 'POST', 'runs/search', { experiment_ids: ['0'], filter: "attributes.constructor = 'x'" });
    expect([filtered.status, filtered.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    const view = await mlflow(api, f.token, 'POST', 'runs/search', { experiment_ids: ['0'], run_view_type: 'CONSTRUCTOR' });
    expect(view.status).toBe(400);
  });

  it('refuses lone surrogates and NUL in JSON bodies, query strings, paths and NDJSON lines, naming where', async () => {
    const before = await counts();
    const inBody = await rawJson(api, f.token, 'POST', '/api/2.0/mlflow/experiments/create', '{"name":"left \\ud800 group"}');
    expect(inBody).toEqual({
      status: 400,
      body: {
        error_code: 'INVALID_PARAMETER_VALUE',
        message: expect.stringMatching(/^Value body\.name holds a lone UTF-16 surrogate U\+D800/),
      },
    });
    const nul = await rawJson(api, f.token, 'POST', '/api/2.0/mlflow/runs/set-tag', `{"run_id":"${run}","key":"k","value":"a\\u0000b"}`);
    expect([nul.status, nul.body.message]).toEqual([400, expect.stringMatching(/body\.value holds U\+0000/)]);
    const key = await rawJson(api, f.token, 'POST', `/api/v1/runs/${run}/batch`, '{"tags":[{"key":"ok","value":"\\udc00"}]}');
    expect([key.status, key.body.code, key.body.message]).toEqual([
      400,
      'BAD_USER_INPUT',
      expect.stringMatching(/body\.tags\[0\]\.value holds a lone UTF-16 surrogate U\+DC00/),
    ]);
    const filter = await mlflow(api, f.token, 'GET', 'experiments/search', { filter: "name = 'a\u0000'" });
    expect([filter.status, filter.body.message]).toEqual([400, expect.stringMatching(/^Parameter query\.filter holds U\+0000/)]);
    const path = await rest(api, 'GET', `/api/v1/runs/${run}/metrics/loss%00/history`, f.token);
    expect(path.status).toBe(400);
    const ndjson = await rawJson(
      api,
      f.token,
      'POST',
      `/api/v1/runs/${run}/batch`,
      `{"key":"loss","value":1,"step":1}\n{"tag":{"key":"t","value":"x\\ud800"}}\n`,
      'application/x-ndjson',
    );
    expect([ndjson.status, ndjson.body.message]).toEqual([
      400,
      expect.stringMatching(/^line 2: \$\.tag\.value holds a lone UTF-16 surrogate/),
    ]);
    expect(await counts()).toEqual(before);
  });

  it('refuses them in GraphQL variables and literals, and the audit chain stays verifiable', async () => {
    const user = await newUser(api, admin, {});
    const before = await counts();
    const variable = await rawJson(
      api,
      admin,
      'POST',
      '/graphql',
      JSON.stringify({
        query: 'mutation($i: SetUserGlobalRoleInput!) { setUserGlobalRole(input: $i) { id } }',
        variables: { i: { userId: user.id, globalRole: 'AUDITOR', reason: 'PLACEHOLDER' } },
      }).replace('PLACEHOLDER', 'left \\ud800 group'),
    );
    expect([variable.status, variable.body.errors?.[0]?.extensions?.code, variable.body.errors?.[0]?.message]).toEqual([
      400,
      'BAD_USER_INPUT',
      expect.stringMatching(/body\.variables\.i\.reason holds a lone UTF-16 surrogate/),
    ]);
    const literal = await rawJson(
      api,
      admin,
      'POST',
      '/graphql',
      JSON.stringify({
        query: `mutation { setUserGlobalRole(input: { userId: "${user.id}", globalRole: AUDITOR, reason: "left PLACEHOLDER group" }) { id } }`,
      }).replace('PLACEHOLDER', '\\\\ud800'),
    );
    // GraphQL's own lexer refuses a lone surrogate escape in a literal; a NUL escape it accepts, and the validation rule refuses.
    expect([literal.status, literal.body.errors?.[0]?.message]).toEqual([400, expect.stringMatching(/Invalid Unicode escape sequence/)]);
    const nulLiteral = await rawJson(
      api,
      admin,
      'POST',
      '/graphql',
      JSON.stringify({
        query: `mutation { setUserGlobalRole(input: { userId: "${user.id}", globalRole: AUDITOR, reason: "left PLACEHOLDER group" }) { id } }`,
      }).replace('PLACEHOLDER', '\\\\u0000'),
    );
    expect([nulLiteral.body.errors?.[0]?.extensions?.code, nulLiteral.body.errors?.[0]?.message]).toEqual([
      'GRAPHQL_VALIDATION_FAILED',
      expect.stringMatching(/^String literal holds U\+0000/),
    ]);
    expect(await counts()).toEqual(before);
    // Well-formed text outside the BMP (a surrogate pair) is fine.
    await gqlOk(api, admin, 'mutation($i: SetUserGlobalRoleInput!) { setUserGlobalRole(input: $i) { id } }', {
      i: { userId: user.id, globalRole: 'AUDITOR', reason: 'left 🧪 group' },
    });
    const status = await gqlOk<{ auditChainStatus: { ok: boolean } }>(api, admin, '{ auditChainStatus { ok } }');
    expect(status.auditChainStatus.ok).toBe(true);
  });

  it('keeps answering other projects and GraphQL normally (the checks are not blanket refusals)', async () => {
    const project = await newProject(api, admin, 'edges-two');
    expect(
      (await gql(api, admin, 'query($id: ID!) { savedViews(projectId: $id, kind: COMPARE) { id } }', { id: project })).errors,
    ).toBeUndefined();
    expect((await mlflow(api, f.token, 'POST', 'runs/set-tag', { run_id: run, key: 'k', value: 'ünïcødé ✓ 🧪' })).status).toBe(200);
  });
});
