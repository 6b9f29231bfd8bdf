/**
 * Request body parsing for the whole API, sized by who sends what: metric batches up to
 * MAX_BATCH_BODY_MB (a 1000-metric MLflow log-batch is far over Express's 100 KB default),
 * GraphQL up to 1 MiB, sign-in and callers without credentials a few KiB, nesting at most 64 deep.
 * Artifact uploads are left unparsed (their handlers stream them), as are NDJSON batches (read
 * line by line by their handler). A body over the limit, or malformed, is answered here with
 * the error shape of the API it was sent to: `{error_code, message}` under /api/2.0/mlflow*,
 * `{code, message}` elsewhere.
 */
import type { RequestWithPrincipal } from '@caliper/server-kit';
import express, { NextFunction, Request, RequestHandler, Response } from 'express';

const STREAMED_UPLOADS = /^\/api\/(v1\/runs\/[^/]+\/artifacts\/|2\.0\/mlflow-artifacts\/artifacts\/)/;

/** Bodies of sign-in and other public routes: a username and a password. */
export const PUBLIC_BODY_LIMIT = 16 * 1024;
/** Bodies of callers who sent no (valid) credentials: they can only be refused, so read little. */
export const ANONYMOUS_BODY_LIMIT = 64 * 1024;
/** GraphQL documents and variables: the web app's largest is a few KB. */
export const GRAPHQL_BODY_LIMIT = 1024 * 1024;
/** JSON nested deeper than this is refused before anything walks it (recursion would overflow the stack). */
export const MAX_JSON_DEPTH = 64;

const kib = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`);

interface BodyClass {
  limit: number;
  why: string;
  /** What to do instead, ending the 413's message. */
  hint: string;
}

/** How much body a request may send: by route, and by whether its caller authenticated (auth/early-auth.ts). */
function bodyClassOf(req: Request & RequestWithPrincipal, maxBatch: BodyClass): BodyClass {
  if (req.path.startsWith('/api/v1/auth/'))
    return { limit: PUBLIC_BODY_LIMIT, why: 'the limit for sign-in requests', hint: 'send only a username and a password' };
  if (!req.principal)
    return {
      limit: ANONYMOUS_BODY_LIMIT,
      why: 'the limit before signing in',
      hint: 'send credentials (a session, an API token or Basic auth) with the request',
    };
  if (req.path === '/graphql')
    return { limit: GRAPHQL_BODY_LIMIT, why: 'the limit for GraphQL requests', hint: 'ask for less in one request' };
  return maxBatch;
}

function sendBodyError(req: Request, res: Response, err: { type?: string; message?: string }, cls: BodyClass): void {
  const tooLarge = err.type === 'entity.too.large';
  const status = tooLarge ? 413 : 400;
  const message = tooLarge
    ? `The request body is larger than ${kib(cls.limit)} (${cls.why}); ${cls.hint}.`
    : `The request body could not be read as ${err.type === 'entity.parse.failed' ? 'JSON' : 'sent'}: ${err.message ?? 'malformed'}.`;
  sendError(
    req,
    res,
    status,
    tooLarge ? { mlflow: 'INVALID_PARAMETER_VALUE', app: 'PAYLOAD_TOO_LARGE' } : { mlflow: 'BAD_REQUEST', app: 'BAD_USER_INPUT' },
    message,
  );
}

/** One error in the shape of the API the request was sent to: MLflow's `{error_code, message}`, GraphQL's `{errors}` or `{code, message}`. */
export function sendError(req: Request, res: Response, status: number, codes: { mlflow: string; app: string }, message: string): void {
  if (req.path.startsWith('/api/2.0/mlflow') || req.path.startsWith('/ajax-api/2.0/mlflow')) {
    res.status(status).json({ error_code: codes.mlflow, message });
  } else if (req.path === '/graphql') {
    res.status(status).json({ errors: [{ message, extensions: { code: codes.app } }] });
  } else {
    res.status(status).json({ code: codes.app, message });
  }
}

/** Whether a parsed JSON value nests deeper than `max` (iterative: the value may be deep enough to overflow recursion). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v))
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * A response sent before its request body was read (413, a refused upload, a guard's 401) also
 * closes the connection: otherwise the client keeps sending a body nobody reads, and the
 * connection stays busy (a graceful shutdown would wait for it).
 */
function closeWhenBodyUnread(req: Request, res: Response): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: Response, ...args: unknown[]) {
    if (!req.complete && !this.headersSent) this.setHeader('Connection', 'close');
    return (writeHead as (...a: unknown[]) => Response).apply(this, args);
  } as Response['writeHead'];
}

export function bodyParsers(maxMb: number): RequestHandler {
  const maxBatch: BodyClass = { limit: maxMb * 1024 * 1024, why: 'MAX_BATCH_BODY_MB', hint: 'split it into smaller batches' };
  const parsers = new Map<number, { json: RequestHandler; form: RequestHandler }>();
  for (const limit of [PUBLIC_BODY_LIMIT, ANONYMOUS_BODY_LIMIT, GRAPHQL_BODY_LIMIT, maxBatch.limit]) {
    parsers.set(limit, { json: express.json({ limit }), form: express.urlencoded({ limit, extended: true }) });
  }
  return (req: Request & RequestWithPrincipal, res: Response, next: NextFunction) => {
    closeWhenBodyUnread(req, res);
    if (req.method === 'PUT' && STREAMED_UPLOADS.test(req.path)) return next();
    const cls = bodyClassOf(req, maxBatch);
    const { json, form } = parsers.get(cls.limit)!;
    json(req, res, (jsonErr?: unknown) => {
      if (jsonErr) return sendBodyError(req, res, jsonErr as { type?: string; message?: string }, cls);
      form(req, res, (formErr?: unknown) => {
        if (formErr) return sendBodyError(req, res, formErr as { type?: string; message?: string }, cls);
        if (nestsDeeperThan(req.body, MAX_JSON_DEPTH))
          return sendError(
            req,
            res,
            400,
            { mlflow: 'INVALID_PARAMETER_VALUE', app: 'BAD_USER_INPUT' },
            `The request body nests deeper than ${MAX_JSON_DEPTH} levels; no Caliper request needs that.`,
          );
        next();
      });
    });
  };
}
