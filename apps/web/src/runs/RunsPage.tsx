/** The Runs area: every experiment of the projects the user can read, grouped by project. */
import { Link } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { ExperimentsTable } from '../experiments/ExperimentsTable';
import { EmptyState, ErrorState, Loading } from '../ui/feedback';
import { PageHeader } from '../ui/PageHeader';
import { TrackingOverviewQuery } from './runs.operations';

export function RunsPage() {
  const { data, error, loading, refetch } = useQuery(TrackingOverviewQuery);
  const projects = data?.projects ?? [];
  return (
    <>
      <PageHeader
        title="Runs"
        description="Training runs as logged by the MLflow client, MONAI's MLFlowHandler, the Caliper SDK or CLI, grouped by project and experiment."
      />
      {!data && loading ? <Loading label="Loading experiments…" /> : null}
      {!data && error ? <ErrorState title="The experiments could not be loaded" error={error} onRetry={() => void refetch()} /> : null}
      {data && projects.length === 0 ? (
        <EmptyState title="No projects yet">
          <p>Runs belong to a project. Ask a PI of a project or a system admin to add you to one.</p>
        </EmptyState>
      ) : null}
      {projects.map((p) => (
        <section key={p.id} className="panel" aria-labelledby={`runs-project-${p.id}`}>
          <div className="panel-header">
            <h2 id={`runs-project-${p.id}`}>
              <Link to={`/projects/${encodeURIComponent(p.slug)}`}>{p.name}</Link>
            </h2>
            <span className="muted small">
              {p.experiments.reduce((n, e) => n + e.runCount, 0)} runs in {p.experiments.length} experiment
              {p.experiments.length === 1 ? '' : 's'}
            </span>
          </div>
          <ExperimentsTable experiments={p.experiments} caption={`Experiments of ${p.name}`} />
        </section>
      ))}
    </>
  );
}
