/**
 * 'audit.checkpoint': copies the audit chain's head (seq, hash) to the object store, outside
 * the database, so `caliper audit verify` can later detect a deleted tail or a rewritten chain.
 * A seq that already has a checkpoint is skipped: nothing new happened, and an existing
 * checkpoint is never replaced.
 */
import { AuditRepository } from '@caliper/persistence';
import { AuditCheckpointStore } from '@caliper/storage';
import { JobResult } from '../jobs/job-dispatcher';

export class AuditCheckpointJob {
  constructor(private readonly audit: AuditRepository, private readonly checkpoints: AuditCheckpointStore) {}

  async run(): Promise<JobResult> {
    const head = await this.audit.latest();
    if (!head) return { outcome: 'skipped', detail: { reason: 'the audit log is empty' } };
    if (await this.checkpoints.has(head.seq)) return { outcome: 'skipped', detail: { reason: 'no audit event since the last checkpoint', seq: head.seq } };
    await this.checkpoints.write(head);
    return { outcome: 'done', detail: { seq: head.seq, hash: head.hash } };
  }
}
