/** Who is calling, as established by the authentication guard for one request. */
import { PERMISSION_PHRASES, TrackingError } from '@caliper/domain';
import type { GlobalRole, Permission, ProjectRole } from '@caliper/domain';

export interface PrincipalUser {
  id: string;
  username: string;
  displayName: string;
  globalRole: GlobalRole | null;
}

/**
 * What the guard has allowed this request to do, project by project. Services check the project
 * of the entity they are about to change against it, so an entity resolved differently from the
 * one the guard checked can never be written (defence in depth behind resolve-once).
 */
export class Grants {
  private readonly byProject = new Map<string, Set<Permission>>();

  add(projectId: string, permission: Permission): void {
    let set = this.byProject.get(projectId);
    if (!set) this.byProject.set(projectId, (set = new Set()));
    set.add(permission);
  }

  has(projectId: string, permission: Permission): boolean {
    return this.byProject.get(projectId)?.has(permission) ?? false;
  }
}

type PrincipalBase = {
  user: PrincipalUser;
  /**
   * Set on every principal a request authenticates (AuthService), filled by the guard. Code that
   * builds a principal itself (the worker, bootstrap, tests of one service) leaves it unset and
   * is trusted as the caller that made it.
   */
  grants?: Grants;
};

export type Principal =
  | (PrincipalBase & { method: 'session'; sessionId: string })
  | (PrincipalBase & { method: 'password' })
  | (PrincipalBase & {
      method: 'token';
      /** `ownerRoles`: the owner's roles in the token's project, read with the token on this request (rights = roles ∩ ownerRoles). */
      token: { id: string; projectId: string; roles: ProjectRole[]; runId: string | null; ownerRoles: ProjectRole[] };
    });

/**
 * The service-side re-check: the entity about to be read or changed is in a project the guard
 * granted this permission in, and inside an API token's own project. Refused as FORBIDDEN with
 * the same words the guard uses.
 */
export function assertGranted(principal: Principal, permission: Permission, projectId: string): void {
  const outsideToken = principal.method === 'token' && principal.token.projectId !== projectId;
  if (outsideToken || (principal.grants && !principal.grants.has(projectId, permission))) {
    throw new TrackingError('FORBIDDEN', `You do not have permission to ${PERMISSION_PHRASES[permission]}.`);
  }
}

/** How the principal appears in the audit log. */
export function actorOf(p: Principal): { actorId: string; actorLabel: string } {
  return { actorId: p.user.id, actorLabel: p.method === 'token' ? `${p.user.username} (token ${p.token.id})` : p.user.username };
}

export interface RequestWithPrincipal {
  principal?: Principal;
  headers: Record<string, string | string[] | undefined>;
  cookies?: Record<string, string>;
  ip?: string;
}
