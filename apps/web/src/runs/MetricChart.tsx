/**
 * One metric's history as a line chart (step on x). The whole history is loaded page by page
 * (up to MAX_POINTS), thinned for drawing, and non-finite points are gaps that are named below.
 * System metrics (SystemMetrics.tsx) load theirs with the same hook and draw them against time.
 */
import { memo, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useApolloClient } from '@apollo/client/react';
import { describeError } from '../app/graphql-errors';
import { CanvasPlot, type PlotAxes, type PlotLine } from '../charts/CanvasPlot';
import type { MetricHistoryQuery as MetricHistoryResult } from '../gql/graphql';
import { AxisFrame, X_TITLES } from './AxisFrame';
import { formatMetric, nonFiniteSummary, thinForChart, type ChartPoint } from './format';
import { historyPageVariables, MetricHistoryQuery } from './runs.operations';
import { takePrefetched } from '../app/prefetch';
import { useChartTheme } from '../app/theme';
import type { SeriesOutline } from './run-chart-series';

export const MAX_POINTS = 200000;
export const DRAWN_POINTS = 1500;
/** The plot's height on the run page (14rem). */
export const PLOT_HEIGHT = 224;

/** Steps on x: whole numbers, as logged. */
export const STEP_AXES: PlotAxes = { integerX: true, formatX: (v) => formatMetric(v) };

/** A chart's points as a plot's line. */
export function plotLine(id: string, color: string, points: readonly ChartPoint[]): PlotLine {
  return { id, label: id, color, x: points.map((p) => p.step), y: points.map((p) => p.value) };
}

export interface History {
  steps: number[];
  /** Epoch milliseconds. */
  timestamps: number[];
  values: (number | null)[];
  nonFinite: (string | null)[];
  truncated: boolean;
}

/** Where a history's loading stands: what is loaded, the cursor after its last point, whether a read is under way. */
interface HistorySync {
  id: string;
  history: History | null;
  cursor: string | null;
  reading: boolean;
  /** The metric moved while a read was under way: read on from the cursor once it is done. */
  again: boolean;
}

/**
 * A metric's history, loaded page by page, then kept up to date: each time `version` (the metric's
 * latest step and time, which a live page refreshes) moves, only the points after the last one
 * loaded are read (the server's cursor) and appended, so a chart grows in place instead of
 * loading its whole history again. Points are ordered by step, so a point logged later at an
 * earlier step than the last one loaded is not read until the page is reloaded.
 */
export function useMetricHistory(runId: string, metricKey: string, version?: string): { history: History | null; error: string | null } {
  const client = useApolloClient();
  const id = `${runId}\u0000${metricKey}`;
  const [state, setState] = useState<{ id: string; history: History | null; error: string | null }>({ id, history: null, error: null });
  const sync = useRef<HistorySync | null>(null);
  useEffect(
    () => () => {
      sync.current = null;
    },
    [],
  );
  useEffect(() => {
    if (sync.current?.id !== id) sync.current = { id, history: null, cursor: null, reading: false, again: false };
    const s = sync.current;
    if (s.reading) {
      s.again = true;
      return;
    }
    if (s.history?.truncated) return;
    s.reading = true;
    (async () => {
      do {
        s.again = false;
        const h: History = s.history
          ? {
              ...s.history,
              steps: [...s.history.steps],
              timestamps: [...s.history.timestamps],
              values: [...s.history.values],
              nonFinite: [...s.history.nonFinite],
            }
          : { steps: [], timestamps: [], values: [], nonFinite: [], truncated: false };
        const before = h.steps.length;
        let after = s.cursor;
        for (;;) {
          // Histories can be long: keep them out of the normalised cache. The first page may have been asked for at startup (pages.ts).
          const variables = historyPageVariables(runId, metricKey, after);
          const result: { data?: MetricHistoryResult } = await (takePrefetched(MetricHistoryQuery, variables) ??
            client.query({ query: MetricHistoryQuery, variables, fetchPolicy: 'no-cache' }));
          // Another run or metric, or the chart is gone: this read is not wanted any more.
          if (sync.current !== s || !result.data) return;
          const page = result.data.run.metricHistory;
          h.steps.push(...page.steps);
          h.timestamps.push(...page.timestamps);
          h.values.push(...page.values);
          h.nonFinite.push(...page.nonFinite);
          after = page.pageInfo.endCursor ?? after;
          if (!page.pageInfo.hasNextPage) break;
          if (h.steps.length >= MAX_POINTS) {
            h.truncated = true;
            break;
          }
        }
        s.cursor = after;
        // Nothing new (the metric moved at a step already loaded): the chart keeps what it draws.
        if (!s.history || h.steps.length > before || h.truncated) {
          s.history = h;
          setState({ id, history: h, error: null });
        }
      } while (s.again && s.history?.truncated !== true);
    })()
      .catch((err: unknown) => {
        // A failed read of newer points leaves the chart as it is; the metric's next move reads again.
        if (sync.current === s && !s.history) setState({ id, history: null, error: describeError(err).message });
      })
      .finally(() => {
        s.reading = false;
      });
  }, [client, id, runId, metricKey, version]);
  return state.id === id ? { history: state.history, error: state.error } : { history: null, error: null };
}

/** The whole series at full resolution, as the API's download (streamed, an attachment). */
export const seriesExportUrl = (runId: string, metricKey: string, format: 'csv' | 'json') =>
  `/api/v1/runs/${encodeURIComponent(runId)}/metrics/${encodeURIComponent(metricKey)}/export?format=${format}`;

/**
 * A chart card of one metric's history: loads it, says so while loading or when it fails, and
 * draws `chart(history)` under the heading (h3 for training metrics, h4 inside the System section).
 */
export function HistoryCard(props: {
  runId: string;
  metricKey: string;
  idPrefix: string;
  title: string;
  level: 'h3' | 'h4';
  subtitle?: string;
  /** The metric's latest step and time: when it moves, the points after those loaded are read. */
  version?: string;
  chart: (history: History) => ReactNode;
}) {
  const { runId, metricKey, title } = props;
  const { history, error } = useMetricHistory(runId, metricKey, props.version);
  return (
    <ChartCard {...props}>
      {error ? (
        <p className="field-error" role="alert">
          The history of {metricKey} could not be loaded: {error}
        </p>
      ) : !history ? (
        <p className="chart-note" role="status">
          Loading {title}…
        </p>
      ) : (
        props.chart(history)
      )}
    </ChartCard>
  );
}

/** A chart card's frame: the figure, named by its heading (and subtitle), around what it shows. */
function ChartCard(props: {
  metricKey: string;
  idPrefix: string;
  title: string;
  level: 'h3' | 'h4';
  subtitle?: string;
  children: ReactNode;
}) {
  const headingId = `${props.idPrefix}-${props.metricKey.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
  const Heading = props.level;
  return (
    <figure className="chart-card" aria-labelledby={headingId}>
      <Heading id={headingId}>{props.title}</Heading>
      {props.subtitle ? <p className="chart-key">{props.subtitle}</p> : null}
      {props.children}
    </figure>
  );
}

/** What moves when a metric gets a new latest point: given as a chart's `version`. */
export const metricVersion = (m: { step: number; timestamp: number }): string => `${m.step}@${m.timestamp}`;

/**
 * One training metric's chart. Drawn from `outline` (run-chart-series.ts: the downsampled series of
 * a run that is not live; 'loading' until it is here) unless it has non-finite values to name, else
 * from the metric's history. Drawn again only when its metric moves: the run page renders again as
 * its other parts load (directions, live state).
 */
export const MetricChart = memo(function MetricChart({
  runId,
  metricKey,
  version,
  outline,
}: {
  runId: string;
  metricKey: string;
  version?: string;
  outline?: SeriesOutline | 'loading';
}) {
  if (outline && (outline === 'loading' || outline.nonFinite === 0))
    return (
      <ChartCard metricKey={metricKey} idPrefix="metric" title={metricKey} level="h3">
        {outline === 'loading' ? (
          <p className="chart-note" role="status">
            Loading {metricKey}…
          </p>
        ) : (
          <MetricLine runId={runId} metricKey={metricKey} line={outlineLine(outline)} />
        )}
      </ChartCard>
    );
  return (
    <HistoryCard
      runId={runId}
      metricKey={metricKey}
      version={version}
      idPrefix="metric"
      title={metricKey}
      level="h3"
      chart={(history) => <MetricLine runId={runId} metricKey={metricKey} line={historyLine(history)} />}
    />
  );
});

/** What a metric's chart draws and says: its points, and of the whole series its extent, range and non-finite values. */
interface DrawnLine {
  points: ChartPoint[];
  count: number;
  firstStep: number | null;
  lastStep: number | null;
  lo: number | null;
  hi: number | null;
  truncated: boolean;
  bad: { count: number; examples: string[] };
}

function historyLine(history: History): DrawnLine {
  let lo: number | null = null;
  let hi: number | null = null;
  for (const v of history.values) {
    if (v === null) continue;
    lo = lo === null ? v : Math.min(lo, v);
    hi = hi === null ? v : Math.max(hi, v);
  }
  return {
    points: thinForChart(history.steps, history.values, DRAWN_POINTS),
    count: history.steps.length,
    firstStep: history.steps[0] ?? null,
    lastStep: history.steps.at(-1) ?? null,
    lo,
    hi,
    truncated: history.truncated,
    bad: nonFiniteSummary(history.steps, history.nonFinite),
  };
}

const outlineLine = (o: SeriesOutline): DrawnLine => ({
  points: o.points,
  count: o.pointCount,
  firstStep: o.firstStep,
  lastStep: o.lastStep,
  lo: o.lo,
  hi: o.hi,
  truncated: false,
  bad: { count: 0, examples: [] },
});

function MetricLine({ runId, metricKey, line }: { runId: string; metricKey: string; line: DrawnLine }) {
  const chart = useChartTheme();
  const { points, count, lo, hi, bad } = line;
  const lines = useMemo(() => [plotLine(metricKey, chart.line, points)], [metricKey, chart.line, points]);
  return (
    <>
      <AxisFrame x={X_TITLES.step} y={metricKey}>
        <CanvasPlot
          lines={lines}
          axes={STEP_AXES}
          height={PLOT_HEIGHT}
          className="chart-box"
          label={`${metricKey} against the step: ${points.length} point${points.length === 1 ? '' : 's'} drawn`}
          readoutTitle={(_x, rows) => `step ${formatMetric(rows[0]?.line.x[rows[0].i])}`}
          readoutValue={({ line: l, i }) => formatMetric(l.y[i])}
        />
      </AxisFrame>
      <p className="chart-note">
        {count} point{count === 1 ? '' : 's'}
        {count ? `, steps ${line.firstStep}–${line.lastStep}` : ''}
        {lo !== null && hi !== null ? `, from ${formatMetric(lo)} to ${formatMetric(hi)}` : ''}
        {points.length < count
          ? `; drawn from ${points.length} points that keep the first and last point and each stretch's lowest and highest value`
          : ''}
        .{line.truncated ? ` Only the first ${MAX_POINTS} points are shown.` : ''} Every point:{' '}
        <a href={seriesExportUrl(runId, metricKey, 'csv')} download>
          CSV
        </a>
        ,{' '}
        <a href={seriesExportUrl(runId, metricKey, 'json')} download>
          JSON
        </a>
        .
      </p>
      {bad.count ? (
        <p className="chart-note nonfinite">
          {bad.count} value{bad.count === 1 ? ' is' : 's are'} not finite (gaps in the line): {bad.examples.join(', ')}
          {bad.count > bad.examples.length ? ', …' : ''}.
        </p>
      ) : null}
    </>
  );
}
