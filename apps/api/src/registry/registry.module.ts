/**
 * Model registry core: registered models and model versions, the services every transport
 * (MLflow, native REST, GraphQL, promotions) goes through, the MLflow registry endpoints and the
 * GraphQL queries and registration over them, and each version's model card (GraphQL, Markdown and PDF).
 */
import { Module } from '@nestjs/common';
import { PromotionRepository } from '@caliper/persistence';
import { PersistenceModule } from '@caliper/server-kit';
import { MlflowRegistryController } from '../mlflow/mlflow-registry.controller';
import { ModelCardResolver } from './graphql/model-card.resolver';
import { RegistryLoaders } from './graphql/registry.loaders';
import { ModelVersionFieldsResolver, RegisteredModelFieldsResolver, RegistryResolver } from './graphql/registry.resolver';
import { MlflowRegistryApi } from './mlflow-registry.api';
import { ModelCardsController } from './model-cards.controller';
import { ModelCardsService } from './model-cards.service';
import { ModelVersionsService } from './model-versions.service';
import { RegisteredModelsService } from './registered-models.service';
import { RegistryReads } from './registry-reads';

@Module({
  imports: [PersistenceModule.forFeature({ repositories: [PromotionRepository] })],
  controllers: [MlflowRegistryController, ModelCardsController],
  providers: [
    RegistryReads,
    RegisteredModelsService,
    ModelVersionsService,
    MlflowRegistryApi,
    RegistryLoaders,
    RegistryResolver,
    RegisteredModelFieldsResolver,
    ModelVersionFieldsResolver,
    ModelCardsService,
    ModelCardResolver,
  ],
  exports: [RegisteredModelsService, ModelVersionsService],
})
export class RegistryModule {}
