/**
 * Local S3-protocol server for development and tests (s3rver on loopback, files under a folder),
 * used by the dev launcher and by integration tests, which reach it through the real minio client.
 * s3rver implements neither ListMultipartUploads (`GET /bucket?uploads`), ListParts
 * (`GET /bucket/key?uploadId=`) nor AbortMultipartUpload (`DELETE /bucket/key?uploadId=`); this
 * answers them from s3rver's own upload folders (`<bucket>/._S3rver_uploads/<uploadId>/`, holding
 * `key` and one file per part), so abandoned multipart uploads can be listed and aborted as on
 * real S3, and tests can check the folder itself. s3rver is loaded on first use, so apps
 * importing this library never load it.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

type S3rverClass = new (options: Record<string, unknown>) => { callback(): (req: http.IncomingMessage, res: http.ServerResponse) => void };

export interface LocalS3 {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const escapeXml = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Where s3rver keeps the parts of one multipart upload. */
function uploadDir(directory: string, bucket: string, uploadId: string): string {
  return path.join(directory, bucket, '._S3rver_uploads', path.basename(uploadId));
}

/** Multipart uploads begun and neither completed nor aborted, from s3rver's folders. */
function multipartUploads(directory: string, bucket: string): { key: string; uploadId: string; initiated: Date }[] {
  const root = path.join(directory, bucket, '._S3rver_uploads');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((id) => existsSync(path.join(root, id, 'key')))
    .map((id) => ({
      key: readFileSync(path.join(root, id, 'key'), 'utf8'),
      uploadId: id,
      initiated: statSync(path.join(root, id)).birthtime,
    }));
}

/** Starts the server; port 0 picks a free loopback port (see `port` on the result). */
export async function startLocalS3(opts: {
  directory: string;
  port: number;
  host?: string;
  accessKey: string;
  secretKey: string;
}): Promise<LocalS3> {
  const host = opts.host ?? '127.0.0.1';
  /* eslint-disable @typescript-eslint/no-require-imports -- s3rver has no types; required on first use only */
  const S3rver = require('s3rver') as S3rverClass;
  const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const s3 = new S3rver({
    directory: opts.directory,
    silent: true,
    address: host,
    port: opts.port,
    allowMismatchedSignatures: false,
    configureBuckets: [],
  });
  // s3rver verifies signatures against its account registry: register Caliper's key pair.
  DUMMY_ACCOUNT.createKeyPair(opts.accessKey, opts.secretKey);
  const handler = s3.callback();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const [bucket, ...keyParts] = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const uploadId = url.searchParams.get('uploadId');
    const xml = (body: string) => {
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>${body}`);
    };
    if (req.method === 'GET' && url.searchParams.has('uploads') && bucket && keyParts.length === 0) {
      const prefix = url.searchParams.get('prefix') ?? '';
      const uploads = multipartUploads(opts.directory, bucket).filter((u) => u.key.startsWith(prefix));
      xml(
        `<ListMultipartUploadsResult xmlns="${S3_NS}"><Bucket>${bucket}</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><NextKeyMarker></NextKeyMarker><NextUploadIdMarker></NextUploadIdMarker><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>${uploads.map((u) => `<Upload><Key>${escapeXml(u.key)}</Key><UploadId>${u.uploadId}</UploadId><Initiated>${u.initiated.toISOString()}</Initiated></Upload>`).join('')}</ListMultipartUploadsResult>`,
      );
      return;
    }
    if (uploadId && bucket && keyParts.length && (req.method === 'GET' || req.method === 'DELETE')) {
      const dir = uploadDir(opts.directory, bucket, uploadId);
      if (!existsSync(dir)) {
        res.writeHead(404, { 'Content-Type': 'application/xml' });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>`,
        );
        return;
      }
      if (req.method === 'DELETE') {
        rmSync(dir, { recursive: true, force: true });
        res.writeHead(204);
        res.end();
        return;
      }
      // A part still being written has no .md5 yet: S3 lists only completed parts.
      const parts = readdirSync(dir)
        .filter((f) => /^\d+$/.test(f) && existsSync(path.join(dir, `${f}.md5`)))
        .map(Number)
        .sort((a, b) => a - b);
      xml(
        `<ListPartsResult xmlns="${S3_NS}"><Bucket>${bucket}</Bucket><Key>${escapeXml(keyParts.join('/'))}</Key><UploadId>${uploadId}</UploadId><IsTruncated>false</IsTruncated>${parts.map((n) => `<Part><PartNumber>${n}</PartNumber><ETag>"${readFileSync(path.join(dir, `${n}.md5`), 'utf8')}"</ETag><Size>${statSync(path.join(dir, String(n))).size}</Size><LastModified>${statSync(path.join(dir, String(n))).mtime.toISOString()}</LastModified></Part>`).join('')}</ListPartsResult>`,
      );
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.port, host, () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets of S3 clients would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
