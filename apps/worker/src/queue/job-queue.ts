/**
 * The producer side of the one BullMQ queue: typed adds, the relay's idempotent adds, and the
 * job schedulers. Completed jobs are kept a day so that a relay retrying a batch it already
 * added (it died before marking the rows) finds their ids and adds nothing twice.
 */
import { JobsOptions, Queue } from 'bullmq';
import { Job, JOB_QUEUE, JobName, ScheduledJobName } from '@caliper/jobs';
import type { OutboxRow } from '@caliper/persistence';

export interface QueueConnection {
  url: string;
  /** BullMQ key prefix; tests use a unique one so they never meet another run's jobs. */
  prefix: string;
}

const RETENTION: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function bullConnection(url: string) {
  // BullMQ needs commands to wait for a reconnect rather than fail (maxRetriesPerRequest: null).
  return { url, maxRetriesPerRequest: null };
}

export class JobQueue {
  readonly queue: Queue;

  constructor(connection: QueueConnection) {
    this.queue = new Queue(JOB_QUEUE, {
      connection: bullConnection(connection.url),
      prefix: connection.prefix,
      defaultJobOptions: RETENTION,
    });
  }

  async add<N extends JobName>(job: Job<N>, opts: { jobId?: string; delayMs?: number } = {}): Promise<void> {
    await this.queue.add(job.name, job.data, { jobId: opts.jobId, delay: opts.delayMs });
  }

  /** Adds relayed outbox rows under their deterministic ids (an id already in the queue is skipped by BullMQ). */
  async addRelayed(rows: readonly OutboxRow[], now = Date.now()): Promise<void> {
    await this.queue.addBulk(
      rows.map((r) => ({
        name: r.name,
        data: r.data,
        opts: { jobId: r.jobId, delay: r.runAfter ? Math.max(0, r.runAfter.getTime() - now) : undefined },
      })),
    );
  }

  /** Creates or updates the scheduler that adds `name` every `everyMs` (one per name, whatever the replica count). */
  async schedule(name: ScheduledJobName, everyMs: number): Promise<void> {
    await this.queue.upsertJobScheduler(
      name,
      { every: everyMs },
      { name, data: { v: 1 }, opts: { removeOnComplete: RETENTION.removeOnComplete, removeOnFail: RETENTION.removeOnFail } },
    );
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
