/**
 * The compare page's client-side arithmetic over downsampled series (docs/compare-design.md):
 * stable run colours, TensorBoard's debiased EMA, x axes (step, wall time, relative time), group
 * mean and min–max bands on the server's shared bucket edges. Axis ticks and nearest points are
 * the canvas charts' (charts/scale.ts), re-exported here for the compare page's code.
 */

export { linearTicks, logTicks, nearestIndex, valueExtent } from '../charts/scale';

/** FNV-1a over the run id: the same run gets the same colour in every view, whatever else is compared. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Twenty colours far apart from each other, all dark enough to read on white. */
export const PALETTE: readonly [string, ...string[]] = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#ff7f0e',
  '#17becf',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#393b79',
  '#ad494a',
  '#637939',
  '#7b4173',
  '#8c6d31',
  '#3182bd',
  '#e6550d',
  '#31a354',
  '#756bb1',
  '#636363',
];

/** The palette's colour at `slot`, counting round past its end. */
export function paletteColor(slot: number): string {
  return PALETTE[slot % PALETTE.length] ?? PALETTE[0];
}

/** A colour derived from the run id alone (hue from the hash): the fallback past the palette. */
export function runColor(runId: string): string {
  const h = hashString(runId);
  return `hsl(${h % 360}, ${62 + ((h >>> 9) % 3) * 8}%, ${[36, 44, 30][(h >>> 12) % 3]}%)`;
}

/**
 * Colours of the compared runs: each run takes the palette slot its id hashes to, or the next
 * free one when an earlier run in the list holds it, so up to 20 runs always get distinct colours
 * and a run keeps its colour in every view where it does not collide. Past 20, the hash's hue.
 */
export function runColors(runIds: readonly string[]): Map<string, string> {
  const taken = new Set<number>();
  const out = new Map<string, string>();
  for (const id of runIds) {
    if (out.has(id)) continue;
    if (taken.size >= PALETTE.length) {
      out.set(id, runColor(id));
      continue;
    }
    let slot = hashString(id) % PALETTE.length;
    while (taken.has(slot)) slot = (slot + 1) % PALETTE.length;
    taken.add(slot);
    out.set(id, paletteColor(slot));
  }
  return out;
}

/**
 * TensorBoard's smoothing: an exponential moving average debiased by 1 − weight^n so the first
 * points are not pulled to zero. Gaps (null) stay gaps and do not advance the average.
 */
export function emaSmooth(values: readonly (number | null)[], weight: number): (number | null)[] {
  if (!(weight > 0)) return values.slice();
  let last = 0;
  let n = 0;
  const out: (number | null)[] = new Array(values.length);
  for (const [i, v] of values.entries()) {
    if (v === null || !Number.isFinite(v)) {
      out[i] = null;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    n++;
    out[i] = last / (1 - Math.pow(weight, n));
  }
  return out;
}

export type XMode = 'step' | 'wall' | 'relative';

export interface SeriesColumns {
  runId: string;
  key: string;
  buckets: readonly (number | null)[];
  steps: readonly (number | null)[];
  /** Absent when not asked for (the step axis does not need them). */
  timestamps?: readonly (number | null)[] | null;
  last: readonly (number | null)[];
  min: readonly (number | null)[];
  max: readonly (number | null)[];
}

/** One run's (or group's) drawable line: x in the chosen unit, the step behind each point, values. */
export interface PreparedLine {
  id: string;
  label: string;
  color: string;
  x: number[];
  steps: number[];
  buckets: number[];
  raw: (number | null)[];
  smoothed: (number | null)[];
  lo: (number | null)[];
  hi: (number | null)[];
}

/**
 * x of each entry: the step, the epoch ms of the point, or ms since the run started (its start
 * time, else its first point). Entries without a time are dropped on the time axes.
 */
export function prepareLine(
  s: SeriesColumns,
  opts: { xMode: XMode; startMs: number | null; smoothing: number; logY: boolean; label: string; color: string },
): PreparedLine {
  const line: PreparedLine = {
    id: s.runId,
    label: opts.label,
    color: opts.color,
    x: [],
    steps: [],
    buckets: [],
    raw: [],
    smoothed: [],
    lo: [],
    hi: [],
  };
  const times = s.timestamps ?? [];
  let origin = opts.startMs;
  if (opts.xMode === 'relative' && origin === null) origin = times.find((t): t is number => t !== null) ?? 0;
  // A value column shorter than the steps reads as gaps there.
  const keep = (v: number | null | undefined) => (v == null || (opts.logY && v <= 0) ? null : v);
  for (const [i, step] of s.steps.entries()) {
    if (step === null) continue;
    let x: number;
    if (opts.xMode === 'step') x = step;
    else {
      const t = times[i];
      if (t === null || t === undefined) continue;
      x = opts.xMode === 'wall' ? t : t - (origin as number);
    }
    line.x.push(x);
    line.steps.push(step);
    line.buckets.push(s.buckets[i] ?? i);
    line.raw.push(keep(s.last[i]));
    line.lo.push(keep(s.min[i]));
    line.hi.push(keep(s.max[i]));
  }
  line.smoothed = emaSmooth(line.raw, opts.smoothing);
  return line;
}

/**
 * A group's line on the shared bucket edges: per bucket index present in any member, the mean of
 * the members' values there, and the min and max across members as the band. x is the members'
 * mean x at that bucket. Smoothing applies to the mean.
 */
export function groupLine(
  members: readonly PreparedLine[],
  opts: { id: string; label: string; color: string; smoothing: number },
): PreparedLine {
  const acc = new Map<number, { sum: number; n: number; lo: number; hi: number; x: number; xs: number; step: number }>();
  for (const m of members) {
    for (const [i, b] of m.buckets.entries()) {
      const v = m.raw[i];
      const x = m.x[i];
      const step = m.steps[i];
      if (v == null || x === undefined || step === undefined) continue;
      const a = acc.get(b);
      if (a) {
        a.sum += v;
        a.n++;
        a.lo = Math.min(a.lo, v);
        a.hi = Math.max(a.hi, v);
        a.x += x;
        a.xs++;
        a.step = Math.max(a.step, step);
      } else acc.set(b, { sum: v, n: 1, lo: v, hi: v, x, xs: 1, step });
    }
  }
  const line: PreparedLine = {
    id: opts.id,
    label: opts.label,
    color: opts.color,
    x: [],
    steps: [],
    buckets: [],
    raw: [],
    smoothed: [],
    lo: [],
    hi: [],
  };
  for (const [b, a] of [...acc].sort(([p], [q]) => p - q)) {
    line.buckets.push(b);
    line.x.push(a.x / a.xs);
    line.steps.push(a.step);
    line.raw.push(a.sum / a.n);
    line.lo.push(a.lo);
    line.hi.push(a.hi);
  }
  line.smoothed = emaSmooth(line.raw, opts.smoothing);
  return line;
}

/** The step window behind an x range: the smallest and largest step drawn inside it, over all lines. */
export function stepWindow(lines: readonly PreparedLine[], x0: number, x1: number): [number, number] | null {
  const [a, b] = x0 <= x1 ? [x0, x1] : [x1, x0];
  let lo = Infinity;
  let hi = -Infinity;
  for (const l of lines) {
    for (const [i, x] of l.x.entries()) {
      const step = l.steps[i];
      if (x < a || x > b || step === undefined) continue;
      lo = Math.min(lo, step);
      hi = Math.max(hi, step);
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/** "1 h 02 min", "3 min 05 s", "42 s" for relative time (ms). */
export function formatElapsed(ms: number): string {
  const sign = ms < 0 ? '−' : '';
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${sign}${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${sign}${m} min${s % 60 ? ` ${String(s % 60).padStart(2, '0')} s` : ''}`;
  return `${sign}${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
