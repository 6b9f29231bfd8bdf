/** An audit event's details: its reason and hashes, and what changed between its before and after state. */
import { useState } from 'react';
import type { AuditEventsQuery as AuditEventsQueryResult } from '../gql/graphql';
import { UtcTime } from '../ui/time';
import { diffSnapshots, formatValue } from './audit-diff';

export type AuditEvent = AuditEventsQueryResult['auditEvents']['edges'][number]['node'];

export function AuditEventDetails({ event }: { event: AuditEvent }) {
  const rows = diffSnapshots(event.before, event.after);
  const changed = rows.filter((r) => r.kind !== 'unchanged');
  const [showUnchanged, setShowUnchanged] = useState(false);
  const visible = showUnchanged ? rows : changed;
  return (
    <div className="event-details">
      <dl className="details details-inline">
        {event.reason ? (
          <div className="details-wide">
            <dt>Reason</dt>
            <dd>{event.reason}</dd>
          </div>
        ) : null}
        <div className="details-wide">
          <dt>Recorded at</dt>
          <dd>
            <UtcTime value={event.time} />
          </dd>
        </div>
        <div className="details-wide">
          <dt>Hash</dt>
          <dd className="mono hash">{event.hash}</dd>
        </div>
        <div className="details-wide">
          <dt>Previous hash</dt>
          <dd className="mono hash">{event.prevHash}</dd>
        </div>
      </dl>
      {rows.length === 0 ? (
        <p className="muted">This event records no before or after state.</p>
      ) : (
        <>
          <table className="table diff-table">
            <caption>
              Changes{' '}
              {rows.length > changed.length ? (
                <button
                  type="button"
                  className="btn btn-small btn-quiet"
                  onClick={() => setShowUnchanged((s) => !s)}
                  aria-pressed={showUnchanged}
                >
                  {showUnchanged ? 'Hide unchanged fields' : `Show ${rows.length - changed.length} unchanged fields`}
                </button>
              ) : null}
            </caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Change</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {visible.map((r) => (
                <tr key={r.path} className={`diff-${r.kind}`}>
                  <th scope="row" className="mono">
                    {r.path}
                  </th>
                  <td>{r.kind}</td>
                  <td className="mono diff-before">{formatValue(r.before)}</td>
                  <td className="mono diff-after">{formatValue(r.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {visible.length === 0 ? <p className="muted">No field changed.</p> : null}
        </>
      )}
    </div>
  );
}
