/**
 * The run page's metric charts of a run that is not live, from the server's downsampled series
 * (RunChartSeriesQuery) instead of every point: per bucket of about one pixel of a chart, the
 * lowest, highest and last value, with the series' first point, which draw the same line as the
 * whole history thinned (format.ts thinForChart) for a fraction of the bytes and of the server's
 * work: the first 20 training metrics by the run's id alone (Run.chartSeries, asked for at startup
 * beside the run: run-page-prefetch.ts), any more by key, 20 a request. A live run's charts keep reading their histories,
 * growing from the last point read (MetricChart.tsx useMetricHistory), and so does a metric with
 * non-finite values, whose chart names them.
 */
import { useEffect, useState } from 'react';
import { useApolloClient } from '@apollo/client/react';
import { takePrefetched } from '../app/prefetch';
import type { RunChartSeriesFieldsFragment, RunChartSeriesQueryVariables } from '../gql/graphql';
import type { ChartPoint } from './format';
import { RunChartSeriesOfRunQuery, RunChartSeriesQuery } from './runs.operations';

/** The server's cap on metrics per request (MAX_SERIES_KEYS), and how many Run.chartSeries gives. */
const KEYS_PER_REQUEST = 20;

/**
 * Buckets per series: about one per horizontal pixel of a chart's plot, estimated from the window
 * before any chart is laid out, so the request can leave at startup (pages.ts): runs.css lays the
 * charts out in 22rem columns beside the 13rem side navigation, in at most 80rem of content; the
 * plot is the column less the card's padding, the y axis and its title. Rounded up to 50, between
 * 200 and the server's 1,000.
 */
export function runChartBuckets(windowWidth: number): number {
  const content = Math.max(320, Math.min(windowWidth - 208, 1280) - 64);
  const columns = Math.max(1, Math.floor((content + 16) / (352 + 16)));
  const plot = (content - 16 * (columns - 1)) / columns - 125;
  return Math.min(1000, Math.max(200, Math.ceil(plot / 50) * 50));
}

/** The variables of the request for a run's first 20 training metrics (Run.chartSeries). */
export const runChartSeriesOfRunVariables = (runId: string, buckets: number) => ({ runId, buckets });

/**
 * The requests for the training metrics `keys` (in the run's order, latestMetrics' by key) that
 * Run.chartSeries does not give, the first 20: up to 20 metrics each.
 */
export function runChartSeriesRequests(
  projectId: string,
  runId: string,
  keys: readonly string[],
  buckets: number,
): RunChartSeriesQueryVariables[] {
  const requests: RunChartSeriesQueryVariables[] = [];
  for (let i = KEYS_PER_REQUEST; i < keys.length; i += KEYS_PER_REQUEST)
    requests.push({ projectId, runIds: [runId], keys: keys.slice(i, i + KEYS_PER_REQUEST), buckets });
  return requests;
}

export type ChartSeries = RunChartSeriesFieldsFragment;

/** What a chart draws and says of one series. */
export interface SeriesOutline {
  points: ChartPoint[];
  pointCount: number;
  firstStep: number | null;
  lastStep: number | null;
  /** Lowest and highest finite value; null when none. */
  lo: number | null;
  hi: number | null;
  /** NaN and ±Infinity points: their chart reads the history to name them. */
  nonFinite: number;
}

/**
 * The line of a bucketed series: its first point, then each bucket's lowest and highest value at
 * the bucket's step (in the order that continues the line from the previous bucket, one point
 * when they are equal: every point as logged when a bucket holds one step), and its last point.
 * A bucket with no finite value is a gap.
 */
export function outlineOf(s: ChartSeries): SeriesOutline {
  const points: ChartPoint[] = [];
  const n = s.steps.length;
  let lo: number | null = null;
  let hi: number | null = null;
  if (s.first && s.first.value !== null && s.steps[0] !== s.first.step) points.push({ step: s.first.step, value: s.first.value });
  let previous = s.first?.value ?? null;
  for (let i = 0; i < n; i++) {
    const step = s.steps[i] ?? null;
    const min = s.min[i] ?? null;
    const max = s.max[i] ?? null;
    if (step === null) continue;
    if (min === null || max === null) {
      points.push({ step, value: null });
      previous = null;
      continue;
    }
    lo = lo === null ? min : Math.min(lo, min);
    hi = hi === null ? max : Math.max(hi, max);
    const order = min === max ? [min] : previous !== null && Math.abs(previous - max) < Math.abs(previous - min) ? [max, min] : [min, max];
    for (const value of order) points.push({ step, value });
    previous = order[order.length - 1]!;
  }
  const lastValue = n ? (s.last[n - 1] ?? null) : null;
  const lastStep = n ? (s.steps[n - 1] ?? null) : null;
  if (lastValue !== null && lastStep !== null && previous !== lastValue) points.push({ step: lastStep, value: lastValue });
  return {
    points,
    pointCount: s.pointCount,
    firstStep: s.first?.step ?? null,
    lastStep,
    lo,
    hi,
    nonFinite: s.nanCounts.reduce<number>((sum, c) => sum + (c ?? 0), 0),
  };
}

export type RunChartSeries =
  { state: 'off' } | { state: 'loading' } | { state: 'failed' } | { state: 'loaded'; outlines: ReadonlyMap<string, SeriesOutline> };

/** The charts of one run's training metrics (`keys`, in latestMetrics' order), at `buckets` buckets each. */
export interface RunChartsWanted {
  projectId: string;
  runId: string;
  keys: readonly string[];
  buckets: number;
}

/**
 * The outlines of the run's training metrics (each answer taken from the startup prefetch when
 * there is one), all at once so every chart is drawn in one pass. A metric with no series in the
 * answers (the run was still live when Run.chartSeries was answered) has no outline: its chart
 * reads its history. `null`: 'off'.
 */
export function useRunChartSeries(wanted: RunChartsWanted | null): RunChartSeries {
  const client = useApolloClient();
  const key = wanted ? JSON.stringify(wanted) : null;
  const [state, setState] = useState<{ for: string | null; series: RunChartSeries }>({ for: null, series: { state: 'loading' } });
  useEffect(() => {
    if (!key) return;
    let current = true;
    const { projectId, runId, keys, buckets } = JSON.parse(key) as RunChartsWanted;
    const ofRunVariables = runChartSeriesOfRunVariables(runId, buckets);
    const ofRun = (
      takePrefetched(RunChartSeriesOfRunQuery, ofRunVariables) ??
      client.query({ query: RunChartSeriesOfRunQuery, variables: ofRunVariables, fetchPolicy: 'no-cache' })
    ).then(({ data }) => data?.run.chartSeries?.series ?? []);
    const rest = runChartSeriesRequests(projectId, runId, keys, buckets).map((variables) =>
      (
        takePrefetched(RunChartSeriesQuery, variables) ?? client.query({ query: RunChartSeriesQuery, variables, fetchPolicy: 'no-cache' })
      ).then(({ data }) => data?.metricSeries.series ?? []),
    );
    Promise.all([ofRun, ...rest]).then(
      (answers) => {
        if (!current) return;
        const outlines = new Map<string, SeriesOutline>();
        for (const series of answers) for (const s of series) outlines.set(s.key, outlineOf(s));
        setState({ for: key, series: { state: 'loaded', outlines } });
      },
      () => {
        if (current) setState({ for: key, series: { state: 'failed' } });
      },
    );
    return () => {
      current = false;
    };
  }, [client, key]);
  if (!key) return { state: 'off' };
  return state.for === key ? state.series : { state: 'loading' };
}
