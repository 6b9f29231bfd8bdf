/** Projects and memberships: the only code that reads or writes those tables. */
import { DataSource, EntityManager } from 'typeorm';
import type { ProjectRole } from '@caliper/domain';
import { ProjectEntity, ProjectMemberEntity } from '../entities/project.entity';

export class ProjectsRepository {
  constructor(private readonly ds: DataSource) {}

  findById(id: string, manager?: EntityManager): Promise<ProjectEntity | null> {
    return (manager ?? this.ds.manager).findOneBy(ProjectEntity, { id });
  }

  findBySlug(slug: string): Promise<ProjectEntity | null> {
    return this.ds.manager.findOneBy(ProjectEntity, { slug });
  }

  findBySlugs(slugs: readonly string[]): Promise<ProjectEntity[]> {
    return this.ds.manager
      .createQueryBuilder(ProjectEntity, 'p')
      .where('p.slug IN (:...slugs)', { slugs: [...slugs] })
      .getMany();
  }

  findByIds(ids: readonly string[]): Promise<ProjectEntity[]> {
    return this.ds.manager
      .createQueryBuilder(ProjectEntity, 'p')
      .where('p.id IN (:...ids)', { ids: [...ids] })
      .getMany();
  }

  listAll(): Promise<ProjectEntity[]> {
    return this.ds.manager.find(ProjectEntity, { order: { name: 'ASC' } });
  }

  /** Projects the user is a member of. */
  listForMember(userId: string): Promise<ProjectEntity[]> {
    return this.ds.manager
      .createQueryBuilder(ProjectEntity, 'p')
      .innerJoin(ProjectMemberEntity, 'm', 'm.project_id = p.id AND m.user_id = :userId', { userId })
      .orderBy('p.name', 'ASC')
      .getMany();
  }

  async create(manager: EntityManager, p: { slug: string; name: string; description: string }): Promise<ProjectEntity> {
    return manager.save(manager.create(ProjectEntity, { ...p, archivedAt: null }));
  }

  async update(manager: EntityManager, id: string, changes: { name?: string; description?: string }): Promise<ProjectEntity> {
    await manager.update(ProjectEntity, { id }, changes);
    return manager.findOneByOrFail(ProjectEntity, { id });
  }

  /** The user's roles in the project; empty when not a member. */
  async rolesOf(userId: string, projectId: string, manager?: EntityManager): Promise<ProjectRole[]> {
    const m = await (manager ?? this.ds.manager).findOneBy(ProjectMemberEntity, { userId, projectId });
    return m?.roles ?? [];
  }

  findMember(projectId: string, userId: string, manager?: EntityManager): Promise<ProjectMemberEntity | null> {
    return (manager ?? this.ds.manager).findOneBy(ProjectMemberEntity, { projectId, userId });
  }

  /** Members of each project, for DataLoaders. */
  async membersOf(projectIds: readonly string[]): Promise<ProjectMemberEntity[]> {
    return this.ds.manager
      .createQueryBuilder(ProjectMemberEntity, 'm')
      .where('m.project_id IN (:...ids)', { ids: [...projectIds] })
      .orderBy('m.created_at', 'ASC')
      .getMany();
  }

  /** The user's membership in each of the projects, for DataLoaders. */
  async membershipsOf(userId: string, projectIds: readonly string[]): Promise<ProjectMemberEntity[]> {
    return this.ds.manager
      .createQueryBuilder(ProjectMemberEntity, 'm')
      .where('m.user_id = :userId AND m.project_id IN (:...ids)', { userId, ids: [...projectIds] })
      .getMany();
  }

  async addMember(manager: EntityManager, projectId: string, userId: string, roles: ProjectRole[]): Promise<ProjectMemberEntity> {
    return manager.save(manager.create(ProjectMemberEntity, { projectId, userId, roles }));
  }

  async setRoles(manager: EntityManager, projectId: string, userId: string, roles: ProjectRole[]): Promise<ProjectMemberEntity> {
    await manager.update(ProjectMemberEntity, { projectId, userId }, { roles, updatedAt: () => 'now()' });
    return manager.findOneByOrFail(ProjectMemberEntity, { projectId, userId });
  }

  async removeMember(manager: EntityManager, projectId: string, userId: string): Promise<void> {
    await manager.delete(ProjectMemberEntity, { projectId, userId });
  }
}
