import { backoffDelayMs, DEFAULT_RETRY_POLICY, failedBeforeSending, retryAfterMs } from '../retry';

describe('backoff with full jitter', () => {
  const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };

  it('draws uniformly below a ceiling that doubles per retry up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((r) => backoffDelayMs(r, policy, () => 0.999999))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(200);
  });

  it('spreads clients that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(4, DEFAULT_RETRY_POLICY)));
    expect(delays.size).toBeGreaterThan(40);
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs('soon')).toBeNull();
    expect(retryAfterMs('-1')).toBeNull();
  });
});

describe('failures before sending', () => {
  it('recognises a refused connection but not a reset one', () => {
    expect(failedBeforeSending(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }))).toBe(true);
    expect(failedBeforeSending(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } }))).toBe(false);
    expect(failedBeforeSending(new Error('x'))).toBe(false);
  });
});
