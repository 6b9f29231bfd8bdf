import { Injectable, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { Config } from '@caliper/config';
import { checkReadiness, dependencyUpGauge } from '@caliper/observability';
import { ObjectStore } from '@caliper/storage';

/**
 * Readiness reports Postgres (results, provenance), Redis (the inference queue) and S3 (model
 * and result objects) each, so an operator sees which one is down.
 */
@Injectable()
export class HealthService implements OnModuleDestroy {
  readonly registry = new Registry();
  private readonly up = dependencyUpGauge(this.registry);
  private readonly redis: Redis;

  constructor(
    private readonly ds: DataSource,
    private readonly store: ObjectStore,
    private readonly config: Config,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'caliper_inference_' });
    this.redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.redis.on('error', () => undefined);
  }

  readiness() {
    return checkReadiness(
      {
        postgres: () => this.ds.query('SELECT 1'),
        redis: async () => {
          if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect();
          await this.redis.ping();
        },
        s3: () => this.store.bucketExists(this.config.S3_BUCKET_ARTIFACTS),
      },
      this.up,
    );
  }

  onModuleDestroy() {
    this.redis.disconnect();
  }
}
