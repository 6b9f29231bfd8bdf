/**
 * What a job's processor is: an injectable class, marked with the job name it processes, whose
 * `run` takes the payload that follows from that name. Scheduled jobs also say how often they run.
 * JobProcessors finds every marked provider in every module, so a family's module only lists
 * its processors as providers.
 */
import { DiscoveryService } from '@nestjs/core';
import type { JobName, JobPayloads, ScheduledJobName } from '@caliper/jobs';

export interface JobResult {
  outcome: 'done' | 'skipped';
  /** Logged with the outcome: what was done, or why nothing was. */
  detail: Record<string, unknown>;
}

/** Which try this is: a processor that records its own failure marks it final on the last attempt. */
export interface JobAttempt {
  attempt: number;
  attempts: number;
}

export interface JobProcessor<N extends JobName> {
  run(data: JobPayloads[N], attempt?: JobAttempt): Promise<JobResult>;
}

export interface ScheduledJobProcessor<N extends ScheduledJobName> extends JobProcessor<N> {
  /** The job scheduler adds the job this often (one scheduler per job, whatever the replica count). */
  readonly everyMs: number;
}

export type ProcessorOf<N extends JobName> = N extends ScheduledJobName ? ScheduledJobProcessor<N> : JobProcessor<N>;

export const JobProcessorMetadata = DiscoveryService.createDecorator<JobName>();

/**
 * Marks a class as the processor of job `name`; the compiler checks that it takes that job's
 * payload (and, for a scheduled job, has `everyMs`). Use with `@Injectable()`.
 */
export function ProcessesJob<N extends JobName>(name: N) {
  return (target: new (...args: never[]) => ProcessorOf<N>): void => {
    (JobProcessorMetadata(name) as ClassDecorator)(target);
  };
}
