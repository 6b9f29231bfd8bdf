/** An audit event's row in the events table, and the row below it that holds its details while open. */
import { Fragment } from 'react';
import { DateText } from '../ui/time';
import { AuditEventDetails, type AuditEvent } from './AuditEventDetails';

export function AuditEventRows({
  event,
  projectName,
  open,
  onToggle,
}: {
  event: AuditEvent;
  projectName?: string;
  open: boolean;
  onToggle: () => void;
}) {
  const detailsId = `audit-event-${event.seq}`;
  return (
    <Fragment>
      <tr className={open ? 'row-open' : undefined}>
        <td className="num mono">{event.seq}</td>
        <td className="nowrap">
          <DateText value={event.time} withTime />
        </td>
        <td>{event.actorLabel}</td>
        <td>
          <code className="action">{event.action}</code>
        </td>
        <td>
          {event.entityType}
          {event.entityId ? <div className="mono muted small">{event.entityId}</div> : null}
        </td>
        <td>
          {event.projectId ? (projectName ?? <span className="mono small">{event.projectId}</span>) : <span className="muted">—</span>}
        </td>
        <td>
          <button type="button" className="btn btn-small" aria-expanded={open} aria-controls={detailsId} onClick={onToggle}>
            {open ? 'Hide' : 'Details'}
            <span className="sr-only"> of event {event.seq}</span>
          </button>
        </td>
      </tr>
      <tr id={detailsId} className="row-details" hidden={!open}>
        <td colSpan={7}>{open ? <AuditEventDetails event={event} /> : null}</td>
      </tr>
    </Fragment>
  );
}
