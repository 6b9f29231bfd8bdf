/**
 * Failed-login limits in Redis, shared by every API replica: after LOGIN_MAX_FAILURES failures
 * an account is locked for LOGIN_LOCKOUT_SECONDS (429 with Retry-After); an address that fails
 * ten times that often is locked too. Each failure is also
 * counted per account+IP+minute; the first failure of a minute schedules (through the outbox)
 * the worker job that writes ONE aggregated `auth.login_failed` audit event for that minute.
 */
import type { Redis } from 'ioredis';
import { FailedLoginsFlush, failedLoginsFlush, LOGIN_FAILURE_COUNTER_TTL_SECONDS } from '@caliper/jobs';

export interface ThrottleLimits {
  maxFailures: number;
  lockoutSeconds: number;
}


/**
 * An address may fail this many times the per-account limit in the same window: enough for a
 * clinic's shared NAT, not for spraying many usernames (each attempt costs an argon2 hash).
 */
const IP_FACTOR = 10;

export class LoginThrottle {
  constructor(private readonly redis: Redis, private readonly limits: ThrottleLimits, private readonly namespace: string) {}

  private lockKey(username: string): string {
    return `${this.namespace}:login-lock:${encodeURIComponent(username)}`;
  }

  private ipKey(ip: string): string {
    return `${this.namespace}:login-ip:${encodeURIComponent(ip)}`;
  }

  /** Seconds until the account (or the address) may try again, or 0 when neither is locked. */
  async lockedFor(username: string, ip: string): Promise<number> {
    const res = await this.redis.multi().get(this.lockKey(username)).ttl(this.lockKey(username)).get(this.ipKey(ip)).ttl(this.ipKey(ip)).exec();
    const [account, accountTtl, address, addressTtl] = (res ?? []).map(([, v]) => Number(v ?? 0));
    const accountWait = account >= this.limits.maxFailures && accountTtl > 0 ? accountTtl : 0;
    const addressWait = address >= this.limits.maxFailures * IP_FACTOR && addressTtl > 0 ? addressTtl : 0;
    return Math.max(accountWait, addressWait);
  }

  /** Counts one failure; returns the flush job to enqueue when it is the first of its account+IP+minute. */
  async recordFailure(username: string, ip: string, at: Date): Promise<FailedLoginsFlush | null> {
    const flush = failedLoginsFlush(username, ip, at, this.namespace);
    const res = await this.redis
      .multi()
      .incr(this.lockKey(username))
      .expire(this.lockKey(username), this.limits.lockoutSeconds, 'NX')
      .incr(flush.counterKey)
      .expire(flush.counterKey, LOGIN_FAILURE_COUNTER_TTL_SECONDS)
      .incr(this.ipKey(ip))
      .expire(this.ipKey(ip), this.limits.lockoutSeconds, 'NX')
      .exec();
    return Number(res?.[2]?.[1] ?? 0) === 1 ? flush : null;
  }

  async clear(username: string): Promise<void> {
    await this.redis.del(this.lockKey(username));
  }
}
