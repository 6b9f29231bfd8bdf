/**
 * ViewsService on its real repositories and a fresh database (medium test): saving creates or
 * overwrites by (project, kind, name), deleting is safe to retry and stays inside its project, bad
 * input writes nothing, and every change's audit event commits or rolls back with it.
 */
import type { ProjectEntity, UserEntity } from '@caliper/persistence';
import type { Principal } from '@caliper/server-kit';
import { AUDIT_REFUSED, Medium, sessionPrincipal, startMedium, unauditablePrincipal } from '../testing/medium';
import { ViewsModule } from './views.module';
import { ViewsService } from './views.service';

describe('ViewsService (medium: real repositories, real database)', () => {
  let md: Medium;
  let views: ViewsService;
  let project: ProjectEntity;
  let other: ProjectEntity;
  let researcher: UserEntity;
  let principal: Principal;

  beforeAll(async () => {
    md = await startMedium(ViewsModule);
    views = md.get(ViewsService);
    project = await md.newProject();
    other = await md.newProject();
    researcher = await md.newUser();
    await md.addMember(project.id, researcher, ['researcher']);
    principal = sessionPrincipal(researcher, [[project.id, 'run.write', 'project.read']]);
  }, 60000);
  afterAll(() => md?.close());

  it('saves a new view with its state and audits view.created in the same transaction', async () => {
    const saved = await views.save(principal, {
      projectId: project.id,
      kind: 'compare',
      name: '  loss curves  ',
      state: [
        { key: 'runs', value: 'a,b' },
        { key: 'keys', value: 'loss' },
      ],
    });
    expect(saved).toMatchObject({ projectId: project.id, kind: 'compare', name: 'loss curves', createdBy: researcher.id });
    expect(saved.state).toEqual({ runs: 'a,b', keys: 'loss' });
    const rows = await md.query<{ name: string; state: unknown }>(`SELECT name, state FROM saved_views WHERE id = $1`, [saved.id]);
    expect(rows).toEqual([{ name: 'loss curves', state: { runs: 'a,b', keys: 'loss' } }]);
    const audit = await md.auditRows({ entityId: saved.id });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'view.created',
      entityType: 'saved_view',
      projectId: project.id,
      actorId: researcher.id,
      actorLabel: researcher.username,
      before: null,
      after: { name: 'loss curves', kind: 'compare', state: { runs: 'a,b', keys: 'loss' } },
    });
  });

  it('overwrites the view of the same name and kind (same id, creator kept) and audits the before and after', async () => {
    const first = await views.save(principal, {
      projectId: project.id,
      kind: 'runs-table',
      name: 'best',
      state: [{ key: 'q', value: '1' }],
    });
    const second = await views.save(principal, {
      projectId: project.id,
      kind: 'runs-table',
      name: 'best',
      state: [{ key: 'q', value: '2' }],
    });
    expect(second.id).toBe(first.id);
    expect(second.state).toEqual({ q: '2' });
    expect((await md.auditRows({ entityId: first.id })).map((r) => [r.action, r.before?.state ?? null, r.after?.state])).toEqual([
      ['view.created', null, { q: '1' }],
      ['view.updated', { q: '1' }, { q: '2' }],
    ]);
    // The same name under the other kind is a view of its own.
    const compare = await views.save(principal, { projectId: project.id, kind: 'compare', name: 'best', state: [] });
    expect(compare.id).not.toBe(first.id);
    expect((await views.list(project.id, 'runs-table')).map((v) => [v.name, v.state])).toEqual([['best', { q: '2' }]]);
  });

  it('lists a project’s views of one kind by name, never another project’s', async () => {
    const otherPrincipal = sessionPrincipal(researcher);
    await views.save(otherPrincipal, { projectId: other.id, kind: 'compare', name: 'aaa elsewhere', state: [] });
    expect((await views.list(project.id, 'compare')).map((v) => v.name)).toEqual(['best', 'loss curves']);
    expect((await views.list(other.id, 'compare')).map((v) => v.name)).toEqual(['aaa elsewhere']);
  });

  it.each([
    ['a blank name', { name: '   ', state: [] }, 'name: must not be blank'],
    [
      'a state naming a parameter twice',
      {
        name: 'twice',
        state: [
          { key: 'k', value: '1' },
          { key: 'k', value: '2' },
        ],
      },
      'state: names the parameter "k" twice',
    ],
  ])('refuses %s naming the field, and writes nothing', async (_what, input, message) => {
    const before = await md.counts('saved_views', 'audit_events');
    await expect(views.save(principal, { projectId: project.id, kind: 'compare', ...input })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message,
    });
    expect(await md.counts('saved_views', 'audit_events')).toEqual(before);
  });

  it('rolls the view back when its audit event cannot be written (one transaction)', async () => {
    const before = await md.counts('saved_views', 'audit_events');
    await expect(
      views.save(unauditablePrincipal(researcher), { projectId: project.id, kind: 'compare', name: 'never saved', state: [] }),
    ).rejects.toMatchObject(AUDIT_REFUSED);
    expect(await md.counts('saved_views', 'audit_events')).toEqual(before);
    expect((await views.list(project.id, 'compare')).map((v) => v.name)).not.toContain('never saved');
  });

  it('deletes a view once with an audit event; deleting it again is a no-op that writes nothing', async () => {
    const v = await views.save(principal, { projectId: project.id, kind: 'compare', name: 'to delete', state: [{ key: 'x', value: 'y' }] });
    expect(await views.delete(principal, project.id, v.id)).toBe(true);
    expect(await md.query(`SELECT id FROM saved_views WHERE id = $1`, [v.id])).toEqual([]);
    const afterDelete = await md.auditRows({ entityId: v.id });
    expect(afterDelete.map((r) => r.action)).toEqual(['view.created', 'view.deleted']);
    expect(afterDelete[1]).toMatchObject({ before: { name: 'to delete', kind: 'compare', state: { x: 'y' } }, after: null });

    expect(await views.delete(principal, project.id, v.id)).toBe(false);
    expect(await md.auditRows({ entityId: v.id })).toHaveLength(2);
  });

  it('refuses to delete another project’s view as not found, leaving it and the log untouched', async () => {
    const elsewhere = await views.save(sessionPrincipal(researcher), {
      projectId: other.id,
      kind: 'runs-table',
      name: 'theirs',
      state: [],
    });
    const before = await md.counts('saved_views', 'audit_events');
    await expect(views.delete(principal, project.id, elsewhere.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `Saved view ${elsewhere.id} was not found.`,
    });
    expect(await md.counts('saved_views', 'audit_events')).toEqual(before);
    expect((await views.list(other.id, 'runs-table')).map((v) => v.id)).toEqual([elsewhere.id]);
  });
});
