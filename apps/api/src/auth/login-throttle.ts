/**
 * Failed-login limits in Redis, shared by every API replica: after LOGIN_MAX_FAILURES failures
 * an account is locked for LOGIN_LOCKOUT_SECONDS (429 with Retry-After). Each failure is also
 * counted per account+IP+minute; the first failure of a minute schedules (through the outbox)
 * the worker job that writes ONE aggregated `auth.login_failed` audit event for that minute.
 */
import type { Redis } from 'ioredis';
import { FailedLoginsFlush, failedLoginsFlush, LOGIN_FAILURE_COUNTER_TTL_SECONDS } from '@caliper/jobs';

export interface ThrottleLimits {
  maxFailures: number;
  lockoutSeconds: number;
}

const lockKey = (username: string) => `caliper:login-lock:${encodeURIComponent(username)}`;

export class LoginThrottle {
  constructor(private readonly redis: Redis, private readonly limits: ThrottleLimits) {}

  /** Seconds until the account may try again, or 0 when it is not locked. */
  async lockedFor(username: string): Promise<number> {
    const [count, ttl] = await Promise.all([this.redis.get(lockKey(username)), this.redis.ttl(lockKey(username))]);
    return Number(count ?? 0) >= this.limits.maxFailures && ttl > 0 ? ttl : 0;
  }

  /** Counts one failure; returns the flush job to enqueue when it is the first of its account+IP+minute. */
  async recordFailure(username: string, ip: string, at: Date): Promise<FailedLoginsFlush | null> {
    const flush = failedLoginsFlush(username, ip, at);
    const res = await this.redis
      .multi()
      .incr(lockKey(username))
      .expire(lockKey(username), this.limits.lockoutSeconds, 'NX')
      .incr(flush.counterKey)
      .expire(flush.counterKey, LOGIN_FAILURE_COUNTER_TTL_SECONDS)
      .exec();
    return Number(res?.[2]?.[1] ?? 0) === 1 ? flush : null;
  }

  async clear(username: string): Promise<void> {
    await this.redis.del(lockKey(username));
  }
}
