/**
 * Start and stop in a fixed order. Start: buckets, the legacy queue drained, the job
 * schedulers, then the relay and the queue workers, then HTTP. Stop: HTTP, the relay, the
 * workers (they wait for running jobs), the queues; WorkerInfraModule closes the connections
 * those needed after that.
 */
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Config } from '@caliper/config';
import { ObjectStore } from '@caliper/storage';
import { HealthServer } from './health/health-server';
import { JobProcessors } from './jobs/job-processors';
import { OutboxRelay } from './outbox/outbox-relay';
import { JobQueues, QUEUE_CONNECTION, QueueConnection } from './queue/job-queues';
import { JobWorkers } from './queue/job-workers';
import { drainLegacyQueue } from './queue/legacy-queue';
import { CONFIG, LOGGER, WORKER_OPTIONS, WorkerOptions } from './worker.options';

@Injectable()
export class WorkerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(WORKER_OPTIONS) private readonly options: WorkerOptions,
    @Inject(QUEUE_CONNECTION) private readonly connection: QueueConnection,
    private readonly store: ObjectStore,
    private readonly processors: JobProcessors,
    private readonly queues: JobQueues,
    private readonly workers: JobWorkers,
    private readonly relay: OutboxRelay,
    private readonly http: HealthServer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { config, logger } = this;
    for (const bucket of [config.S3_BUCKET_AUDIT, config.S3_BUCKET_ARTIFACTS]) {
      try {
        // Audit checkpoints are kept under object lock where the store supports it (created with it only).
        await this.store.ensureBucket(bucket, { objectLocking: bucket === config.S3_BUCKET_AUDIT });
      } catch (err) {
        // S3 may come up later: readiness reports it, and jobs that need it fail and retry.
        logger.warn({ err }, `could not ensure bucket ${bucket}: ${(err as Error).message}`);
      }
    }
    const drained = await drainLegacyQueue(this.connection, this.queues);
    if (drained.schedulersRemoved || drained.moved || drained.dropped)
      logger.info(drained, `legacy queue emptied: ${drained.moved} job(s) moved to their families' queues`);
    for (const { name, everyMs } of this.processors.schedules()) await this.queues.schedule(name, everyMs);
    this.relay.start();
    this.workers.start();
    if (this.options.serveHttp) await this.http.listen(config.WORKER_PORT, config.HOST);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.http.close();
    await this.relay.stop();
    await this.workers.close();
    await this.queues.close();
  }
}
