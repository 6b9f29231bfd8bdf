/** The transport against a scripted server: which failures are retried, how long it waits, what errors say. */
import { CaliperApiError } from '../errors';
import { HttpTransport } from '../http';
import { FakeServer, json, requestAt, startFakeServer } from './fake-server';

describe('HttpTransport', () => {
  let server: FakeServer;
  let delays: number[];
  const transport = (extra: Partial<ConstructorParameters<typeof HttpTransport>[0]> = {}) =>
    new HttpTransport({
      baseUrl: server.base + '/',
      credentials: { token: 'clp_t' },
      sleep: async (ms) => void delays.push(ms),
      random: () => 0.5,
      retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 5000 },
      ...extra,
    });

  beforeEach(async () => {
    server = await startFakeServer();
    delays = [];
  });
  afterEach(() => server.close());

  it('sends the bearer token and returns the parsed body', async () => {
    server.handle((_req, res) => json(res, 200, { ok: true }));
    await expect(transport().json('GET', '/api/v1/x', { query: { a: 1, b: undefined } })).resolves.toEqual({ ok: true });
    expect(server.requests[0]).toMatchObject({ path: '/api/v1/x?a=1', headers: { authorization: 'Bearer clp_t' } });
  });

  it('waits as long as Retry-After says after a 429, then succeeds', async () => {
    server.handle((_req, res, n) =>
      n === 1 ? json(res, 429, { code: 'TOO_MANY_ATTEMPTS', message: 'slow down' }, { 'retry-after': '2' }) : json(res, 200, {}),
    );
    await transport().json('POST', '/api/v1/runs/r/batch', { json: {}, idempotent: true });
    expect(server.requests).toHaveLength(2);
    expect(delays).toEqual([2000]);
  });

  it("backs off with jitter on 5xx and gives up with the server's code and message", async () => {
    server.handle((_req, res) => json(res, 503, { code: 'INTERNAL', message: 'database unavailable' }));
    const err = await transport()
      .json('GET', '/api/v1/runs/r')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaliperApiError);
    expect(err).toMatchObject({ code: 'INTERNAL', status: 503, message: expect.stringMatching(/database unavailable/) });
    expect(server.requests).toHaveLength(4);
    expect(delays).toEqual([50, 100, 200]);
  });

  it('does not repeat a non-idempotent POST after a 500 (it may have been applied)', async () => {
    server.handle((_req, res) => json(res, 500, { code: 'INTERNAL', message: 'boom' }));
    await expect(transport().json('POST', '/api/v1/projects/p/runs', { json: {} })).rejects.toMatchObject({
      code: 'INTERNAL',
      status: 500,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('repeats a non-idempotent POST the server refused with 503', async () => {
    server.handle((_req, res, n) => (n === 1 ? json(res, 503, {}) : json(res, 201, { run: { runId: 'a' } })));
    await expect(transport().json('POST', '/api/v1/projects/p/runs', { json: {} })).resolves.toEqual({ run: { runId: 'a' } });
    expect(server.requests).toHaveLength(2);
  });

  it('retries an idempotent request whose connection dropped', async () => {
    server.handle((_req, res, n) => (n === 1 ? res.socket!.destroy() : json(res, 200, { ok: 1 })));
    await expect(transport().json('PUT', '/api/v1/x', { json: {} })).resolves.toEqual({ ok: 1 });
    expect(server.requests).toHaveLength(2);
  });

  it('reports a network failure naming the cause after the last attempt', async () => {
    const url = server.base;
    await server.close();
    const t = new HttpTransport({ baseUrl: url, sleep: async () => undefined, retry: { maxAttempts: 3 } });
    await expect(t.json('GET', '/api/v1/x')).rejects.toMatchObject({
      code: 'NETWORK_ERROR',
      status: 0,
      message: expect.stringMatching(/ECONNREFUSED.*gave up after 3 attempts/),
    });
  });

  it('reads MLflow-shaped errors and non-JSON bodies', async () => {
    server.handle((req, res) =>
      req.path === '/m'
        ? json(res, 404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Run with id=x not found' })
        : res.writeHead(400).end('<html>bad</html>'),
    );
    await expect(transport().json('GET', '/m')).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
      status: 404,
      message: expect.stringMatching(/Run with id=x not found/),
    });
    await expect(transport().json('GET', '/h')).rejects.toMatchObject({ code: 'HTTP_400', message: expect.stringMatching(/<html>bad/) });
  });

  it('signs in with a password, sends the cookie, and signs in again once when the session expired', async () => {
    let session = 's1';
    server.handle((req, res) => {
      if (req.path === '/api/v1/auth/login')
        return json(res, 200, { user: {} }, { 'set-cookie': `caliper_session=${session}; Path=/; HttpOnly` });
      if (req.headers.cookie === 'caliper_session=s2') return json(res, 200, { ok: true });
      session = 's2';
      return json(res, 401, { code: 'UNAUTHENTICATED', message: 'Sign in first' });
    });
    const t = transport({ credentials: { username: 'u', password: 'p' } });
    await expect(t.json('GET', '/api/v1/runs/x')).resolves.toEqual({ ok: true });
    expect(server.requests.map((r) => `${r.path} ${r.headers.cookie ?? ''}`)).toEqual([
      '/api/v1/auth/login ',
      '/api/v1/runs/x caliper_session=s1',
      '/api/v1/auth/login ',
      '/api/v1/runs/x caliper_session=s2',
    ]);
    expect(JSON.parse(requestAt(server.requests, 0).body)).toEqual({ username: 'u', password: 'p' });
  });
});
