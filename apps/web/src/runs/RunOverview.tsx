/** The run page's overview: identity, experiment, user, status, times, parent run, code and artifact location. */
import { Link } from 'react-router-dom';
import type { RunQuery as RunQueryResult } from '../gql/graphql';
import { CopyButton } from '../ui/CopyButton';
import { DateText } from '../ui/time';
import { formatDuration, runDurationMs } from './format';
import { RunSection } from './RunSection';
import { StatusChip } from './StatusChip';
import { useNow } from './use-now';

type Run = RunQueryResult['run'];

export function RunOverview({ run }: { run: Run }) {
  const duration = runDurationMs(run, useNow());
  return (
    <RunSection id="overview" title="Overview">
      <dl className="details">
        <div className="span-2">
          <dt>Run ID</dt>
          <dd className="run-id">
            <span className="code-value">{run.runId}</span>
            <CopyButton text={run.runId} label="Copy run ID" />
          </dd>
        </div>
        <div>
          <dt>Experiment</dt>
          <dd>
            <Link to={`/experiments/${run.experiment.id}`}>{run.experiment.name}</Link>
          </dd>
        </div>
        <div>
          <dt>User</dt>
          <dd>{run.user ? `${run.user.displayName} (${run.user.username})` : <span className="muted">—</span>}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <StatusChip status={run.status} mlflowStatus={run.mlflowStatus} />
            {run.lifecycleStage === 'deleted' ? <span className="badge badge-neutral"> Deleted</span> : null}
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>
            <DateText value={run.startTime} withTime />
          </dd>
        </div>
        <div>
          <dt>Ended</dt>
          <dd>
            <DateText value={run.endTime} withTime />
          </dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>
            {formatDuration(duration)}
            {run.durationMs == null && duration != null ? <span className="muted"> so far</span> : null}
          </dd>
        </div>
        {run.heartbeatAt ? (
          <div>
            <dt>Last heartbeat</dt>
            <dd>
              <DateText value={run.heartbeatAt} withTime />
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Parent run</dt>
          <dd>
            {run.parentRun ? <Link to={`/runs/${run.parentRun.runId}`}>{run.parentRun.name}</Link> : <span className="muted">—</span>}
          </dd>
        </div>
        <div>
          <dt>Git commit</dt>
          <dd className="code-value">{run.gitCommit ?? <span className="muted">—</span>}</dd>
        </div>
        <div>
          <dt>Repository</dt>
          <dd className="code-value">{run.gitRepo ?? <span className="muted">—</span>}</dd>
        </div>
        <div>
          <dt>Image digest</dt>
          <dd className="code-value">{run.imageDigest ?? <span className="muted">—</span>}</dd>
        </div>
        <div className="details-wide">
          <dt>Artifact URI</dt>
          <dd className="code-value">{run.artifactUri}</dd>
        </div>
      </dl>
    </RunSection>
  );
}
