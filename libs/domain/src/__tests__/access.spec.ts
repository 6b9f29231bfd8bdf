import { can, projectRolesLacking, PROJECT_ROLES } from '../access';

describe('permission matrix', () => {
  it('lets a viewer read but not change a project', () => {
    const viewer = { globalRole: null, projectRoles: ['viewer'] as const };
    expect(can(viewer, 'project.read', true)).toBe(true);
    expect(can(viewer, 'member.manage', true)).toBe(false);
    expect(can(viewer, 'run.write', true)).toBe(false);
  });

  it('unions the permissions of a set of roles', () => {
    const s = { globalRole: null, projectRoles: ['viewer', 'clinical_approver'] as const };
    expect(can(s, 'promotion.sign', true)).toBe(true);
    expect(can(s, 'run.write', true)).toBe(false);
  });

  it('gives non-members nothing in a project', () => {
    expect(can({ globalRole: null, projectRoles: [] }, 'project.read', true)).toBe(false);
  });

  it('keeps the auditor read-only everywhere', () => {
    const auditor = { globalRole: 'auditor' as const, projectRoles: [] };
    expect(can(auditor, 'project.read', true)).toBe(true);
    expect(can(auditor, 'audit.read', false)).toBe(true);
    expect(can(auditor, 'member.manage', true)).toBe(false);
    expect(can(auditor, 'user.manage', false)).toBe(false);
  });

  it('lets a system admin manage users and projects but not sign promotions', () => {
    const admin = { globalRole: 'system_admin' as const, projectRoles: [] };
    expect(can(admin, 'user.manage', false)).toBe(true);
    expect(can(admin, 'project.create', false)).toBe(true);
    expect(can(admin, 'promotion.sign', true)).toBe(false);
  });

  it('gives a token the intersection of its scope and its owner current roles', () => {
    const owner = ['researcher', 'pi'] as const;
    expect(can({ globalRole: null, projectRoles: owner, tokenScope: { roles: ['researcher'] } }, 'run.write', true)).toBe(true);
    expect(can({ globalRole: null, projectRoles: owner, tokenScope: { roles: ['researcher'] } }, 'member.manage', true)).toBe(false);
    // Owner lost the researcher role: the token loses it too.
    expect(can({ globalRole: null, projectRoles: ['viewer'], tokenScope: { roles: ['researcher'] } }, 'run.write', true)).toBe(false);
    // Tokens never carry global powers, even for an admin owner.
    expect(can({ globalRole: 'system_admin', projectRoles: [], tokenScope: { roles: ['pi'] } }, 'user.manage', false)).toBe(false);
  });

  it('lists the roles lacking a permission', () => {
    expect(projectRolesLacking('member.manage')).toEqual(PROJECT_ROLES.filter((r) => r !== 'pi'));
  });
});
