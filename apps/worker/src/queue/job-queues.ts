/**
 * The producer side: one BullMQ queue per job family, typed adds routed by job name, the
 * relay's idempotent adds, and the job schedulers. Completed jobs are kept a day so that a
 * relay retrying a batch it already added (it died before marking the rows) finds their ids
 * and adds nothing twice.
 */
import { Inject, Injectable } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import { familyOf, Job, JOB_FAMILIES, JOB_QUEUES, JobFamily, JobName, jobQueueName, ScheduledJobName } from '@caliper/jobs';

export interface QueueConnection {
  url: string;
  /** BullMQ key prefix; tests use a unique one so they never meet another run's jobs. */
  prefix: string;
}

export const QUEUE_CONNECTION = 'CALIPER_QUEUE_CONNECTION';

/** A job to add, due at `runAfter` (now when null): an outbox row (under its stable id), or a job moved from the legacy queue. */
export interface RelayedJob {
  name: string;
  data: unknown;
  jobId?: string;
  runAfter: Date | null;
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

@Injectable()
export class JobQueues {
  private readonly queues = new Map<string, Queue>();

  constructor(@Inject(QUEUE_CONNECTION) private readonly connection: QueueConnection) {
    for (const family of JOB_FAMILIES) this.queue(JOB_QUEUES[family]);
  }

  /** The queue of a family. */
  of(family: JobFamily): Queue {
    return this.queue(JOB_QUEUES[family]);
  }

  async add<N extends JobName>(job: Job<N>, opts: { jobId?: string; delayMs?: number } = {}): Promise<void> {
    await this.queue(jobQueueName(familyOf(job.name))).add(job.name, job.data, { jobId: opts.jobId, delay: opts.delayMs });
  }

  /**
   * Adds relayed jobs to their families' queues under their ids (an id already in the queue is
   * skipped by BullMQ). A job of a family this worker does not know goes to that family's queue
   * too, where the workers that know it will run it.
   */
  async addRelayed(rows: readonly RelayedJob[], now = Date.now()): Promise<void> {
    const byQueue = new Map<string, RelayedJob[]>();
    for (const row of rows) {
      const name = jobQueueName(familyOf(row.name));
      byQueue.set(name, [...(byQueue.get(name) ?? []), row]);
    }
    for (const [name, batch] of byQueue) {
      await this.queue(name).addBulk(
        batch.map((r) => ({
          name: r.name,
          data: r.data,
          opts: { jobId: r.jobId, delay: r.runAfter ? Math.max(0, r.runAfter.getTime() - now) : undefined },
        })),
      );
    }
  }

  /** Creates or updates the scheduler that adds `name` every `everyMs` to its family's queue. */
  async schedule(name: ScheduledJobName, everyMs: number): Promise<void> {
    await this.of(familyOf(name)).upsertJobScheduler(
      name,
      { every: everyMs },
      { name, data: { v: 1 }, opts: { removeOnComplete: RETENTION.removeOnComplete, removeOnFail: RETENTION.removeOnFail } },
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: bullConnection(this.connection.url),
        prefix: this.connection.prefix,
        defaultJobOptions: RETENTION,
      });
      this.queues.set(name, queue);
    }
    return queue;
  }
}
