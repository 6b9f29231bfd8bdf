/**
 * Opens each request's query scope (libs/persistence bounded-query): when the client goes away
 * before its answer is complete, the bounded queries it started are cancelled in PostgreSQL.
 */
import type { NextFunction, Request, Response } from 'express';
import { queryScope } from '@caliper/persistence';

export function cancelQueriesOnDisconnect(_req: Request, res: Response, next: NextFunction): void {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  queryScope.run({ signal: controller.signal }, next);
}
