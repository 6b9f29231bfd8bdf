/**
 * What the run page reads first, asked for at startup (pages.ts) rather than once its code, the
 * session and the page's first render are done: the run and, beside it, the downsampled series of
 * its first 20 training metrics (null for a live run: run-chart-series.ts); then, as soon as the
 * run's answer arrives (before the page renders with it), what else its charts read: the series
 * of any further metrics, or the first page of each history of a live run (MetricChart.tsx).
 */
import type { ApolloClient } from '@apollo/client';
import { prefetchCached, prefetchUncached } from '../app/prefetch';
import { LIVE_STATUSES } from './format';
import { runChartBuckets, runChartSeriesOfRunVariables, runChartSeriesRequests } from './run-chart-series';
import { historyPageVariables, MetricHistoryQuery, RunChartSeriesOfRunQuery, RunChartSeriesQuery, RunQuery } from './runs.operations';
import { isSystemMetric } from './system-metrics';

export function prefetchRunPage(client: ApolloClient, runId: string): void {
  const buckets = runChartBuckets(window.innerWidth);
  prefetchCached(client, RunQuery, { runId }, ({ run }) => {
    const keys = run.latestMetrics.map((m) => m.key).filter((k) => !isSystemMetric(k));
    if (LIVE_STATUSES.has(run.status))
      for (const key of keys) prefetchUncached(client, MetricHistoryQuery, historyPageVariables(run.runId, key, null));
    else
      for (const variables of runChartSeriesRequests(run.experiment.project.id, run.runId, keys, buckets))
        prefetchUncached(client, RunChartSeriesQuery, variables);
  });
  prefetchUncached(client, RunChartSeriesOfRunQuery, runChartSeriesOfRunVariables(runId, buckets));
}
