/** Shared infrastructure for every module: config, the one DataSource and its repositories, Redis, the audit checkpoint store, DataLoaders. */
import { CONFIG, LOADERS_FOR, PersistenceModule, REDIS } from '@caliper/server-kit';
import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import Redis from 'ioredis';
import type { Config } from '@caliper/config';
import { AuditCheckpointStore, objectStoreFromConfig } from '@caliper/storage';
import { CHECKPOINT_READER } from './common/tokens';
import { LoadersFor, LoadersRegistry } from './graphql/loaders';

export type { LoadersFor };
export { LOADERS_FOR };

@Global()
@Module({})
export class InfraModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  static forConfig(config: Config): DynamicModule {
    const providers = [
      { provide: CONFIG, useValue: config },
      { provide: REDIS, useFactory: () => new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 }) },
      { provide: CHECKPOINT_READER, useFactory: () => new AuditCheckpointStore(objectStoreFromConfig(config), config.S3_BUCKET_AUDIT) },
      LoadersRegistry,
      { provide: LOADERS_FOR, useFactory: (registry: LoadersRegistry): LoadersFor => registry.loadersFor, inject: [LoadersRegistry] },
    ];
    return {
      module: InfraModule,
      imports: [
        DiscoveryModule,
        PersistenceModule.forRoot({
          url: config.DATABASE_URL,
          applicationName: 'caliper-api',
          statementTimeoutMs: config.API_STATEMENT_TIMEOUT_SECONDS * 1000,
        }),
      ],
      providers,
      exports: providers.map((p) => ('provide' in p ? p.provide : p)),
    };
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
