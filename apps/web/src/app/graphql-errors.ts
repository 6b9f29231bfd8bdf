/**
 * Turns an Apollo error into what a user can act on: the server's message (it is written for
 * users) and, by error code, what to do next.
 */
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';

export interface UserFacingError {
  code: string;
  message: string;
  hint: string | null;
}

const HINTS: Record<string, string> & { NETWORK: string } = {
  FORBIDDEN: 'Your roles do not allow this. Ask a PI of the project or a system admin for access.',
  NOT_FOUND: 'It may have been renamed or removed, or you may not have access to it.',
  BAD_USER_INPUT: 'Correct the highlighted values and try again.',
  CONFLICT: 'Something with the same name already exists, or it changed since you loaded the page. Reload and try again.',
  UNAUTHENTICATED: 'Your session has ended. Sign in again.',
  NETWORK: 'Caliper could not be reached. Check your connection and try again; if it persists, tell your administrator.',
};

/**
 * Hints for one code on one input field (the server names it in `extensions.field`), where the
 * general hint would mislead: a user is never renamed, since usernames cannot change (the admin
 * page says so when it creates one), so an unknown username is misspelt or has no account.
 */
const FIELD_HINTS: Record<string, string> = {
  'NOT_FOUND:username': 'Usernames never change: check the spelling, or ask a system admin to create the account.',
};

export function describeError(error: unknown): UserFacingError {
  const first = CombinedGraphQLErrors.is(error) ? error.errors[0] : undefined;
  if (first) {
    const code = typeof first.extensions?.code === 'string' ? first.extensions.code : 'ERROR';
    const field = typeof first.extensions?.field === 'string' ? first.extensions.field : null;
    return { code, message: first.message, hint: (field !== null ? FIELD_HINTS[`${code}:${field}`] : undefined) ?? HINTS[code] ?? null };
  }
  if (ServerError.is(error)) {
    return { code: `HTTP_${error.statusCode}`, message: `The server answered with status ${error.statusCode}.`, hint: HINTS.NETWORK };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'NETWORK', message, hint: HINTS.NETWORK };
}

export function errorCode(error: unknown): string | null {
  if (CombinedGraphQLErrors.is(error)) {
    const code = error.errors[0]?.extensions?.code;
    return typeof code === 'string' ? code : null;
  }
  return null;
}
