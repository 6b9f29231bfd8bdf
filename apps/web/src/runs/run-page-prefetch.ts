/**
 * What the run page reads first, asked for at startup (pages.ts) rather than once its code, the
 * session and the page's first render are done: the run, then, as soon as its answer arrives
 * (before the page renders with it), what its training metrics' charts read: the downsampled
 * series of a run that is not live (run-chart-series.ts), the first page of each history of a
 * live one (MetricChart.tsx).
 */
import type { ApolloClient } from '@apollo/client';
import { prefetchCached, prefetchUncached } from '../app/prefetch';
import { LIVE_STATUSES } from './format';
import { runChartBuckets, runChartSeriesRequests } from './run-chart-series';
import { historyPageVariables, MetricHistoryQuery, RunChartSeriesQuery, RunQuery } from './runs.operations';
import { isSystemMetric } from './system-metrics';

export function prefetchRunPage(client: ApolloClient, runId: string): void {
  prefetchCached(client, RunQuery, { runId }, ({ run }) => {
    const keys = run.latestMetrics.map((m) => m.key).filter((k) => !isSystemMetric(k));
    if (LIVE_STATUSES.has(run.status))
      for (const key of keys) prefetchUncached(client, MetricHistoryQuery, historyPageVariables(run.runId, key, null));
    else
      for (const variables of runChartSeriesRequests(run.experiment.project.id, run.runId, keys, runChartBuckets(window.innerWidth)))
        prefetchUncached(client, RunChartSeriesQuery, variables);
  });
}
