/**
 * The API's features, each a module that owns its wiring (services, resolvers, controllers).
 * Adding a feature adds its folder and one line here; the server (app.module.ts) and the schema
 * emitter (graphql/schema-sdl.ts) both read this list.
 */
import { ArtifactsModule } from './artifacts/artifacts.module';
import { AuditModule } from './audit/audit.module';
import { HealthModule } from '@caliper/server-kit';
import { AuthModule } from './auth/auth.module';
import { CompareModule } from './compare/compare.module';
import { DatasetsModule } from './datasets/datasets.module';
import { IngestModule } from './ingest/ingest.module';
import { MlflowModule } from './mlflow/mlflow.module';
import { ProjectsModule } from './projects/projects.module';
import { RegistryModule } from './registry/registry.module';
import { TokensModule } from './tokens/tokens.module';
import { RunTemplatesModule } from './training/run-templates.module';
import { TrackingGraphqlModule } from './tracking/graphql/tracking-graphql.module';
import { TrackingModule } from './tracking/tracking.module';
import { UsersModule } from './users/users.module';
import { ViewsModule } from './views/views.module';
import { WebhooksModule } from './webhooks/webhooks.module';

export const API_FEATURES = [
  HealthModule.forRoot({ service: 'api', bucket: (config) => config.S3_BUCKET_AUDIT }),
  AuthModule,
  UsersModule,
  ProjectsModule,
  TokensModule,
  AuditModule,
  TrackingModule,
  TrackingGraphqlModule,
  MlflowModule,
  IngestModule,
  ArtifactsModule,
  RegistryModule,
  CompareModule,
  ViewsModule,
  DatasetsModule,
  WebhooksModule,
  RunTemplatesModule,
];
