/** Labels and plain-language meaning of the roles (the permission matrix is libs/domain/src/access.ts). */
import type { GlobalRole, ProjectRole } from '../gql/graphql';

export const PROJECT_ROLE_INFO: Record<ProjectRole, { label: string; grants: string }> = {
  VIEWER: { label: 'Viewer', grants: 'reads the project' },
  RESEARCHER: { label: 'Researcher', grants: 'logs runs, registers models, creates API tokens' },
  PI: { label: 'PI', grants: 'manages members and the project, requests and signs promotions' },
  CLINICAL_APPROVER: { label: 'Clinical approver', grants: 'signs promotions to clinical use' },
  QA: { label: 'QA', grants: "signs promotions, reads the project's audit log" },
};

export const PROJECT_ROLES = Object.keys(PROJECT_ROLE_INFO) as ProjectRole[];

export const GLOBAL_ROLE_INFO: Record<GlobalRole, { label: string; grants: string }> = {
  SYSTEM_ADMIN: { label: 'System admin', grants: 'manages users and every project, reads the audit log' },
  AUDITOR: { label: 'Auditor', grants: 'reads every project and the audit log' },
};

export const GLOBAL_ROLES = Object.keys(GLOBAL_ROLE_INFO) as GlobalRole[];

export function projectRoleLabel(role: string): string {
  return PROJECT_ROLE_INFO[role as ProjectRole]?.label ?? role;
}

export function globalRoleLabel(role: string | null | undefined): string | null {
  if (!role) return null;
  return GLOBAL_ROLE_INFO[role as GlobalRole]?.label ?? role;
}

/** Keeps the canonical order so role sets read the same everywhere. */
export function sortRoles(roles: readonly ProjectRole[]): ProjectRole[] {
  return PROJECT_ROLES.filter((r) => roles.includes(r));
}
