import { toApiError } from '@caliper/server-kit';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import { badInput, DOMAIN_ERROR_CODES, DomainError, TrackingError } from '@caliper/domain';
import { toMlflowError } from '../../mlflow/mlflow-error.filter';

describe('one domain error, mapped by each transport', () => {
  it('GraphQL/REST: every domain code has a code and status, tracking codes folded as before', () => {
    const seen = DOMAIN_ERROR_CODES.map((c) => {
      const e = toApiError(new DomainError(c, 'm'));
      return `${c}→${e.code} ${e.status}`;
    });
    expect(seen).toEqual([
      'UNAUTHENTICATED→UNAUTHENTICATED 401',
      'INVALID_CREDENTIALS→INVALID_CREDENTIALS 401',
      'FORBIDDEN→FORBIDDEN 403',
      'BAD_USER_INPUT→BAD_USER_INPUT 400',
      'NOT_FOUND→NOT_FOUND 404',
      'CONFLICT→CONFLICT 409',
      'TOO_MANY_ATTEMPTS→TOO_MANY_ATTEMPTS 429',
      'PAYLOAD_TOO_LARGE→PAYLOAD_TOO_LARGE 413',
      'IDEMPOTENCY_KEY_REUSED→IDEMPOTENCY_KEY_REUSED 422',
      'INTERNAL→INTERNAL 500',
      'UNAVAILABLE→UNAVAILABLE 503',
      'INVALID_PARAMETER→BAD_USER_INPUT 400',
      'ALREADY_EXISTS→CONFLICT 409',
      'INVALID_STATE→CONFLICT 409',
      'PARAM_CHANGED→BAD_USER_INPUT 400',
    ]);
  });

  it('MLflow: every domain code has MLflow error_code and status', () => {
    const seen = DOMAIN_ERROR_CODES.map((c) => {
      const e = toMlflowError(new DomainError(c, 'm'));
      return `${c}→${e.errorCode} ${e.status}`;
    });
    expect(seen).toEqual([
      'UNAUTHENTICATED→UNAUTHENTICATED 401',
      'INVALID_CREDENTIALS→UNAUTHENTICATED 401',
      'FORBIDDEN→PERMISSION_DENIED 403',
      'BAD_USER_INPUT→INVALID_PARAMETER_VALUE 400',
      'NOT_FOUND→RESOURCE_DOES_NOT_EXIST 404',
      'CONFLICT→RESOURCE_ALREADY_EXISTS 400',
      'TOO_MANY_ATTEMPTS→REQUEST_LIMIT_EXCEEDED 429',
      'PAYLOAD_TOO_LARGE→INVALID_PARAMETER_VALUE 413',
      'IDEMPOTENCY_KEY_REUSED→INVALID_PARAMETER_VALUE 400',
      'INTERNAL→INTERNAL_ERROR 500',
      'UNAVAILABLE→TEMPORARILY_UNAVAILABLE 503',
      'INVALID_PARAMETER→INVALID_PARAMETER_VALUE 400',
      'ALREADY_EXISTS→RESOURCE_ALREADY_EXISTS 400',
      'INVALID_STATE→INVALID_STATE 400',
      'PARAM_CHANGED→INVALID_PARAMETER_VALUE 400',
    ]);
  });

  it('keeps the message and the field; a TrackingError is a DomainError', () => {
    const e = toApiError(badInput('name', 'is empty'));
    expect(e).toEqual({ code: 'BAD_USER_INPUT', status: 400, message: 'name: is empty', details: { field: 'name' } });
    const t = new TrackingError('NOT_FOUND', 'Run x not found');
    expect(t).toBeInstanceOf(DomainError);
    expect(toApiError(t)).toMatchObject({ code: 'NOT_FOUND', status: 404, message: 'Run x not found' });
  });

  it('maps framework HTTP errors and hides unexpected ones', () => {
    expect(toApiError(new NotFoundException('no route'))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(toApiError(new BadRequestException('bad json'))).toMatchObject({ code: 'BAD_USER_INPUT', status: 400 });
    expect(toApiError(new Error('secret detail'))).toEqual({
      code: 'INTERNAL',
      status: 500,
      message: 'Internal error; it has been logged.',
      details: {},
    });
    expect(toMlflowError(new NotFoundException('x'))).toMatchObject({ errorCode: 'ENDPOINT_NOT_FOUND', status: 404 });
  });
});
