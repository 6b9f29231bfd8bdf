/**
 * Authentication before the body is read, so that how much of a body the API will read can depend
 * on who is sending it (ingest/body-limits.ts): an anonymous caller's body is small by nature
 * (a sign-in), and an unknown one must not make the server parse megabytes before answering 401.
 * A failure is kept on the request and raised by the guard, in the error shape of the route, and
 * counted once (a wrong Basic password counts as one failed sign-in, not two).
 */
import { Grants, type RequestWithAuthFailure } from '@caliper/server-kit';
import type { AuthService } from '@caliper/server-kit';
import type { NextFunction, Request, Response } from 'express';

/** Where credentials matter: the APIs (the web app's static files and health need none). */
export const isApiPath = (p: string) => p.startsWith('/api/') || p.startsWith('/ajax-api/') || p === '/graphql';

export function authenticateEarly(auth: AuthService) {
  return (req: Request & RequestWithAuthFailure, _res: Response, next: NextFunction): void => {
    if (!isApiPath(req.path)) return next();
    auth.authenticate(req).then(
      (principal) => {
        if (principal) req.principal = { ...principal, grants: new Grants() };
        next();
      },
      (error: unknown) => {
        req.authFailure = error;
        next();
      },
    );
  };
}
