/**
 * Dates everywhere in one form: recent ones relative ("5 min ago", "in 3 days"), older ones as
 * "3 Dec 2026, 13:49" (the reader's time zone), and the exact instant on hover, with seconds and
 * the zone ("3 Dec 2026, 13:49:07 UTC"). Relative texts tick on one shared clock.
 */
import { useSyncExternalStore } from 'react';

const DATE: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric' };
const DATE_TIME: Intl.DateTimeFormatOptions = { ...DATE, hour: '2-digit', minute: '2-digit' };
const EXACT: Intl.DateTimeFormatOptions = { ...DATE_TIME, second: '2-digit', timeZoneName: 'short' };
const formats = new Map<string, Intl.DateTimeFormat>();
/** One formatter per kind and zone (the reader's when none is given), made once. */
function format(kind: 'date' | 'dateTime' | 'exact', timeZone?: string): Intl.DateTimeFormat {
  const key = `${kind}/${timeZone ?? ''}`;
  let f = formats.get(key);
  if (!f) {
    const options = kind === 'date' ? DATE : kind === 'dateTime' ? DATE_TIME : EXACT;
    f = new Intl.DateTimeFormat('en-GB', timeZone ? { ...options, timeZone } : options);
    formats.set(key, f);
  }
  return f;
}
const relativeFormat = new Intl.RelativeTimeFormat('en-GB', { numeric: 'auto', style: 'short' });

/** Within this distance of now a date reads as relative. */
const RELATIVE_WITHIN_MS = 7 * 86400_000;

/** "3 Dec 2026" or "3 Dec 2026, 13:49". */
export function formatAbsolute(d: Date, withTime: boolean, timeZone?: string): string {
  return format(withTime ? 'dateTime' : 'date', timeZone).format(d);
}

/** "3 Dec 2026, 13:49:07 UTC": the exact instant, as every date's tooltip shows it. */
export function formatExact(d: Date, timeZone?: string): string {
  return format('exact', timeZone).format(d);
}

/** "just now", "5 min ago", "in 3 hr", "yesterday", "4 days ago"; null beyond a week either way. */
export function formatRelative(d: Date, now: number): string | null {
  const diff = d.getTime() - now;
  const abs = Math.abs(diff);
  if (abs >= RELATIVE_WITHIN_MS) return null;
  if (abs < 45_000) return 'just now';
  const sign = Math.sign(diff);
  if (abs < 45 * 60_000) return relativeFormat.format(sign * Math.max(1, Math.round(abs / 60_000)), 'minute');
  if (abs < 22 * 3600_000) return relativeFormat.format(sign * Math.round(abs / 3600_000), 'hour');
  return relativeFormat.format(sign * Math.max(1, Math.round(abs / 86400_000)), 'day');
}

// One clock for every relative date on the page: a tick every 30 s while any is shown.
const listeners = new Set<() => void>();
let clockNow = Date.now();
let ticker: ReturnType<typeof setInterval> | null = null;
function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!ticker) {
    clockNow = Date.now();
    ticker = setInterval(() => {
      clockNow = Date.now();
      for (const l of listeners) l();
    }, 30_000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && ticker) {
      clearInterval(ticker);
      ticker = null;
    }
  };
}
/** Now, to the last 30-second tick. */
export function useNow(): number {
  const snapshot = () => {
    // No relative date was shown for a while: the clock is not ticking, so catch it up (at most
    // once per tick length, so React sees one value per render).
    if (!ticker && Date.now() - clockNow > 30_000) clockNow = Date.now();
    return clockNow;
  };
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

export function DateText({
  value,
  withTime = false,
  absolute = false,
}: {
  value: string | null | undefined;
  /** Older dates show the time of day too. */
  withTime?: boolean;
  /** Never relative (e.g. in a table sorted by it, or evidence). */
  absolute?: boolean;
}) {
  const now = useNow();
  if (!value) return <span className="muted">—</span>;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return <span>{value}</span>;
  const relative = absolute ? null : formatRelative(d, now);
  return (
    <time dateTime={d.toISOString()} title={formatExact(d)}>
      {relative ?? formatAbsolute(d, withTime)}
    </time>
  );
}

/** The exact recorded instant of evidence (audit events): UTC with its full precision, as stored. */
export function UtcTime({ value }: { value: string }) {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(value);
  if (!m) return <time dateTime={value}>{value}</time>;
  return (
    <time dateTime={value} className="mono">
      {m[1]} {m[2]}
      <span className="muted">{m[3] ?? ''}</span> UTC
    </time>
  );
}
