/** The queues (one per job family), their workers, and the processors they find among all modules' providers. */
import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { Config } from '@caliper/config';
import { JobDispatcher } from '../jobs/job-dispatcher';
import { JobProcessors } from '../jobs/job-processors';
import { CONFIG, WORKER_OPTIONS, WorkerOptions } from '../worker.options';
import { JobQueues, QUEUE_CONNECTION, QueueConnection } from './job-queues';
import { JobWorkers } from './job-workers';

@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: QUEUE_CONNECTION,
      inject: [CONFIG, WORKER_OPTIONS],
      useFactory: (config: Config, options: WorkerOptions): QueueConnection => ({ url: config.REDIS_URL, prefix: options.queuePrefix }),
    },
    JobQueues,
    JobProcessors,
    JobDispatcher,
    JobWorkers,
  ],
  exports: [QUEUE_CONNECTION, JobQueues, JobProcessors, JobWorkers],
})
export class QueueModule {}
