/**
 * The consumer side: a BullMQ Worker per job family, each handing its jobs to the dispatcher.
 * A worker renews its lock on each running job; when a worker dies or hangs, the lock expires
 * and another worker's stalled check moves the job back to wait (WorkerOptions has the timings).
 */
import { Inject, Injectable } from '@nestjs/common';
import { Worker } from 'bullmq';
import type { Logger } from 'pino';
import { JOB_QUEUES } from '@caliper/jobs';
import { JobDispatcher } from '../jobs/job-dispatcher';
import { JobProcessors } from '../jobs/job-processors';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { LOGGER, WORKER_OPTIONS, WorkerOptions } from '../worker.options';
import { bullConnection, QUEUE_CONNECTION, QueueConnection } from './job-queues';

@Injectable()
export class JobWorkers {
  private workers: Worker[] = [];

  constructor(
    @Inject(QUEUE_CONNECTION) private readonly connection: QueueConnection,
    private readonly processors: JobProcessors,
    private readonly dispatcher: JobDispatcher,
    private readonly metrics: WorkerMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(WORKER_OPTIONS) private readonly options: WorkerOptions,
  ) {}

  start(): void {
    this.workers = this.processors.families().map((family) => {
      const worker = new Worker(
        JOB_QUEUES[family],
        (job) =>
          this.dispatcher.process(job.name, job.data, { id: job.id, attempt: job.attemptsMade + 1, attempts: job.opts.attempts ?? 1 }),
        {
          connection: bullConnection(this.connection.url),
          prefix: this.connection.prefix,
          concurrency: this.options.concurrency,
          lockDuration: this.options.lockDurationMs,
          stalledInterval: this.options.stalledIntervalMs,
          maxStalledCount: this.options.maxStalledCount,
        },
      );
      // Connection errors are retried by BullMQ; log them rather than crash on an unhandled 'error'.
      worker.on('error', (err) => this.logger.warn({ err, family }, `queue worker ${family}: ${err.message}`));
      worker.on('stalled', (jobId) => {
        this.metrics.jobsStalled.inc({ family });
        this.logger.warn(
          { jobId, family },
          `job ${jobId} stalled: its worker stopped renewing the lock (died or hung); it runs again, or fails past ${this.options.maxStalledCount} stall(s)`,
        );
      });
      return worker;
    });
  }

  /** Waits for running jobs to finish, then disconnects. */
  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.close()));
  }
}
