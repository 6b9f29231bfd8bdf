/** Projects and their members; every change is audited in its own transaction. */
import { actorOf, Principal } from '@caliper/server-kit';
import { DomainError, notFound } from '@caliper/domain';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ProjectRole } from '@caliper/domain';
import { AccountsRepository, AuditRepository, ProjectEntity, ProjectMemberEntity, ProjectsRepository } from '@caliper/persistence';
import { DEFAULT_EXPERIMENT_NAME, TrackingService } from '../tracking/tracking.service';

const projectSnapshot = (p: ProjectEntity) => ({ slug: p.slug, name: p.name, description: p.description });
const sortedRoles = (roles: readonly ProjectRole[]) => [...roles].sort();

@Injectable()
export class ProjectsService {
  constructor(
    private readonly ds: DataSource,
    private readonly projects: ProjectsRepository,
    private readonly accounts: AccountsRepository,
    private readonly audit: AuditRepository,
    private readonly tracking: TrackingService,
  ) {}

  async bySlug(slug: string): Promise<ProjectEntity> {
    const p = await this.projects.findBySlug(slug);
    if (!p) throw notFound(`Project "${slug}"`);
    return p;
  }

  /** Projects the caller can read: all of them with a global role that reads every project. */
  async readableBy(principal: Principal, seesAll: boolean): Promise<ProjectEntity[]> {
    if (principal.method === 'token') {
      const p = await this.projects.findById(principal.token.projectId);
      return p ? [p] : [];
    }
    return seesAll ? this.projects.listAll() : this.projects.listForMember(principal.user.id);
  }

  /**
   * A new project, with its principal investigator (`piUsername`: an active person, who becomes a
   * member with the PI role and, if they have none, gets it as their default project) when named.
   * One transaction: a refused PI leaves no project behind.
   */
  async create(
    principal: Principal,
    input: { slug: string; name: string; description?: string | null; piUsername?: string | null },
  ): Promise<ProjectEntity> {
    return this.ds.transaction(async (m) => {
      if (await m.findOneBy(ProjectEntity, { slug: input.slug }))
        throw new DomainError('CONFLICT', `A project with the slug "${input.slug}" already exists.`, { field: 'slug' });
      const pi = input.piUsername == null ? null : await this.accounts.findUserByUsername(input.piUsername, m);
      if (input.piUsername != null) {
        if (!pi)
          throw new DomainError('NOT_FOUND', `No user is called "${input.piUsername}": pick the PI from the suggestions.`, {
            field: 'piUsername',
          });
        if (!pi.isActive)
          throw new DomainError('BAD_USER_INPUT', `User "${pi.username}" is deactivated and cannot lead a project.`, {
            field: 'piUsername',
          });
        if (pi.kind !== 'human')
          throw new DomainError('BAD_USER_INPUT', `"${pi.username}" is a service account; a project's PI is a person.`, {
            field: 'piUsername',
          });
      }
      const project = await this.projects.create(m, { slug: input.slug, name: input.name, description: input.description ?? '' });
      if (pi) {
        await this.projects.addMember(m, project.id, pi.id, ['pi']);
        if (!pi.defaultProjectId) await this.accounts.setDefaultProject(m, pi.id, project.id);
      }
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'project.created',
        entityType: 'project',
        entityId: project.id,
        projectId: project.id,
        after: { ...projectSnapshot(project), ...(pi ? { pi: { username: pi.username, roles: ['pi'] } } : {}) },
      });
      // Every project has a Default experiment: where MLflow's experiment "0" logs.
      await this.tracking.createExperiment(principal, project.id, DEFAULT_EXPERIMENT_NAME, [], m, { withNewProject: true });
      return project;
    });
  }

  /** Active users who are not members of the project yet, for its Add member picker. */
  memberCandidates(projectId: string, search: string, first: number): Promise<{ username: string; displayName: string }[]> {
    return this.accounts.searchActiveUsers(search, first, { notInProject: projectId });
  }

  /** Active people (no service accounts), for the new project form's PI picker. */
  piCandidates(search: string, first: number): Promise<{ username: string; displayName: string }[]> {
    return this.accounts.searchActiveUsers(search, first, { humansOnly: true });
  }

  async update(
    principal: Principal,
    input: { projectId: string; name?: string | null; description?: string | null },
  ): Promise<ProjectEntity> {
    return this.ds.transaction(async (m) => {
      const before = await this.projects.findById(input.projectId, m);
      if (!before) throw notFound(`Project ${input.projectId}`);
      const changes: { name?: string; description?: string } = {};
      if (input.name != null) changes.name = input.name;
      if (input.description != null) changes.description = input.description;
      if (Object.keys(changes).length === 0) return before;
      const after = await this.projects.update(m, input.projectId, changes);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'project.updated',
        entityType: 'project',
        entityId: after.id,
        projectId: after.id,
        before: projectSnapshot(before),
        after: projectSnapshot(after),
      });
      return after;
    });
  }

  async addMember(principal: Principal, projectId: string, username: string, roles: ProjectRole[]): Promise<ProjectMemberEntity> {
    return this.ds.transaction(async (m) => {
      if (!(await this.projects.findById(projectId, m))) throw notFound(`Project ${projectId}`);
      const user = await this.accounts.findUserByUsername(username, m);
      if (!user) throw new DomainError('NOT_FOUND', `No user is called "${username}".`, { field: 'username' });
      if (!user.isActive)
        throw new DomainError('BAD_USER_INPUT', `User "${username}" is deactivated and cannot join a project.`, { field: 'username' });
      if (await this.projects.findMember(projectId, user.id, m))
        throw new DomainError('CONFLICT', `"${username}" is already a member; change their roles instead.`, { field: 'username' });
      const member = await this.projects.addMember(m, projectId, user.id, sortedRoles(roles));
      // A user's first project becomes their default (where MLflow clients with Basic auth log).
      if (!user.defaultProjectId) await this.accounts.setDefaultProject(m, user.id, projectId);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'member.added',
        entityType: 'project_member',
        entityId: `${projectId}:${user.id}`,
        projectId,
        after: { username, roles: member.roles },
      });
      return member;
    });
  }

  async setRoles(principal: Principal, projectId: string, userId: string, roles: ProjectRole[]): Promise<ProjectMemberEntity> {
    return this.ds.transaction(async (m) => {
      const before = await this.projects.findMember(projectId, userId, m);
      if (!before) throw notFound('That membership');
      const user = await this.accounts.findUserById(userId, m);
      const after = await this.projects.setRoles(m, projectId, userId, sortedRoles(roles));
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'member.roles_changed',
        entityType: 'project_member',
        entityId: `${projectId}:${userId}`,
        projectId,
        before: { username: user?.username ?? null, roles: before.roles },
        after: { username: user?.username ?? null, roles: after.roles },
      });
      return after;
    });
  }

  async removeMember(principal: Principal, projectId: string, userId: string, reason: string | null): Promise<void> {
    await this.ds.transaction(async (m) => {
      const before = await this.projects.findMember(projectId, userId, m);
      if (!before) throw notFound('That membership');
      const user = await this.accounts.findUserById(userId, m);
      await this.projects.removeMember(m, projectId, userId);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'member.removed',
        entityType: 'project_member',
        entityId: `${projectId}:${userId}`,
        projectId,
        before: { username: user?.username ?? null, roles: before.roles },
        reason,
      });
    });
  }
}
