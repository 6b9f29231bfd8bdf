/**
 * What every part of the worker shares, global so feature modules just inject it: the
 * configuration, the logger, the worker options, the metrics registry, Redis and the object
 * store, plus PersistenceModule's DataSource and repositories. Connections close after
 * WorkerLifecycle stopped everything that used them (Nest runs every BeforeApplicationShutdown
 * hook before any OnApplicationShutdown one).
 */
import { DynamicModule, Global, Inject, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '@caliper/config';
import { PersistenceModule } from '@caliper/server-kit';
import { ObjectStore, objectStoreFromConfig } from '@caliper/storage';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { CONFIG, LOGGER, REDIS, WORKER_OPTIONS, WorkerOptions } from '../worker.options';

@Global()
@Module({})
export class WorkerInfraModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  static forConfig(config: Config, options: WorkerOptions, logger: Logger): DynamicModule {
    const providers: Provider[] = [
      { provide: CONFIG, useValue: config },
      { provide: LOGGER, useValue: logger },
      { provide: WORKER_OPTIONS, useValue: options },
      { provide: WorkerMetrics, useValue: new WorkerMetrics() },
      { provide: REDIS, useFactory: () => new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 }) },
      { provide: ObjectStore, useFactory: () => objectStoreFromConfig(config) },
    ];
    return {
      module: WorkerInfraModule,
      imports: [PersistenceModule.forRoot({ url: config.DATABASE_URL, applicationName: 'caliper-worker' })],
      providers,
      exports: [CONFIG, LOGGER, WORKER_OPTIONS, WorkerMetrics, REDIS, ObjectStore],
    };
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
