/** `/health/live`, `/health/ready` (PostgreSQL, Redis and S3 each) and `/metrics` for a NestJS app; needs CONFIG. */
import { DynamicModule, Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { HEALTH_OPTIONS, HealthOptions, HealthService } from './health.service';

@Module({})
export class HealthModule {
  static forRoot(options: HealthOptions): DynamicModule {
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [{ provide: HEALTH_OPTIONS, useValue: options }, HealthService],
      exports: [HealthService],
    };
  }
}
