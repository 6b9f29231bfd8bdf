/**
 * Errors a caller can act on: a stable code (GraphQL `extensions.code`, REST `code`) and a
 * message that says what was wrong. One filter turns them into either transport's shape.
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { GqlContextType } from '@nestjs/graphql';
import type { Response } from 'express';
import { GraphQLError } from 'graphql';
import { TrackingError } from '@caliper/domain';

export type AppErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'TOO_MANY_ATTEMPTS'
  | 'INVALID_CREDENTIALS'
  | 'INTERNAL'
  | 'PAYLOAD_TOO_LARGE'
  | 'IDEMPOTENCY_KEY_REUSED';

const STATUS: Record<AppErrorCode, number> = {
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
};

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details: { retryAfterSeconds?: number; field?: string } = {},
  ) {
    super(message);
  }
  get status(): number {
    return STATUS[this.code];
  }
}

export const unauthenticated = () =>
  new AppError('UNAUTHENTICATED', 'Sign in first: send the session cookie, a Bearer API token or Basic credentials.');
export const forbidden = (what: string) => new AppError('FORBIDDEN', `You do not have permission to ${what}.`);
export const badInput = (field: string, message: string) => new AppError('BAD_USER_INPUT', `${field}: ${message}`, { field });
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} was not found.`);

/** Maps AppError, Nest HTTP errors and unexpected errors to the transport at hand. */
@Catch()
export class AppErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('errors');

  catch(error: unknown, host: ArgumentsHost): unknown {
    const appError = toAppError(error);
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

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof TrackingError) {
    const code: Record<TrackingError['code'], AppErrorCode> = {
      NOT_FOUND: 'NOT_FOUND',
      INVALID_PARAMETER: 'BAD_USER_INPUT',
      PARAM_CHANGED: 'BAD_USER_INPUT',
      ALREADY_EXISTS: 'CONFLICT',
      INVALID_STATE: 'CONFLICT',
      FORBIDDEN: 'FORBIDDEN',
    };
    return new AppError(code[error.code], error.message);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code: AppErrorCode =
      status === 404
        ? 'NOT_FOUND'
        : status === 401
          ? 'UNAUTHENTICATED'
          : status === 403
            ? 'FORBIDDEN'
            : status < 500
              ? 'BAD_USER_INPUT'
              : 'INTERNAL';
    return new AppError(code, error.message);
  }
  return new AppError('INTERNAL', 'Internal error; it has been logged.');
}
