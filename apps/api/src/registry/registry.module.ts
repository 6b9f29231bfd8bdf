/**
 * Model registry core: registered models and model versions, the services every transport
 * (MLflow, native REST, GraphQL, promotions) goes through, and the MLflow registry endpoints over them.
 */
import { Module } from '@nestjs/common';
import { MlflowRegistryController } from '../mlflow/mlflow-registry.controller';
import { MlflowRegistryApi } from './mlflow-registry.api';
import { ModelVersionsService } from './model-versions.service';
import { RegisteredModelsService } from './registered-models.service';
import { RegistryReads } from './registry-reads';

@Module({
  controllers: [MlflowRegistryController],
  providers: [RegistryReads, RegisteredModelsService, ModelVersionsService, MlflowRegistryApi],
  exports: [RegisteredModelsService, ModelVersionsService],
})
export class RegistryModule {}
