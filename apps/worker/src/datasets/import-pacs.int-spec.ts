/**
 * 'datasets.import-pacs' end to end on a real Orthanc loaded by STOW-RS with generated
 * multi-patient DICOM (5 patients × 2 CT series × 3 instances from CT_small, plus an MR study per
 * patient the query must not match), real PostgreSQL, Redis and S3: the import row is written with
 * its outbox job as the API does, the worker relays and runs it. The expected SOP UIDs and sha256s
 * are computed here from the bytes that were stored. A proxy in front of Orthanc cuts series
 * retrieves part-way, and then stops answering at all, for the import's failure paths.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { DatasetImportEntity, DatasetImportsRepository, DatasetsRepository, PacsImportQuery } from '@caliper/datasets';
import { parseJob } from '@caliper/jobs';
import { readDicomIdentity } from '@caliper/pacs';
import { dicomVariant, newUid, sampleBytes, startTestOrthanc, TestOrthanc } from '@caliper/pacs/testing';
import { createDataSource, OutboxRepository } from '@caliper/persistence';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { startTestObjectStore, TestObjectStore } from '@caliper/storage/testing';
import { startTestWorker, TestWorker, waitFor } from '../__tests__/worker-harness';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('datasets.import-pacs (worker in-process; real Orthanc, PostgreSQL, Redis, S3)', () => {
  let db: TestDatabase;
  let s3: TestObjectStore;
  let orthanc: TestOrthanc;
  let ds: DataSource;
  let worker: TestWorker | null = null;
  let datasets: DatasetsRepository;
  let imports: DatasetImportsRepository;
  let outbox: OutboxRepository;
  let userId: string;
  let projectId: string;
  /** SOP Instance UID → sha256 of the CT instances stored (what a CT query must import). */
  const expectedCt = new Map<string, string>();
  const mrSops: string[] = [];
  let datasetId: string;

  beforeAll(async () => {
    [db, s3, orthanc] = await Promise.all([createTestDatabase(), startTestObjectStore(), startTestOrthanc()]);
    ds = await createDataSource(db.appUrl).initialize();
    datasets = new DatasetsRepository(ds);
    imports = new DatasetImportsRepository(ds);
    outbox = new OutboxRepository(ds);
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    userId = (await owner.query(`INSERT INTO users (username, display_name) VALUES ('rita', 'Rita') RETURNING id`)).rows[0].id;
    projectId = (await owner.query(`INSERT INTO projects (slug, name) VALUES ('cohorts', 'Cohorts') RETURNING id`)).rows[0].id;
    await owner.end();
    const ct = sampleBytes('CT_small.dcm');
    const mr = sampleBytes('MR_small.dcm');
    const files: Buffer[] = [];
    for (let p = 0; p < 5; p++) {
      const patientId = `PACS-PAT-${p}`;
      const studyInstanceUid = newUid();
      for (let s = 0; s < 2; s++) {
        const seriesInstanceUid = newUid();
        for (let i = 0; i < 3; i++) {
          const bytes = dicomVariant(ct, { patientId, studyInstanceUid, seriesInstanceUid, seriesDescription: `CT series ${s}` });
          files.push(bytes);
        }
      }
      const mrStudy = newUid();
      for (let i = 0; i < 2; i++) files.push(dicomVariant(mr, { patientId, studyInstanceUid: mrStudy }));
    }
    for (const f of files) {
      const id = readDicomIdentity(f);
      if (id.modality === 'CT') expectedCt.set(id.sopInstanceUid, sha(f));
      else mrSops.push(id.sopInstanceUid);
    }
    const stored = await orthanc.client.store(files);
    expect(stored.failed ?? []).toEqual([]);
    await ds.transaction(async (m) => {
      datasetId = (await datasets.createDataset(m, { projectId, name: 'from-pacs', description: '', createdBy: userId })).id;
    });
  }, 120000);
  afterAll(async () => {
    await worker?.close();
    await ds?.destroy();
    await orthanc?.stop();
    await s3?.close();
    await db?.drop();
  });

  async function newDraft(): Promise<string> {
    return ds.transaction(async (m) => {
      const v = await datasets.createVersion(m, {
        datasetId,
        parentId: null,
        splitSeed: 'seed',
        splitRatios: { train: 0.6, val: 0.2, test: 0.2 },
        stratifyByLabel: false,
        labelSet: [],
        source: { kind: 'pacs' },
        createdBy: userId,
      });
      return v.id;
    });
  }

  /** What the API's importFromPacs does: the row and its job in one transaction. */
  async function requestImport(versionId: string, query: PacsImportQuery, copy: boolean): Promise<string> {
    return ds.transaction(async (m) => {
      const imp = await imports.create(m, { versionId, query, copy, createdBy: userId });
      await outbox.enqueue(m, parseJob('datasets.import-pacs', { v: 1, importId: imp.id }));
      return imp.id;
    });
  }

  const finished = (id: string, timeoutMs = 60000) =>
    waitFor(
      'the import to finish',
      async () => {
        const i = await imports.find(id);
        return i && (i.status === 'done' || i.status === 'failed') ? i : null;
      },
      timeoutMs,
    );

  async function items(versionId: string) {
    const rows: {
      item_key: string;
      sop_uid: string;
      sha256: string;
      object_key: string | null;
      patient_key: string;
      split: string | null;
      modality: string;
    }[] = await ds.query(
      `SELECT item_key, sop_uid, sha256, object_key, patient_key, split, modality FROM dataset_items WHERE version_id = $1`,
      [versionId],
    );
    return rows;
  }

  it('fails clearly, writing nothing, when the PACS does not answer', async () => {
    worker = await startTestWorker(db, s3, { PACS_DICOMWEB_URL: 'http://127.0.0.1:9/dicom-web' });
    const versionId = await newDraft();
    const id = await requestImport(versionId, { modalities: ['CT'] }, true);
    const imp = await finished(id);
    expect(imp.status).toBe('failed');
    expect(imp.error).toMatch(/The PACS could not be queried \(UNREACHABLE\).*127\.0\.0\.1:9.*Nothing was imported/);
    expect(await items(versionId)).toEqual([]);
    expect(await s3.store.list('caliper-datasets', `datasets/${datasetId}/`).catch(() => [])).toEqual([]);
    await worker.close();
    worker = null;
  }, 60000);

  it('imports exactly the matched instances by reference, with their sha256, patients pseudonymised and split', async () => {
    worker = await startTestWorker(db, s3, { PACS_DICOMWEB_URL: orthanc.dicomWebUrl });
    const versionId = await newDraft();
    const started = Date.now();
    const id = await requestImport(versionId, { modalities: ['CT'] }, false);
    const imp: DatasetImportEntity = await finished(id);
    const seconds = (Date.now() - started) / 1000;
    expect(imp).toMatchObject({ status: 'done', total: 30, done: 30, skipped: 0, failed: 0, error: null });
    const rows = await items(versionId);
    expect(new Map(rows.map((r) => [r.sop_uid, r.sha256]))).toEqual(expectedCt);
    expect(rows.every((r) => r.object_key === null && r.item_key === r.sop_uid && r.modality === 'CT' && r.split !== null)).toBe(true);
    expect(new Set(rows.map((r) => r.patient_key)).size).toBe(5);
    expect(rows.some((r) => r.patient_key.includes('PACS-PAT'))).toBe(false);
    for (const sop of mrSops) expect(rows.find((r) => r.sop_uid === sop)).toBeUndefined();
    const events: { after: { written: number; total: number } }[] = await ds.query(
      `SELECT after FROM audit_events WHERE action = 'dataset_import.finished' AND entity_id = $1`,
      [versionId],
    );
    expect(events.map((e) => e.after)).toEqual([expect.objectContaining({ total: 30, written: 30, failed: 0 })]);
    console.log(`import by reference: 30 instances in ${seconds.toFixed(2)} s (${(30 / seconds).toFixed(1)}/s, incl. relay)`);

    // A second import of the same query into the same draft skips everything (idempotent; what a retried or resumed job does).
    const again = await finished(await requestImport(versionId, { modalities: ['CT'] }, false));
    expect(again).toMatchObject({ status: 'done', total: 30, done: 30, skipped: 30, failed: 0 });
    expect((await items(versionId)).length).toBe(30);
  }, 90000);

  it('resumes a partly written import: only the missing instances are retrieved and written', async () => {
    const versionId = await newDraft();
    const first = await finished(await requestImport(versionId, { modalities: ['CT'], seriesDescription: 'CT*0' }, false));
    expect(first).toMatchObject({ status: 'done', total: 15, done: 15 });
    const all = await finished(await requestImport(versionId, { modalities: ['CT'] }, false));
    expect(all).toMatchObject({ status: 'done', total: 30, done: 30, skipped: 15, failed: 0 });
    expect(new Map((await items(versionId)).map((r) => [r.sop_uid, r.sha256]))).toEqual(expectedCt);
  }, 90000);

  it('copies each instance into the datasets bucket under its sha256, and the stored object hashes to it', async () => {
    const versionId = await newDraft();
    const imp = await finished(await requestImport(versionId, { modalities: ['CT'] }, true));
    expect(imp).toMatchObject({ status: 'done', total: 30, done: 30, failed: 0 });
    const rows = await items(versionId);
    expect(new Map(rows.map((r) => [r.sop_uid, r.sha256]))).toEqual(expectedCt);
    for (const r of rows) {
      expect(r.object_key).toBe(`datasets/${datasetId}/objects/${r.sha256}.dcm`);
      const chunks: Buffer[] = [];
      for await (const c of await s3.store.read('caliper-datasets', r.object_key!)) chunks.push(c as Buffer);
      expect(sha(Buffer.concat(chunks))).toBe(r.sha256);
    }
  }, 90000);

  it('imports instances larger than it holds in memory (spilled to a file, identified from their first bytes), copies included', async () => {
    // CT_small made an MG instance of 9 MiB: its Modality value rewritten, 9 MiB of Data Set Trailing Padding (FFFC,FFFC) after its pixel data.
    const series = { patientId: 'PACS-BIG', studyInstanceUid: newUid(), seriesInstanceUid: newUid() };
    const big = [0, 1].map(() => {
      const small = dicomVariant(sampleBytes('CT_small.dcm'), series);
      const modality = small.indexOf(Buffer.from([0x08, 0x00, 0x60, 0x00, 0x43, 0x53, 0x02, 0x00, 0x43, 0x54]));
      expect(modality).toBeGreaterThan(0);
      small.write('MG', modality + 8);
      const padding = Buffer.alloc(12 + 9 * 1024 * 1024);
      padding.write('\xfc\xff\xfc\xffOB', 0, 'latin1');
      padding.writeUInt32LE(9 * 1024 * 1024, 8);
      for (let i = 12; i < padding.length; i += 4096) padding.writeUInt32LE(i, i);
      return Buffer.concat([small, padding]);
    });
    expect((await orthanc.client.store(big)).failed ?? []).toEqual([]);
    const expected = new Map(big.map((b) => [readDicomIdentity(b).sopInstanceUid, sha(b)]));
    const versionId = await newDraft();
    const imp = await finished(await requestImport(versionId, { modalities: ['MG'] }, true));
    expect(imp).toMatchObject({ status: 'done', total: 2, done: 2, failed: 0 });
    const rows = await items(versionId);
    expect(new Map(rows.map((r) => [r.sop_uid, r.sha256]))).toEqual(expected);
    for (const r of rows) {
      expect(r.modality).toBe('MG');
      const hash = createHash('sha256');
      for await (const c of await s3.store.read('caliper-datasets', r.object_key!)) hash.update(c as Buffer);
      expect(hash.digest('hex')).toBe(r.sha256);
    }
  }, 90000);

  it('fails an import into a version sealed meanwhile, naming why', async () => {
    const versionId = await newDraft();
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    const id = await ds.transaction(
      async (m) => (await imports.create(m, { versionId, query: { modalities: ['CT'] }, copy: false, createdBy: userId })).id,
    );
    await owner.query(
      `UPDATE dataset_versions SET state = 'sealed', sealed_at = now(), manifest_sha256 = repeat('0', 64), deid_method = 'none' WHERE id = $1`,
      [versionId],
    );
    await owner.end();
    await ds.transaction((m) => outbox.enqueue(m, parseJob('datasets.import-pacs', { v: 1, importId: id })));
    const imp = await finished(id);
    expect(imp).toMatchObject({ status: 'failed', error: expect.stringMatching(/is sealed/) });
    expect(await items(versionId)).toEqual([]);
  }, 60000);
  describe('through a PACS that fails part-way', () => {
    /**
     * What the proxy does to series retrieves: pass them, spoil the first instance of each (its
     * "DICM" marker), cut each after its first instance, or cut one and then refuse everything.
     */
    let mode: 'pass' | 'spoil' | 'cut' | 'cutThenDown' = 'pass';
    let down = false;
    const requests: string[] = [];
    const sockets = new Set<Socket>();
    let proxy: http.Server;
    let proxyUrl: string;
    /** A series answer is cut here: past the first CT_small instance (39 kB with its part headers), inside the second. */
    const CUT_AT = 60_000;

    beforeAll(async () => {
      proxy = http.createServer((req, res) => {
        if (down) {
          req.socket.destroy();
          return;
        }
        const series = req.method === 'GET' && /\/series\/[^/?]+$/.test(req.url ?? '') && /multipart/.test(req.headers.accept ?? '');
        requests.push(series ? 'series' : /\/instances\/[^/?]+$/.test(req.url ?? '') ? 'instance' : 'query');
        const upstream = http.request(`${orthanc.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          if (!series || mode === 'pass') {
            answer.pipe(res);
            return;
          }
          if (mode === 'spoil') {
            let spoiled = false;
            answer.on('data', (chunk: Buffer) => {
              const at = spoiled ? -1 : chunk.indexOf('DICM');
              if (at >= 0) {
                chunk = Buffer.from(chunk);
                chunk.write('NOPE', at);
                spoiled = true;
              }
              res.write(chunk);
            });
            answer.on('end', () => res.end());
            return;
          }
          let sent = 0;
          answer.on('data', (chunk: Buffer) => {
            if (sent + chunk.length <= CUT_AT) {
              sent += chunk.length;
              res.write(chunk);
              return;
            }
            res.write(chunk.subarray(0, CUT_AT - sent), () => {
              answer.destroy();
              res.socket?.destroy();
              if (mode === 'cutThenDown') {
                down = true;
                for (const s of sockets) s.destroy();
              }
            });
            sent = CUT_AT + 1;
          });
          answer.on('end', () => res.end());
        });
        req.pipe(upstream);
      });
      proxy.on('connection', (socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/dicom-web`;
      await worker?.close();
      worker = await startTestWorker(db, s3, { PACS_DICOMWEB_URL: proxyUrl });
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => proxy?.close(resolve));
    });

    it('keeps what a cut series retrieve delivered and retrieves the rest of the series instance by instance', async () => {
      mode = 'cut';
      requests.length = 0;
      const versionId = await newDraft();
      const imp = await finished(await requestImport(versionId, { modalities: ['CT'] }, false));
      expect(imp).toMatchObject({ status: 'done', total: 30, done: 30, skipped: 0, failed: 0, error: null });
      expect(new Map((await items(versionId)).map((r) => [r.sop_uid, r.sha256]))).toEqual(expectedCt);
      // Ten series retrieves, each cut after its first instance; the other two of each series came alone.
      expect(requests.filter((r) => r === 'series')).toHaveLength(10);
      expect(requests.filter((r) => r === 'instance')).toHaveLength(20);
    }, 90000);

    it('retrieves alone an instance of a series answer that cannot be identified', async () => {
      mode = 'spoil';
      requests.length = 0;
      const versionId = await newDraft();
      const imp = await finished(await requestImport(versionId, { modalities: ['CT'] }, false));
      expect(imp).toMatchObject({ status: 'done', total: 30, done: 30, failed: 0 });
      expect(new Map((await items(versionId)).map((r) => [r.sop_uid, r.sha256]))).toEqual(expectedCt);
      expect(requests.filter((r) => r === 'series')).toHaveLength(10);
      expect(requests.filter((r) => r === 'instance')).toHaveLength(10);
    }, 90000);

    it('fails an import whose PACS stops answering part-way, keeping whole items only; a re-run completes it', async () => {
      mode = 'cutThenDown';
      const versionId = await newDraft();
      const imp = await finished(await requestImport(versionId, { modalities: ['CT'] }, false));
      expect(imp.status).toBe('failed');
      expect(imp.error).toMatch(
        /^The PACS stopped answering while series [\d.]+ was imported: its retrieve failed \(.+\), then listing its instances failed \(UNREACHABLE\)/,
      );
      // What came whole before the PACS went is written, each item as stored; nothing else.
      const kept = await items(versionId);
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.length).toBeLessThan(30);
      for (const r of kept) expect(expectedCt.get(r.sop_uid)).toBe(r.sha256);
      expect(imp.done).toBe(kept.length);

      mode = 'pass';
      down = false;
      const again = await finished(await requestImport(versionId, { modalities: ['CT'] }, false));
      expect(again).toMatchObject({ status: 'done', total: 30, done: 30, skipped: kept.length, failed: 0 });
      expect(new Map((await items(versionId)).map((r) => [r.sop_uid, r.sha256]))).toEqual(expectedCt);
    }, 90000);
  });
});
