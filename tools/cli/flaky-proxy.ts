/**
 * A loopback HTTP proxy in front of the API that loses responses on purpose: the request reaches
 * the server and is applied, but the client's connection is cut before it sees the answer — the
 * case where only an idempotency key keeps a retry from storing a batch twice.
 */
import { createServer, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FlakyProxy {
  base: string;
  /** Responses lost so far. */
  dropped: number;
  /** Every response that reached the client: method, path, status and headers. */
  delivered: { method: string; path: string; status: number; headers: Record<string, string | string[] | undefined> }[];
  /** Loses the response of the next `count` requests for which `matches` is true. */
  dropResponses(count: number, matches: (method: string, path: string) => boolean): void;
  close(): Promise<void>;
}

export async function startFlakyProxy(target: string): Promise<FlakyProxy> {
  const upstream = new URL(target);
  let toDrop = 0;
  let matches: (method: string, path: string) => boolean = () => false;
  const proxy: FlakyProxy = {
    base: '',
    dropped: 0,
    delivered: [],
    dropResponses: (count, m) => {
      toDrop = count;
      matches = m;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const drop = toDrop > 0 && matches(req.method!, req.url!);
    if (drop) toDrop--;
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        if (drop) {
          up.resume();
          up.on('end', () => {
            proxy.dropped++;
            req.socket.destroy();
          });
          return;
        }
        proxy.delivered.push({ method: req.method!, path: req.url!, status: up.statusCode!, headers: up.headers });
        res.writeHead(up.statusCode!, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
