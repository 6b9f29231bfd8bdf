import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Client as MinioClient } from 'minio';
import Redis from 'ioredis';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { Config } from '@caliper/config';
import { checkReadiness, dependencyUpGauge } from '@caliper/observability';

/** Readiness reports Postgres, Redis and S3 each, so an operator sees which one is down. */
@Injectable()
export class HealthService implements OnModuleDestroy {
  readonly registry = new Registry();
  private readonly up = dependencyUpGauge(this.registry);
  private readonly redis: Redis;
  private readonly s3: MinioClient;

  constructor(private readonly ds: DataSource, private readonly config: Config) {
    collectDefaultMetrics({ register: this.registry, prefix: 'caliper_api_' });
    this.redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.redis.on('error', () => undefined);
    const s3 = new URL(config.S3_ENDPOINT);
    this.s3 = new MinioClient({
      endPoint: s3.hostname, port: Number(s3.port || (s3.protocol === 'https:' ? 443 : 80)), useSSL: s3.protocol === 'https:',
      accessKey: config.S3_ACCESS_KEY, secretKey: config.S3_SECRET_KEY, region: config.S3_REGION,
    });
  }

  readiness() {
    return checkReadiness({
      postgres: () => this.ds.query('SELECT 1'),
      redis: async () => {
        if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect();
        await this.redis.ping();
      },
      s3: () => this.s3.bucketExists(this.config.S3_BUCKET_AUDIT),
    }, this.up);
  }

  async onModuleDestroy() {
    this.redis.disconnect();
  }
}
