/** Shared infrastructure for every module: config, the one DataSource, repositories, Redis, object store. */
import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import type { Config } from '@caliper/config';
import {
  AccountsRepository,
  ApiTokensRepository,
  AuditRepository,
  createDataSource,
  MetricsRepository,
  OutboxRepository,
  ProjectsRepository,
  TrackingRepository,
} from '@caliper/persistence';
import { AuditCheckpointStore, objectStoreFromConfig } from '@caliper/storage';
import type { RequestWithPrincipal } from './auth/principal';
import { CHECKPOINT_READER, CONFIG, REDIS } from './common/tokens';
import { createLoaders, Loaders } from './graphql/loaders';

export type LoadersFor = (req: RequestWithPrincipal) => Loaders;
export const LOADERS_FOR = 'CALIPER_LOADERS_FOR';

const repo = <T>(cls: new (ds: DataSource) => T) => ({ provide: cls, useFactory: (ds: DataSource) => new cls(ds), inject: [DataSource] });

@Global()
@Module({})
export class InfraModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly ds: DataSource,
  ) {}

  static forConfig(config: Config): DynamicModule {
    const providers = [
      { provide: CONFIG, useValue: config },
      {
        provide: DataSource,
        useFactory: async () =>
          createDataSource(config.DATABASE_URL, {
            applicationName: 'caliper-api',
            statementTimeoutMs: config.API_STATEMENT_TIMEOUT_SECONDS * 1000,
          }).initialize(),
      },
      { provide: REDIS, useFactory: () => new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 }) },
      { provide: CHECKPOINT_READER, useFactory: () => new AuditCheckpointStore(objectStoreFromConfig(config), config.S3_BUCKET_AUDIT) },
      repo(AccountsRepository),
      repo(ProjectsRepository),
      repo(ApiTokensRepository),
      repo(AuditRepository),
      repo(OutboxRepository),
      repo(TrackingRepository),
      repo(MetricsRepository),
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
    return { module: InfraModule, providers, exports: providers.map((p) => p.provide) };
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}
