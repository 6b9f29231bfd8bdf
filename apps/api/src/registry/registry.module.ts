/**
 * Model registry core: registered models and model versions, the services every transport
 * (MLflow, native REST, GraphQL, promotions) goes through, the MLflow registry endpoints and the
 * GraphQL queries and registration over them, and each version's model card (GraphQL, Markdown and PDF).
 */
import { Module } from '@nestjs/common';
import { MlflowRegistryController } from '../mlflow/mlflow-registry.controller';
import { AliasResolver } from './graphql/alias.resolver';
import {
  ModelPromotionFieldsResolver,
  PromotionLoaders,
  PromotionResolver,
  PromotionViews,
  VersionPromotionFieldsResolver,
} from './graphql/promotion.resolver';
import { ModelCardResolver } from './graphql/model-card.resolver';
import { RegistryLoaders } from './graphql/registry.loaders';
import { ModelVersionFieldsResolver, RegisteredModelFieldsResolver, RegistryResolver } from './graphql/registry.resolver';
import { MlflowRegistryApi } from './mlflow-registry.api';
import { ModelCardsController } from './model-cards.controller';
import { ModelCardsService } from './model-cards.service';
import { ModelVersionFilesController } from './model-version-files.controller';
import { ModelVersionsService } from './model-versions.service';
import { PromotionService } from './promotion.service';
import { ProvenanceController } from './provenance.controller';
import { ProvenanceService } from './provenance.service';
import { RegisteredModelsService } from './registered-models.service';
import { RegistryReads } from './registry-reads';

@Module({
  controllers: [MlflowRegistryController, ModelCardsController, ProvenanceController, ModelVersionFilesController],
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
    PromotionService,
    AliasResolver,
    ProvenanceService,
    PromotionLoaders,
    PromotionViews,
    PromotionResolver,
    ModelPromotionFieldsResolver,
    VersionPromotionFieldsResolver,
  ],
  exports: [RegisteredModelsService, ModelVersionsService],
})
export class RegistryModule {}
