/**
 * Failed logins are counted in Redis per (username, ip, minute) and written to the audit log
 * once per minute by the 'auth.failed-logins.flush' job, so a password-guessing burst becomes
 * one audit event with a count instead of thousands. The API and the worker share these names.
 */
import { Job, parseJob } from './jobs';

/** The counter outlives its minute by far: the flush job runs a few seconds after the minute ends. */
export const LOGIN_FAILURE_COUNTER_TTL_SECONDS = 3600;
/** Wait after the minute ends so failures counted in its last moments are in the flush. */
export const FAILED_LOGINS_FLUSH_DELAY_MS = 5000;

/** The start of the UTC minute holding `at`, e.g. 2026-11-27T03:41:00Z. */
export function minuteStart(at: Date): string {
  return `${at.toISOString().slice(0, 16)}:00Z`;
}

/** Username and ip are percent-encoded so a ':' in either (IPv6, a hostile username) cannot merge two counters. */
export function loginFailureCounterKey(username: string, ip: string, minute: string, namespace = 'caliper'): string {
  return `${namespace}:login-failures:${encodeURIComponent(username)}:${encodeURIComponent(ip)}:${minute}`;
}

export interface FailedLoginsFlush {
  job: Job<'auth.failed-logins.flush'>;
  counterKey: string;
  /** End of the minute plus FAILED_LOGINS_FLUSH_DELAY_MS. */
  runAfter: Date;
}

/**
 * What a failed login at `at` counts into and which flush job reads it. The API INCRs
 * `counterKey` (EXPIRE LOGIN_FAILURE_COUNTER_TTL_SECONDS) and, when the counter becomes 1,
 * enqueues `job` through the outbox with `runAfter`.
 */
export function failedLoginsFlush(username: string, ip: string, at: Date, namespace = 'caliper'): FailedLoginsFlush {
  const minute = minuteStart(at);
  const job = parseJob('auth.failed-logins.flush', { v: 1, username, ip, minute });
  return {
    job,
    counterKey: loginFailureCounterKey(username, ip, minute, namespace),
    runAfter: new Date(Date.parse(minute) + 60_000 + FAILED_LOGINS_FLUSH_DELAY_MS),
  };
}
