/**
 * Model registry core: registered models and model versions, the services every transport
 * (MLflow, native REST, GraphQL, promotions) goes through, the MLflow registry endpoints and the
 * GraphQL queries and registration over them.
 */
import { Module } from '@nestjs/common';
import { MlflowRegistryController } from '../mlflow/mlflow-registry.controller';
import { RegistryLoaders } from './graphql/registry.loaders';
import { ModelVersionFieldsResolver, RegisteredModelFieldsResolver, RegistryResolver } from './graphql/registry.resolver';
import { MlflowRegistryApi } from './mlflow-registry.api';
import { ModelVersionsService } from './model-versions.service';
import { RegisteredModelsService } from './registered-models.service';
import { RegistryReads } from './registry-reads';

@Module({
  controllers: [MlflowRegistryController],
  providers: [
    RegistryReads,
    RegisteredModelsService,
    ModelVersionsService,
    MlflowRegistryApi,
    RegistryLoaders,
    RegistryResolver,
    RegisteredModelFieldsResolver,
    ModelVersionFieldsResolver,
  ],
  exports: [RegisteredModelsService, ModelVersionsService],
})
export class RegistryModule {}
