import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Client as MinioClient } from 'minio';
import Redis from 'ioredis';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { Pool } from 'pg';
import type { Config } from '@caliper/config';
import { checkReadiness, dependencyUpGauge } from '@caliper/observability';
import { CONFIG } from '../tokens';

export interface HealthOptions {
  /** Names the process's metrics: `caliper_<service>_*`. */
  service: 'api' | 'inference';
  /** The bucket whose existence proves the object store answers for this process. */
  bucket: (config: Config) => string;
}
export const HEALTH_OPTIONS = 'CALIPER_HEALTH_OPTIONS';

/** Readiness reports Postgres, Redis and S3 each, so an operator sees which one is down. */
@Injectable()
export class HealthService implements OnModuleDestroy {
  readonly registry = new Registry();
  private readonly up = dependencyUpGauge(this.registry);
  private readonly redis: Redis;
  private readonly s3: MinioClient;
  /**
   * Readiness has a connection of its own: with the request pool busy (a burst of heavy searches)
   * it would wait behind them and report a healthy database as down.
   */
  private readonly pg: Pool;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
  ) {
    this.pg = new Pool({
      connectionString: config.DATABASE_URL,
      max: 1,
      application_name: `caliper-${options.service}-health`,
      connectionTimeoutMillis: 2000,
      statement_timeout: 2000,
    });
    this.pg.on('error', () => undefined);
    collectDefaultMetrics({ register: this.registry, prefix: `caliper_${options.service}_` });
    this.redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.redis.on('error', () => undefined);
    const s3 = new URL(config.S3_ENDPOINT);
    this.s3 = new MinioClient({
      endPoint: s3.hostname,
      port: Number(s3.port || (s3.protocol === 'https:' ? 443 : 80)),
      useSSL: s3.protocol === 'https:',
      accessKey: config.S3_ACCESS_KEY,
      secretKey: config.S3_SECRET_KEY,
      region: config.S3_REGION,
    });
  }

  readiness() {
    return checkReadiness(
      {
        postgres: () => this.pg.query('SELECT 1'),
        redis: async () => {
          if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect();
          await this.redis.ping();
        },
        s3: () => this.s3.bucketExists(this.options.bucket(this.config)),
      },
      this.up,
    );
  }

  async onModuleDestroy() {
    this.redis.disconnect();
    await this.pg.end();
  }
}
