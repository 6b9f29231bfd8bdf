/**
 * Hands a job from a queue to its processor by name. The payload is validated against the
 * job's schema first, so each processor receives the payload type that follows from its name;
 * an invalid payload fails at once without retries (retrying cannot fix it).
 */
import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { InvalidJobError, isJobName, Job, JobName, parseJob } from '@caliper/jobs';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { LOGGER } from '../worker.options';
import { JobAttempt, JobResult } from './job-processor';
import { JobProcessors } from './job-processors';

@Injectable()
export class JobDispatcher {
  constructor(
    private readonly processors: JobProcessors,
    private readonly metrics: WorkerMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async process(name: string, data: unknown, meta: { id?: string; attempt: number; attempts?: number }): Promise<JobResult> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    const metricName = isJobName(name) ? name : 'unknown';
    try {
      const result = await this.handle(this.parse(name, data), { attempt: meta.attempt, attempts: meta.attempts ?? meta.attempt });
      this.metrics.recordJob(metricName, result.outcome, seconds());
      this.logger.info(
        { job: name, jobId: meta.id, attempt: meta.attempt, outcome: result.outcome, ...result.detail },
        `job ${name} ${result.outcome}`,
      );
      return result;
    } catch (err) {
      this.metrics.recordJob(metricName, 'failed', seconds());
      this.logger.error({ job: name, jobId: meta.id, attempt: meta.attempt, err }, `job ${name} failed: ${(err as Error).message}`);
      throw err;
    }
  }

  private parse(name: string, data: unknown): Job {
    try {
      return parseJob(name, data);
    } catch (err) {
      if (err instanceof InvalidJobError) throw new UnrecoverableError(err.message);
      throw err;
    }
  }

  private handle<N extends JobName>(job: Job<N>, attempt: JobAttempt): Promise<JobResult> {
    return this.processors.get<N>(job.name).run(job.data, attempt);
  }
}
