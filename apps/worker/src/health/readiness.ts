/** Readiness reports Postgres, Redis and S3 each, so an operator sees which one is down. */
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import type { Config } from '@caliper/config';
import { checkReadiness, ReadinessReport } from '@caliper/observability';
import { ObjectStore } from '@caliper/storage';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { CONFIG, REDIS } from '../worker.options';

@Injectable()
export class Readiness {
  private readonly auditBucket: string;

  constructor(
    private readonly ds: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly store: ObjectStore,
    @Inject(CONFIG) config: Pick<Config, 'S3_BUCKET_AUDIT'>,
    private readonly metrics: WorkerMetrics,
  ) {
    this.auditBucket = config.S3_BUCKET_AUDIT;
  }

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
