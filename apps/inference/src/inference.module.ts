/** The clinical inference service; this first slice boots with health, readiness and metrics. */
import { DynamicModule, Module, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import type { Config } from '@caliper/config';
import { createDataSource } from '@caliper/persistence';
import { ObjectStore, objectStoreFromConfig } from '@caliper/storage';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';

@Module({})
export class InferenceModule implements OnApplicationShutdown {
  constructor(private readonly moduleRef: ModuleRef) {}

  static forConfig(config: Config): DynamicModule {
    return {
      module: InferenceModule,
      controllers: [HealthController],
      providers: [
        {
          provide: DataSource,
          useFactory: async () => createDataSource(config.DATABASE_URL, { applicationName: 'caliper-inference' }).initialize(),
        },
        { provide: ObjectStore, useFactory: () => objectStoreFromConfig(config) },
        {
          provide: HealthService,
          useFactory: (ds: DataSource, store: ObjectStore) => new HealthService(ds, store, config),
          inject: [DataSource, ObjectStore],
        },
      ],
    };
  }

  async onApplicationShutdown() {
    await this.moduleRef.get(DataSource).destroy();
  }
}
