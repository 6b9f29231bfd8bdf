/**
 * Model registry core: the RegistryService every transport (MLflow, native REST, GraphQL,
 * promotions) goes through, and the MLflow registry endpoints over it.
 */
import { Module } from '@nestjs/common';
import { MlflowRegistryController } from '../mlflow/mlflow-registry.controller';
import { MlflowRegistryApi } from './mlflow-registry.api';
import { RegistryService } from './registry.service';

@Module({
  controllers: [MlflowRegistryController],
  providers: [RegistryService, MlflowRegistryApi],
  exports: [RegistryService],
})
export class RegistryModule {}
