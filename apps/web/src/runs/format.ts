/** How runs read on screen: durations, metric values (NaN and ±Infinity included) and statuses. */
import type { RunStatus } from '../gql/graphql';

/** "850 ms", "42 s", "3 min 12 s", "2 h 05 min", "3 d 4 h". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ${String(min % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** A run's duration: ended runs from the server, running ones up to now. */
export function runDurationMs(
  run: { durationMs?: number | null; startTime?: string | null; endTime?: string | null; status: RunStatus },
  now: number,
): number | null {
  if (run.durationMs != null) return run.durationMs;
  if (run.status === 'RUNNING' && run.startTime && !run.endTime) return Math.max(0, now - Date.parse(run.startTime));
  return null;
}

/** A metric value as the API sends it: a Float, or null with a "NaN"/"Infinity"/"-Infinity" marker. */
export function formatMetric(value: number | null | undefined, nonFinite?: string | null): string {
  if (value == null) return nonFinite ?? '—';
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(3);
  return String(Number(value.toPrecision(5)));
}

/** Statuses of a run that is still going: pages that show one follow it live (use-live-poll.ts). */
export const LIVE_STATUSES: ReadonlySet<string> = new Set(['QUEUED', 'STARTING', 'RUNNING']);

export const STATUS_INFO: Record<RunStatus, { label: string; tone: 'neutral' | 'active' | 'ok' | 'bad' }> = {
  QUEUED: { label: 'Queued', tone: 'neutral' },
  STARTING: { label: 'Starting', tone: 'neutral' },
  RUNNING: { label: 'Running', tone: 'active' },
  FINISHED: { label: 'Finished', tone: 'ok' },
  FAILED: { label: 'Failed', tone: 'bad' },
  KILLED: { label: 'Killed', tone: 'bad' },
  LOST: { label: 'Lost', tone: 'bad' },
};

/** The keys most worth a column: those most runs of the page have, then alphabetical; at most `max`. */
export function commonKeys(rows: readonly { key: string }[][], max: number): string[] {
  const counts = new Map<string, number>();
  for (const row of rows) for (const { key } of row) counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, max)
    .map(([key]) => key);
}

export interface ChartPoint {
  step: number;
  value: number | null;
}

/**
 * Thins a long history for drawing: per bucket of steps it keeps the lowest and highest value
 * (spikes stay visible) and its first gap; non-finite points become gaps (null). The history's
 * first and last points are always kept, whatever their values: the line starts where the run
 * started and ends at the latest value, the one the run page's table shows.
 */
export function thinForChart(steps: readonly number[], values: readonly (number | null)[], maxPoints: number): ChartPoint[] {
  const n = steps.length;
  if (n <= maxPoints) return steps.map((step, i) => ({ step, value: values[i] ?? null }));
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const size = Math.ceil(n / buckets);
  const out: ChartPoint[] = [];
  for (let start = 0; start < n; start += size) {
    const bucket = steps.slice(start, start + size);
    // Positions in the bucket of its lowest and highest value and of its first gap, -1 when none.
    let lo = -1;
    let hi = -1;
    let gap = -1;
    let loValue = Infinity;
    let hiValue = -Infinity;
    for (let k = 0; k < bucket.length; k++) {
      const v = values[start + k] ?? null;
      if (v === null) {
        if (gap < 0) gap = k;
        continue;
      }
      if (lo < 0 || v < loValue) {
        lo = k;
        loValue = v;
      }
      if (hi < 0 || v > hiValue) {
        hi = k;
        hiValue = v;
      }
    }
    bucket.forEach((step, k) => {
      const i = start + k;
      if (i === 0 || i === n - 1 || k === lo || k === hi || k === gap) out.push({ step, value: values[start + k] ?? null });
    });
  }
  return out;
}

/** Where a history is not finite, as "NaN at step 3" phrases (the first few). */
export function nonFiniteSummary(
  steps: readonly number[],
  nonFinite: readonly (string | null)[],
  max = 5,
): { count: number; examples: string[] } {
  const examples: string[] = [];
  let count = 0;
  nonFinite.forEach((marker, i) => {
    if (!marker) return;
    count++;
    if (examples.length < max) examples.push(`${marker} at step ${steps[i]}`);
  });
  return { count, examples };
}

/** Human-readable size: "512 B", "1.5 KB", "3.2 MB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null || !Number.isFinite(bytes)) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}
