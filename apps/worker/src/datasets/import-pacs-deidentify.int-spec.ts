/**
 * 'datasets.import-pacs' with de-identification, on a real Orthanc, PostgreSQL, Redis and S3: the
 * objects stored in the bucket are read back and parsed with dcmjs, and must hold none of the
 * original patient identifiers or instance UIDs, say PatientIdentityRemoved YES, hash to their
 * item's sha256, and keep two instances of one original study in one new study. The version's
 * source records the method and what changed; a re-run maps every instance to the item it wrote.
 */
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { DatasetImportsRepository, DatasetsRepository, DatasetVerificationsRepository } from '@caliper/datasets';
import { parseJob } from '@caliper/jobs';
import { DEIDENTIFICATION_METHOD, parseDicomFile, readDicomIdentity } from '@caliper/pacs';
import { dicomVariant, newUid, sampleBytes, startTestOrthanc, TestOrthanc } from '@caliper/pacs/testing';
import { createDataSource, OutboxRepository } from '@caliper/persistence';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { startTestObjectStore, TestObjectStore } from '@caliper/storage/testing';
import { startTestWorker, TestWorker, waitFor } from '../__tests__/worker-harness';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('datasets.import-pacs with de-identification (real Orthanc, PostgreSQL, Redis, S3)', () => {
  let db: TestDatabase;
  let s3: TestObjectStore;
  let orthanc: TestOrthanc;
  let ds: DataSource;
  let worker: TestWorker;
  let datasets: DatasetsRepository;
  let imports: DatasetImportsRepository;
  let outbox: OutboxRepository;
  let userId: string;
  let datasetId: string;
  /** Every original identifier that must not survive: PatientIDs, PatientNames and instance UIDs. */
  const originals: string[] = [];
  /** Original SOP Instance UID → original StudyInstanceUID. */
  const studyOf = new Map<string, string>();

  beforeAll(async () => {
    [db, s3, orthanc] = await Promise.all([createTestDatabase(), startTestObjectStore(), startTestOrthanc()]);
    ds = await createDataSource(db.appUrl).initialize();
    datasets = new DatasetsRepository(ds);
    imports = new DatasetImportsRepository(ds);
    outbox = new OutboxRepository(ds);
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    userId = (await owner.query(`INSERT INTO users (username, display_name) VALUES ('dee', 'Dee') RETURNING id`)).rows[0].id;
    const projectId = (await owner.query(`INSERT INTO projects (slug, name) VALUES ('deid', 'Deid') RETURNING id`)).rows[0].id;
    await owner.end();
    const files: Buffer[] = [];
    for (let p = 0; p < 2; p++) {
      const patientId = `DEID-PATIENT-${p}`;
      const studyInstanceUid = newUid();
      const seriesInstanceUid = newUid();
      originals.push(patientId, `Test^${patientId}`, studyInstanceUid, seriesInstanceUid);
      for (let i = 0; i < 2; i++) {
        const sopInstanceUid = newUid();
        originals.push(sopInstanceUid);
        studyOf.set(sopInstanceUid, studyInstanceUid);
        files.push(dicomVariant(sampleBytes('CT_small.dcm'), { patientId, studyInstanceUid, seriesInstanceUid, sopInstanceUid }));
      }
    }
    expect((await orthanc.client.store(files)).failed ?? []).toEqual([]);
    datasetId = await ds.transaction(
      async (m) => (await datasets.createDataset(m, { projectId, name: 'deid', description: '', createdBy: userId })).id,
    );
    worker = await startTestWorker(db, s3, { PACS_DICOMWEB_URL: orthanc.dicomWebUrl });
  }, 120000);
  afterAll(async () => {
    await worker?.close();
    await ds?.destroy();
    await orthanc?.stop();
    await s3?.close();
    await db?.drop();
  });

  async function runImport(versionId: string) {
    const id = await ds.transaction(async (m) => {
      const imp = await imports.create(m, { versionId, query: { modalities: ['CT'] }, copy: true, deidentify: true, createdBy: userId });
      await outbox.enqueue(m, parseJob('datasets.import-pacs', { v: 1, importId: imp.id }));
      return imp.id;
    });
    return waitFor('the import', async () => {
      const i = await imports.find(id);
      return i && (i.status === 'done' || i.status === 'failed') ? i : null;
    });
  }

  it('stores de-identified instances: no original identifier left, identity removed, sha256 of the stored bytes, studies kept together', async () => {
    const versionId = await ds.transaction(
      async (m) =>
        (
          await datasets.createVersion(m, {
            datasetId,
            parentId: null,
            splitSeed: 'seed',
            splitRatios: { train: 0.5, val: 0.25, test: 0.25 },
            stratifyByLabel: false,
            labelSet: [],
            source: { kind: 'pacs' },
            createdBy: userId,
          })
        ).id,
    );
    const imp = await runImport(versionId);
    expect(imp).toMatchObject({ status: 'done', total: 4, done: 4, skipped: 0, failed: 0, deidentify: true });
    // Per instance: PatientID + PatientName replaced; 5 UIDs (InstanceCreator, SOP Instance, Study, Series, Frame of Reference).
    expect(imp.deidSummary).toEqual({
      instances: 4,
      emptied: expect.any(Number),
      replaced: 8,
      privateRemoved: expect.any(Number),
      uidsReplaced: 20,
    });

    const rows: {
      item_key: string;
      study_uid: string;
      series_uid: string;
      sop_uid: string;
      object_key: string;
      sha256: string;
      size_bytes: string;
      patient_key: string;
    }[] = await ds.query(
      `SELECT item_key, study_uid, series_uid, sop_uid, object_key, sha256, size_bytes, patient_key FROM dataset_items WHERE version_id = $1`,
      [versionId],
    );
    expect(rows).toHaveLength(4);
    for (const r of rows) {
      const chunks: Buffer[] = [];
      for await (const c of await s3.store.read('caliper-datasets', r.object_key)) chunks.push(c as Buffer);
      const bytes = Buffer.concat(chunks);
      expect(sha(bytes)).toBe(r.sha256);
      expect(bytes.length).toBe(Number(r.size_bytes));
      expect(r.object_key).toBe(`datasets/${datasetId}/objects/${r.sha256}.dcm`);
      for (const original of originals)
        expect({ object: r.object_key, contains: original, found: bytes.includes(Buffer.from(original)) }).toMatchObject({ found: false });
      const id = readDicomIdentity(bytes);
      expect({ study: id.studyInstanceUid, series: id.seriesInstanceUid, sop: id.sopInstanceUid, patient: id.patientId }).toEqual({
        study: r.study_uid,
        series: r.series_uid,
        sop: r.item_key,
        patient: r.patient_key,
      });
      expect(id.sopInstanceUid).toMatch(/^2\.25\.\d+$/);
      const { dict, meta } = parseDicomFile(bytes, r.object_key);
      expect(dict['00120062']?.Value).toEqual(['YES']);
      expect(dict['00120063']?.Value).toEqual([
        'DICOM PS3.15 Basic Application Level Confidentiality Profile',
        expect.stringMatching(/^dcmjs \d+\.\d+\.\d+$/),
      ]);
      expect(dict['00100010']?.Value).toEqual([{ Alphabetic: r.patient_key }]);
      expect(meta['00020003']?.Value).toEqual([r.sop_uid]);
      expect(Object.keys(dict).filter((t) => parseInt(t.slice(0, 4), 16) % 2 === 1)).toEqual([]);
    }
    // Two original studies (one per patient, two instances each) → two new studies, each with both instances of one patient.
    const byStudy = new Map<string, string[]>();
    for (const r of rows) byStudy.set(r.study_uid, [...(byStudy.get(r.study_uid) ?? []), r.patient_key]);
    expect([...byStudy.values()].map((keys) => keys.length)).toEqual([2, 2]);
    expect([...byStudy.values()].every((keys) => keys[0] === keys[1])).toBe(true);
    expect(new Set(rows.map((r) => r.patient_key)).size).toBe(2);
    for (const r of rows) expect(studyOf.has(r.sop_uid) || [...studyOf.values()].includes(r.study_uid)).toBe(false);

    const version = (await datasets.findVersion(versionId))!;
    expect(version.source).toMatchObject({ kind: 'pacs', deidMethod: DEIDENTIFICATION_METHOD });
    expect(version.source.deidSummary).toMatch(
      /^Applied to 4 instances copied from the PACS: \d+ attributes emptied .*8 PatientID\/PatientName values replaced .*20 UIDs replaced/,
    );

    // A re-run maps each instance to the item it wrote: nothing new.
    const again = await runImport(versionId);
    expect(again).toMatchObject({ status: 'done', total: 4, done: 4, skipped: 4, failed: 0 });
    expect(Number((await ds.query(`SELECT count(*) AS n FROM dataset_items WHERE version_id = $1`, [versionId]))[0].n)).toBe(4);

    // The stored objects are what the version records: a verification finds no drift.
    const verifications = new DatasetVerificationsRepository(ds);
    const vid = await ds.transaction(async (m) => {
      const { verification } = await verifications.createOrRunning(m, { versionId, createdBy: userId });
      await outbox.enqueue(m, parseJob('datasets.verify-version', { v: 1, verificationId: verification.id }));
      return verification.id;
    });
    const verified = await waitFor('the verification', async () => {
      const v = await verifications.find(vid);
      return v?.status === 'done' ? v : null;
    });
    expect(verified).toMatchObject({ checked: 4, ok: 4, changed: 0, missing: 0, errors: 0 });
  }, 120000);

  it('refuses a de-identifying import that does not copy (the database holds it too)', async () => {
    const [v] = (await ds.query(`SELECT id FROM dataset_versions LIMIT 1`)) as { id: string }[];
    await expect(
      ds.transaction((m) =>
        imports.create(m, { versionId: v!.id, query: { modalities: ['CT'] }, copy: false, deidentify: true, createdBy: userId }),
      ),
    ).rejects.toThrow(/CHK_dataset_imports_deidentify/);
  });
});
