/**
 * One run, at /runs/<run id>: overview (status, times, user, experiment, code, parent), training
 * metric charts, system metrics (`system/…`: CPU, memory, GPUs), parameters, tags, inputs,
 * artifacts and logs.
 */
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { errorCode } from '../app/graphql-errors';
import type { RunQuery as RunQueryResult } from '../gql/graphql';
import { CopyButton } from '../ui/CopyButton';
import { EmptyState, ErrorState, Loading } from '../ui/feedback';
import { PageHeader } from '../ui/PageHeader';
import { DateText } from '../ui/time';
import { ArtifactsBrowser } from './ArtifactsBrowser';
import { formatDuration, formatMetric, runDurationMs } from './format';
import { MetricChart } from './MetricChart';
import { RunLogs } from './RunLogs';
import { RunQuery } from './runs.operations';
import { StatusChip } from './StatusChip';
import { isSystemMetric } from './system-metrics';
import { SystemMetrics } from './SystemMetrics';
import { useNow } from './use-now';

type Run = RunQueryResult['run'];

const ACTIVE = new Set(['QUEUED', 'STARTING', 'RUNNING']);

export function RunPage() {
  const { runId = '' } = useParams();
  const { data, error, loading, refetch } = useQuery(RunQuery, { variables: { runId } });

  if (!data) {
    if (error) {
      // The guard answers FORBIDDEN for an id it cannot place in a project: to the reader, both mean there is nothing here for them.
      const notFound = ['NOT_FOUND', 'FORBIDDEN'].includes(errorCode(error) ?? '');
      return (
        <>
          <PageHeader title={notFound ? 'Run not found' : 'Run'} />
          {notFound ? (
            <EmptyState title={`There is no run ${runId} you can read.`}>
              <p>
                Check the address, or <Link to="/runs">go to the experiments of your projects</Link>.
              </p>
            </EmptyState>
          ) : (
            <ErrorState title="The run could not be loaded" error={error} onRetry={() => void refetch()} />
          )}
        </>
      );
    }
    return (
      <>
        <PageHeader title="Run" />
        {loading ? <Loading label="Loading the run…" /> : null}
      </>
    );
  }

  const run = data.run;
  const project = run.experiment.project;
  const userTags = run.tags.filter((t) => !t.key.startsWith('mlflow.'));
  const systemTags = run.tags.filter((t) => t.key.startsWith('mlflow.'));
  const trainingMetrics = run.latestMetrics.filter((m) => !isSystemMetric(m.key));
  const systemMetricKeys = run.latestMetrics.filter((m) => isSystemMetric(m.key)).map((m) => m.key);
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/runs">Runs</Link> <span aria-hidden="true">/</span>{' '}
        <Link to={`/projects/${encodeURIComponent(project.slug)}`}>{project.name}</Link> <span aria-hidden="true">/</span>{' '}
        <Link to={`/experiments/${run.experiment.id}`}>{run.experiment.name}</Link> <span aria-hidden="true">/</span>{' '}
        <span aria-current="page">{run.name}</span>
      </nav>
      <PageHeader title={run.name} description={<StatusChip status={run.status} mlflowStatus={run.mlflowStatus} />} />
      <nav className="section-nav" aria-label="Sections of this run">
        <a href="#overview">Overview</a>
        <a href="#metrics">Metrics</a>
        <a href="#system">System</a>
        <a href="#params">Parameters</a>
        <a href="#tags">Tags</a>
        <a href="#inputs">Inputs</a>
        <a href="#artifacts">Artifacts</a>
        <a href="#logs">Logs</a>
      </nav>
      <Overview run={run} />
      <Section id="metrics" title="Metrics">
        {trainingMetrics.length === 0 ? (
          <EmptyState
            title={systemMetricKeys.length ? 'No training metrics logged; the system metrics are below.' : 'No metrics logged.'}
          />
        ) : (
          <>
            <LatestMetricsTable metrics={trainingMetrics} />
            <div className="charts">
              {trainingMetrics.map((m) => (
                <MetricChart key={m.key} runId={run.runId} metricKey={m.key} />
              ))}
            </div>
          </>
        )}
      </Section>
      <Section id="system" title="System metrics">
        <SystemMetrics runId={run.runId} metricKeys={systemMetricKeys} startTime={run.startTime} />
      </Section>
      <Section id="params" title="Parameters">
        <KeyValueTable rows={run.params} caption="Parameters" empty="No parameters logged." />
      </Section>
      <Section id="tags" title="Tags">
        <KeyValueTable rows={userTags} caption="Tags" empty="No tags besides MLflow's own." />
        {systemTags.length ? (
          <details>
            <summary>MLflow system tags ({systemTags.length})</summary>
            <KeyValueTable rows={systemTags} caption="MLflow system tags" empty="" />
          </details>
        ) : null}
      </Section>
      <Section id="inputs" title="Inputs">
        {run.inputs.length === 0 ? (
          <EmptyState title="No inputs logged." />
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="sr-only">Datasets and models this run consumed</caption>
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Name</th>
                  <th scope="col">Digest</th>
                  <th scope="col">Source</th>
                </tr>
              </thead>
              <tbody>
                {run.inputs.map((i) => (
                  <tr key={`${i.kind}:${i.name}:${i.digest}`}>
                    <td>{i.kind === 'dataset' ? 'Dataset' : 'Model'}</td>
                    <td>{i.name}</td>
                    <td className="code-value">{i.digest}</td>
                    <td className="code-value">{sourceOf(i.descriptor)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Section id="artifacts" title="Artifacts">
        <ArtifactsBrowser runId={run.runId} />
      </Section>
      <Section id="logs" title="Logs">
        <RunLogs runId={run.runId} active={ACTIVE.has(run.status)} />
      </Section>
    </>
  );
}

function sourceOf(descriptor: unknown): string {
  if (descriptor && typeof descriptor === 'object') {
    const d = descriptor as Record<string, unknown>;
    const parts = [d.source_type, d.source].filter((v): v is string => typeof v === 'string' && v !== '');
    if (parts.length) return parts.join(': ');
  }
  return '—';
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="panel" id={id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}

function Overview({ run }: { run: Run }) {
  const duration = runDurationMs(run, useNow());
  return (
    <Section id="overview" title="Overview">
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
    </Section>
  );
}

function LatestMetricsTable({ metrics }: { metrics: Run['latestMetrics'] }) {
  return (
    <div className="table-wrap">
      <table className="table kv-table">
        <caption className="sr-only">Latest value of each metric</caption>
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col">Latest value</th>
            <th scope="col">Step</th>
          </tr>
        </thead>
        <tbody>
          {metrics.map((m) => (
            <tr key={m.key}>
              <td>{m.key}</td>
              <td className={m.nonFinite ? 'nonfinite' : undefined}>{formatMetric(m.value, m.nonFinite)}</td>
              <td>{m.step}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function KeyValueTable({ rows, caption, empty }: { rows: readonly { key: string; value: string }[]; caption: string; empty: string }) {
  if (rows.length === 0) return empty ? <EmptyState title={empty} /> : null;
  return (
    <div className="table-wrap">
      <table className="table kv-table">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td>{r.key}</td>
              <td>{r.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
