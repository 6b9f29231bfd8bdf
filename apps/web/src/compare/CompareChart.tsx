/**
 * One metric with every compared run overlaid: the bucket `last` line (EMA-smoothed when
 * smoothing is on, the raw line faint behind it), the faint min–max band of each bucket, a hover
 * readout of every run's value at that x, and drag-select to zoom. Drawn on a canvas (the charts'
 * CanvasPlot, as the run page's): recharts' SVG took far longer for 20 runs × (raw + EMA + band) ×
 * 1,000 points (figures in docs/compare-design.md); `renderer="recharts"` keeps the SVG version
 * for that comparison.
 */
import { lazy, Suspense, useMemo, type ReactNode } from 'react';
import { CanvasPlot, type PlotAxes, type PlotLine } from '../charts/CanvasPlot';
import { AxisFrame } from '../runs/AxisFrame';
import { formatMetric } from '../runs/format';
import { formatElapsed, type PreparedLine, type XMode } from './series';

export type Renderer = 'canvas' | 'recharts';

/** Only `renderer=recharts` loads recharts (a large module the canvas page does not need). */
const RechartsPlot = lazy(() => import('./RechartsPlot'));

export interface CompareChartProps {
  id: string;
  title: string;
  /** The axes' titles (the y axis' with its unit, where the metric has one). */
  xTitle: string;
  yTitle: string;
  lines: PreparedLine[];
  xMode: XMode;
  logY: boolean;
  smoothing: number;
  renderer: Renderer;
  /** Called with an x range (in the axis' unit) the user dragged across. */
  onZoom?: (x0: number, x1: number) => void;
  /** Names the chart to onDrawn. */
  chartKey: string;
  /** Called with the lines once they are on screen. */
  onDrawn: (chartKey: string, lines: PreparedLine[]) => void;
  children?: ReactNode;
}

export const HEIGHT = 240;

export function formatX(v: number, mode: XMode, span: number): string {
  if (mode === 'step') return formatMetric(v);
  if (mode === 'relative') return formatElapsed(v);
  const d = new Date(v);
  if (span > 2 * 86400_000) return d.toISOString().slice(5, 10);
  return d.toISOString().slice(11, span < 120_000 ? 19 : 16);
}

/** A compared run's (or group's) line as the plot draws it: the smoothed line over the faint raw one when smoothing. */
interface CompareLine extends PlotLine {
  prepared: PreparedLine;
}

function CanvasCompare({
  lines,
  xMode,
  logY,
  smoothing,
  onZoom,
  onDrawn,
  chartKey,
  label,
}: Omit<CompareChartProps, 'id' | 'title' | 'xTitle' | 'yTitle' | 'renderer' | 'children'> & { label: string }) {
  const plotLines = useMemo(
    () =>
      lines.map((l): CompareLine => ({
        id: l.id,
        label: l.label,
        color: l.color,
        x: l.x,
        y: smoothing > 0 ? l.smoothed : l.raw,
        faint: smoothing > 0 ? l.raw : undefined,
        lo: l.lo,
        hi: l.hi,
        prepared: l,
      })),
    [lines, smoothing],
  );
  const axes = useMemo((): PlotAxes => ({ logY, formatX: (v, span) => formatX(v, xMode, span) }), [logY, xMode]);
  return (
    <CanvasPlot
      lines={plotLines}
      axes={axes}
      height={HEIGHT}
      lineWidth={smoothing > 0 ? 1.6 : 1.5}
      label={label}
      rowsNoun="runs"
      onZoom={onZoom}
      onDrawn={() => onDrawn(chartKey, lines)}
      readoutTitle={(x, _rows, span) => (xMode === 'step' ? `step ≈ ${formatMetric(Math.round(x))}` : formatX(x, xMode, span))}
      readoutValue={({ line: { prepared: l }, i }) => (
        <>
          {formatMetric(smoothing > 0 ? l.smoothed[i] : l.raw[i])}
          {smoothing > 0 ? <span className="muted"> ({formatMetric(l.raw[i])})</span> : null}
          <span className="muted"> @ {formatMetric(l.steps[i])}</span>
        </>
      )}
    />
  );
}

export function CompareChart({
  id,
  title,
  xTitle,
  yTitle,
  lines,
  xMode,
  logY,
  smoothing,
  renderer,
  onZoom,
  onDrawn,
  chartKey,
  children,
}: CompareChartProps) {
  const points = lines.reduce((n, l) => n + l.x.length, 0);
  const label = `${title}: ${lines.length} line${lines.length === 1 ? '' : 's'}, ${points} points${logY ? ', log scale' : ''}`;
  return (
    <figure className="chart-card cmp-chart" aria-labelledby={`${id}-title`} data-metric={title} data-points={points}>
      <h3 id={`${id}-title`}>{title}</h3>
      {points === 0 ? (
        <p className="chart-note">{logY ? 'No positive values to draw on a log scale.' : 'No points in this window.'}</p>
      ) : null}
      <AxisFrame x={xTitle} y={logY ? `${yTitle}, log scale` : yTitle}>
        {renderer === 'recharts' ? (
          <Suspense fallback={<div className="chart-plot" style={{ height: HEIGHT }} aria-hidden="true" />}>
            <RechartsPlot lines={lines} xMode={xMode} logY={logY} smoothing={smoothing} onDrawn={onDrawn} chartKey={chartKey} />
          </Suspense>
        ) : (
          <CanvasCompare
            lines={lines}
            xMode={xMode}
            logY={logY}
            smoothing={smoothing}
            onZoom={onZoom}
            onDrawn={onDrawn}
            chartKey={chartKey}
            label={label}
          />
        )}
      </AxisFrame>
      {children}
    </figure>
  );
}
