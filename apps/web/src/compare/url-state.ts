/**
 * Everything the compare page shows is in its URL, so every view is a shareable link and a saved
 * view is just its query parameters. Defaults are left out of the URL.
 */
import { isSystemMetric } from '../runs/system-metrics';
import type { XMode } from './series';

export { isSystemMetric };

export const MAX_COMPARED_RUNS = 100;

export interface CompareState {
  runs: string[];
  /** Chosen metric keys (system/ ones included); null = the default choice. */
  metrics: string[] | null;
  x: XMode;
  y: 'linear' | 'log';
  /** EMA weight, 0 (off) to 0.99. */
  smooth: number;
  /** Zoom window in steps; null = the whole series. */
  from: number | null;
  to: number | null;
  /** Runs switched off in the legend. */
  hide: string[];
  /** Group runs by `param:<key>` or `tag:<key>`. */
  group: string | null;
  /** Show the diff table's identical rows too. */
  same: boolean;
  /** Scatter: x is `param:<key>` or `metric:<key>`, y a metric key. */
  sx: string | null;
  sy: string | null;
  /** Parallel coordinates: param keys, then the metric. */
  pc: string[] | null;
  pm: string | null;
  /** Which value of each metric the scatter (sv) and parallel coordinates (pv) plot: latest (default) or best. */
  sv: 'latest' | 'best';
  pv: 'latest' | 'best';
}

export const DEFAULT_SMOOTHING = 0.6;

const list = (v: string | null): string[] =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
const num = (v: string | null): number | null => {
  if (v === null || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

export function parseCompareState(search: URLSearchParams): CompareState {
  const x = search.get('x');
  const smooth = num(search.get('smooth'));
  const metrics = search.get('metrics');
  const pc = search.get('pc');
  let from = num(search.get('from'));
  let to = num(search.get('to'));
  if (from !== null && to !== null && from > to) [from, to] = [to, from];
  return {
    runs: [...new Set(list(search.get('runs')))].slice(0, MAX_COMPARED_RUNS),
    metrics: metrics === null ? null : [...new Set(list(metrics))],
    x: x === 'wall' || x === 'relative' ? x : 'step',
    y: search.get('y') === 'log' ? 'log' : 'linear',
    smooth: smooth === null ? DEFAULT_SMOOTHING : Math.min(0.99, Math.max(0, smooth)),
    from,
    to,
    hide: list(search.get('hide')),
    group: search.get('group') || null,
    same: search.get('same') === '1',
    sx: search.get('sx') || null,
    sy: search.get('sy') || null,
    pc: pc === null ? null : list(pc),
    pm: search.get('pm') || null,
    sv: search.get('sv') === 'best' ? 'best' : 'latest',
    pv: search.get('pv') === 'best' ? 'best' : 'latest',
  };
}

/** The query string of a state, defaults left out, in a fixed order. */
export function compareSearch(s: CompareState): URLSearchParams {
  const out = new URLSearchParams();
  out.set('runs', s.runs.join(','));
  if (s.metrics !== null) out.set('metrics', s.metrics.join(','));
  if (s.x !== 'step') out.set('x', s.x);
  if (s.y !== 'linear') out.set('y', s.y);
  if (s.smooth !== DEFAULT_SMOOTHING) out.set('smooth', String(s.smooth));
  if (s.from !== null) out.set('from', String(s.from));
  if (s.to !== null) out.set('to', String(s.to));
  if (s.hide.length) out.set('hide', s.hide.join(','));
  if (s.group) out.set('group', s.group);
  if (s.same) out.set('same', '1');
  if (s.sx) out.set('sx', s.sx);
  if (s.sy) out.set('sy', s.sy);
  if (s.pc !== null) out.set('pc', s.pc.join(','));
  if (s.pm) out.set('pm', s.pm);
  if (s.sv === 'best') out.set('sv', 'best');
  if (s.pv === 'best') out.set('pv', 'best');
  return out;
}

/** A saved view's state entries back into a query string (unknown parameters are dropped by parsing). */
export function searchOfEntries(entries: readonly { key: string; value: string }[]): string {
  return compareSearch(parseCompareState(new URLSearchParams(entries.map((e) => [e.key, e.value])))).toString();
}

/** The metrics shown when the URL does not choose: up to 6 training metrics and 4 system ones, most common first. */
export function defaultMetrics(keys: readonly string[]): string[] {
  return [...keys.filter((k) => !isSystemMetric(k)).slice(0, 6), ...keys.filter(isSystemMetric).slice(0, 4)];
}
