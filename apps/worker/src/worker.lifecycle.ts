/**
 * Start and stop in a fixed order. Start: buckets and job schedulers, then the relay and the
 * queue worker, then HTTP. Stop: HTTP, the relay, the worker (waits for running jobs), the queue,
 * and only then the connections those needed.
 */
import { BeforeApplicationShutdown, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { Config } from '@caliper/config';
import { ObjectStore } from '@caliper/storage';
import { checkpointPollMs } from './audit/audit-checkpoint.job';
import { HealthServer } from './health/health-server';
import { OutboxRelay } from './outbox/outbox-relay';
import { JobQueue } from './queue/job-queue';
import { JobWorker } from './queue/job-worker';

export interface WorkerParts {
  config: Config;
  logger: Logger;
  serveHttp: boolean;
  ds: DataSource;
  redis: Redis;
  store: ObjectStore;
  queue: JobQueue;
  worker: JobWorker;
  relay: OutboxRelay;
  http: HealthServer;
}

const UPLOADS_SWEEP_EVERY_MS = 3600_000;
const IDEMPOTENCY_PURGE_EVERY_MS = 3600_000;

export class WorkerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(private readonly parts: WorkerParts) {}

  async onApplicationBootstrap(): Promise<void> {
    const { config, logger, store, queue, worker, relay, http } = this.parts;
    for (const bucket of [config.S3_BUCKET_AUDIT, config.S3_BUCKET_ARTIFACTS]) {
      try {
        // Audit checkpoints are kept under object lock where the store supports it (created with it only).
        await store.ensureBucket(bucket, { objectLocking: bucket === config.S3_BUCKET_AUDIT });
      } catch (err) {
        // S3 may come up later: readiness reports it, and jobs that need it fail and retry.
        logger.warn({ err }, `could not ensure bucket ${bucket}: ${(err as Error).message}`);
      }
    }
    // Polled every few seconds so a checkpoint follows each burst of audit events (see the job).
    await queue.schedule(
      'audit.checkpoint',
      checkpointPollMs({ quietSeconds: config.AUDIT_CHECKPOINT_QUIET_SECONDS, intervalSeconds: config.AUDIT_CHECKPOINT_INTERVAL_SECONDS }),
    );
    await queue.schedule('uploads.sweep', UPLOADS_SWEEP_EVERY_MS);
    await queue.schedule('idempotency.purge', IDEMPOTENCY_PURGE_EVERY_MS);
    relay.start();
    worker.start();
    if (this.parts.serveHttp) await http.listen(config.WORKER_PORT, config.HOST);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const { http, relay, worker, queue } = this.parts;
    await http.close();
    await relay.stop();
    await worker.close();
    await queue.close();
  }

  async onApplicationShutdown(): Promise<void> {
    this.parts.redis.disconnect();
    await this.parts.ds.destroy();
  }
}
