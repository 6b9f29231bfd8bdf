/**
 * Building a version from the PACS through the API, on a real Orthanc loaded by STOW-RS with
 * generated multi-patient data: the preview lists exactly the matching studies (no PatientID),
 * an import is recorded with its outbox job in one transaction, a viewer can do neither, a sealed
 * version refuses imports, and without PACS_DICOMWEB_URL both say what to set.
 */
import { dicomVariant, newUid, sampleBytes, startTestOrthanc, TestOrthanc } from '@caliper/pacs/testing';
import { Client } from 'pg';
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
import { DatasetFixture, newDraft, startDatasetFixture } from '../testing/dataset-fixture';

describe('datasets: preview and import from the PACS', () => {
  let orthanc: TestOrthanc;
  let fixture: DatasetFixture | undefined;
  let api: TestApi;
  let noPacs: TestApi;
  let owner: Client;
  let researcher: Auth;
  let viewer: Auth;
  let projectId: string;
  const ctStudies = new Set<string>();

  beforeAll(async () => {
    orthanc = await startTestOrthanc();
    const ct = sampleBytes('CT_small.dcm');
    const mr = sampleBytes('MR_small.dcm');
    const files: Buffer[] = [];
    for (let p = 0; p < 4; p++) {
      const studyInstanceUid = newUid();
      ctStudies.add(studyInstanceUid);
      const seriesInstanceUid = newUid();
      for (let i = 0; i < 3; i++) files.push(dicomVariant(ct, { patientId: `P${p}`, studyInstanceUid, seriesInstanceUid }));
      files.push(dicomVariant(mr, { patientId: `P${p}` }));
    }
    expect((await orthanc.client.store(files)).failed).toEqual([]);
    [fixture, noPacs] = await Promise.all([
      startDatasetFixture({ project: 'pacs-cohorts', dataset: 'CT', env: { PACS_DICOMWEB_URL: orthanc.dicomWebUrl } }),
      startTestApi(),
    ]);
    ({ api, owner, researcher, viewer, projectId } = fixture);
  }, 120000);
  afterAll(async () => {
    await fixture?.close();
    await noPacs?.close();
    await orthanc?.stop();
  });

  const PREVIEW = `query($p: ID!, $q: PacsQueryInput!) { pacsPreview(projectId: $p, query: $q, limit: 10) {
    patients studies series instances truncated studyList { studyInstanceUid studyDate modalities series instances } } }`;
  const IMPORT = `mutation($v: ID!) { importFromPacs(input: { versionId: $v, query: { modalities: ["CT"] }, copy: true }) { id status copy query } }`;
  const draft = async () => (await newDraft(fixture!)).id;

  it('previews exactly the matching studies, with counts and no patient identifier', async () => {
    const r = await gqlOk<{
      pacsPreview: {
        patients: number;
        studies: number;
        series: number;
        instances: number;
        truncated: boolean;
        studyList: { studyInstanceUid: string; modalities: string[]; series: number; instances: number; studyDate: string }[];
      };
    }>(api, researcher, PREVIEW, { p: projectId, q: { modalities: ['CT'] } });
    expect(r.pacsPreview).toMatchObject({ patients: 4, studies: 4, series: 4, instances: 12, truncated: false });
    expect(new Set(r.pacsPreview.studyList.map((s) => s.studyInstanceUid))).toEqual(ctStudies);
    expect(
      r.pacsPreview.studyList.every(
        (s) => s.modalities.join() === 'CT' && s.series === 1 && s.instances === 3 && s.studyDate === '20040119',
      ),
    ).toBe(true);
    expect(JSON.stringify(r)).not.toMatch(/"P[0-3]"/);
    const none = await gqlOk<{ pacsPreview: { studies: number } }>(api, researcher, PREVIEW, { p: projectId, q: { modalities: ['PT'] } });
    expect(none.pacsPreview.studies).toBe(0);
    const empty = await gql(api, researcher, PREVIEW, { p: projectId, q: {} });
    expect(errorCode(empty)).toBe('BAD_USER_INPUT');
  });

  it('records an import with its outbox job in one transaction, readable from the version', async () => {
    const versionId = await draft();
    const r = await gqlOk<{ importFromPacs: { id: string; status: string; copy: boolean; query: string } }>(api, researcher, IMPORT, {
      v: versionId,
    });
    expect(r.importFromPacs).toMatchObject({ status: 'QUEUED', copy: true });
    expect(JSON.parse(r.importFromPacs.query)).toEqual({ modalities: ['CT'] });
    const jobs = await owner.query(`SELECT job_name, payload FROM outbox WHERE job_id = $1`, [
      `datasets.import-pacs|${r.importFromPacs.id}`,
    ]);
    expect(jobs.rows).toEqual([{ job_name: 'datasets.import-pacs', payload: { v: 1, importId: r.importFromPacs.id } }]);
    const v = await gqlOk<{ datasetVersion: { imports: { id: string; status: string; done: number; total: number | null }[] } }>(
      api,
      researcher,
      `query($v: ID!) { datasetVersion(id: $v) { imports { id status done total } } }`,
      { v: versionId },
    );
    expect(v.datasetVersion.imports).toEqual([{ id: r.importFromPacs.id, status: 'QUEUED', done: 0, total: null }]);
    // A seal waits for the import.
    const pi = await gql(
      api,
      researcher,
      `mutation($v: ID!) { sealDatasetVersion(input: { versionId: $v, deidMethod: "x", deidSummary: "y" }) { id } }`,
      { v: versionId },
    );
    expect(errorCode(pi)).toBe('FORBIDDEN');
  });

  it('lets a viewer neither preview nor import, and writes nothing', async () => {
    const versionId = await draft();
    expect(errorCode(await gql(api, viewer, PREVIEW, { p: projectId, q: { modalities: ['CT'] } }))).toBe('FORBIDDEN');
    expect(errorCode(await gql(api, viewer, IMPORT, { v: versionId }))).toBe('FORBIDDEN');
    expect((await owner.query(`SELECT count(*)::int AS n FROM dataset_imports WHERE version_id = $1`, [versionId])).rows[0].n).toBe(0);
  });

  it('de-identifies only what it copies: deidentify without copy is refused, naming the field, and nothing is written', async () => {
    const versionId = await draft();
    const DEID = `mutation($v: ID!, $copy: Boolean!) { importFromPacs(input: { versionId: $v, query: { modalities: ["CT"] }, copy: $copy, deidentify: true }) { id copy deidentify deidSummary } }`;
    const refused = await gql(api, researcher, DEID, { v: versionId, copy: false });
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    expect(errorMessage(refused)).toMatch(
      /deidentify.*only instances copied into the datasets bucket can be de-identified: set copy to true/,
    );
    expect((await owner.query(`SELECT count(*)::int AS n FROM dataset_imports WHERE version_id = $1`, [versionId])).rows[0].n).toBe(0);
    const ok = await gqlOk<{ importFromPacs: { id: string; copy: boolean; deidentify: boolean; deidSummary: unknown } }>(
      api,
      researcher,
      DEID,
      {
        v: versionId,
        copy: true,
      },
    );
    expect(ok.importFromPacs).toMatchObject({ copy: true, deidentify: true, deidSummary: null });
    const audit = await owner.query(`SELECT after FROM audit_events WHERE action = 'dataset_import.requested' AND entity_id = $1`, [
      versionId,
    ]);
    expect(audit.rows.map((r: { after: { deidentify: boolean } }) => r.after.deidentify)).toEqual([true]);
  });

  it('refuses an import into a sealed version', async () => {
    const versionId = await draft();
    await owner.query(
      `UPDATE dataset_versions SET state = 'sealed', sealed_at = now(), manifest_sha256 = repeat('0', 64), deid_method = 'none' WHERE id = $1`,
      [versionId],
    );
    const r = await gql(api, researcher, IMPORT, { v: versionId });
    expect(errorCode(r)).toBe('CONFLICT');
    expect(errorMessage(r)).toMatch(/is sealed/);
    expect((await owner.query(`SELECT count(*)::int AS n FROM dataset_imports WHERE version_id = $1`, [versionId])).rows[0].n).toBe(0);
  });

  it('says what to set when no PACS is configured', async () => {
    const admin = await login(noPacs, ADMIN.username, ADMIN.password);
    const p = await newProject(noPacs, admin, 'no-pacs');
    const u = await newUser(noPacs, admin, { projectId: p, roles: ['RESEARCHER'] });
    const r = await gql(noPacs, await login(noPacs, u.username, u.password), PREVIEW, { p, q: { modalities: ['CT'] } });
    expect(errorCode(r)).toBe('CONFLICT');
    expect(errorMessage(r)).toMatch(/PACS_DICOMWEB_URL/);
  });
});
