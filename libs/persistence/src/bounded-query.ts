/**
 * Queries whose cost a request must bound (issue 10, finding 2): each runs under its own
 * statement_timeout on a connection of its own, and is cancelled in PostgreSQL (pg_cancel_backend)
 * when the request that asked for it goes away, so an abandoned search stops using the database
 * instead of running to the end. The request's abort signal travels in an AsyncLocalStorage scope
 * that the HTTP layer opens per request (queryScope.run).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { TrackingError } from '@caliper/domain';

export const queryScope = new AsyncLocalStorage<{ signal: AbortSignal }>();

/** PostgreSQL's query_canceled: raised both by statement_timeout and by pg_cancel_backend. */
const QUERY_CANCELED = '57014';

export async function boundedQuery<T>(
  ds: DataSource,
  sql: string,
  values: unknown[],
  opts: { timeoutMs: number; what: string },
): Promise<T[]> {
  const signal = queryScope.getStore()?.signal;
  if (signal?.aborted) throw new TrackingError('INVALID_STATE', `The request for ${opts.what} was closed by the client before it ran.`);
  const runner = ds.createQueryRunner();
  const client = (await runner.connect()) as PoolClient & { processID?: number };
  let cancelled = false;
  const cancel = () => {
    cancelled = true;
    // Another connection asks the server to stop this one's statement; an error here only means it had finished.
    ds.query('SELECT pg_cancel_backend($1)', [client.processID]).catch(() => undefined);
  };
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    await runner.query(`SET statement_timeout = ${Math.max(1, Math.trunc(opts.timeoutMs))}`);
    return (await runner.query(sql, values)) as T[];
  } catch (err) {
    if (
      (err as { driverError?: { code?: string }; code?: string }).driverError?.code === QUERY_CANCELED ||
      (err as { code?: string }).code === QUERY_CANCELED
    ) {
      throw new TrackingError(
        'INVALID_PARAMETER',
        cancelled
          ? `The request for ${opts.what} was closed by the client; the query was stopped.`
          : `${opts.what} took longer than ${opts.timeoutMs / 1000} s and was stopped; narrow the filter or the scope.`,
      );
    }
    throw err;
  } finally {
    signal?.removeEventListener('abort', cancel);
    if (cancelled) {
      // A cancel may still be on its way to this backend: the connection leaves the pool rather than carry it to the next query.
      await (runner as unknown as { releasePostgresConnection(err: Error): Promise<void> }).releasePostgresConnection(
        new Error('query cancelled by its request'),
      );
    } else {
      await runner.query('RESET statement_timeout').catch(() => undefined);
      await runner.release();
    }
  }
}
