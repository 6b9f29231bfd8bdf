/**
 * The run page's system metrics (`system/…`: CPU, memory, each GPU), apart from the training
 * metrics: one chart per key, grouped (CPU and memory, GPU 0, GPU 1, …), with time since the run
 * started on x (samples are taken on a clock, not at training steps) and the unit from the key.
 */
import { useMemo } from 'react';
import { CanvasPlot, type PlotAxes } from '../charts/CanvasPlot';
import { EmptyState } from '../ui/feedback';
import { AxisFrame } from './AxisFrame';
import { formatMetric, thinForChart } from './format';
import { DRAWN_POINTS, HistoryCard, MAX_POINTS, metricVersion, plotLine, PLOT_HEIGHT, type History } from './MetricChart';
import { useChartTheme } from '../app/theme';
import {
  formatElapsed,
  groupSystemMetrics,
  systemMetricTitle,
  systemMetricUnit,
  timeTicks,
  withUnit,
  type SystemUnit,
} from './system-metrics';

export function SystemMetrics({
  runId,
  metrics,
  startTime,
}: {
  runId: string;
  /** The run's latest point of each system metric (a chart reads on when its metric moves). */
  metrics: readonly { key: string; step: number; timestamp: number }[];
  startTime: string | null | undefined;
}) {
  const groups = groupSystemMetrics(metrics.map((m) => m.key));
  const versions = new Map(metrics.map((m) => [m.key, metricVersion(m)]));
  if (groups.length === 0) {
    return (
      <EmptyState title="No system metrics logged.">
        <p className="muted">
          To record CPU, memory and GPU use, start runs with <code>system_metrics_interval</code> (Python client),{' '}
          <code>systemMetricsIntervalMs</code> (TypeScript SDK) or <code>mlflow.enable_system_metrics_logging()</code>.
        </p>
      </EmptyState>
    );
  }
  const parsed = startTime ? Date.parse(startTime) : NaN;
  const originMs = Number.isFinite(parsed) ? parsed : null;
  return (
    <>
      <p className="chart-note">
        Time on the x axis is {originMs === null ? "since each metric's first sample" : 'since the run started'} (hours:minutes:seconds).
      </p>
      {groups.map((group) => (
        <section key={group.id} className="system-group" aria-labelledby={`system-${group.id}`}>
          <h3 id={`system-${group.id}`}>{group.title}</h3>
          <div className="charts">
            {group.keys.map((key) => (
              <SystemMetricChart key={key} runId={runId} metricKey={key} originMs={originMs} version={versions.get(key)} />
            ))}
          </div>
        </section>
      ))}
    </>
  );
}

/** Time on x at clock-friendly ticks; y from 0, and to 100 for a percentage (ticks every 25). */
function timeAxes(unit: SystemUnit | null, first: number, last: number): PlotAxes {
  return {
    yMin: 0,
    ...(unit === '%' ? { yMax: 100, yTicks: () => [0, 25, 50, 75, 100] } : {}),
    xTicks: () => timeTicks(first, last),
    formatX: (t) => formatElapsed(t),
  };
}

/** The history in time order, as milliseconds since `originMs` (or since its first sample). */
function toTimeSeries(
  history: History,
  originMs: number | null,
): { elapsed: number[]; values: (number | null)[]; nonFinite: (string | null)[] } {
  // The sort is stable: samples with the same timestamp keep the order they were logged in.
  const samples = history.timestamps
    .map((t, i) => ({ t, value: history.values[i] ?? null, nonFinite: history.nonFinite[i] ?? null }))
    .sort((a, b) => a.t - b.t);
  const origin = originMs ?? samples[0]?.t ?? 0;
  return {
    elapsed: samples.map((s) => s.t - origin),
    values: samples.map((s) => s.value),
    nonFinite: samples.map((s) => s.nonFinite),
  };
}

function SystemMetricChart({
  runId,
  metricKey,
  originMs,
  version,
}: {
  runId: string;
  metricKey: string;
  originMs: number | null;
  version: string | undefined;
}) {
  const unit = systemMetricUnit(metricKey);
  const title = systemMetricTitle(metricKey);
  return (
    <HistoryCard
      runId={runId}
      metricKey={metricKey}
      idPrefix="system-metric"
      version={version}
      title={title}
      level="h4"
      subtitle={metricKey}
      chart={(history) => <TimeChart history={history} originMs={originMs} unit={unit} name={title} />}
    />
  );
}

function TimeChart({
  history,
  originMs,
  unit,
  name,
}: {
  history: History;
  originMs: number | null;
  unit: SystemUnit | null;
  name: string;
}) {
  const chart = useChartTheme();
  const series = useMemo(() => toTimeSeries(history, originMs), [history, originMs]);
  const points = useMemo(() => thinForChart(series.elapsed, series.values, DRAWN_POINTS), [series]);
  const n = series.elapsed.length;
  const first = series.elapsed[0] ?? 0;
  const last = series.elapsed.at(-1) ?? 0;
  const lines = useMemo(() => [plotLine(name, chart.lineAlt, points)], [name, chart.lineAlt, points]);
  const axes = useMemo(() => timeAxes(unit, first, last), [unit, first, last]);
  let latest: number | null = null;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of series.values) {
    if (v === null) continue;
    latest = v;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const notNumbers = series.nonFinite.filter(Boolean).length;
  const show = (v: number | null | undefined) => withUnit(formatMetric(v), unit);
  const since = originMs === null ? 'first sample' : 'start';
  return (
    <>
      <AxisFrame x={`Time since the ${originMs === null ? 'first sample' : 'run started'} (h:mm:ss)`} y={name}>
        <CanvasPlot
          lines={lines}
          axes={axes}
          height={PLOT_HEIGHT}
          className="chart-box"
          label={`${name} against the time since the ${since}: ${points.length} point${points.length === 1 ? '' : 's'} drawn`}
          readoutTitle={(_x, rows) => `${formatElapsed(rows[0]?.line.x[rows[0].i] ?? NaN)} since the ${since}`}
          readoutValue={({ line: l, i }) => show(l.y[i])}
        />
      </AxisFrame>
      <p className="chart-note">
        {n} sample{n === 1 ? '' : 's'}
        {n ? `, ${formatElapsed(first)}–${formatElapsed(last)}` : ''}
        {latest !== null ? `; latest ${show(latest)}` : ''}
        {lo < hi ? `, from ${show(lo)} to ${show(hi)}` : ''}
        {n > DRAWN_POINTS
          ? `; drawn from ${points.length} points that keep the first and last point and each stretch's lowest and highest value`
          : ''}
        .{history.truncated ? ` Only the first ${MAX_POINTS} samples are shown.` : ''}
      </p>
      {notNumbers ? (
        <p className="chart-note nonfinite">
          {notNumbers} value{notNumbers === 1 ? ' is' : 's are'} not finite (gaps in the line).
        </p>
      ) : null}
    </>
  );
}
