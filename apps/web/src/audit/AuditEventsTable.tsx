/** One page of audit events, newest first, with pagination back and forth and each event's details on demand. */
import { useState } from 'react';
import { useQuery } from '@apollo/client/react';
import { errorCode } from '../app/graphql-errors';
import type { AuditEventFilter } from '../gql/graphql';
import { EmptyState, ErrorState, Loading } from '../ui/feedback';
import { AuditEventRows } from './AuditEventRows';
import { AuditEventsQuery } from './audit.operations';

const PAGE_SIZE = 50;

export function AuditEventsTable({ filter, projectNames }: { filter: AuditEventFilter; projectNames: ReadonlyMap<string, string> }) {
  // Newest first. Cursors of the pages visited so far: the API pages forward (older) only, so "newer" walks back this list.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const { data, previousData, error, loading, refetch } = useQuery(AuditEventsQuery, {
    variables: { filter, first: PAGE_SIZE, after },
    fetchPolicy: 'network-only',
  });
  const shown = data ?? previousData;
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const toggle = (seq: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (next.has(seq)) next.delete(seq);
      else next.add(seq);
      return next;
    });

  if (!shown && error) {
    const forbidden = errorCode(error) === 'FORBIDDEN';
    return (
      <ErrorState
        title={forbidden ? 'You may not read these events' : 'Audit events could not be loaded'}
        error={error}
        onRetry={() => void refetch()}
      />
    );
  }
  if (!shown) return <Loading label="Loading audit events…" />;

  const edges = shown.auditEvents.edges;
  const pageInfo = shown.auditEvents.pageInfo;
  const page = cursors.length;
  return (
    <section className="panel" aria-labelledby="events-title" aria-busy={loading}>
      <div className="panel-header">
        <h2 id="events-title">Events</h2>
        <span className="muted" role="status">
          {loading ? 'Loading…' : `Page ${page} · ${edges.length} ${edges.length === 1 ? 'event' : 'events'}`}
        </span>
      </div>
      {error ? <ErrorState title="This page could not be loaded" error={error} onRetry={() => void refetch()} /> : null}
      {edges.length === 0 ? (
        <EmptyState title="No events match these filters">
          <p>Widen the time range or clear a filter.</p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table audit-table">
            <caption className="sr-only">Audit events, page {page}</caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  Seq
                </th>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Entity</th>
                <th scope="col">Project</th>
                <th scope="col">
                  <span className="sr-only">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {edges.map(({ node }) => (
                <AuditEventRows
                  key={node.seq}
                  event={node}
                  projectName={node.projectId ? projectNames.get(node.projectId) : undefined}
                  open={expanded.has(node.seq)}
                  onToggle={() => toggle(node.seq)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Audit event pages">
        <button type="button" className="btn" disabled={page === 1 || loading} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer events
        </button>
        <button
          type="button"
          className="btn"
          disabled={!pageInfo.hasNextPage || !pageInfo.endCursor || loading}
          onClick={() => setCursors((c) => [...c, pageInfo.endCursor])}
        >
          Older events
        </button>
      </nav>
    </section>
  );
}
