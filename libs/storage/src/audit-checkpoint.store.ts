/**
 * Audit checkpoints: (seq, hash) of the chain's head, written to the object store, apart from the
 * database. `caliper audit verify` compares the chain with them, which catches what the chain
 * alone cannot: a deleted tail, or a chain rewritten from some event onwards. One object per seq,
 * written only if absent (`If-None-Match: *`), so a chain rewritten later cannot replace the
 * earlier evidence. Where the bucket has S3 Object Lock (MinIO: `mc mb --with-lock`), each
 * checkpoint also gets a legal hold, and the bucket's default retention applies: not even the
 * S3 credentials the apps hold can delete it. Without object locking (the local s3rver, or a bucket
 * created without it) checkpoints are written plainly, and the first write says so in a log line.
 */
import { z } from 'zod';
import type { AuditCheckpoint } from '@caliper/domain';
import { ObjectStore } from './object-store';

const PREFIX = 'audit-checkpoints/';
const READ_CONCURRENCY = 16;

const checkpointSchema = z.object({
  seq: z.number().int().positive(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  writtenAt: z.string().min(1),
});

/** Zero-padded so listing order is seq order. */
export function auditCheckpointKey(seq: number): string {
  return `${PREFIX}${String(seq).padStart(20, '0')}.json`;
}

export interface WrittenCheckpoint extends AuditCheckpoint {
  objectKey: string;
  /** True when the object is under a legal hold in a bucket with object locking. */
  locked: boolean;
}

export interface CheckpointLockStatus {
  enabled: boolean;
  defaultRetention: string | null;
  reason: string | null;
}

export class AuditCheckpointStore {
  private lock: Promise<CheckpointLockStatus> | null = null;
  private warned = false;

  /** `log` receives one line when checkpoints are written without object locking. */
  constructor(
    private readonly store: ObjectStore,
    private readonly bucket: string,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  async has(seq: number): Promise<boolean> {
    return this.store.exists(this.bucket, auditCheckpointKey(seq));
  }

  /** The checkpoint of `seq`, or null when there is none. */
  async get(seq: number): Promise<(AuditCheckpoint & { objectKey: string }) | null> {
    const key = auditCheckpointKey(seq);
    if (!(await this.store.exists(this.bucket, key))) return null;
    return { ...(await this.read(key)), objectKey: key };
  }

  /** Whether the bucket supports object locking (asked once per store). */
  lockStatus(): Promise<CheckpointLockStatus> {
    this.lock ??= this.store.objectLockStatus(this.bucket).catch((err: unknown) => {
      this.lock = null; // S3 unreachable: ask again next time
      throw err;
    });
    return this.lock;
  }

  async write(cp: { seq: number; hash: string }): Promise<WrittenCheckpoint> {
    const checkpoint: AuditCheckpoint = checkpointSchema.parse({ seq: cp.seq, hash: cp.hash, writtenAt: new Date().toISOString() });
    const key = auditCheckpointKey(cp.seq);
    const lock = await this.lockStatus();
    const { versionId } = await this.store.putJson(this.bucket, key, checkpoint, { ifAbsent: true });
    if (lock.enabled) {
      await this.store.placeLegalHold(this.bucket, key, versionId);
    } else if (!this.warned) {
      this.warned = true;
      this.log(
        `audit checkpoints in bucket "${this.bucket}" are written WITHOUT object locking (${lock.reason}): anyone with S3 write access can delete them (verify still reports a missing one). In production create the bucket with object locking (MinIO: mc mb --with-lock; see docker-compose.yml)`,
      );
    }
    return { ...checkpoint, objectKey: key, locked: lock.enabled };
  }

  /** Every checkpoint in seq order; a malformed one is an error naming its key, never skipped. */
  async readAll(): Promise<AuditCheckpoint[]> {
    const keys = (await this.store.list(this.bucket, PREFIX)).map((o) => o.key);
    const checkpoints: AuditCheckpoint[] = [];
    for (let i = 0; i < keys.length; i += READ_CONCURRENCY) {
      checkpoints.push(...(await Promise.all(keys.slice(i, i + READ_CONCURRENCY).map((key) => this.read(key)))));
    }
    return checkpoints;
  }

  private async read(key: string): Promise<AuditCheckpoint> {
    const parsed = checkpointSchema.safeParse(await this.store.getJson(this.bucket, key));
    if (!parsed.success || auditCheckpointKey(parsed.data.seq) !== key) {
      throw new Error(
        `audit checkpoint "${key}" in bucket "${this.bucket}" is malformed or misnamed: it should hold {seq, hash, writtenAt} for the seq in its name`,
      );
    }
    return parsed.data;
  }
}
