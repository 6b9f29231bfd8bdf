/**
 * 'datasets.verify-version' end to end on a real Orthanc, PostgreSQL, Redis and S3: a version is
 * imported from Orthanc (by reference, and copied), verified with no drift; then one instance is
 * replaced in Orthanc by a file with the same SOP Instance UID and other bytes and another is
 * deleted, and the verification reports exactly those two, with the sha256 computed here from
 * the replacement's bytes. Copied items are checked against the bucket the same way.
 */
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  DatasetImportsRepository,
  DatasetsRepository,
  DatasetVerificationEntity,
  DatasetVerificationsRepository,
  PacsImportQuery,
} from '@caliper/datasets';
import { parseJob } from '@caliper/jobs';
import { dicomVariant, newUid, sampleBytes, startTestOrthanc, TestOrthanc } from '@caliper/pacs/testing';
import { createDataSource, OutboxRepository } from '@caliper/persistence';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { startTestObjectStore, TestObjectStore } from '@caliper/storage/testing';
import { startTestWorker, TestWorker, waitFor } from '../__tests__/worker-harness';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface Stored {
  patientId: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  sha256: string;
}

describe('datasets.verify-version (worker in-process; real Orthanc, PostgreSQL, Redis, S3)', () => {
  let db: TestDatabase;
  let s3: TestObjectStore;
  let orthanc: TestOrthanc;
  let ds: DataSource;
  let worker: TestWorker;
  let datasets: DatasetsRepository;
  let imports: DatasetImportsRepository;
  let verifications: DatasetVerificationsRepository;
  let outbox: OutboxRepository;
  let userId: string;
  let datasetId: string;
  const ct = sampleBytes('CT_small.dcm');
  const stored: Stored[] = [];

  beforeAll(async () => {
    [db, s3, orthanc] = await Promise.all([createTestDatabase(), startTestObjectStore(), startTestOrthanc()]);
    ds = await createDataSource(db.appUrl).initialize();
    datasets = new DatasetsRepository(ds);
    imports = new DatasetImportsRepository(ds);
    verifications = new DatasetVerificationsRepository(ds);
    outbox = new OutboxRepository(ds);
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    userId = (await owner.query(`INSERT INTO users (username, display_name) VALUES ('vera', 'Vera') RETURNING id`)).rows[0].id;
    const projectId = (await owner.query(`INSERT INTO projects (slug, name) VALUES ('verified', 'Verified') RETURNING id`)).rows[0].id;
    await owner.end();
    const files: Buffer[] = [];
    for (let p = 0; p < 2; p++) {
      const patientId = `VERIFY-PAT-${p}`;
      const studyInstanceUid = newUid();
      const seriesInstanceUid = newUid();
      for (let i = 0; i < 3; i++) {
        const sopInstanceUid = newUid();
        const bytes = dicomVariant(ct, {
          patientId,
          studyInstanceUid,
          seriesInstanceUid,
          sopInstanceUid,
          seriesDescription: 'VerifiedCT',
        });
        files.push(bytes);
        stored.push({ patientId, studyInstanceUid, seriesInstanceUid, sopInstanceUid, sha256: sha(bytes) });
      }
    }
    expect((await orthanc.client.store(files)).failed ?? []).toEqual([]);
    datasetId = await ds.transaction(
      async (m) => (await datasets.createDataset(m, { projectId, name: 'verified', description: '', createdBy: userId })).id,
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

  async function importedVersion(copy: boolean): Promise<string> {
    const versionId = await ds.transaction(
      async (m) =>
        (
          await datasets.createVersion(m, {
            datasetId,
            parentId: null,
            splitSeed: 'seed',
            splitRatios: { train: 0.6, val: 0.2, test: 0.2 },
            stratifyByLabel: false,
            labelSet: [],
            source: { kind: 'pacs' },
            createdBy: userId,
          })
        ).id,
    );
    const query: PacsImportQuery = { modalities: ['CT'], seriesDescription: 'VerifiedCT' };
    const importId = await ds.transaction(async (m) => {
      const imp = await imports.create(m, { versionId, query, copy, createdBy: userId });
      await outbox.enqueue(m, parseJob('datasets.import-pacs', { v: 1, importId: imp.id }));
      return imp.id;
    });
    const imp = await waitFor('the import', async () => {
      const i = await imports.find(importId);
      return i && (i.status === 'done' || i.status === 'failed') ? i : null;
    });
    expect(imp).toMatchObject({ status: 'done', total: 6, done: 6, failed: 0 });
    return versionId;
  }

  /** What the API's verifyDatasetVersion does: the row and its job in one transaction. */
  async function verify(versionId: string): Promise<DatasetVerificationEntity> {
    const id = await ds.transaction(async (m) => {
      const { verification } = await verifications.createOrRunning(m, { versionId, createdBy: userId });
      await outbox.enqueue(m, parseJob('datasets.verify-version', { v: 1, verificationId: verification.id }));
      return verification.id;
    });
    return waitFor(
      'the verification to finish',
      async () => {
        const v = await verifications.find(id);
        return v && (v.status === 'done' || v.status === 'failed') ? v : null;
      },
      60000,
    );
  }

  const driftsOf = async (id: string) =>
    (await verifications.drifts(id, { first: 100 })).map(({ itemKey, kind, sopUid, objectKey, expectedSha256, actualSha256, reason }) => ({
      itemKey,
      kind,
      sopUid,
      objectKey,
      expectedSha256,
      actualSha256,
      reason,
    }));

  const driftEvents = async (versionId: string) =>
    (
      (await ds.query(`SELECT after FROM audit_events WHERE action = 'dataset_version.drift_detected' AND entity_id = $1 ORDER BY seq`, [
        versionId,
      ])) as { after: Record<string, unknown> }[]
    ).map((e) => e.after);

  /** Orthanc's REST API: the internal id of an instance, then DELETE. */
  async function deleteFromOrthanc(sopInstanceUid: string): Promise<void> {
    const found = (await (await fetch(`${orthanc.url}/tools/lookup`, { method: 'POST', body: sopInstanceUid })).json()) as {
      ID: string;
      Type: string;
    }[];
    const instance = found.find((f) => f.Type === 'Instance');
    expect(instance).toBeDefined();
    expect((await fetch(`${orthanc.url}/instances/${instance!.ID}`, { method: 'DELETE' })).status).toBe(200);
  }

  it('checks copied items against the datasets bucket: a rewritten object is changed, a removed one missing', async () => {
    const versionId = await importedVersion(true);
    const rows: { item_key: string; object_key: string; sha256: string }[] = await ds.query(
      `SELECT item_key, object_key, sha256 FROM dataset_items WHERE version_id = $1 ORDER BY item_key`,
      [versionId],
    );
    expect(rows).toHaveLength(6);
    expect((await verify(versionId)).ok).toBe(6);
    const [rewritten, removed] = [rows[0]!, rows[5]!];
    const other = Buffer.from('not the bytes that were imported');
    await s3.store.putObject('caliper-datasets', rewritten.object_key, other, { size: other.length });
    await s3.store.remove('caliper-datasets', removed.object_key);
    const v = await verify(versionId);
    expect(v).toMatchObject({ status: 'done', checked: 6, ok: 4, changed: 1, missing: 1, errors: 0 });
    expect(await driftsOf(v.id)).toEqual([
      {
        itemKey: rewritten.item_key,
        kind: 'changed',
        sopUid: rewritten.item_key,
        objectKey: rewritten.object_key,
        expectedSha256: rewritten.sha256,
        actualSha256: sha(other),
        reason: null,
      },
      {
        itemKey: removed.item_key,
        kind: 'missing',
        sopUid: removed.item_key,
        objectKey: removed.object_key,
        expectedSha256: removed.sha256,
        actualSha256: null,
        reason: `the object ${removed.object_key} is gone from the datasets bucket`,
      },
    ]);
  }, 120000);

  it('resumes after the last batch written, and a sealed version is verified without being written', async () => {
    const versionId = await importedVersion(true);
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    await owner.query(
      `UPDATE dataset_versions SET state = 'sealed', sealed_at = now(), manifest_sha256 = repeat('0', 64), deid_method = 'none' WHERE id = $1`,
      [versionId],
    );
    await owner.end();
    const keys: string[] = (await ds.query(`SELECT item_key FROM dataset_items WHERE version_id = $1 ORDER BY item_key`, [versionId])).map(
      (r: { item_key: string }) => r.item_key,
    );
    // A job that crashed after its first batch (here: after the first two items) carries on from the third.
    const id = await ds.transaction(async (m) => {
      const { verification } = await verifications.createOrRunning(m, { versionId, createdBy: userId });
      await verifications.recordBatch(m, verification.id, { lastKey: keys[1]!, ok: 2, drifts: [] });
      await outbox.enqueue(m, parseJob('datasets.verify-version', { v: 1, verificationId: verification.id }));
      return verification.id;
    });
    const v = await waitFor('the resumed verification', async () => {
      const r = await verifications.find(id);
      return r?.status === 'done' ? r : null;
    });
    expect(v).toMatchObject({ total: 6, checked: 6, ok: 6, lastKey: keys[5] });
    expect((await datasets.findVersion(versionId))!.state).toBe('sealed');
  }, 120000);

  // Last: it changes what Orthanc holds.
  it('finds no drift in a version just imported, then exactly the instance changed and the one deleted in Orthanc', async () => {
    const versionId = await importedVersion(false);
    const first = await verify(versionId);
    expect(first).toMatchObject({ status: 'done', total: 6, checked: 6, ok: 6, changed: 0, missing: 0, errors: 0, error: null });
    expect(await driftsOf(first.id)).toEqual([]);
    expect(await driftEvents(versionId)).toEqual([]);

    const [changed, deleted] = [stored[1]!, stored[4]!];
    const replacement = dicomVariant(ct, { ...changed, seriesDescription: 'VerifiedCT-resent' });
    const replacementSha = sha(replacement);
    expect(replacementSha).not.toBe(changed.sha256);
    await deleteFromOrthanc(changed.sopInstanceUid);
    expect((await orthanc.client.store([replacement])).failed ?? []).toEqual([]);
    await deleteFromOrthanc(deleted.sopInstanceUid);

    const second = await verify(versionId);
    expect(second).toMatchObject({ status: 'done', total: 6, checked: 6, ok: 4, changed: 1, missing: 1, errors: 0, error: null });
    expect(await driftsOf(second.id)).toEqual(
      [
        {
          itemKey: changed.sopInstanceUid,
          kind: 'changed',
          sopUid: changed.sopInstanceUid,
          objectKey: null,
          expectedSha256: changed.sha256,
          actualSha256: replacementSha,
          reason: null,
        },
        {
          itemKey: deleted.sopInstanceUid,
          kind: 'missing',
          sopUid: deleted.sopInstanceUid,
          objectKey: null,
          expectedSha256: deleted.sha256,
          actualSha256: null,
          reason: expect.stringMatching(/^the PACS has no such instance: GET .*404/),
        },
      ].sort((a, b) => a.itemKey.localeCompare(b.itemKey)),
    );
    expect(await driftEvents(versionId)).toEqual([
      expect.objectContaining({ verificationId: second.id, checked: 6, ok: 4, changed: 1, missing: 1, errors: 0 }),
    ]);
    // The first report is history: unchanged by the second.
    expect(await verifications.find(first.id)).toMatchObject({ checked: 6, ok: 6, changed: 0, missing: 0 });
    expect((await verifications.ofVersion(versionId, 10)).map((v) => v.id)).toEqual([second.id, first.id]);
  }, 120000);
});
