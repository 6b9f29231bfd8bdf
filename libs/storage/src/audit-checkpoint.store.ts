/**
 * Audit checkpoints: (seq, hash) of the chain's head, written periodically to the object store,
 * apart from the database. `caliper audit verify` compares the chain with them, which catches
 * what the chain alone cannot: a deleted tail, or a chain rewritten from some event onwards.
 * One object per seq; the worker writes a seq only when it has no checkpoint yet, so a chain
 * rewritten later cannot replace the earlier evidence.
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
function keyFor(seq: number): string {
  return `${PREFIX}${String(seq).padStart(20, '0')}.json`;
}

export class AuditCheckpointStore {
  constructor(private readonly store: ObjectStore, private readonly bucket: string) {}

  async has(seq: number): Promise<boolean> {
    return this.store.exists(this.bucket, keyFor(seq));
  }

  async write(cp: { seq: number; hash: string }): Promise<void> {
    const checkpoint: AuditCheckpoint = { seq: cp.seq, hash: cp.hash, writtenAt: new Date().toISOString() };
    await this.store.putJson(this.bucket, keyFor(cp.seq), checkpointSchema.parse(checkpoint));
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
    if (!parsed.success || keyFor(parsed.data.seq) !== key) {
      throw new Error(`audit checkpoint "${key}" in bucket "${this.bucket}" is malformed or misnamed: it should hold {seq, hash, writtenAt} for the seq in its name`);
    }
    return parsed.data;
  }
}
