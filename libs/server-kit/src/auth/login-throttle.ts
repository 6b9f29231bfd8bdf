/**
 * Failed-login limits in Redis, shared by every API replica: after LOGIN_MAX_FAILURES failures
 * an account is locked for LOGIN_LOCKOUT_SECONDS (429 with Retry-After); an address that fails
 * ten times that often is locked too. An attempt is counted before its password is checked
 * (`acquire`, atomic), so concurrent guesses cannot all pass the check before any is counted;
 * a right password takes its count back (`succeeded`). Each failure is also
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

/**
 * Counts an attempt on the account and on the address, then decides, in one step: Redis runs a
 * script atomically, so concurrent attempts are numbered 1, 2, 3... and only the first
 * `maxFailures` reach the password check, however many arrive together. A counter's window
 * starts with its first attempt (EXPIRE only when it has no TTL yet).
 * KEYS: account, address. ARGV: account limit, address limit, window seconds.
 * Returns the seconds to wait, or 0 when this attempt may check the password.
 */
const ACQUIRE = `
local account = redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
local address = redis.call('INCR', KEYS[2])
if redis.call('TTL', KEYS[2]) < 0 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
local wait = 0
if account > tonumber(ARGV[1]) then wait = math.max(wait, redis.call('TTL', KEYS[1])) end
if address > tonumber(ARGV[2]) then wait = math.max(wait, redis.call('TTL', KEYS[2])) end
return wait
`;

/** Gives an attempt back to the address (never below zero, never on a counter that has expired). KEYS: address. */
const RELEASE = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return n
`;

export class LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly limits: ThrottleLimits,
    private readonly namespace: string,
  ) {}

  private lockKey(username: string): string {
    return `${this.namespace}:login-lock:${encodeURIComponent(username)}`;
  }

  private ipKey(ip: string): string {
    return `${this.namespace}:login-ip:${encodeURIComponent(ip)}`;
  }

  /** Seconds until the account (or the address) may try again, or 0 when neither is locked. Counts nothing. */
  async lockedFor(username: string, ip: string): Promise<number> {
    const res = await this.redis
      .multi()
      .get(this.lockKey(username))
      .ttl(this.lockKey(username))
      .get(this.ipKey(ip))
      .ttl(this.ipKey(ip))
      .exec();
    // No reply (an aborted MULTI) reads as nothing counted, as a missing key does.
    const [account = 0, accountTtl = 0, address = 0, addressTtl = 0] = (res ?? []).map(([, v]) => Number(v ?? 0));
    const accountWait = account >= this.limits.maxFailures && accountTtl > 0 ? accountTtl : 0;
    const addressWait = address >= this.limits.maxFailures * IP_FACTOR && addressTtl > 0 ? addressTtl : 0;
    return Math.max(accountWait, addressWait);
  }

  /**
   * Takes one attempt before the password is checked, counted as a failure until `succeeded` says
   * otherwise. Returns 0 when the password may be checked, else the seconds to wait (the attempt
   * is refused without checking it).
   */
  async acquire(username: string, ip: string): Promise<number> {
    const wait = await this.redis.eval(
      ACQUIRE,
      2,
      this.lockKey(username),
      this.ipKey(ip),
      this.limits.maxFailures,
      this.limits.maxFailures * IP_FACTOR,
      this.limits.lockoutSeconds,
    );
    return Math.max(0, Number(wait));
  }

  /** The acquired attempt was right: the account's failures are forgiven and the address gets its attempt back. */
  async succeeded(username: string, ip: string): Promise<void> {
    await this.redis.multi().del(this.lockKey(username)).eval(RELEASE, 1, this.ipKey(ip)).exec();
  }

  /**
   * Counts a failure (an acquired attempt that was wrong, or a refused one) for the aggregated
   * audit; returns the flush job to enqueue when it is the first of its account+IP+minute. The
   * lock counters were already counted by `acquire`.
   */
  async recordFailure(username: string, ip: string, at: Date): Promise<FailedLoginsFlush | null> {
    const flush = failedLoginsFlush(username, ip, at, this.namespace);
    const res = await this.redis.multi().incr(flush.counterKey).expire(flush.counterKey, LOGIN_FAILURE_COUNTER_TTL_SECONDS).exec();
    return Number(res?.[0]?.[1] ?? 0) === 1 ? flush : null;
  }
}
