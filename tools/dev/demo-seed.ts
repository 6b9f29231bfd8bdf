/**
 * What `npm start` seeds so that a new user can launch a real training run at once: a `demo`
 * project (the first admin its PI), a sealed dataset version of synthetic CT slices with PNG masks,
 * and the UNet example's run template (tools/examples/unet2d) on it, run by the local executor
 * with Debian's /usr/bin/python3. Everything goes through the API as the admin (audited like any
 * other change), and only what is missing is made: the template is the mark that seeding is done,
 * so a restart adds nothing, and a template the user deleted or renamed is not forced back while
 * the demo dataset is reused.
 */
import { spawnSync } from 'node:child_process';
import { CaliperClient } from '@caliper/sdk';
import { ctSlice, pngMask } from '@caliper/datasets/testing';
import { readDicomIdentity } from '@caliper/pacs';
import { UNET2D_TEMPLATE_NAME, unet2dTemplateDefinition } from '../examples/unet2d/unet2d-template';

export const DEMO_PROJECT = 'demo';
export const DEMO_DATASET = 'Demo CT discs';
const SIZE = 64;
const PATIENTS = 16;
const TRAIN = 12;

export interface DemoSeedResult {
  projectId: string | null;
  /** What this call created, in words (empty when everything was there). */
  created: string[];
  /** Why nothing could be seeded, when so. */
  skipped?: string;
}

interface ProjectRow {
  id: string;
  slug: string;
  myRoles: string[];
}

/** Seeds the demo through the API at `apiUrl` as the given (system admin) user; see the module comment. */
export async function seedDemo(opts: { apiUrl: string; username: string; password: string }): Promise<DemoSeedResult> {
  const client = new CaliperClient({ baseUrl: opts.apiUrl, username: opts.username, password: opts.password });
  const created: string[] = [];
  const { projects } = await client.graphql<{ projects: ProjectRow[] }>(`{ projects { id slug myRoles } }`);
  let project = projects.find((p) => p.slug === DEMO_PROJECT);
  if (!project) {
    const made = await client.graphql<{ createProject: ProjectRow }>(
      `mutation($i: CreateProjectInput!) { createProject(input: $i) { id slug myRoles } }`,
      {
        i: {
          slug: DEMO_PROJECT,
          name: 'Demo',
          description: 'Seeded by npm start: a synthetic CT dataset with masks and the UNet 2D example template to launch.',
          piUsername: opts.username,
        },
      },
    );
    project = made.createProject;
    created.push(`project ${DEMO_PROJECT}`);
  }
  if (!project.myRoles.includes('PI'))
    return { projectId: project.id, created, skipped: `${opts.username} is not a PI of project ${DEMO_PROJECT}` };

  const { runTemplates } = await client.graphql<{ runTemplates: { name: string }[] }>(
    `query($p: ID!) { runTemplates(projectId: $p) { name } }`,
    { p: project.id },
  );
  if (runTemplates.some((t) => t.name.toLowerCase() === UNET2D_TEMPLATE_NAME.toLowerCase())) return { projectId: project.id, created };

  const datasetVersionId = await demoDatasetVersion(client, project.id, created);
  await client.graphql(`mutation($i: CreateRunTemplateInput!) { createRunTemplate(input: $i) { id } }`, {
    i: { projectId: project.id, name: UNET2D_TEMPLATE_NAME, definition: unet2dTemplateDefinition({ datasetVersionId, executor: 'LOCAL' }) },
  });
  created.push(`run template '${UNET2D_TEMPLATE_NAME}' (tools/examples/unet2d, local executor, /usr/bin/python3)`);
  return { projectId: project.id, created };
}

/** The demo dataset's sealed version: the newest one there is, else a new dataset version made and sealed. */
async function demoDatasetVersion(client: CaliperClient, projectId: string, created: string[]): Promise<string> {
  const { datasets } = await client.graphql<{ datasets: { id: string; name: string; versions: { id: string; state: string }[] }[] }>(
    `query($p: ID!) { datasets(projectId: $p) { id name versions { id state } } }`,
    { p: projectId },
  );
  let dataset = datasets.find((d) => d.name === DEMO_DATASET);
  const sealed = dataset?.versions.find((v) => v.state === 'SEALED');
  if (sealed) return sealed.id;
  if (!dataset) {
    const made = await client.graphql<{ createDataset: { id: string } }>(
      `mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }`,
      { i: { projectId, name: DEMO_DATASET } },
    );
    dataset = { id: made.createDataset.id, name: DEMO_DATASET, versions: [] };
  }
  // A version left as a draft by an interrupted start is left alone: a fresh one is cheap.
  const { createDatasetVersion } = await client.graphql<{ createDatasetVersion: { id: string } }>(
    `mutation($d: ID!) { createDatasetVersion(input: { datasetId: $d }) { id } }`,
    { d: dataset.id },
  );
  const versionId = createDatasetVersion.id;
  const put = (path: string, body: Buffer, type: string) =>
    client.http.request('PUT', `/api/v1/dataset-versions/${versionId}/${path}`, {
      body: () => body,
      headers: { 'content-type': type },
      what: `uploading ${path}`,
    });
  const splits = ['sop_instance_uid,split'];
  for (let i = 0; i < PATIENTS; i++) {
    const { dicom, mask } = demoSlice(i);
    await (await put('dicom', dicom, 'application/dicom')).body?.cancel();
    const sop = readDicomIdentity(dicom).sopInstanceUid;
    await (await put(`items/${sop}/mask`, mask, 'application/octet-stream')).body?.cancel();
    splits.push(`${sop},${i < TRAIN ? 'train' : 'val'}`);
  }
  await (await put('splits', Buffer.from(splits.join('\n') + '\n'), 'text/csv')).body?.cancel();
  await client.graphql(`mutation($i: SealDatasetVersionInput!) { sealDatasetVersion(input: $i) { id } }`, {
    i: {
      versionId,
      deidMethod: 'none needed: synthetic images',
      deidSummary: `${PATIENTS} generated ${SIZE}×${SIZE} CT slices of a bright disc, seeded by npm start`,
    },
  });
  created.push(
    `dataset '${DEMO_DATASET}' (${PATIENTS} synthetic ${SIZE}×${SIZE} CT slices with masks: ${TRAIN} train, ${PATIENTS - TRAIN} val)`,
  );
  return versionId;
}

/**
 * Slice i: a disc of soft tissue (HU ~60) in fat (HU ~-100) with mild texture, its place and size
 * from i (the same every start), and its mask. The lesion sits inside the example's default window.
 */
export function demoSlice(i: number): { dicom: Buffer; mask: Buffer } {
  const cx = 18 + ((i * 7) % 28);
  const cy = 20 + ((i * 11) % 24);
  const r = 6 + (i % 5) * 2;
  const inDisc = (x: number, y: number) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  const texture = (x: number, y: number) => ((x * 13 + y * 29 + i * 17) % 23) - 11;
  return {
    dicom: ctSlice(SIZE, SIZE, (x, y) => (inDisc(x, y) ? 60 : -100) + texture(x, y), { patientId: `DEMO-${String(i).padStart(2, '0')}` }),
    mask: pngMask(SIZE, SIZE, (x, y) => (inDisc(x, y) ? 1 : 0)),
  };
}

/** Whether Debian's Python can run the example (PyTorch importable by /usr/bin/python3). */
export function exampleCanRun(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import torch, pydicom'], { stdio: 'ignore', timeout: 60_000 }).status === 0;
}
