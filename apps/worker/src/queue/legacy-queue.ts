/**
 * Until issue 11 every job went through one queue, 'caliper'. A worker of this version empties
 * it when it starts, so a deploy loses nothing: its job schedulers are removed (each family's
 * queue has its own), and the jobs waiting or delayed in it move to their families' queues
 * under the same id, due when they were due (a failed-login flush relayed just before the deploy
 * still runs on time). Jobs the old schedulers added are dropped, since the new schedulers add
 * them again. A job an old worker is running stays with it. On a queue already empty this is
 * two reads.
 */
import { Queue } from 'bullmq';
import { isScheduledJobName } from '@caliper/jobs';
import { bullConnection, JobQueues, QueueConnection } from './job-queues';

export const LEGACY_QUEUE = 'caliper';

export interface LegacyQueueDrain {
  schedulersRemoved: number;
  moved: number;
  dropped: number;
}

export async function drainLegacyQueue(connection: QueueConnection, queues: JobQueues): Promise<LegacyQueueDrain> {
  const legacy = new Queue(LEGACY_QUEUE, { connection: bullConnection(connection.url), prefix: connection.prefix, skipMetasUpdate: true });
  try {
    const drain: LegacyQueueDrain = { schedulersRemoved: 0, moved: 0, dropped: 0 };
    for (const scheduler of await legacy.getJobSchedulers()) {
      if (await legacy.removeJobScheduler(scheduler.key)) drain.schedulersRemoved++;
    }
    for (const job of await legacy.getJobs(['wait', 'delayed', 'prioritized'])) {
      if (!job?.id) continue;
      if (job.repeatJobKey || isScheduledJobName(job.name)) {
        if (await legacy.remove(job.id)) drain.dropped++;
        continue;
      }
      // BullMQ refuses an integer as a custom id: a job added without one gets a new id.
      const jobId = /^\d+$/.test(job.id) ? undefined : job.id;
      const runAfter = job.delay ? new Date(job.timestamp + job.delay) : null;
      await queues.addRelayed([{ name: job.name, data: job.data, jobId, runAfter }]);
      // An old worker may have taken the job meanwhile (remove refuses a locked job): then both run it, as after a retry.
      await legacy.remove(job.id);
      drain.moved++;
    }
    return drain;
  } finally {
    await legacy.close();
  }
}
