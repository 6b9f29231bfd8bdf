/**
 * Live updates of pages that show running runs (run page, runs table, compare page): polling with
 * backoff. While `active` (a shown run is queued, starting or running) and the tab is visible, the
 * page's `poll` runs LIVE_MIN_MS after the page loaded, then again after a wait that starts at
 * LIVE_MIN_MS, grows by LIVE_GROWTH after each poll that found nothing new (or failed) up to
 * LIVE_MAX_MS, and drops back to LIVE_MIN_MS as soon as one finds a change. A hidden tab polls
 * nothing; shown again, it polls at once. One poll at a time: the next wait starts when the
 * answer is in, so a slow server is never asked twice at once.
 */
import { useEffect, useRef, useState } from 'react';
import { usePageVisible } from './use-page-visible';

export const LIVE_MIN_MS = 2000;
export const LIVE_MAX_MS = 20000;
export const LIVE_GROWTH = 1.5;

/** The wait before the next poll, after a poll that found a change or not. */
export const nextLiveDelay = (previousMs: number, changed: boolean): number =>
  changed ? LIVE_MIN_MS : Math.min(LIVE_MAX_MS, Math.round(previousMs * LIVE_GROWTH));

export interface LiveState {
  /** Polling (or paused because the tab is hidden): a shown run is still going. */
  active: boolean;
  /** The tab is hidden, so nothing is polled. */
  paused: boolean;
  /** Epoch ms of the last answer (the page's own load before the first poll); null when not active. */
  updatedAt: number | null;
  /** The last poll failed; the next one tries again. */
  failed: boolean;
  /** The wait before the next poll. */
  delayMs: number;
}

/** Runs `poll` (which says whether it found anything new) with backoff while `active` and the tab is visible. */
export function useLivePoll(active: boolean, poll: () => Promise<boolean>): LiveState {
  const visible = usePageVisible();
  const latest = useRef(poll);
  useEffect(() => {
    latest.current = poll;
  });
  const [status, setStatus] = useState<{ updatedAt: number | null; failed: boolean; delayMs: number }>({
    updatedAt: null,
    failed: false,
    delayMs: LIVE_MIN_MS,
  });
  // Whether the tab was hidden while active: shown again, what the page holds may be old.
  const missed = useRef(false);

  useEffect(() => {
    if (!active) return;
    if (!visible) {
      missed.current = true;
      return;
    }
    let stopped = false;
    let timer: number | undefined;
    let wait = LIVE_MIN_MS;
    const tick = async () => {
      let changed = false;
      let failed = false;
      try {
        changed = await latest.current();
      } catch {
        failed = true;
      }
      if (stopped) return;
      wait = nextLiveDelay(wait, changed);
      setStatus((s) => ({ updatedAt: failed ? s.updatedAt : Date.now(), failed, delayMs: wait }));
      timer = window.setTimeout(() => void tick(), wait);
    };
    // Just loaded, the page's data is new; back from a hidden tab, it is as old as its last answer.
    const resumed = missed.current;
    missed.current = false;
    setStatus((s) => ({ updatedAt: resumed ? s.updatedAt : Date.now(), failed: false, delayMs: wait }));
    timer = window.setTimeout(() => void tick(), resumed ? 0 : wait);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [active, visible]);

  return {
    active,
    paused: active && !visible,
    updatedAt: active ? status.updatedAt : null,
    failed: status.failed,
    delayMs: status.delayMs,
  };
}
