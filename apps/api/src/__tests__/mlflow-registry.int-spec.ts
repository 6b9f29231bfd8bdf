/**
 * The MLflow registry endpoints against a booted API on real PostgreSQL and the local S3 server:
 * every endpoint's success and error answers, authorisation, the stage rules (Production refused
 * without a signed promotion), aliases, search, pinning of run artifacts, soft deletes and audit.
 */
import { RegistryRepository, RunEntity } from '@caliper/persistence';
import { ModelVersionsService } from '../registry/model-versions.service';
import { mlflow, newRun, ownerQuery, putArtifact, RegistryFixture, registryFixture } from '../registry/testing/registry-fixture';
import { Auth, gqlOk, login, newProject, newUser, startTestApi, TestApi } from '../testing/api-harness';
import { defined } from '../testing/defined';

type Json = Record<string, unknown>;

describe('MLflow model registry API', () => {
  let api: TestApi;
  let f: RegistryFixture;
  let run: RunEntity;
  let modelFiles: Record<string, { objectKey: string; sha256: string }>;
  let call: (method: string, endpoint: string, args?: Json, auth?: Auth) => Promise<{ status: number; body: Json }>;

  beforeAll(async () => {
    api = await startTestApi();
    f = await registryFixture(api, 'registry-proj');
    call = (method, endpoint, args, auth = f.researcher) => mlflow(api, method, endpoint, args, auth);
    run = await newRun(api, f);
    modelFiles = {};
    for (const [path, content] of [
      ['model/MLmodel', 'flavors: onnx'],
      ['model/model.onnx', 'onnx-bytes-v1'],
      ['model/conda.yaml', 'deps'],
      ['metrics.json', '{}'],
    ] as const) {
      modelFiles[path] = await putArtifact(api, run, path, content);
    }
  });
  afterAll(async () => api?.close());

  const source = (path: string) => `mlflow-artifacts:/${run.experimentId}/${run.uuid}/artifacts/${path}`;
  const createModel = async (name: string, extra: Json = {}) => {
    const r = await call('POST', 'registered-models/create', { name, ...extra });
    expect(r.status).toBe(200);
    return r.body.registered_model as Json;
  };
  const createVersion = async (name: string, path = 'model', extra: Json = {}) => {
    const r = await call('POST', 'model-versions/create', { name, source: source(path), run_id: run.uuid, ...extra });
    expect(r).toMatchObject({ status: 200 });
    return r.body.model_version as Json;
  };
  const expectError = (r: { status: number; body: Json }, status: number, code: string, message?: string | RegExp) => {
    expect(r.status).toBe(status);
    expect(r.body.error_code).toBe(code);
    if (message) expect(r.body.message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
  };

  describe('registered models', () => {
    it('creates a model with MLflow shape, and refuses a duplicate name with RESOURCE_ALREADY_EXISTS', async () => {
      const created = await call('POST', 'registered-models/create', {
        name: 'unet-create',
        tags: [{ key: 'task', value: 'segmentation' }],
        description: 'brain',
      });
      expect(created.status).toBe(200);
      expect(created.body).toEqual({
        registered_model: {
          name: 'unet-create',
          creation_timestamp: expect.any(Number),
          last_updated_timestamp: expect.any(Number),
          description: 'brain',
          tags: [{ key: 'task', value: 'segmentation' }],
        },
      });
      expectError(
        await call('POST', 'registered-models/create', { name: 'unet-create' }),
        400,
        'RESOURCE_ALREADY_EXISTS',
        'Registered Model (name=unet-create) already exists.',
      );
    });

    it('answers INVALID_PARAMETER_VALUE for missing or malformed arguments', async () => {
      expectError(
        await call('POST', 'registered-models/create', {}),
        400,
        'INVALID_PARAMETER_VALUE',
        /Missing value for required parameter 'name'/,
      );
      expectError(
        await call('POST', 'registered-models/create', { name: 'bad-tag', tags: [{ key: '../x', value: 'v' }] }),
        400,
        'INVALID_PARAMETER_VALUE',
        /Invalid tag name/,
      );
      expectError(
        await call('GET', 'registered-models/get', {}),
        400,
        'INVALID_PARAMETER_VALUE',
        /Missing value for required parameter 'name'/,
      );
    });

    it('gets, updates, renames and deletes a model; unknown names answer 404 RESOURCE_DOES_NOT_EXIST', async () => {
      await createModel('to-rename');
      expectError(
        await call('GET', 'registered-models/get', { name: 'nope' }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        'Registered Model with name=nope not found',
      );
      const got = await call('GET', 'registered-models/get', { name: 'to-rename' });
      expect(got.body).toEqual({
        registered_model: { name: 'to-rename', creation_timestamp: expect.any(Number), last_updated_timestamp: expect.any(Number) },
      });

      const updated = await call('PATCH', 'registered-models/update', { name: 'to-rename', description: 'now described' });
      expect(updated.body.registered_model).toMatchObject({ name: 'to-rename', description: 'now described' });

      await createModel('taken');
      expectError(await call('POST', 'registered-models/rename', { name: 'to-rename', new_name: 'taken' }), 400, 'RESOURCE_ALREADY_EXISTS');
      const renamed = await call('POST', 'registered-models/rename', { name: 'to-rename', new_name: 'renamed' });
      expect(renamed.body.registered_model).toMatchObject({ name: 'renamed', description: 'now described' });
      expectError(await call('GET', 'registered-models/get', { name: 'to-rename' }), 404, 'RESOURCE_DOES_NOT_EXIST');

      expect(await call('DELETE', 'registered-models/delete', { name: 'renamed' })).toEqual({ status: 200, body: {} });
      expectError(await call('GET', 'registered-models/get', { name: 'renamed' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      expectError(await call('DELETE', 'registered-models/delete', { name: 'renamed' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      // The name is free again, and a new model's versions start at 1.
      await createModel('renamed');
      expect((await createVersion('renamed')).version).toBe('1');
    });

    it('sets and deletes model tags (deleting a missing tag is not an error, as in MLflow)', async () => {
      await createModel('tagged');
      expect(await call('POST', 'registered-models/set-tag', { name: 'tagged', key: 'owner', value: 'neuro' })).toEqual({
        status: 200,
        body: {},
      });
      expect((await call('GET', 'registered-models/get', { name: 'tagged' })).body.registered_model).toMatchObject({
        tags: [{ key: 'owner', value: 'neuro' }],
      });
      expect(await call('DELETE', 'registered-models/delete-tag', { name: 'tagged', key: 'owner' })).toEqual({ status: 200, body: {} });
      expect((await call('GET', 'registered-models/get', { name: 'tagged' })).body.registered_model).not.toHaveProperty('tags');
      expect((await call('DELETE', 'registered-models/delete-tag', { name: 'tagged', key: 'owner' })).status).toBe(200);
      expectError(await call('POST', 'registered-models/set-tag', { name: 'ghost', key: 'k', value: 'v' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    });
  });

  describe('model versions', () => {
    it('registers a version from a run directory, pinning every object under it with its sha256, and audits the sha256s', async () => {
      await createModel('pinned');
      const v = await createVersion('pinned', 'model', { description: 'first cut', tags: [{ key: 'k', value: 'v' }] });
      expect(v).toEqual({
        name: 'pinned',
        version: '1',
        creation_timestamp: expect.any(Number),
        last_updated_timestamp: expect.any(Number),
        current_stage: 'None',
        description: 'first cut',
        source: source('model'),
        run_id: run.uuid,
        status: 'READY',
        tags: [{ key: 'k', value: 'v' }],
        run_link: '',
      });
      const files = await ownerQuery<{ path: string; object_key: string; sha256: string }>(
        api,
        `SELECT f.path, f.object_key, f.sha256 FROM model_version_files f JOIN model_versions mv ON mv.id = f.model_version_id JOIN registered_models rm ON rm.id = mv.registered_model_id WHERE rm.name = 'pinned' ORDER BY f.path`,
      );
      expect(files).toEqual(
        ['model/MLmodel', 'model/conda.yaml', 'model/model.onnx'].map((p) => ({
          path: p,
          object_key: modelFiles[p]?.objectKey,
          sha256: modelFiles[p]?.sha256,
        })),
      );
      const [event] = await ownerQuery<{ after: { files: { path: string; sha256: string }[]; digest: string } }>(
        api,
        `SELECT after FROM audit_events WHERE action = 'model_version.registered' AND after->>'model' = 'pinned'`,
      );
      expect(event?.after.files.map((x) => x.sha256).sort()).toEqual(files.map((x) => x.sha256).sort());
      expect(event?.after.digest).toMatch(/^[0-9a-f]{64}$/);
    });

    it('keeps the pinned object when the run re-uploads the same path; a new version pins the new object', async () => {
      await createModel('reupload');
      await createVersion('reupload', 'model/model.onnx');
      const original = defined(modelFiles['model/model.onnx'], 'the uploaded model/model.onnx');
      const replaced = await putArtifact(api, run, 'model/model.onnx', 'onnx-bytes-v2');
      expect(replaced.sha256).not.toBe(original.sha256);
      const [mapping] = await ownerQuery<{ object_key: string }>(
        api,
        `SELECT object_key FROM artifacts WHERE run_id = $1 AND path = 'model/model.onnx'`,
        [run.id],
      );
      expect(mapping?.object_key).toBe(replaced.objectKey);

      await createVersion('reupload', 'model/model.onnx');
      const pins = await ownerQuery<{ version: number; object_key: string; sha256: string }>(
        api,
        `SELECT mv.version, f.object_key, f.sha256 FROM model_version_files f JOIN model_versions mv ON mv.id = f.model_version_id JOIN registered_models rm ON rm.id = mv.registered_model_id WHERE rm.name = 'reupload' ORDER BY mv.version`,
      );
      expect(pins).toEqual([
        { version: 1, object_key: original.objectKey, sha256: original.sha256 },
        { version: 2, object_key: replaced.objectKey, sha256: replaced.sha256 },
      ]);
      expect(await api.objects.store.exists('caliper-artifacts', original.objectKey)).toBe(true);
      const pinned = await api.app
        .get(RegistryRepository)
        .pinnedObjectKeys('caliper-artifacts', [original.objectKey, replaced.objectKey, 'runs/never-registered']);
      expect([...pinned].sort()).toEqual([original.objectKey, replaced.objectKey].sort());
      modelFiles['model/model.onnx'] = replaced;
    });

    it('refuses sources it cannot pin or that point elsewhere, with messages naming the problem', async () => {
      await createModel('bad-sources');
      expectError(
        await call('POST', 'model-versions/create', { name: 'bad-sources', source: source('nothing-here'), run_id: run.uuid }),
        400,
        'INVALID_PARAMETER_VALUE',
        /has no artifacts at 'nothing-here'/,
      );
      expectError(
        await call('POST', 'model-versions/create', { name: 'bad-sources', source: source('model'), run_id: 'f'.repeat(32) }),
        400,
        'INVALID_PARAMETER_VALUE',
        /but run_id f{32} was given/,
      );
      expectError(
        await call('POST', 'model-versions/create', {
          name: 'bad-sources',
          source: `mlflow-artifacts:/1/${'e'.repeat(32)}/artifacts/model`,
        }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        /Run with id=e{32} not found/,
      );
      expectError(
        await call('POST', 'model-versions/create', { name: 'bad-sources' }),
        400,
        'INVALID_PARAMETER_VALUE',
        /Missing value for required parameter 'source'/,
      );
      expectError(
        await call('POST', 'model-versions/create', { name: 'no-such-model', source: source('model') }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        'Registered Model with name=no-such-model not found',
      );

      const other = await newProject(api, f.admin, 'registry-other');
      await gqlOk(api, f.admin, `mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { roles } }`, {
        i: { projectId: other, username: (f.researcher as { basic: [string, string] }).basic[0], roles: ['RESEARCHER'] },
      });
      await createModel('registry-other/foreign');
      expectError(
        await call('POST', 'model-versions/create', { name: 'registry-other/foreign', source: source('model') }),
        400,
        'INVALID_PARAMETER_VALUE',
        /belongs to another project/,
      );
    });

    it('registers an external source without pinning, and runs:/ sources like artifact URIs', async () => {
      await createModel('external');
      const ext = await createVersion('external', 'model', { source: 's3://elsewhere/model', run_id: undefined });
      expect(ext).toMatchObject({ version: '1', source: 's3://elsewhere/model' });
      expect(ext).not.toHaveProperty('run_id');
      const viaRuns = await call('POST', 'model-versions/create', { name: 'external', source: `runs:/${run.uuid}/model` });
      expect(viaRuns.body.model_version).toMatchObject({ version: '2', run_id: run.uuid });
      const [count] = await ownerQuery<{ n: string }>(
        api,
        `SELECT count(*) AS n FROM model_version_files f JOIN model_versions mv ON mv.id = f.model_version_id JOIN registered_models rm ON rm.id = mv.registered_model_id WHERE rm.name = 'external'`,
      );
      expect(Number(count?.n)).toBe(3);
    });

    it('gets, updates, tags, gives the download URI, and deletes versions; numbers are never reused', async () => {
      await createModel('lifecycle');
      await createVersion('lifecycle');
      await createVersion('lifecycle', 'metrics.json');
      expectError(
        await call('GET', 'model-versions/get', { name: 'lifecycle', version: '9' }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        'Model Version (name=lifecycle, version=9) not found',
      );
      expectError(
        await call('GET', 'model-versions/get', { name: 'lifecycle', version: 'one' }),
        400,
        'INVALID_PARAMETER_VALUE',
        "Model version must be an integer, got 'one'",
      );
      expectError(
        await call('GET', 'model-versions/get', { name: 'lifecycle' }),
        400,
        'INVALID_PARAMETER_VALUE',
        /Missing value for required parameter 'version'/,
      );

      const updated = await call('PATCH', 'model-versions/update', { name: 'lifecycle', version: '1', description: 'checked' });
      expect(updated.body.model_version).toMatchObject({ version: '1', description: 'checked' });
      expect(
        (await call('POST', 'model-versions/set-tag', { name: 'lifecycle', version: '1', key: 'validated', value: 'true' })).status,
      ).toBe(200);
      expect((await call('GET', 'model-versions/get', { name: 'lifecycle', version: '1' })).body.model_version).toMatchObject({
        tags: [{ key: 'validated', value: 'true' }],
      });
      expect((await call('DELETE', 'model-versions/delete-tag', { name: 'lifecycle', version: '1', key: 'validated' })).status).toBe(200);
      expect((await call('GET', 'model-versions/get', { name: 'lifecycle', version: '1' })).body.model_version).not.toHaveProperty('tags');
      expectError(
        await call('POST', 'model-versions/set-tag', { name: 'lifecycle', version: '7', key: 'k', value: 'v' }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
      );

      expect(await call('GET', 'model-versions/get-download-uri', { name: 'lifecycle', version: '1' })).toEqual({
        status: 200,
        body: { artifact_uri: source('model') },
      });

      expect(await call('DELETE', 'model-versions/delete', { name: 'lifecycle', version: '2' })).toEqual({ status: 200, body: {} });
      expectError(await call('GET', 'model-versions/get', { name: 'lifecycle', version: '2' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      expectError(await call('DELETE', 'model-versions/delete', { name: 'lifecycle', version: '2' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      expect((await createVersion('lifecycle')).version).toBe('3');
    });

    it('numbers concurrent registrations sequentially without gaps or duplicates', async () => {
      await createModel('concurrent');
      const versions = await Promise.all(Array.from({ length: 6 }, () => createVersion('concurrent')));
      expect(versions.map((v) => Number(v.version)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    });
  });

  describe('stages', () => {
    beforeAll(async () => {
      await createModel('staged');
      for (let i = 0; i < 3; i++) await createVersion('staged');
    });
    const stageInDb = async (version: number) =>
      (
        await ownerQuery<{ current_stage: string }>(
          api,
          `SELECT mv.current_stage FROM model_versions mv JOIN registered_models rm ON rm.id = mv.registered_model_id WHERE rm.name = 'staged' AND mv.version = $1`,
          [version],
        )
      )[0]?.current_stage;

    it('moves to Staging and Archived and back to None, stored as staging / retired / none', async () => {
      const staged = await call('POST', 'model-versions/transition-stage', {
        name: 'staged',
        version: '1',
        stage: 'Staging',
        archive_existing_versions: false,
      });
      expect(staged.body.model_version).toMatchObject({ version: '1', current_stage: 'Staging' });
      expect(await stageInDb(1)).toBe('staging');
      expect(
        (
          await call('POST', 'model-versions/transition-stage', {
            name: 'staged',
            version: '1',
            stage: 'archived',
            archive_existing_versions: false,
          })
        ).body.model_version,
      ).toMatchObject({ current_stage: 'Archived' });
      expect(await stageInDb(1)).toBe('retired');
      expect(
        (await call('POST', 'model-versions/transition-stage', { name: 'staged', version: '1', stage: 'None' })).body.model_version,
      ).toMatchObject({ current_stage: 'None' });
      expect(await stageInDb(1)).toBe('none');
    });

    it('refuses Production through the MLflow API with INVALID_STATE "requires a signed promotion request", changing nothing', async () => {
      const r = await call('POST', 'model-versions/transition-stage', {
        name: 'staged',
        version: '2',
        stage: 'Production',
        archive_existing_versions: true,
      });
      expectError(r, 400, 'INVALID_STATE', /requires a signed promotion request/);
      expect(await stageInDb(2)).toBe('none');
    });

    it('archives the other versions in the target stage when asked, and refuses archiving for inactive targets', async () => {
      await call('POST', 'model-versions/transition-stage', {
        name: 'staged',
        version: '1',
        stage: 'Staging',
        archive_existing_versions: false,
      });
      const r = await call('POST', 'model-versions/transition-stage', {
        name: 'staged',
        version: '2',
        stage: 'Staging',
        archive_existing_versions: true,
      });
      expect(r.body.model_version).toMatchObject({ version: '2', current_stage: 'Staging' });
      expect(await stageInDb(1)).toBe('retired');
      expectError(
        await call('POST', 'model-versions/transition-stage', {
          name: 'staged',
          version: '3',
          stage: 'Archived',
          archive_existing_versions: true,
        }),
        400,
        'INVALID_PARAMETER_VALUE',
        /not an Active stage/,
      );
      expectError(
        await call('POST', 'model-versions/transition-stage', { name: 'staged', version: '3', stage: 'Clinical' }),
        400,
        'INVALID_PARAMETER_VALUE',
        'Invalid Model Version stage: Clinical. Value must be one of None, Staging, Production, Archived.',
      );
      expectError(
        await call('POST', 'model-versions/transition-stage', { name: 'staged', version: '3' }),
        400,
        'INVALID_PARAMETER_VALUE',
        /Missing value for required parameter 'stage'/,
      );
    });

    it('shows a clinical version as Production, and refuses moving it out or deleting it through the MLflow API', async () => {
      const registry = api.app.get(ModelVersionsService);
      await registry.transitionStage(
        f.researcherPrincipal,
        { projectId: f.projectId, name: 'staged' },
        3,
        'clinical',
        false,
        'signed-promotion',
      );
      expect((await call('GET', 'model-versions/get', { name: 'staged', version: '3' })).body.model_version).toMatchObject({
        current_stage: 'Production',
      });
      expectError(
        await call('POST', 'model-versions/transition-stage', { name: 'staged', version: '3', stage: 'Archived' }),
        400,
        'INVALID_STATE',
        /requires a signed promotion request/,
      );
      expectError(await call('DELETE', 'model-versions/delete', { name: 'staged', version: '3' }), 400, 'INVALID_STATE', /clinical use/);
      expectError(await call('DELETE', 'registered-models/delete', { name: 'staged' }), 400, 'INVALID_STATE', /clinical use/);
      expect(await stageInDb(3)).toBe('clinical');
    });

    it('answers get-latest-versions per stage (POST and GET), all stages when none are named', async () => {
      const staging = await call('POST', 'registered-models/get-latest-versions', { name: 'staged', stages: ['Staging'] });
      expect((staging.body.model_versions as Json[]).map((v) => [v.version, v.current_stage])).toEqual([['2', 'Staging']]);
      const all = await call('GET', 'registered-models/get-latest-versions', { name: 'staged' });
      expect((all.body.model_versions as Json[]).map((v) => [v.version, v.current_stage])).toEqual([
        ['1', 'Archived'],
        ['2', 'Staging'],
        ['3', 'Production'],
      ]);
      expect(await call('POST', 'registered-models/get-latest-versions', { name: 'staged', stages: ['None'] })).toEqual({
        status: 200,
        body: {},
      });
      expectError(
        await call('POST', 'registered-models/get-latest-versions', { name: 'staged', stages: ['Shadow'] }),
        400,
        'INVALID_PARAMETER_VALUE',
        /Invalid Model Version stage: Shadow/,
      );
      expectError(await call('POST', 'registered-models/get-latest-versions', { name: 'ghost' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    });
  });

  describe('aliases', () => {
    it('sets, reads, moves and deletes an alias; the model and its version show it', async () => {
      await createModel('aliased');
      await createVersion('aliased');
      await createVersion('aliased');
      expect(await call('POST', 'registered-models/alias', { name: 'aliased', alias: 'champion', version: '1' })).toEqual({
        status: 200,
        body: {},
      });
      const byAlias = await call('GET', 'registered-models/alias', { name: 'aliased', alias: 'champion' });
      expect(byAlias.body.model_version).toMatchObject({ version: '1', aliases: ['champion'] });
      expect((await call('GET', 'registered-models/get', { name: 'aliased' })).body.registered_model).toMatchObject({
        aliases: [{ alias: 'champion', version: '1' }],
      });

      await call('POST', 'registered-models/alias', { name: 'aliased', alias: 'champion', version: '2' });
      expect((await call('GET', 'registered-models/alias', { name: 'aliased', alias: 'champion' })).body.model_version).toMatchObject({
        version: '2',
      });
      expect((await call('GET', 'model-versions/get', { name: 'aliased', version: '1' })).body.model_version).not.toHaveProperty('aliases');

      expect(await call('DELETE', 'registered-models/alias', { name: 'aliased', alias: 'champion' })).toEqual({ status: 200, body: {} });
      expectError(
        await call('GET', 'registered-models/alias', { name: 'aliased', alias: 'champion' }),
        400,
        'INVALID_PARAMETER_VALUE',
        'Registered model alias champion not found.',
      );
    });

    it('refuses reserved or malformed aliases and unknown versions, and drops the aliases of a deleted version', async () => {
      await createModel('alias-rules');
      await createVersion('alias-rules');
      expectError(
        await call('POST', 'registered-models/alias', { name: 'alias-rules', alias: 'latest', version: '1' }),
        400,
        'INVALID_PARAMETER_VALUE',
        /reserved/,
      );
      expectError(
        await call('POST', 'registered-models/alias', { name: 'alias-rules', alias: 'v1', version: '1' }),
        400,
        'INVALID_PARAMETER_VALUE',
        /reserved/,
      );
      expectError(
        await call('POST', 'registered-models/alias', { name: 'alias-rules', alias: 'a.b', version: '1' }),
        400,
        'INVALID_PARAMETER_VALUE',
        /Invalid alias name/,
      );
      expectError(
        await call('POST', 'registered-models/alias', { name: 'alias-rules', alias: 'prod', version: '5' }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
      );
      await call('POST', 'registered-models/alias', { name: 'alias-rules', alias: 'prod', version: '1' });
      await call('DELETE', 'model-versions/delete', { name: 'alias-rules', version: '1' });
      expectError(await call('GET', 'registered-models/alias', { name: 'alias-rules', alias: 'prod' }), 400, 'INVALID_PARAMETER_VALUE');
      expect((await call('GET', 'registered-models/get', { name: 'alias-rules' })).body.registered_model).not.toHaveProperty('aliases');
    });
  });

  describe('search', () => {
    beforeAll(async () => {
      for (const name of ['search-a', 'search-b', 'search-c'])
        await createModel(name, { tags: [{ key: 'family', value: name === 'search-c' ? 'cnn' : 'unet' }] });
      await createVersion('search-a');
      await createVersion('search-a', 'metrics.json', { tags: [{ key: 'kind', value: 'metrics' }] });
      await createVersion('search-b');
    });

    const names = (r: { body: Json }, key: string) =>
      ((r.body[key] as Json[] | undefined) ?? []).map((m) => (m.version ? `${m.name}/${m.version}` : m.name));

    it('searches models by name, LIKE/ILIKE and tags, ordered by name by default', async () => {
      expect(names(await call('GET', 'registered-models/search', { filter: `name LIKE 'search-%'` }), 'registered_models')).toEqual([
        'search-a',
        'search-b',
        'search-c',
      ]);
      expect(
        names(
          await call('GET', 'registered-models/search', { filter: `name ILIKE 'SEARCH-_' AND tags.family = 'unet'` }),
          'registered_models',
        ),
      ).toEqual(['search-a', 'search-b']);
      expect(names(await call('GET', 'registered-models/search', { filter: `name = 'search-b'` }), 'registered_models')).toEqual([
        'search-b',
      ]);
      expect(
        names(
          await call('GET', 'registered-models/search', { filter: `name LIKE 'search-%'`, order_by: ['name DESC'] }),
          'registered_models',
        ),
      ).toEqual(['search-c', 'search-b', 'search-a']);
      expect(await call('GET', 'registered-models/search', { filter: `name = 'nothing'` })).toEqual({ status: 200, body: {} });
    });

    it('pages with max_results and page_token', async () => {
      const first = await call('GET', 'registered-models/search', { filter: `name LIKE 'search-%'`, max_results: 2 });
      expect(names(first, 'registered_models')).toEqual(['search-a', 'search-b']);
      expect(first.body.next_page_token).toEqual(expect.any(String));
      const second = await call('GET', 'registered-models/search', {
        filter: `name LIKE 'search-%'`,
        max_results: 2,
        page_token: first.body.next_page_token as string,
      });
      expect(names(second, 'registered_models')).toEqual(['search-c']);
      expect(second.body).not.toHaveProperty('next_page_token');
    });

    it('searches versions by name, run_id, source_path, version_number and tags', async () => {
      expect(
        names(
          await call('GET', 'model-versions/search', { filter: `name = 'search-a'`, order_by: ['version_number ASC'] }),
          'model_versions',
        ),
      ).toEqual(['search-a/1', 'search-a/2']);
      expect(
        names(
          await call('GET', 'model-versions/search', {
            filter: `name LIKE 'search-%' AND run_id = '${run.uuid}'`,
            order_by: ['name', 'version_number DESC'],
          }),
          'model_versions',
        ),
      ).toEqual(['search-a/2', 'search-a/1', 'search-b/1']);
      expect(
        names(
          await call('GET', 'model-versions/search', { filter: `name LIKE 'search-%' AND source_path LIKE '%metrics.json'` }),
          'model_versions',
        ),
      ).toEqual(['search-a/2']);
      expect(
        names(await call('GET', 'model-versions/search', { filter: `name LIKE 'search-%' AND version_number > 1` }), 'model_versions'),
      ).toEqual(['search-a/2']);
      expect(names(await call('GET', 'model-versions/search', { filter: `tags.kind = 'metrics'` }), 'model_versions')).toEqual([
        'search-a/2',
      ]);
      expect(names(await call('GET', 'model-versions/search', { filter: `run_id IN ('${'0'.repeat(32)}')` }), 'model_versions')).toEqual(
        [],
      );
      const paged = await call('GET', 'model-versions/search', { filter: `name LIKE 'search-%'`, max_results: 1 });
      expect(names(paged, 'model_versions')).toHaveLength(1);
      expect(paged.body.next_page_token).toEqual(expect.any(String));
    });

    it('refuses filters and orders outside the grammar with INVALID_PARAMETER_VALUE', async () => {
      expectError(
        await call('GET', 'registered-models/search', { filter: `run_id = 'x'` }),
        400,
        'INVALID_PARAMETER_VALUE',
        /Invalid attribute name: run_id/,
      );
      expectError(
        await call('GET', 'model-versions/search', { filter: `name = 'a' OR name = 'b'` }),
        400,
        'INVALID_PARAMETER_VALUE',
        /only AND/,
      );
      expectError(
        await call('GET', 'model-versions/search', { order_by: ['stage DESC'] }),
        400,
        'INVALID_PARAMETER_VALUE',
        /Invalid order by key/,
      );
      expectError(await call('GET', 'registered-models/search', { max_results: 5000 }), 400, 'INVALID_PARAMETER_VALUE', /at most 1000/);
      expectError(await call('GET', 'registered-models/search', { page_token: '!!' }), 400, 'INVALID_PARAMETER_VALUE', /page token/);
    });
  });

  describe('projects and access', () => {
    it('qualifies names of another project as slug/name, and keeps bare names in the default project', async () => {
      const other = await newProject(api, f.admin, 'registry-second');
      await gqlOk(api, f.admin, `mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { roles } }`, {
        i: { projectId: other, username: (f.researcher as { basic: [string, string] }).basic[0], roles: ['RESEARCHER'] },
      });
      const created = await createModel('registry-second/segnet');
      expect(created.name).toBe('registry-second/segnet');
      expectError(await call('GET', 'registered-models/get', { name: 'segnet' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      expect((await call('GET', 'registered-models/get', { name: 'registry-second/segnet' })).body.registered_model).toMatchObject({
        name: 'registry-second/segnet',
      });
      const found = await call('GET', 'registered-models/search', { filter: `name = 'registry-second/segnet'` });
      expect(names(found, 'registered_models')).toEqual(['registry-second/segnet']);
    });

    it('lets viewers read but not write, refuses strangers and anonymous callers', async () => {
      await createModel('guarded');
      expect((await call('GET', 'registered-models/get', { name: 'guarded' }, f.viewer)).status).toBe(200);
      expectError(await call('POST', 'registered-models/create', { name: 'viewer-made' }, f.viewer), 403, 'PERMISSION_DENIED');
      expectError(
        await call('POST', 'model-versions/transition-stage', { name: 'guarded', version: '1', stage: 'Staging' }, f.viewer),
        403,
        'PERMISSION_DENIED',
      );
      const stranger = await newUser(api, f.admin, {});
      // A stranger is told the model does not exist, exactly as for a name that is not there.
      expectError(
        await call('GET', 'registered-models/get', { name: 'registry-proj/guarded' }, { basic: [stranger.username, stranger.password] }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        'Registered Model with name=guarded not found',
      );
      expectError(
        await call('GET', 'registered-models/get', { name: 'registry-proj/never-made' }, { basic: [stranger.username, stranger.password] }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        'Registered Model with name=never-made not found',
      );
      expect((await call('GET', 'registered-models/get', { name: 'guarded' }, null)).status).toBe(401);
    });

    it('lets a token limited to one run register versions from that run only, and not change stages or aliases', async () => {
      const [username, password] = (f.researcher as { basic: [string, string] }).basic;
      const session = await login(api, username, password);
      const created = await gqlOk<{ createApiToken: { token: string } }>(
        api,
        session,
        `mutation($p: ID!, $r: String) { createApiToken(input: { projectId: $p, name: "job", roles: [RESEARCHER], runId: $r }) { token } }`,
        { p: f.projectId, r: run.uuid },
      );
      const job: Auth = { bearer: created.createApiToken.token };
      expect((await call('POST', 'registered-models/create', { name: 'job-model' }, job)).status).toBe(200);
      expect(
        (await call('POST', 'model-versions/create', { name: 'job-model', source: source('model'), run_id: run.uuid }, job)).body
          .model_version,
      ).toMatchObject({ name: 'job-model', version: '1' });
      const otherRun = await newRun(api, f);
      await putArtifact(api, otherRun, 'model/model.onnx', 'other');
      expectError(
        await call('POST', 'model-versions/create', { name: 'job-model', source: `runs:/${otherRun.uuid}/model` }, job),
        403,
        'PERMISSION_DENIED',
        /limited to run/,
      );
      expectError(
        await call('POST', 'model-versions/transition-stage', { name: 'job-model', version: '1', stage: 'Staging' }, job),
        403,
        'PERMISSION_DENIED',
        /limited to run/,
      );
      expectError(
        await call('POST', 'registered-models/alias', { name: 'job-model', alias: 'best', version: '1' }, job),
        403,
        'PERMISSION_DENIED',
      );
    });

    const names = (r: { body: Json }, key: string) => ((r.body[key] as Json[] | undefined) ?? []).map((m) => m.name);
  });

  it('audits every registry change in the audit chain', async () => {
    const rows = await ownerQuery<{ action: string }>(
      api,
      `SELECT DISTINCT action FROM audit_events WHERE entity_type IN ('registered_model', 'model_version') ORDER BY action`,
    );
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        'alias.deleted',
        'alias.set',
        'model_version.deleted',
        'model_version.registered',
        'model_version.stage_changed',
        'model_version.tag_deleted',
        'model_version.tag_set',
        'model_version.updated',
        'registered_model.created',
        'registered_model.deleted',
        'registered_model.renamed',
        'registered_model.tag_deleted',
        'registered_model.tag_set',
        'registered_model.updated',
      ]),
    );
    const refused = await ownerQuery(
      api,
      `SELECT 1 FROM audit_events WHERE action = 'model_version.stage_changed' AND after->>'stage' = 'clinical' AND after->>'via' = 'mlflow'`,
    );
    expect(refused).toEqual([]);
  });
});
