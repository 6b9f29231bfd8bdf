import { Client } from 'pg';
import { ADMIN, Auth, errorCode, errorMessage, gql, gqlOk, login, newUser, rest, startTestApi, TestApi } from '../testing/api-harness';

/** User administration: global roles, reactivation, password reset and change, each audited. */
describe('user administration', () => {
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

  const actions = async (userId: string) =>
    (await pg.query(`SELECT action FROM audit_events WHERE entity_type = 'user' AND entity_id = $1 ORDER BY seq`, [userId])).rows.map(
      (r) => r.action,
    );

  it('grants and removes a global role with a reason, and refuses changing your own', async () => {
    const u = await newUser(api, admin);
    const set = await gqlOk<{ setUserGlobalRole: { globalRole: string } }>(
      api,
      admin,
      `mutation($u: ID!) { setUserGlobalRole(input: { userId: $u, globalRole: AUDITOR, reason: "quarterly audit" }) { globalRole } }`,
      { u: u.id },
    );
    expect(set.setUserGlobalRole.globalRole).toBe('AUDITOR');
    const session = await login(api, u.username, u.password);
    const me = await gqlOk<{ me: { globalPermissions: string[] } }>(api, session, `{ me { globalPermissions } }`);
    expect(me.me.globalPermissions).toEqual(['project.read', 'audit.read']);
    await gqlOk(
      api,
      admin,
      `mutation($u: ID!) { setUserGlobalRole(input: { userId: $u, globalRole: null, reason: "audit done" }) { id } }`,
      { u: u.id },
    );
    expect(
      (await gqlOk<{ me: { globalPermissions: string[] } }>(api, session, `{ me { globalPermissions } }`)).me.globalPermissions,
    ).toEqual([]);
    const adminId = (await gqlOk<{ me: { user: { id: string } } }>(api, admin, `{ me { user { id } } }`)).me.user.id;
    const self = await gql(
      api,
      admin,
      `mutation($u: ID!) { setUserGlobalRole(input: { userId: $u, globalRole: AUDITOR, reason: "oops" }) { id } }`,
      { u: adminId },
    );
    expect(errorCode(self)).toBe('BAD_USER_INPUT');
    expect(await actions(u.id)).toEqual(['user.created', 'user.global_role_changed', 'user.global_role_changed']);
  });

  it('reactivates a deactivated user, who can then sign in again', async () => {
    const u = await newUser(api, admin);
    await gqlOk(api, admin, `mutation($u: ID!) { deactivateUser(input: { userId: $u, reason: "on leave" }) { id } }`, { u: u.id });
    expect((await rest(api, 'POST', '/api/v1/auth/login', null, { username: u.username, password: u.password })).status).toBe(401);
    await gqlOk(api, admin, `mutation($u: ID!) { reactivateUser(input: { userId: $u, reason: "back from leave" }) { isActive } }`, {
      u: u.id,
    });
    expect((await rest(api, 'POST', '/api/v1/auth/login', null, { username: u.username, password: u.password })).status).toBe(200);
  });

  it('resets a password: the old one stops working and open sessions end; the password is not audited', async () => {
    const u = await newUser(api, admin);
    const session = await login(api, u.username, u.password);
    const newPassword = 'a-fresh-password-42';
    await gqlOk(api, admin, `mutation($u: ID!, $p: String!) { resetUserPassword(input: { userId: $u, newPassword: $p }) { id } }`, {
      u: u.id,
      p: newPassword,
    });
    expect((await rest(api, 'GET', '/api/v1/auth/me', session)).status).toBe(401);
    expect((await rest(api, 'POST', '/api/v1/auth/login', null, { username: u.username, password: u.password })).status).toBe(401);
    expect((await rest(api, 'POST', '/api/v1/auth/login', null, { username: u.username, password: newPassword })).status).toBe(200);
    const canonical = (await pg.query(`SELECT canonical FROM audit_events WHERE action = 'user.password_reset'`)).rows
      .map((r) => r.canonical)
      .join();
    expect(canonical).not.toContain(newPassword);
  });

  it('changes your own password only with the current one, keeping this session and ending the others', async () => {
    const u = await newUser(api, admin);
    const here = await login(api, u.username, u.password);
    const elsewhere = await login(api, u.username, u.password);
    const wrong = await gql(
      api,
      here,
      `mutation { changeMyPassword(input: { currentPassword: "not-it-at-all", newPassword: "my-new-password-1" }) }`,
    );
    expect(errorCode(wrong)).toBe('BAD_USER_INPUT');
    expect(errorMessage(wrong)).toMatch(/current password is not correct/);
    await gqlOk(api, here, `mutation($c: String!) { changeMyPassword(input: { currentPassword: $c, newPassword: "my-new-password-1" }) }`, {
      c: u.password,
    });
    expect((await rest(api, 'GET', '/api/v1/auth/me', here)).status).toBe(200);
    expect((await rest(api, 'GET', '/api/v1/auth/me', elsewhere)).status).toBe(401);
    expect(await actions(u.id)).toContain('user.password_changed');
  });

  it('counts wrong current passwords as failed sign-ins: five lock the account, for the password change and for sign-in', async () => {
    const u = await newUser(api, admin);
    const here = await login(api, u.username, u.password);
    const change = (current: string) =>
      gql(api, here, `mutation($c: String!) { changeMyPassword(input: { currentPassword: $c, newPassword: "my-new-password-2" }) }`, {
        c: current,
      });
    for (let i = 0; i < 5; i++) expect(errorCode(await change(`wrong-guess-${i}`))).toBe('BAD_USER_INPUT');
    // Locked now: even the right password is refused, and the account cannot sign in either.
    const locked = await change(u.password);
    expect(errorCode(locked)).toBe('TOO_MANY_ATTEMPTS');
    expect(errorMessage(locked)).toMatch(/Try again in \d+ minute/);
    expect((await rest(api, 'POST', '/api/v1/auth/login', null, { username: u.username, password: u.password })).status).toBe(429);
  });
});
