/** Shared infrastructure for every module: config, the one DataSource and its repositories, Redis, the audit checkpoint store, DataLoaders. */
import { CONFIG, LOADERS_FOR, REDIS } from '@caliper/server-kit';
import type { RequestWithPrincipal } from '@caliper/server-kit';
import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import type { Config } from '@caliper/config';
import { AccountsRepository, ApiTokensRepository, ProjectsRepository, TrackingRepository } from '@caliper/persistence';
import { PersistenceModule } from '@caliper/server-kit';
import { AuditCheckpointStore, objectStoreFromConfig } from '@caliper/storage';
import { CHECKPOINT_READER } from './common/tokens';
import { createLoaders, Loaders } from './graphql/loaders';

export type LoadersFor = (req: RequestWithPrincipal) => Loaders;
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
      {
        provide: LOADERS_FOR,
        useFactory: (
          accounts: AccountsRepository,
          projects: ProjectsRepository,
          tokens: ApiTokensRepository,
          tracking: TrackingRepository,
        ): LoadersFor => {
          // One set per request: what the guard loaded (the run, the caller's roles) the handler reads from the same cache.
          const byRequest = new WeakMap<object, Loaders>();
          return (req) => {
            let loaders = byRequest.get(req);
            if (!loaders)
              byRequest.set(req, (loaders = createLoaders(accounts, projects, tokens, tracking, () => req.principal?.user.id ?? null)));
            return loaders;
          };
        },
        inject: [AccountsRepository, ProjectsRepository, ApiTokensRepository, TrackingRepository],
      },
    ];
    return {
      module: InfraModule,
      imports: [
        PersistenceModule.forRoot({
          url: config.DATABASE_URL,
          applicationName: 'caliper-api',
          statementTimeoutMs: config.API_STATEMENT_TIMEOUT_SECONDS * 1000,
        }),
      ],
      providers,
      exports: providers.map((p) => p.provide),
    };
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
