/**
 * Wires the worker. Shared infrastructure, the queues and their workers, the outbox relay and
 * health are modules of their own; each job family is a module in its own folder whose
 * providers are its job processors (found by JobProcessors). Adding a family is its folder
 * plus one line in JOB_FAMILY_MODULES. WorkerLifecycle starts and stops the moving parts in a
 * fixed order.
 */
import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Config } from '@caliper/config';
import { createLogger } from '@caliper/observability';
import { AuditJobsModule } from './audit/audit-jobs.module';
import { AuthJobsModule } from './auth/auth-jobs.module';
import { DatasetsJobsModule } from './datasets/datasets-jobs.module';
import { HealthModule } from './health/health.module';
import { IdempotencyJobsModule } from './idempotency/idempotency-jobs.module';
import { WorkerInfraModule } from './infra/worker-infra.module';
import { OutboxModule } from './outbox/outbox.module';
import { QueueModule } from './queue/queue.module';
import { RegistryJobsModule } from './registry/registry-jobs.module';
import { TrainingJobsModule } from './training/training-jobs.module';
import { UploadsJobsModule } from './uploads/uploads-jobs.module';
import { WebhooksJobsModule } from './webhooks/webhooks-jobs.module';
import { WorkerLifecycle } from './worker.lifecycle';
import { WorkerOptions, workerOptions } from './worker.options';

/** The job families this worker runs. */
const JOB_FAMILY_MODULES = [
  AuditJobsModule,
  AuthJobsModule,
  DatasetsJobsModule,
  IdempotencyJobsModule,
  RegistryJobsModule,
  TrainingJobsModule,
  UploadsJobsModule,
  WebhooksJobsModule,
];

@Module({})
export class WorkerModule {
  static forConfig(
    config: Config,
    overrides: Partial<WorkerOptions> = {},
    logger: Logger = createLogger(config.LOG_LEVEL, 'caliper-worker'),
  ): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        WorkerInfraModule.forConfig(config, workerOptions(overrides), logger),
        QueueModule,
        OutboxModule,
        HealthModule,
        ...JOB_FAMILY_MODULES,
      ],
      providers: [WorkerLifecycle],
    };
  }
}
