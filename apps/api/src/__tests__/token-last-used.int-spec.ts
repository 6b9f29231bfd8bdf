import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { Client } from 'pg';
import { ADMIN, Auth, gqlOk, login, newProject, newUser, rest, startTestApi, TestApi } from '../testing/api-harness';

/**
 * An API token's last use is written at most once a minute, and between those writes a request
 * authenticated by the token issues no statement for it at all (busy ingest clients send many
 * requests a second). Every statement TypeORM sends goes through PostgresQueryRunner.query: the
 * test counts the ones that write api_tokens.
 */
describe('API token last use', () => {
  let api: TestApi;
  let admin: Auth;
  let pg: Client;

  beforeAll(async () => {
    api = await startTestApi();
    admin = await login(api, ADMIN.username, ADMIN.password);
    pg = new Client({ connectionString: api.db.ownerUrl });
    await pg.connect();
  }, 60000);
  afterAll(async () => {
    await pg.end();
    await api.close();
  });
  afterEach(() => jest.restoreAllMocks());

  it('writes last_used_at once for many requests within a minute, and again after a minute', async () => {
    const projectId = await newProject(api, admin, 'touch');
    const u = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    const session = await login(api, u.username, u.password);
    const { token, apiToken } = (
      await gqlOk<{ createApiToken: { token: string; apiToken: { id: string } } }>(
        api,
        session,
        `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id } } }`,
        { i: { projectId, name: 'ingest', roles: ['RESEARCHER'] } },
      )
    ).createApiToken;
    const query = jest.spyOn(PostgresQueryRunner.prototype, 'query');
    const tokenWrites = () => query.mock.calls.filter(([sql]) => /^\s*UPDATE\s+"?api_tokens"?/i.test(sql)).length;
    const lastUsed = async () =>
      (await pg.query(`SELECT last_used_at FROM api_tokens WHERE id = $1`, [apiToken.id])).rows[0].last_used_at as Date | null;

    for (let i = 0; i < 10; i++) expect((await rest(api, 'GET', '/api/v1/auth/me', { bearer: token })).status).toBe(200);
    expect(tokenWrites()).toBe(1);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);

    // A minute later (by this process's clock; the stored time moved back to match): written again, once.
    await pg.query(`UPDATE api_tokens SET last_used_at = last_used_at - interval '61 seconds' WHERE id = $1`, [apiToken.id]);
    const later = Date.now() + 61_000;
    jest.spyOn(Date, 'now').mockImplementation(() => later);
    for (let i = 0; i < 3; i++) expect((await rest(api, 'GET', '/api/v1/auth/me', { bearer: token })).status).toBe(200);
    expect(tokenWrites()).toBe(2);
    expect((await lastUsed())!.getTime()).toBeGreaterThan(first!.getTime() - 1000);
  });
});
