/**
 * TrackingService on its real repositories and a fresh database (medium test): experiments and
 * runs are created and changed with their audit events in the same transaction; a batch is all or
 * nothing (a changed param refuses its points and tags too) and a retried batch writes nothing
 * twice; params are write-once; a deleted run takes no writes until restored; the service re-checks
 * the grant and a run-scoped token's run whatever the transport.
 */
import type { ExperimentEntity, ProjectEntity, RunEntity, UserEntity } from '@caliper/persistence';
import type { Principal } from '@caliper/server-kit';
import { defined } from '../testing/defined';
import { AUDIT_REFUSED, Medium, sessionPrincipal, startMedium, tokenPrincipal, unauditablePrincipal } from '../testing/medium';
import { TrackingModule } from './tracking.module';
import { TrackingService } from './tracking.service';

const TABLES = ['experiments', 'experiment_tags', 'runs', 'run_params', 'run_tags', 'metric_points', 'latest_metrics', 'audit_events'];
const point = (key: string, step: number, value: number) => ({ key, step, value, timestamp: 1_700_000_000_000 + step });

describe('TrackingService (medium: real repositories, real database)', () => {
  let md: Medium;
  let tracking: TrackingService;
  let project: ProjectEntity;
  let other: ProjectEntity;
  let researcher: UserEntity;
  /** As the guard leaves it for a researcher's request: run.write granted in the project. */
  let principal: Principal;
  let experiment: ExperimentEntity;

  const paramsOf = (run: RunEntity) =>
    md.query<{ key: string; value: string }>(`SELECT key, value FROM run_params WHERE run_id = $1 ORDER BY key`, [run.id]);
  const tagsOf = async (run: RunEntity) =>
    Object.fromEntries(
      (await md.query<{ key: string; value: string }>(`SELECT key, value FROM run_tags WHERE run_id = $1`, [run.id])).map((t) => [
        t.key,
        t.value,
      ]),
    );
  const pointsOf = (run: RunEntity) =>
    md.query<{ name: string; step: string; value: number }>(
      `SELECT k.name, p.step, p.value FROM metric_points p JOIN metric_keys k ON k.id = p.key_id WHERE p.run_id = $1 ORDER BY k.name, p.step`,
      [run.id],
    );
  const runRow = async (run: RunEntity) =>
    defined(
      (
        await md.query<{ status: string; lifecycle_stage: string; name: string }>(
          `SELECT status, lifecycle_stage, name FROM runs WHERE id = $1`,
          [run.id],
        )
      )[0],
      `the row of run ${run.uuid}`,
    );

  beforeAll(async () => {
    md = await startMedium(TrackingModule);
    tracking = md.get(TrackingService);
    project = await md.newProject();
    other = await md.newProject();
    researcher = await md.newUser();
    await md.addMember(project.id, researcher, ['researcher']);
    principal = sessionPrincipal(researcher, [[project.id, 'run.write', 'project.read']]);
    experiment = await tracking.createExperiment(principal, project.id, 'Default');
  }, 60000);
  afterAll(() => md?.close());

  describe('experiments', () => {
    it('creates an experiment with its tags and an experiment.created event; the first "Default" is the default', async () => {
      expect(experiment).toMatchObject({ projectId: project.id, name: 'Default', isDefault: true, lifecycleStage: 'active' });
      expect((await tracking.defaultExperiment(project.id)).id).toBe(experiment.id);

      const e = await tracking.createExperiment(principal, project.id, 'segmentation', [{ key: 'team', value: 'neuro' }]);
      expect(e).toMatchObject({ name: 'segmentation', isDefault: false, artifactLocation: `mlflow-artifacts:/${e.id}` });
      expect((await tracking.experimentTags([e.id])).map((t) => [t.key, t.value])).toEqual([['team', 'neuro']]);
      expect(await md.auditRows({ entityId: e.id })).toMatchObject([
        {
          action: 'experiment.created',
          entityType: 'experiment',
          projectId: project.id,
          actorId: researcher.id,
          after: { name: 'segmentation' },
        },
      ]);
    });

    it.each([
      ['a taken name', 'segmentation', [], 'ALREADY_EXISTS', "Experiment 'segmentation' already exists."],
      ['an empty name', '', [], 'INVALID_PARAMETER', /Missing value for required parameter 'name'/],
      ['a bad tag key', 'fresh', [{ key: '../up', value: 'x' }], 'INVALID_PARAMETER', /Invalid tag name: '..\/up'/],
    ])('refuses %s and writes nothing', async (_what, name, tags, code, message) => {
      const before = await md.counts(...TABLES);
      const refused = tracking.createExperiment(principal, project.id, name, tags);
      await expect(refused).rejects.toMatchObject({ code });
      await expect(refused).rejects.toThrow(message);
      expect(await md.counts(...TABLES)).toEqual(before);
    });

    it('refuses an experiment in a project the request was not granted run.write in', async () => {
      const before = await md.counts(...TABLES);
      await expect(tracking.createExperiment(principal, other.id, 'sneaky')).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: 'You do not have permission to log or change runs.',
      });
      expect(await md.counts(...TABLES)).toEqual(before);
    });

    it('leaves no experiment or tag behind when its audit event is refused', async () => {
      const before = await md.counts(...TABLES);
      await expect(
        tracking.createExperiment(unauditablePrincipal(researcher), project.id, 'unaudited', [{ key: 'k', value: 'v' }]),
      ).rejects.toMatchObject(AUDIT_REFUSED);
      expect(await md.counts(...TABLES)).toEqual(before);
    });

    it('renames with before and after in the log, refusing a name in use', async () => {
      const e = await tracking.createExperiment(principal, project.id, 'to-rename');
      const renamed = await tracking.renameExperiment(principal, e.id, 'renamed');
      expect(renamed.name).toBe('renamed');
      await expect(tracking.renameExperiment(principal, e.id, 'segmentation')).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
      expect((await tracking.getExperiment(e.id)).name).toBe('renamed');
      expect((await md.auditRows({ entityId: e.id })).map((r) => [r.action, r.before, r.after])).toEqual([
        ['experiment.created', null, { name: 'to-rename' }],
        ['experiment.renamed', { name: 'to-rename' }, { name: 'renamed' }],
      ]);
    });

    it('deletes an experiment with all its runs and restores all of them, refusing the Default experiment and a repeat', async () => {
      const e = await tracking.createExperiment(principal, project.id, 'lifecycle');
      const a = await tracking.createRun(principal, { experimentId: e.id, name: 'a' });
      const b = await tracking.createRun(principal, { experimentId: e.id, name: 'b' });
      await tracking.setRunLifecycle(principal, b.uuid, 'deleted');

      await tracking.setExperimentLifecycle(principal, e.id, 'deleted');
      expect((await runRow(a)).lifecycle_stage).toBe('deleted');
      await expect(tracking.setExperimentLifecycle(principal, e.id, 'deleted')).rejects.toMatchObject({
        code: 'INVALID_STATE',
        message: 'Cannot delete an already deleted experiment.',
      });
      await expect(tracking.createRun(principal, { experimentId: e.id })).rejects.toMatchObject({
        code: 'INVALID_STATE',
        message: `The experiment ${e.id} must be in the 'active' state. Current state is deleted.`,
      });

      await tracking.setExperimentLifecycle(principal, e.id, 'active');
      expect([(await runRow(a)).lifecycle_stage, (await runRow(b)).lifecycle_stage]).toEqual(['active', 'active']);
      const events = (await md.auditRows({ entityId: e.id })).slice(1);
      expect(events.map((r) => [r.action, r.after?.lifecycleStage, r.after?.runs])).toEqual([
        ['experiment.deleted', 'deleted', [a.uuid]],
        ['experiment.restored', 'active', expect.arrayContaining([a.uuid, b.uuid])],
      ]);

      await expect(tracking.setExperimentLifecycle(principal, experiment.id, 'deleted')).rejects.toMatchObject({
        code: 'INVALID_STATE',
        message: "Cannot delete the project's Default experiment.",
      });
      expect((await tracking.getExperiment(experiment.id)).lifecycleStage).toBe('active');
    });
  });

  describe('runs', () => {
    it('creates a running run owned by the caller, its name kept as mlflow.runName, with a run.created event', async () => {
      const run = await tracking.createRun(principal, {
        experimentId: experiment.id,
        name: 'unet-baseline',
        startTime: 1_700_000_000_000,
        tags: [{ key: 'model', value: 'unet' }],
        gitCommit: 'abc123',
      });
      expect(run).toMatchObject({
        projectId: project.id,
        experimentId: experiment.id,
        name: 'unet-baseline',
        status: 'running',
        userId: researcher.id,
        startTime: 1_700_000_000_000,
        endTime: null,
        gitCommit: 'abc123',
        artifactUri: `mlflow-artifacts:/${experiment.id}/${run.uuid}/artifacts`,
      });
      expect(run.uuid).toMatch(/^[0-9a-f]{32}$/);
      expect(await tagsOf(run)).toEqual({ model: 'unet', 'mlflow.runName': 'unet-baseline' });
      expect(await md.auditRows({ entityId: run.uuid })).toMatchObject([
        {
          action: 'run.created',
          entityType: 'run',
          projectId: project.id,
          actorLabel: researcher.username,
          after: { uuid: run.uuid, name: 'unet-baseline', status: 'running', lifecycleStage: 'active', experimentId: experiment.id },
        },
      ]);
    });

    it('names a run from its mlflow.runName tag, or generates an adjective-noun-number name', async () => {
      const tagged = await tracking.createRun(principal, {
        experimentId: experiment.id,
        tags: [{ key: 'mlflow.runName', value: 'from-tag' }],
      });
      expect(tagged.name).toBe('from-tag');
      const generated = await tracking.createRun(principal, { experimentId: experiment.id });
      expect(generated.name).toMatch(/^[a-z]+-[a-z]+-\d{1,3}$/);
      expect((await tagsOf(generated))['mlflow.runName']).toBe(generated.name);
    });

    it('refuses a parent run of another project as not found, a run-scoped token, and a missing grant; none writes a row', async () => {
      const elsewhereExperiment = await md.newExperiment(other.id);
      const elsewhere = await md.newRun(elsewhereExperiment, researcher);
      const before = await md.counts(...TABLES);
      await expect(tracking.createRun(principal, { experimentId: experiment.id, parentRunUuid: elsewhere.uuid })).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: `Run with id=${elsewhere.uuid} not found`,
      });
      const scoped = tokenPrincipal(researcher, { projectId: project.id, roles: ['researcher'], runId: elsewhere.uuid });
      await expect(tracking.createRun(scoped, { experimentId: experiment.id })).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: `This API token is limited to run ${elsewhere.uuid} and cannot create runs.`,
      });
      await expect(tracking.createRun(principal, { experimentId: elsewhereExperiment.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(tracking.createRun(principal, { experimentId: '999999' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: 'No Experiment with id=999999 exists',
      });
      expect(await md.counts(...TABLES)).toEqual(before);
    });

    it('leaves no run or tag behind when its audit event is refused', async () => {
      const before = await md.counts(...TABLES);
      await expect(
        tracking.createRun(unauditablePrincipal(researcher), { experimentId: experiment.id, tags: [{ key: 'a', value: 'b' }] }),
      ).rejects.toMatchObject(AUDIT_REFUSED);
      expect(await md.counts(...TABLES)).toEqual(before);
    });
  });

  describe('logBatch', () => {
    let run: RunEntity;
    beforeAll(async () => {
      run = await tracking.createRun(principal, { experimentId: experiment.id, name: 'batch' });
    });

    it('writes metrics, params and tags in one go, and a retried batch writes nothing twice', async () => {
      const batch = {
        metrics: [point('loss', 0, 0.9), point('loss', 1, 0.5), point('dice', 1, 0.7)],
        params: [
          { key: 'lr', value: '0.001' },
          { key: 'epochs', value: '50' },
        ],
        tags: [{ key: 'stage', value: 'train' }],
      };
      expect(await tracking.logBatch(principal, run.uuid, batch)).toEqual({ pointsWritten: 3 });
      expect(await tracking.logBatch(principal, run.uuid, batch)).toEqual({ pointsWritten: 0 });

      expect(await paramsOf(run)).toEqual([
        { key: 'epochs', value: '50' },
        { key: 'lr', value: '0.001' },
      ]);
      expect(await tagsOf(run)).toMatchObject({ stage: 'train' });
      expect((await pointsOf(run)).map((p) => [p.name, Number(p.step), p.value])).toEqual([
        ['dice', 1, 0.7],
        ['loss', 0, 0.9],
        ['loss', 1, 0.5],
      ]);
      const view = await tracking.getRun(run.uuid);
      expect(view.latestMetrics.map((l) => [l.key, l.step, l.value])).toEqual([
        ['dice', 1, 0.7],
        ['loss', 1, 0.5],
      ]);
      // Points, params and tags are not lifecycle changes: the log holds only the run's creation.
      expect((await md.auditRows({ entityId: run.uuid })).map((r) => r.action)).toEqual(['run.created']);
    });

    it('keeps params write-once: a changed value refuses the whole batch, its points and tags included', async () => {
      const before = await md.counts(...TABLES);
      const refused = tracking.logBatch(principal, run.uuid, {
        metrics: [point('loss', 2, 0.4)],
        params: [
          { key: 'lr', value: '0.01' },
          { key: 'new-param', value: 'x' },
        ],
        tags: [{ key: 'stage', value: 'changed' }],
      });
      await expect(refused).rejects.toMatchObject({
        code: 'PARAM_CHANGED',
        message: `Changing param values is not allowed. Params were already logged='[Param(key='lr', value='0.001')]' for run ID='${run.uuid}'. Attempted logging new values '[Param(key='lr', value='0.01')]'.`,
      });
      expect(await md.counts(...TABLES)).toEqual(before);
      expect(await tagsOf(run)).toMatchObject({ stage: 'train' });
      // Logging the same value again is not a change.
      await expect(tracking.logBatch(principal, run.uuid, { params: [{ key: 'lr', value: '0.001' }] })).resolves.toEqual({
        pointsWritten: 0,
      });
    });

    it('renames the run from an mlflow.runName tag in a batch', async () => {
      const r = await tracking.createRun(principal, { experimentId: experiment.id, name: 'before-rename' });
      await tracking.logBatch(principal, r.uuid, { tags: [{ key: 'mlflow.runName', value: 'after-rename' }] });
      expect((await runRow(r)).name).toBe('after-rename');
    });

    it("holds to MLflow's 1,000 metrics a batch unless the native API lifts it", async () => {
      const many = Array.from({ length: 1001 }, (_, i) => point('big', i, i));
      const before = await md.counts(...TABLES);
      await expect(tracking.logBatch(principal, run.uuid, { metrics: many })).rejects.toMatchObject({
        code: 'INVALID_PARAMETER',
        message: expect.stringContaining('A batch logging request can contain at most 1000 metrics. Got 1001 metrics.'),
      });
      expect(await md.counts(...TABLES)).toEqual(before);
      expect(await tracking.logBatch(principal, run.uuid, { metrics: many }, { enforceMlflowLimits: false })).toEqual({
        pointsWritten: 1001,
      });
    });

    it('takes the one-statement path for a few points of a resolved run, also idempotent', async () => {
      const ref = { id: run.id, uuid: run.uuid, projectId: run.projectId, experimentId: run.experimentId };
      expect(await tracking.logBatch(principal, ref, { metrics: [point('lr-sched', 0, 1e-3), point('lr-sched', 1, 5e-4)] })).toEqual({
        pointsWritten: 2,
      });
      expect(await tracking.logBatch(principal, ref, { metrics: [point('lr-sched', 1, 5e-4)] })).toEqual({ pointsWritten: 0 });
      expect((await pointsOf(run)).filter((p) => p.name === 'lr-sched')).toHaveLength(2);
    });

    it('lets a run-scoped token write to its own run only', async () => {
      const mine = await tracking.createRun(principal, { experimentId: experiment.id, name: 'scoped' });
      const scoped = tokenPrincipal(researcher, { projectId: project.id, roles: ['researcher'], runId: mine.uuid }, [
        [project.id, 'run.write'],
      ]);
      await expect(tracking.logBatch(scoped, mine.uuid, { params: [{ key: 'seed', value: '7' }] })).resolves.toEqual({ pointsWritten: 0 });
      const before = await md.counts(...TABLES);
      await expect(tracking.logBatch(scoped, run.uuid, { params: [{ key: 'seed', value: '7' }] })).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: `This API token is limited to run ${mine.uuid}.`,
      });
      await expect(tracking.createExperiment(scoped, project.id, 'by-token')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await md.counts(...TABLES)).toEqual(before);
    });
  });

  describe('lifecycle', () => {
    it('finishes a run (end time set), audits the status change, and writes no event for a no-op update', async () => {
      const run = await tracking.createRun(principal, { experimentId: experiment.id, name: 'to-finish' });
      const t0 = Date.now();
      const finished = await tracking.updateRun(principal, run.uuid, { status: 'finished' });
      expect(finished.status).toBe('finished');
      expect(finished.endTime).toBeGreaterThanOrEqual(t0);
      await tracking.updateRun(principal, run.uuid, { status: 'finished' });
      const events = await md.auditRows({ entityId: run.uuid });
      expect(events.map((r) => [r.action, r.before?.status, r.after?.status])).toEqual([
        ['run.created', undefined, 'running'],
        ['run.finished', 'running', 'finished'],
      ]);
      expect(events[1]?.after?.endTime).toBe(finished.endTime);
    });

    it('renames a run through updateRun: name, mlflow.runName tag and a run.renamed event', async () => {
      const run = await tracking.createRun(principal, { experimentId: experiment.id, name: 'old-name' });
      await tracking.updateRun(principal, run.uuid, { name: 'new-name' });
      expect((await runRow(run)).name).toBe('new-name');
      expect((await tagsOf(run))['mlflow.runName']).toBe('new-name');
      expect((await md.auditRows({ entityId: run.uuid })).map((r) => [r.action, r.before?.name, r.after?.name])).toEqual([
        ['run.created', undefined, 'old-name'],
        ['run.renamed', 'old-name', 'new-name'],
      ]);
    });

    it('keeps the status when the status change cannot be audited', async () => {
      const run = await tracking.createRun(principal, { experimentId: experiment.id, name: 'kept-running' });
      await expect(tracking.updateRun(unauditablePrincipal(researcher), run.uuid, { status: 'failed' })).rejects.toMatchObject(
        AUDIT_REFUSED,
      );
      expect(await runRow(run)).toEqual({ status: 'running', lifecycle_stage: 'active', name: 'kept-running' });
    });

    it('refuses every write to a deleted run, writing nothing, until it is restored', async () => {
      const run = await tracking.createRun(principal, { experimentId: experiment.id, name: 'deleted' });
      await tracking.logBatch(principal, run.uuid, { tags: [{ key: 'keep', value: 'me' }] });
      const deleted = await tracking.setRunLifecycle(principal, run.uuid, 'deleted');
      expect(deleted.lifecycleStage).toBe('deleted');
      expect(deleted.deletedTime).toEqual(expect.any(Number));
      // Deleting again changes nothing and logs nothing.
      await tracking.setRunLifecycle(principal, run.uuid, 'deleted');

      const state = `The run ${run.uuid} must be in the 'active' state. Current state is deleted.`;
      const ref = { id: run.id, uuid: run.uuid, projectId: run.projectId, experimentId: run.experimentId };
      const before = await md.counts(...TABLES, 'run_inputs');
      const writes: [string, () => Promise<unknown>][] = [
        ['logBatch', () => tracking.logBatch(principal, run.uuid, { metrics: [point('loss', 0, 1)], params: [{ key: 'p', value: '1' }] })],
        ['logBatch (few points)', () => tracking.logBatch(principal, ref, { metrics: [point('loss', 0, 1)] })],
        ['updateRun', () => tracking.updateRun(principal, run.uuid, { status: 'finished' })],
        ['deleteTag', () => tracking.deleteTag(principal, run.uuid, 'keep')],
        ['logInputs', () => tracking.logInputs(principal, run.uuid, [{ kind: 'dataset', name: 'd', digest: 'x', descriptor: {} }])],
      ];
      for (const [what, write] of writes) {
        await expect(write().then(() => `${what} was accepted`)).rejects.toMatchObject({ code: 'INVALID_STATE', message: state });
      }
      expect(await md.counts(...TABLES, 'run_inputs')).toEqual(before);
      expect(await tagsOf(run)).toMatchObject({ keep: 'me' });

      await tracking.setRunLifecycle(principal, run.uuid, 'active');
      expect(await tracking.logBatch(principal, run.uuid, { metrics: [point('loss', 0, 1)] })).toEqual({ pointsWritten: 1 });
      expect((await md.auditRows({ entityId: run.uuid })).map((r) => r.action)).toEqual(['run.created', 'run.deleted', 'run.restored']);
    });

    it('logs a run input once (audited once), and refuses to delete a tag the run does not have', async () => {
      const run = await tracking.createRun(principal, { experimentId: experiment.id, name: 'inputs' });
      const input = { kind: 'dataset' as const, name: 'brats-2021', digest: 'sha256:abc', descriptor: { split: 'train' } };
      expect(await tracking.logInputs(principal, run.uuid, [input])).toBe(1);
      expect(await tracking.logInputs(principal, run.uuid, [input])).toBe(0);
      const events = await md.auditRows({ entityId: run.uuid, action: 'run.inputs_logged' });
      expect(events.map((r) => r.after)).toEqual([{ inputs: [{ kind: 'dataset', name: 'brats-2021', digest: 'sha256:abc' }] }]);
      await expect(tracking.deleteTag(principal, run.uuid, 'absent')).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: `No tag with name: absent in run with id ${run.uuid}`,
      });
    });
  });
});
