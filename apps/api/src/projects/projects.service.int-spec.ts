/**
 * ProjectsService on its real repositories and a fresh database (medium test): a project is
 * created with its Default experiment and both audit events in one transaction; members are added
 * (a first project becomes the user's default), re-roled and removed, each change audited with
 * before and after; refused calls and refused audit events leave every table as it was.
 */
import type { ProjectEntity, UserEntity } from '@caliper/persistence';
import type { Principal } from '@caliper/server-kit';
import { AUDIT_REFUSED, Medium, sessionPrincipal, startMedium, tokenPrincipal, unauditablePrincipal } from '../testing/medium';
import { ProjectsModule } from './projects.module';
import { ProjectsService } from './projects.service';

const TABLES = ['projects', 'project_members', 'experiments', 'users', 'audit_events'];

describe('ProjectsService (medium: real repositories, real database)', () => {
  let md: Medium;
  let projects: ProjectsService;
  let admin: UserEntity;
  let adminPrincipal: Principal;
  let project: ProjectEntity;
  let slugCounter = 0;
  const slug = () => `medium-${process.pid}-${++slugCounter}`;

  const memberRow = (projectId: string, userId: string) =>
    md.query<{ roles: string[] }>(`SELECT roles FROM project_members WHERE project_id = $1 AND user_id = $2`, [projectId, userId]);
  const defaultProjectOf = async (user: UserEntity) =>
    (await md.query<{ default_project_id: string | null }>(`SELECT default_project_id FROM users WHERE id = $1`, [user.id]))[0]
      ?.default_project_id;

  beforeAll(async () => {
    md = await startMedium(ProjectsModule);
    projects = md.get(ProjectsService);
    admin = await md.newUser({ globalRole: 'system_admin' });
    adminPrincipal = sessionPrincipal(admin);
    project = await projects.create(adminPrincipal, { slug: slug(), name: 'Brain tumour segmentation', description: 'BraTS' });
  }, 60000);
  afterAll(() => md?.close());

  describe('create', () => {
    it('creates the project with its Default experiment, auditing both in order', async () => {
      expect(project).toMatchObject({ name: 'Brain tumour segmentation', description: 'BraTS', archivedAt: null });
      expect(await projects.bySlug(project.slug)).toMatchObject({ id: project.id });
      expect(await md.query(`SELECT name, is_default, lifecycle_stage FROM experiments WHERE project_id = $1`, [project.id])).toEqual([
        { name: 'Default', is_default: true, lifecycle_stage: 'active' },
      ]);
      const events = await md.auditRows({ projectId: project.id });
      expect(events.map((e) => [e.action, e.actorId, e.after])).toEqual([
        ['project.created', admin.id, { slug: project.slug, name: 'Brain tumour segmentation', description: 'BraTS' }],
        ['experiment.created', admin.id, { name: 'Default' }],
      ]);
      expect(events[0]?.entityId).toBe(project.id);
    });

    it('refuses a slug in use as a CONFLICT on slug, writing nothing', async () => {
      const before = await md.counts(...TABLES);
      await expect(projects.create(adminPrincipal, { slug: project.slug, name: 'Again' })).rejects.toMatchObject({
        code: 'CONFLICT',
        message: `A project with the slug "${project.slug}" already exists.`,
        details: { field: 'slug' },
      });
      expect(await md.counts(...TABLES)).toEqual(before);
    });

    it('leaves neither the project nor its experiment when an audit event is refused', async () => {
      const before = await md.counts(...TABLES);
      const s = slug();
      await expect(projects.create(unauditablePrincipal(admin), { slug: s, name: 'Never' })).rejects.toMatchObject(AUDIT_REFUSED);
      expect(await md.counts(...TABLES)).toEqual(before);
      await expect(projects.bySlug(s)).rejects.toMatchObject({ code: 'NOT_FOUND', message: `Project "${s}" was not found.` });
    });
  });

  describe('update', () => {
    it('changes name and description with before and after in the log; an empty change is a no-op', async () => {
      const p = await projects.create(adminPrincipal, { slug: slug(), name: 'Liver', description: '' });
      const after = await projects.update(adminPrincipal, { projectId: p.id, name: 'Liver transplant planning', description: 'CT' });
      expect(after).toMatchObject({ name: 'Liver transplant planning', description: 'CT', slug: p.slug });
      await projects.update(adminPrincipal, { projectId: p.id, name: null, description: null });
      const updates = await md.auditRows({ projectId: p.id, action: 'project.updated' });
      expect(updates.map((e) => [e.before, e.after])).toEqual([
        [
          { slug: p.slug, name: 'Liver', description: '' },
          { slug: p.slug, name: 'Liver transplant planning', description: 'CT' },
        ],
      ]);
    });

    it('refuses an unknown project as not found', async () => {
      const id = '00000000-0000-4000-8000-000000000000';
      await expect(projects.update(adminPrincipal, { projectId: id, name: 'x' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: `Project ${id} was not found.`,
      });
    });
  });

  describe('members', () => {
    let pi: Principal;
    beforeAll(() => {
      pi = sessionPrincipal(admin, [[project.id, 'member.manage']]);
    });

    it("adds a member with sorted roles, makes it the user's default project, and audits member.added", async () => {
      const user = await md.newUser();
      const member = await projects.addMember(pi, project.id, user.username, ['researcher', 'pi']);
      expect(member.roles).toEqual(['pi', 'researcher']);
      expect(await memberRow(project.id, user.id)).toEqual([{ roles: ['pi', 'researcher'] }]);
      expect(await defaultProjectOf(user)).toBe(project.id);
      expect(await md.auditRows({ entityId: `${project.id}:${user.id}` })).toMatchObject([
        {
          action: 'member.added',
          entityType: 'project_member',
          projectId: project.id,
          after: { username: user.username, roles: ['pi', 'researcher'] },
        },
      ]);

      // A second project does not move the default.
      const second = await projects.create(adminPrincipal, { slug: slug(), name: 'Hip fractures' });
      await projects.addMember(sessionPrincipal(admin, [[second.id, 'member.manage']]), second.id, user.username, ['viewer']);
      expect(await defaultProjectOf(user)).toBe(project.id);
    });

    it.each([
      ['an unknown user', async () => 'nobody-here', 'NOT_FOUND', 'No user is called "nobody-here".'],
      [
        'a deactivated user',
        async () => (await md.newUser({ active: false })).username,
        'BAD_USER_INPUT',
        /is deactivated and cannot join a project\.$/,
      ],
    ])('refuses %s naming the username, writing nothing', async (_what, username, code, message) => {
      const name = await username();
      const before = await md.counts(...TABLES);
      const refused = projects.addMember(pi, project.id, name, ['viewer']);
      await expect(refused).rejects.toMatchObject({ code, details: { field: 'username' } });
      await expect(refused).rejects.toThrow(message);
      expect(await md.counts(...TABLES)).toEqual(before);
    });

    it('refuses a second membership as a CONFLICT, keeping the first roles', async () => {
      const user = await md.newUser();
      await projects.addMember(pi, project.id, user.username, ['viewer']);
      const before = await md.counts(...TABLES);
      await expect(projects.addMember(pi, project.id, user.username, ['pi'])).rejects.toMatchObject({
        code: 'CONFLICT',
        message: `"${user.username}" is already a member; change their roles instead.`,
      });
      expect(await md.counts(...TABLES)).toEqual(before);
      expect(await memberRow(project.id, user.id)).toEqual([{ roles: ['viewer'] }]);
    });

    it('adds no member and sets no default project when the audit event is refused', async () => {
      const user = await md.newUser();
      const before = await md.counts(...TABLES);
      await expect(projects.addMember(unauditablePrincipal(admin), project.id, user.username, ['viewer'])).rejects.toMatchObject(
        AUDIT_REFUSED,
      );
      expect(await md.counts(...TABLES)).toEqual(before);
      expect(await defaultProjectOf(user)).toBeNull();
    });

    it('changes roles with before and after in the log, and refuses a non-member', async () => {
      const user = await md.newUser();
      await projects.addMember(pi, project.id, user.username, ['viewer']);
      const after = await projects.setRoles(pi, project.id, user.id, ['researcher', 'qa']);
      expect(after.roles).toEqual(['qa', 'researcher']);
      expect(await md.auditRows({ entityId: `${project.id}:${user.id}`, action: 'member.roles_changed' })).toMatchObject([
        { before: { username: user.username, roles: ['viewer'] }, after: { username: user.username, roles: ['qa', 'researcher'] } },
      ]);
      const stranger = await md.newUser();
      await expect(projects.setRoles(pi, project.id, stranger.id, ['pi'])).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: 'That membership was not found.',
      });
      expect(await memberRow(project.id, stranger.id)).toEqual([]);
    });

    it('removes a member with the reason in the log; removing again is not found', async () => {
      const user = await md.newUser();
      await projects.addMember(pi, project.id, user.username, ['researcher']);
      await projects.removeMember(pi, project.id, user.id, 'left the group');
      expect(await memberRow(project.id, user.id)).toEqual([]);
      expect(await md.auditRows({ entityId: `${project.id}:${user.id}`, action: 'member.removed' })).toMatchObject([
        { before: { username: user.username, roles: ['researcher'] }, reason: 'left the group' },
      ]);
      await expect(projects.removeMember(pi, project.id, user.id, null)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('keeps the member when the removal cannot be audited', async () => {
      const user = await md.newUser();
      await projects.addMember(pi, project.id, user.username, ['researcher']);
      await expect(projects.removeMember(unauditablePrincipal(admin), project.id, user.id, null)).rejects.toMatchObject(AUDIT_REFUSED);
      expect(await memberRow(project.id, user.id)).toEqual([{ roles: ['researcher'] }]);
    });
  });

  describe('readableBy', () => {
    it('lists a member’s projects, every project for a global reader, and only the token’s project for a token', async () => {
      const user = await md.newUser();
      const a = await projects.create(adminPrincipal, { slug: slug(), name: 'A' });
      const b = await projects.create(adminPrincipal, { slug: slug(), name: 'B' });
      await projects.addMember(adminPrincipal, a.id, user.username, ['viewer']);
      await projects.addMember(adminPrincipal, b.id, user.username, ['researcher']);

      expect((await projects.readableBy(sessionPrincipal(user), false)).map((p) => p.id).sort()).toEqual([a.id, b.id].sort());
      const all = (await md.query<{ id: string }>(`SELECT id FROM projects`)).map((r) => r.id).sort();
      expect((await projects.readableBy(adminPrincipal, true)).map((p) => p.id).sort()).toEqual(all);
      const token = tokenPrincipal(user, { projectId: b.id, roles: ['researcher'] });
      expect((await projects.readableBy(token, false)).map((p) => p.id)).toEqual([b.id]);
    });
  });
});
