/**
 * Local S3-protocol server for development and tests (s3rver on loopback, files under a folder).
 * s3rver answers ListMultipartUploads (`GET /bucket?uploads`) with 501, which the minio client
 * calls before each multipart upload; this answers it with an empty list so multipart works.
 * Never use it to prove an aborted multipart upload was cleaned up: check the folder instead.
 */
import http from 'node:http';
import S3rver from 's3rver';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };

export interface LocalS3 {
  endpoint: string;
  close(): Promise<void>;
}

export async function startLocalS3(opts: { directory: string; port: number; host?: string; accessKey: string; secretKey: string }): Promise<LocalS3> {
  const host = opts.host ?? '127.0.0.1';
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
  return {
    endpoint: `http://${host}:${opts.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
