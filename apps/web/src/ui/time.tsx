/**
 * Dates everywhere in one form: recent ones relative ("5 min ago", "in 3 days"), older ones as
 * "3 Dec 2026, 13:49" (the reader's time zone), and the exact instant on hover, with seconds and
 * the zone as its offset from UTC ("3 Dec 2026, 13:49:07 UTC", "3 Dec 2026, 14:49:07 UTC+01:00":
 * an offset names one instant, where zone abbreviations such as CST name several). Relative texts
 * tick on one shared clock.
 *
 * Written out here rather than with Intl: a page's first Intl formatter starts ICU, 70-100 ms of
 * the main thread on a first visit before the run and compare pages could draw their charts (npm
 * run bench:first-visit -- --profile DIR), and these fixed English forms need nothing from it.
 * time.spec.ts checks each form against Intl's en-GB output.
 */
import { useSyncExternalStore } from 'react';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const pad2 = (n: number) => String(n).padStart(2, '0');

/** The reader's time zone (the browser's), or UTC. */
export type Zone = 'local' | 'UTC';

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Minutes ahead of UTC. */
  offset: number;
}

function partsOf(d: Date, zone: Zone): Parts {
  return zone === 'UTC'
    ? {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth(),
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
        second: d.getUTCSeconds(),
        offset: 0,
      }
    : {
        year: d.getFullYear(),
        month: d.getMonth(),
        day: d.getDate(),
        hour: d.getHours(),
        minute: d.getMinutes(),
        second: d.getSeconds(),
        offset: -d.getTimezoneOffset(),
      };
}

/** "UTC" or "UTC+05:30", "UTC-05:00". */
function offsetName(offset: number): string {
  if (offset === 0) return 'UTC';
  const abs = Math.abs(offset);
  return `UTC${offset < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

const dateOf = (p: Parts) => `${p.day} ${MONTHS[p.month]} ${p.year}`;

/** Within this distance of now a date reads as relative. */
const RELATIVE_WITHIN_MS = 7 * 86400_000;

/** "3 Dec 2026" or "3 Dec 2026, 13:49". */
export function formatAbsolute(d: Date, withTime: boolean, zone: Zone = 'local'): string {
  const p = partsOf(d, zone);
  return withTime ? `${dateOf(p)}, ${pad2(p.hour)}:${pad2(p.minute)}` : dateOf(p);
}

/** "3 Dec 2026, 13:49:07 UTC": the exact instant, as every date's tooltip shows it. */
export function formatExact(d: Date, zone: Zone = 'local'): string {
  const p = partsOf(d, zone);
  return `${dateOf(p)}, ${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)} ${offsetName(p.offset)}`;
}

/** "13:49:07": the time of day. */
export function formatClock(d: Date, zone: Zone = 'local'): string {
  const p = partsOf(d, zone);
  return `${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)}`;
}

/** `n` (not 0) minutes, hours or days from now, as Intl.RelativeTimeFormat('en-GB', { numeric: 'auto', style: 'short' }) says it. */
function relative(n: number, unit: 'min' | 'hr' | 'day'): string {
  if (unit === 'day' && Math.abs(n) === 1) return n < 0 ? 'yesterday' : 'tomorrow';
  const amount = `${Math.abs(n)} ${unit === 'day' ? 'days' : unit}`;
  return n < 0 ? `${amount} ago` : `in ${amount}`;
}

/** "just now", "5 min ago", "in 3 hr", "yesterday", "4 days ago"; null beyond a week either way. */
export function formatRelative(d: Date, now: number): string | null {
  const diff = d.getTime() - now;
  const abs = Math.abs(diff);
  if (abs >= RELATIVE_WITHIN_MS) return null;
  if (abs < 45_000) return 'just now';
  const sign = Math.sign(diff);
  if (abs < 45 * 60_000) return relative(sign * Math.max(1, Math.round(abs / 60_000)), 'min');
  if (abs < 22 * 3600_000) return relative(sign * Math.round(abs / 3600_000), 'hr');
  return relative(sign * Math.max(1, Math.round(abs / 86400_000)), 'day');
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
