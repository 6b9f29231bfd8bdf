/**
 * Axis arithmetic shared by the canvas charts (CanvasPlot.tsx) of the run and compare pages: the
 * plot's geometry (axes' ends, scales, ticks), round ticks on linear and log axes, the finite
 * extent of value columns, nearest points, where the read-out goes.
 */

/** One line of the plot: y (null: a gap) at each x, x ascending. */
export interface PlotLine {
  id: string;
  label: string;
  color: string;
  x: readonly number[];
  y: readonly (number | null)[];
  /** Drawn faint behind `y`: the raw values under a smoothed line. */
  faint?: readonly (number | null)[];
  /** A faint band between `lo` and `hi` at each x. */
  lo?: readonly (number | null)[];
  hi?: readonly (number | null)[];
}

export interface PlotAxes {
  logY?: boolean;
  /** Fixed ends of the y axis (e.g. 0 to 100 for a percentage); an end left out follows the data. */
  yMin?: number;
  yMax?: number;
  /** The y ticks, given the axis' ends (default: round values, powers of ten on a log axis). */
  yTicks?: (lo: number, hi: number) => number[];
  /** The x ticks, given the axis' ends and how many fit (default: round values). */
  xTicks?: (lo: number, hi: number, count: number) => number[];
  /** Whole numbers only on the x axis (steps). */
  integerX?: boolean;
  formatX: (v: number, span: number) => string;
  formatY?: (v: number) => string;
}

/** The plot's margins around its lines: room for the ticks' labels. */
export const MARGIN = { left: 64, right: 14, top: 10, bottom: 26 };
/** Space between the pointer's guide line and the read-out. */
const TOOLTIP_GAP = 10;

export interface Geometry {
  width: number;
  height: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  logY: boolean;
  sx(v: number): number;
  sy(v: number): number;
  invX(px: number): number;
}

/** The axes' ends and the scales from values to pixels; null when there is nothing to draw or no room. */
export function geometry(lines: readonly PlotLine[], axes: PlotAxes, width: number, height: number): Geometry | null {
  const logY = axes.logY ?? false;
  let x0 = Infinity;
  let x1 = -Infinity;
  for (const l of lines) {
    const first = l.x[0];
    const last = l.x.at(-1);
    if (first === undefined || last === undefined) continue;
    x0 = Math.min(x0, first);
    x1 = Math.max(x1, last);
  }
  const columns = lines.flatMap((l) => [l.y, l.faint ?? [], l.lo ?? [], l.hi ?? []]);
  const ext = valueExtent(columns, logY);
  if (!(x0 <= x1) || !ext || width <= MARGIN.left + MARGIN.right) return null;
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
  // A fixed end holds unless the data goes past it.
  if (axes.yMin !== undefined && axes.yMin <= ext[0]) y0 = axes.yMin;
  if (axes.yMax !== undefined && axes.yMax >= ext[1]) y1 = axes.yMax;
  if (!(y0 < y1)) return null;
  const pw = width - MARGIN.left - MARGIN.right;
  const ph = height - MARGIN.top - MARGIN.bottom;
  const ly0 = Math.log(y0);
  const ly1 = Math.log(y1);
  return {
    width,
    height,
    x0,
    x1,
    y0,
    y1,
    logY,
    sx: (v) => MARGIN.left + ((v - x0) / (x1 - x0)) * pw,
    sy: logY ? (v) => MARGIN.top + (1 - (Math.log(v) - ly0) / (ly1 - ly0)) * ph : (v) => MARGIN.top + (1 - (v - y0) / (y1 - y0)) * ph,
    invX: (px) => x0 + ((px - MARGIN.left) / pw) * (x1 - x0),
  };
}

/** The ticks of both axes at this geometry. */
export function ticksOf(g: Geometry, axes: PlotAxes): { x: number[]; y: number[] } {
  const count = Math.max(2, Math.floor((g.width - MARGIN.left) / 110));
  let x = axes.xTicks ? axes.xTicks(g.x0, g.x1, count) : linearTicks(g.x0, g.x1, count);
  if (axes.integerX) x = x.filter((t) => Number.isInteger(t));
  const y = axes.yTicks ? axes.yTicks(g.y0, g.y1) : g.logY ? logTicks(g.y0, g.y1) : linearTicks(g.y0, g.y1, 5);
  return { x: x.filter((t) => t >= g.x0 && t <= g.x1), y: y.filter((t) => t >= g.y0 && t <= g.y1) };
}

/**
 * Where the read-out goes across the plot: right of the pointer when it fits, else left of it, and
 * in any case inside the plot (so inside its card), however wide the names make it.
 */
export function tooltipLeft(pointer: number, tooltipWidth: number, plotWidth: number): number {
  const right = pointer + TOOLTIP_GAP;
  const left = right + tooltipWidth <= plotWidth ? right : pointer - TOOLTIP_GAP - tooltipWidth;
  return Math.max(0, Math.min(left, plotWidth - tooltipWidth));
}

/** Round tick values covering [lo, hi]: 1, 2 or 5 × 10^k apart, about `count` of them. */
export function linearTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Powers of ten inside [lo, hi] (lo > 0), with 2× and 5× when there are few decades. */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi > 0)) return [];
  const out: number[] = [];
  const a = Math.floor(Math.log10(lo));
  const b = Math.ceil(Math.log10(hi));
  const mults = b - a <= 2 ? [1, 2, 5] : [1];
  for (let k = a; k <= b; k++)
    for (const m of mults) {
      const v = Number((m * Math.pow(10, k)).toPrecision(12));
      if (v >= lo && v <= hi) out.push(v);
    }
  return out.length ? out : [lo, hi];
}

/** Finite [min, max] over several value columns (positive values only on a log axis). */
export function valueExtent(columns: readonly (readonly (number | null)[])[], logY: boolean): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const col of columns)
    for (const v of col) {
      if (v === null || !Number.isFinite(v) || (logY && v <= 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  return lo <= hi ? [lo, hi] : null;
}

/** Index of the entry whose x is nearest to `x` (x sorted ascending); -1 when empty. */
export function nearestIndex(xs: readonly number[], x: number): number {
  if (!xs.length) return -1;
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    // 0 <= lo <= mid < hi <= xs.length - 1: mid is an index of xs.
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  const before = xs[lo - 1];
  const at = xs[lo];
  if (before !== undefined && at !== undefined && Math.abs(before - x) <= Math.abs(at - x)) return lo - 1;
  return lo;
}
