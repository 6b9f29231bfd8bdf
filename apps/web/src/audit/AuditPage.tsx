/**
 * The audit log viewer: the hash chain's verification status, then every recorded event with
 * filters (kept in the address so a view can be shared) and cursor pagination.
 */
import { useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { useSession } from '../app/session';
import { ProjectsQuery } from '../projects/projects.operations';
import { EmptyState, Loading } from '../ui/feedback';
import { PageHeader } from '../ui/PageHeader';
import { AuditEventsTable } from './AuditEventsTable';
import { AuditFilterForm } from './AuditFilterForm';
import { FILTER_KEYS, readFilters, toApiFilter } from './audit-filters';
import { ChainStatusPanel } from './ChainStatusPanel';

export function AuditPage() {
  const session = useSession();
  const globalAudit = session.canGlobally('audit.read');
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const projects = useQuery(ProjectsQuery);
  const projectNames = useMemo(() => new Map((projects.data?.projects ?? []).map((p) => [p.id, p.name])), [projects.data]);
  const auditableProjects = (projects.data?.projects ?? []).filter((p) => p.myPermissions.includes('audit.read'));

  // Without global audit access, the log is read one project at a time (its PI or QA).
  const projectScoped = !globalAudit;
  const firstAuditable = auditableProjects[0];
  const effectiveFilters = projectScoped && !filters.project && firstAuditable ? { ...filters, project: firstAuditable.id } : filters;

  if (projectScoped && projects.data && auditableProjects.length === 0) {
    return (
      <>
        <PageHeader title="Audit log" />
        <EmptyState title="You do not have access to the audit log">
          <p>
            Reading the audit log needs the auditor or system admin role, or the PI or QA role in a project. Ask a system admin if you need
            it.
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
      <AuditFilterForm
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
