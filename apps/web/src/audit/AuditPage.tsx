/**
 * The audit log viewer: the hash chain's verification status, then every recorded event with
 * filters (kept in the address so a view can be shared) and cursor pagination.
 */
import { Fragment, useMemo, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { errorCode } from '../app/graphql-errors';
import { useSession } from '../app/session';
import type { AuditEventFilter, AuditEventsQuery as AuditEventsQueryResult } from '../gql/graphql';
import { ProjectsQuery } from '../projects/projects.operations';
import { EmptyState, ErrorState, Loading, Notice } from '../ui/feedback';
import { SelectField, TextField } from '../ui/Field';
import { PageHeader } from '../ui/PageHeader';
import { DateText, UtcTime } from '../ui/time';
import { AuditEventsQuery, AuditChainStatusQuery } from './audit.operations';
import { diffSnapshots, formatValue } from './audit-diff';

type AuditEvent = AuditEventsQueryResult['auditEvents']['edges'][number]['node'];

export const KNOWN_ACTIONS = [
  'auth.login',
  'auth.logout',
  'auth.login_failed',
  'project.created',
  'project.updated',
  'member.added',
  'member.roles_changed',
  'member.removed',
  'user.created',
  'user.deactivated',
  'token.created',
  'token.revoked',
];

export const KNOWN_ENTITY_TYPES = ['api_token', 'project', 'project_member', 'session', 'user'];

const PAGE_SIZE = 50;
const FILTER_KEYS = ['actor', 'action', 'entityType', 'entityId', 'project', 'from', 'to'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];
type FilterValues = Record<FilterKey, string>;

/** A datetime-local value ("2026-11-27T03:41") is the user's local time; the API wants an instant. */
function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function readFilters(params: URLSearchParams): FilterValues {
  return Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k) ?? ''])) as FilterValues;
}

export function toApiFilter(values: FilterValues): AuditEventFilter {
  return {
    actor: values.actor.trim() || undefined,
    action: values.action.trim() || undefined,
    entityType: values.entityType.trim() || undefined,
    entityId: values.entityId.trim() || undefined,
    projectId: values.project || undefined,
    from: localToIso(values.from),
    to: localToIso(values.to),
  };
}

export function AuditPage() {
  const session = useSession();
  const globalAudit = session.canGlobally('audit.read');
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const projects = useQuery(ProjectsQuery);
  const projectNames = useMemo(() => new Map((projects.data?.projects ?? []).map((p) => [p.id, p.name])), [projects.data]);
  const auditableProjects = (projects.data?.projects ?? []).filter((p) => p.myPermissions.includes('audit.read'));

  // Without global audit access, the log is read one project at a time (QA of that project).
  const projectScoped = !globalAudit;
  const effectiveFilters =
    projectScoped && !filters.project && auditableProjects.length > 0 ? { ...filters, project: auditableProjects[0].id } : filters;

  if (projectScoped && projects.data && auditableProjects.length === 0) {
    return (
      <>
        <PageHeader title="Audit log" />
        <EmptyState title="You do not have access to the audit log">
          <p>
            Reading the audit log needs the auditor or system admin role, or the QA role in a project. Ask a system admin if you need it.
          </p>
        </EmptyState>
      </>
    );
  }

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change in Caliper is recorded here, append-only and hash-chained: each event's hash covers the one before it, so any edit or deletion breaks the chain."
      />
      {globalAudit ? <ChainStatusPanel /> : null}
      <FilterForm
        key={params.toString()}
        initial={effectiveFilters}
        projects={(globalAudit ? projects.data?.projects : auditableProjects) ?? []}
        requireProject={projectScoped}
        onApply={(values) => {
          const next = new URLSearchParams();
          for (const k of FILTER_KEYS) if (values[k]) next.set(k, values[k]);
          setParams(next);
        }}
      />
      {projectScoped && !effectiveFilters.project ? (
        <Loading label="Loading your projects…" />
      ) : (
        <AuditEventsTable key={JSON.stringify(effectiveFilters)} filter={toApiFilter(effectiveFilters)} projectNames={projectNames} />
      )}
    </>
  );
}

function ChainStatusPanel() {
  const { data, error, loading, refetch } = useQuery(AuditChainStatusQuery, {
    fetchPolicy: 'network-only',
    notifyOnNetworkStatusChange: true,
  });
  const status = data?.auditChainStatus;
  return (
    <section className="panel" aria-labelledby="chain-title">
      <div className="panel-header">
        <h2 id="chain-title">Chain status</h2>
        <button type="button" className="btn" onClick={() => void refetch()} disabled={loading}>
          {loading ? 'Verifying…' : 'Verify again'}
        </button>
      </div>
      {!status && loading ? <Loading label="Verifying the audit chain…" /> : null}
      {!status && error ? <ErrorState title="The chain could not be verified" error={error} onRetry={() => void refetch()} /> : null}
      {status ? (
        <>
          {status.ok ? (
            <Notice kind="success" title={status.breaks.length ? 'Chain intact but for acknowledged breaks' : 'Chain intact'}>
              <p>
                Every event links to the one before it
                {status.breaks.length
                  ? `, except ${status.breaks.length} break${status.breaks.length === 1 ? '' : 's'} a system administrator has investigated and acknowledged (listed below),`
                  : ''}
                {status.checkpointsChecked > 0
                  ? ` and the chain matches all ${status.checkpointsChecked} checkpoint${status.checkpointsChecked === 1 ? '' : 's'} kept in object storage.`
                  : '. No checkpoint has been written to object storage yet (the worker writes one seconds after new events), so a deleted tail could not be detected until then.'}
              </p>
            </Notice>
          ) : (
            <Notice kind="error" title={status.brokenAtSeq ? `Chain broken at event ${status.brokenAtSeq}` : 'Chain broken'}>
              <p>{status.problem ?? 'The verifier reported a break without details.'}</p>
              <p>
                {status.unacknowledgedBreaks > 1 ? `${status.unacknowledgedBreaks} unacknowledged breaks in all (listed below). ` : ''}
                Those events cannot be trusted as recorded. Tell your system administrator and keep this page&apos;s details as evidence.
              </p>
            </Notice>
          )}
          {status.breaks.length ? (
            <table className="table" aria-label="Breaks in the audit chain">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">What is wrong</th>
                  <th scope="col">Acknowledged</th>
                </tr>
              </thead>
              <tbody>
                {status.breaks.map((b) => (
                  <tr key={`${b.seq}-${b.kind}`}>
                    <td className="mono">{b.seq}</td>
                    <td>
                      <span className="mono">{b.kind}</span>: {b.problem}
                    </td>
                    <td>
                      {b.acknowledged ? `by ${b.acknowledged.by} in event ${b.acknowledged.seq}: ${b.acknowledged.reason ?? ''}` : 'no'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <dl className="details details-inline">
            <div>
              <dt>Events checked</dt>
              <dd>{status.checkedEvents.toLocaleString('en-GB')}</dd>
            </div>
            <div>
              <dt>Last event</dt>
              <dd className="mono">{status.lastSeq ?? '—'}</dd>
            </div>
            <div>
              <dt>Checkpoints checked</dt>
              <dd>
                {status.checkpointsChecked} of {status.checkpointsFound} found ({status.checkpointsExpected} recorded)
              </dd>
            </div>
            <div>
              <dt>Verified</dt>
              <dd>
                <DateText value={status.verifiedAt} withTime />
              </dd>
            </div>
            {status.lastHash ? (
              <div className="details-wide">
                <dt>Last hash</dt>
                <dd className="mono hash">{status.lastHash}</dd>
              </div>
            ) : null}
          </dl>
        </>
      ) : null}
    </section>
  );
}

function FilterForm({
  initial,
  projects,
  requireProject,
  onApply,
}: {
  initial: FilterValues;
  projects: readonly { id: string; name: string }[];
  requireProject: boolean;
  onApply: (values: FilterValues) => void;
}) {
  const [values, setValues] = useState<FilterValues>(initial);
  const set = (key: FilterKey) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value }));
  function submit(event: FormEvent) {
    event.preventDefault();
    onApply(values);
  }
  const empty = Object.fromEntries(FILTER_KEYS.map((k) => [k, ''])) as FilterValues;
  return (
    <section className="panel" aria-labelledby="filters-title">
      <h2 id="filters-title">Filters</h2>
      <form className="filters" onSubmit={submit}>
        <TextField
          label="Actor"
          markOptional={false}
          value={values.actor}
          onChange={set('actor')}
          hint="Exact username"
          autoCapitalize="none"
          spellCheck={false}
        />
        <TextField
          label="Action"
          markOptional={false}
          value={values.action}
          onChange={set('action')}
          list="audit-actions"
          hint="Exact, or a prefix such as “member.”"
          spellCheck={false}
        />
        <datalist id="audit-actions">
          {KNOWN_ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <TextField
          label="Entity type"
          markOptional={false}
          value={values.entityType}
          onChange={set('entityType')}
          list="audit-entity-types"
          spellCheck={false}
        />
        <datalist id="audit-entity-types">
          {KNOWN_ENTITY_TYPES.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <TextField label="Entity ID" markOptional={false} value={values.entityId} onChange={set('entityId')} spellCheck={false} />
        <SelectField label="Project" value={values.project} onChange={set('project')}>
          {requireProject ? null : <option value="">All projects</option>}
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </SelectField>
        <TextField
          label="From"
          markOptional={false}
          type="datetime-local"
          value={values.from}
          onChange={set('from')}
          hint="Your local time"
        />
        <TextField label="To" markOptional={false} type="datetime-local" value={values.to} onChange={set('to')} hint="Your local time" />
        <div className="form-actions filters-actions">
          <button type="submit" className="btn btn-primary">
            Apply filters
          </button>
          <button
            type="button"
            className="btn btn-quiet"
            onClick={() => {
              setValues(empty);
              onApply(empty);
            }}
          >
            Clear
          </button>
        </div>
      </form>
    </section>
  );
}

function AuditEventsTable({ filter, projectNames }: { filter: AuditEventFilter; projectNames: ReadonlyMap<string, string> }) {
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
                <EventRows
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

function EventRows({
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
          <UtcTime value={event.time} />
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
        <td colSpan={7}>{open ? <EventDetails event={event} /> : null}</td>
      </tr>
    </Fragment>
  );
}

function EventDetails({ event }: { event: AuditEvent }) {
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
