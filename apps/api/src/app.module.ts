import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module, ValidationError, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE, Reflector } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import type { Config } from '@caliper/config';
import {
  AccountsRepository,
  ApiTokensRepository,
  AuditRepository,
  OutboxRepository,
  ProjectsRepository,
  TrackingRepository,
} from '@caliper/persistence';
import { AccessService } from './auth/access.service';
import { AuthController } from './auth/auth.controller';
import { AuthGuard, RequestContext } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { LoginThrottle } from './auth/login-throttle';
import type { RequestWithPrincipal } from './auth/principal';
import { AppError, AppErrorFilter } from './common/app-error';
import { REDIS } from './common/tokens';
import { GRAPHQL_VALIDATION_RULES, ValueBudget } from './graphql/limits';
import { RESOLVERS } from './graphql/resolvers';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';
import { ArtifactsModule } from './artifacts/artifacts.module';
import { CompareModule } from './compare/compare.module';
import { IngestModule } from './ingest/ingest.module';
import { InfraModule, LOADERS_FOR, LoadersFor } from './infra.module';
import { TrackingGraphqlModule } from './tracking/graphql/tracking-graphql.module';
import { MlflowModule } from './mlflow/mlflow.module';
import { RegistryModule } from './registry/registry.module';
import { TrackingModule } from './tracking/tracking.module';
import { TrackingService } from './tracking/tracking.service';
import { ProjectsService } from './projects/projects.service';
import { TokensService } from './tokens/tokens.service';
import { UsersService } from './users/users.service';
import { ViewsModule } from './views/views.module';

/** Validation failures name the field and what is wrong with it. */
function validationError(errors: ValidationError[]): AppError {
  const first = (e: ValidationError, path: string): { path: string; message: string } => {
    const here = path ? `${path}.${e.property}` : e.property;
    if (e.constraints) return { path: here, message: Object.values(e.constraints)[0] };
    return first(e.children![0], here);
  };
  const { path, message } = first(errors[0], '');
  return new AppError('BAD_USER_INPUT', message.startsWith(path.split('.').pop()!) ? message : `${path}: ${message}`, { field: path });
}

@Module({})
export class AppModule {
  static forConfig(config: Config): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfraModule.forConfig(config),
        TrackingModule,
        MlflowModule,
        RegistryModule,
        TrackingGraphqlModule,
        CompareModule,
        ViewsModule,
        IngestModule,
        ArtifactsModule,
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [LOADERS_FOR],
          useFactory: (loadersFor: LoadersFor) => ({
            autoSchemaFile: true,
            sortSchema: true,
            path: '/graphql',
            // The web app's types come from the committed schema.gql; production does not serve introspection.
            introspection: config.NODE_ENV !== 'production',
            validationRules: GRAPHQL_VALIDATION_RULES,
            playground: false,
            includeStacktraceInErrorResponses: false,
            context: ({ req }: { req: RequestWithPrincipal }): RequestContext => ({
              req,
              loaders: loadersFor(req),
              budget: new ValueBudget(),
            }),
          }),
        }),
      ],
      controllers: [HealthController, AuthController],
      providers: [
        { provide: HealthService, useFactory: () => new HealthService(config) },
        {
          provide: LoginThrottle,
          useFactory: (redis: Redis) =>
            new LoginThrottle(
              redis,
              { maxFailures: config.LOGIN_MAX_FAILURES, lockoutSeconds: config.LOGIN_LOCKOUT_SECONDS },
              config.REDIS_PREFIX,
            ),
          inject: [REDIS],
        },
        {
          provide: AuthService,
          useFactory: (
            ds: DataSource,
            a: AccountsRepository,
            t: ApiTokensRepository,
            au: AuditRepository,
            o: OutboxRepository,
            th: LoginThrottle,
          ) => new AuthService(ds, a, t, au, o, th, config),
          inject: [DataSource, AccountsRepository, ApiTokensRepository, AuditRepository, OutboxRepository, LoginThrottle],
        },
        { provide: AccessService, useFactory: (p: ProjectsRepository) => new AccessService(p), inject: [ProjectsRepository] },
        {
          provide: UsersService,
          useFactory: (ds: DataSource, a: AccountsRepository, au: AuditRepository) => new UsersService(ds, a, au),
          inject: [DataSource, AccountsRepository, AuditRepository],
        },
        {
          provide: ProjectsService,
          useFactory: (ds: DataSource, p: ProjectsRepository, a: AccountsRepository, au: AuditRepository, t: TrackingService) =>
            new ProjectsService(ds, p, a, au, t),
          inject: [DataSource, ProjectsRepository, AccountsRepository, AuditRepository, TrackingService],
        },
        {
          provide: TokensService,
          useFactory: (
            ds: DataSource,
            t: ApiTokensRepository,
            a: AccountsRepository,
            p: ProjectsRepository,
            ac: AccessService,
            au: AuditRepository,
            tr: TrackingRepository,
          ) => new TokensService(ds, t, a, p, ac, au, tr),
          inject: [
            DataSource,
            ApiTokensRepository,
            AccountsRepository,
            ProjectsRepository,
            AccessService,
            AuditRepository,
            TrackingRepository,
          ],
        },
        {
          provide: APP_GUARD,
          useFactory: (r: Reflector, auth: AuthService, access: AccessService, loadersFor: LoadersFor) =>
            new AuthGuard(r, auth, access, loadersFor),
          inject: [Reflector, AuthService, AccessService, LOADERS_FOR],
        },
        { provide: APP_FILTER, useClass: AppErrorFilter },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true, exceptionFactory: validationError }),
        },
        ...RESOLVERS,
      ],
    };
  }
}
