import { hashPassword } from '@caliper/server-kit';
import { Client } from 'pg';
import { ADMIN, Auth, gqlOk, login, newProject, newUser, rest, startTestApi, TestApi } from '../testing/api-harness';

/**
 * What a password change, a reset or a deactivation does to credentials already in use: the
 * Basic-auth memo (60 s) must not keep an old password working, in this replica or any other,
 * and an admin's reset revokes the user's API tokens.
 */
describe('credentials after a password change, reset or deactivation', () => {
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

  const me = (u: { username: string }, password: string) =>
    rest(api, 'GET', '/api/v1/auth/me', { basic: [u.username, password] }).then((r) => r.status);

  it('refuses the old Basic password right after an admin reset (not 60 s later)', async () => {
    const u = await newUser(api, admin);
    expect(await me(u, u.password)).toBe(200);
    expect(await me(u, u.password)).toBe(200); // now remembered
    await gqlOk(api, admin, `mutation($u: ID!) { resetUserPassword(input: { userId: $u, newPassword: "reset-by-the-admin-1" }) { id } }`, {
      u: u.id,
    });
    expect(await me(u, u.password)).toBe(401);
    expect(await me(u, 'reset-by-the-admin-1')).toBe(200);
  });

  it('refuses the old Basic password right after the user changes it', async () => {
    const u = await newUser(api, admin);
    expect(await me(u, u.password)).toBe(200);
    const session = await login(api, u.username, u.password);
    await gqlOk(
      api,
      session,
      `mutation($c: String!) { changeMyPassword(input: { currentPassword: $c, newPassword: "changed-by-myself-1" }) }`,
      { c: u.password },
    );
    expect(await me(u, u.password)).toBe(401);
    expect(await me(u, 'changed-by-myself-1')).toBe(200);
  });

  it('refuses the old Basic password when another replica changed it (the memo is checked against the stored credential)', async () => {
    const u = await newUser(api, admin);
    expect(await me(u, u.password)).toBe(200);
    // Another API replica's reset: only the database changes, this process is not told.
    await pg.query(`UPDATE user_credentials SET password_hash = $2, changed_at = now() WHERE user_id = $1`, [
      u.id,
      await hashPassword('set-by-another-replica'),
    ]);
    expect(await me(u, u.password)).toBe(401);
    expect(await me(u, 'set-by-another-replica')).toBe(200);
  });

  it('refuses remembered Basic credentials of a deactivated user', async () => {
    const u = await newUser(api, admin);
    expect(await me(u, u.password)).toBe(200);
    await gqlOk(api, admin, `mutation($u: ID!) { deactivateUser(input: { userId: $u, reason: "left" }) { id } }`, { u: u.id });
    expect(await me(u, u.password)).toBe(401);
  });

  it("revokes the user's API tokens on an admin reset, and says so in the audit event", async () => {
    const projectId = await newProject(api, admin, 'reset-tokens');
    const u = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    const session = await login(api, u.username, u.password);
    const mint = () =>
      gqlOk<{ createApiToken: { token: string; apiToken: { id: string } } }>(
        api,
        session,
        `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id } } }`,
        {
          i: { projectId, name: 'training', roles: ['RESEARCHER'] },
        },
      ).then((r) => r.createApiToken);
    const [a, b] = [await mint(), await mint()];
    expect((await rest(api, 'GET', '/api/v1/auth/me', { bearer: a.token })).status).toBe(200);
    await gqlOk(api, admin, `mutation($u: ID!) { resetUserPassword(input: { userId: $u, newPassword: "reset-by-the-admin-2" }) { id } }`, {
      u: u.id,
    });
    for (const t of [a, b]) {
      const res = await rest(api, 'GET', '/api/v1/auth/me', { bearer: t.token });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { message: string }).message).toBe(`API token ${t.apiToken.id} was revoked.`);
    }
    const reset = await pg.query(`SELECT after FROM audit_events WHERE action = 'user.password_reset' AND entity_id = $1`, [u.id]);
    expect(reset.rows[0].after).toEqual({
      username: u.username,
      sessionsEnded: true,
      revokedTokens: [a.apiToken.id, b.apiToken.id].sort(),
    });
    const revoked = await pg.query(
      `SELECT entity_id, reason FROM audit_events WHERE action = 'token.revoked' AND entity_id = ANY($1) ORDER BY entity_id`,
      [[a.apiToken.id, b.apiToken.id]],
    );
    expect(revoked.rows).toEqual(
      [a.apiToken.id, b.apiToken.id].sort().map((id) => ({ entity_id: id, reason: 'password reset by an administrator' })),
    );
    // The schema says what a reset does.
    const schema = await gqlOk<{ __type: { fields: { name: string; description: string }[] } }>(
      api,
      admin,
      `{ __type(name: "Mutation") { fields { name description } } }`,
    );
    expect(schema.__type.fields.find((f) => f.name === 'resetUserPassword')?.description).toMatch(/revokes the user's API tokens/);
  });

  it("keeps the user's API tokens when they change their own password (the description says so)", async () => {
    const projectId = await newProject(api, admin, 'own-change-tokens');
    const u = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    const session = await login(api, u.username, u.password);
    const { token } = (
      await gqlOk<{ createApiToken: { token: string } }>(
        api,
        session,
        `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }`,
        {
          i: { projectId, name: 'training', roles: ['RESEARCHER'] },
        },
      )
    ).createApiToken;
    await gqlOk(
      api,
      session,
      `mutation($c: String!) { changeMyPassword(input: { currentPassword: $c, newPassword: "changed-by-myself-2" }) }`,
      { c: u.password },
    );
    expect((await rest(api, 'GET', '/api/v1/auth/me', { bearer: token })).status).toBe(200);
    const schema = await gqlOk<{ __type: { fields: { name: string; description: string }[] } }>(
      api,
      admin,
      `{ __type(name: "Mutation") { fields { name description } } }`,
    );
    expect(schema.__type.fields.find((f) => f.name === 'changeMyPassword')?.description).toMatch(/API tokens stay valid/);
  });
});
