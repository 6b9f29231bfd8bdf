/**
 * 'audit.checkpoint': copies the audit chain's head (seq, hash) to the object store, outside the
 * database, and records that it did (audit_checkpoints), so `caliper audit verify` can detect a
 * deleted tail, a rewritten chain, or a deleted checkpoint. The scheduler runs it every few
 * seconds (checkpointPollMs); each run costs two index lookups and writes only when the head has
 * no checkpoint yet and either the chain has been quiet for AUDIT_CHECKPOINT_QUIET_SECONDS (a
 * burst is over) or its oldest uncheckpointed event has waited AUDIT_CHECKPOINT_INTERVAL_SECONDS
 * (events keep coming). So every event is checkpointed within checkpointDeadlineSeconds, which
 * verify enforces. An existing checkpoint is never replaced.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { AuditRepository } from '@caliper/persistence';
import { AuditCheckpointStore } from '@caliper/storage';
import { JobResult, ProcessesJob, ScheduledJobProcessor } from '../jobs/job-processor';
import { CLOCK } from '../worker.options';

export interface CheckpointTiming {
  quietSeconds: number;
  intervalSeconds: number;
}

export const CHECKPOINT_TIMING = 'CALIPER_AUDIT_CHECKPOINT_TIMING';

/** How often the scheduler asks: half the quiet period, between 1 and 5 seconds (and never slower than the interval). */
export function checkpointPollMs(t: CheckpointTiming): number {
  return Math.max(1000, Math.min(5000, t.quietSeconds * 500, t.intervalSeconds * 1000));
}

@Injectable()
@ProcessesJob('audit.checkpoint')
export class AuditCheckpointJob implements ScheduledJobProcessor<'audit.checkpoint'> {
  constructor(
    private readonly audit: AuditRepository,
    private readonly checkpoints: AuditCheckpointStore,
    @Inject(CHECKPOINT_TIMING) private readonly timing: CheckpointTiming,
    @Optional() @Inject(CLOCK) private readonly now: () => number = Date.now,
  ) {}

  /** Polled every few seconds so a checkpoint follows each burst of audit events. */
  get everyMs(): number {
    return checkpointPollMs(this.timing);
  }

  async run(): Promise<JobResult> {
    const { head, lastCheckpoint, firstUncoveredAt } = await this.audit.checkpointState();
    if (!head) return { outcome: 'skipped', detail: { reason: 'the audit log is empty' } };
    if (lastCheckpoint && lastCheckpoint.seq >= head.seq)
      return { outcome: 'skipped', detail: { reason: 'no audit event since the last checkpoint', seq: head.seq } };
    const quietMs = this.now() - head.occurredAt.getTime();
    const waitedMs = firstUncoveredAt ? this.now() - firstUncoveredAt.getTime() : quietMs;
    const trigger =
      quietMs >= this.timing.quietSeconds * 1000 ? 'quiet' : waitedMs >= this.timing.intervalSeconds * 1000 ? 'interval' : null;
    if (!trigger) return { outcome: 'skipped', detail: { reason: 'audit events are still arriving', seq: head.seq, quietMs, waitedMs } };

    // An object without its record is a run that stopped between the two writes: record it.
    const existing = await this.checkpoints.get(head.seq);
    const written = existing ? { ...existing, locked: (await this.checkpoints.lockStatus()).enabled } : await this.checkpoints.write(head);
    if (written.hash !== head.hash) {
      throw new Error(
        `the checkpoint object of event ${head.seq} holds hash ${written.hash} but the chain has ${head.hash}: the chain or the checkpoint was altered; run caliper audit verify`,
      );
    }
    await this.audit.recordCheckpoint(written);
    return {
      outcome: 'done',
      detail: { seq: head.seq, hash: head.hash, trigger, locked: written.locked, recordedOnly: Boolean(existing) },
    };
  }
}
