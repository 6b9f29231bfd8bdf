import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { AuditCheckpointStore, ObjectNotFoundError } from '../index';
import { startTestObjectStore, TestObjectStore } from '../testing';

describe('ObjectStore (minio client against a local S3 server)', () => {
  let s3: TestObjectStore;
  const bucket = 'caliper-store-test';
  beforeAll(async () => {
    s3 = await startTestObjectStore();
    await s3.store.ensureBucket(bucket);
  });
  afterAll(() => s3.close());

  it('creates a bucket once and accepts a second ensureBucket', async () => {
    await s3.store.ensureBucket('caliper-second');
    await s3.store.ensureBucket('caliper-second');
    expect(await s3.store.bucketExists('caliper-second')).toBe(true);
    expect(await s3.store.bucketExists('caliper-never-made')).toBe(false);
  });

  it('round-trips JSON and streams, and says which object is missing', async () => {
    await s3.store.putJson(bucket, 'docs/a.json', { answer: 42, nested: ['x'] });
    expect(await s3.store.getJson(bucket, 'docs/a.json')).toEqual({ answer: 42, nested: ['x'] });
    await s3.store.putObject(bucket, 'docs/b.bin', Readable.from([Buffer.from('hello ')]), { size: 6 });
    expect(await s3.store.exists(bucket, 'docs/b.bin')).toBe(true);
    await expect(s3.store.getJson(bucket, 'docs/b.bin')).rejects.toThrow(/object "docs\/b.bin" in bucket "caliper-store-test" is not JSON/);
    await expect(s3.store.getJson(bucket, 'docs/missing.json')).rejects.toThrow(ObjectNotFoundError);
    await expect(s3.store.getJson(bucket, 'docs/missing.json')).rejects.toThrow(
      'object "docs/missing.json" not found in bucket "caliper-store-test"',
    );
  });

  it('stores a 12 MiB stream of unknown size through multipart upload', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 7);
    await s3.store.putObject(
      bucket,
      'big/object.bin',
      Readable.from(
        (function* () {
          for (let i = 0; i < 12; i++) yield chunk;
        })(),
      ),
    );
    expect(await s3.store.list(bucket, 'big/')).toEqual([expect.objectContaining({ key: 'big/object.bin', size: 12 * 1024 * 1024 })]);
  });

  it('lists by prefix in key order and removes objects from disk', async () => {
    for (const key of ['list/2', 'list/10', 'list/1', 'other/1']) await s3.store.putObject(bucket, key, key);
    expect((await s3.store.list(bucket, 'list/')).map((o) => o.key)).toEqual(['list/1', 'list/10', 'list/2']);
    await s3.store.remove(bucket, 'list/10');
    await s3.store.remove(bucket, 'list/never-there');
    expect((await s3.store.list(bucket, 'list/')).map((o) => o.key)).toEqual(['list/1', 'list/2']);
    expect(await s3.store.exists(bucket, 'list/10')).toBe(false);
    expect(readdirSync(path.join(s3.directory, bucket, 'list')).filter((f) => f.startsWith('10.'))).toEqual([]);
    expect(readdirSync(path.join(s3.directory, bucket, 'list')).filter((f) => f.startsWith('1.'))).not.toEqual([]);
  });

  it('finds no incomplete multipart upload to abort for a plain object', async () => {
    // The local server always reports none (see local-s3.ts); this checks the call path, not the cleanup.
    expect(await s3.store.abortIncompleteUploads(bucket, 'docs/a.json')).toBe(0);
  });
});

describe('AuditCheckpointStore', () => {
  let s3: TestObjectStore;
  const bucket = 'caliper-audit-test';
  const hash = (c: string) => c.repeat(64);
  beforeAll(async () => {
    s3 = await startTestObjectStore();
    await s3.store.ensureBucket(bucket);
  });
  afterAll(() => s3.close());

  it('writes checkpoints and reads them back in seq order with the time written', async () => {
    const checkpoints = new AuditCheckpointStore(s3.store, bucket);
    expect(await checkpoints.readAll()).toEqual([]);
    await checkpoints.write({ seq: 12, hash: hash('b') });
    await checkpoints.write({ seq: 3, hash: hash('a') });
    expect(await checkpoints.has(12)).toBe(true);
    expect(await checkpoints.has(4)).toBe(false);
    const all = await checkpoints.readAll();
    expect(all.map((c) => [c.seq, c.hash])).toEqual([
      [3, hash('a')],
      [12, hash('b')],
    ]);
    expect(Date.parse(all[0]?.writtenAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it('falls back to plain writes on a server without object locking, says so in one log line, and reports the write as unlocked', async () => {
    const lines: string[] = [];
    await s3.store.ensureBucket('caliper-audit-lock', { objectLocking: true }); // s3rver accepts the request and ignores it
    const checkpoints = new AuditCheckpointStore(s3.store, 'caliper-audit-lock', (line) => lines.push(line));
    expect(await checkpoints.lockStatus()).toEqual({ enabled: false, defaultRetention: null, reason: 'the server answers NotImplemented' });
    const written = await checkpoints.write({ seq: 5, hash: hash('d') });
    expect(written).toEqual({
      seq: 5,
      hash: hash('d'),
      writtenAt: expect.any(String),
      objectKey: 'audit-checkpoints/00000000000000000005.json',
      locked: false,
    });
    await checkpoints.write({ seq: 6, hash: hash('e') });
    expect(lines).toEqual([
      expect.stringMatching(
        /^audit checkpoints in bucket "caliper-audit-lock" are written WITHOUT object locking \(the server answers NotImplemented\).*mc mb --with-lock/,
      ),
    ]);
    expect((await checkpoints.readAll()).map((c) => c.seq)).toEqual([5, 6]);
  });

  it('refuses a malformed checkpoint, naming its key', async () => {
    const checkpoints = new AuditCheckpointStore(s3.store, 'caliper-audit-bad');
    await s3.store.ensureBucket('caliper-audit-bad');
    await s3.store.putJson('caliper-audit-bad', 'audit-checkpoints/00000000000000000007.json', { seq: 8, hash: hash('c'), writtenAt: 'x' });
    await expect(checkpoints.readAll()).rejects.toThrow(
      /audit checkpoint "audit-checkpoints\/00000000000000000007.json" in bucket "caliper-audit-bad" is malformed/,
    );
    await expect(checkpoints.write({ seq: 1, hash: 'not-a-hash' })).rejects.toThrow();
  });
});
