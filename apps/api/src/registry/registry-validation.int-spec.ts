/**
 * Registration to validation on real services (issue 14, build item 1): the API with its
 * PostgreSQL, S3 and Redis, and the worker as its own process (outbox relay, BullMQ,
 * onnxruntime-node) on the same database and store. Versions registered through MLflow's REST
 * endpoints and through GraphQL are validated by the worker and read back through GraphQL; a
 * viewer cannot register and a member of another project cannot read.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ADMIN, Auth, errorCode, gql, gqlOk, headersFor, login, newProject, newUser, startTestApi, TestApi } from '../testing/api-harness';
import { mlflow } from '../__tests__/mlflow-api-helpers';
import { startWorker, WorkerProcess } from '../testing/worker-process';

const ROOT = path.resolve(__dirname, '../../../..');
const model = (name: string) => readFileSync(path.join(ROOT, 'tools/models/test-models', name));
const SEG_SPEC = { taskType: 'SEGMENTATION', postprocessing: { labels: ['background', 'lesion'] } };

const VERSION = `query($p: ID!, $n: String!, $v: Int!) { modelVersion(projectId: $p, name: $n, version: $v) {
  version runId artifactDigest validation { status reason sha256 opset taskType preprocessing postprocessing validatedAt
    inputs { name dtype shape } outputs { name dtype shape } } } }`;
const REGISTER = `mutation($i: RegisterModelVersionInput!) { registerModelVersion(input: $i) { version validation { status } } }`;

interface Validation {
  status: string;
  reason: string | null;
  sha256: string | null;
  opset: number | null;
  inputs: unknown;
  outputs: unknown;
  taskType: string | null;
  validatedAt: string | null;
}

describe('registered versions are validated by the worker and read through GraphQL', () => {
  let api: TestApi;
  let worker: WorkerProcess;
  let projectId: string;
  let slug: string;
  let researcher: Auth;
  let viewer: Auth;
  let outsider: Auth;
  let experimentId: string;

  /** A new run of the researcher with `bytes` logged at model/<file> through MLflow's artifact proxy; its run_id. */
  async function runWithModel(file: string, bytes: Buffer): Promise<string> {
    const run = await mlflow(api, researcher, 'POST', 'runs/create', { experiment_id: experimentId });
    expect(run.status).toBe(200);
    const runId = run.body.run.info.run_id as string;
    const put = await fetch(`${api.base}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/model/${file}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', ...headersFor(researcher) },
      body: bytes,
    });
    expect(put.status).toBe(200);
    return runId;
  }

  /** The version's validation once the worker has finished it (fails the test after 60 s, with the worker's output). */
  async function validated(name: string, version: number): Promise<Validation & { runId: string }> {
    for (const until = Date.now() + 60_000; ;) {
      const r = await gqlOk<{ modelVersion: { runId: string; validation: Validation } }>(api, viewer, VERSION, {
        p: projectId,
        n: name,
        v: version,
      });
      if (r.modelVersion.validation.status !== 'PENDING') return { ...r.modelVersion.validation, runId: r.modelVersion.runId };
      if (Date.now() > until)
        throw new Error(`version ${version} of ${name} is still pending after 60 s; worker output:\n${worker.output()}`);
      await new Promise((res) => setTimeout(res, 250));
    }
  }

  beforeAll(async () => {
    api = await startTestApi();
    worker = await startWorker(api);
    const admin = await login(api, ADMIN.username, ADMIN.password);
    slug = 'registry-e2e';
    projectId = await newProject(api, admin, slug);
    const r = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    const v = await newUser(api, admin, { projectId, roles: ['VIEWER'] });
    const other = await newProject(api, admin, 'registry-e2e-other');
    const o = await newUser(api, admin, { projectId: other, roles: ['RESEARCHER'] });
    researcher = { basic: [r.username, r.password] };
    viewer = { basic: [v.username, v.password] };
    outsider = { basic: [o.username, o.password] };
    const created = await mlflow(api, researcher, 'POST', 'experiments/create', { name: `${slug}/unet` });
    expect(created.status).toBe(200);
    experimentId = created.body.experiment_id as string;
  }, 180_000);

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('validates a version registered through MLflow (caliper.* tags): VALID with the ONNX signature and the spec', async () => {
    const bytes = model('seg2d.onnx');
    const runId = await runWithModel('seg2d.onnx', bytes);
    expect((await mlflow(api, researcher, 'POST', 'registered-models/create', { name: 'liver-seg' })).status).toBe(200);
    const created = await mlflow(api, researcher, 'POST', 'model-versions/create', {
      name: 'liver-seg',
      source: `mlflow-artifacts:/${experimentId}/${runId}/artifacts/model`,
      run_id: runId,
      tags: [
        { key: 'caliper.task_type', value: 'segmentation' },
        { key: 'caliper.preprocessing', value: JSON.stringify({ window: { center: 40, width: 400 }, size: [64, 64] }) },
        { key: 'caliper.postprocessing', value: JSON.stringify({ labels: ['background', 'liver'], threshold: 0.5 }) },
      ],
    });
    expect(created.status).toBe(200);
    const v = await validated('liver-seg', Number(created.body.model_version.version));
    expect(v).toMatchObject({
      status: 'VALID',
      reason: null,
      runId,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      opset: 17,
      taskType: 'SEGMENTATION',
      preprocessing: { window: { center: 40, width: 400 }, size: [64, 64] },
      postprocessing: { labels: ['background', 'liver'], threshold: 0.5 },
      inputs: [{ name: 'image', dtype: 'float32', shape: ['batch', 1, 64, 64] }],
      outputs: [{ name: 'logits', dtype: 'float32', shape: ['batch', 2, 64, 64] }],
    });
    expect(v.validatedAt).toEqual(expect.any(String));
  }, 90_000);

  it('validates versions registered through GraphQL: the classifier VALID, the truncated file INVALID with its reason', async () => {
    const clsRun = await runWithModel('classifier.onnx', model('classifier.onnx'));
    const cls = await gqlOk<{ registerModelVersion: { version: number; validation: { status: string } } }>(api, researcher, REGISTER, {
      i: {
        projectId,
        modelName: 'hip-fracture',
        runId: clsRun,
        artifactPath: 'model/classifier.onnx',
        taskType: 'CLASSIFICATION',
        postprocessing: { labels: ['none', 'displaced', 'undisplaced'] },
      },
    });
    expect(cls.registerModelVersion).toEqual({ version: 1, validation: { status: 'PENDING' } });
    expect(await validated('hip-fracture', 1)).toMatchObject({
      status: 'VALID',
      taskType: 'CLASSIFICATION',
      inputs: [{ name: 'image', dtype: 'float32', shape: [1, 1, 64, 64] }],
      outputs: [{ name: 'logits', dtype: 'float32', shape: [1, 3] }],
    });

    const badRun = await runWithModel('seg2d.onnx', model('truncated.onnx'));
    const bad = await gqlOk<{ registerModelVersion: { version: number } }>(api, researcher, REGISTER, {
      i: { projectId, modelName: 'hip-fracture', runId: badRun, artifactPath: 'model', ...SEG_SPEC },
    });
    expect(bad.registerModelVersion.version).toBe(2);
    const v = await validated('hip-fracture', 2);
    expect(v).toMatchObject({ status: 'INVALID', opset: null, inputs: null, outputs: null });
    expect(v.reason).toMatch(/^model\/seg2d\.onnx: (onnxruntime could not load the model|The file is not an ONNX model)/);

    const listed = await gqlOk<{ registeredModel: { versions: { version: number; validation: { status: string } }[] } }>(
      api,
      viewer,
      `query($p: ID!) { registeredModel(projectId: $p, name: "hip-fracture") { versions { version validation { status } } } }`,
      { p: projectId },
    );
    expect(listed.registeredModel.versions).toEqual([
      { version: 2, validation: { status: 'INVALID' } },
      { version: 1, validation: { status: 'VALID' } },
    ]);
  }, 120_000);

  it('refuses a bad spec naming the field, and writes nothing', async () => {
    const runId = await runWithModel('seg2d.onnx', model('seg2d.onnx'));
    const r = await gql(api, researcher, REGISTER, {
      i: { projectId, modelName: 'never-created', runId, artifactPath: 'model', taskType: 'SEGMENTATION', postprocessing: { labels: [] } },
    });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toMatch(/postprocessing\.labels: at least one label is needed/);
    const list = await gqlOk<{ registeredModels: { edges: { node: { name: string } }[] } }>(
      api,
      viewer,
      `query($p: ID!) { registeredModels(projectId: $p) { edges { node { name } } } }`,
      { p: projectId },
    );
    expect(list.registeredModels.edges.map((e) => e.node.name)).toEqual(['hip-fracture', 'liver-seg']);
  });

  it("refuses registration by a viewer, and another project's member reads nothing", async () => {
    const runId = await runWithModel('seg2d.onnx', model('seg2d.onnx'));
    const byViewer = await gql(api, viewer, REGISTER, {
      i: { projectId, modelName: 'liver-seg', runId, artifactPath: 'model', ...SEG_SPEC },
    });
    expect(errorCode(byViewer)).toBe('FORBIDDEN');
    for (const [query, variables] of [
      [`query($p: ID!) { registeredModels(projectId: $p) { edges { node { name } } } }`, { p: projectId }],
      [`query($p: ID!) { registeredModel(projectId: $p, name: "liver-seg") { id } }`, { p: projectId }],
      [VERSION, { p: projectId, n: 'liver-seg', v: 1 }],
      [REGISTER, { i: { projectId, modelName: 'liver-seg', runId, artifactPath: 'model', ...SEG_SPEC } }],
    ] as const) {
      expect(errorCode(await gql(api, outsider, query, variables))).toBe('FORBIDDEN');
    }
    // Nothing was registered by either.
    const versions = await gqlOk<{ registeredModel: { versions: unknown[] } }>(
      api,
      viewer,
      `query($p: ID!) { registeredModel(projectId: $p, name: "liver-seg") { versions { version } } }`,
      { p: projectId },
    );
    expect(versions.registeredModel.versions).toEqual([{ version: 1 }]);
  });
});
