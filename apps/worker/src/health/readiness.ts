/** Readiness reports Postgres, Redis and S3 each, so an operator sees which one is down. */
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { ObjectStore } from '@caliper/storage';
import { WorkerMetrics } from '../metrics/worker-metrics';

type Check = { status: 'ok' | 'down'; latencyMs: number; error?: string };
export type ReadinessReport = { status: 'ok' | 'down'; checks: Record<'postgres' | 'redis' | 's3', Check> };

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

export class Readiness {
  constructor(
    private readonly ds: DataSource,
    private readonly redis: Redis,
    private readonly store: ObjectStore,
    private readonly auditBucket: string,
    private readonly metrics: WorkerMetrics,
  ) {}

  async check(): Promise<ReadinessReport> {
    const [postgres, redis, s3] = await Promise.all([
      timed(() => this.ds.query('SELECT 1')),
      timed(() => this.redis.ping()),
      timed(() => this.store.bucketExists(this.auditBucket)),
    ]);
    const checks = { postgres, redis, s3 };
    for (const [name, c] of Object.entries(checks)) this.metrics.dependencyUp.set({ dependency: name }, c.status === 'ok' ? 1 : 0);
    return { status: Object.values(checks).every((c) => c.status === 'ok') ? 'ok' : 'down', checks };
  }
}
