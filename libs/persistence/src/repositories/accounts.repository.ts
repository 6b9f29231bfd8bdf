/** Users, their credentials and their sessions: the only code that reads or writes those tables. */
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { SessionEntity, UserCredentialEntity, UserEntity } from '../entities/user.entity';

export interface NewUser {
  username: string;
  displayName: string;
  email: string | null;
  kind: 'human' | 'service';
  globalRole: 'system_admin' | 'auditor' | null;
}

export class AccountsRepository {
  constructor(private readonly ds: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.ds.manager;
  }

  findUserById(id: string, manager?: EntityManager): Promise<UserEntity | null> {
    return this.m(manager).findOneBy(UserEntity, { id });
  }

  /** The user, their row locked until the caller's transaction ends: concurrent changes of one account take turns. */
  lockUserById(manager: EntityManager, id: string): Promise<UserEntity | null> {
    return manager.findOne(UserEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  findUserByUsername(username: string, manager?: EntityManager): Promise<UserEntity | null> {
    return this.m(manager).findOneBy(UserEntity, { username });
  }

  /**
   * Active users whose username starts with `search`, or whose display name contains it (any
   * case; LIKE's wildcards in `search` match themselves), usernames starting with it first, then
   * by username; at most `limit`. With `humansOnly`, no service accounts; with `notInProject`, none
   * already a member of it. For pickers: usernames and display names only.
   */
  async searchActiveUsers(
    search: string,
    limit: number,
    opts: { humansOnly?: boolean; notInProject?: string } = {},
  ): Promise<{ username: string; displayName: string }[]> {
    const escaped = search.replace(/[\\%_]/g, (c) => `\\${c}`);
    const rows: { username: string; display_name: string }[] = await this.ds.query(
      `SELECT u.username, u.display_name
         FROM users u
        WHERE u.is_active
          AND (u.username ILIKE $1 || '%' OR u.display_name ILIKE '%' || $1 || '%')
          AND ($2::boolean IS NOT TRUE OR u.kind = 'human')
          AND ($3::uuid IS NULL OR NOT EXISTS (SELECT 1 FROM project_members pm WHERE pm.project_id = $3 AND pm.user_id = u.id))
        ORDER BY (u.username ILIKE $1 || '%') DESC, u.username
        LIMIT $4`,
      [escaped, opts.humansOnly ?? false, opts.notInProject ?? null, limit],
    );
    return rows.map((r) => ({ username: r.username, displayName: r.display_name }));
  }

  findUsersByIds(ids: readonly string[]): Promise<UserEntity[]> {
    return this.ds.manager
      .createQueryBuilder(UserEntity, 'u')
      .where('u.id IN (:...ids)', { ids: [...ids] })
      .getMany();
  }

  listUsers(): Promise<UserEntity[]> {
    return this.ds.manager.find(UserEntity, { order: { username: 'ASC' } });
  }

  async hasActiveSystemAdmin(manager?: EntityManager): Promise<boolean> {
    return (await this.m(manager).countBy(UserEntity, { globalRole: 'system_admin', isActive: true })) > 0;
  }

  async createUser(manager: EntityManager, user: NewUser, passwordHash: string | null): Promise<UserEntity> {
    const saved = await manager.save(manager.create(UserEntity, { ...user, isActive: true, deactivatedAt: null }));
    if (passwordHash) await manager.insert(UserCredentialEntity, { userId: saved.id, passwordHash });
    return saved;
  }

  async deactivateUser(manager: EntityManager, userId: string): Promise<UserEntity> {
    await manager.update(UserEntity, { id: userId }, { isActive: false, deactivatedAt: () => 'now()' });
    await manager.update(SessionEntity, { userId, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
    return manager.findOneByOrFail(UserEntity, { id: userId });
  }

  async setDefaultProject(manager: EntityManager, userId: string, projectId: string | null): Promise<void> {
    await manager.update(UserEntity, { id: userId }, { defaultProjectId: projectId });
  }

  async setGlobalRole(manager: EntityManager, userId: string, globalRole: 'system_admin' | 'auditor' | null): Promise<UserEntity> {
    await manager.update(UserEntity, { id: userId }, { globalRole });
    return manager.findOneByOrFail(UserEntity, { id: userId });
  }

  async reactivateUser(manager: EntityManager, userId: string): Promise<UserEntity> {
    await manager.update(UserEntity, { id: userId }, { isActive: true, deactivatedAt: null });
    return manager.findOneByOrFail(UserEntity, { id: userId });
  }

  /** Ends every open session of the user, except the one given (the caller's own). */
  async revokeSessionsOf(manager: EntityManager, userId: string, exceptSessionId?: string): Promise<void> {
    await manager.query(
      `UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2::uuid)`,
      [userId, exceptSessionId ?? null],
    );
  }

  /**
   * A user with their stored password hash, in one statement (Basic auth on every request: the
   * hash is also what its memo is keyed by, so a password changed anywhere invalidates it).
   */
  async findUserWithPasswordHash(username: string): Promise<{ user: UserEntity; passwordHash: string | null } | null> {
    const { entities, raw } = await this.ds.manager
      .createQueryBuilder(UserEntity, 'u')
      .leftJoin(UserCredentialEntity, 'c', 'c.user_id = u.id')
      .addSelect('c.password_hash', 'credential_password_hash')
      .where('u.username = :username', { username })
      .getRawAndEntities<{ credential_password_hash: string | null }>();
    return entities[0] ? { user: entities[0], passwordHash: raw[0]?.credential_password_hash ?? null } : null;
  }

  async passwordHashOf(userId: string): Promise<string | null> {
    return (await this.ds.manager.findOneBy(UserCredentialEntity, { userId }))?.passwordHash ?? null;
  }

  async setPasswordHash(manager: EntityManager, userId: string, passwordHash: string): Promise<void> {
    await manager.upsert(UserCredentialEntity, { userId, passwordHash, changedAt: new Date() }, ['userId']);
  }

  async createSession(
    manager: EntityManager,
    s: { userId: string; secretHash: string; expiresAt: Date; ip: string | null },
  ): Promise<SessionEntity> {
    return manager.save(manager.create(SessionEntity, { ...s, revokedAt: null }));
  }

  findSession(id: string): Promise<SessionEntity | null> {
    return this.ds.manager.findOneBy(SessionEntity, { id });
  }

  async revokeSession(manager: EntityManager, id: string): Promise<void> {
    await manager.update(SessionEntity, { id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
  }
}
