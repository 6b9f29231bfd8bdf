/**
 * Run templates over GraphQL on real PostgreSQL and S3 (issue 15, item 1): a researcher writes a
 * template naming a sealed dataset version and a registered model version (transfer learning),
 * reads it back, adds a version; every bad definition, reference and launch value is refused with
 * each problem named and nothing written; versions cannot be changed even by SQL; two writers
 * racing for the next version get distinct numbers.
 */
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createSealedEvaluationDataset, ctSlice } from '@caliper/datasets/testing';
import { registerExternalVersion } from '@caliper/persistence/testing';
import {
  ADMIN,
  Auth,
  errorCode,
  errorMessage,
  gql,
  gqlOk,
  login,
  newProject,
  newUser,
  startTestApi,
  TestApi,
} from '../testing/api-harness';

const CREATE = `mutation($i: CreateRunTemplateInput!) { createRunTemplate(input: $i) { id name latestVersion { id version } } }`;
const ADD = `mutation($i: AddRunTemplateVersionInput!) { addRunTemplateVersion(input: $i) { id version command } }`;
const LIST = `query($p: ID!) { runTemplates(projectId: $p) { id name latestVersion { version architecture executor image command
  resources { gpus cpus memoryGb wallTimeMinutes partition }
  parameters { name type default min max choices description }
  datasetVersion { id label } initialModelVersion { id label } createdBy } versions { version } } }`;
const PREVIEW = `query($v: ID!, $values: [ParameterValueInput!]) { launchPreview(templateVersionId: $v, values: $values) {
  values { name value isDefault } command templateVersion { version } } }`;

const BUCKET = 'caliper-datasets-templates';

describe('run templates (GraphQL, PostgreSQL)', () => {
  let api: TestApi;
  let owner: Client;
  let admin: Auth;
  let researcher: Auth;
  let viewer: Auth;
  let projectId: string;
  let otherProjectId: string;
  let sealedVersionId: string;
  let draftVersionId: string;
  let otherProjectVersionId: string;
  let modelVersionId: string;

  const definition = (over: Record<string, unknown> = {}) => ({
    description: 'Kidney segmentation from the MONAI UNet',
    architecture: 'UNet 2D, 4 levels',
    datasetVersionId: sealedVersionId,
    initialModelVersionId: modelVersionId,
    executor: 'SLURM',
    image: '/shared/images/monai-1.3.sif',
    resources: { gpus: 1, cpus: 8, memoryGb: 32, wallTimeMinutes: 240, partition: 'gpu' },
    parameters: [
      { name: 'lr', type: 'FLOAT', default: '1e-3', min: 0.000001, max: 1, description: 'learning rate' },
      { name: 'epochs', type: 'INT', default: '10', min: 1, max: 500 },
      { name: 'amp', type: 'BOOL', default: 'true' },
      { name: 'loss', type: 'CHOICE', default: 'dice', choices: ['dice', 'dice_ce'] },
    ],
    command: ['python3', 'tools/examples/train_unet.py', '--lr', '{lr}', '--epochs', '{epochs}', '--loss={loss}', '--run', '{run_id}'],
    ...over,
  });
  const rowCounts = async () =>
    (
      await owner.query(
        `SELECT (SELECT count(*)::int FROM run_templates) AS templates, (SELECT count(*)::int FROM run_template_versions) AS versions,
           (SELECT count(*)::int FROM audit_events WHERE action LIKE 'run_template.%') AS events`,
      )
    ).rows[0];

  beforeAll(async () => {
    api = await startTestApi();
    owner = new Client({ connectionString: api.db.ownerUrl });
    await owner.connect();
    admin = await login(api, ADMIN.username, ADMIN.password);
    projectId = await newProject(api, admin, 'templates');
    otherProjectId = await newProject(api, admin, 'templates-other');
    const r = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    const v = await newUser(api, admin, { projectId, roles: ['VIEWER'] });
    researcher = await login(api, r.username, r.password);
    viewer = await login(api, v.username, v.password);

    const ds = api.app.get(DataSource);
    await api.objects.store.ensureBucket(BUCKET);
    const items = [{ dicom: ctSlice(8, 8, () => 40), split: 'train' as const }];
    sealedVersionId = (
      await createSealedEvaluationDataset(ds, api.objects.store, { bucket: BUCKET, projectId, userId: r.id, name: 'kidney-ct', items })
    ).versionId;
    draftVersionId = (
      await createSealedEvaluationDataset(ds, api.objects.store, {
        bucket: BUCKET,
        projectId,
        userId: r.id,
        name: 'kidney-draft',
        items,
        sealed: false,
      })
    ).versionId;
    otherProjectVersionId = (
      await createSealedEvaluationDataset(ds, api.objects.store, {
        bucket: BUCKET,
        projectId: otherProjectId,
        userId: r.id,
        name: 'other-ct',
        items,
      })
    ).versionId;
    const weights = Buffer.from('onnx weights');
    modelVersionId = (
      await registerExternalVersion(ds, {
        projectId,
        userId: r.id,
        name: 'unet-pretrained',
        files: [
          {
            path: 'model/model.onnx',
            bucket: 'caliper-artifacts',
            objectKey: 'x/model.onnx',
            size: weights.length,
            sha256: createHash('sha256').update(weights).digest('hex'),
          },
        ],
      })
    ).id;
  }, 120000);

  afterAll(async () => {
    await owner?.end();
    await api?.close();
  });

  it('a researcher writes a template, reads it back with its references, and adds a version; each write is audited', async () => {
    const created = await gqlOk<{ createRunTemplate: { id: string; name: string; latestVersion: { id: string; version: number } } }>(
      api,
      researcher,
      CREATE,
      { i: { projectId, name: '  Kidney UNet  ', definition: definition() } },
    );
    expect(created.createRunTemplate).toMatchObject({ name: 'Kidney UNet', latestVersion: { version: 1 } });
    const templateId = created.createRunTemplate.id;

    const listed = await gqlOk<{ runTemplates: Record<string, unknown>[] }>(api, viewer, LIST, { p: projectId });
    expect(listed.runTemplates).toEqual([
      {
        id: templateId,
        name: 'Kidney UNet',
        latestVersion: {
          version: 1,
          architecture: 'UNet 2D, 4 levels',
          executor: 'SLURM',
          image: '/shared/images/monai-1.3.sif',
          command: definition().command,
          resources: { gpus: 1, cpus: 8, memoryGb: 32, wallTimeMinutes: 240, partition: 'gpu' },
          parameters: [
            { name: 'lr', type: 'FLOAT', default: '0.001', min: 0.000001, max: 1, choices: null, description: 'learning rate' },
            { name: 'epochs', type: 'INT', default: '10', min: 1, max: 500, choices: null, description: null },
            { name: 'amp', type: 'BOOL', default: 'true', min: null, max: null, choices: null, description: null },
            { name: 'loss', type: 'CHOICE', default: 'dice', min: null, max: null, choices: ['dice', 'dice_ce'], description: null },
          ],
          datasetVersion: { id: sealedVersionId, label: 'kidney-ct v1' },
          initialModelVersion: { id: modelVersionId, label: 'unet-pretrained v1' },
          createdBy: expect.stringMatching(/^user-/),
        },
        versions: [{ version: 1 }],
      },
    ]);

    const v2 = await gqlOk<{ addRunTemplateVersion: { id: string; version: number; command: string[] } }>(api, researcher, ADD, {
      i: { templateId, definition: definition({ initialModelVersionId: null, command: ['python3', 'train.py', '--lr', '{lr}'] }) },
    });
    expect(v2.addRunTemplateVersion).toMatchObject({ version: 2, command: ['python3', 'train.py', '--lr', '{lr}'] });
    const again = await gqlOk<{
      runTemplates: { latestVersion: { version: number; initialModelVersion: unknown }; versions: { version: number }[] }[];
    }>(api, researcher, LIST, { p: projectId });
    expect(again.runTemplates[0]).toMatchObject({
      latestVersion: { version: 2, initialModelVersion: null },
      versions: [{ version: 2 }, { version: 1 }],
    });

    const events = await owner.query(
      `SELECT action, after->>'name' AS name, (after->>'version')::int AS version FROM audit_events WHERE entity_id = $1 ORDER BY seq`,
      [templateId],
    );
    expect(events.rows).toEqual([
      { action: 'run_template.created', name: 'Kidney UNet', version: 1 },
      { action: 'run_template.version_added', name: 'Kidney UNet', version: 2 },
    ]);
  });

  it('refuses bad definitions, names, references and roles, naming each problem, and writes nothing', async () => {
    const before = await rowCounts();
    const bad = await gql(api, researcher, CREATE, {
      i: {
        projectId,
        name: 'Broken',
        definition: definition({
          parameters: [
            { name: 'lr', type: 'FLOAT', default: '2', min: 0, max: 1 },
            { name: 'epochs', type: 'INT', default: 'ten' },
          ],
          resources: { gpus: 1, cpus: 0, memoryGb: 32, wallTimeMinutes: 240 },
          command: ['python3', '{batch}'],
        }),
      },
    });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(errorMessage(bad)).toBe("The run template is not valid: parameter 2 (epochs): the default 'ten' is not a whole number.");
    const bounds = await gql(api, researcher, CREATE, {
      i: {
        projectId,
        name: 'Broken',
        definition: definition({
          parameters: [{ name: 'lr', type: 'FLOAT', default: '2', min: 0, max: 1 }],
          resources: { gpus: 1, cpus: 0, memoryGb: 32, wallTimeMinutes: 240 },
          command: ['python3', '{batch}'],
        }),
      },
    });
    expect(errorMessage(bounds)).toBe(
      'The run template is not valid: parameter 1 (lr): the default 2 is above the maximum 1. ' +
        'resources: CPUs must be a whole number from 1 to 512 (got 0). ' +
        "command argument 2: '{batch}' names no parameter.",
    );

    await gqlOk(api, researcher, CREATE, { i: { projectId, name: 'Liver UNet', definition: definition() } });
    const afterOne = await rowCounts();
    const duplicate = await gql(api, researcher, CREATE, { i: { projectId, name: 'LIVER unet', definition: definition() } });
    expect(errorCode(duplicate)).toBe('CONFLICT');
    expect(errorMessage(duplicate)).toMatch(/already has a run template named 'LIVER unet'/);

    const draft = await gql(api, researcher, CREATE, {
      i: { projectId, name: 'On a draft', definition: definition({ datasetVersionId: draftVersionId }) },
    });
    expect(errorCode(draft)).toBe('CONFLICT');
    expect(errorMessage(draft)).toMatch(/^Dataset version kidney-draft v1 is a draft: seal it first/);
    const foreign = await gql(api, researcher, CREATE, {
      i: { projectId, name: 'Foreign data', definition: definition({ datasetVersionId: otherProjectVersionId }) },
    });
    expect(errorCode(foreign)).toBe('NOT_FOUND');
    const local = await gql(api, researcher, CREATE, {
      i: { projectId, name: 'Local image', definition: definition({ executor: 'LOCAL' }) },
    });
    expect(errorMessage(local)).toMatch(/a local-process template runs no container/);
    const forbidden = await gql(api, viewer, CREATE, { i: { projectId, name: 'Viewer', definition: definition() } });
    expect(errorCode(forbidden)).toBe('FORBIDDEN');
    const elsewhere = await gql(api, researcher, CREATE, {
      i: {
        projectId: otherProjectId,
        name: 'Elsewhere',
        definition: definition({ datasetVersionId: otherProjectVersionId, initialModelVersionId: null }),
      },
    });
    expect(['FORBIDDEN', 'NOT_FOUND']).toContain(errorCode(elsewhere));

    expect(await rowCounts()).toEqual({
      templates: before.templates + 1,
      versions: before.versions + 1,
      events: before.events + 1,
    });
    expect(afterOne).toEqual(await rowCounts());
  });

  it('previews a launch: values read by their types, defaults filled, the command rendered; bad values all named', async () => {
    const { createRunTemplate } = await gqlOk<{ createRunTemplate: { latestVersion: { id: string } } }>(api, researcher, CREATE, {
      i: { projectId, name: 'Preview', definition: definition() },
    });
    const versionId = createRunTemplate.latestVersion.id;
    const preview = await gqlOk<{ launchPreview: Record<string, unknown> }>(api, viewer, PREVIEW, {
      v: versionId,
      values: [
        { name: 'lr', value: '3e-4' },
        { name: 'loss', value: 'dice_ce' },
      ],
    });
    expect(preview.launchPreview).toEqual({
      templateVersion: { version: 1 },
      values: [
        { name: 'lr', value: '0.0003', isDefault: false },
        { name: 'epochs', value: '10', isDefault: true },
        { name: 'amp', value: 'true', isDefault: true },
        { name: 'loss', value: 'dice_ce', isDefault: false },
      ],
      command: ['python3', 'tools/examples/train_unet.py', '--lr', '0.0003', '--epochs', '10', '--loss=dice_ce', '--run', '{run_id}'],
    });
    const bad = await gql(api, viewer, PREVIEW, {
      v: versionId,
      values: [
        { name: 'epochs', value: '0' },
        { name: 'amp', value: 'maybe' },
        { name: 'batch', value: '8' },
      ],
    });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(errorMessage(bad)).toBe(
      "The launch values are not valid: epochs: 0 is below the minimum 1. amp: 'maybe' is not true or false. " +
        "'batch' is not a parameter of this template (it has lr, epochs, amp, loss).",
    );
    const unknown = await gql(api, viewer, PREVIEW, { v: '00000000-0000-4000-8000-000000000000', values: [] });
    expect(errorCode(unknown)).toBe('NOT_FOUND');
  });

  it('keeps versions immutable in the database, and numbers concurrent versions apart', async () => {
    const { createRunTemplate } = await gqlOk<{ createRunTemplate: { id: string } }>(api, researcher, CREATE, {
      i: { projectId, name: 'Race', definition: definition() },
    });
    const id = createRunTemplate.id;
    await expect(owner.query(`UPDATE run_template_versions SET architecture = 'changed' WHERE template_id = $1`, [id])).rejects.toThrow(
      /run template version 1 is immutable: add a new version instead/,
    );
    await expect(owner.query(`DELETE FROM run_template_versions WHERE template_id = $1`, [id])).rejects.toThrow(/immutable/);

    const added = await Promise.all(
      Array.from({ length: 4 }, () =>
        gqlOk<{ addRunTemplateVersion: { version: number } }>(api, researcher, ADD, { i: { templateId: id, definition: definition() } }),
      ),
    );
    expect(added.map((a) => a.addRunTemplateVersion.version).sort()).toEqual([2, 3, 4, 5]);
  });
});
