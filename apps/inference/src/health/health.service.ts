import { Injectable, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { Config } from '@caliper/config';
import { ObjectStore } from '@caliper/storage';

type Check = { status: 'ok' | 'down'; latencyMs: number; error?: string };

async function timed(fn: () => Promise<unknown>, timeoutMs = 2000): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([fn(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs)))]);
    return { status: 'ok', latencyMs: Math.round(performance.now() - started) };
  } catch (e) {
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error: (e as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Readiness reports Postgres (results, provenance), Redis (the inference queue) and S3 (model
 * and result objects) each, so an operator sees which one is down.
 */
@Injectable()
export class HealthService implements OnModuleDestroy {
  readonly registry = new Registry();
  private readonly up = new Gauge({ name: 'caliper_dependency_up', help: 'Whether a dependency answered the last readiness check', labelNames: ['dependency'], registers: [this.registry] });
  private readonly redis: Redis;

  constructor(private readonly ds: DataSource, private readonly store: ObjectStore, private readonly config: Config) {
    collectDefaultMetrics({ register: this.registry, prefix: 'caliper_inference_' });
    this.redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.redis.on('error', () => undefined);
  }

  async readiness() {
    const [postgres, redis, s3] = await Promise.all([
      timed(() => this.ds.query('SELECT 1')),
      timed(async () => {
        if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect();
        await this.redis.ping();
      }),
      timed(() => this.store.bucketExists(this.config.S3_BUCKET_ARTIFACTS)),
    ]);
    const checks = { postgres, redis, s3 };
    for (const [name, c] of Object.entries(checks)) this.up.set({ dependency: name }, c.status === 'ok' ? 1 : 0);
    return { status: Object.values(checks).every((c) => c.status === 'ok') ? 'ok' : 'down', checks };
  }

  onModuleDestroy() {
    this.redis.disconnect();
  }
}
