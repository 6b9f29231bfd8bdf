/**
 * The plot of a line chart drawn on a canvas, for the run page's metric charts and the compare
 * page's: grid, ticks, lines with their gaps, optional faint lines and min–max bands behind them,
 * a dot at each point of a short line, a hover read-out of every line's nearest point, and
 * drag-select to zoom. Why a canvas: recharts' SVG made a React element and a DOM node of every
 * tick, line and point, which took 450–1,050 ms of a run page's first visit for four charts and
 * far longer for the compare page's 20 runs (npm run bench:first-visit -- --detail,
 * docs/compare-design.md), and recharts itself is a large script the pages need not load.
 *
 * What it drew is on the canvas as data attributes, set when it draws, for tests and the
 * benchmark to read: data-drawn-points (finite points on the lines), data-lines (lines with at
 * least one), data-first-x and data-last-x
 * (the x of the first and last point), data-x-ticks and data-y-ticks (the labels, `|` between),
 * data-grid and data-text (the colours of the grid and of the labels).
 */
import { useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useChartTheme, type ChartTheme } from '../app/theme';
import { formatMetric } from '../runs/format';
import { geometry, MARGIN, nearestIndex, ticksOf, tooltipLeft, type Geometry, type PlotAxes, type PlotLine } from './scale';

export type { PlotAxes, PlotLine } from './scale';
import './charts.css';

/** A line's point nearest to the pointer, for the read-out. */
export interface ReadoutRow<L extends PlotLine> {
  line: L;
  i: number;
}

export interface CanvasPlotProps<L extends PlotLine> {
  lines: readonly L[];
  axes: PlotAxes;
  height: number;
  /** The width of the lines (`y`). */
  lineWidth?: number;
  /** The canvas' accessible name: what the chart shows. */
  label: string;
  /** Classes of the plot's box besides chart-plot. */
  className?: string;
  /** The read-out's heading at the pointer's x (`span`: the x axis' extent) and each line's value there. */
  readoutTitle: (x: number, rows: readonly ReadoutRow<L>[], span: number) => ReactNode;
  readoutValue: (row: ReadoutRow<L>) => ReactNode;
  /** What the lines are, in "and 3 more runs" under the read-out's rows. */
  rowsNoun?: string;
  /** Called with an x range the reader dragged across; without it there is no drag-select. */
  onZoom?: (x0: number, x1: number) => void;
  /** Called once the lines are on the canvas. */
  onDrawn?: () => void;
}

/** A line with fewer points than this has each point marked with a dot. */
const DOTS_BELOW = 40;
/** Rows of the hover read-out: as many as fit in the plot's height under its x line. */
const MAX_TOOLTIP_ROWS = 10;
/** Strokes a line through its finite points, lifting the pen at each gap; returns the points drawn. */
function strokeSeries(ctx: CanvasRenderingContext2D, g: Geometry, xs: readonly number[], ys: readonly (number | null)[]): number {
  ctx.beginPath();
  let pen = false;
  let drawn = 0;
  for (const [i, x] of xs.entries()) {
    const v = ys[i];
    if (v == null || !Number.isFinite(v) || (g.logY && v <= 0)) {
      pen = false;
      continue;
    }
    const px = g.sx(x);
    const py = g.sy(v);
    if (pen) ctx.lineTo(px, py);
    else ctx.moveTo(px, py);
    pen = true;
    drawn++;
  }
  ctx.stroke();
  return drawn;
}

/**
 * Dots on a line's points: every point of a short line, else each point standing alone between
 * gaps (which a line through it would not show).
 */
function dotSeries(ctx: CanvasRenderingContext2D, g: Geometry, xs: readonly number[], ys: readonly (number | null)[]): void {
  const ok = (v: number | null | undefined): v is number => v != null && Number.isFinite(v) && !(g.logY && v <= 0);
  const every = xs.length < DOTS_BELOW;
  ctx.beginPath();
  for (const [i, x] of xs.entries()) {
    const v = ys[i];
    if (!ok(v) || (!every && (ok(ys[i - 1]) || ok(ys[i + 1])))) continue;
    const px = g.sx(x);
    const py = g.sy(v);
    ctx.moveTo(px + 2.5, py);
    ctx.arc(px, py, 2.5, 0, 2 * Math.PI);
  }
  ctx.fill();
}

/** Fills the band between lo and hi, one polygon per stretch of points where both are present. */
function fillBand(ctx: CanvasRenderingContext2D, g: Geometry, l: PlotLine): void {
  if (!l.lo || !l.hi) return;
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
  lines: readonly PlotLine[],
  axes: PlotAxes,
  lineWidth: number,
  theme: ChartTheme,
): void {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(g.width * dpr);
  canvas.height = Math.round(g.height * dpr);
  canvas.style.width = `${g.width}px`;
  canvas.style.height = `${g.height}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, g.width, g.height);
  ctx.font = '12px system-ui, sans-serif';
  ctx.lineWidth = 1;
  const formatY = axes.formatY ?? formatMetric;
  const ticks = ticksOf(g, axes);
  const xLabels = ticks.x.map((t) => axes.formatX(t, g.x1 - g.x0));
  const yLabels = ticks.y.map((t) => formatY(t));
  // Grid and ticks.
  ctx.strokeStyle = theme.grid;
  ctx.fillStyle = theme.text;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  for (const [k, t] of ticks.y.entries()) {
    const py = Math.round(g.sy(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(MARGIN.left, py);
    ctx.lineTo(g.width - MARGIN.right, py);
    ctx.stroke();
    ctx.fillText(yLabels[k]!, MARGIN.left - 6, py);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const [k, t] of ticks.x.entries()) {
    const px = Math.round(g.sx(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(px, MARGIN.top);
    ctx.lineTo(px, g.height - MARGIN.bottom);
    ctx.stroke();
    ctx.fillText(xLabels[k]!, px, g.height - MARGIN.bottom + 6);
  }
  ctx.save();
  ctx.beginPath();
  // A little room outside the plot, so dots and lines at its edges are drawn whole.
  ctx.rect(MARGIN.left - 3, MARGIN.top - 3, g.width - MARGIN.left - MARGIN.right + 6, g.height - MARGIN.top - MARGIN.bottom + 6);
  ctx.clip();
  // Bands first (faint), then the faint lines, then the lines.
  ctx.globalAlpha = 0.13;
  for (const l of lines) {
    ctx.fillStyle = l.color;
    fillBand(ctx, g, l);
  }
  ctx.lineJoin = 'round';
  ctx.globalAlpha = 0.28;
  ctx.lineWidth = 1;
  for (const l of lines) {
    if (!l.faint) continue;
    ctx.strokeStyle = l.color;
    strokeSeries(ctx, g, l.x, l.faint);
  }
  ctx.globalAlpha = 1;
  ctx.lineWidth = lineWidth;
  let drawn = 0;
  let drawnLines = 0;
  for (const l of lines) {
    ctx.strokeStyle = l.color;
    ctx.fillStyle = l.color;
    const n = strokeSeries(ctx, g, l.x, l.y);
    dotSeries(ctx, g, l.x, l.y);
    drawn += n;
    if (n) drawnLines++;
  }
  ctx.restore();
  Object.assign(canvas.dataset, {
    drawnPoints: String(drawn),
    lines: String(drawnLines),
    firstX: String(Math.min(...lines.map((l) => l.x[0] ?? Infinity))),
    lastX: String(Math.max(...lines.map((l) => l.x.at(-1) ?? -Infinity))),
    xTicks: xLabels.join('|'),
    yTicks: yLabels.join('|'),
    grid: theme.grid,
    text: theme.text,
  });
}

/** The box's width, followed as it changes. */
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

export function CanvasPlot<L extends PlotLine>({
  lines,
  axes,
  height,
  lineWidth = 1.6,
  label,
  className,
  readoutTitle,
  readoutValue,
  rowsNoun = 'lines',
  onZoom,
  onDrawn,
}: CanvasPlotProps<L>) {
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const width = useWidth(wrap);
  const theme = useChartTheme();
  const g = useMemo(() => geometry(lines, axes, width, height), [lines, axes, width, height]);
  const [hoverPx, setHoverPx] = useState<number | null>(null);
  const [drag, setDrag] = useState<{ a: number; b: number } | null>(null);
  const tip = useRef<HTMLDivElement>(null);
  // The read-out's width is known only once it is laid out: placed before the browser paints it.
  useLayoutEffect(() => {
    const el = tip.current;
    if (el && hoverPx !== null && g) el.style.left = `${tooltipLeft(hoverPx, el.offsetWidth, g.width)}px`;
  });
  // The latest onDrawn, without drawing again when only the callback changed (declared before the drawing's effect, so it runs first).
  const drawnRef = useRef(onDrawn);
  useLayoutEffect(() => {
    drawnRef.current = onDrawn;
  });
  useLayoutEffect(() => {
    if (!width) return;
    if (g && canvas.current) draw(canvas.current, g, lines, axes, lineWidth, theme);
    else if (canvas.current) {
      canvas.current.width = 0;
      Object.assign(canvas.current.dataset, { drawnPoints: '0', lines: '0' });
    }
    drawnRef.current?.();
  }, [g, lines, axes, lineWidth, width, theme]);

  const localX = (e: React.MouseEvent) => e.clientX - (wrap.current?.getBoundingClientRect().left ?? 0);
  const inPlot = (px: number) => g !== null && px >= MARGIN.left && px <= g.width - MARGIN.right;
  let tooltip: ReactNode = null;
  if (g && hoverPx !== null && !drag) {
    const x = g.invX(hoverPx);
    const rows: ReadoutRow<L>[] = [];
    for (const line of lines) {
      const i = nearestIndex(line.x, x);
      if (i >= 0) rows.push({ line, i });
    }
    const shown = rows.slice(0, MAX_TOOLTIP_ROWS);
    tooltip = (
      <>
        <div className="chart-guide" style={{ left: hoverPx, top: MARGIN.top, bottom: MARGIN.bottom }} />
        <div className="chart-tooltip" ref={tip}>
          <div className="chart-tooltip-x">{readoutTitle(x, rows, g.x1 - g.x0)}</div>
          {shown.map((row) => (
            <div key={row.line.id} className="chart-tooltip-row">
              <span className="swatch" style={{ background: row.line.color }} />
              <span className="chart-tooltip-name">{row.line.label}</span>
              <span className="chart-tooltip-value">{readoutValue(row)}</span>
            </div>
          ))}
          {rows.length > shown.length ? (
            <div className="muted">
              and {rows.length - shown.length} more {rowsNoun}
            </div>
          ) : null}
        </div>
      </>
    );
  }
  return (
    <div
      ref={wrap}
      className={className ? `chart-plot ${className}` : 'chart-plot'}
      style={{ height }}
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
          className="chart-selection"
          style={{
            left: Math.min(drag.a, drag.b),
            width: Math.abs(drag.b - drag.a),
            top: MARGIN.top,
            height: height - MARGIN.top - MARGIN.bottom,
          }}
        />
      ) : null}
      {tooltip}
    </div>
  );
}
