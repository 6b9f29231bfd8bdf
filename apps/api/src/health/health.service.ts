import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Client as MinioClient } from 'minio';
import Redis from 'ioredis';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { Config } from '@caliper/config';

type Check = { status: 'ok' | 'down'; latencyMs: number; error?: string };

async function timed(fn: () => Promise<unknown>, timeoutMs = 2000): Promise<Check> {
  const started = performance.now();
  try {
    await Promise.race([fn(), new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs))]);
    return { status: 'ok', latencyMs: Math.round(performance.now() - started) };
  } catch (e) {
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error: (e as Error).message };
  }
}

/** Readiness reports Postgres, Redis and S3 each, so an operator sees which one is down. */
@Injectable()
export class HealthService implements OnModuleDestroy {
  readonly registry = new Registry();
  private readonly up = new Gauge({ name: 'caliper_dependency_up', help: 'Whether a dependency answered the last readiness check', labelNames: ['dependency'], registers: [this.registry] });
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

  async readiness() {
    const [postgres, redis, s3] = await Promise.all([
      timed(() => this.ds.query('SELECT 1')),
      timed(async () => {
        if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect();
        await this.redis.ping();
      }),
      timed(() => this.s3.bucketExists(this.config.S3_BUCKET_AUDIT)),
    ]);
    const checks = { postgres, redis, s3 };
    for (const [name, c] of Object.entries(checks)) this.up.set({ dependency: name }, c.status === 'ok' ? 1 : 0);
    return { status: Object.values(checks).every((c) => c.status === 'ok') ? 'ok' : 'down', checks };
  }

  async onModuleDestroy() {
    this.redis.disconnect();
  }
}
