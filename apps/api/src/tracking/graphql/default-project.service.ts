/**
 * A user's default project: where MLflow clients signed in with Basic auth log a bare experiment
 * name and experiment "0". Only a project the user is a member of can be the default.
 */
import { actorOf, Principal } from '@caliper/server-kit';
import { DomainError, notFound } from '@caliper/domain';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccountsRepository, AuditRepository, ProjectEntity, ProjectsRepository } from '@caliper/persistence';

@Injectable()
export class DefaultProjectService {
  constructor(
    private readonly ds: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly projects: ProjectsRepository,
    private readonly audit: AuditRepository,
  ) {}

  async set(principal: Principal, projectId: string): Promise<ProjectEntity> {
    if (principal.method === 'token' && principal.token.projectId !== projectId) {
      throw new DomainError('FORBIDDEN', 'An API token can only act in its own project.');
    }
    return this.ds.transaction(async (m) => {
      const project = await this.projects.findById(projectId, m);
      if (!project) throw notFound(`Project ${projectId}`);
      if (!(await this.projects.findMember(projectId, principal.user.id, m))) {
        throw new DomainError('FORBIDDEN', `You are not a member of "${project.slug}", so it cannot be your default project.`, {
          field: 'projectId',
        });
      }
      const user = await this.accounts.findUserById(principal.user.id, m);
      if (user?.defaultProjectId === projectId) return project;
      await this.accounts.setDefaultProject(m, principal.user.id, projectId);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'user.default_project_set',
        entityType: 'user',
        entityId: principal.user.id,
        projectId,
        before: { defaultProjectId: user?.defaultProjectId ?? null },
        after: { defaultProjectId: projectId },
      });
      return project;
    });
  }
}
