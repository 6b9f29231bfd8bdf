/**
 * A scripted HTTP server on loopback for the SDK's client-side logic (retries, batching,
 * idempotency keys, streaming): each request is recorded and answered by the test's handler.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** The request at `i` of a recorded list (negative counts from the end); a missing one fails the test. */
export function requestAt(requests: readonly Recorded[], i: number): Recorded {
  const req = requests.at(i);
  if (!req) throw new Error(`no request at ${i}: ${requests.length} recorded`);
  return req;
}

export type Handler = (req: Recorded, res: ServerResponse, n: number) => void;

export interface FakeServer {
  base: string;
  requests: Recorded[];
  handle(h: Handler): void;
  close(): Promise<void>;
}

export async function startFakeServer(): Promise<FakeServer> {
  const requests: Recorded[] = [];
  let handler: Handler = (_req, res) => res.writeHead(404).end();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec = { method: req.method!, path: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(rec);
      handler(rec, res, requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    handle: (h) => (handler = h),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
