/**
 * Authentication: sessions (web), API tokens (Bearer, scripts and training jobs) and HTTP Basic
 * (the stock mlflow client sends it on every call). Credentials are verified here; what the
 * caller may do is decided by AccessService on every request from current roles.
 */
import { Inject, Injectable } from '@nestjs/common';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Config } from '@caliper/config';
import { DomainError, parseApiToken, tokenSecretMatches } from '@caliper/domain';
import { AccountsRepository, ApiTokensRepository, AuditRepository, OutboxRepository, UserEntity } from '@caliper/persistence';
import { CONFIG } from '../tokens';
import { LoginThrottle } from './login-throttle';
import { verifyPassword } from './passwords';
import type { Principal, PrincipalUser, RequestWithPrincipal } from './principal';

export const SESSION_COOKIE = 'caliper_session';
/**
 * Verified Basic credentials are remembered for a minute (argon2 on every mlflow call would cost
 * ~50 ms each). An entry is keyed by the credentials and the stored password hash, read with the
 * user on every request: a password change or reset anywhere (any replica) changes the hash, so
 * the entry is never found again; deactivation is read from the same row.
 */
const BASIC_CACHE_TTL_MS = 60_000;
const BASIC_CACHE_MAX = 10_000;

function toPrincipalUser(u: UserEntity): PrincipalUser {
  return { id: u.id, username: u.username, displayName: u.displayName, globalRole: u.globalRole };
}

const tooManyAttempts = (wait: number) =>
  new DomainError('TOO_MANY_ATTEMPTS', `Too many failed sign-ins for this account. Try again in ${Math.ceil(wait / 60)} minute(s).`, {
    retryAfterSeconds: wait,
  });

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

@Injectable()
export class AuthService {
  /** HMAC key for the basic-auth cache: per process, so cached entries never outlive it. */
  private readonly cacheKey = randomBytes(32);
  private readonly basicCache = new Map<string, { userId: string; expires: number }>();
  /** Checks of Basic credentials under way, by the same key as basicCache: concurrent identical requests await one. */
  private readonly basicInFlight = new Map<string, Promise<Principal>>();

  constructor(
    private readonly ds: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly tokens: ApiTokensRepository,
    private readonly audit: AuditRepository,
    private readonly outbox: OutboxRepository,
    private readonly throttle: LoginThrottle,
    @Inject(CONFIG) private readonly config: Pick<Config, 'SESSION_TTL_HOURS'>,
  ) {}

  /** The caller, or null when no credentials were sent; wrong credentials are a 401, never anonymous. */
  async authenticate(req: RequestWithPrincipal): Promise<Principal | null> {
    const header = req.headers.authorization;
    const authorization = Array.isArray(header) ? header[0] : header;
    if (authorization) {
      const [scheme = '', value = ''] = authorization.split(' ', 2);
      if (/^bearer$/i.test(scheme)) return this.byToken(value.trim());
      if (/^basic$/i.test(scheme)) return this.byBasic(value.trim(), req.ip ?? 'unknown');
      throw new DomainError('UNAUTHENTICATED', `Unsupported Authorization scheme "${scheme}": use Bearer <API token> or Basic.`);
    }
    const cookie = req.cookies?.[SESSION_COOKIE];
    return cookie ? this.bySession(cookie) : null;
  }

  private async activeUser(userId: string): Promise<PrincipalUser> {
    const user = await this.accounts.findUserById(userId);
    if (!user || !user.isActive) throw new DomainError('UNAUTHENTICATED', 'This account is deactivated.');
    return toPrincipalUser(user);
  }

  private async bySession(cookie: string): Promise<Principal> {
    const [id = '', secret] = cookie.split('.', 2);
    if (!/^[0-9a-f-]{36}$/.test(id) || !secret) throw new DomainError('UNAUTHENTICATED', 'Session cookie is malformed; sign in again.');
    const session = await this.accounts.findSession(id);
    const ok = session && timingSafeEqual(Buffer.from(sha256(secret), 'hex'), Buffer.from(session.secretHash, 'hex'));
    if (!session || !ok || session.revokedAt || session.expiresAt.getTime() <= Date.now()) {
      throw new DomainError('UNAUTHENTICATED', 'Your session has ended; sign in again.');
    }
    return { method: 'session', user: await this.activeUser(session.userId), sessionId: session.id };
  }

  private async byToken(raw: string): Promise<Principal> {
    const parsed = parseApiToken(raw);
    if (!parsed) throw new DomainError('UNAUTHENTICATED', 'API token is malformed: expected clp_<id>_<secret>.');
    const found = await this.tokens.findWithOwner(parsed.id);
    const token = found?.token;
    if (!found || !token || !tokenSecretMatches(parsed.secret, token.secretHash))
      throw new DomainError('UNAUTHENTICATED', 'API token is not valid.');
    if (token.revokedAt) throw new DomainError('UNAUTHENTICATED', `API token ${token.id} was revoked.`);
    if (token.expiresAt.getTime() <= Date.now()) throw new DomainError('UNAUTHENTICATED', `API token ${token.id} has expired.`);
    if (!found.owner.isActive) throw new DomainError('UNAUTHENTICATED', 'This account is deactivated.');
    await this.tokens.touch(token.id);
    return {
      method: 'token',
      user: toPrincipalUser(found.owner),
      token: { id: token.id, projectId: token.projectId, roles: token.roles, runId: token.runId, ownerRoles: found.ownerRoles },
    };
  }

  private async byBasic(encoded: string, ip: string): Promise<Principal> {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new DomainError('UNAUTHENTICATED', 'Basic credentials are malformed.');
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    // The mlflow client can send an API token as the Basic password.
    if (parseApiToken(password)) return this.byToken(password);
    // A locked account stays locked even for credentials verified a moment ago.
    const wait = await this.throttle.lockedFor(username, ip);
    if (wait > 0) throw tooManyAttempts(wait);
    // One statement reads the user and their stored hash; the memo is keyed by the credentials sent
    // AND that hash, so a password changed by any replica (own change, admin reset) finds no entry.
    const account = await this.accounts.findUserWithPasswordHash(username);
    const cacheId = createHmac('sha256', this.cacheKey)
      .update(decoded)
      .update('\0')
      .update(account?.passwordHash ?? '')
      .digest('hex');
    const cached = this.basicCache.get(cacheId);
    if (account && cached && cached.expires > Date.now() && cached.userId === account.user.id) {
      // Deactivation is read from the same row on every request.
      if (!account.user.isActive) throw new DomainError('UNAUTHENTICATED', 'This account is deactivated.');
      return { method: 'password', user: toPrincipalUser(account.user) };
    }
    if (cached) this.basicCache.delete(cacheId);
    // Requests carrying the same credentials at once (an mlflow client's first burst) share one
    // check: one count against the limit and one argon2 run, not one each (which the limit would
    // refuse past its fifth, right password or not).
    let check = this.basicInFlight.get(cacheId);
    if (!check) {
      check = this.checkBasicPassword(username, password, ip, account, cacheId).finally(() => this.basicInFlight.delete(cacheId));
      this.basicInFlight.set(cacheId, check);
    }
    return check;
  }

  private async checkBasicPassword(
    username: string,
    password: string,
    ip: string,
    account: Awaited<ReturnType<AccountsRepository['findUserWithPasswordHash']>>,
    cacheId: string,
  ): Promise<Principal> {
    // Counted before the password is checked: concurrent guesses get at most the limit of checks.
    const refusedFor = await this.throttle.acquire(username, ip);
    if (refusedFor > 0) throw tooManyAttempts(refusedFor);
    const valid = await verifyPassword(account?.passwordHash ?? null, password);
    if (!account || !valid) {
      // Basic credentials are a password sign-in too: same lockout, same aggregated audit.
      await this.recordFailure(username, ip);
      throw new DomainError('UNAUTHENTICATED', 'Wrong username or password.');
    }
    await this.throttle.succeeded(username, ip);
    if (!account.user.isActive) throw new DomainError('UNAUTHENTICATED', 'This account is deactivated.');
    if (this.basicCache.size >= BASIC_CACHE_MAX) this.basicCache.delete(this.basicCache.keys().next().value as string);
    this.basicCache.set(cacheId, { userId: account.user.id, expires: Date.now() + BASIC_CACHE_TTL_MS });
    return { method: 'password', user: toPrincipalUser(account.user) };
  }

  /** Password sign-in: rate-limited per account; failures are counted for the aggregated audit event. */
  async login(username: string, password: string, ip: string): Promise<{ user: PrincipalUser; cookieValue: string; expiresAt: Date }> {
    // The attempt is counted before the password is checked (atomically in Redis): of concurrent
    // attempts, only as many as the limit allows are checked; the others are refused unchecked.
    const wait = await this.throttle.acquire(username, ip);
    if (wait > 0) {
      await this.recordFailure(username, ip);
      throw tooManyAttempts(wait);
    }
    const user = await this.accounts.findUserByUsername(username);
    const valid = await verifyPassword(user ? await this.accounts.passwordHashOf(user.id) : null, password);
    if (!user || !valid || !user.isActive) {
      await this.recordFailure(username, ip);
      throw new DomainError('INVALID_CREDENTIALS', 'Wrong username or password.');
    }
    await this.throttle.succeeded(username, ip);
    const secret = randomBytes(32).toString('hex');
    const expiresAt = new Date(Date.now() + this.config.SESSION_TTL_HOURS * 3600_000);
    const session = await this.ds.transaction(async (m) => {
      const s = await this.accounts.createSession(m, { userId: user.id, secretHash: sha256(secret), expiresAt, ip });
      await this.audit.append(m, {
        actorId: user.id,
        actorLabel: user.username,
        action: 'auth.login',
        entityType: 'session',
        entityId: s.id,
        after: { ip, method: 'password', expiresAt: expiresAt.toISOString() },
      });
      return s;
    });
    return { user: toPrincipalUser(user), cookieValue: `${session.id}.${secret}`, expiresAt };
  }

  /**
   * Re-authentication of a signed-in user (changing their password; e-signatures later): the same
   * lockout as sign-in, so a borrowed session cannot guess the password without limit. A locked
   * account gets TOO_MANY_ATTEMPTS; a wrong password counts as a failed sign-in and answers false.
   */
  async reauthenticate(user: PrincipalUser, password: string, ip: string): Promise<boolean> {
    const wait = await this.throttle.acquire(user.username, ip);
    if (wait > 0) throw tooManyAttempts(wait);
    if (await verifyPassword(await this.accounts.passwordHashOf(user.id), password)) {
      await this.throttle.succeeded(user.username, ip);
      return true;
    }
    await this.recordFailure(user.username, ip);
    return false;
  }

  private async recordFailure(username: string, ip: string): Promise<void> {
    const flush = await this.throttle.recordFailure(username, ip, new Date());
    if (flush) await this.ds.transaction((m) => this.outbox.enqueue(m, flush.job, { runAfter: flush.runAfter }));
  }

  async logout(principal: Principal): Promise<void> {
    if (principal.method !== 'session')
      throw new DomainError('BAD_USER_INPUT', 'Only a browser session can sign out; revoke an API token instead.');
    await this.ds.transaction(async (m) => {
      await this.accounts.revokeSession(m, principal.sessionId);
      await this.audit.append(m, {
        actorId: principal.user.id,
        actorLabel: principal.user.username,
        action: 'auth.logout',
        entityType: 'session',
        entityId: principal.sessionId,
      });
    });
  }
}
