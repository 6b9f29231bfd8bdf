/**
 * The runs of an experiment for the table, a page at a time (keyset cursors from the server),
 * loading as many pages as the state asks for. A new filter or order starts again from the
 * first page; answers to an older request are dropped. While loaded rows are still queued,
 * starting or running, those rows alone are read again (one request, `attributes.run_id IN (…)`)
 * with use-live-poll.ts's backoff while the tab is visible, so their status and metrics move
 * without a reload.
 */
import { useEffect, useRef, useState } from 'react';
import { useApolloClient } from '@apollo/client/react';
import { useLivePoll } from '../app/use-live-poll';
import type { RunsTablePageQuery as PageResult } from '../gql/graphql';
import { RunsTablePageQuery } from './runs-table.operations';

export const PAGE_SIZE = 100;
const LIVE_STATUSES = new Set(['QUEUED', 'STARTING', 'RUNNING']);

export type TableRun = PageResult['experiment']['runs']['edges'][number]['node'];

/** What a live poll compares for a row: what the table shows of a running run. */
const liveFingerprint = (r: TableRun): string =>
  JSON.stringify([r.status, r.endTime, r.durationMs, r.latestMetrics, r.params, r.tags, r.name]);

interface Loaded {
  key: string;
  rows: TableRun[];
  totalCount: number | null;
  endCursor: string | null;
  hasNextPage: boolean;
  pages: number;
  error: unknown;
}

export function useRunPages(experimentId: string, filter: string, orderBy: string[], pagesWanted: number) {
  const client = useApolloClient();
  const key = JSON.stringify([experimentId, filter, orderBy]);
  const [loaded, setLoaded] = useState<Loaded>({
    key,
    rows: [],
    totalCount: null,
    endCursor: null,
    hasNextPage: true,
    pages: 0,
    error: null,
  });
  const inFlight = useRef<string | null>(null);
  const current =
    loaded.key === key ? loaded : { key, rows: [], totalCount: null, endCursor: null, hasNextPage: true, pages: 0, error: null };

  useEffect(() => {
    if (current.error || !current.hasNextPage || current.pages >= pagesWanted) return;
    const request = `${key}#${current.pages}`;
    if (inFlight.current === request) return;
    inFlight.current = request;
    client
      .query({
        query: RunsTablePageQuery,
        variables: { id: experimentId, first: PAGE_SIZE, after: current.endCursor, filter: filter || null, orderBy },
        fetchPolicy: 'network-only',
      })
      .then(({ data }) => {
        if (inFlight.current !== request || !data) return;
        inFlight.current = null;
        const runs = data.experiment.runs;
        setLoaded({
          key,
          rows: [...current.rows, ...runs.edges.map((e) => e.node)],
          totalCount: runs.totalCount,
          endCursor: runs.pageInfo.endCursor ?? null,
          hasNextPage: runs.pageInfo.hasNextPage,
          pages: current.pages + 1,
          error: null,
        });
      })
      .catch((error: unknown) => {
        if (inFlight.current !== request) return;
        inFlight.current = null;
        setLoaded({ ...current, key, error });
      });
    // `current` is derived from `loaded` and `key`, both listed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, key, loaded, pagesWanted]);

  // Live rows: re-read the running ones in one request and swap them in place (order and paging unchanged).
  const running = current.rows.filter((r) => LIVE_STATUSES.has(r.status)).map((r) => r.runId);
  const live = useLivePoll(running.length > 0, async () => {
    const filter = `attributes.run_id IN (${running.map((id) => `'${id}'`).join(', ')})`;
    const { data } = await client.query({
      query: RunsTablePageQuery,
      variables: { id: experimentId, first: running.length, after: null, filter, orderBy: [] },
      fetchPolicy: 'network-only',
    });
    if (!data) return false;
    const fresh = new Map(data.experiment.runs.edges.map((e) => [e.node.runId, e.node]));
    const changed = current.rows.some((r) => {
      const f = fresh.get(r.runId);
      return f !== undefined && liveFingerprint(f) !== liveFingerprint(r);
    });
    if (changed) setLoaded((prev) => (prev.key === key ? { ...prev, rows: prev.rows.map((r) => fresh.get(r.runId) ?? r) } : prev));
    return changed;
  });

  const retry = () => setLoaded({ ...current, error: null });
  /** Starts again from the first page: what the order means changed on the server (a best value's direction). */
  const reload = () => {
    inFlight.current = null;
    setLoaded({ key, rows: [], totalCount: null, endCursor: null, hasNextPage: true, pages: 0, error: null });
  };
  const loading = !current.error && current.hasNextPage && current.pages < pagesWanted;
  return {
    rows: current.rows,
    totalCount: current.totalCount,
    hasNextPage: current.hasNextPage,
    pagesLoaded: current.pages,
    loading,
    error: current.error,
    retry,
    reload,
    live,
  };
}
