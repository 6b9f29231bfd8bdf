import Redis from 'ioredis';
import { Client } from 'pg';
import { ADMIN, Auth, errorCode, gql, gqlOk, login, newProject, newUser, rest, startTestApi, TestApi } from '../testing/api-harness';

/** Sign-in, sessions, API tokens and Basic credentials on real PostgreSQL, Redis and S3. */
describe('authentication', () => {
  let api: TestApi;
  let admin: Auth;
  let pg: Client;
  const redis = new Redis('redis://127.0.0.1:6379');

  beforeAll(async () => {
    api = await startTestApi({ LOGIN_MAX_FAILURES: '3', LOGIN_LOCKOUT_SECONDS: '120' });
    admin = await login(api, ADMIN.username, ADMIN.password);
    pg = new Client({ connectionString: api.db.ownerUrl });
    await pg.connect();
  }, 60000);
  afterAll(async () => {
    // Lock counters live in Redis beyond this test database; remove this run's.
    const keys = await redis.keys(`caliper:login-lock:user-${process.pid}-*`);
    if (keys.length) await redis.del(...keys);
    await pg.end();
    redis.disconnect();
    await api.close();
  });

  it('signs in with the right password and sets an httpOnly SameSite=Strict session cookie', async () => {
    const res = await rest(api, 'POST', '/api/v1/auth/login', null, { username: ADMIN.username, password: ADMIN.password });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { username: string } }).user.username).toBe('admin');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^caliper_session=[0-9a-f-]{36}\.[0-9a-f]{64};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const [session = ''] = cookie.split(';');
    const me = await rest(api, 'GET', '/api/v1/auth/me', { cookie: session });
    expect(me.status).toBe(200);
  });

  it('refuses a wrong password with 401 and a message, and a missing field with 400 naming it', async () => {
    const res = await rest(api, 'POST', '/api/v1/auth/login', null, { username: ADMIN.username, password: 'not-the-password' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 'INVALID_CREDENTIALS', message: 'Wrong username or password.' });
    const bad = await rest(api, 'POST', '/api/v1/auth/login', null, { username: ADMIN.username });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/password/);
  });

  it('locks an account after too many failures (429 + Retry-After) and schedules one aggregated audit job per account, IP and minute', async () => {
    const victim = await newUser(api, admin);
    for (let i = 0; i < 3; i++) {
      expect(
        (await rest(api, 'POST', '/api/v1/auth/login', null, { username: victim.username, password: `wrong-${i}-password` })).status,
      ).toBe(401);
    }
    const locked = await rest(api, 'POST', '/api/v1/auth/login', null, { username: victim.username, password: victim.password });
    expect(locked.status).toBe(429);
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(60);
    expect(retryAfter).toBeLessThanOrEqual(120);
    expect(((await locked.json()) as { code: string }).code).toBe('TOO_MANY_ATTEMPTS');
    const jobs = await pg.query(
      `SELECT job_name, payload FROM outbox WHERE job_name = 'auth.failed-logins.flush' AND payload->>'username' = $1`,
      [victim.username],
    );
    // All four failures fall in one or two minutes: one job per minute, never one per failure.
    expect(jobs.rows.length).toBeGreaterThanOrEqual(1);
    expect(jobs.rows.length).toBeLessThanOrEqual(2);
    expect(jobs.rows[0].payload).toMatchObject({ v: 1, username: victim.username, ip: expect.any(String) });
  });

  it('ends a session on logout and audits sign-in and sign-out', async () => {
    const user = await newUser(api, admin);
    const session = await login(api, user.username, user.password);
    expect((await rest(api, 'POST', '/api/v1/auth/logout', session)).status).toBe(204);
    const after = await rest(api, 'GET', '/api/v1/auth/me', session);
    expect(after.status).toBe(401);
    const events = await pg.query(`SELECT action FROM audit_events WHERE actor_label = $1 ORDER BY seq`, [user.username]);
    expect(events.rows.map((r) => r.action)).toEqual(['auth.login', 'auth.logout']);
  });

  it("refuses a deactivated user's open session", async () => {
    const user = await newUser(api, admin);
    const session = await login(api, user.username, user.password);
    await gqlOk(api, admin, `mutation($i: DeactivateUserInput!) { deactivateUser(input: $i) { isActive } }`, {
      i: { userId: user.id, reason: 'left the group' },
    });
    expect((await rest(api, 'GET', '/api/v1/auth/me', session)).status).toBe(401);
    expect((await rest(api, 'POST', '/api/v1/auth/login', null, { username: user.username, password: user.password })).status).toBe(401);
  });

  it('never reuses a username, even after deactivation', async () => {
    const user = await newUser(api, admin);
    await gqlOk(api, admin, `mutation($i: DeactivateUserInput!) { deactivateUser(input: $i) { isActive } }`, {
      i: { userId: user.id, reason: 'gone' },
    });
    const again = await gql(api, admin, `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
      i: { username: user.username, displayName: 'x', password: 'another-password-1' },
    });
    expect(errorCode(again)).toBe('CONFLICT');
  });

  describe('API tokens', () => {
    let projectX: string;
    let projectY: string;
    let researcher: { id: string; username: string; password: string };
    let researcherSession: Auth;

    beforeAll(async () => {
      projectX = await newProject(api, admin, 'token-x');
      projectY = await newProject(api, admin, 'token-y');
      researcher = await newUser(api, admin, { projectId: projectX, roles: ['RESEARCHER'] });
      await gqlOk(api, admin, `mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { roles } }`, {
        i: { projectId: projectY, username: researcher.username, roles: ['VIEWER'] },
      });
      researcherSession = await login(api, researcher.username, researcher.password);
    });

    const createToken = async (roles: string[], projectId = projectX) =>
      gql<{ createApiToken: { token: string; apiToken: { id: string } } }>(
        api,
        researcherSession,
        `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id roles expiresAt } } }`,
        { i: { projectId, name: 'training', roles } },
      );

    it('is shown once as clp_<id>_<secret> and stored only as a SHA-256 hash', async () => {
      const r = await createToken(['RESEARCHER']);
      const { token, apiToken } = r.data!.createApiToken;
      expect(token).toMatch(/^clp_[0-9a-f]{16}_[0-9a-f]{64}$/);
      const row = await pg.query(`SELECT secret_hash FROM api_tokens WHERE id = $1`, [apiToken.id]);
      expect(row.rows[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row.rows[0])).not.toContain(token.split('_')[2]);
    });

    it('reads its own project but not another project, even one its owner can read', async () => {
      const { token } = (await createToken(['RESEARCHER'])).data!.createApiToken;
      const own = await gql<{ project: { slug: string } }>(api, { bearer: token }, `{ project(slug: "token-x") { slug myRoles } }`);
      expect(own.data?.project.slug).toBe('token-x');
      const other = await gql(api, { bearer: token }, `{ project(slug: "token-y") { slug } }`);
      // Answered as for a slug that does not exist: nothing tells the token which other projects there are.
      expect(errorCode(other)).toBe('NOT_FOUND');
      const listed = await gqlOk<{ projects: { slug: string }[] }>(api, { bearer: token }, `{ projects { slug } }`);
      expect(listed.projects.map((p) => p.slug)).toEqual(['token-x']);
    });

    it('cannot carry a role its owner lacks, and loses rights its owner loses', async () => {
      expect(errorCode(await createToken(['PI']))).toBe('BAD_USER_INPUT');
      const { token, apiToken } = (await createToken(['RESEARCHER'])).data!.createApiToken;
      const mintAnother = `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }`;
      expect(
        errorCode(await gql(api, { bearer: token }, mintAnother, { i: { projectId: projectX, name: 'n', roles: ['RESEARCHER'] } })),
      ).toBe('FORBIDDEN');
      await gqlOk(api, admin, `mutation($i: SetProjectMemberRolesInput!) { setProjectMemberRoles(input: $i) { roles } }`, {
        i: { projectId: projectX, userId: researcher.id, roles: ['VIEWER'] },
      });
      // Scope {researcher} ∩ current roles {viewer} is empty: the token cannot even read its project now.
      expect(errorCode(await gql(api, { bearer: token }, `{ project(slug: "token-x") { slug } }`))).toBe('NOT_FOUND');
      await gqlOk(api, admin, `mutation($i: SetProjectMemberRolesInput!) { setProjectMemberRoles(input: $i) { roles } }`, {
        i: { projectId: projectX, userId: researcher.id, roles: ['RESEARCHER'] },
      });
      expect(apiToken.id).toMatch(/^[0-9a-f]{16}$/);
    });

    it('is refused once revoked, and the revocation is audited', async () => {
      const { token, apiToken } = (await createToken(['RESEARCHER'])).data!.createApiToken;
      expect((await rest(api, 'GET', '/api/v1/auth/me', { bearer: token })).status).toBe(200);
      await gqlOk(api, researcherSession, `mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, { id: apiToken.id });
      const res = await rest(api, 'GET', '/api/v1/auth/me', { bearer: token });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { message: string }).message).toBe(`API token ${apiToken.id} was revoked.`);
      const ev = await pg.query(`SELECT action FROM audit_events WHERE entity_type = 'api_token' AND entity_id = $1 ORDER BY seq`, [
        apiToken.id,
      ]);
      expect(ev.rows.map((r) => r.action)).toEqual(['token.created', 'token.revoked']);
    });

    it('is refused when expired or tampered with', async () => {
      const { token, apiToken } = (await createToken(['RESEARCHER'])).data!.createApiToken;
      const flipped = token.slice(0, -1) + (token.endsWith('0') ? '1' : '0');
      expect((await rest(api, 'GET', '/api/v1/auth/me', { bearer: flipped })).status).toBe(401);
      await pg.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [apiToken.id]);
      expect((await rest(api, 'GET', '/api/v1/auth/me', { bearer: token })).status).toBe(401);
    });

    it('records last use at most once a minute', async () => {
      const { token, apiToken } = (await createToken(['RESEARCHER'])).data!.createApiToken;
      await rest(api, 'GET', '/api/v1/auth/me', { bearer: token });
      const first = (await pg.query(`SELECT last_used_at FROM api_tokens WHERE id = $1`, [apiToken.id])).rows[0].last_used_at as Date;
      expect(first).toBeInstanceOf(Date);
      await rest(api, 'GET', '/api/v1/auth/me', { bearer: token });
      const second = (await pg.query(`SELECT last_used_at FROM api_tokens WHERE id = $1`, [apiToken.id])).rows[0].last_used_at as Date;
      expect(second.getTime()).toBe(first.getTime());
    });

    it('works as the Basic password the mlflow client sends, as does the account password', async () => {
      const { token } = (await createToken(['RESEARCHER'])).data!.createApiToken;
      expect((await rest(api, 'GET', '/api/v1/auth/me', { basic: [researcher.username, token] })).status).toBe(200);
      expect((await rest(api, 'GET', '/api/v1/auth/me', { basic: [researcher.username, researcher.password] })).status).toBe(200);
      expect((await rest(api, 'GET', '/api/v1/auth/me', { basic: [researcher.username, 'wrong-password-here'] })).status).toBe(401);
      // Basic credentials count towards the same lockout: once locked, even the right password gets 429.
      for (let i = 0; i < 3; i++) await rest(api, 'GET', '/api/v1/auth/me', { basic: [researcher.username, `wrong-${i}-again`] });
      const locked = await rest(api, 'GET', '/api/v1/auth/me', { basic: [researcher.username, researcher.password] });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      const failures = await pg.query(
        `SELECT count(*)::int AS n FROM outbox WHERE job_name = 'auth.failed-logins.flush' AND payload->>'username' = $1`,
        [researcher.username],
      );
      expect(failures.rows[0].n).toBeGreaterThanOrEqual(1);
    });
  });

  it('keeps secrets and their hashes out of every audit event', async () => {
    const rows = await pg.query(`SELECT canonical FROM audit_events`);
    expect(rows.rows.length).toBeGreaterThan(10);
    const secrets = await pg.query(
      `SELECT secret_hash AS s FROM api_tokens UNION ALL SELECT secret_hash FROM sessions UNION ALL SELECT password_hash FROM user_credentials`,
    );
    const all = rows.rows.map((r) => r.canonical as string).join('\n');
    for (const { s } of secrets.rows) expect(all).not.toContain(s);
    expect(all).not.toContain(ADMIN.password);
    expect(all).not.toMatch(/clp_[0-9a-f]{16}_[0-9a-f]{64}/);
    expect(all).not.toMatch(/"(password|passwordHash|secret|secretHash|token)":/i);
  });
});
