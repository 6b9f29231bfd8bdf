/** The worker's Prometheus registry: jobs by name and outcome, stalled jobs, the outbox relay, dependencies, process. */
import { dependencyUpGauge } from '@caliper/observability';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type JobOutcome = 'done' | 'skipped' | 'failed';

export class WorkerMetrics {
  readonly registry = new Registry();
  readonly jobs = new Counter({
    name: 'caliper_worker_jobs_total',
    help: 'Jobs processed, by job name and outcome',
    labelNames: ['name', 'outcome'],
    registers: [this.registry],
  });
  readonly jobDuration = new Histogram({
    name: 'caliper_worker_job_duration_seconds',
    help: 'Time to process a job, by job name and outcome',
    labelNames: ['name', 'outcome'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [this.registry],
  });
  readonly jobsStalled = new Counter({
    name: 'caliper_worker_jobs_stalled_total',
    help: 'Jobs found stalled (their worker stopped renewing the lock) and moved back to wait, or failed past maxStalledCount, by family',
    labelNames: ['family'],
    registers: [this.registry],
  });
  readonly outboxRelayed = new Counter({
    name: 'caliper_worker_outbox_relayed_total',
    help: 'Outbox rows relayed to the queue',
    registers: [this.registry],
  });
  readonly outboxRelayErrors = new Counter({
    name: 'caliper_worker_outbox_relay_errors_total',
    help: 'Relay passes that failed and will be retried',
    registers: [this.registry],
  });
  readonly dependencyUp = dependencyUpGauge(this.registry);

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'caliper_worker_' });
  }

  /** Jobs committed but not yet in the queue, counted at each scrape: a growing number means the relay is stuck. */
  observeOutboxBacklog(count: () => Promise<number>): void {
    new Gauge({
      name: 'caliper_worker_outbox_unrelayed',
      help: 'Outbox rows not yet relayed to the queue',
      registers: [this.registry],
      async collect() {
        // /metrics must answer while the database is down: NaN says "unknown" without failing the scrape.
        this.set(await count().catch(() => NaN));
      },
    });
  }

  recordJob(name: string, outcome: JobOutcome, seconds: number): void {
    this.jobs.inc({ name, outcome });
    this.jobDuration.observe({ name, outcome }, seconds);
  }
}
