/**
 * A run's log stream as `tail` shows it: the last lines first, "Load earlier lines" reads back,
 * and "Load newer lines" / "Check for new lines" read what was written after the last line shown.
 */
import { useCallback, useEffect, useState } from 'react';
import { useApolloClient } from '@apollo/client/react';
import { describeError } from '../app/graphql-errors';
import type { RunLogPageFieldsFragment } from '../gql/graphql';
import { RunLogsQuery, RunLogTailQuery } from './runs.operations';

const PAGE = 500;
type Line = RunLogPageFieldsFragment['lines'][number];

const timeOf = (iso: string) => iso.slice(11, 23);

interface LogView {
  lines: Line[];
  /** Id of the first line shown (reads back from here) and whether anything precedes it. */
  earlierCursor: string | null;
  hasEarlier: boolean;
  /** Id of the last line shown (reads on from here) and whether more is known to follow. */
  endCursor: string | null;
  hasNewer: boolean;
}

export function RunLogs({ runId, active }: { runId: string; active: boolean }) {
  const client = useApolloClient();
  const [view, setView] = useState<LogView | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const settle = useCallback((work: Promise<void>) => {
    work.catch((err: unknown) => setError(describeError(err).message)).finally(() => setLoading(false));
  }, []);

  const readBack = useCallback(
    (before: string | null) =>
      client.query({ query: RunLogTailQuery, variables: { runId, last: PAGE, before }, fetchPolicy: 'no-cache' }).then(({ data }) => {
        if (!data) return;
        const page = data.run.logTail;
        setError(null);
        setView((prev) =>
          before === null || !prev
            ? {
                lines: page.lines,
                earlierCursor: page.earlierCursor ?? null,
                hasEarlier: page.hasEarlier,
                endCursor: page.pageInfo.endCursor ?? null,
                hasNewer: false,
              }
            : {
                ...prev,
                lines: [...page.lines, ...prev.lines],
                earlierCursor: page.earlierCursor ?? prev.earlierCursor,
                hasEarlier: page.hasEarlier,
              },
        );
      }),
    [client, runId],
  );

  const readOn = (after: string | null) =>
    client.query({ query: RunLogsQuery, variables: { runId, first: PAGE, after }, fetchPolicy: 'no-cache' }).then(({ data }) => {
      if (!data) return;
      const page = data.run.logs;
      setError(null);
      setView((prev) => ({
        lines: [...(prev?.lines ?? []), ...page.lines],
        earlierCursor: prev?.earlierCursor ?? page.earlierCursor ?? null,
        hasEarlier: prev?.hasEarlier ?? false,
        endCursor: page.pageInfo.endCursor ?? after,
        hasNewer: page.pageInfo.hasNextPage,
      }));
    });

  useEffect(() => {
    settle(readBack(null));
  }, [readBack, settle]);

  const run = (work: () => Promise<void>) => {
    setLoading(true);
    settle(work());
  };

  const lines = view?.lines ?? [];
  return (
    <>
      {error ? (
        <p className="field-error" role="alert">
          The logs could not be loaded: {error}
        </p>
      ) : null}
      {view?.hasEarlier ? (
        <div className="pager pager-start">
          <button type="button" className="btn" disabled={loading} onClick={() => run(() => readBack(view.earlierCursor))}>
            Load earlier lines
          </button>
        </div>
      ) : null}
      {view && lines.length === 0 ? (
        <div className="state state-empty">
          <p className="state-title">No log lines yet.</p>
          <div className="state-body">
            <p>Lines appear here when the training job sends its output (the Caliper SDK, CLI or launcher does).</p>
          </div>
        </div>
      ) : null}
      {lines.length > 0 ? (
        <ol
          className="preformatted log-lines"
          tabIndex={0}
          aria-label={`Log lines, ${lines.length} shown${view?.hasEarlier ? ' (the latest ones)' : ''}`}
        >
          {lines.map((l) => (
            <li key={l.id} className={l.stream === 'stderr' ? 'log-stderr' : undefined}>
              <time className="log-time" dateTime={l.time}>
                {timeOf(l.time)}
              </time>
              <span className="log-text">
                {l.stream === 'stderr' ? <span className="sr-only">stderr: </span> : null}
                {l.line}
              </span>
            </li>
          ))}
        </ol>
      ) : null}
      <div className="pager">
        {loading ? (
          <span className="muted small" role="status">
            Loading log lines…
          </span>
        ) : null}
        {view?.hasNewer ? (
          <button type="button" className="btn" disabled={loading} onClick={() => run(() => readOn(view.endCursor))}>
            Load newer lines
          </button>
        ) : null}
        {view && !view.hasNewer && active ? (
          <button type="button" className="btn" disabled={loading} onClick={() => run(() => readOn(view.endCursor))}>
            Check for new lines
          </button>
        ) : null}
      </div>
    </>
  );
}
