/**
 * Request body parsing for the whole API, sized for metric batches: JSON and form bodies up to
 * MAX_BATCH_BODY_MB (a 1000-metric MLflow log-batch is far over Express's 100 KB default).
 * Artifact uploads are left unparsed (their handlers stream them), as are NDJSON batches (read
 * line by line by their handler). A body over the limit, or malformed, is answered here with
 * the error shape of the API it was sent to: `{error_code, message}` under /api/2.0/mlflow*,
 * `{code, message}` elsewhere.
 */
import express, { NextFunction, Request, RequestHandler, Response } from 'express';

const STREAMED_UPLOADS = /^\/api\/(v1\/runs\/[^/]+\/artifacts\/|2\.0\/mlflow-artifacts\/artifacts\/)/;

function sendBodyError(req: Request, res: Response, err: { type?: string; message?: string }, maxMb: number): void {
  const tooLarge = err.type === 'entity.too.large';
  const status = tooLarge ? 413 : 400;
  const message = tooLarge
    ? `The request body is larger than ${maxMb} MiB (MAX_BATCH_BODY_MB); split it into smaller batches.`
    : `The request body could not be read as ${err.type === 'entity.parse.failed' ? 'JSON' : 'sent'}: ${err.message ?? 'malformed'}.`;
  if (req.path.startsWith('/api/2.0/mlflow')) {
    res.status(status).json({ error_code: tooLarge ? 'INVALID_PARAMETER_VALUE' : 'BAD_REQUEST', message });
  } else {
    res.status(status).json({ code: tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_USER_INPUT', message });
  }
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
  const limit = maxMb * 1024 * 1024;
  const json = express.json({ limit });
  const form = express.urlencoded({ limit, extended: true });
  return (req: Request, res: Response, next: NextFunction) => {
    closeWhenBodyUnread(req, res);
    if (req.method === 'PUT' && STREAMED_UPLOADS.test(req.path)) return next();
    json(req, res, (jsonErr?: unknown) => {
      if (jsonErr) return sendBodyError(req, res, jsonErr as { type?: string; message?: string }, maxMb);
      form(req, res, (formErr?: unknown) => (formErr ? sendBodyError(req, res, formErr as { type?: string; message?: string }, maxMb) : next()));
    });
  };
}
