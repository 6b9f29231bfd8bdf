/** Boots the worker in this process on real PostgreSQL, Redis (a queue prefix of its own) and a local S3 server. */
import { randomBytes } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { loadConfig } from '@caliper/config';
import type { TestDatabase } from '@caliper/persistence/testing';
import type { TestObjectStore } from '@caliper/storage/testing';
import { JOB_FAMILIES } from '@caliper/jobs';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { JobQueues } from '../queue/job-queues';
import { WorkerModule } from '../worker.module';
import { WorkerOptions } from '../worker.options';

export interface TestWorker {
  app: INestApplicationContext;
  queues: JobQueues;
  metrics: WorkerMetrics;
  /** The BullMQ key prefix of this worker's queues. */
  prefix: string;
  close(): Promise<void>;
}

export function testConfig(db: TestDatabase, s3: TestObjectStore, env: Record<string, string> = {}) {
  return loadConfig({ DATABASE_URL: db.appUrl, ...s3.config, S3_BUCKET_AUDIT: 'caliper-audit-test', LOG_LEVEL: 'warn', ...env });
}

export async function startTestWorker(
  db: TestDatabase,
  s3: TestObjectStore,
  env: Record<string, string> = {},
  options: Partial<WorkerOptions> = {},
): Promise<TestWorker> {
  const config = testConfig(db, s3, env);
  const prefix = options.queuePrefix ?? `caliper-test-${randomBytes(5).toString('hex')}`;
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forConfig(config, { relayIntervalMs: 100, serveHttp: false, ...options, queuePrefix: prefix }, pino({ level: 'silent' })),
    { logger: false },
  );
  await app.init();
  const queues = app.get(JobQueues);
  return {
    app,
    queues,
    metrics: app.get(WorkerMetrics),
    prefix,
    close: async () => {
      for (const family of JOB_FAMILIES) await queues.of(family).obliterate({ force: true });
      await app.close();
    },
  };
}

/** Polls until `probe` gives a value that is truthy and, for an array, not empty. */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value && !(Array.isArray(value) && value.length === 0)) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
