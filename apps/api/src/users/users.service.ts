/** Accounts: create users, deactivate them (never delete), and the first system admin. */
import { actorOf, hashPassword, passwordProblem, Principal, type PrincipalUser } from '@caliper/server-kit';
import { badInput, DomainError, notFound } from '@caliper/domain';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AccountsRepository, ApiTokensRepository, AuditRepository, UserEntity } from '@caliper/persistence';
import { USERNAME_RE } from './user.types';

/** The audit view of a user: no credentials ever. */
export function userSnapshot(u: UserEntity) {
  return { username: u.username, displayName: u.displayName, email: u.email, kind: u.kind, globalRole: u.globalRole, isActive: u.isActive };
}

export interface CreateUserCommand {
  username: string;
  displayName: string;
  email?: string | null;
  password: string;
  globalRole?: 'system_admin' | 'auditor' | null;
  kind?: 'human' | 'service' | null;
}

const BOOTSTRAP_LOCK = 7242002;

@Injectable()
export class UsersService {
  constructor(
    private readonly ds: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly audit: AuditRepository,
    private readonly tokens: ApiTokensRepository,
  ) {}

  list(): Promise<UserEntity[]> {
    return this.accounts.listUsers();
  }

  async create(actor: { actorId: string | null; actorLabel: string }, cmd: CreateUserCommand): Promise<UserEntity> {
    return this.ds.transaction((m) => this.createIn(m, actor, cmd));
  }

  private async createIn(
    m: EntityManager,
    actor: { actorId: string | null; actorLabel: string },
    cmd: CreateUserCommand,
  ): Promise<UserEntity> {
    if (!USERNAME_RE.test(cmd.username)) badInputThrow('username', 'must be 2-63 lowercase letters, digits, ".", "_" or "-"');
    const problem = passwordProblem(cmd.password);
    if (problem) badInputThrow('password', problem);
    // Usernames are never reused: a deactivated account keeps its name.
    if (await this.accounts.findUserByUsername(cmd.username, m))
      throw new DomainError('CONFLICT', `The username "${cmd.username}" is taken (usernames are never reused, even after deactivation).`);
    const user = await this.accounts.createUser(
      m,
      {
        username: cmd.username,
        displayName: cmd.displayName,
        email: cmd.email ?? null,
        kind: cmd.kind ?? 'human',
        globalRole: cmd.globalRole ?? null,
      },
      await hashPassword(cmd.password),
    );
    await this.audit.append(m, { ...actor, action: 'user.created', entityType: 'user', entityId: user.id, after: userSnapshot(user) });
    return user;
  }

  async deactivate(principal: Principal, userId: string, reason: string): Promise<UserEntity> {
    if (userId === principal.user.id)
      throw new DomainError('BAD_USER_INPUT', 'You cannot deactivate your own account; ask another system admin.', { field: 'userId' });
    return this.ds.transaction(async (m) => {
      const before = await this.accounts.lockUserById(m, userId);
      if (!before) throw notFound(`User ${userId}`);
      if (!before.isActive) throw new DomainError('CONFLICT', `User ${before.username} is already deactivated.`);
      const after = await this.accounts.deactivateUser(m, userId);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'user.deactivated',
        entityType: 'user',
        entityId: userId,
        before: userSnapshot(before),
        after: userSnapshot(after),
        reason,
      });
      return after;
    });
  }

  async setGlobalRole(
    principal: Principal,
    userId: string,
    globalRole: 'system_admin' | 'auditor' | null,
    reason: string,
  ): Promise<UserEntity> {
    if (userId === principal.user.id)
      throw new DomainError('BAD_USER_INPUT', 'You cannot change your own global role; ask another system admin.', { field: 'userId' });
    return this.ds.transaction(async (m) => {
      const before = await this.accounts.lockUserById(m, userId);
      if (!before) throw notFound(`User ${userId}`);
      if (before.globalRole === globalRole) return before;
      const after = await this.accounts.setGlobalRole(m, userId, globalRole);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'user.global_role_changed',
        entityType: 'user',
        entityId: userId,
        before: userSnapshot(before),
        after: userSnapshot(after),
        reason,
      });
      return after;
    });
  }

  async reactivate(principal: Principal, userId: string, reason: string): Promise<UserEntity> {
    return this.ds.transaction(async (m) => {
      const before = await this.accounts.lockUserById(m, userId);
      if (!before) throw notFound(`User ${userId}`);
      if (before.isActive) throw new DomainError('CONFLICT', `User ${before.username} is active.`);
      const after = await this.accounts.reactivateUser(m, userId);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'user.reactivated',
        entityType: 'user',
        entityId: userId,
        before: userSnapshot(before),
        after: userSnapshot(after),
        reason,
      });
      return after;
    });
  }

  /**
   * An admin sets a new password: the user's sessions end and their API tokens are revoked (a
   * reset is what an admin does when an account may be compromised, and a token minted by whoever
   * held it must not outlive the password). The password itself is never audited; the reset's
   * event lists the revoked tokens, and each token gets its own `token.revoked` event.
   */
  async resetPassword(principal: Principal, userId: string, newPassword: string): Promise<UserEntity> {
    const problem = passwordProblem(newPassword);
    if (problem) badInputThrow('newPassword', problem);
    const hash = await hashPassword(newPassword);
    return this.ds.transaction(async (m) => {
      const user = await this.accounts.lockUserById(m, userId);
      if (!user) throw notFound(`User ${userId}`);
      await this.accounts.setPasswordHash(m, userId, hash);
      await this.accounts.revokeSessionsOf(m, userId);
      const revoked = await this.tokens.revokeAllOf(m, userId);
      const actor = actorOf(principal);
      await this.audit.append(m, {
        ...actor,
        action: 'user.password_reset',
        entityType: 'user',
        entityId: userId,
        after: { username: user.username, sessionsEnded: true, revokedTokens: revoked.map((t) => t.id) },
      });
      for (const t of revoked) {
        await this.audit.append(m, {
          ...actor,
          action: 'token.revoked',
          entityType: 'api_token',
          entityId: t.id,
          projectId: t.projectId,
          after: { name: t.name, ownerId: t.userId, revokedAt: t.revokedAt?.toISOString() ?? null },
          reason: 'password reset by an administrator',
        });
      }
      return user;
    });
  }

  /**
   * Re-authenticates with the current password first (AuthService.reauthenticate: the sign-in
   * lockout applies, and a wrong password counts as a failed sign-in). The user's other sessions
   * end; their API tokens stay valid (each is revoked on its own; an admin's reset revokes them all).
   */
  async changeOwnPassword(
    principal: Principal,
    currentPassword: string,
    newPassword: string,
    reauthenticate: (user: PrincipalUser, password: string) => Promise<boolean>,
  ): Promise<void> {
    if (principal.method !== 'session')
      throw new DomainError('FORBIDDEN', 'Change your password from a signed-in browser session, not with an API token.');
    const problem = passwordProblem(newPassword);
    if (problem) badInputThrow('newPassword', problem);
    if (!(await reauthenticate(principal.user, currentPassword))) {
      throw new DomainError('BAD_USER_INPUT', 'currentPassword: the current password is not correct.', { field: 'currentPassword' });
    }
    const hash = await hashPassword(newPassword);
    await this.ds.transaction(async (m) => {
      await this.accounts.setPasswordHash(m, principal.user.id, hash);
      await this.accounts.revokeSessionsOf(m, principal.user.id, principal.sessionId);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'user.password_changed',
        entityType: 'user',
        entityId: principal.user.id,
      });
    });
  }

  /**
   * Creates the first system admin when none is active. Serialised by an advisory lock so
   * replicas starting together create one admin. Returns whether an admin was created.
   */
  async ensureFirstAdmin(username: string, password: string): Promise<'created' | 'exists'> {
    return this.ds.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
      if (await this.accounts.hasActiveSystemAdmin(m)) return 'exists';
      await this.createIn(
        m,
        { actorId: null, actorLabel: 'system:bootstrap' },
        { username, displayName: 'Administrator', password, globalRole: 'system_admin' },
      );
      return 'created';
    });
  }
}

function badInputThrow(field: string, message: string): never {
  throw badInput(field, message);
}
