/**
 * MLflow's error wire format for /api/2.0/mlflow*: `{error_code, message}` with MLflow's codes
 * and HTTP statuses, so the stock client raises the exceptions it would raise against MLflow.
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, DomainErrorCode } from '@caliper/domain';

export type MlflowErrorCode =
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'INVALID_PARAMETER_VALUE'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'INVALID_STATE'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'REQUEST_LIMIT_EXCEEDED'
  | 'BAD_REQUEST'
  | 'INTERNAL_ERROR'
  | 'TEMPORARILY_UNAVAILABLE'
  | 'ENDPOINT_NOT_FOUND';

export class MlflowError extends Error {
  constructor(
    readonly errorCode: MlflowErrorCode,
    message: string,
    readonly status: number = statusOf(errorCode),
  ) {
    super(message);
  }
}

function statusOf(code: MlflowErrorCode): number {
  switch (code) {
    case 'RESOURCE_DOES_NOT_EXIST':
    case 'ENDPOINT_NOT_FOUND':
      return 404;
    case 'PERMISSION_DENIED':
      return 403;
    case 'UNAUTHENTICATED':
      return 401;
    case 'REQUEST_LIMIT_EXCEEDED':
      return 429;
    case 'INTERNAL_ERROR':
      return 500;
    case 'TEMPORARILY_UNAVAILABLE':
      return 503;
    default:
      return 400;
  }
}

/** Each domain code as MLflow's wire says it. */
const MLFLOW_CODE: Record<DomainErrorCode, MlflowErrorCode> = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  INVALID_CREDENTIALS: 'UNAUTHENTICATED',
  FORBIDDEN: 'PERMISSION_DENIED',
  BAD_USER_INPUT: 'INVALID_PARAMETER_VALUE',
  NOT_FOUND: 'RESOURCE_DOES_NOT_EXIST',
  CONFLICT: 'RESOURCE_ALREADY_EXISTS',
  TOO_MANY_ATTEMPTS: 'REQUEST_LIMIT_EXCEEDED',
  INTERNAL: 'INTERNAL_ERROR',
  UNAVAILABLE: 'TEMPORARILY_UNAVAILABLE',
  PAYLOAD_TOO_LARGE: 'INVALID_PARAMETER_VALUE',
  IDEMPOTENCY_KEY_REUSED: 'INVALID_PARAMETER_VALUE',
  INVALID_PARAMETER: 'INVALID_PARAMETER_VALUE',
  PARAM_CHANGED: 'INVALID_PARAMETER_VALUE',
  ALREADY_EXISTS: 'RESOURCE_ALREADY_EXISTS',
  INVALID_STATE: 'INVALID_STATE',
};

export function toMlflowError(error: unknown): MlflowError {
  if (error instanceof MlflowError) return error;
  if (error instanceof DomainError) {
    return new MlflowError(MLFLOW_CODE[error.code], error.message, error.code === 'PAYLOAD_TOO_LARGE' ? 413 : undefined);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return new MlflowError(
      status === 404 ? 'ENDPOINT_NOT_FOUND' : status === 413 ? 'INVALID_PARAMETER_VALUE' : status < 500 ? 'BAD_REQUEST' : 'INTERNAL_ERROR',
      error.message,
      status,
    );
  }
  return new MlflowError('INTERNAL_ERROR', 'Internal error; it has been logged.');
}

@Catch()
export class MlflowErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('mlflow');

  catch(error: unknown, host: ArgumentsHost): void {
    const e = toMlflowError(error);
    if (e.errorCode === 'INTERNAL_ERROR') this.log.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    const res = host.switchToHttp().getResponse<Response>();
    res.status(e.status).json({ error_code: e.errorCode, message: e.message });
  }
}

/**
 * For the tracking endpoints: MLflow's tracking store reports writes to a deleted run or
 * experiment (TrackingService's INVALID_STATE) as INVALID_PARAMETER_VALUE; everything else as
 * MlflowErrorFilter maps it.
 */
@Catch()
export class MlflowTrackingErrorFilter extends MlflowErrorFilter {
  override catch(error: unknown, host: ArgumentsHost): void {
    super.catch(
      error instanceof DomainError && error.code === 'INVALID_STATE' ? new MlflowError('INVALID_PARAMETER_VALUE', error.message) : error,
      host,
    );
  }
}
