/** Who is calling, as established by the authentication guard for one request. */
import type { GlobalRole, ProjectRole } from '@caliper/domain';

export interface PrincipalUser {
  id: string;
  username: string;
  displayName: string;
  globalRole: GlobalRole | null;
}

export type Principal =
  | { method: 'session'; user: PrincipalUser; sessionId: string }
  | { method: 'password'; user: PrincipalUser }
  | { method: 'token'; user: PrincipalUser; token: { id: string; projectId: string; roles: ProjectRole[]; runId: string | null } };

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
