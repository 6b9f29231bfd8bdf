/**
 * Every job's processor, found at start among the providers of all modules (see ProcessesJob).
 * The worker refuses to start when a job has no processor or two, naming the job, rather than
 * leave its queue filling up with jobs nothing runs.
 */
import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { FAMILY_CONSUMERS, familyOf, JOB_NAMES, JobFamily, JobName, ScheduledJobName, isScheduledJobName } from '@caliper/jobs';
import { JobProcessor, JobProcessorMetadata, ScheduledJobProcessor } from './job-processor';

export class JobProcessorsError extends Error {
  readonly code = 'JOB_PROCESSORS';
}

@Injectable()
export class JobProcessors implements OnModuleInit {
  private readonly byName = new Map<JobName, JobProcessor<JobName>>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: JobProcessorMetadata.KEY })) {
      const name = this.discovery.getMetadataByDecorator(JobProcessorMetadata, wrapper);
      const processor = wrapper.instance as JobProcessor<JobName> | undefined;
      if (!name || !processor) continue;
      const other = this.byName.get(name);
      if (other)
        throw new JobProcessorsError(
          `job "${name}" has two processors, ${other.constructor.name} and ${processor.constructor.name}: register one of them`,
        );
      this.byName.set(name, processor);
    }
    const missing = JOB_NAMES.filter((n) => FAMILY_CONSUMERS[familyOf(n) as JobFamily] === 'worker' && !this.byName.has(n));
    if (missing.length)
      throw new JobProcessorsError(
        `no processor for job ${missing.map((n) => `"${n}"`).join(', ')}: add an @Injectable() @ProcessesJob(name) class to the providers of its family's module, and that module to WorkerModule's imports`,
      );
  }

  get<N extends JobName>(name: N): JobProcessor<N> {
    return this.byName.get(name) as JobProcessor<N>;
  }

  /** The families that have processors: each gets a queue worker. */
  families(): JobFamily[] {
    return [...new Set([...this.byName.keys()].map((n) => familyOf(n) as JobFamily))];
  }

  /** The scheduled jobs and how often each runs. */
  schedules(): Array<{ name: ScheduledJobName; everyMs: number }> {
    return [...this.byName].flatMap(([name, processor]) =>
      isScheduledJobName(name) ? [{ name, everyMs: (processor as ScheduledJobProcessor<ScheduledJobName>).everyMs }] : [],
    );
  }
}
