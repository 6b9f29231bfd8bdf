import { ADMIN, gqlOk, login, newProject, newUser, startTestApi, TestApi } from '../testing/api-harness';

/**
 * Cross-site request forgery: a write made with the session cookie (no Authorization header) is
 * refused when its Origin (or Referer) names another site, and REST writes with the cookie must
 * not be form-encoded, multipart or text/plain (what a cross-site <form> or no-cors fetch can send
 * without a preflight). Bearer and Basic callers, which a browser never adds by itself, are not
 * affected. GraphQL's own guard (Apollo's CSRF prevention) refuses simple requests too.
 */
describe('cross-site writes with the session cookie', () => {
  let api: TestApi;
  let admin: { cookie: string };
  let researcher: { cookie: string };
  let bearer: string;
  let basic: string;
  let host: string;
  const slug = 'csrf';

  beforeAll(async () => {
    api = await startTestApi();
    host = new URL(api.base).host;
    admin = await login(api, ADMIN.username, ADMIN.password);
    const projectId = await newProject(api, admin, slug);
    const u = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    researcher = await login(api, u.username, u.password);
    bearer = (
      await gqlOk<{ createApiToken: { token: string } }>(
        api,
        researcher,
        `mutation($p: ID!) { createApiToken(input: { projectId: $p, name: "t", roles: [RESEARCHER] }) { token } }`,
        { p: projectId },
      )
    ).createApiToken.token;
    basic = `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`;
  }, 60000);
  afterAll(() => api.close());

  const send = (method: string, path: string, headers: Record<string, string>, body?: string) =>
    fetch(`${api.base}${path}`, { method, headers, body });
  const json = (o: unknown) => JSON.stringify(o);
  const experimentNamed = async (name: string) => {
    const r = await send('GET', `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(`${slug}/${name}`)}`, {
      authorization: `Bearer ${bearer}`,
    });
    return r.status;
  };
  const createExperiment = (name: string, headers: Record<string, string>, type = 'application/json') =>
    send(
      'POST',
      '/api/2.0/mlflow/experiments/create',
      { 'content-type': type, ...headers },
      type === 'application/json' ? json({ name: `${slug}/${name}` }) : `name=${encodeURIComponent(`${slug}/${name}`)}`,
    );

  it('refuses a cookie write whose Origin is another site (403, nothing done), and allows this site', async () => {
    const session = await login(api, ADMIN.username, ADMIN.password);
    const forged = await send('POST', '/api/v1/auth/logout', { ...session, origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
    expect(await forged.json()).toEqual({
      code: 'FORBIDDEN',
      message: `Cross-site request refused: Origin https://evil.example is not this site (${host}). Requests with the session cookie must come from Caliper's own pages; scripts use an API token.`,
    });
    expect((await send('GET', '/api/v1/auth/me', session)).status).toBe(200);
    expect((await send('POST', '/api/v1/auth/logout', { ...session, origin: api.base })).status).toBe(204);
    expect((await send('GET', '/api/v1/auth/me', session)).status).toBe(401);
  });

  it('checks sign-in the same way, with or without a cookie (it sets one: login CSRF)', async () => {
    const body = json({ username: ADMIN.username, password: ADMIN.password });
    expect(
      (await send('POST', '/api/v1/auth/login', { 'content-type': 'application/json', origin: 'https://evil.example' }, body)).status,
    ).toBe(403);
    expect(
      (
        await send(
          'POST',
          '/api/v1/auth/login',
          { 'content-type': 'application/x-www-form-urlencoded' },
          `username=admin&password=${encodeURIComponent(ADMIN.password)}`,
        )
      ).status,
    ).toBe(415);
    expect((await send('POST', '/api/v1/auth/login', { 'content-type': 'application/json', origin: api.base }, body)).status).toBe(200);
  });

  it('uses the Referer when there is no Origin, and refuses an opaque Origin ("null")', async () => {
    const session = await login(api, ADMIN.username, ADMIN.password);
    expect((await send('POST', '/api/v1/auth/logout', { ...session, referer: 'https://evil.example/page' })).status).toBe(403);
    expect((await send('POST', '/api/v1/auth/logout', { ...session, origin: 'null' })).status).toBe(403);
    // Same host, other port: another origin.
    expect((await send('POST', '/api/v1/auth/logout', { ...session, origin: `http://${new URL(api.base).hostname}:1` })).status).toBe(403);
    expect((await send('GET', '/api/v1/auth/me', session)).status).toBe(200);
    expect((await send('POST', '/api/v1/auth/logout', { ...session, referer: `${api.base}/projects` })).status).toBe(204);
  });

  it('refuses form-encoded, multipart and text/plain cookie writes with 415, even from this site', async () => {
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain;charset=UTF-8']) {
      const res = await createExperiment(`form-${type.split(/[/;]/)[1]}`, { ...researcher, origin: api.base }, type);
      expect({ type, status: res.status }).toEqual({ type, status: 415 });
      expect(((await res.json()) as { message: string }).message).toMatch(/send JSON \(Content-Type: application\/json\)/);
    }
    expect(await experimentNamed('form-x-www-form-urlencoded')).toBe(404);
    // Without an Origin (not a browser) the content type alone refuses it.
    expect((await createExperiment('form-no-origin', researcher, 'application/x-www-form-urlencoded')).status).toBe(415);
    expect(await experimentNamed('form-no-origin')).toBe(404);
  });

  it('accepts JSON cookie writes from this site, as the web app sends them', async () => {
    expect((await createExperiment('json-same-site', { ...researcher, origin: api.base })).status).toBe(200);
    expect(await experimentNamed('json-same-site')).toBe(200);
    const gql = await send(
      'POST',
      '/graphql',
      { ...researcher, origin: api.base, 'content-type': 'application/json' },
      json({ query: '{ me { user { username } } }' }),
    );
    expect(gql.status).toBe(200);
  });

  it('does not apply to Bearer or Basic callers (a browser never adds those to a forged request)', async () => {
    expect(
      (
        await createExperiment(
          'bearer-form',
          { authorization: `Bearer ${bearer}`, origin: 'https://elsewhere.example' },
          'application/x-www-form-urlencoded',
        )
      ).status,
    ).toBe(200);
    expect(await experimentNamed('bearer-form')).toBe(200);
    expect((await createExperiment('basic-json', { authorization: basic, origin: 'https://elsewhere.example' })).status).toBe(200);
  });

  it('refuses cross-site GraphQL mutations with the cookie, and Apollo refuses simple (form, text/plain) GraphQL posts', async () => {
    const mutation = `mutation { createProject(input: { slug: "forged", name: "Forged" }) { id } }`;
    const crossSite = await send(
      'POST',
      '/graphql',
      { ...admin, origin: 'https://evil.example', 'content-type': 'application/json' },
      json({ query: mutation }),
    );
    expect(crossSite.status).toBe(403);
    // No Origin at all: Apollo's CSRF prevention still refuses what a <form> can send.
    const form = await send(
      'POST',
      '/graphql',
      { ...admin, 'content-type': 'application/x-www-form-urlencoded' },
      `query=${encodeURIComponent(mutation)}`,
    );
    expect(form.status).toBe(400);
    expect(await form.text()).toMatch(/CSRF/);
    const text = await send('POST', '/graphql', { ...admin, 'content-type': 'text/plain' }, json({ query: mutation }));
    expect(text.status).toBe(400);
    const projects = await gqlOk<{ projects: { slug: string }[] }>(api, admin, `{ projects { slug } }`);
    expect(projects.projects.map((p) => p.slug)).not.toContain('forged');
  });
});
