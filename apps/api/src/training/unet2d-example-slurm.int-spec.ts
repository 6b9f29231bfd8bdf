/**
 * The UNet example (tools/examples/unet2d) launched onto a real single-node Slurm (issue 15,
 * must-show): the API in-process on PostgreSQL and S3, the worker as its own process with the
 * Slurm executor, slurmctld/slurmd/munged started by tools/testing/slurm.ts, the job Debian's
 * Python with PyTorch.
 *
 * A sealed dataset version of 32×32 CT slices with PNG masks (uploaded and sealed through the API),
 * the example's template (template.json) pushed through GraphQL and launched from GraphQL with 2
 * epochs: the job downloads the version with the Python client, trains under Slurm, logs its
 * params, per-epoch loss and Dice and system metrics to the run the launch made, uploads the ONNX
 * model, and the run ends finished with its Slurm job id. The ONNX artifact registered as a model
 * version is then validated by the worker: opset 17, a dynamic batch, 2 output channels.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the test starts a real Slurm
import { ensureSlurm, TestSlurm } from '../../../../tools/testing/slurm';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the example's template, as the launcher seeds it
import { unet2dTemplateDefinition } from '../../../../tools/examples/unet2d/unet2d-template';
import { ctSlice, pngMask } from '@caliper/datasets/testing';
import { readDicomIdentity } from '@caliper/pacs';
import { ADMIN, Auth, gqlOk, headersFor, login, newProject, newUser, rest, startTestApi, TestApi } from '../testing/api-harness';
import { startWorker, WorkerProcess } from '../testing/worker-process';

const SIZE = 32;
const CREATE = `mutation($i: CreateRunTemplateInput!) { createRunTemplate(input: $i) { id latestVersion { id } } }`;
const LAUNCH = `mutation($i: LaunchRunInput!) { launchRun(input: $i) { runId } }`;
const RUN = `query($r: String!) { run(runId: $r) { status params { key value } latestMetrics { key value step }
  inputs { kind name }
  loss: metricHistory(key: "train/loss") { steps values }
  dice: metricHistory(key: "val/dice") { steps values }
  execution { executor externalId message exitCode logTail endedAt } } }`;
const REGISTER = `mutation($i: RegisterModelVersionInput!) { registerModelVersion(input: $i) { version } }`;
const VERSION = `query($p: ID!, $n: String!) { modelVersion(projectId: $p, name: $n, version: 1) {
  validation { status reason opset filePath inputs { name dtype shape } outputs { name dtype shape } } } }`;

interface RunView {
  status: string;
  params: { key: string; value: string }[];
  latestMetrics: { key: string; value: number; step: number }[];
  inputs: { kind: string; name: string }[];
  loss: { steps: number[]; values: number[] };
  dice: { steps: number[]; values: number[] };
  execution: {
    executor: string;
    externalId: string | null;
    message: string;
    exitCode: number | null;
    logTail: string | null;
    endedAt: string | null;
  };
}

jest.setTimeout(240_000);

describe('the UNet example launched onto Slurm (real slurmctld and slurmd, worker process, PyTorch)', () => {
  let slurm: TestSlurm;
  let api: TestApi;
  let worker: WorkerProcess;
  let researcher: Auth;
  let projectId: string;
  let datasetVersionId: string;
  let templateVersionId: string;

  /** A slice with a bright disc (HU 200 on -100) and its mask: the disc moves with i. */
  const item = (i: number) => {
    const cx = 10 + (i % 4) * 4;
    const cy = 12 + (i % 3) * 3;
    const inDisc = (x: number, y: number) => (x - cx) ** 2 + (y - cy) ** 2 <= 25;
    return {
      dicom: ctSlice(SIZE, SIZE, (x, y) => (inDisc(x, y) ? 200 : -100) + ((x * 7 + y * 13 + i) % 11) - 5, { patientId: `UNET-${i}` }),
      mask: pngMask(SIZE, SIZE, (x, y) => (inDisc(x, y) ? 1 : 0)),
    };
  };

  async function put(url: string, auth: Auth, body: Buffer, type: string): Promise<void> {
    const res = await fetch(`${api.base}${url}`, { method: 'PUT', headers: { 'content-type': type, ...headersFor(auth) }, body });
    if (res.status !== 200) throw new Error(`PUT ${url}: ${res.status} ${await res.text()}`);
  }

  beforeAll(async () => {
    [slurm, api] = await Promise.all([ensureSlurm(), startTestApi()]);
    const admin = await login(api, ADMIN.username, ADMIN.password);
    projectId = await newProject(api, admin, 'unet2d-example');
    const r = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    researcher = await login(api, r.username, r.password);
    const p = await newUser(api, admin, { projectId, roles: ['PI'] });
    const pi = await login(api, p.username, p.password);

    // 8 patients, one slice each, every slice with a mask; 4 patients in train, 4 in val (an explicit split).
    const { createDataset } = await gqlOk<{ createDataset: { id: string } }>(
      api,
      researcher,
      `mutation($p: ID!) { createDataset(input: { projectId: $p, name: "discs" }) { id } }`,
      { p: projectId },
    );
    datasetVersionId = (
      await gqlOk<{ createDatasetVersion: { id: string } }>(
        api,
        researcher,
        `mutation($d: ID!) { createDatasetVersion(input: { datasetId: $d, splitSeed: "unet", splitRatios: { train: 0.5, val: 0.5, test: 0 } }) { id } }`,
        { d: createDataset.id },
      )
    ).createDatasetVersion.id;
    const splits = ['sop_instance_uid,split'];
    for (let i = 0; i < 8; i++) {
      const { dicom, mask } = item(i);
      await put(`/api/v1/dataset-versions/${datasetVersionId}/dicom`, researcher, dicom, 'application/dicom');
      const sop = readDicomIdentity(dicom).sopInstanceUid;
      await put(`/api/v1/dataset-versions/${datasetVersionId}/items/${sop}/mask`, researcher, mask, 'application/octet-stream');
      splits.push(`${sop},${i < 4 ? 'train' : 'val'}`);
    }
    await put(`/api/v1/dataset-versions/${datasetVersionId}/splits`, researcher, Buffer.from(splits.join('\n') + '\n'), 'text/csv');
    await gqlOk(
      api,
      pi,
      `mutation($v: ID!) { sealDatasetVersion(input: { versionId: $v, deidMethod: "synthetic test data", deidSummary: "generated" }) { id } }`,
      { v: datasetVersionId },
    );

    const created = await gqlOk<{ createRunTemplate: { latestVersion: { id: string } } }>(api, researcher, CREATE, {
      i: {
        projectId,
        name: 'UNet 2D example',
        definition: unet2dTemplateDefinition({ datasetVersionId, executor: 'SLURM', partition: slurm.partition, cpus: 1 }),
      },
    });
    templateVersionId = created.createRunTemplate.latestVersion.id;
    worker = await startWorker(api, {
      TRAINING_EXECUTORS: 'local,slurm',
      TRAINING_TRACKING_URL: api.base,
      TRAINING_WORK_DIR: mkdtempSync(path.join(tmpdir(), 'caliper-unet2d-')),
      TRAINING_SYNC_INTERVAL_MS: '300',
    });
  }, 180_000);

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('trains under Slurm, logs loss, Dice and system metrics to the launched run, uploads the ONNX model, and ends finished with the job id', async () => {
    const values = [
      { name: 'epochs', value: '2' },
      { name: 'image_size', value: '32' },
      { name: 'batch_size', value: '4' },
      { name: 'system_metrics_interval', value: '0.2' },
    ];
    const { runId } = (await gqlOk<{ launchRun: { runId: string } }>(api, researcher, LAUNCH, { i: { templateVersionId, values } }))
      .launchRun;

    let run: RunView | null = null;
    // The job takes about 6 s; it may first wait for CPUs held by another test file's jobs on the one node.
    for (const end = Date.now() + 180_000; Date.now() < end; await new Promise((r) => setTimeout(r, 500))) {
      run = (await gqlOk<{ run: RunView }>(api, researcher, RUN, { r: runId })).run;
      if (run.execution.endedAt) break;
    }
    if (!run?.execution.endedAt || run.status !== 'FINISHED')
      throw new Error(`the run did not finish: ${JSON.stringify(run, null, 1)}\nworker:\n${worker.output()}`);

    expect(run.execution).toMatchObject({ executor: 'SLURM', exitCode: 0, externalId: expect.stringMatching(/^\d+$/) });
    expect(run.execution.message).toContain(run.execution.externalId);
    expect(run.execution.logTail).toContain(`finished run ${runId}`);
    // The launch's values and what the script added, in one run (no second run was created).
    const params = Object.fromEntries(run.params.map((p) => [p.key, p.value]));
    expect(params).toMatchObject({ epochs: '2', image_size: '32', train_items: '4', val_items: '4', dataset_version: datasetVersionId });
    const runs: { uuid: string }[] = await api.app.get(DataSource).query(`SELECT uuid FROM runs WHERE project_id = $1`, [projectId]);
    expect(runs).toEqual([{ uuid: runId }]);
    expect(run.inputs).toEqual(expect.arrayContaining([{ kind: 'dataset', name: 'discs v1' }]));
    // One point per epoch.
    expect(run.loss.steps).toEqual([1, 2]);
    expect(run.dice.steps).toEqual([1, 2]);
    for (const v of [...run.loss.values, ...run.dice.values]) expect(Number.isFinite(v)).toBe(true);
    for (const v of run.dice.values) expect(v!).toBeGreaterThanOrEqual(0);
    for (const v of run.dice.values) expect(v!).toBeLessThanOrEqual(1);
    const keys = run.latestMetrics.map((m) => m.key);
    expect(keys).toEqual(expect.arrayContaining(['train/loss', 'val/loss', 'val/dice', 'system/cpu_utilization_percentage']));

    const listed = (await (await rest(api, 'GET', `/api/v1/runs/${runId}/artifacts?prefix=model`, researcher)).json()) as {
      files: { path: string; size: number }[];
    };
    expect(listed.files.map((f) => f.path).sort()).toEqual(['model/model.onnx', 'model/spec.json']);
    const spec = (await (await rest(api, 'GET', `/api/v1/runs/${runId}/artifacts/model/spec.json`, researcher)).json()) as {
      taskType: string;
      preprocessing: Record<string, unknown>;
      postprocessing: Record<string, unknown>;
    };
    expect(spec).toEqual({
      taskType: 'segmentation',
      preprocessing: { window: { center: 40, width: 400 }, size: [32, 32], normalisation: { kind: 'none' } },
      postprocessing: { labels: ['background', 'lesion'], threshold: 0.5 },
    });

    // Registered as a model version with the spec it came with, the worker validates the ONNX file.
    await gqlOk(api, researcher, REGISTER, {
      i: {
        projectId,
        modelName: 'unet2d-example',
        runId,
        artifactPath: 'model/model.onnx',
        taskType: 'SEGMENTATION',
        preprocessing: spec.preprocessing,
        postprocessing: spec.postprocessing,
      },
    });
    interface Validation {
      status: string;
      reason: string | null;
      opset: number | null;
      inputs: unknown;
      outputs: unknown;
    }
    let validation: Validation | null = null;
    for (const end = Date.now() + 60_000; Date.now() < end; await new Promise((r) => setTimeout(r, 500))) {
      validation = (
        await gqlOk<{ modelVersion: { validation: Validation | null } }>(api, researcher, VERSION, { p: projectId, n: 'unet2d-example' })
      ).modelVersion.validation;
      if (validation?.status !== 'PENDING') break;
    }
    expect(validation).toMatchObject({
      status: 'VALID',
      opset: 17,
      inputs: [{ name: 'image', dtype: 'float32', shape: ['batch', 1, 32, 32] }],
      outputs: [{ name: 'logits', dtype: 'float32', shape: ['batch', 2, 32, 32] }],
    });
  });
});
