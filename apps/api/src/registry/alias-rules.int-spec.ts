/**
 * Per-alias permissions (issue 14, item 3) on real PostgreSQL: a PI protects `champion` so only a
 * PI moves it; through MLflow's set-alias and delete-alias and through GraphQL, a researcher is
 * refused (and nothing changes) while an unprotected alias still moves for them; a researcher's
 * token never gets past a rule its scope lacks; lifting the rule restores the old behaviour; each
 * rule change is audited.
 */
import { Auth, errorCode, errorMessage, gql, gqlOk, login, newUser, startTestApi, TestApi } from '../testing/api-harness';
import { mlflow, ownerQuery, registryFixture, RegistryFixture } from './testing/registry-fixture';

const MODEL = 'lung-nodule';
const SET_RULE = `mutation($p: ID!, $n: String!, $a: String!, $r: [String!]!) { setAliasRule(input: { projectId: $p, modelName: $n, alias: $a, roles: $r }) { alias roles } }`;
const SET_ALIAS = `mutation($p: ID!, $n: String!, $a: String!, $v: Int!) { setModelAlias(input: { projectId: $p, modelName: $n, alias: $a, version: $v }) { version aliases } }`;
const RULES = `query($p: ID!, $n: String!) { registeredModel(projectId: $p, name: $n) { aliasRules { alias roles } } }`;

describe('per-alias permissions', () => {
  let api: TestApi;
  let f: RegistryFixture;
  let pi: Auth;

  const aliasOf = async (alias: string) =>
    (
      await ownerQuery<{ version: number }>(
        api,
        `SELECT mv.version FROM registered_model_aliases a JOIN model_versions mv ON mv.id = a.model_version_id
         JOIN registered_models rm ON rm.id = a.registered_model_id WHERE rm.name = $1 AND a.alias = $2`,
        [MODEL, alias],
      )
    )[0]?.version ?? null;

  beforeAll(async () => {
    api = await startTestApi();
    f = await registryFixture(api, 'alias-rules');
    const p = await newUser(api, f.admin, { projectId: f.projectId, roles: ['PI', 'RESEARCHER'] });
    pi = await login(api, p.username, p.password);
    expect((await mlflow(api, 'POST', 'registered-models/create', { name: MODEL }, f.researcher)).status).toBe(200);
    for (const v of [1, 2])
      expect(
        (await mlflow(api, 'POST', 'model-versions/create', { name: MODEL, source: `s3://models/nodule-${v}.onnx` }, f.researcher)).status,
      ).toBe(200);
  }, 60_000);
  afterAll(() => api?.close());

  it('a protected alias moves only for its roles, through MLflow and GraphQL alike', async () => {
    expect(
      (await mlflow(api, 'POST', 'registered-models/alias', { name: MODEL, alias: 'champion', version: '1' }, f.researcher)).status,
    ).toBe(200);
    // Only the PI may protect an alias.
    expect(errorCode(await gql(api, f.researcher, SET_RULE, { p: f.projectId, n: MODEL, a: 'champion', r: ['pi'] }))).toBe('FORBIDDEN');
    expect(
      (await gqlOk<{ setAliasRule: unknown[] }>(api, pi, SET_RULE, { p: f.projectId, n: MODEL, a: 'champion', r: ['pi'] })).setAliasRule,
    ).toEqual([{ alias: 'champion', roles: ['pi'] }]);

    const refusedSet = await mlflow(api, 'POST', 'registered-models/alias', { name: MODEL, alias: 'champion', version: '2' }, f.researcher);
    expect(refusedSet.status).toBe(403);
    expect(refusedSet.body).toEqual({
      error_code: 'PERMISSION_DENIED',
      message: `Alias 'champion' of registered model '${MODEL}' is protected: only pi may move it.`,
    });
    const refusedDelete = await mlflow(api, 'DELETE', 'registered-models/alias', { name: MODEL, alias: 'champion' }, f.researcher);
    expect([refusedDelete.status, refusedDelete.body.error_code]).toEqual([403, 'PERMISSION_DENIED']);
    const refusedGql = await gql(api, f.researcher, SET_ALIAS, { p: f.projectId, n: MODEL, a: 'champion', v: 2 });
    expect([errorCode(refusedGql), errorMessage(refusedGql)]).toEqual(['FORBIDDEN', expect.stringMatching(/only pi may move it/)]);
    expect(await aliasOf('champion')).toBe(1);

    // An unprotected alias still moves for the researcher; the PI moves the protected one.
    expect(
      (
        await gqlOk<{ setModelAlias: { aliases: string[] } }>(api, f.researcher, SET_ALIAS, {
          p: f.projectId,
          n: MODEL,
          a: 'challenger',
          v: 2,
        })
      ).setModelAlias.aliases,
    ).toEqual(['challenger']);
    expect(
      (await gqlOk<{ setModelAlias: { version: number } }>(api, pi, SET_ALIAS, { p: f.projectId, n: MODEL, a: 'champion', v: 2 }))
        .setModelAlias.version,
    ).toBe(2);
    expect(await aliasOf('champion')).toBe(2);
  });

  it("a token's scope counts, not only its owner's roles", async () => {
    const { createApiToken } = await gqlOk<{ createApiToken: { token: string } }>(
      api,
      pi,
      `mutation($p: ID!) { createApiToken(input: { projectId: $p, name: "researcher-scope", roles: [RESEARCHER] }) { token } }`,
      { p: f.projectId },
    );
    const scoped = { bearer: createApiToken.token };
    const r = await mlflow(api, 'POST', 'registered-models/alias', { name: MODEL, alias: 'champion', version: '1' }, scoped);
    expect([r.status, r.body.error_code]).toEqual([403, 'PERMISSION_DENIED']);
    expect(await aliasOf('champion')).toBe(2);
  });

  it('lifting the rule lets the researcher move the alias again; rule changes are audited', async () => {
    expect(
      (await gqlOk<{ setAliasRule: unknown[] }>(api, pi, SET_RULE, { p: f.projectId, n: MODEL, a: 'champion', r: [] })).setAliasRule,
    ).toEqual([]);
    expect(
      (await gqlOk<{ registeredModel: { aliasRules: unknown[] } }>(api, f.researcher, RULES, { p: f.projectId, n: MODEL })).registeredModel
        .aliasRules,
    ).toEqual([]);
    expect((await mlflow(api, 'DELETE', 'registered-models/alias', { name: MODEL, alias: 'champion' }, f.researcher)).status).toBe(200);
    expect(await aliasOf('champion')).toBeNull();
    const events = await ownerQuery<{ before: unknown; after: unknown }>(
      api,
      `SELECT before, after FROM audit_events WHERE action = 'alias_rule.set' ORDER BY seq`,
    );
    expect(events).toEqual([
      { before: null, after: { alias: 'champion', roles: ['pi'] } },
      { before: { alias: 'champion', roles: ['pi'] }, after: null },
    ]);
    const badRole = await gql(api, pi, SET_RULE, { p: f.projectId, n: MODEL, a: 'champion', r: ['owner'] });
    expect(errorCode(badRole)).toBe('BAD_USER_INPUT');
  });
});
