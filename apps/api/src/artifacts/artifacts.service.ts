/**
 * Run artifacts: streamed uploads to S3 with sha256 and size computed on the way, listing,
 * ranged downloads, MLflow's delete and presigned GET URLs. Shared by the native API and the
 * MLflow artifact proxy.
 *
 * An upload writes a new opaque object (`runs/<run uuid>/<random uuid>`) and never overwrites
 * one: the ledger row (uploads, 'pending') is committed first, the bytes follow (one PUT, or a
 * multipart upload once the body passes one part), then one transaction marks the ledger row
 * complete and maps (run, path) to the object. Whatever fails before that transaction (bad
 * digest, size limit, client gone, process killed) leaves no artifact row; the object or the
 * unfinished multipart upload is aborted here when possible, and otherwise the worker's sweep
 * removes it with the pending row.
 *
 * A re-upload or delete that unmaps an object removes it from S3 once its transaction has
 * committed, unless a model version pins it (model_version_files) or a path still maps it. This
 * is best effort: a failure is logged as a warning and leaves an orphan object (the audit event
 * names it), never a mapping without its object. Registration reads the run's rows FOR SHARE and
 * the re-map/delete locks them, so a version registered concurrently has committed its pin
 * before the check runs, or pinned the new object.
 */
import { actorOf, Principal } from '@caliper/server-kit';
import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, TrackingError } from '@caliper/domain';
import {
  ArtifactEntity,
  ArtifactsRepository,
  AuditRepository,
  RegistryRepository,
  RunEntity,
  UploadsRepository,
} from '@caliper/persistence';
import { ObjectNotFoundError, ObjectStore } from '@caliper/storage';
import { TrackingService } from '../tracking/tracking.service';
import { artifactPathProblem, ByteRange, normaliseDirectory, parseRange } from './artifact-http';

const MIB = 1024 * 1024;
/** Unmapped objects removed from S3 at once. */
const REMOVE_CONCURRENCY = 8;
/** Presigned URLs live at most this long. */
export const MAX_PRESIGN_SECONDS = 15 * 60;

export interface ArtifactsOptions {
  bucket: string;
  partSizeBytes: number;
  maxSizeBytes: number;
}

export interface ArtifactListEntry {
  /** Path relative to the run's artifact root. */
  path: string;
  isDir: boolean;
  size?: number;
  sha256?: string;
}

export interface ArtifactDownload {
  artifact: ArtifactEntity;
  range: ByteRange;
  body: Readable | null;
}

export class ArtifactsService {
  private bucketReady: Promise<void> | null = null;
  private readonly log = new Logger('artifacts');

  constructor(
    private readonly ds: DataSource,
    private readonly tracking: TrackingService,
    private readonly artifacts: ArtifactsRepository,
    private readonly uploads: UploadsRepository,
    private readonly audit: AuditRepository,
    private readonly registry: RegistryRepository,
    private readonly store: ObjectStore,
    /** The same store addressed through S3_PUBLIC_ENDPOINT: presigned URLs are signed for the host clients use. */
    private readonly publicStore: ObjectStore,
    private readonly opts: ArtifactsOptions,
  ) {}

  /**
   * Streams `body` into a new object and maps (run, path) to it; the object it replaced is then
   * removed unless pinned. `declaredSize` (Content-Length) lets an oversize upload be refused
   * before a byte is read.
   */
  async put(
    principal: Principal,
    runUuid: string,
    path: string,
    body: AsyncIterable<Buffer | string>,
    opts: { expectedSha256?: string | null; contentType?: string | null; declaredSize?: number | null } = {},
  ): Promise<ArtifactEntity> {
    const problem = artifactPathProblem(path);
    if (problem) throw new TrackingError('INVALID_PARAMETER', problem);
    const run = await this.writableRun(principal, runUuid);
    if (opts.declaredSize != null && opts.declaredSize > this.opts.maxSizeBytes) throw this.tooLarge();
    await this.ensureBucket();

    const bucket = this.opts.bucket;
    const objectKey = `runs/${run.uuid}/${randomUUID()}`;
    const ledgerId = await this.ds.transaction((m) => this.uploads.begin(m, bucket, objectKey));
    const { size, sha256 } = await this.streamToObject(bucket, objectKey, body, opts);

    const { artifact, replaced } = await this.ds.transaction(async (m) => {
      if (!(await this.uploads.complete(m, ledgerId, { size, sha256 }))) {
        throw new DomainError('INTERNAL', `The upload of "${path}" took so long that it was swept as abandoned; send it again.`);
      }
      const record = { runId: run.id, path, bucket, objectKey, size, sha256, contentType: opts.contentType ?? null };
      const replaced = await this.artifacts.map(m, record);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'artifact.written',
        entityType: 'run',
        entityId: run.uuid,
        projectId: run.projectId,
        before: replaced ? { path, objectKey: replaced.objectKey, size: replaced.size, sha256: replaced.sha256 } : null,
        after: { path, objectKey, size, sha256 },
      });
      return { artifact: Object.assign(new ArtifactEntity(), record, { createdAt: new Date() }), replaced };
    });
    if (replaced) await this.removeUnmapped(run, [replaced]);
    return artifact;
  }

  /** Immediate children of `dir` ('' = the root), directories as MLflow lists them; a file or an unknown directory lists nothing. */
  async list(runUuid: string, dir: string | null | undefined): Promise<ArtifactListEntry[]> {
    const run = await this.tracking.findRun(runUuid);
    const base = normaliseDirectory(dir);
    const prefix = base === '' ? '' : `${base}/`;
    const entries = new Map<string, ArtifactListEntry>();
    for (const a of await this.artifacts.listUnder(run.id, prefix)) {
      const rest = a.path.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash === -1) entries.set(rest, { path: a.path, isDir: false, size: a.size, sha256: a.sha256 });
      else if (!entries.has(rest.slice(0, slash))) entries.set(rest.slice(0, slash), { path: prefix + rest.slice(0, slash), isDir: true });
    }
    return [...entries.values()].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  }

  /** The artifact and a stream of the requested bytes (null body when the range cannot be satisfied). */
  async open(runUuid: string, path: string, rangeHeader?: string): Promise<ArtifactDownload> {
    const artifact = await this.find(runUuid, path);
    const range = parseRange(rangeHeader, artifact.size);
    if (range === 'unsatisfiable') return { artifact, range, body: null };
    try {
      const body = range
        ? await this.store.read(artifact.bucket, artifact.objectKey, { offset: range.start, length: range.end - range.start + 1 })
        : await this.store.read(artifact.bucket, artifact.objectKey);
      return { artifact, range, body };
    } catch (err) {
      if (err instanceof ObjectNotFoundError)
        throw new DomainError('INTERNAL', `The stored object of artifact "${path}" is missing; it has been logged.`);
      throw err;
    }
  }

  /** MLflow's delete: unmaps the path and everything under it, then removes the objects no model version pins. */
  async delete(principal: Principal, runUuid: string, path: string): Promise<number> {
    const problem = artifactPathProblem(path);
    if (problem) throw new TrackingError('INVALID_PARAMETER', problem);
    const run = await this.writableRun(principal, runUuid);
    const removed = await this.ds.transaction(async (m) => {
      const removed = await this.artifacts.unmapUnder(m, run.id, path);
      if (removed.length) {
        await this.audit.append(m, {
          ...actorOf(principal),
          action: 'artifact.deleted',
          entityType: 'run',
          entityId: run.uuid,
          projectId: run.projectId,
          before: { artifacts: removed.map((a) => ({ path: a.path, objectKey: a.objectKey, sha256: a.sha256 })) },
          after: null,
        });
      }
      return removed;
    });
    await this.removeUnmapped(run, removed);
    return removed.length;
  }

  /**
   * Removes objects whose mapping a committed transaction moved or deleted, skipping any a model
   * version pins or a path of the run maps again. Best effort: a failure is logged, never thrown
   * (the write it follows has committed), and leaves an orphan object behind.
   */
  private async removeUnmapped(run: RunEntity, unmapped: readonly ArtifactEntity[]): Promise<void> {
    const byBucket = new Map<string, string[]>();
    for (const a of unmapped) byBucket.set(a.bucket, [...(byBucket.get(a.bucket) ?? []), a.objectKey]);
    for (const [bucket, keys] of byBucket) {
      let doomed: string[];
      try {
        const pinned = await this.registry.pinnedObjectKeys(bucket, keys);
        const mapped = await this.artifacts.mappedObjectKeys(run.id, bucket, keys);
        doomed = keys.filter((k) => !pinned.has(k) && !mapped.has(k));
      } catch (err) {
        this.log.warn(
          `Run ${run.uuid}: could not check whether ${keys.length} unmapped artifact object(s) in ${bucket} are pinned, so none was removed: ${(err as Error).message}`,
        );
        continue;
      }
      for (let i = 0; i < doomed.length; i += REMOVE_CONCURRENCY) {
        await Promise.all(
          doomed.slice(i, i + REMOVE_CONCURRENCY).map((key) =>
            this.store.remove(bucket, key).catch((err: unknown) => {
              this.log.warn(
                `Run ${run.uuid}: could not remove the unmapped artifact object ${bucket}/${key}; it stays as an orphan: ${(err as Error).message}`,
              );
            }),
          ),
        );
      }
    }
  }

  /** A GET URL for the artifact, valid `seconds` (at most 15 minutes); callers have authorised the read. */
  async presign(
    runUuid: string,
    path: string,
    seconds: number,
    disposition: string,
    contentType: string,
  ): Promise<{ url: string; expiresAt: Date }> {
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_PRESIGN_SECONDS) {
      throw new TrackingError(
        'INVALID_PARAMETER',
        `expiresInSeconds must be a whole number from 1 to ${MAX_PRESIGN_SECONDS} (15 minutes).`,
      );
    }
    const artifact = await this.find(runUuid, path);
    const url = await this.publicStore.presignedGet(artifact.bucket, artifact.objectKey, seconds, {
      'response-content-disposition': disposition,
      'response-content-type': contentType,
    });
    return { url, expiresAt: new Date(Date.now() + seconds * 1000) };
  }

  private async find(runUuid: string, path: string): Promise<ArtifactEntity> {
    const problem = artifactPathProblem(path);
    if (problem) throw new TrackingError('INVALID_PARAMETER', problem);
    const run = await this.tracking.findRun(runUuid);
    const artifact = await this.artifacts.find(run.id, path);
    if (!artifact) throw new TrackingError('NOT_FOUND', `Run ${runUuid} has no artifact "${path}".`);
    return artifact;
  }

  private async writableRun(principal: Principal, runUuid: string): Promise<RunEntity> {
    const run = await this.tracking.findRun(runUuid);
    this.tracking.assertMayWrite(principal, run);
    if (run.lifecycleStage !== 'active')
      throw new TrackingError('INVALID_STATE', `The run ${runUuid} must be in the 'active' state. Current state is ${run.lifecycleStage}.`);
    return run;
  }

  private tooLarge(): DomainError {
    return new DomainError(
      'PAYLOAD_TOO_LARGE',
      `The artifact is larger than the ${Math.round(this.opts.maxSizeBytes / MIB)} MiB limit (ARTIFACT_MAX_SIZE_MB).`,
    );
  }

  /** Created on first upload, so an API started while S3 is down still starts (readiness reports S3). */
  private ensureBucket(): Promise<void> {
    this.bucketReady ??= this.store.ensureBucket(this.opts.bucket).catch((err: unknown) => {
      this.bucketReady = null;
      throw err;
    });
    return this.bucketReady;
  }

  /**
   * Reads the body once, hashing and counting as it goes, holding at most one part in memory.
   * A body that fits in one part is written with one PUT after it is verified; a larger one
   * becomes a multipart upload whose completion waits for the digest check. On any failure the
   * multipart upload is aborted (best effort: the sweep retries from the ledger).
   */
  private async streamToObject(
    bucket: string,
    key: string,
    body: AsyncIterable<Buffer | string>,
    opts: { expectedSha256?: string | null; contentType?: string | null; declaredSize?: number | null },
  ): Promise<{ size: number; sha256: string }> {
    const hash = createHash('sha256');
    const partSize = this.opts.partSizeBytes;
    let size = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let uploadId: string | null = null;
    const parts: { part: number; etag: string }[] = [];

    const flushPart = async (bytes: Buffer) => {
      uploadId ??= await this.store.beginMultipart(bucket, key, opts.contentType ?? undefined);
      parts.push(await this.store.uploadPart(bucket, key, uploadId, parts.length + 1, bytes));
    };

    try {
      for await (const chunk of body) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        size += buf.length;
        if (size > this.opts.maxSizeBytes) throw this.tooLarge();
        hash.update(buf);
        pending.push(buf);
        pendingBytes += buf.length;
        while (pendingBytes >= partSize) {
          const all = Buffer.concat(pending, pendingBytes);
          await flushPart(all.subarray(0, partSize));
          const rest = all.subarray(partSize);
          pending = rest.length ? [rest] : [];
          pendingBytes = rest.length;
        }
      }
      if (opts.declaredSize != null && size !== opts.declaredSize) {
        throw new TrackingError(
          'INVALID_PARAMETER',
          `The body ended after ${size} of the ${opts.declaredSize} bytes announced by Content-Length.`,
        );
      }
      const sha256 = hash.digest('hex');
      if (opts.expectedSha256 && opts.expectedSha256 !== sha256) {
        throw new TrackingError(
          'INVALID_PARAMETER',
          `The body's sha256 is ${sha256}, not ${opts.expectedSha256} as the client declared: the upload was corrupted or the digest is wrong. Nothing was stored.`,
        );
      }
      const rest = Buffer.concat(pending, pendingBytes);
      if (uploadId === null) {
        await this.store.putObject(bucket, key, rest, { size: rest.length, contentType: opts.contentType ?? undefined });
      } else {
        if (rest.length) await flushPart(rest);
        await this.store.completeMultipart(bucket, key, uploadId, parts);
      }
      return { size, sha256 };
    } catch (err) {
      if (uploadId !== null) await this.store.abortMultipart(bucket, key, uploadId).catch(() => undefined);
      if ((err as { code?: string }).code === 'ECONNRESET') {
        throw new TrackingError('INVALID_PARAMETER', `The client closed the connection before the upload finished; nothing was stored.`);
      }
      throw err;
    }
  }
}
