/**
 * Authorisation from current state on every call: the caller's global role, their roles in the
 * project, and for API tokens the token's project and role scope (rights = scope ∩ current roles).
 */
import { Injectable } from '@nestjs/common';
import { can, Permission, PERMISSIONS, ProjectRole } from '@caliper/domain';
import { ProjectsRepository } from '@caliper/persistence';
import type { Principal } from './principal';

@Injectable()
export class AccessService {
  constructor(private readonly projects: ProjectsRepository) {}

  async rolesIn(principal: Principal, projectId: string): Promise<ProjectRole[]> {
    // A token's owner's roles in its project were read with the token, on this request.
    if (principal.method === 'token') return principal.token.projectId === projectId ? principal.token.ownerRoles : [];
    return this.projects.rolesOf(principal.user.id, projectId);
  }

  /** Decides from roles already loaded (DataLoaders batch the membership reads). */
  allowsWithRoles(principal: Principal, permission: Permission, projectId: string | null, projectRoles: readonly ProjectRole[]): boolean {
    if (principal.method === 'token' && projectId !== principal.token.projectId) return false;
    return can(
      {
        globalRole: principal.user.globalRole,
        projectRoles,
        tokenScope: principal.method === 'token' ? { roles: principal.token.roles } : null,
      },
      permission,
      projectId !== null,
    );
  }

  async allows(principal: Principal, permission: Permission, projectId: string | null): Promise<boolean> {
    const roles = projectId ? await this.rolesIn(principal, projectId) : [];
    return this.allowsWithRoles(principal, permission, projectId, roles);
  }

  permissionsWithRoles(principal: Principal, projectId: string | null, projectRoles: readonly ProjectRole[]): Permission[] {
    return PERMISSIONS.filter((p) => this.allowsWithRoles(principal, p, projectId, projectRoles));
  }
}
