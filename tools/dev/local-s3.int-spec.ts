import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Client } from 'minio';
import { startLocalS3, LocalS3 } from './local-s3';

describe('local S3 server (minio client over the S3 protocol)', () => {
  let s3: LocalS3;
  let dir: string;
  let client: Client;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'caliper-s3-'));
    const port = 39600 + Math.floor(Math.random() * 300);
    s3 = await startLocalS3({ directory: dir, port, accessKey: 'test-key', secretKey: 'test-secret-123' });
    client = new Client({ endPoint: '127.0.0.1', port, useSSL: false, accessKey: 'test-key', secretKey: 'test-secret-123', region: 'us-east-1', partSize: 5 * 1024 * 1024 });
    await client.makeBucket('caliper-test', 'us-east-1');
  });
  afterAll(async () => {
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores a 12 MiB stream of unknown size through multipart upload and reads it back', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const source = Readable.from((function* () { for (let i = 0; i < 12; i++) yield chunk; })());
    await client.putObject('caliper-test', 'big/object.bin', source);
    const stat = await client.statObject('caliper-test', 'big/object.bin');
    expect(stat.size).toBe(12 * 1024 * 1024);
    expect(readdirSync(path.join(dir, 'caliper-test')).length).toBeGreaterThan(0);
  });
});
