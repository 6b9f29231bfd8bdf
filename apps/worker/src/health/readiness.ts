/** Readiness reports Postgres, Redis and S3 each, so an operator sees which one is down. */
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { checkReadiness, ReadinessReport } from '@caliper/observability';
import { ObjectStore } from '@caliper/storage';
import { WorkerMetrics } from '../metrics/worker-metrics';

export class Readiness {
  constructor(
    private readonly ds: DataSource,
    private readonly redis: Redis,
    private readonly store: ObjectStore,
    private readonly auditBucket: string,
    private readonly metrics: WorkerMetrics,
  ) {}

  check(): Promise<ReadinessReport<'postgres' | 'redis' | 's3'>> {
    return checkReadiness(
      {
        postgres: () => this.ds.query('SELECT 1'),
        redis: () => this.redis.ping(),
        s3: () => this.store.bucketExists(this.auditBucket),
      },
      this.metrics.dependencyUp,
    );
  }
}
