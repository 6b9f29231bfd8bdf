/**
 * Routes a job from the queue to its handler by name. The payload is validated against the
 * job's schema first, so each handler receives the payload type that follows from its name;
 * an invalid payload fails at once without retries (retrying cannot fix it).
 */
import { performance } from 'node:perf_hooks';
import { UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { InvalidJobError, isJobName, Job, JobName, JobPayloads, parseJob } from '@caliper/jobs';
import { WorkerMetrics } from '../metrics/worker-metrics';

export interface JobResult {
  outcome: 'done' | 'skipped';
  /** Logged with the outcome: what was done, or why nothing was. */
  detail: Record<string, unknown>;
}

export type JobHandler<N extends JobName> = (data: JobPayloads[N]) => Promise<JobResult>;
export type JobHandlers = { [N in JobName]: JobHandler<N> };

export class JobDispatcher {
  constructor(
    private readonly handlers: JobHandlers,
    private readonly metrics: WorkerMetrics,
    private readonly logger: Logger,
  ) {}

  async process(name: string, data: unknown, meta: { id?: string; attempt: number }): Promise<JobResult> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    const metricName = isJobName(name) ? name : 'unknown';
    try {
      const result = await this.handle(this.parse(name, data));
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

  private handle<N extends JobName>(job: Job<N>): Promise<JobResult> {
    const handler = this.handlers[job.name] as JobHandler<N>;
    return handler(job.data);
  }
}
