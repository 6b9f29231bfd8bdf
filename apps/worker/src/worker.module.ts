/**
 * Wires the worker: one DataSource, Redis, the object store, the repositories, the jobs and
 * the queue. WorkerLifecycle starts and stops the moving parts in a fixed order.
 */
import { DynamicModule, Module } from '@nestjs/common';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { Config } from '@caliper/config';
import {
  AccountsRepository,
  AuditRepository,
  createDataSource,
  OutboxRepository,
  UploadsRepository,
  IdempotencyRepository,
} from '@caliper/persistence';
import { AuditCheckpointStore, ObjectStore, objectStoreFromConfig } from '@caliper/storage';
import { AuditCheckpointJob } from './audit/audit-checkpoint.job';
import { FailedLoginsFlushJob } from './auth/failed-logins-flush.job';
import { HealthServer } from './health/health-server';
import { Readiness } from './health/readiness';
import { JobDispatcher, JobHandlers } from './jobs/job-dispatcher';
import { createLogger } from '@caliper/observability';
import { WorkerMetrics } from './metrics/worker-metrics';
import { OutboxRelay } from './outbox/outbox-relay';
import { JobQueue, QueueConnection } from './queue/job-queue';
import { JobWorker } from './queue/job-worker';
import { UploadsSweepJob } from './uploads/uploads-sweep.job';
import { IdempotencyPurgeJob } from './idempotency/idempotency-purge.job';
import { WorkerLifecycle } from './worker.lifecycle';

export const REDIS = 'CALIPER_REDIS';

export interface WorkerOptions {
  /** BullMQ key prefix (default 'bull'); tests give each run its own. */
  queuePrefix: string;
  relayIntervalMs: number;
  /** Serve /health and /metrics on WORKER_PORT; in-process tests need no HTTP. */
  serveHttp: boolean;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = { queuePrefix: 'bull', relayIntervalMs: 1000, serveHttp: true };

@Module({})
export class WorkerModule {
  static forConfig(
    config: Config,
    overrides: Partial<WorkerOptions> = {},
    logger: Logger = createLogger(config.LOG_LEVEL, 'caliper-worker'),
  ): DynamicModule {
    const options = { ...DEFAULT_WORKER_OPTIONS, ...overrides };
    const connection: QueueConnection = { url: config.REDIS_URL, prefix: options.queuePrefix };
    return {
      module: WorkerModule,
      providers: [
        { provide: WorkerMetrics, useValue: new WorkerMetrics() },
        {
          provide: DataSource,
          useFactory: () => createDataSource(config.DATABASE_URL, { applicationName: 'caliper-worker' }).initialize(),
        },
        { provide: REDIS, useFactory: () => new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 }) },
        { provide: ObjectStore, useFactory: () => objectStoreFromConfig(config) },
        { provide: JobQueue, useFactory: () => new JobQueue(connection) },
        {
          provide: JobDispatcher,
          inject: [DataSource, REDIS, ObjectStore, WorkerMetrics],
          useFactory: (ds: DataSource, redis: Redis, store: ObjectStore, metrics: WorkerMetrics) => {
            const audit = new AuditRepository(ds);
            const checkpointStore = new AuditCheckpointStore(store, config.S3_BUCKET_AUDIT, (line) => logger.warn(line));
            const checkpoint = new AuditCheckpointJob(audit, checkpointStore, {
              quietSeconds: config.AUDIT_CHECKPOINT_QUIET_SECONDS,
              intervalSeconds: config.AUDIT_CHECKPOINT_INTERVAL_SECONDS,
            });
            const sweep = new UploadsSweepJob(new UploadsRepository(ds), store, config.UPLOAD_ORPHAN_AFTER_SECONDS);
            const purge = new IdempotencyPurgeJob(ds, new IdempotencyRepository());
            const flush = new FailedLoginsFlushJob(ds, redis, audit, new AccountsRepository(ds), config.REDIS_PREFIX);
            const handlers: JobHandlers = {
              'audit.checkpoint': () => checkpoint.run(),
              'uploads.sweep': () => sweep.run(),
              'idempotency.purge': () => purge.run(),
              'auth.failed-logins.flush': (data) => flush.run(data),
            };
            return new JobDispatcher(handlers, metrics, logger);
          },
        },
        {
          provide: JobWorker,
          inject: [JobDispatcher],
          useFactory: (dispatcher: JobDispatcher) => new JobWorker(connection, dispatcher, logger),
        },
        {
          provide: OutboxRelay,
          inject: [DataSource, JobQueue, WorkerMetrics],
          useFactory: (ds: DataSource, queue: JobQueue, metrics: WorkerMetrics) => {
            const outbox = new OutboxRepository(ds);
            metrics.observeOutboxBacklog(() => outbox.countUnrelayed());
            return new OutboxRelay(outbox, queue, metrics, logger, {
              intervalMs: options.relayIntervalMs,
              batchSize: 100,
              keepRelayedMs: 7 * 24 * 3600_000,
            });
          },
        },
        {
          provide: HealthServer,
          inject: [DataSource, REDIS, ObjectStore, WorkerMetrics],
          useFactory: (ds: DataSource, redis: Redis, store: ObjectStore, metrics: WorkerMetrics) =>
            new HealthServer(new Readiness(ds, redis, store, config.S3_BUCKET_AUDIT, metrics), metrics.registry),
        },
        {
          provide: WorkerLifecycle,
          inject: [DataSource, REDIS, ObjectStore, JobQueue, JobWorker, OutboxRelay, HealthServer],
          useFactory: (
            ds: DataSource,
            redis: Redis,
            store: ObjectStore,
            queue: JobQueue,
            worker: JobWorker,
            relay: OutboxRelay,
            http: HealthServer,
          ) => new WorkerLifecycle({ config, logger, serveHttp: options.serveHttp, ds, redis, store, queue, worker, relay, http }),
        },
      ],
    };
  }
}
