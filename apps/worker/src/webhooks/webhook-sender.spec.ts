/**
 * The webhook sender against receivers on 127.0.0.1 (real sockets, no mocks): what it sends and
 * signs, how it reports an error status, a refused address and a receiver too slow to answer.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '@caliper/domain';
import { guardedLookup, postWebhook } from './webhook-sender';

const SECRET = 'whsec_0123456789abcdef0123456789abcdef';

describe('postWebhook', () => {
  let server: Server;
  let base: string;
  const seen: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const handlers: Record<string, (res: ServerResponse) => void> = {
    '/ok': (res) => res.writeHead(200).end('thanks'),
    '/teapot': (res) => res.writeHead(418, { 'content-type': 'text/plain' }).end(`short and stout ${'x'.repeat(1000)}`),
    '/redirect': (res) => res.writeHead(302, { location: '/ok' }).end(),
    '/slow': () => undefined,
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        handlers[req.url ?? '']?.(res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const post = (path: string, opts: { allowPrivate?: boolean; timeoutMs?: number } = {}) =>
    postWebhook(
      { url: `${base}${path}`, secret: SECRET, eventType: 'promotion.signed', eventId: 'e-1', body: '{"id":"e-1","é":"ü"}' },
      { allowPrivate: opts.allowPrivate ?? true, timeoutMs: opts.timeoutMs },
    );

  it('POSTs the body as JSON with the event, delivery id, timestamp and a signature the documented check accepts', async () => {
    const r = await post('/ok');
    expect(r).toMatchObject({ statusCode: 200, error: null });
    const req = seen.find((s) => s.url === '/ok')!;
    expect(req.body).toBe('{"id":"e-1","é":"ü"}');
    expect(req.headers).toMatchObject({
      'content-type': 'application/json',
      'x-caliper-event': 'promotion.signed',
      'x-caliper-delivery': 'e-1',
      'x-caliper-timestamp': expect.stringMatching(/^\d{10}$/),
    });
    const headers = { timestamp: String(req.headers['x-caliper-timestamp']), signature: String(req.headers['x-caliper-signature']) };
    expect(verifyWebhookSignature(SECRET, headers, req.body)).toBe(true);
  });

  it('reports a non-2xx answer with its status and the start of its body, and does not follow redirects', async () => {
    const teapot = await post('/teapot');
    expect(teapot.statusCode).toBe(418);
    expect(teapot.error).toMatch(/^the receiver answered HTTP 418: short and stout x+$/);
    expect(teapot.error!.length).toBeLessThan(400);
    const redirect = await post('/redirect');
    expect(redirect).toMatchObject({ statusCode: 302, error: 'the receiver answered HTTP 302' });
    expect(seen.filter((s) => s.url === '/ok')).toHaveLength(1);
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const started = Date.now();
    const r = await post('/slow', { timeoutMs: 300 });
    expect(r).toMatchObject({ statusCode: null, error: 'no complete answer within 0.3 s' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('sends nothing to a loopback address unless private receivers are allowed', async () => {
    const before = seen.length;
    const r = await post('/ok', { allowPrivate: false });
    expect(r.statusCode).toBeNull();
    expect(r.error).toMatch(/^not sent: url: 127\.0\.0\.1 is a loopback, private or link-local address/);
    expect(seen.length).toBe(before);
  });

  it('refuses, when connecting, a name that resolves to a loopback address', async () => {
    const lookup = (allowPrivate: boolean) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
        guardedLookup(allowPrivate)('localhost', { family: 4 }, (err, address) => resolve({ err, address })),
      );
    const refused = await lookup(false);
    expect(refused.err?.code).toBe('EWEBHOOKPRIVATE');
    expect(refused.err?.message).toMatch(/localhost resolves to 127\.0\.0\.1, a loopback, private or link-local address/);
    expect(await lookup(true)).toEqual({ err: null, address: '127.0.0.1' });
  });
});
