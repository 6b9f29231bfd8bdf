/**
 * The run page's "Execution" section for a run launched from a template: the executor, its job
 * id, what the scheduler says (a pending reason), exit code, log tail, times, Cancel while the run
 * has not ended, and "Run again with changes" (the template page's launch form with this run's
 * values). Polls while the run is live, and reads once more when the page sees the status change,
 * so the exit code and log tail appear when the run ends. Runs not launched from a template show nothing.
 */
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { useApolloClient, useQuery } from '@apollo/client/react';
import { useLivePoll } from '../app/use-live-poll';
import { ProjectsQuery } from '../projects/projects.operations';
import { RunSection } from '../runs/RunSection';
import { LIVE_STATUSES } from '../runs/format';
import { DateText } from '../ui/time';
import { EXECUTOR_LABELS, EXTERNAL_ID_LABELS } from './executor-labels';
import { relaunchSearch } from './launch-form';
import { CancelRunDialog } from './CancelRunDialog';
import { RunExecutionQuery, TemplateOfVersionQuery } from './training.operations';
import './training.css';

/** Ended runs whose execution has not recorded its end yet (the sync writes both soon after each other). */
const ENDED_STATUSES: ReadonlySet<string> = new Set(['FINISHED', 'FAILED', 'KILLED']);

export function RunExecutionSection({ runId, status, projectId }: { runId: string; status: string; projectId: string }) {
  const client = useApolloClient();
  const { data, refetch } = useQuery(RunExecutionQuery, { variables: { runId } });
  const projects = useQuery(ProjectsQuery);
  const project = projects.data?.projects.find((p) => p.id === projectId);
  const canWrite = project?.myPermissions.includes('run.write') ?? false;
  const execution = data?.run.execution;
  const current = data?.run.status ?? status;
  const live = LIVE_STATUSES.has(current) || (ENDED_STATUSES.has(current) && execution?.endedAt == null);
  useLivePoll(!!execution && live, async () => {
    const before = JSON.stringify(data?.run);
    const { data: fresh } = await client.query({ query: RunExecutionQuery, variables: { runId }, fetchPolicy: 'network-only' });
    return !!fresh && JSON.stringify(fresh.run) !== before;
  });
  // The page's own poll saw the status change (e.g. the run ended): the execution changed with it.
  const seenStatus = useRef(status);
  useEffect(() => {
    if (seenStatus.current === status) return;
    seenStatus.current = status;
    void refetch();
  }, [status, refetch]);
  const template = useQuery(TemplateOfVersionQuery, { variables: { id: execution?.templateVersionId ?? '' }, skip: !execution });
  const [confirming, setConfirming] = useState(false);

  if (!data || !execution) return null;
  const ended = !LIVE_STATUSES.has(data.run.status);
  const templateId = template.data?.runTemplateVersion.templateId;
  return (
    <RunSection id="execution" title="Execution">
      <dl className="details">
        <div>
          <dt>Executor</dt>
          <dd>{EXECUTOR_LABELS[execution.executor]}</dd>
        </div>
        <div>
          <dt>{EXTERNAL_ID_LABELS[execution.executor]}</dt>
          <dd className="mono">{execution.externalId ?? <span className="muted">Not submitted yet</span>}</dd>
        </div>
        <div>
          <dt>Scheduler says</dt>
          <dd>{execution.message || <span className="muted">—</span>}</dd>
        </div>
        <div>
          <dt>Exit code</dt>
          <dd className="mono">{execution.exitCode ?? <span className="muted">—</span>}</dd>
        </div>
        <div>
          <dt>Launched</dt>
          <dd>
            <DateText value={execution.launchedAt} withTime />
          </dd>
        </div>
        <div>
          <dt>Submitted</dt>
          <dd>{execution.submittedAt ? <DateText value={execution.submittedAt} withTime /> : <span className="muted">Not yet</span>}</dd>
        </div>
        <div>
          <dt>Ended</dt>
          <dd>{execution.endedAt ? <DateText value={execution.endedAt} withTime /> : <span className="muted">Not yet</span>}</dd>
        </div>
        {execution.cancelRequestedAt ? (
          <div>
            <dt>Cancel requested</dt>
            <dd>
              <DateText value={execution.cancelRequestedAt} withTime />
            </dd>
          </div>
        ) : null}
      </dl>
      <h3 className="tpl-heading">Command</h3>
      <pre className="tpl-command">{execution.command.join(' ')}</pre>
      {execution.logTail ? (
        <>
          <h3 className="tpl-heading">End of the job's output</h3>
          <pre className="exec-log" tabIndex={0} aria-label="End of the job's output">
            {execution.logTail}
          </pre>
        </>
      ) : null}
      <div className="exec-actions">
        {canWrite && !ended ? (
          <button type="button" className="btn btn-danger" onClick={() => setConfirming(true)} disabled={!!execution.cancelRequestedAt}>
            {execution.cancelRequestedAt ? 'Cancelling…' : 'Cancel run'}
          </button>
        ) : null}
        {templateId ? (
          <Link
            className="btn"
            to={`/templates/${encodeURIComponent(templateId)}${relaunchSearch(execution.templateVersionId, data.run.params)}`}
          >
            Run again with changes
          </Link>
        ) : null}
        {project ? <Link to={`/projects/${encodeURIComponent(project.slug)}/queue`}>Training queue of {project.name}</Link> : null}
      </div>
      <CancelRunDialog runId={runId} open={confirming} onClose={() => setConfirming(false)} onCancelled={() => refetch()} />
    </RunSection>
  );
}
