import { DynamicModule, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Config } from '@caliper/config';
import { createDataSource } from '@caliper/persistence';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';

export const CONFIG = 'CALIPER_CONFIG';

@Module({})
export class AppModule {
  static forConfig(config: Config): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController],
      providers: [
        { provide: CONFIG, useValue: config },
        {
          provide: DataSource,
          useFactory: async () => createDataSource(config.DATABASE_URL, { applicationName: 'caliper-api' }).initialize(),
        },
        { provide: HealthService, useFactory: (ds: DataSource) => new HealthService(ds, config), inject: [DataSource] },
      ],
    };
  }
}
