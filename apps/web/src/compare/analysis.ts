/** Pure helpers of the compare page's tables and plots: the param/tag diff, axis values, groups. */

export interface RunFacts {
  runId: string;
  name: string;
  color: string;
  params: readonly { key: string; value: string }[];
  tags: readonly { key: string; value: string }[];
  latestMetrics: readonly { key: string; value: number | null }[];
  /** Each metric's best (by the project's direction) and the first step it was reached at; absent until known. */
  bestMetrics?: readonly { key: string; value: number; step: number }[];
}

export interface DiffRow {
  kind: 'param' | 'tag';
  key: string;
  /** One per run; null where the run does not have the key. */
  values: (string | null)[];
  differs: boolean;
}

/** Rows of params then tags (MLflow's own `mlflow.` tags left out), each marked when the runs do not all agree. */
export function diffRows(runs: readonly RunFacts[]): DiffRow[] {
  const rows: DiffRow[] = [];
  for (const kind of ['param', 'tag'] as const) {
    const keys = new Set<string>();
    for (const r of runs)
      for (const kv of kind === 'param' ? r.params : r.tags) if (kind === 'param' || !kv.key.startsWith('mlflow.')) keys.add(kv.key);
    for (const key of [...keys].sort()) {
      const values = runs.map((r) => (kind === 'param' ? r.params : r.tags).find((kv) => kv.key === key)?.value ?? null);
      rows.push({ kind, key, values, differs: values.some((v) => v !== values[0]) });
    }
  }
  return rows;
}

/** A field of a run named `param:<key>`, `tag:<key>`, `metric:<key>` (latest value) or `best:<key>` (best value). */
export function fieldValue(run: RunFacts, field: string): string | number | null {
  const i = field.indexOf(':');
  const kind = field.slice(0, i);
  const key = field.slice(i + 1);
  if (kind === 'param') return run.params.find((p) => p.key === key)?.value ?? null;
  if (kind === 'tag') return run.tags.find((t) => t.key === key)?.value ?? null;
  if (kind === 'metric') return run.latestMetrics.find((m) => m.key === key)?.value ?? null;
  if (kind === 'best') return run.bestMetrics?.find((m) => m.key === key)?.value ?? null;
  return null;
}

/** Numbers when every present value parses as a finite number, else categories in sorted order. */
export type Axis = { numeric: true; lo: number; hi: number } | { numeric: false; categories: string[] };

export function axisOf(values: readonly (string | number | null)[]): Axis {
  const present = values.filter((v): v is string | number => v !== null);
  const nums = present.map((v) => (typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v)));
  if (present.length && nums.every((n) => Number.isFinite(n))) {
    const lo = Math.min(...nums);
    const hi = Math.max(...nums);
    return { numeric: true, lo, hi };
  }
  return { numeric: false, categories: [...new Set(present.map(String))].sort() };
}

/** Position 0..1 of a value on an axis (null when missing). */
export function axisPosition(axis: ReturnType<typeof axisOf>, v: string | number | null): number | null {
  if (v === null) return null;
  if (axis.numeric) {
    const n = Number(v);
    if (!Number.isFinite(n)) return null;
    return axis.hi === axis.lo ? 0.5 : (n - axis.lo) / (axis.hi - axis.lo);
  }
  const i = axis.categories.indexOf(String(v));
  if (i < 0) return null;
  return axis.categories.length === 1 ? 0.5 : i / (axis.categories.length - 1);
}

/**
 * Where each run meets the axes (positions 0..1, one per axis) when it has a value on every one;
 * the others have no line, and `missing` names the fields each lacks.
 */
export function axisCoverage<T extends RunFacts>(
  runs: readonly T[],
  axes: readonly { f: string; axis: Axis }[],
): { complete: { run: T; positions: number[] }[]; incomplete: { run: T; missing: string[] }[] } {
  const complete: { run: T; positions: number[] }[] = [];
  const incomplete: { run: T; missing: string[] }[] = [];
  for (const run of runs) {
    const positions = axes.map(({ f, axis }) => axisPosition(axis, fieldValue(run, f)));
    const missing = axes.filter((_, i) => positions[i] === null).map(({ f }) => f);
    if (missing.length) incomplete.push({ run, missing });
    else complete.push({ run, positions: positions.filter((p): p is number => p !== null) });
  }
  return { complete, incomplete };
}

/** Runs grouped by a field's value, in value order (numeric when both are numbers); runs without it form the "(none)" group, first. */
export function groupRuns<T extends RunFacts>(runs: readonly T[], field: string): { value: string; runs: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const r of runs) {
    const v = fieldValue(r, field);
    const k = v === null ? '(none)' : String(v);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const order = (a: string, b: string): number => {
    if (a === '(none)' || b === '(none)') return a === b ? 0 : a === '(none)' ? -1 : 1;
    const [x, y] = [Number(a), Number(b)];
    if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
    return a.localeCompare(b);
  };
  return [...groups].sort(([a], [b]) => order(a, b)).map(([value, rs]) => ({ value, runs: rs }));
}

/** Which value of a metric a plot takes: the latest, or the best by the project's direction. */
export type MetricValueKind = 'latest' | 'best';

/** The field of a metric's chosen value: `metric:<key>` or `best:<key>`. */
export const metricField = (key: string, kind: MetricValueKind): string => `${kind === 'best' ? 'best' : 'metric'}:${key}`;

/** An axis' title: a param's key, or a metric's key with which of its values (and, for the best, the direction). */
export function fieldTitle(field: string, direction?: 'MIN' | 'MAX' | null): string {
  const i = field.indexOf(':');
  const kind = field.slice(0, i);
  const key = field.slice(i + 1);
  if (kind === 'metric') return `${key} (latest)`;
  if (kind === 'best') return `${key} (best${direction ? `: ${direction === 'MIN' ? 'lowest' : 'highest'}` : ''})`;
  return `${kind} ${key}`;
}
