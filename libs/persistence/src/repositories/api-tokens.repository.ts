/** API tokens: the only code that reads or writes api_tokens. */
import { DataSource, EntityManager, In } from 'typeorm';
import type { ProjectRole } from '@caliper/domain';
import { ApiTokenEntity, ProjectMemberEntity } from '../entities/project.entity';
import type { UserEntity } from '../entities/user.entity';

const TOUCH_INTERVAL_MS = 60_000;
/** Tokens remembered by `touch` (oldest forgotten first): a forgotten one costs one conditional UPDATE. */
const TOUCH_MEMO_MAX = 10_000;

export class ApiTokensRepository {
  /** When this process last wrote each token's last_used_at (ms since epoch), in insertion order. */
  private readonly lastTouch = new Map<string, number>();

  constructor(private readonly ds: DataSource) {}

  findById(id: string, manager?: EntityManager): Promise<ApiTokenEntity | null> {
    return (manager ?? this.ds.manager).findOneBy(ApiTokenEntity, { id });
  }

  /** The token, its row locked until the caller's transaction ends: concurrent changes of one token take turns. */
  lockById(manager: EntityManager, id: string): Promise<ApiTokenEntity | null> {
    return manager.findOne(ApiTokenEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * A token with its owner and the owner's current roles in the token's project, in one statement:
   * what authenticating a token request needs (it was three statements per request).
   */
  async findWithOwner(id: string): Promise<{ token: ApiTokenEntity; owner: UserEntity; ownerRoles: ProjectRole[] } | null> {
    const { entities, raw } = await this.ds.manager
      .createQueryBuilder(ApiTokenEntity, 't')
      .innerJoinAndSelect('t.user', 'u')
      .leftJoin(ProjectMemberEntity, 'm', 'm.user_id = t.user_id AND m.project_id = t.project_id')
      .addSelect('m.roles', 'owner_roles')
      .where('t.id = :id', { id })
      .getRawAndEntities<{ owner_roles: ProjectRole[] | null }>();
    const token = entities[0];
    if (!token?.user) return null;
    return { token, owner: token.user, ownerRoles: raw[0]?.owner_roles ?? [] };
  }

  listForProject(projectId: string, ownerId?: string): Promise<ApiTokenEntity[]> {
    return this.ds.manager.find(ApiTokenEntity, {
      where: { projectId, ...(ownerId ? { userId: ownerId } : {}) },
      order: { createdAt: 'DESC' },
    });
  }

  async create(
    manager: EntityManager,
    t: {
      id: string;
      userId: string;
      projectId: string;
      name: string;
      roles: ProjectRole[];
      runId: string | null;
      secretHash: string;
      expiresAt: Date;
    },
  ): Promise<ApiTokenEntity> {
    return manager.save(manager.create(ApiTokenEntity, { ...t, revokedAt: null, lastUsedAt: null }));
  }

  async revoke(manager: EntityManager, id: string): Promise<ApiTokenEntity> {
    await manager.query(`UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [id]);
    return manager.findOneByOrFail(ApiTokenEntity, { id });
  }

  /** Revokes every unrevoked token of a user (an admin's password reset); returns the ones it revoked, by id. */
  async revokeAllOf(manager: EntityManager, userId: string): Promise<ApiTokenEntity[]> {
    const rows = (await manager.query(`UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`, [
      userId,
    ])) as [{ id: string }[], number];
    const ids = rows[0].map((r) => r.id).sort();
    return ids.length ? manager.find(ApiTokenEntity, { where: { id: In(ids) }, order: { id: 'ASC' } }) : [];
  }

  /**
   * Records use at most once a minute per token, so busy ingest clients do not write on every
   * call: this process remembers when it last wrote each token and sends nothing within the
   * minute; past it, the UPDATE is still conditional (another replica may have written meanwhile).
   */
  async touch(id: string): Promise<void> {
    const now = Date.now();
    const last = this.lastTouch.get(id);
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return;
    // Remembered before the write, so concurrent requests of one token send one UPDATE.
    this.lastTouch.delete(id);
    if (this.lastTouch.size >= TOUCH_MEMO_MAX) this.lastTouch.delete(this.lastTouch.keys().next().value as string);
    this.lastTouch.set(id, now);
    try {
      await this.ds.query(
        `UPDATE api_tokens SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
        [id],
      );
    } catch (err) {
      this.lastTouch.delete(id);
      throw err;
    }
  }
}
