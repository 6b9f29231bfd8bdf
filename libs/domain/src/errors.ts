/**
 * The one error services and domain rules throw: a typed code and a message that says what was
 * wrong and what to do. Transports map codes to their own shape (GraphQL `extensions.code`, REST
 * status and `code`, MLflow `error_code`) in their filters; no service throws a transport error.
 */

/** Codes every transport knows. */
export const DOMAIN_ERROR_CODES = [
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'TOO_MANY_ATTEMPTS',
  'PAYLOAD_TOO_LARGE',
  'IDEMPOTENCY_KEY_REUSED',
  'INTERNAL',
  /** A service Caliper depends on (the PACS, ...) did not answer: retry later. */
  'UNAVAILABLE',
  // Tracking and registry rules (TrackingError): MLflow distinguishes them on its wire.
  'INVALID_PARAMETER',
  'ALREADY_EXISTS',
  'INVALID_STATE',
  'PARAM_CHANGED',
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export interface DomainErrorDetails {
  /** Seconds until the caller may try again (TOO_MANY_ATTEMPTS). */
  retryAfterSeconds?: number;
  /** The input field at fault, as the caller named it. */
  field?: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: DomainErrorDetails = {},
  ) {
    super(message);
  }
}

export const unauthenticated = () =>
  new DomainError('UNAUTHENTICATED', 'Sign in first: send the session cookie, a Bearer API token or Basic credentials.');
export const forbidden = (what: string) => new DomainError('FORBIDDEN', `You do not have permission to ${what}.`);
export const badInput = (field: string, message: string) => new DomainError('BAD_USER_INPUT', `${field}: ${message}`, { field });
export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} was not found.`);
