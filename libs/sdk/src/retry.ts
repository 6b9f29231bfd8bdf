/**
 * When to retry and how long to wait: exponential backoff with full jitter (so many clients
 * that failed together do not retry together), capped, and the server's Retry-After honoured.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 15_000 };

/** Delay before retry number `retry` (1 for the first retry): uniform in [0, min(max, base·2^(retry-1))]. */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/** Retry-After as delta-seconds or an HTTP date, in ms from now; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP date always names the day and month ("Wed, 21 Oct 2015 07:28:00 GMT").
  const at = /[a-z]{3}/i.test(trimmed) ? Date.parse(trimmed) : NaN;
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Statuses that mean "try again later": throttled, or the server (or a proxy before it) failed. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * Statuses after which a non-idempotent request is known not to have been applied, so even it may
 * be retried: 429 (refused by the rate limiter) and 503 (refused before processing).
 */
export function isRefusedStatus(status: number): boolean {
  return status === 429 || status === 503;
}

/** Network failure codes that prove the request never reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** True when a fetch failure happened before the request could reach the server. */
export function failedBeforeSending(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } } | null)?.cause;
  return typeof cause?.code === 'string' && NOT_SENT_CODES.has(cause.code);
}
