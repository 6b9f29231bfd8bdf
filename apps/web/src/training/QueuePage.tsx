/**
 * A project's training queue, at /projects/<slug>/queue: the runs launched from its templates that
 * have not ended (queued, starting, running, and lost ones still watched), in launch order, each
 * with its template, executor, job id, state, what the scheduler says (a Slurm pending reason, a
 * pod waiting for an image) and who launched it when; Cancel for members who may write runs; and
 * the launches that ended last. The page is live while it is open (use-live-poll.ts): a new launch,
 * a job that starts or ends shows without reloading.
 */
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useApolloClient, useQuery } from '@apollo/client/react';
import { useLivePoll } from '../app/use-live-poll';
import type { TrainingQueueEntryFieldsFragment } from '../gql/graphql';
import { ProjectsQuery } from '../projects/projects.operations';
import { StatusChip } from '../runs/StatusChip';
import { LiveIndicator } from '../ui/LiveIndicator';
import { EmptyState, ErrorState, Loading } from '../ui/feedback';
import { PageHeader } from '../ui/PageHeader';
import { PageLoadState } from '../ui/PageLoadState';
import { DateText } from '../ui/time';
import { CancelRunDialog } from './CancelRunDialog';
import { EXECUTOR_LABELS } from './executor-labels';
import { TrainingQueueQuery } from './training.operations';
import './training.css';

const PAGE = 100;
const RECENTLY_ENDED = 10;

export function QueuePage() {
  const { slug = '' } = useParams();
  const projects = useQuery(ProjectsQuery);
  const project = projects.data?.projects.find((p) => p.slug === slug.toLowerCase());
  if (!project) {
    return (
      <PageLoadState
        what="training queue"
        error={projects.error}
        loading={projects.loading}
        onRetry={() => void projects.refetch()}
        missing={`There is no project “${slug}” you can read.`}
        back={{ to: '/templates', label: 'go back to the templates' }}
      />
    );
  }
  return <ProjectQueue project={project} canCancel={project.myPermissions.includes('run.write')} />;
}

function ProjectQueue({ project, canCancel }: { project: { id: string; slug: string; name: string }; canCancel: boolean }) {
  const client = useApolloClient();
  // The cursors of the pages before the one shown (empty: the first page).
  const [pages, setPages] = useState<(string | null)[]>([]);
  const after = pages.at(-1) ?? null;
  const variables = { projectId: project.id, first: PAGE, after, recentlyEnded: RECENTLY_ENDED };
  const { data, error, loading, refetch } = useQuery(TrainingQueueQuery, { variables });
  const live = useLivePoll(!!data, async () => {
    const before = JSON.stringify(data?.trainingQueue);
    const { data: fresh } = await client.query({ query: TrainingQueueQuery, variables, fetchPolicy: 'network-only' });
    return !!fresh && JSON.stringify(fresh.trainingQueue) !== before;
  });
  const [cancelling, setCancelling] = useState<TrainingQueueEntryFieldsFragment | null>(null);
  const queue = data?.trainingQueue;
  const entries = queue?.edges.map((e) => e.node) ?? [];

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/projects">Projects</Link> <span aria-hidden="true">/</span>{' '}
        <Link to={`/projects/${encodeURIComponent(project.slug)}`}>{project.slug}</Link> <span aria-hidden="true">/</span>{' '}
        <span aria-current="page">Queue</span>
      </nav>
      <PageHeader
        title="Training queue"
        description={`Runs launched from ${project.name}'s templates that have not ended, with what their executor says about them.`}
      />
      <LiveIndicator live={live} what="The queue updates while this page is open." />
      {!data && loading ? <Loading label="Loading the queue…" /> : null}
      {!data && error ? <ErrorState title="The queue could not be loaded" error={error} onRetry={() => void refetch()} /> : null}
      {queue ? (
        <section className="panel" aria-labelledby="queue-open-title">
          <div className="panel-header">
            <h2 id="queue-open-title">Not ended ({queue.totalCount})</h2>
            <Link to="/templates">Launch from a template</Link>
          </div>
          {entries.length === 0 ? (
            <EmptyState title="Nothing is queued or running.">
              <p>Runs launched from the project's templates show here until they end.</p>
            </EmptyState>
          ) : (
            <QueueTable
              caption={`Launched runs of ${project.name} not ended yet`}
              entries={entries}
              onCancel={canCancel ? setCancelling : null}
            />
          )}
          {pages.length > 0 || queue.pageInfo.hasNextPage ? (
            <div className="pager">
              {pages.length > 0 ? (
                <button type="button" className="btn" onClick={() => setPages((p) => p.slice(0, -1))}>
                  Previous {PAGE}
                </button>
              ) : null}
              {queue.pageInfo.hasNextPage ? (
                <button type="button" className="btn" onClick={() => setPages((p) => [...p, queue.pageInfo.endCursor ?? null])}>
                  Next {PAGE}
                </button>
              ) : null}
            </div>
          ) : null}
        </section>
      ) : null}
      {queue && queue.recentlyEnded.length > 0 ? (
        <section className="panel" aria-labelledby="queue-ended-title">
          <div className="panel-header">
            <h2 id="queue-ended-title">Ended last</h2>
          </div>
          <QueueTable caption={`Launched runs of ${project.name} that ended last`} entries={queue.recentlyEnded} onCancel={null} ended />
        </section>
      ) : null}
      {cancelling ? (
        <CancelRunDialog
          runId={cancelling.runId}
          title={`Cancel ${cancelling.runName}?`}
          open
          onClose={() => setCancelling(null)}
          onCancelled={() => refetch()}
        />
      ) : null}
    </>
  );
}

function QueueTable({
  caption,
  entries,
  onCancel,
  ended = false,
}: {
  caption: string;
  entries: readonly TrainingQueueEntryFieldsFragment[];
  /** Offered per row when set (the reader may write runs). */
  onCancel: ((entry: TrainingQueueEntryFieldsFragment) => void) | null;
  ended?: boolean;
}) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">State</th>
            <th scope="col">Template</th>
            <th scope="col">Executor</th>
            <th scope="col">Job</th>
            <th scope="col">Scheduler says</th>
            <th scope="col">Launched</th>
            <th scope="col">{ended ? 'Ended' : 'Submitted'}</th>
            {onCancel ? (
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.runId}>
              <th scope="row">
                <Link to={`/runs/${encodeURIComponent(e.runId)}`} className="strong-link">
                  {e.runName}
                </Link>
              </th>
              <td>
                <StatusChip status={e.status} />
              </td>
              <td>
                <Link to={`/templates/${encodeURIComponent(e.templateId)}`}>{e.templateName}</Link> v{e.templateVersion}
              </td>
              <td>{EXECUTOR_LABELS[e.execution.executor]}</td>
              <td className="mono">{e.execution.externalId ?? <span className="muted">Not submitted yet</span>}</td>
              <td>{e.execution.message || <span className="muted">—</span>}</td>
              <td>
                <DateText value={e.execution.launchedAt} withTime /> by {e.launchedBy}
              </td>
              <td>
                {ended ? (
                  <DateText value={e.execution.endedAt} withTime />
                ) : e.execution.submittedAt ? (
                  <DateText value={e.execution.submittedAt} withTime />
                ) : (
                  <span className="muted">Not yet</span>
                )}
              </td>
              {onCancel ? (
                <td>
                  <button
                    type="button"
                    className="btn btn-danger btn-small"
                    onClick={() => onCancel(e)}
                    disabled={!!e.execution.cancelRequestedAt}
                    aria-label={e.execution.cancelRequestedAt ? `Cancelling ${e.runName}` : `Cancel ${e.runName}`}
                  >
                    {e.execution.cancelRequestedAt ? 'Cancelling…' : 'Cancel'}
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
