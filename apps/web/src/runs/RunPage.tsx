/**
 * One run, at /runs/<run id>: overview (status, times, user, experiment, code, parent), training
 * metric charts, system metrics (`system/…`: CPU, memory, GPUs), parameters, tags, inputs,
 * artifacts and logs. While the run is queued, starting or running, the page is live
 * (use-live-poll.ts): one request per poll reads its status, end time and latest metrics, and
 * the charts of the metrics that moved read their newer points. The charts of a run that is not
 * live are drawn from the server's downsampled series (run-chart-series.ts). The page's first
 * requests are sent at startup (run-page-prefetch.ts).
 */
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useApolloClient, useQuery } from '@apollo/client/react';
import { errorCode } from '../app/graphql-errors';
import { useFirstFetchPolicy } from '../app/prefetch';
import { useLivePoll } from '../app/use-live-poll';
import { SweepCompareLink } from '../compare/SweepCompareLink';
import { RunExecutionSection } from '../training/RunExecutionSection';
import type { RunLiveQuery as RunLiveResult } from '../gql/graphql';
import { LiveIndicator } from '../ui/LiveIndicator';
import { EmptyState, ErrorState, Loading } from '../ui/feedback';
import { PageHeader } from '../ui/PageHeader';
import { ArtifactsBrowser } from './ArtifactsBrowser';
import { KeyValueTable } from './KeyValueTable';
import { LatestMetricsTable } from './LatestMetricsTable';
import { MetricChart, metricVersion } from './MetricChart';
import { useMetricDirections } from './metric-directions';
import { OverlayChart } from './OverlayChart';
import { RunLogs } from './RunLogs';
import { RunOverview } from './RunOverview';
import { runChartBuckets, useRunChartSeries } from './run-chart-series';
import { RunLiveQuery, RunQuery } from './runs.operations';
import { RunSection } from './RunSection';
import { StatusChip } from './StatusChip';
import { LIVE_STATUSES } from './format';
import { isSystemMetric } from './system-metrics';
import { SystemMetrics } from './SystemMetrics';

/** What a poll compares: a change brings the next poll back to the shortest wait. */
const liveFingerprint = (run: RunLiveResult['run']): string =>
  JSON.stringify([run.status, run.endTime, run.latestMetrics.map((m) => [m.key, m.step, m.timestamp, m.value, m.nonFinite])]);

export function RunPage() {
  const { runId = '' } = useParams();
  const client = useApolloClient();
  // Asked for at startup on a first visit (run-page-prefetch.ts): read from the cache then, not asked again.
  const fetchPolicy = useFirstFetchPolicy(RunQuery, { runId });
  const { data, error, loading, refetch } = useQuery(RunQuery, { variables: { runId }, fetchPolicy });
  const shown = data?.run;
  const trainingKeys = useMemo(
    () => (shown?.latestMetrics ?? []).map((m) => m.key).filter((k) => !isSystemMetric(k)),
    [shown?.latestMetrics],
  );
  const directions = useMetricDirections(shown?.experiment.project.id, trainingKeys);
  // A run that is not live when the page opens gets its charts from downsampled series (run-chart-series.ts);
  // one followed live keeps reading its histories, also once it ends.
  const [openedLive, setOpenedLive] = useState<{ runId: string; live: boolean } | null>(null);
  if (shown && openedLive?.runId !== shown.runId) setOpenedLive({ runId: shown.runId, live: LIVE_STATUSES.has(shown.status) });
  const [buckets] = useState(() => runChartBuckets(window.innerWidth));
  const chartsWanted = useMemo(
    () =>
      shown && openedLive?.runId === shown.runId && !openedLive.live && trainingKeys.length
        ? { projectId: shown.experiment.project.id, runId: shown.runId, keys: trainingKeys, buckets }
        : null,
    [shown, openedLive, trainingKeys, buckets],
  );
  const chartSeries = useRunChartSeries(chartsWanted);
  const live = useLivePoll(!!shown && LIVE_STATUSES.has(shown.status), async () => {
    const before = shown ? liveFingerprint(shown) : null;
    // network-only writes the answer to the cache, where it merges into the run shown.
    const { data: fresh } = await client.query({ query: RunLiveQuery, variables: { runId }, fetchPolicy: 'network-only' });
    return !!fresh && liveFingerprint(fresh.run) !== before;
  });

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
  const systemMetrics = run.latestMetrics.filter((m) => isSystemMetric(m.key));
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/runs">Runs</Link> <span aria-hidden="true">/</span>{' '}
        <Link to={`/projects/${encodeURIComponent(project.slug)}`}>{project.name}</Link> <span aria-hidden="true">/</span>{' '}
        <Link to={`/experiments/${run.experiment.id}`}>{run.experiment.name}</Link> <span aria-hidden="true">/</span>{' '}
        <span aria-current="page">{run.name}</span>
      </nav>
      <PageHeader
        title={run.name}
        description={<StatusChip status={run.status} mlflowStatus={run.mlflowStatus} />}
        actions={<SweepCompareLink runId={run.runId} slug={project.slug} />}
      />
      <LiveIndicator live={live} what="The page updates while the run is queued, starting or running." />
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
      <RunOverview run={run} />
      <RunExecutionSection runId={run.runId} status={run.status} projectId={project.id} />
      <RunSection id="metrics" title="Metrics">
        {trainingMetrics.length === 0 ? (
          <EmptyState title={systemMetrics.length ? 'No training metrics logged; the system metrics are below.' : 'No metrics logged.'} />
        ) : (
          <>
            <LatestMetricsTable metrics={trainingMetrics} directions={directions} />
            {trainingMetrics.length > 1 ? (
              <OverlayChart
                runId={run.runId}
                keys={trainingKeys}
                versions={new Map(trainingMetrics.map((m) => [m.key, metricVersion(m)]))}
              />
            ) : null}
            <div className="charts">
              {trainingMetrics.map((m) => (
                <MetricChart
                  key={m.key}
                  runId={run.runId}
                  metricKey={m.key}
                  version={metricVersion(m)}
                  outline={
                    chartSeries.state === 'loading'
                      ? 'loading'
                      : chartSeries.state === 'loaded'
                        ? chartSeries.outlines.get(m.key)
                        : undefined
                  }
                />
              ))}
            </div>
          </>
        )}
      </RunSection>
      <RunSection id="system" title="System metrics">
        <SystemMetrics runId={run.runId} metrics={systemMetrics} startTime={run.startTime} />
      </RunSection>
      <RunSection id="params" title="Parameters">
        <KeyValueTable rows={run.params} caption="Parameters" empty="No parameters logged." />
      </RunSection>
      <RunSection id="tags" title="Tags">
        <KeyValueTable rows={userTags} caption="Tags" empty="No tags besides MLflow's own." />
        {systemTags.length ? (
          <details>
            <summary>MLflow system tags ({systemTags.length})</summary>
            <KeyValueTable rows={systemTags} caption="MLflow system tags" empty="" />
          </details>
        ) : null}
      </RunSection>
      <RunSection id="inputs" title="Inputs">
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
                  <th scope="col">Dataset version</th>
                </tr>
              </thead>
              <tbody>
                {run.inputs.map((i) => (
                  <tr key={`${i.kind}:${i.name}:${i.digest}`}>
                    <td>{i.kind === 'dataset' ? 'Dataset' : 'Model'}</td>
                    <td>{i.name}</td>
                    <td className="code-value">{i.digest}</td>
                    <td className="code-value">{sourceOf(i.descriptor)}</td>
                    <td>
                      {i.datasetVersion ? (
                        <Link to={`/dataset-versions/${encodeURIComponent(i.datasetVersion.id)}`}>
                          {i.datasetVersion.dataset.name}, version {i.datasetVersion.number}
                        </Link>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </RunSection>
      <RunSection id="artifacts" title="Artifacts">
        <ArtifactsBrowser runId={run.runId} />
      </RunSection>
      <RunSection id="logs" title="Logs">
        <RunLogs runId={run.runId} active={LIVE_STATUSES.has(run.status)} />
      </RunSection>
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
