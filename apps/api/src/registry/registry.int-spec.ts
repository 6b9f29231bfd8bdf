/**
 * The model registry's services (RegisteredModelsService, ModelVersionsService) on their real
 * repositories and a fresh database (medium test): models and versions are created, changed and
 * deleted with their audit events in the same transaction; a version pins its run's artifact
 * objects with their sha256; stages move among none/staging/retired through MLflow and into or out
 * of clinical use only by a signed promotion; aliases move and follow deletions; a version in
 * clinical use (or the model holding it) cannot be deleted; refused calls write nothing.
 */
import { createHash } from 'node:crypto';
import { manifestDigest } from '@caliper/domain';
import { ArtifactsRepository, type ExperimentEntity, type ProjectEntity, type RunEntity, type UserEntity } from '@caliper/persistence';
import type { Principal } from '@caliper/server-kit';
import { defined } from '../testing/defined';
import { AUDIT_REFUSED, Medium, sessionPrincipal, startMedium, tokenPrincipal, unauditablePrincipal } from '../testing/medium';
import { ModelVersionsService } from './model-versions.service';
import { RegisteredModelsService } from './registered-models.service';
import { RegistryModule } from './registry.module';
import type { ModelRef } from './registry.types';

const TABLES = [
  'registered_models',
  'registered_model_tags',
  'model_versions',
  'model_version_tags',
  'model_version_files',
  'registered_model_aliases',
  'audit_events',
];

describe('model registry services (medium: real repositories, real database)', () => {
  let md: Medium;
  let models: RegisteredModelsService;
  let versions: ModelVersionsService;
  let project: ProjectEntity;
  let other: ProjectEntity;
  let experiment: ExperimentEntity;
  let researcher: UserEntity;
  let asResearcher: Principal;
  let n = 0;
  const ref = (name: string): ModelRef => ({ projectId: project.id, name });
  const newModel = async () => {
    const name = `model-${++n}`;
    await models.createModel(asResearcher, project.id, name);
    return ref(name);
  };
  const stageOf = async (r: ModelRef, version: number) =>
    (
      await md.query<{ current_stage: string; deleted: boolean }>(
        `SELECT v.current_stage, v.deleted_time IS NOT NULL AS deleted FROM model_versions v JOIN registered_models m ON m.id = v.registered_model_id
         WHERE m.project_id = $1 AND m.name = $2 AND v.version = $3`,
        [r.projectId, r.name, version],
      )
    )[0];

  /** Maps an artifact of the run as a finished upload does (the object itself is not needed here). */
  async function artifact(run: RunEntity, path: string, content: string) {
    const sha256 = createHash('sha256').update(content).digest('hex');
    const objectKey = `runs/${run.uuid}/${path}-${++n}`;
    const file = { path, bucket: 'caliper-artifacts', objectKey, size: Buffer.byteLength(content), sha256 };
    await md.ds.transaction((m) => md.get(ArtifactsRepository).map(m, { runId: run.id, ...file, contentType: 'application/octet-stream' }));
    return file;
  }

  beforeAll(async () => {
    md = await startMedium(RegistryModule);
    models = md.get(RegisteredModelsService);
    versions = md.get(ModelVersionsService);
    project = await md.newProject();
    other = await md.newProject();
    experiment = await md.newExperiment(project.id);
    researcher = await md.newUser();
    await md.addMember(project.id, researcher, ['researcher']);
    asResearcher = sessionPrincipal(researcher, [[project.id, 'model.register', 'project.read']]);
  }, 60000);
  afterAll(() => md?.close());

  describe('registered models', () => {
    it('creates a model with its tags and a registered_model.created event', async () => {
      const view = await models.createModel(asResearcher, project.id, 'brain-seg', {
        description: 'BraTS U-Net',
        tags: [{ key: 'task', value: 'segmentation' }],
      });
      expect(view.model).toMatchObject({ projectId: project.id, name: 'brain-seg', description: 'BraTS U-Net', deletedTime: null });
      expect(view.tags.map((t) => [t.key, t.value])).toEqual([['task', 'segmentation']]);
      expect(view).toMatchObject({ aliases: [], latestVersions: [] });
      expect(await md.auditRows({ entityId: view.model.id })).toMatchObject([
        {
          action: 'registered_model.created',
          actorId: researcher.id,
          projectId: project.id,
          after: { name: 'brain-seg', description: 'BraTS U-Net', tags: [{ key: 'task', value: 'segmentation' }] },
        },
      ]);
    });

    it.each([
      ['a name in use', () => asResearcher, 'brain-seg', 'ALREADY_EXISTS', 'Registered Model (name=brain-seg) already exists.'],
      ['an empty name', () => asResearcher, '', 'INVALID_PARAMETER', 'Registered model name cannot be empty.'],
      [
        'a project without the grant',
        () => sessionPrincipal(researcher, [[other.id, 'model.register']]),
        'elsewhere',
        'FORBIDDEN',
        'You do not have permission to register model versions.',
      ],
    ])('refuses %s, writing nothing', async (_what, principal, name, code, message) => {
      const before = await md.counts(...TABLES);
      await expect(models.createModel(principal(), project.id, name)).rejects.toMatchObject({ code, message });
      expect(await md.counts(...TABLES)).toEqual(before);
    });

    it('leaves no model or tag behind when its audit event is refused', async () => {
      const before = await md.counts(...TABLES);
      await expect(
        models.createModel(unauditablePrincipal(researcher), project.id, 'unaudited', { tags: [{ key: 'k', value: 'v' }] }),
      ).rejects.toMatchObject(AUDIT_REFUSED);
      expect(await md.counts(...TABLES)).toEqual(before);
    });

    it('renames with before and after in the log, refusing a name in use', async () => {
      const r = await newModel();
      const view = await models.renameModel(asResearcher, r, `${r.name}-renamed`);
      expect(view.model.name).toBe(`${r.name}-renamed`);
      await expect(models.renameModel(asResearcher, ref(`${r.name}-renamed`), 'brain-seg')).rejects.toMatchObject({
        code: 'ALREADY_EXISTS',
      });
      await expect(models.getModel(r)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: `Registered Model with name=${r.name} not found`,
      });
      expect((await md.auditRows({ entityId: view.model.id, action: 'registered_model.renamed' })).map((e) => [e.before, e.after])).toEqual(
        [[{ name: r.name }, { name: `${r.name}-renamed` }]],
      );
    });

    it('sets and deletes tags with the previous value in the log; deleting an absent tag logs nothing', async () => {
      const r = await newModel();
      await models.setModelTag(asResearcher, r, { key: 'owner', value: 'neuro' });
      await models.setModelTag(asResearcher, r, { key: 'owner', value: 'liver' });
      await models.deleteModelTag(asResearcher, r, 'owner');
      await models.deleteModelTag(asResearcher, r, 'owner');
      const id = (await models.getModel(r)).model.id;
      expect((await md.auditRows({ entityId: id })).slice(1).map((e) => [e.action, e.before, e.after])).toEqual([
        ['registered_model.tag_set', { key: 'owner', value: null }, { key: 'owner', value: 'neuro' }],
        ['registered_model.tag_set', { key: 'owner', value: 'neuro' }, { key: 'owner', value: 'liver' }],
        ['registered_model.tag_deleted', { key: 'owner', value: 'liver' }, null],
      ]);
    });

    it('refuses a token limited to one run any change of a model', async () => {
      const r = await newModel();
      const run = await md.newRun(experiment, researcher);
      const scoped = tokenPrincipal(researcher, { projectId: project.id, roles: ['researcher'], runId: run.uuid }, [
        [project.id, 'model.register'],
      ]);
      const before = await md.counts(...TABLES);
      for (const change of [
        () => models.renameModel(scoped, r, 'by-token'),
        () => models.deleteModel(scoped, r),
        () => models.setModelTag(scoped, r, { key: 'k', value: 'v' }),
      ]) {
        await expect(change()).rejects.toMatchObject({ code: 'FORBIDDEN' });
      }
      expect(await md.counts(...TABLES)).toEqual(before);
    });
  });

  describe('versions', () => {
    let run: RunEntity;
    let files: Awaited<ReturnType<typeof artifact>>[];
    beforeAll(async () => {
      run = await md.newRun(experiment, researcher);
      files = [await artifact(run, 'model/model.onnx', 'onnx bytes'), await artifact(run, 'model/MLmodel', 'flavors: onnx')];
      await artifact(run, 'metrics.json', 'not part of the model');
    });

    it("registers a version from a run's artifact directory, pinning each object with its sha256 and the manifest digest", async () => {
      const r = await newModel();
      const view = await versions.createVersion(asResearcher, r, { source: `runs:/${run.uuid}/model`, description: 'first' });
      expect(view.version).toMatchObject({
        version: 1,
        currentStage: 'none',
        artifactPath: 'model',
        description: 'first',
        userId: researcher.id,
      });
      expect(view.runUuid).toBe(run.uuid);
      expect(view.version.artifactDigest).toBe(manifestDigest(files));
      const pinned = await versions.pinnedFiles(r, 1);
      expect(pinned.map((f) => [f.path, f.objectKey, f.sha256, f.size]).sort()).toEqual(
        files.map((f) => [f.path, f.objectKey, f.sha256, f.size]).sort(),
      );
      expect(await md.auditRows({ entityId: view.version.id })).toMatchObject([
        {
          action: 'model_version.registered',
          after: { model: r.name, version: 1, runId: run.uuid, artifactPath: 'model', digest: manifestDigest(files) },
        },
      ]);

      // A later upload to the same path moves the run's mapping, never what the version pinned.
      await artifact(run, 'model/model.onnx', 'retrained bytes');
      expect((await versions.pinnedFiles(r, 1)).find((f) => f.path === 'model/model.onnx')?.sha256).toBe(
        defined(files[0], 'the uploaded model/model.onnx').sha256,
      );
      const second = await versions.createVersion(asResearcher, r, {
        source: `mlflow-artifacts:/${experiment.id}/${run.uuid}/artifacts/model`,
      });
      expect(second.version.version).toBe(2);
      expect(second.version.artifactDigest).not.toBe(view.version.artifactDigest);
    });

    it('registers an external source without files or run', async () => {
      const r = await newModel();
      const view = await versions.createVersion(asResearcher, r, { source: 's3://models/unet.onnx' });
      expect(view).toMatchObject({ runUuid: null, version: { version: 1, artifactPath: null, artifactDigest: null } });
      expect(await versions.pinnedFiles(r, 1)).toEqual([]);
      expect(await versions.downloadUri(r, 1)).toBe('s3://models/unet.onnx');
    });

    it('gives every registration a pending ONNX validation and its worker job, in the same transaction', async () => {
      const r = await newModel();
      const spec = {
        taskType: 'segmentation' as const,
        preprocessing: { window: { center: 40, width: 400 }, normalisation: { kind: 'none' as const } },
        postprocessing: { threshold: 0.5, labels: ['background', 'lesion'] },
      };
      const tagged = await versions.createVersion(asResearcher, r, {
        source: 's3://models/unet.onnx',
        tags: [
          { key: 'caliper.task_type', value: spec.taskType },
          { key: 'caliper.preprocessing', value: JSON.stringify(spec.preprocessing) },
          { key: 'caliper.postprocessing', value: JSON.stringify(spec.postprocessing) },
        ],
      });
      const plain = await versions.createVersion(asResearcher, r, { source: 's3://models/unet.onnx' });
      const rows = await md.query<{ model_version_id: string; status: string; task_type: string | null; spec: unknown }>(
        `SELECT model_version_id, status, task_type, spec FROM model_version_validations WHERE model_version_id = ANY($1) ORDER BY created_at`,
        [[tagged.version.id, plain.version.id]],
      );
      expect(rows).toEqual([
        {
          model_version_id: tagged.version.id,
          status: 'pending',
          task_type: 'segmentation',
          spec: { preprocessing: spec.preprocessing, postprocessing: spec.postprocessing },
        },
        { model_version_id: plain.version.id, status: 'pending', task_type: null, spec: null },
      ]);
      const jobs = await md.query<{ payload: { modelVersionId: string } }>(
        `SELECT payload FROM outbox WHERE job_name = 'registry.validate-version' AND payload->>'modelVersionId' = ANY($1)`,
        [[tagged.version.id, plain.version.id]],
      );
      expect(jobs.map((j) => j.payload.modelVersionId).sort()).toEqual([tagged.version.id, plain.version.id].sort());
      const before = await md.counts(...TABLES);
      await expect(
        versions.createVersion(asResearcher, r, {
          source: 's3://models/unet.onnx',
          tags: [{ key: 'caliper.task_type', value: 'regression' }],
        }),
      ).rejects.toMatchObject({ code: 'INVALID_PARAMETER', message: expect.stringMatching(/^Invalid model spec: taskType: /) });
      expect(await md.counts(...TABLES)).toEqual(before);
    });

    it('refuses bad sources, writing nothing', async () => {
      const r = await newModel();
      const elsewhere = await md.newRun(await md.newExperiment(other.id), researcher);
      const cases: [Parameters<ModelVersionsService['createVersion']>[2], string, string | RegExp][] = [
        [{ source: '' }, 'INVALID_PARAMETER', /^Missing value for required parameter 'source'/],
        [
          { source: `runs:/${run.uuid}/model`, runUuid: elsewhere.uuid },
          'INVALID_PARAMETER',
          /is an artifact of run .* but run_id .* was given/,
        ],
        [
          { source: `runs:/${elsewhere.uuid}/model` },
          'INVALID_PARAMETER',
          `Run ${elsewhere.uuid} belongs to another project; register it in that project's model registry.`,
        ],
        [
          { source: `runs:/${run.uuid}/no-such-dir` },
          'INVALID_PARAMETER',
          `Run ${run.uuid} has no artifacts at 'no-such-dir'; log the model's files to the run before registering it.`,
        ],
        [{ source: `mlflow-artifacts:/999/${run.uuid}/artifacts/model` }, 'INVALID_PARAMETER', /names experiment 999, but run/],
        [{ source: `runs:/${run.uuid}/../x` }, 'INVALID_PARAMETER', /the path may not contain '\.\.'/],
        [{ source: `runs:/${'0'.repeat(32)}/model` }, 'NOT_FOUND', `Run with id=${'0'.repeat(32)} not found`],
      ];
      const before = await md.counts(...TABLES);
      for (const [cmd, code, message] of cases) {
        const refused = versions.createVersion(asResearcher, r, cmd);
        await expect(refused).rejects.toMatchObject({ code });
        await expect(refused).rejects.toThrow(message);
      }
      expect(await md.counts(...TABLES)).toEqual(before);
      await expect(versions.createVersion(asResearcher, ref('no-such-model'), { source: 's3://x' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: 'Registered Model with name=no-such-model not found',
      });
    });

    it('lets a token limited to a run register that run’s model only', async () => {
      const r = await newModel();
      const scoped = tokenPrincipal(researcher, { projectId: project.id, roles: ['researcher'], runId: run.uuid }, [
        [project.id, 'model.register'],
      ]);
      await expect(versions.createVersion(scoped, r, { source: `runs:/${run.uuid}/model` })).resolves.toMatchObject({ runUuid: run.uuid });
      const otherRun = await md.newRun(experiment, researcher);
      await expect(versions.createVersion(scoped, r, { source: 's3://x', runUuid: otherRun.uuid })).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: `This API token is limited to run ${run.uuid} and may only register model versions from that run.`,
      });
      await expect(versions.transitionStage(scoped, r, 1, 'staging', false)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('pins nothing and uses up no version number when the registration cannot be audited', async () => {
      const r = await newModel();
      const before = await md.counts(...TABLES);
      await expect(
        versions.createVersion(unauditablePrincipal(researcher), r, { source: `runs:/${run.uuid}/model` }),
      ).rejects.toMatchObject(AUDIT_REFUSED);
      expect(await md.counts(...TABLES)).toEqual(before);
      expect((await versions.createVersion(asResearcher, r, { source: 's3://x' })).version.version).toBe(1);
    });

    it('changes description and tags, each audited', async () => {
      const r = await newModel();
      const v = await versions.createVersion(asResearcher, r, { source: 's3://x', tags: [{ key: 'dice', value: '0.81' }] });
      expect(v.tags.map((t) => [t.key, t.value])).toEqual([['dice', '0.81']]);
      await versions.updateVersion(asResearcher, r, 1, 'validated on the locked test set');
      await versions.setVersionTag(asResearcher, r, 1, { key: 'dice', value: '0.83' });
      await versions.deleteVersionTag(asResearcher, r, 1, 'dice');
      expect((await versions.getVersion(r, 1)).version.description).toBe('validated on the locked test set');
      expect((await md.auditRows({ entityId: v.version.id })).map((e) => e.action)).toEqual([
        'model_version.registered',
        'model_version.updated',
        'model_version.tag_set',
        'model_version.tag_deleted',
      ]);
    });
  });

  describe('stages', () => {
    it('moves among none, staging and retired through MLflow, each move audited with its path', async () => {
      const r = await newModel();
      const v = await versions.createVersion(asResearcher, r, { source: 's3://x' });
      expect((await versions.transitionStage(asResearcher, r, 1, 'staging', false)).version.currentStage).toBe('staging');
      await versions.transitionStage(asResearcher, r, 1, 'retired', false);
      expect(await stageOf(r, 1)).toEqual({ current_stage: 'retired', deleted: false });
      expect(
        (await md.auditRows({ entityId: v.version.id, action: 'model_version.stage_changed' })).map((e) => [e.before, e.after]),
      ).toEqual([
        [
          { model: r.name, version: 1, stage: 'none' },
          { model: r.name, version: 1, stage: 'staging', via: 'mlflow' },
        ],
        [
          { model: r.name, version: 1, stage: 'staging' },
          { model: r.name, version: 1, stage: 'retired', via: 'mlflow' },
        ],
      ]);
    });

    it('enters and leaves clinical use only through a signed promotion', async () => {
      const r = await newModel();
      await versions.createVersion(asResearcher, r, { source: 's3://x' });
      const before = await md.counts(...TABLES);
      await expect(versions.transitionStage(asResearcher, r, 1, 'clinical', false)).rejects.toMatchObject({
        code: 'INVALID_STATE',
        message:
          'Moving a model version to Production (clinical use) requires a signed promotion request; request a promotion in Caliper instead of transitioning the stage.',
      });
      expect(await md.counts(...TABLES)).toEqual(before);
      await versions.transitionStage(asResearcher, r, 1, 'clinical', false, 'signed-promotion');
      await expect(versions.transitionStage(asResearcher, r, 1, 'retired', false)).rejects.toMatchObject({
        code: 'INVALID_STATE',
        message: 'This model version is in Production (clinical use); moving it out requires a signed promotion request (target: retired).',
      });
      expect(await stageOf(r, 1)).toEqual({ current_stage: 'clinical', deleted: false });
    });

    it('archives the other versions in the target stage in the same transaction', async () => {
      const r = await newModel();
      for (let i = 0; i < 3; i++) await versions.createVersion(asResearcher, r, { source: 's3://x' });
      await versions.transitionStage(asResearcher, r, 1, 'staging', false);
      await versions.transitionStage(asResearcher, r, 2, 'staging', false);

      // Refused after the archiving was written (the audit event of the first archived version): nothing moves.
      await expect(versions.transitionStage(unauditablePrincipal(researcher), r, 3, 'staging', true)).rejects.toMatchObject(AUDIT_REFUSED);
      expect([(await stageOf(r, 1))?.current_stage, (await stageOf(r, 2))?.current_stage, (await stageOf(r, 3))?.current_stage]).toEqual([
        'staging',
        'staging',
        'none',
      ]);

      await versions.transitionStage(asResearcher, r, 3, 'staging', true);
      expect([(await stageOf(r, 1))?.current_stage, (await stageOf(r, 2))?.current_stage, (await stageOf(r, 3))?.current_stage]).toEqual([
        'retired',
        'retired',
        'staging',
      ]);
      const archived = await md.auditRows({ action: 'model_version.stage_changed', projectId: project.id });
      expect(archived.filter((e) => e.after?.reason).map((e) => [e.after?.version, e.after?.reason])).toEqual([
        [1, 'archive_existing_versions (version 3 moved to Staging)'],
        [2, 'archive_existing_versions (version 3 moved to Staging)'],
      ]);
      expect((await models.getModel(r)).latestVersions.map((v) => [v.version.version, v.version.currentStage])).toEqual([
        [2, 'retired'],
        [3, 'staging'],
      ]);

      await expect(versions.transitionStage(asResearcher, r, 3, 'retired', true)).rejects.toMatchObject({
        code: 'INVALID_PARAMETER',
        message: expect.stringContaining("cannot archive existing model versions because 'Archived' is not an Active stage"),
      });
    });
  });

  describe('aliases', () => {
    it('sets, moves and deletes an alias, each audited with the versions it pointed at', async () => {
      const r = await newModel();
      await versions.createVersion(asResearcher, r, { source: 's3://one' });
      await versions.createVersion(asResearcher, r, { source: 's3://two' });
      await versions.setAlias(asResearcher, r, 'champion', 1);
      expect((await versions.versionByAlias(r, 'champion')).version.version).toBe(1);
      await versions.setAlias(asResearcher, r, 'champion', 2);
      expect((await versions.versionByAlias(r, 'champion')).version.source).toBe('s3://two');
      expect((await models.getModel(r)).aliases).toEqual([{ alias: 'champion', version: 2 }]);
      await versions.deleteAlias(asResearcher, r, 'champion');
      await versions.deleteAlias(asResearcher, r, 'champion');
      await expect(versions.versionByAlias(r, 'champion')).rejects.toMatchObject({
        code: 'INVALID_PARAMETER',
        message: 'Registered model alias champion not found.',
      });
      const id = (await models.getModel(r)).model.id;
      expect((await md.auditRows({ entityId: id })).slice(1).map((e) => [e.action, e.before, e.after])).toEqual([
        ['alias.set', null, { alias: 'champion', version: 1 }],
        ['alias.set', { alias: 'champion', version: 1 }, { alias: 'champion', version: 2 }],
        ['alias.deleted', { alias: 'champion', version: 2 }, null],
      ]);
    });

    it.each([
      ['latest', "'latest' alias name (case insensitive) is reserved."],
      ['v3', "Version alias name 'v3' is reserved."],
      ['no spaces', "Invalid alias name: 'no spaces'. Names may only contain alphanumerics, underscores (_), and dashes (-)."],
    ])('refuses the alias %j, writing nothing', async (alias, message) => {
      const r = await newModel();
      await versions.createVersion(asResearcher, r, { source: 's3://x' });
      const before = await md.counts(...TABLES);
      await expect(versions.setAlias(asResearcher, r, alias, 1)).rejects.toMatchObject({ code: 'INVALID_PARAMETER', message });
      await expect(versions.setAlias(asResearcher, r, 'fine', 9)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: `Model Version (name=${r.name}, version=9) not found`,
      });
      expect(await md.counts(...TABLES)).toEqual(before);
    });
  });

  describe('deletion', () => {
    it('deletes a version (soft), dropping its aliases; its number is never reused', async () => {
      const r = await newModel();
      const v1 = await versions.createVersion(asResearcher, r, { source: 's3://one' });
      await versions.createVersion(asResearcher, r, { source: 's3://two' });
      await versions.setAlias(asResearcher, r, 'candidate', 2);
      await versions.deleteVersion(asResearcher, r, 2);
      expect(await stageOf(r, 2)).toEqual({ current_stage: 'none', deleted: true });
      await expect(versions.getVersion(r, 2)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect((await models.getModel(r)).aliases).toEqual([]);
      expect((await md.auditRows({ action: 'model_version.deleted', projectId: project.id })).at(-1)).toMatchObject({
        before: { model: r.name, version: 2, stage: 'none', aliases: ['candidate'] },
      });
      expect((await versions.createVersion(asResearcher, r, { source: 's3://three' })).version.version).toBe(3);
      expect((await versions.getVersion(r, 1)).version.id).toBe(v1.version.id);
    });

    it('deletes a model with its versions (soft), after which its name is free again', async () => {
      const r = await newModel();
      await versions.createVersion(asResearcher, r, { source: 's3://one' });
      await versions.createVersion(asResearcher, r, { source: 's3://two' });
      const id = (await models.getModel(r)).model.id;
      await models.deleteModel(asResearcher, r);
      await expect(models.getModel(r)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect([await stageOf(r, 1), await stageOf(r, 2)]).toEqual([
        { current_stage: 'none', deleted: true },
        { current_stage: 'none', deleted: true },
      ]);
      expect(await md.auditRows({ entityId: id, action: 'registered_model.deleted' })).toMatchObject([
        { before: { name: r.name, versions: [1, 2] } },
      ]);
      const again = await models.createModel(asResearcher, project.id, r.name);
      expect(again.model.id).not.toBe(id);
    });

    it('refuses to delete a version in clinical use, or the model holding it, changing nothing', async () => {
      const r = await newModel();
      await versions.createVersion(asResearcher, r, { source: 's3://one' });
      await versions.createVersion(asResearcher, r, { source: 's3://two' });
      await versions.setAlias(asResearcher, r, 'prod', 2);
      await versions.transitionStage(asResearcher, r, 2, 'clinical', false, 'signed-promotion');
      const before = await md.counts(...TABLES);
      await expect(versions.deleteVersion(asResearcher, r, 2)).rejects.toMatchObject({
        code: 'INVALID_STATE',
        message: `Version 2 of registered model '${r.name}' is in Production (clinical use) and cannot be deleted; retire it through a signed promotion request first.`,
      });
      await expect(models.deleteModel(asResearcher, r)).rejects.toMatchObject({ code: 'INVALID_STATE' });
      expect(await md.counts(...TABLES)).toEqual(before);
      expect([await stageOf(r, 1), await stageOf(r, 2)]).toEqual([
        { current_stage: 'none', deleted: false },
        { current_stage: 'clinical', deleted: false },
      ]);
      expect((await versions.versionByAlias(r, 'prod')).version.version).toBe(2);
    });

    it('keeps the model, its versions and aliases when the deletion cannot be audited', async () => {
      const r = await newModel();
      await versions.createVersion(asResearcher, r, { source: 's3://one' });
      await versions.setAlias(asResearcher, r, 'keep', 1);
      const before = await md.counts(...TABLES);
      await expect(models.deleteModel(unauditablePrincipal(researcher), r)).rejects.toMatchObject(AUDIT_REFUSED);
      expect(await md.counts(...TABLES)).toEqual(before);
      expect(await stageOf(r, 1)).toEqual({ current_stage: 'none', deleted: false });
      expect((await versions.versionByAlias(r, 'keep')).version.version).toBe(1);
    });
  });
});
