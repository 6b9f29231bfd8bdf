/**
 * The Python client's dataset side against the API as its own process, a real Orthanc, PostgreSQL
 * and S3: a sealed version whose items are partly uploaded (in the bucket) and partly referenced in
 * the PACS is downloaded whole and by split, every file checked here against the bytes that were
 * stored, masks included; a second download resumes; an instance changed in Orthanc after the seal
 * is caught and not kept; a draft is refused; a run records the version as its input.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATASET_ENTITIES, DatasetItemsWriter, DatasetsRepository } from '@caliper/datasets';
import { pngMask } from '@caliper/datasets/testing';
import { readDicomIdentity } from '@caliper/pacs';
import { dicomVariant, newUid, sampleBytes, startTestOrthanc, TestOrthanc } from '@caliper/pacs/testing';
import { createDataSource, registerEntities } from '@caliper/persistence';
import { CaliperClient } from '@caliper/sdk';
import { firstRow } from '../bench/harness';
import { ADMIN, ApiProcess, startApiProcess } from '../cli/api-process';

jest.setTimeout(120_000);
const PYTHON = '/usr/bin/python3';
const HERE = __dirname;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('Python client: datasets (real API process, Orthanc, PostgreSQL, S3)', () => {
  let api: ApiProcess;
  let orthanc: TestOrthanc;
  let researcher: CaliperClient;
  let versionId: string;
  let draftId: string;
  /** item key (SOP Instance UID) → the bytes stored (uploaded, or in Orthanc). */
  const stored = new Map<string, Buffer>();
  /** item key → the PNG mask set on it (two of the uploaded items). */
  const masks = new Map<string, Buffer>();
  const pacsItems: { study: string; series: string; sop: string }[] = [];
  const dirs: string[] = [];

  function python(code: string): Promise<{ code: number; out: string; err: string }> {
    return new Promise((resolve) => {
      execFile(
        PYTHON,
        ['-c', `import sys, json\nsys.path.insert(0, ${JSON.stringify(HERE)})\nimport caliper_client\n${code}`],
        { env: { PATH: process.env.PATH ?? '', PYTHONDONTWRITEBYTECODE: '1', CALIPER_URL: api.base, CALIPER_TOKEN: api.token } },
        (err, out, errOut) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out, err: errOut }),
      );
    });
  }
  async function download(dest: string, split: string | null): Promise<Record<string, number>> {
    const r = await python(
      `s = caliper_client.download_dataset(${JSON.stringify(versionId)}, ${JSON.stringify(dest)}, split=${split ? JSON.stringify(split) : 'None'})\nprint(json.dumps({k: v for k, v in s.items() if k != "version"}))`,
    );
    if (r.code !== 0) throw new Error(`python failed (${r.code}):\n${r.err}`);
    return JSON.parse(r.out.trim().split('\n').pop()!) as Record<string, number>;
  }
  const tmp = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'caliper-dl-'));
    dirs.push(d);
    return d;
  };
  /** Every file under dest with this suffix (.dcm: the items, .mask.png: the masks) as split/key → bytes. */
  function filesIn(dest: string, suffix = '.dcm'): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    for (const split of readdirSync(dest, { withFileTypes: true }).filter((e) => e.isDirectory()))
      for (const f of readdirSync(path.join(dest, split.name)).filter((n) => n.endsWith(suffix) && !n.endsWith(`.mask${suffix}`)))
        out.set(`${split.name}/${f.slice(0, -suffix.length)}`, readFileSync(path.join(dest, split.name, f)));
    return out;
  }

  beforeAll(async () => {
    orthanc = await startTestOrthanc();
    api = await startApiProcess('cohort-download', { env: { PACS_DICOMWEB_URL: orthanc.dicomWebUrl } });
    researcher = new CaliperClient({ baseUrl: api.base, token: api.token });
    const projectId = firstRow(await api.query<{ id: string }>(`SELECT id FROM projects WHERE slug = $1`, [api.project]), 'the project').id;
    // The admin joins as PI, to seal.
    const admin = new CaliperClient({ baseUrl: api.base, username: ADMIN.username, password: ADMIN.password });
    await admin.graphql(`mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { roles } }`, {
      i: { projectId, username: ADMIN.username, roles: ['PI'] },
    });
    const { createDataset } = await researcher.graphql<{ createDataset: { id: string } }>(
      `mutation($p: ID!) { createDataset(input: { projectId: $p, name: "liver-ct" }) { id } }`,
      { p: projectId },
    );
    const newVersion = async () =>
      (
        await researcher.graphql<{ createDatasetVersion: { id: string } }>(
          `mutation($d: ID!) { createDatasetVersion(input: { datasetId: $d, splitSeed: "dl", splitRatios: { train: 0.5, val: 0.25, test: 0.25 } }) { id } }`,
          { d: createDataset.id },
        )
      ).createDatasetVersion.id;
    versionId = await newVersion();
    draftId = await newVersion();

    // Uploaded items (copied into the bucket): 8 patients × 2 instances, through the REST upload.
    const ct = sampleBytes('CT_small.dcm');
    for (let p = 0; p < 8; p++) {
      const studyInstanceUid = newUid();
      for (let i = 0; i < 2; i++) {
        const bytes = dicomVariant(ct, { patientId: `DL-UP-${p}`, studyInstanceUid });
        const res = await fetch(`${api.base}/api/v1/dataset-versions/${versionId}/dicom?label=${p % 2 ? 'lesion' : 'normal'}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/dicom' },
          body: bytes,
        });
        expect(res.status).toBe(200);
        stored.set(readDicomIdentity(bytes).sopInstanceUid, bytes);
      }
    }
    // Two of them get a PNG mask, set through the REST mask upload.
    for (const key of [...stored.keys()].slice(0, 2)) {
      const png = pngMask(16, 16, (x, y) => (x > 4 && y > 4 && x < 8 + masks.size ? 1 : 0));
      const res = await fetch(`${api.base}/api/v1/dataset-versions/${versionId}/items/${key}/mask`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/octet-stream' },
        body: png,
      });
      expect(res.status).toBe(200);
      masks.set(key, png);
    }
    // PACS-referenced items: 4 patients × 2 instances in Orthanc, written as the import writes them.
    const files: Buffer[] = [];
    for (let p = 0; p < 4; p++) {
      const studyInstanceUid = newUid();
      const seriesInstanceUid = newUid();
      for (let i = 0; i < 2; i++) files.push(dicomVariant(ct, { patientId: `DL-PACS-${p}`, studyInstanceUid, seriesInstanceUid }));
    }
    expect((await orthanc.client.store(files)).failed ?? []).toEqual([]);
    registerEntities(DATASET_ENTITIES);
    const ds = await createDataSource(api.db.appUrl).initialize();
    try {
      const writer = new DatasetItemsWriter(new DatasetsRepository(ds));
      await ds.transaction(async (m) =>
        writer.write(
          m,
          await writer.lockDraft(m, versionId),
          projectId,
          files.map((f) => {
            const id = readDicomIdentity(f);
            stored.set(id.sopInstanceUid, f);
            pacsItems.push({ study: id.studyInstanceUid, series: id.seriesInstanceUid, sop: id.sopInstanceUid });
            return {
              itemKey: id.sopInstanceUid,
              studyUid: id.studyInstanceUid,
              seriesUid: id.seriesInstanceUid,
              sopUid: id.sopInstanceUid,
              objectKey: null,
              modality: 'CT',
              sha256: sha(f),
              sizeBytes: f.length,
              patientId: id.patientId!,
              label: null,
              maskKey: null,
            };
          }),
        ),
      );
    } finally {
      await ds.destroy();
    }
    await admin.graphql(
      `mutation($v: ID!) { sealDatasetVersion(input: { versionId: $v, deidMethod: "synthetic test data", deidSummary: "generated" }) { id } }`,
      { v: versionId },
    );
  });
  afterAll(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await api?.close();
    await orthanc?.stop();
  });

  it('downloads the whole sealed version: every file is the stored bytes, masks beside their items, SHA256SUMS checks, labels.csv lists them', async () => {
    const dest = tmp();
    const summary = await download(dest, null);
    expect(summary).toMatchObject({ items: 24, masks: 2, downloaded: 26, alreadyPresent: 0 });
    const files = filesIn(dest);
    expect(files.size).toBe(24);
    const { split_count } = firstRow(
      await api.query<{ split_count: string }>(`SELECT count(DISTINCT split) AS split_count FROM dataset_items WHERE version_id = $1`, [
        versionId,
      ]),
      'the split count',
    );
    expect(Number(split_count)).toBeGreaterThan(1);
    const splits = new Map(
      (
        await api.query<{ item_key: string; split: string }>(`SELECT item_key, split FROM dataset_items WHERE version_id = $1`, [versionId])
      ).map((r) => [r.item_key, r.split]),
    );
    for (const [key, bytes] of stored) expect(sha(files.get(`${splits.get(key)}/${key}`)!)).toBe(sha(bytes));
    const maskFiles = filesIn(dest, '.mask.png');
    expect([...maskFiles.keys()].sort()).toEqual([...masks.keys()].map((k) => `${splits.get(k)}/${k}`).sort());
    for (const [key, png] of masks) expect(sha(maskFiles.get(`${splits.get(key)}/${key}`)!)).toBe(sha(png));
    const check = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dest }, (err, out) => resolve({ code: err ? 1 : 0, out })),
    );
    expect(check.code).toBe(0);
    expect(check.out.trim().split('\n')).toHaveLength(26);
    const manifest = readFileSync(path.join(dest, 'manifest.jsonl'));
    const { manifest_sha256 } = firstRow(
      await api.query<{ manifest_sha256: string }>(`SELECT manifest_sha256 FROM dataset_versions WHERE id = $1`, [versionId]),
      'the version',
    );
    expect(sha(manifest)).toBe(manifest_sha256);
    const labels = readFileSync(path.join(dest, 'labels.csv'), 'utf8').trim().split('\n');
    expect(labels[0]).toBe('item_key,split,label,study_instance_uid,series_instance_uid,sop_instance_uid,mask,file,mask_file');
    expect(labels).toHaveLength(25);
    expect(labels.filter((l) => l.includes(',lesion,'))).toHaveLength(8);
    const [masked] = masks.keys();
    expect(labels.find((l) => l.startsWith(`${masked},`))).toMatch(
      new RegExp(
        `/masks/${sha(masks.get(masked!)!)}\\.png,${splits.get(masked!)}/${masked}\\.dcm,${splits.get(masked!)}/${masked}\\.mask\\.png$`,
      ),
    );
  });

  it('downloads one split only, and a second run keeps the verified files instead of fetching them again', async () => {
    const dest = tmp();
    const first = await download(dest, 'train');
    const train = await api.query<{ item_key: string }>(`SELECT item_key FROM dataset_items WHERE version_id = $1 AND split = 'train'`, [
      versionId,
    ]);
    expect(train.length).toBeGreaterThan(0);
    const trainMasks = train.filter((r) => masks.has(r.item_key)).length;
    expect(first).toMatchObject({ items: train.length, masks: trainMasks, downloaded: train.length + trainMasks, alreadyPresent: 0 });
    expect([...filesIn(dest).keys()].sort()).toEqual(train.map((r) => `train/${r.item_key}`).sort());
    // One file damaged on disk is fetched again; the rest are kept.
    const damaged = path.join(dest, 'train', `${train[0]!.item_key}.dcm`);
    writeFileSync(damaged, 'not the file');
    const again = await download(dest, 'train');
    expect(again).toMatchObject({ items: train.length, downloaded: 1, alreadyPresent: train.length + trainMasks - 1 });
    expect(sha(readFileSync(damaged))).toBe(sha(stored.get(train[0]!.item_key)!));
  });

  it('refuses an instance that changed in the PACS after the seal, keeping none of its bytes', async () => {
    const changed = pacsItems[0]!;
    const lookup = (await (await fetch(`${orthanc.url}/tools/lookup`, { method: 'POST', body: changed.sop })).json()) as {
      ID: string;
      Type: string;
    }[];
    const instance = lookup.find((x) => x.Type === 'Instance');
    expect((await fetch(`${orthanc.url}/instances/${instance!.ID}`, { method: 'DELETE' })).status).toBe(200);
    const original = stored.get(changed.sop)!;
    const variant = dicomVariant(sampleBytes('CT_small.dcm'), {
      patientId: readDicomIdentity(original).patientId!,
      studyInstanceUid: changed.study,
      seriesInstanceUid: changed.series,
      sopInstanceUid: changed.sop,
      seriesDescription: 'changed after the seal',
    });
    expect((await orthanc.client.store([variant])).failed ?? []).toEqual([]);

    const dest = tmp();
    const r = await python(
      `try:\n    caliper_client.download_dataset(${JSON.stringify(versionId)}, ${JSON.stringify(dest)})\n    print(json.dumps({"ok": True}))\nexcept caliper_client.CaliperError as e:\n    print(json.dumps({"code": e.code, "message": e.message}))`,
    );
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.out.trim().split('\n').pop()!) as { code: string; message: string };
    expect(answer.code).toBe('CHECKSUM_MISMATCH');
    expect(answer.message).toContain(`1 item(s)`);
    expect(answer.message).toContain(`${changed.sop} (expected ${sha(original)}, got ${sha(variant)})`);
    const files = filesIn(dest);
    expect(files.size).toBe(23);
    expect([...files.keys()].some((k) => k.endsWith(changed.sop))).toBe(false);
    expect(existsSync(path.join(dest, 'SHA256SUMS'))).toBe(false);
  });

  it('answers the REST edges with the reason: a draft has no manifest, an unknown item is 404, a removed instance is 404', async () => {
    const get = async (p: string) => {
      const res = await fetch(`${api.base}/api/v1/dataset-versions/${p}`, { headers: { authorization: `Bearer ${api.token}` } });
      return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? await res.json() : null, res };
    };
    expect(await get(`${draftId}/manifest`)).toMatchObject({
      status: 409,
      body: { message: 'Version 2 is a draft: only a sealed version has a manifest to download.' },
    });
    expect(await get(`${versionId}/items/1.2.3.4/content`)).toMatchObject({
      status: 404,
      body: { message: expect.stringContaining(`Item 1.2.3.4 of dataset version ${versionId}`) },
    });
    const [masked] = masks.keys();
    const mask = await get(`${versionId}/items/${masked}/mask`);
    expect(mask.status).toBe(200);
    expect(mask.res.headers.get('x-checksum-sha256')).toBe(sha(masks.get(masked!)!));
    expect(sha(Buffer.from(await mask.res.arrayBuffer()))).toBe(sha(masks.get(masked!)!));
    expect(await get(`${versionId}/items/${pacsItems[0]!.sop}/mask`)).toMatchObject({
      status: 404,
      body: { message: `Item ${pacsItems[0]!.sop} of dataset version ${versionId} has no mask.` },
    });
    const described = await get(versionId);
    expect(described).toMatchObject({ status: 200, body: { id: versionId, number: 1, state: 'sealed', itemCount: 24, patientCount: 12 } });
    const one = await get(`${versionId}/items/${pacsItems[1]!.sop}/content`);
    expect(one.status).toBe(200);
    expect(one.res.headers.get('x-checksum-sha256')).toBe(sha(stored.get(pacsItems[1]!.sop)!));
    expect(sha(Buffer.from(await one.res.arrayBuffer()))).toBe(sha(stored.get(pacsItems[1]!.sop)!));
    // Gone from the PACS: the reason, not a cut-off body.
    const lookup = (await (await fetch(`${orthanc.url}/tools/lookup`, { method: 'POST', body: pacsItems[1]!.sop })).json()) as {
      ID: string;
      Type: string;
    }[];
    await fetch(`${orthanc.url}/instances/${lookup.find((x) => x.Type === 'Instance')!.ID}`, { method: 'DELETE' });
    expect(await get(`${versionId}/items/${pacsItems[1]!.sop}/content`)).toMatchObject({
      status: 404,
      body: { message: `Item ${pacsItems[1]!.sop} is no longer in the PACS (WADO-RS answered 404).` },
    });
  });

  it('refuses a draft, and records a version as a run input through the native API', async () => {
    const draft = await python(
      `try:\n    caliper_client.download_dataset(${JSON.stringify(draftId)}, "/tmp/never-written")\nexcept caliper_client.CaliperError as e:\n    print(json.dumps({"code": e.code, "message": e.message}))`,
    );
    const refused = JSON.parse(draft.out.trim().split('\n').pop()!) as { code: string; message: string };
    expect(refused).toEqual({
      code: 'INVALID_STATE',
      message: `dataset version ${draftId} (v2) is a draft: only sealed versions can be downloaded`,
    });
    expect(existsSync('/tmp/never-written')).toBe(false);

    const r = await python(
      `c = caliper_client.Client()\nrun = c.start_run(${JSON.stringify(api.project)}, experiment="dl")\nrun.use_dataset(${JSON.stringify(versionId)})\nrun.use_dataset(${JSON.stringify(versionId)})\nrun.finish()\nprint(json.dumps({"id": run.run_id}))`,
    );
    if (r.code !== 0) throw new Error(r.err);
    const runId = (JSON.parse(r.out.trim().split('\n').pop()!) as { id: string }).id;
    const inputs = await api.query<{ dataset_version_id: string }>(
      `SELECT i.dataset_version_id FROM run_inputs i JOIN runs r ON r.id = i.run_id WHERE r.uuid = $1`,
      [runId],
    );
    expect(inputs).toEqual([{ dataset_version_id: versionId }]);
  });
});
