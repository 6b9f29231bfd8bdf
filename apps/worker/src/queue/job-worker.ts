/** The consumer side of the queue: a BullMQ Worker that hands every job to the dispatcher. */
import { Worker } from 'bullmq';
import type { Logger } from 'pino';
import { JOB_QUEUE } from '@caliper/jobs';
import { JobDispatcher } from '../jobs/job-dispatcher';
import { bullConnection, QueueConnection } from './job-queue';

export class JobWorker {
  private worker: Worker | null = null;

  constructor(
    private readonly connection: QueueConnection,
    private readonly dispatcher: JobDispatcher,
    private readonly logger: Logger,
    private readonly concurrency = 4,
  ) {}

  start(): void {
    this.worker = new Worker(
      JOB_QUEUE,
      (job) => this.dispatcher.process(job.name, job.data, { id: job.id, attempt: job.attemptsMade + 1 }),
      {
        connection: bullConnection(this.connection.url),
        prefix: this.connection.prefix,
        concurrency: this.concurrency,
      },
    );
    // Connection errors are retried by BullMQ; log them rather than crash on an unhandled 'error'.
    this.worker.on('error', (err) => this.logger.warn({ err }, `queue worker: ${err.message}`));
  }

  /** Waits for running jobs to finish, then disconnects. */
  async close(): Promise<void> {
    await this.worker?.close();
    this.worker = null;
  }
}
