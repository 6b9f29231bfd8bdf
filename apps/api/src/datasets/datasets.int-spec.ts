/**
 * Datasets end to end through the API (GraphQL + the DICOM upload route) on real PostgreSQL and an
 * S3 server: a cohort of generated multi-patient DICOM (from pydicom's CT and MR samples) is
 * uploaded, split by patient, sealed (manifest in S3 with its sha256), derived, diffed; a sealed
 * version refuses changes even from the app's database role; bad uploads store nothing.
 */
import { createHash } from 'node:crypto';
import { dicomVariant, sampleBytes } from '@caliper/pacs/testing';
import { Client } from 'pg';
import { ADMIN, Auth, errorCode, gql, gqlOk, headersFor, login, newProject, newUser, startTestApi, TestApi } from '../testing/api-harness';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function put(api: TestApi, auth: Auth, versionId: string, body: Buffer, headers: Record<string, string> = {}, query = '') {
  const res = await fetch(`${api.base}/api/v1/dataset-versions/${versionId}/dicom${query}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/dicom', ...headersFor(auth), ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> & { code?: string; message?: string } };
}

interface VersionView {
  id: string;
  number: number;
  state: string;
  manifestKey: string | null;
  manifestSha256: string | null;
  counts: { items: number; patients: number; studies: number; bySplit: { split: string | null; items: number; patients: number }[] };
  items: {
    items: { itemKey: string; sha256: string; patientKey: string; split: string | null; label: string | null }[];
    next: string | null;
  };
}

const VERSION = `query($id: ID!) { datasetVersion(id: $id) { id number state manifestKey manifestSha256
  counts { items patients studies bySplit { split items patients } }
  items(first: 500) { items { itemKey sha256 patientKey split label } next } } }`;

async function token(api: TestApi, session: Auth, projectId: string, role: string): Promise<Auth> {
  const r = await gqlOk<{ createApiToken: { token: string } }>(
    api,
    session,
    `mutation($p: ID!) { createApiToken(input: { projectId: $p, name: "t-${role}", roles: [${role}] }) { token } }`,
    { p: projectId },
  );
  return { bearer: r.createApiToken.token };
}

describe('datasets: upload, split by patient, seal, derive, diff', () => {
  let api: TestApi;
  let owner: Client;
  let app: Client;
  let researcher: Auth;
  let pi: Auth;
  let viewer: Auth;
  let projectId: string;
  let datasetId: string;
  const files: { bytes: Buffer; patient: string; label: string }[] = [];

  beforeAll(async () => {
    api = await startTestApi();
    owner = new Client({ connectionString: api.db.ownerUrl });
    app = new Client({ connectionString: api.db.appUrl });
    await owner.connect();
    await app.connect();
    const admin = await login(api, ADMIN.username, ADMIN.password);
    projectId = await newProject(api, admin, 'cohorts');
    const r = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    const p = await newUser(api, admin, { projectId, roles: ['PI'] });
    const v = await newUser(api, admin, { projectId, roles: ['VIEWER'] });
    researcher = await token(api, await login(api, r.username, r.password), projectId, 'RESEARCHER');
    pi = await token(api, await login(api, p.username, p.password), projectId, 'PI');
    viewer = await login(api, v.username, v.password);
    // 8 patients × 2 instances (a CT and an MR study each): 16 items.
    for (let i = 0; i < 8; i++) {
      const patient = `PAT-${i}`;
      const label = i % 2 ? 'tumour' : 'normal';
      files.push({ bytes: dicomVariant(sampleBytes('CT_small.dcm'), { patientId: patient }), patient, label });
      files.push({ bytes: dicomVariant(sampleBytes('MR_small.dcm'), { patientId: patient }), patient, label });
    }
  }, 90000);
  afterAll(async () => {
    await owner?.end();
    await app?.end();
    await api?.close();
  });

  it('builds a version from uploads, splits it by patient, seals it with its manifest, and then refuses every change', async () => {
    const created = await gqlOk<{ createDataset: { id: string } }>(
      api,
      researcher,
      `mutation($p: ID!) { createDataset(input: { projectId: $p, name: "Brain MR", description: "glioma cohort" }) { id } }`,
      { p: projectId },
    );
    datasetId = created.createDataset.id;
    const v1 = await gqlOk<{ createDatasetVersion: { id: string; number: number; state: string } }>(
      api,
      researcher,
      `mutation($d: ID!) { createDatasetVersion(input: { datasetId: $d, splitSeed: "seed-1", splitRatios: { train: 0.5, val: 0.25, test: 0.25 } }) { id number state } }`,
      { d: datasetId },
    );
    expect(v1.createDatasetVersion).toMatchObject({ number: 1, state: 'DRAFT' });
    const versionId = v1.createDatasetVersion.id;
    for (const f of files) {
      const r = await put(api, researcher, versionId, f.bytes, { 'x-checksum-sha256': sha(f.bytes) }, `?label=${f.label}`);
      expect({ status: r.status, created: r.body.created }).toEqual({ status: 200, created: true });
    }
    // The same file again is the same item (a retried upload), not a second one.
    const again = await put(api, researcher, versionId, files[0]!.bytes);
    expect({ status: again.status, created: again.body.created }).toEqual({ status: 200, created: false });

    const draft = (await gqlOk<{ datasetVersion: VersionView }>(api, researcher, VERSION, { id: versionId })).datasetVersion;
    expect(draft.counts).toMatchObject({ items: 16, patients: 8, studies: 16 });
    // Exactly the uploaded files, by sha256 computed here.
    expect(draft.items.items.map((i) => i.sha256).sort()).toEqual(files.map((f) => sha(f.bytes)).sort());
    // One split per patient; PatientID is stored only as its HMAC.
    const byPatient = new Map<string, Set<string | null>>();
    for (const i of draft.items.items) byPatient.set(i.patientKey, (byPatient.get(i.patientKey) ?? new Set()).add(i.split));
    expect([...byPatient.values()].every((s) => s.size === 1 && !s.has(null))).toBe(true);
    const stored = await owner.query(
      `SELECT count(*)::int AS n FROM dataset_items WHERE patient_key LIKE 'PAT-%' OR item_key LIKE 'PAT-%'`,
    );
    expect(stored.rows[0].n).toBe(0);

    // Sealing needs dataset.seal (PI) and an attestation.
    const seal = `mutation($v: ID!, $m: String!) { sealDatasetVersion(input: { versionId: $v, deidMethod: $m, deidSummary: "names and IDs removed by the PACS export" }) { state manifestKey manifestSha256 deidAttestation { method } } }`;
    expect(errorCode(await gql(api, researcher, seal, { v: versionId, m: 'basic profile' }))).toBe('FORBIDDEN');
    expect(errorCode(await gql(api, pi, seal, { v: versionId, m: '' }))).toBe('BAD_USER_INPUT');
    const sealed = await gqlOk<{
      sealDatasetVersion: { state: string; manifestKey: string; manifestSha256: string; deidAttestation: { method: string } };
    }>(api, pi, seal, { v: versionId, m: 'DICOM PS3.15 basic profile' });
    expect(sealed.sealDatasetVersion).toMatchObject({ state: 'SEALED', deidAttestation: { method: 'DICOM PS3.15 basic profile' } });
    // The manifest in S3 hashes to the recorded sha256 and lists every item once, in key order.
    const manifest = await new Promise<Buffer>((resolve, reject) => {
      void api.objects.store.read('caliper-datasets', sealed.sealDatasetVersion.manifestKey).then((s) => {
        const parts: Buffer[] = [];
        s.on('data', (c: Buffer) => parts.push(c));
        s.on('end', () => resolve(Buffer.concat(parts)));
        s.on('error', reject);
      }, reject);
    });
    expect(sha(manifest)).toBe(sealed.sealDatasetVersion.manifestSha256);
    const lines = manifest.toString('utf8').trim().split('\n');
    expect(lines).toHaveLength(17);
    const keys = lines.slice(1).map((l) => (JSON.parse(l) as { item: string }).item);
    expect(keys).toEqual([...keys].sort());

    // Sealed: the API refuses, and so does the database, even for the app's own role.
    const late = await put(api, researcher, versionId, dicomVariant(sampleBytes('CT_small.dcm'), { patientId: 'LATE' }));
    expect({ status: late.status, code: late.body.code }).toEqual({ status: 409, code: 'CONFLICT' });
    for (const sql of [
      `UPDATE dataset_items SET label = 'x' WHERE version_id = '${versionId}'`,
      `DELETE FROM dataset_items WHERE version_id = '${versionId}'`,
      `UPDATE dataset_versions SET split_seed = 'other' WHERE id = '${versionId}'`,
      `DELETE FROM dataset_versions WHERE id = '${versionId}'`,
      `INSERT INTO dataset_items (version_id, item_key, sha256, size_bytes, patient_key) VALUES ('${versionId}', 'x', '${'a'.repeat(64)}', 1, 'k')`,
    ]) {
      await expect(app.query(sql)).rejects.toThrow(/sealed/);
    }
    await expect(owner.query(`TRUNCATE dataset_items`)).rejects.toThrow(/sealed/);
    const after = (await gqlOk<{ datasetVersion: VersionView }>(api, viewer, VERSION, { id: versionId })).datasetVersion;
    expect(after.items.items).toEqual(draft.items.items);
  });

  it('derives a child that keeps every patient in its split, and diffs the two', async () => {
    const versions = await gqlOk<{ dataset: { versions: { id: string; number: number }[] } }>(
      api,
      viewer,
      `query($d: ID!) { dataset(id: $d) { versions { id number } } }`,
      { d: datasetId },
    );
    const v1 = versions.dataset.versions.find((v) => v.number === 1)!.id;
    const parent = (await gqlOk<{ datasetVersion: VersionView }>(api, viewer, VERSION, { id: v1 })).datasetVersion;
    const [removed, relabelled] = parent.items.items;
    const child = await gqlOk<{ createDatasetVersion: { id: string; number: number } }>(
      api,
      researcher,
      `mutation($d: ID!, $p: ID!, $rm: [String!], $rl: [RelabelInput!]) { createDatasetVersion(input: { datasetId: $d, parentVersionId: $p, removeItemKeys: $rm, relabel: $rl }) { id number } }`,
      { d: datasetId, p: v1, rm: [removed!.itemKey], rl: [{ itemKey: relabelled!.itemKey, label: 'necrosis' }] },
    );
    expect(child.createDatasetVersion.number).toBe(2);
    const v2 = child.createDatasetVersion.id;
    // New patients join the child; every patient of the parent keeps its split.
    for (let i = 0; i < 6; i++) {
      const r = await put(api, researcher, v2, dicomVariant(sampleBytes('CT_small.dcm'), { patientId: `NEW-${i}` }));
      expect(r.status).toBe(200);
    }
    const derived = (await gqlOk<{ datasetVersion: VersionView }>(api, viewer, VERSION, { id: v2 })).datasetVersion;
    const parentSplit = new Map(parent.items.items.map((i) => [i.patientKey, i.split]));
    for (const i of derived.items.items) if (parentSplit.has(i.patientKey)) expect(i.split).toBe(parentSplit.get(i.patientKey));
    expect(derived.counts.items).toBe(16 - 1 + 6);

    const diff = await gqlOk<{
      datasetVersionDiff: { counts: Record<string, number>; rows: { itemKey: string; kind: string; toLabel: string | null }[] };
    }>(
      api,
      viewer,
      `query($a: ID!, $b: ID!) { datasetVersionDiff(fromId: $a, toId: $b) { counts { added removed changed relabelled moved unchanged } rows { itemKey kind toLabel } } }`,
      { a: v1, b: v2 },
    );
    expect(diff.datasetVersionDiff.counts).toEqual({ added: 6, removed: 1, changed: 0, relabelled: 1, moved: 0, unchanged: 14 });
    expect(diff.datasetVersionDiff.rows).toContainEqual({ itemKey: relabelled!.itemKey, kind: 'RELABELLED', toLabel: 'necrosis' });
    expect(diff.datasetVersionDiff.rows).toContainEqual({ itemKey: removed!.itemKey, kind: 'REMOVED', toLabel: null });

    // A resplit with another seed places patients afresh; the seal then still finds one split per patient.
    const resplit = await gqlOk<{ createDatasetVersion: { id: string } }>(
      api,
      researcher,
      `mutation($d: ID!, $p: ID!) { createDatasetVersion(input: { datasetId: $d, parentVersionId: $p, splitSeed: "seed-2", resplit: true }) { id } }`,
      { d: datasetId, p: v1 },
    );
    const v3 = (await gqlOk<{ datasetVersion: VersionView }>(api, viewer, VERSION, { id: resplit.createDatasetVersion.id })).datasetVersion;
    expect(v3.counts.items).toBe(16);
    const moved = v3.items.items.filter((i) => parentSplit.get(i.patientKey) !== i.split);
    expect(moved.length).toBeGreaterThan(0);
    // A patient forced into two splits behind the API's back cannot be sealed, by the API or by SQL.
    const [a, b] = v3.items.items.filter((i) => i.patientKey === v3.items.items[0]!.patientKey);
    await owner.query(
      `UPDATE dataset_items SET split = CASE WHEN split = 'test' THEN 'train' ELSE 'test' END WHERE version_id = $1 AND item_key = $2`,
      [v3.id, b!.itemKey],
    );
    expect(a).toBeDefined();
    await expect(
      owner.query(
        `UPDATE dataset_versions SET state = 'sealed', sealed_at = now(), manifest_sha256 = 'x', deid_method = 'x' WHERE id = $1`,
        [v3.id],
      ),
    ).rejects.toThrow(/two splits/);
  });

  it('refuses bad uploads with a clear error and stores nothing', async () => {
    const draft = await gqlOk<{ createDatasetVersion: { id: string } }>(
      api,
      researcher,
      `mutation($d: ID!) { createDatasetVersion(input: { datasetId: $d }) { id } }`,
      { d: datasetId },
    );
    const v = draft.createDatasetVersion.id;
    const objectsBefore = (await api.objects.store.list('caliper-datasets', `datasets/${datasetId}/objects/`)).length;
    const ct = sampleBytes('CT_small.dcm');
    const cases: [string, Promise<{ status: number; body: { code?: string; message?: string } }>, number, RegExp][] = [
      ['not DICOM', put(api, researcher, v, Buffer.from('hello, not a dicom file'.repeat(10))), 400, /not a DICOM Part-10 file/],
      ['truncated', put(api, researcher, v, ct.subarray(0, ct.length - 3000)), 400, /cut short/],
      ['wrong checksum', put(api, researcher, v, ct, { 'x-checksum-sha256': 'b'.repeat(64) }), 400, /sha256/],
      ['too large', put(api, researcher, v, Buffer.alloc(64 * 1024 * 1024 + 1)), 413, /at most 64 MiB/],
      ['viewer', put(api, viewer, v, ct), 403, /permission/],
      ['unknown version', put(api, researcher, '00000000-0000-4000-8000-000000000000', ct), 404, /not found/],
    ];
    for (const [name, call, status, message] of cases) {
      const r = await call;
      expect({ name, status: r.status }).toEqual({ name, status });
      expect(r.body.message).toMatch(message);
    }
    const same = dicomVariant(ct, { patientId: 'P', sopInstanceUid: '1.2.3.4.5' });
    expect((await put(api, researcher, v, same)).status).toBe(200);
    const other = dicomVariant(ct, { patientId: 'Q', sopInstanceUid: '1.2.3.4.5' });
    expect(await put(api, researcher, v, other)).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
    const n = await owner.query(`SELECT count(*)::int AS n FROM dataset_items WHERE version_id = $1`, [v]);
    expect(n.rows[0].n).toBe(1);
    expect((await api.objects.store.list('caliper-datasets', `datasets/${datasetId}/objects/`)).length).toBe(objectsBefore + 1);
    // GraphQL input is checked too.
    expect(
      errorCode(
        await gql(
          api,
          researcher,
          `mutation($d: ID!) { createDatasetVersion(input: { datasetId: $d, splitRatios: { train: 0.9, val: 0.2, test: 0 } }) { id } }`,
          {
            d: datasetId,
          },
        ),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(
      errorCode(
        await gql(api, researcher, `mutation($p: ID!) { createDataset(input: { projectId: $p, name: "Brain MR" }) { id } }`, {
          p: projectId,
        }),
      ),
    ).toBe('CONFLICT');
  });
});
