/**
 * Local S3-protocol server for development and tests (s3rver on loopback, files under a folder),
 * used by the dev launcher and by integration tests, which reach it through the real minio client.
 * s3rver answers ListMultipartUploads (`GET /bucket?uploads`) with 501, which the minio client
 * calls before each multipart upload; this answers it with an empty list so multipart works.
 * s3rver also cannot abort a multipart upload: never use it to prove that an incomplete upload
 * was cleaned up. s3rver is loaded on first use, so apps importing this library never load it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type S3rverClass = new (options: Record<string, unknown>) => { callback(): (req: http.IncomingMessage, res: http.ServerResponse) => void };

export interface LocalS3 {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the server; port 0 picks a free loopback port (see `port` on the result). */
export async function startLocalS3(opts: { directory: string; port: number; host?: string; accessKey: string; secretKey: string }): Promise<LocalS3> {
  const host = opts.host ?? '127.0.0.1';
  /* eslint-disable @typescript-eslint/no-require-imports -- s3rver has no types; required on first use only */
  const S3rver = require('s3rver') as S3rverClass;
  const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const s3 = new S3rver({ directory: opts.directory, silent: true, address: host, port: opts.port, allowMismatchedSignatures: false, configureBuckets: [] });
  // s3rver verifies signatures against its account registry: register Caliper's key pair.
  DUMMY_ACCOUNT.createKeyPair(opts.accessKey, opts.secretKey);
  const handler = s3.callback();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const bucket = url.pathname.split('/')[1];
    if (req.method === 'GET' && url.searchParams.has('uploads') && bucket && url.pathname.split('/').filter(Boolean).length === 1) {
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${bucket}</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><NextKeyMarker></NextKeyMarker><NextUploadIdMarker></NextUploadIdMarker><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>`);
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.port, host, () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://${host}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Idle keep-alive sockets of S3 clients would otherwise hold close() open.
      server.closeAllConnections();
    }),
  };
}
