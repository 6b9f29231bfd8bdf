/**
 * The object store (MinIO or any S3) behind the `minio` client: the only code that talks S3.
 * Errors name the bucket and key they were about.
 */
import { Readable } from 'node:stream';
import { Client } from 'minio';
import type { Config } from '@caliper/config';

export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date;
}

export class ObjectNotFoundError extends Error {
  readonly code = 'OBJECT_NOT_FOUND';
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`object "${key}" not found in bucket "${bucket}"`);
  }
}

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'NotFound' || code === 'NoSuchKey';
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

export class ObjectStore {
  constructor(
    private readonly client: Client,
    private readonly region: string,
  ) {}

  async bucketExists(bucket: string): Promise<boolean> {
    return this.client.bucketExists(bucket);
  }

  /**
   * Creates the bucket unless it exists. `objectLocking`: create it with S3 Object Lock enabled
   * (MinIO and AWS support it, and only at creation; the local s3rver accepts and ignores it).
   */
  async ensureBucket(bucket: string, opts: { objectLocking?: boolean } = {}): Promise<void> {
    if (await this.client.bucketExists(bucket)) return;
    try {
      await this.client.makeBucket(bucket, this.region, opts.objectLocking ? { ObjectLocking: true } : undefined);
    } catch (err) {
      // Another process created it between the check and the create.
      const code = (err as { code?: string }).code;
      if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw err;
    }
  }

  async putObject(
    bucket: string,
    key: string,
    body: Buffer | string | Readable,
    opts: { size?: number; contentType?: string } = {},
  ): Promise<void> {
    await this.client.putObject(bucket, key, body, opts.size, opts.contentType ? { 'Content-Type': opts.contentType } : undefined);
  }

  /**
   * `ifAbsent`: never replace an existing object (`If-None-Match: *`, honoured by MinIO and AWS;
   * servers without conditional writes ignore it). Returns the version id (null when unversioned).
   */
  async putJson(bucket: string, key: string, value: unknown, opts: { ifAbsent?: boolean } = {}): Promise<{ versionId: string | null }> {
    const body = Buffer.from(JSON.stringify(value));
    const r = await this.client.putObject(bucket, key, body, body.length, {
      'Content-Type': 'application/json',
      ...(opts.ifAbsent ? { 'If-None-Match': '*' } : {}),
    });
    return { versionId: r.versionId ?? null };
  }

  /**
   * Whether the bucket has S3 Object Lock enabled, and its default retention if any. A server or
   * bucket without object locking answers `enabled: false` with the reason (never an error).
   */
  async objectLockStatus(bucket: string): Promise<{ enabled: boolean; defaultRetention: string | null; reason: string | null }> {
    try {
      const cfg = (await this.client.getObjectLockConfig(bucket)) as unknown as {
        objectLockEnabled?: string;
        mode?: string;
        unit?: string;
        validity?: number;
      };
      const enabled = cfg.objectLockEnabled === 'Enabled';
      return {
        enabled,
        defaultRetention: enabled && cfg.mode ? `${cfg.mode} ${cfg.validity} ${String(cfg.unit).toLowerCase()}` : null,
        reason: enabled ? null : 'object locking is not enabled on the bucket',
      };
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (
        ['NotImplemented', 'ObjectLockConfigurationNotFoundError', 'MethodNotAllowed', 'InvalidRequest', 'InvalidBucketState'].includes(
          code,
        )
      ) {
        return { enabled: false, defaultRetention: null, reason: `the server answers ${code}` };
      }
      throw err;
    }
  }

  /** Places an S3 legal hold on the object (version): it cannot be deleted or overwritten until the hold is lifted. */
  async placeLegalHold(bucket: string, key: string, versionId: string | null): Promise<void> {
    await this.client.setObjectLegalHold(bucket, key, { status: 'ON', ...(versionId ? { versionId } : {}) });
  }

  /** Throws ObjectNotFoundError when absent; a SyntaxError naming the object when it is not JSON. */
  async getJson<T = unknown>(bucket: string, key: string): Promise<T> {
    let body: Buffer;
    try {
      body = await readAll(await this.client.getObject(bucket, key));
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(bucket, key);
      throw err;
    }
    try {
      return JSON.parse(body.toString('utf8')) as T;
    } catch (err) {
      throw new SyntaxError(`object "${key}" in bucket "${bucket}" is not JSON: ${(err as Error).message}`);
    }
  }

  async exists(bucket: string, key: string): Promise<boolean> {
    try {
      await this.client.statObject(bucket, key);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Every object whose key starts with `prefix`, in key order. */
  async list(bucket: string, prefix: string): Promise<StoredObject[]> {
    const found: StoredObject[] = [];
    for await (const item of this.client.listObjectsV2(bucket, prefix, true)) {
      const entry = item as { name?: string; size: number; lastModified?: Date };
      if (entry.name !== undefined) found.push({ key: entry.name, size: entry.size, lastModified: entry.lastModified ?? new Date(0) });
    }
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Removes the object; removing one that is absent is not an error (S3 semantics). */
  async remove(bucket: string, key: string): Promise<void> {
    await this.client.removeObject(bucket, key);
  }

  /** Size and content type of a stored object; ObjectNotFoundError when absent. */
  async stat(bucket: string, key: string): Promise<{ size: number; contentType: string | null }> {
    try {
      const st = await this.client.statObject(bucket, key);
      return { size: st.size, contentType: (st.metaData as Record<string, string> | undefined)?.['content-type'] ?? null };
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(bucket, key);
      throw err;
    }
  }

  /** The object's bytes from `offset` (inclusive), `length` of them or to the end; streamed, never buffered. */
  async read(bucket: string, key: string, range?: { offset: number; length?: number }): Promise<Readable> {
    try {
      return range ? await this.client.getPartialObject(bucket, key, range.offset, range.length) : await this.client.getObject(bucket, key);
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(bucket, key);
      throw err;
    }
  }

  /**
   * Multipart upload in the caller's hands (part sizes, hashing, abort), for uploads streamed
   * from a request: begin, then parts 1..n of at least 5 MiB but the last, then complete or abort.
   */
  async beginMultipart(bucket: string, key: string, contentType?: string): Promise<string> {
    return this.client.initiateNewMultipartUpload(bucket, key, contentType ? { 'Content-Type': contentType } : {});
  }

  async uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: Buffer,
  ): Promise<{ part: number; etag: string }> {
    const r = await this.client.uploadPart(
      { bucketName: bucket, objectName: key, uploadID: uploadId, partNumber, headers: { 'Content-Length': String(body.length) } },
      body,
    );
    return { part: partNumber, etag: r.etag };
  }

  async completeMultipart(bucket: string, key: string, uploadId: string, parts: { part: number; etag: string }[]): Promise<void> {
    await this.client.completeMultipartUpload(bucket, key, uploadId, parts);
  }

  async abortMultipart(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.client.abortMultipartUpload(bucket, key, uploadId);
  }

  /**
   * A GET URL valid for `expirySeconds`, signed offline for this store's endpoint (build the
   * store from the public endpoint to hand URLs to clients). `responseHeaders` are S3's
   * response-* overrides, e.g. response-content-disposition.
   */
  async presignedGet(bucket: string, key: string, expirySeconds: number, responseHeaders: Record<string, string> = {}): Promise<string> {
    return this.client.presignedGetObject(bucket, key, expirySeconds, responseHeaders);
  }

  /**
   * Aborts every unfinished multipart upload of exactly this key, freeing its stored parts.
   * (minio's removeIncompleteUpload aborts only the latest one and sends a bad request when there is none.)
   */
  async abortIncompleteUploads(bucket: string, key: string): Promise<number> {
    const uploadIds: string[] = [];
    for await (const upload of this.client.listIncompleteUploads(bucket, key, true)) {
      const u = upload as { key: string; uploadId: string };
      if (u.key === key) uploadIds.push(u.uploadId);
    }
    for (const uploadId of uploadIds) await this.client.abortMultipartUpload(bucket, key, uploadId);
    return uploadIds.length;
  }
}

export type ObjectStoreConfig = Pick<Config, 'S3_ENDPOINT' | 'S3_REGION' | 'S3_ACCESS_KEY' | 'S3_SECRET_KEY'>;

export function objectStoreFromConfig(config: ObjectStoreConfig): ObjectStore {
  const url = new URL(config.S3_ENDPOINT);
  const useSSL = url.protocol === 'https:';
  const client = new Client({
    endPoint: url.hostname,
    port: Number(url.port || (useSSL ? 443 : 80)),
    useSSL,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    region: config.S3_REGION,
    // MinIO and local servers are addressed by path, not by bucket subdomain.
    pathStyle: true,
  });
  return new ObjectStore(client, config.S3_REGION);
}
