import { LIVE_MAX_MS, LIVE_MIN_MS, nextLiveDelay } from './use-live-poll';

describe('nextLiveDelay (live polling backoff)', () => {
  it('grows by half while nothing changes, up to the cap, and drops back to the shortest wait on a change', () => {
    const waits = [LIVE_MIN_MS];
    for (let i = 0; i < 8; i++) waits.push(nextLiveDelay(waits[waits.length - 1]!, false));
    expect(waits).toEqual([2000, 3000, 4500, 6750, 10125, 15188, 20000, 20000, 20000]);
    expect(LIVE_MAX_MS).toBe(20000);
    expect(nextLiveDelay(20000, true)).toBe(LIVE_MIN_MS);
  });
});
