/**
 * 'training.cancel': stops a launched run whose cancel was requested. A run not submitted yet is
 * killed at once (the submit job then leaves it); a submitted one is cancelled through its
 * executor (scancel, Job deletion, SIGTERM then SIGKILL), which resolves once the job stopped,
 * and recorded killed by the sync of its final status.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobPayloads } from '@caliper/jobs';
import { ApiTokensRepository, AuditRepository, RunExecutionsRepository, TrackingRepository } from '@caliper/persistence';
import { JobProcessor, JobResult, ProcessesJob } from '../jobs/job-processor';
import { Executors } from './executors';
import { endRunToken, moveRun, TERMINAL_RUN_STATUSES } from './launched-runs';
import { SyncRunsJob } from './sync-runs.job';

@Injectable()
@ProcessesJob('training.cancel')
export class CancelRunJob implements JobProcessor<'training.cancel'> {
  constructor(
    private readonly ds: DataSource,
    private readonly executions: RunExecutionsRepository,
    private readonly tracking: TrackingRepository,
    private readonly tokens: ApiTokensRepository,
    private readonly audit: AuditRepository,
    private readonly executors: Executors,
    private readonly sync: SyncRunsJob,
  ) {}

  async run(data: JobPayloads['training.cancel']): Promise<JobResult> {
    const before = await this.ds.transaction(async (m) => {
      const e = await this.executions.lock(m, data.runUuid);
      if (!e) return { skip: 'the run was not launched from a template' };
      if (e.endedAt || (TERMINAL_RUN_STATUSES.has(e.runStatus) && !e.externalId)) return { skip: `the run is ${e.runStatus}` };
      if (!e.externalId) {
        await moveRun(m, { tracking: this.tracking, audit: this.audit }, e, 'killed', { reason: 'cancelled before it was submitted' });
        await this.executions.recordSync(m, e.runId, {
          message: 'cancelled before it was submitted',
          exitCode: null,
          logTail: null,
          ended: true,
        });
        await endRunToken(m, this.tokens, e);
        return { skip: 'cancelled before it was submitted' };
      }
      return { e };
    });
    if ('skip' in before) return { outcome: 'skipped', detail: { runUuid: data.runUuid, reason: before.skip } };
    const { e } = before;
    const executor = this.executors.get(e.executor);
    if (!executor) return { outcome: 'skipped', detail: { runUuid: e.runUuid, reason: `this worker has no ${e.executor} executor` } };
    await executor.cancel(e.externalId!);
    const status = await executor.sync(e.externalId!);
    await this.sync.settle(e, executor, status);
    return { outcome: 'done', detail: { runUuid: e.runUuid, executor: e.executor, externalId: e.externalId, state: status.state } };
  }
}
