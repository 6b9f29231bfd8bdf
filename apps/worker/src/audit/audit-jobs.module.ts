/** The 'audit' job family: checkpoints of the audit chain in the object store. */
import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Config } from '@caliper/config';
import { AuditCheckpointStore, ObjectStore } from '@caliper/storage';
import { CONFIG, LOGGER } from '../worker.options';
import { AuditCheckpointJob, CHECKPOINT_TIMING, CheckpointTiming } from './audit-checkpoint.job';

@Module({
  providers: [
    {
      provide: AuditCheckpointStore,
      inject: [ObjectStore, CONFIG, LOGGER],
      useFactory: (store: ObjectStore, config: Config, logger: Logger) =>
        new AuditCheckpointStore(store, config.S3_BUCKET_AUDIT, (line) => logger.warn(line)),
    },
    {
      provide: CHECKPOINT_TIMING,
      inject: [CONFIG],
      useFactory: (config: Config): CheckpointTiming => ({
        quietSeconds: config.AUDIT_CHECKPOINT_QUIET_SECONDS,
        intervalSeconds: config.AUDIT_CHECKPOINT_INTERVAL_SECONDS,
      }),
    },
    AuditCheckpointJob,
  ],
})
export class AuditJobsModule {}
