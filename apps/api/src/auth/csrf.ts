/**
 * Cross-site request forgery guard for what the browser authenticates by itself: the session
 * cookie. A write (any method but GET, HEAD, OPTIONS) to the APIs that carries the cookie and no
 * Authorization header is refused
 *  - with 403 when its Origin, or without one its Referer, is not this site (scheme-relative host
 *    and port; an opaque "null" Origin is never this site). Requests without either (scripts,
 *    not browsers: browsers send Origin on every cross-origin write) pass this check;
 *  - with 415, on REST routes, when its body is form-encoded, multipart or text/plain: the only
 *    types a cross-site <form> or no-cors fetch can send without a CORS preflight (which the API
 *    never grants). The web app sends JSON; it uploads no files. GraphQL is left to Apollo's own
 *    CSRF prevention, which refuses those types (and GETs without a preflight header) by itself.
 * Sign-in is checked the same way with or without a cookie, since it sets one (login CSRF).
 * Bearer and Basic callers are not affected: a browser never adds those headers to a forged request.
 * SameSite=Strict on the cookie already keeps it off cross-site requests; this also covers
 * same-site ones (another app on a sibling subdomain) and browsers that ignore SameSite.
 */
import { SESSION_COOKIE } from '@caliper/server-kit';
import type { NextFunction, Request, Response } from 'express';
import { sendError } from '../ingest/body-limits';
import { isApiPath } from './early-auth';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SIMPLE_BODY_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);
const SIGN_IN = '/api/v1/auth/login';

const header = (req: Request, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The host[:port] of an Origin or Referer, or null when it names no site ("null", garbage). */
function hostOf(url: string): { protocol: string; host: string } | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? { protocol: u.protocol, host: u.host } : null;
  } catch {
    return null;
  }
}

/** Whether `source` (an Origin or Referer) names the host this request was sent to. */
function sameSite(source: string, req: Request): boolean {
  const from = hostOf(source);
  const own = req.host; // the Host header (X-Forwarded-Host only from a trusted proxy), with its port
  if (!from || !own) return false;
  // Normalised with the source's scheme, so an explicit default port (:443, :80) compares equal.
  const ownHost = hostOf(`${from.protocol}//${own}`)?.host;
  return ownHost === from.host;
}

export function refuseCrossSiteCookieWrites(req: Request, res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method) || !isApiPath(req.path) || header(req, 'authorization')) return next();
  const signIn = req.path === SIGN_IN;
  if (!signIn && !req.cookies?.[SESSION_COOKIE]) return next();
  const refuse = (status: number, codes: { mlflow: string; app: string }, message: string) => {
    // The body is not read: do not leave the connection waiting for it.
    res.setHeader('Connection', 'close');
    sendError(req, res, status, codes, message);
  };
  const origin = header(req, 'origin');
  const referer = header(req, 'referer');
  const source = origin ?? referer;
  if (source !== undefined && !sameSite(source, req)) {
    const named = origin !== undefined ? `Origin ${origin}` : `Referer ${referer}`;
    return refuse(
      403,
      { mlflow: 'PERMISSION_DENIED', app: 'FORBIDDEN' },
      `Cross-site request refused: ${named} is not this site (${req.host}). Requests with the session cookie must come from Caliper's own pages; scripts use an API token.`,
    );
  }
  const [mediaType = ''] = (header(req, 'content-type') ?? '').split(';');
  const type = mediaType.trim().toLowerCase();
  if (req.path !== '/graphql' && SIMPLE_BODY_TYPES.has(type)) {
    return refuse(
      415,
      { mlflow: 'INVALID_PARAMETER_VALUE', app: 'BAD_USER_INPUT' },
      `A request with the session cookie must send JSON (Content-Type: application/json), not ${type}; scripts use an API token.`,
    );
  }
  next();
}
