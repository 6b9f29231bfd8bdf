/**
 * The one place every repository is built: a global module over one DataSource. Features inject
 * repositories by class and never construct them; the api and the worker import it once.
 */
import { DynamicModule, Global, Inject, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  AccountsRepository,
  ApiTokensRepository,
  ArtifactsRepository,
  AuditRepository,
  createDataSource,
  IdempotencyRepository,
  MetricsRepository,
  OutboxRepository,
  ProjectsRepository,
  PromotionRepository,
  RegistryRepository,
  registerEntities,
  RunExecutionsRepository,
  RunSearchRepository,
  RunSweepsRepository,
  RunTemplatesRepository,
  SavedViewsRepository,
  TrackingRepository,
  UploadsRepository,
  WebhooksRepository,
} from '@caliper/persistence';

/** Repositories over the shared DataSource. A new repository is added here and nowhere else. */
export const REPOSITORIES = [
  AccountsRepository,
  ApiTokensRepository,
  ArtifactsRepository,
  AuditRepository,
  MetricsRepository,
  OutboxRepository,
  ProjectsRepository,
  PromotionRepository,
  RegistryRepository,
  RunExecutionsRepository,
  RunSearchRepository,
  RunSweepsRepository,
  RunTemplatesRepository,
  SavedViewsRepository,
  TrackingRepository,
  UploadsRepository,
  WebhooksRepository,
] as const;

export interface PersistenceOptions {
  url: string;
  /** PostgreSQL application_name: which process a connection belongs to in pg_stat_activity. */
  applicationName: string;
  /** The pool's statement_timeout default, in milliseconds (none when absent). */
  statementTimeoutMs?: number;
}

const PERSISTENCE_OPTIONS = 'CALIPER_PERSISTENCE_OPTIONS';

@Global()
@Module({})
export class PersistenceModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  static forRoot(options: PersistenceOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: PERSISTENCE_OPTIONS, useValue: options },
      {
        provide: DataSource,
        useFactory: () =>
          createDataSource(options.url, {
            applicationName: options.applicationName,
            statementTimeoutMs: options.statementTimeoutMs,
          }).initialize(),
      },
      ...REPOSITORIES.map((cls) => ({ provide: cls, useFactory: (ds: DataSource) => new cls(ds), inject: [DataSource] })),
      // Stateless: its statements run on the caller's transaction manager.
      { provide: IdempotencyRepository, useValue: new IdempotencyRepository() },
    ];
    return { module: PersistenceModule, providers, exports: [DataSource, ...REPOSITORIES, IdempotencyRepository] };
  }

  /**
   * A feature's own tables: its entity classes (kept in the feature's folder; registered with every
   * DataSource built after this call, which happens when the feature's module is defined, before the
   * app starts) and its repositories (classes built over the DataSource), provided in the feature's
   * module only. A feature with new tables declares them here, not in the core's lists.
   */
  static forFeature(feature: {
    entities?: Parameters<typeof registerEntities>[0];
    repositories?: readonly (new (ds: DataSource) => unknown)[];
  }): DynamicModule {
    registerEntities(feature.entities ?? []);
    const repositories = feature.repositories ?? [];
    const providers = repositories.map((cls) => ({ provide: cls, useFactory: (ds: DataSource) => new cls(ds), inject: [DataSource] }));
    return { module: PersistenceFeatureModule, providers, exports: repositories as unknown as Provider[] };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}

/** The module PersistenceModule.forFeature returns: not global, so a feature's repositories stay its own. */
@Module({})
export class PersistenceFeatureModule {}
