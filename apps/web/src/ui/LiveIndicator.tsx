/** The "live" line of a page that polls running runs (use-live-poll.ts): when it last updated, and whether it is paused. */
import type { LiveState } from '../app/use-live-poll';
import { formatClock } from './time';

/** `what` ends the line: what keeps the page live, e.g. "Updates while the run is running." */
export function LiveIndicator({ live, what }: { live: LiveState; what: string }) {
  if (!live.active) return null;
  const updated = live.updatedAt === null ? null : new Date(live.updatedAt);
  return (
    <p className="live-status" data-delay-ms={live.delayMs}>
      <span className={live.paused ? 'live-dot live-dot-paused' : 'live-dot'} aria-hidden="true" />
      <span>
        {live.paused ? 'Live updates paused while this tab is hidden' : 'Live'}
        {updated ? (
          <>
            {live.paused ? '; last updated at ' : ': updated at '}
            <time dateTime={updated.toISOString()}>{formatClock(updated)}</time>
          </>
        ) : null}
        {live.failed ? ' (the last check failed; trying again)' : ''}. {what}
      </span>
    </p>
  );
}
