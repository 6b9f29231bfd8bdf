/** Caliper worker entry point: validates configuration, then runs the queue worker, the outbox relay and the job schedulers. */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '@caliper/config';
import { createLogger, PinoNestLogger } from '@caliper/observability';
import { missingWorkerNodeFlags } from './node-flags';
import { kubernetesExecutorOptions } from './training/kubernetes-settings';
import { WorkerModule } from './worker.module';
import type { WorkerOptions } from './worker.options';

/** `options`: for a process that shares Redis with other workers it must not take jobs from (a benchmark's own queue prefix). */
export async function bootstrap(options: Partial<WorkerOptions> = {}) {
  const config = loadConfig();
  // The cluster's settings are checked before anything starts: a bad one stops the worker naming its variable.
  if (config.TRAINING_EXECUTORS.includes('kubernetes')) kubernetesExecutorOptions(config);
  const logger = createLogger(config.LOG_LEVEL, 'caliper-worker');
  const app = await NestFactory.createApplicationContext(WorkerModule.forConfig(config, options, logger), {
    logger: new PinoNestLogger(logger),
  });
  app.enableShutdownHooks();
  await app.init();
  logger.info({ url: `http://${config.HOST}:${config.WORKER_PORT}` }, 'caliper worker running');
  const missing = missingWorkerNodeFlags();
  if (missing.length && require.main === module)
    logger.warn(
      `node was started without ${missing.join(' ')}: garbage collection threads will compete with the jobs' native work (evaluations run slower); see apps/worker/src/node-flags.ts`,
    );
  return app;
}

if (require.main === module) {
  bootstrap().catch((err: Error) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  });
}
