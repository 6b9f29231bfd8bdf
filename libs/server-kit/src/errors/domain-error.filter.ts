/**
 * Errors a caller can act on: a stable code (GraphQL `extensions.code`, REST `code`) and a
 * message that says what was wrong. One filter turns them into either transport's shape.
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { GqlContextType } from '@nestjs/graphql';
import type { Response } from 'express';
import { GraphQLError } from 'graphql';
import { DomainError, DomainErrorCode, DomainErrorDetails } from '@caliper/domain';

/** The code and status a GraphQL or REST caller sees for each domain code. */
export type ApiErrorCode = Exclude<DomainErrorCode, 'INVALID_PARAMETER' | 'ALREADY_EXISTS' | 'INVALID_STATE' | 'PARAM_CHANGED'>;
const API_CODE: Record<DomainErrorCode, ApiErrorCode> = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  TOO_MANY_ATTEMPTS: 'TOO_MANY_ATTEMPTS',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  INTERNAL: 'INTERNAL',
  UNAVAILABLE: 'UNAVAILABLE',
  INVALID_PARAMETER: 'BAD_USER_INPUT',
  PARAM_CHANGED: 'BAD_USER_INPUT',
  ALREADY_EXISTS: 'CONFLICT',
  INVALID_STATE: 'CONFLICT',
};
const STATUS: Record<ApiErrorCode, number> = {
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_MANY_ATTEMPTS: 429,
  PAYLOAD_TOO_LARGE: 413,
  IDEMPOTENCY_KEY_REUSED: 422,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

/** A domain error as GraphQL and REST callers see it. */
export interface ApiError {
  code: ApiErrorCode;
  status: number;
  message: string;
  details: DomainErrorDetails;
}

/** Maps DomainError, Nest HTTP errors and unexpected errors to the transport at hand. */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('errors');

  catch(error: unknown, host: ArgumentsHost): unknown {
    const appError = toApiError(error);
    if (appError.code === 'INTERNAL') this.log.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    if (host.getType<GqlContextType>() === 'graphql') {
      return new GraphQLError(appError.message, {
        extensions: { code: appError.code, ...(appError.details.field ? { field: appError.details.field } : {}) },
      });
    }
    const res = host.switchToHttp().getResponse<Response>();
    if (appError.details.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(appError.details.retryAfterSeconds));
    res.status(appError.status).json({ code: appError.code, message: appError.message });
    return undefined;
  }
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof DomainError) {
    const code = API_CODE[error.code];
    return { code, status: STATUS[code], message: error.message, details: error.details };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code: ApiErrorCode =
      status === 404
        ? 'NOT_FOUND'
        : status === 401
          ? 'UNAUTHENTICATED'
          : status === 403
            ? 'FORBIDDEN'
            : status < 500
              ? 'BAD_USER_INPUT'
              : 'INTERNAL';
    return { code, status: STATUS[code], message: error.message, details: {} };
  }
  return { code: 'INTERNAL', status: 500, message: 'Internal error; it has been logged.', details: {} };
}
