/**
 * Model registry core: the RegistryService every transport (MLflow, native REST, GraphQL,
 * promotions) goes through, and the MLflow registry endpoints over it.
 */
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRepository, RegistryRepository, TrackingRepository } from '@caliper/persistence';
import { MlflowRegistryController } from '../mlflow/mlflow-registry.controller';
import { MlflowRegistryApi } from './mlflow-registry.api';
import { RegistryService } from './registry.service';

@Module({
  controllers: [MlflowRegistryController],
  providers: [
    { provide: RegistryRepository, useFactory: (ds: DataSource) => new RegistryRepository(ds), inject: [DataSource] },
    {
      provide: RegistryService,
      useFactory: (ds: DataSource, r: RegistryRepository, t: TrackingRepository, a: AuditRepository) => new RegistryService(ds, r, t, a),
      inject: [DataSource, RegistryRepository, TrackingRepository, AuditRepository],
    },
    { provide: MlflowRegistryApi, useFactory: (s: RegistryService) => new MlflowRegistryApi(s), inject: [RegistryService] },
  ],
  exports: [RegistryService, RegistryRepository],
})
export class RegistryModule {}
