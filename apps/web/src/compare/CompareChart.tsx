/**
 * One metric with every compared run overlaid: the bucket `last` line (EMA-smoothed when
 * smoothing is on, the raw line faint behind it), the faint min–max band of each bucket, a hover
 * readout of every run's value at that x, and drag-select to zoom. Drawn on a canvas: recharts'
 * SVG took far longer for 20 runs × (raw + EMA + band) × 1,000 points (figures in
 * docs/compare-design.md); `renderer="recharts"` keeps the SVG version for that comparison.
 */
import { lazy, Suspense, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useChartTheme, type ChartTheme } from '../app/theme';
import { AxisFrame } from '../runs/AxisFrame';
import { formatMetric } from '../runs/format';
import { formatElapsed, linearTicks, logTicks, nearestIndex, valueExtent, type PreparedLine, type XMode } from './series';

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
const M = { left: 64, right: 14, top: 10, bottom: 26 };

export function formatX(v: number, mode: XMode, span: number): string {
  if (mode === 'step') return formatMetric(v);
  if (mode === 'relative') return formatElapsed(v);
  const d = new Date(v);
  if (span > 2 * 86400_000) return d.toISOString().slice(5, 10);
  return d.toISOString().slice(11, span < 120_000 ? 19 : 16);
}

interface Geometry {
  width: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  logY: boolean;
  sx(v: number): number;
  sy(v: number): number;
  invX(px: number): number;
}

function geometry(lines: readonly PreparedLine[], width: number, logY: boolean): Geometry | null {
  let x0 = Infinity;
  let x1 = -Infinity;
  for (const l of lines) {
    const first = l.x[0];
    const last = l.x.at(-1);
    if (first === undefined || last === undefined) continue;
    x0 = Math.min(x0, first);
    x1 = Math.max(x1, last);
  }
  const ext = valueExtent(
    lines.flatMap((l) => [l.lo, l.hi, l.raw, l.smoothed]),
    logY,
  );
  if (!(x0 <= x1) || !ext || width <= M.left + M.right) return null;
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  let [y0, y1] = ext;
  if (logY) {
    if (y0 === y1) [y0, y1] = [y0 / 2, y1 * 2];
    const pad = Math.pow(y1 / y0, 0.04);
    [y0, y1] = [y0 / pad, y1 * pad];
  } else {
    if (y0 === y1) [y0, y1] = [y0 - Math.abs(y0 || 1) * 0.1, y1 + Math.abs(y1 || 1) * 0.1];
    const pad = (y1 - y0) * 0.04;
    [y0, y1] = [y0 - pad, y1 + pad];
  }
  const pw = width - M.left - M.right;
  const ph = HEIGHT - M.top - M.bottom;
  const ly0 = Math.log(y0);
  const ly1 = Math.log(y1);
  return {
    width,
    x0,
    x1,
    y0,
    y1,
    logY,
    sx: (v) => M.left + ((v - x0) / (x1 - x0)) * pw,
    sy: logY ? (v) => M.top + (1 - (Math.log(v) - ly0) / (ly1 - ly0)) * ph : (v) => M.top + (1 - (v - y0) / (y1 - y0)) * ph,
    invX: (px) => x0 + ((px - M.left) / pw) * (x1 - x0),
  };
}

function strokeSeries(ctx: CanvasRenderingContext2D, g: Geometry, xs: readonly number[], ys: readonly (number | null)[]): void {
  ctx.beginPath();
  let pen = false;
  for (const [i, x] of xs.entries()) {
    const v = ys[i];
    if (v == null) {
      pen = false;
      continue;
    }
    const px = g.sx(x);
    const py = g.sy(v);
    if (pen) ctx.lineTo(px, py);
    else ctx.moveTo(px, py);
    pen = true;
  }
  ctx.stroke();
}

/** Fills the band between lo and hi, one polygon per stretch of points where both are present. */
function fillBand(ctx: CanvasRenderingContext2D, g: Geometry, l: PreparedLine): void {
  let stretch: { x: number; lo: number; hi: number }[] = [];
  const fill = () => {
    const [first, ...rest] = stretch;
    if (!first) return;
    ctx.beginPath();
    ctx.moveTo(g.sx(first.x), g.sy(first.hi));
    for (const p of rest) ctx.lineTo(g.sx(p.x), g.sy(p.hi));
    for (const p of [...stretch].reverse()) ctx.lineTo(g.sx(p.x), g.sy(p.lo));
    ctx.closePath();
    ctx.fill();
  };
  for (const [i, x] of l.x.entries()) {
    const lo = l.lo[i];
    const hi = l.hi[i];
    if (lo == null || hi == null) {
      fill();
      stretch = [];
    } else stretch.push({ x, lo, hi });
  }
  fill();
}

function draw(
  canvas: HTMLCanvasElement,
  g: Geometry,
  lines: readonly PreparedLine[],
  xMode: XMode,
  smoothing: number,
  theme: ChartTheme,
): void {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(g.width * dpr);
  canvas.height = Math.round(HEIGHT * dpr);
  canvas.style.width = `${g.width}px`;
  canvas.style.height = `${HEIGHT}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, g.width, HEIGHT);
  ctx.font = '12px system-ui, sans-serif';
  ctx.lineWidth = 1;
  // Grid and ticks.
  ctx.strokeStyle = theme.grid;
  ctx.fillStyle = theme.text;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  for (const t of g.logY ? logTicks(g.y0, g.y1) : linearTicks(g.y0, g.y1, 5)) {
    const py = Math.round(g.sy(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(M.left, py);
    ctx.lineTo(g.width - M.right, py);
    ctx.stroke();
    ctx.fillText(formatMetric(t), M.left - 6, py);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const xTicks = linearTicks(g.x0, g.x1, Math.max(2, Math.floor((g.width - M.left) / 110)));
  for (const t of xTicks) {
    const px = Math.round(g.sx(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(px, M.top);
    ctx.lineTo(px, HEIGHT - M.bottom);
    ctx.stroke();
    ctx.fillText(formatX(t, xMode, g.x1 - g.x0), px, HEIGHT - M.bottom + 6);
  }
  ctx.save();
  ctx.beginPath();
  ctx.rect(M.left, M.top, g.width - M.left - M.right, HEIGHT - M.top - M.bottom);
  ctx.clip();
  // Bands first (faint), then raw lines (faint when smoothed), then the smoothed lines.
  ctx.globalAlpha = 0.13;
  for (const l of lines) {
    ctx.fillStyle = l.color;
    fillBand(ctx, g, l);
  }
  ctx.lineJoin = 'round';
  ctx.globalAlpha = smoothing > 0 ? 0.28 : 1;
  ctx.lineWidth = smoothing > 0 ? 1 : 1.5;
  for (const l of lines) {
    ctx.strokeStyle = l.color;
    strokeSeries(ctx, g, l.x, l.raw);
  }
  if (smoothing > 0) {
    ctx.globalAlpha = 1;
    ctx.lineWidth = 1.6;
    for (const l of lines) {
      ctx.strokeStyle = l.color;
      strokeSeries(ctx, g, l.x, l.smoothed);
    }
  }
  ctx.restore();
}

function useWidth(ref: React.RefObject<HTMLDivElement | null>): number {
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(el.clientWidth);
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return width;
}

/** Rows of the hover read-out: as many as fit in the plot's height under its x line. */
const MAX_TOOLTIP_ROWS = 10;
/** Space between the pointer's guide line and the read-out. */
const TOOLTIP_GAP = 10;

/**
 * Where the read-out goes across the plot: right of the pointer when it fits, else left of it, and
 * in any case inside the plot (so inside its card), however wide the run names make it.
 */
export function tooltipLeft(pointer: number, tooltipWidth: number, plotWidth: number): number {
  const right = pointer + TOOLTIP_GAP;
  const left = right + tooltipWidth <= plotWidth ? right : pointer - TOOLTIP_GAP - tooltipWidth;
  return Math.max(0, Math.min(left, plotWidth - tooltipWidth));
}

function CanvasPlot({
  lines,
  xMode,
  logY,
  smoothing,
  onZoom,
  onDrawn,
  chartKey,
  label,
}: Omit<CompareChartProps, 'id' | 'title' | 'xTitle' | 'yTitle' | 'renderer' | 'children'> & { label: string }) {
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const width = useWidth(wrap);
  const theme = useChartTheme();
  const g = useMemo(() => geometry(lines, width, logY), [lines, width, logY]);
  const [hoverPx, setHoverPx] = useState<number | null>(null);
  const [drag, setDrag] = useState<{ a: number; b: number } | null>(null);
  const tip = useRef<HTMLDivElement>(null);
  // The read-out's width is known only once it is laid out: placed before the browser paints it.
  useLayoutEffect(() => {
    const el = tip.current;
    if (el && hoverPx !== null && g) el.style.left = `${tooltipLeft(hoverPx, el.offsetWidth, g.width)}px`;
  });
  useLayoutEffect(() => {
    if (!width) return;
    if (g && canvas.current) draw(canvas.current, g, lines, xMode, smoothing, theme);
    onDrawn(chartKey, lines);
  }, [g, lines, xMode, smoothing, width, onDrawn, chartKey, theme]);

  const localX = (e: React.MouseEvent) => e.clientX - (wrap.current?.getBoundingClientRect().left ?? 0);
  const inPlot = (px: number) => g !== null && px >= M.left && px <= g.width - M.right;
  let tooltip: ReactNode = null;
  if (g && hoverPx !== null && !drag) {
    const x = g.invX(hoverPx);
    const rows = lines
      .map((l) => {
        const i = nearestIndex(l.x, x);
        return i < 0 ? null : { l, i };
      })
      .filter((r): r is { l: PreparedLine; i: number } => r !== null);
    const shown = rows.slice(0, MAX_TOOLTIP_ROWS);
    tooltip = (
      <>
        <div className="cmp-guide" style={{ left: hoverPx }} />
        <div className="cmp-tooltip" ref={tip}>
          <div className="cmp-tooltip-x">{xMode === 'step' ? `step ≈ ${formatMetric(Math.round(x))}` : formatX(x, xMode, g.x1 - g.x0)}</div>
          {shown.map(({ l, i }) => (
            <div key={l.id} className="cmp-tooltip-row">
              <span className="swatch" style={{ background: l.color }} />
              <span className="cmp-tooltip-name">{l.label}</span>
              <span className="cmp-tooltip-value">
                {formatMetric(smoothing > 0 ? l.smoothed[i] : l.raw[i])}
                {smoothing > 0 ? <span className="muted"> ({formatMetric(l.raw[i])})</span> : null}
                <span className="muted"> @ {formatMetric(l.steps[i])}</span>
              </span>
            </div>
          ))}
          {rows.length > shown.length ? <div className="muted">and {rows.length - shown.length} more runs</div> : null}
        </div>
      </>
    );
  }
  return (
    <div
      ref={wrap}
      className="cmp-plot"
      style={{ height: HEIGHT }}
      onMouseMove={(e) => {
        const px = localX(e);
        if (drag) setDrag({ ...drag, b: px });
        setHoverPx(inPlot(px) ? px : null);
      }}
      onMouseLeave={() => {
        setHoverPx(null);
        setDrag(null);
      }}
      onMouseDown={(e) => {
        const px = localX(e);
        if (inPlot(px) && onZoom) {
          e.preventDefault();
          setDrag({ a: px, b: px });
        }
      }}
      onMouseUp={() => {
        if (drag && g && onZoom && Math.abs(drag.b - drag.a) > 4)
          onZoom(g.invX(Math.min(drag.a, drag.b)), g.invX(Math.max(drag.a, drag.b)));
        setDrag(null);
      }}
    >
      <canvas ref={canvas} role="img" aria-label={label} />
      {drag ? (
        <div
          className="cmp-selection"
          style={{ left: Math.min(drag.a, drag.b), width: Math.abs(drag.b - drag.a), top: M.top, height: HEIGHT - M.top - M.bottom }}
        />
      ) : null}
      {tooltip}
    </div>
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
          <Suspense fallback={<div className="cmp-plot" style={{ height: HEIGHT }} aria-hidden="true" />}>
            <RechartsPlot lines={lines} xMode={xMode} logY={logY} smoothing={smoothing} onDrawn={onDrawn} chartKey={chartKey} />
          </Suspense>
        ) : (
          <CanvasPlot
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
