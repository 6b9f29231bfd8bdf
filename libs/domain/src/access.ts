/**
 * Roles and the one permission matrix every transport checks against (DESIGN.md: users and roles).
 * A project membership holds a SET of project roles; system_admin and auditor are global.
 */
export const PROJECT_ROLES = ['viewer', 'researcher', 'pi', 'clinical_approver', 'qa'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

export const GLOBAL_ROLES = ['system_admin', 'auditor'] as const;
export type GlobalRole = (typeof GLOBAL_ROLES)[number];

export const PERMISSIONS = [
  'project.read',
  'project.update',
  'project.create',
  'member.manage',
  'token.create',
  'run.write',
  'dataset.write',
  'dataset.seal',
  'model.register',
  'promotion.request',
  'promotion.sign',
  'audit.read',
  'user.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What each permission lets a caller do, for messages ("You do not have permission to …") and the UI. */
export const PERMISSION_PHRASES: Record<Permission, string> = {
  'project.read': 'read this project',
  'project.update': 'change this project',
  'project.create': 'create projects',
  'member.manage': 'manage members and their tokens',
  'token.create': 'create API tokens',
  'run.write': 'log or change runs',
  'dataset.write': 'create datasets and change draft versions',
  'dataset.seal': 'seal dataset versions (attesting their de-identification)',
  'model.register': 'register model versions',
  'promotion.request': 'request promotions',
  'promotion.sign': 'sign promotions',
  'audit.read': 'read the audit log',
  'user.manage': 'manage users',
};

/** Permissions a project role grants inside its project. */
const PROJECT_ROLE_PERMISSIONS: Record<ProjectRole, readonly Permission[]> = {
  viewer: ['project.read'],
  researcher: ['project.read', 'token.create', 'run.write', 'dataset.write', 'model.register'],
  pi: [
    'project.read',
    'project.update',
    'member.manage',
    'token.create',
    'run.write',
    'dataset.write',
    'dataset.seal',
    'model.register',
    'promotion.request',
    'promotion.sign',
    // The PI answers for the project: they read its audit log (project-scoped, like QA).
    'audit.read',
  ],
  clinical_approver: ['project.read', 'promotion.sign'],
  qa: ['project.read', 'promotion.sign', 'audit.read'],
};

/** Permissions a global role grants in every project and outside projects. */
const GLOBAL_ROLE_PERMISSIONS: Record<GlobalRole, readonly Permission[]> = {
  system_admin: ['project.read', 'project.update', 'project.create', 'member.manage', 'audit.read', 'user.manage'],
  auditor: ['project.read', 'audit.read'],
};

/** Permissions that only make sense outside any project. */
const GLOBAL_ONLY: ReadonlySet<Permission> = new Set(['project.create', 'user.manage']);

export function isProjectRole(value: string): value is ProjectRole {
  return (PROJECT_ROLES as readonly string[]).includes(value);
}

export function isGlobalRole(value: string): value is GlobalRole {
  return (GLOBAL_ROLES as readonly string[]).includes(value);
}

export function permissionsOfProjectRoles(roles: readonly ProjectRole[]): Set<Permission> {
  const out = new Set<Permission>();
  for (const role of roles) for (const p of PROJECT_ROLE_PERMISSIONS[role]) out.add(p);
  return out;
}

export interface AccessSubject {
  globalRole: GlobalRole | null;
  /** The caller's roles in the project at hand (empty when not a member). */
  projectRoles: readonly ProjectRole[];
  /** For API tokens: the token's own scope; rights are scope ∩ the owner's current roles. */
  tokenScope?: { roles: readonly ProjectRole[] } | null;
}

/** The single authorisation decision. Project permissions need a project; global ones must not have one. */
export function can(subject: AccessSubject, permission: Permission, inProject: boolean): boolean {
  if (GLOBAL_ONLY.has(permission) && inProject) return false;
  if (subject.tokenScope) {
    // Tokens act only inside their project, and never with global powers.
    if (!inProject) return false;
    const effective = subject.projectRoles.filter((r) => subject.tokenScope!.roles.includes(r));
    return permissionsOfProjectRoles(effective).has(permission);
  }
  if (subject.globalRole && GLOBAL_ROLE_PERMISSIONS[subject.globalRole].includes(permission)) return true;
  if (!inProject) return false;
  return permissionsOfProjectRoles(subject.projectRoles).has(permission);
}

/** Roles (project roles and global roles) that lack a permission: used by the authorisation sweep test. */
export function projectRolesLacking(permission: Permission): ProjectRole[] {
  return PROJECT_ROLES.filter((r) => !PROJECT_ROLE_PERMISSIONS[r].includes(permission));
}
