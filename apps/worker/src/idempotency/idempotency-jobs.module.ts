/** The 'idempotency' job family: expired Idempotency-Key records purged. */
import { Module } from '@nestjs/common';
import { IdempotencyPurgeJob } from './idempotency-purge.job';

@Module({ providers: [IdempotencyPurgeJob] })
export class IdempotencyJobsModule {}
