import { DomainErrorFilter, LOADERS_FOR } from '@caliper/server-kit';
import type { RequestWithPrincipal } from '@caliper/server-kit';
import type { RequestContext } from './graphql/context';
import { DomainError } from '@caliper/domain';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module, ValidationError, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { Config } from '@caliper/config';
import { API_FEATURES } from './features';
import { GRAPHQL_VALIDATION_RULES, ValueBudget } from './graphql/limits';
import { InfraModule, LoadersFor } from './infra.module';

/** Validation failures name the field and what is wrong with it. */
function validationError(errors: ValidationError[]): DomainError {
  const first = (e: ValidationError, path: string): { path: string; message: string } => {
    const here = path ? `${path}.${e.property}` : e.property;
    const [message] = Object.values(e.constraints ?? {});
    if (message !== undefined) return { path: here, message };
    const [child] = e.children ?? [];
    return child ? first(child, here) : { path: here, message: 'is invalid' };
  };
  const [failed] = errors;
  if (!failed) return new DomainError('BAD_USER_INPUT', 'The request is invalid.');
  const { path, message } = first(failed, '');
  const field = path.slice(path.lastIndexOf('.') + 1);
  return new DomainError('BAD_USER_INPUT', message.startsWith(field) ? message : `${path}: ${message}`, { field: path });
}

@Module({})
export class AppModule {
  static forConfig(config: Config): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfraModule.forConfig(config),
        ...API_FEATURES,
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
      providers: [
        { provide: APP_FILTER, useClass: DomainErrorFilter },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true, exceptionFactory: validationError }),
        },
      ],
    };
  }
}
