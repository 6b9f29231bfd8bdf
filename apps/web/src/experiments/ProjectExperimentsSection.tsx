/**
 * The tracking part of a project page: its experiments, and whether it is the user's default
 * project for MLflow (where clients signed in with username and password log a bare name).
 */
import { useMutation, useQuery } from '@apollo/client/react';
import { ErrorState, Loading, MutationError, Notice } from '../ui/feedback';
import { ProjectTrackingQuery, SetDefaultProjectMutation } from '../runs/runs.operations';
import { ExperimentsTable } from './ExperimentsTable';

export function ProjectExperimentsSection({ slug, projectId, isMember }: { slug: string; projectId: string; isMember: boolean }) {
  const { data, error, loading, refetch } = useQuery(ProjectTrackingQuery, { variables: { slug } });
  const [setDefault, setDefaultState] = useMutation(SetDefaultProjectMutation, { refetchQueries: ['ProjectTracking', 'TrackingOverview'] });
  const project = data?.project;
  const experiments = project?.experiments ?? [];
  const withRuns = experiments.filter((e) => e.runCount > 0 || !e.isDefault);

  return (
    <section className="panel" aria-labelledby="experiments-title">
      <div className="panel-header">
        <h2 id="experiments-title">Experiments</h2>
        {project && isMember ? (
          project.isMyDefault ? (
            <span className="badge badge-ok">Your default project for MLflow</span>
          ) : (
            <button
              type="button"
              className="btn"
              disabled={setDefaultState.loading}
              onClick={() => {
                setDefault({ variables: { projectId } }).catch(() => undefined);
              }}
            >
              {setDefaultState.loading ? 'Saving…' : 'Make this my default project for MLflow'}
            </button>
          )
        ) : null}
      </div>
      <MutationError error={setDefaultState.error} />
      {setDefaultState.data && project?.isMyDefault ? (
        <Notice kind="success">
          <p>MLflow clients signed in with your username and password now log experiments without a project prefix here.</p>
        </Notice>
      ) : null}
      {!data && loading ? <Loading label="Loading experiments…" /> : null}
      {!data && error ? <ErrorState title="The experiments could not be loaded" error={error} onRetry={() => void refetch()} /> : null}
      {project && withRuns.length === 0 ? (
        <div className="state state-empty">
          <p className="state-title">No runs logged yet.</p>
          <div className="state-body">
            <p>
              Point a training script at Caliper with <code>MLFLOW_TRACKING_URI</code> and an API token of this project, or name the
              experiment <code>{slug}/&lt;experiment&gt;</code>.
            </p>
          </div>
        </div>
      ) : null}
      {project && withRuns.length > 0 ? <ExperimentsTable experiments={experiments} caption={`Experiments of ${slug}`} /> : null}
    </section>
  );
}
