/**
 * 'idempotency.purge': native batches keep their first response under the client's
 * Idempotency-Key for 24 hours; older records can no longer answer a retry, so they go.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IdempotencyRepository } from '@caliper/persistence';
import { JobResult, ProcessesJob, ScheduledJobProcessor } from '../jobs/job-processor';

@Injectable()
@ProcessesJob('idempotency.purge')
export class IdempotencyPurgeJob implements ScheduledJobProcessor<'idempotency.purge'> {
  readonly everyMs = 3600_000;

  constructor(
    private readonly ds: DataSource,
    private readonly records: IdempotencyRepository,
  ) {}

  async run(): Promise<JobResult> {
    const purged = await this.records.purgeExpired(this.ds.manager);
    return purged ? { outcome: 'done', detail: { purged } } : { outcome: 'skipped', detail: { reason: 'no expired idempotency record' } };
  }
}
