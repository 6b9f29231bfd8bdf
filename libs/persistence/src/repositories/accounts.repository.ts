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

  findUserByUsername(username: string, manager?: EntityManager): Promise<UserEntity | null> {
    return this.m(manager).findOneBy(UserEntity, { username });
  }

  findUsersByIds(ids: readonly string[]): Promise<UserEntity[]> {
    return this.ds.manager.createQueryBuilder(UserEntity, 'u').where('u.id IN (:...ids)', { ids: [...ids] }).getMany();
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

  async passwordHashOf(userId: string): Promise<string | null> {
    return (await this.ds.manager.findOneBy(UserCredentialEntity, { userId }))?.passwordHash ?? null;
  }

  async setPasswordHash(manager: EntityManager, userId: string, passwordHash: string): Promise<void> {
    await manager.upsert(UserCredentialEntity, { userId, passwordHash, changedAt: new Date() }, ['userId']);
  }

  async createSession(manager: EntityManager, s: { userId: string; secretHash: string; expiresAt: Date; ip: string | null }): Promise<SessionEntity> {
    return manager.save(manager.create(SessionEntity, { ...s, revokedAt: null }));
  }

  findSession(id: string): Promise<SessionEntity | null> {
    return this.ds.manager.findOneBy(SessionEntity, { id });
  }

  async revokeSession(manager: EntityManager, id: string): Promise<void> {
    await manager.update(SessionEntity, { id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
  }
}
