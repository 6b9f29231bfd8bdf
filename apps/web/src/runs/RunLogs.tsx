/**
 * A run's log stream as `tail -f` shows it: the last lines first, "Load earlier lines" reads back,
 * and while the run is live (`active`) the lines written after the last one shown are read as they
 * come (use-live-poll.ts: the lines a client sends, and a launched run's job output the worker
 * copies in as the job writes it), once more when it ends; "Load newer lines" reads on when more
 * than a page is waiting. A list scrolled to its end stays at the end as lines arrive.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useApolloClient } from '@apollo/client/react';
import { describeError } from '../app/graphql-errors';
import { useLivePoll } from '../app/use-live-poll';
import type { RunLogPageFieldsFragment } from '../gql/graphql';
import { RunLogsQuery, RunLogTailQuery } from './runs.operations';

const PAGE = 500;
type Line = RunLogPageFieldsFragment['lines'][number];

const timeOf = (iso: string) => iso.slice(11, 23);
/** Line ids are increasing integers (as text, beyond a double's precision). */
const after = (id: string, last: string | null) => last === null || BigInt(id) > BigInt(last);

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

  /** Reads the lines after `from` and appends those not shown yet; says whether there were any. */
  const readOn = (from: string | null) =>
    client.query({ query: RunLogsQuery, variables: { runId, first: PAGE, after: from }, fetchPolicy: 'no-cache' }).then(({ data }) => {
      if (!data) return false;
      const page = data.run.logs;
      setError(null);
      setView((prev) => {
        const last = prev?.lines.at(-1)?.id ?? null;
        return {
          lines: [...(prev?.lines ?? []), ...page.lines.filter((l) => after(l.id, last))],
          earlierCursor: prev?.earlierCursor ?? page.earlierCursor ?? null,
          hasEarlier: prev?.hasEarlier ?? false,
          endCursor: page.pageInfo.endCursor ?? from,
          hasNewer: page.pageInfo.hasNextPage,
        };
      });
      return page.lines.length > 0;
    });

  useEffect(() => {
    settle(readBack(null));
  }, [readBack, settle]);

  // Following a live run: the poll reads on from the last line shown.
  const live = useLivePoll(active && view !== null, () => readOn(view?.endCursor ?? null));
  // The run ended while shown: what was written last is read once more.
  const wasActive = useRef(active);
  useEffect(() => {
    if (wasActive.current && !active && view) settle(readOn(view.endCursor).then(() => undefined));
    wasActive.current = active;
    // Only the change of `active` matters here; `view` is read as it is then.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [active]);

  // Kept at the end while the reader is there, as lines arrive.
  const list = useRef<HTMLOListElement>(null);
  const atEnd = useRef(true);
  useLayoutEffect(() => {
    const el = list.current;
    if (el && atEnd.current) el.scrollTop = el.scrollHeight;
  }, [view?.lines.length]);

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
            <p>
              Lines appear here when the training job sends its output (the Caliper SDK, CLI or launcher does), and for a run launched from
              a template as its job writes them.
            </p>
          </div>
        </div>
      ) : null}
      {lines.length > 0 ? (
        <ol
          ref={list}
          onScroll={(e) => {
            const el = e.currentTarget;
            atEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
          }}
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
          <button type="button" className="btn" disabled={loading} onClick={() => run(() => readOn(view.endCursor).then(() => undefined))}>
            Load newer lines
          </button>
        ) : null}
        {live.active && !live.paused ? (
          <span className="muted small" role="status">
            Following the log: new lines appear as they are written.
          </span>
        ) : null}
      </div>
    </>
  );
}
