/**
 * @jest-environment ./tools/testing/onnx-environment.js
 */
/**
 * 'registry.validate-version' end to end on real PostgreSQL, Redis and S3, with the tiny ONNX
 * models tools/models/make_test_models.py exported with PyTorch: a version is written as
 * ModelVersionsService.createVersion writes it (version, pinned file, pending validation and the
 * outbox job in one transaction) and the worker in this process records the outcome.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { ModelSpec } from '@caliper/domain';
import { parseJob } from '@caliper/jobs';
import {
  createDataSource,
  ModelVersionValidationEntity,
  OutboxRepository,
  RegistryRepository,
  RunArtifactObject,
} from '@caliper/persistence';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { startTestObjectStore, TestObjectStore } from '@caliper/storage/testing';
import { startTestWorker, TestWorker, waitFor } from '../__tests__/worker-harness';
import { ValidateVersionJob } from './validate-version.job';

const MODELS = join(__dirname, '../../../../tools/models/test-models');
const model = (name: string) => readFileSync(join(MODELS, name));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const BUCKET = 'caliper-artifacts-test';

const segSpec: ModelSpec = {
  taskType: 'segmentation',
  preprocessing: {
    window: { center: 40, width: 400 },
    spacing: [1, 1],
    size: [64, 64],
    normalisation: { kind: 'minmax', min: -160, max: 240 },
  },
  postprocessing: { threshold: 0.5, labels: ['background', 'lesion'] },
};
const clsSpec: ModelSpec = {
  taskType: 'classification',
  preprocessing: { normalisation: { kind: 'zscore', mean: 0, std: 1 } },
  postprocessing: { labels: ['normal', 'benign', 'malignant'] },
};

describe('registry.validate-version (worker in-process; real PostgreSQL, Redis, S3, onnxruntime-node)', () => {
  let db: TestDatabase;
  let s3: TestObjectStore;
  let ds: DataSource;
  let worker: TestWorker;
  let registry: RegistryRepository;
  let outbox: OutboxRepository;
  let owner: Client;
  let userId: string;
  let projectId: string;
  let n = 0;

  beforeAll(async () => {
    [db, s3] = await Promise.all([createTestDatabase(), startTestObjectStore()]);
    ds = await createDataSource(db.appUrl).initialize();
    registry = new RegistryRepository(ds);
    outbox = new OutboxRepository(ds);
    await s3.store.ensureBucket(BUCKET);
    owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    userId = (await owner.query(`INSERT INTO users (username, display_name) VALUES ('mona', 'Mona') RETURNING id`)).rows[0].id;
    projectId = (await owner.query(`INSERT INTO projects (slug, name) VALUES ('models', 'Models') RETURNING id`)).rows[0].id;
    worker = await startTestWorker(db, s3);
  }, 120000);
  afterAll(async () => {
    await worker?.close();
    await owner?.end();
    await ds?.destroy();
    await s3?.close();
    await db?.drop();
  });

  /** What the API's createVersion writes, for one file stored under `path` (or none). */
  async function register(files: { path: string; bytes: Buffer }[], spec: ModelSpec | null, pinnedSha?: string): Promise<string> {
    n++;
    const stored: RunArtifactObject[] = [];
    for (const f of files) {
      const objectKey = `objects/${n}/${f.path}`;
      await s3.store.putObject(BUCKET, objectKey, f.bytes, { size: f.bytes.length });
      stored.push({ path: f.path, bucket: BUCKET, objectKey, size: f.bytes.length, sha256: pinnedSha ?? sha(f.bytes) });
    }
    return ds.transaction(async (m) => {
      const now = Date.now();
      const rm = await registry.createModel(m, { projectId, name: `model-${n}`, description: null, now });
      const v = await registry.createVersion(m, {
        registeredModelId: rm.id,
        version: 1,
        source: `external://model-${n}`,
        runId: null,
        artifactPath: files.length ? 'model' : null,
        artifactDigest: null,
        currentStage: 'none',
        description: '',
        runLink: '',
        userId,
        creationTime: now,
        lastUpdatedTime: now,
      });
      await registry.pinFiles(m, v.id, stored);
      await registry.createValidation(m, v.id, spec);
      await outbox.enqueue(m, parseJob('registry.validate-version', { v: 1, modelVersionId: v.id }));
      return v.id;
    });
  }

  const validated = (id: string) =>
    waitFor(
      'the validation',
      async () => {
        const v = await registry.findValidation(id);
        return v && v.status !== 'pending' ? v : null;
      },
      30000,
    );

  const auditOf = async (id: string) =>
    (
      (await ds.query(`SELECT after FROM audit_events WHERE action = 'model_version.validated' AND entity_id = $1`, [id])) as {
        after: Record<string, unknown>;
      }[]
    ).map((e) => e.after);

  it('records a segmentation model: sha256 of the bytes, opset 17, the io signature and the spec', async () => {
    const bytes = model('seg2d.onnx');
    const id = await register([{ path: 'model/seg2d.onnx', bytes }], segSpec);
    const v = await validated(id);
    expect(v).toMatchObject<Partial<ModelVersionValidationEntity>>({
      status: 'valid',
      reason: null,
      filePath: 'model/seg2d.onnx',
      sha256: sha(bytes),
      opset: 17,
      inputs: [{ name: 'image', dtype: 'float32', shape: ['batch', 1, 64, 64] }],
      outputs: [{ name: 'logits', dtype: 'float32', shape: ['batch', 2, 64, 64] }],
      taskType: 'segmentation',
      spec: { preprocessing: segSpec.preprocessing, postprocessing: segSpec.postprocessing },
    });
    expect(v.validatedAt).toBeInstanceOf(Date);
    expect(await auditOf(id)).toEqual([
      expect.objectContaining({
        status: 'valid',
        sha256: sha(bytes),
        opset: 17,
        model: `model-${n}`,
        version: 1,
        taskType: 'segmentation',
      }),
    ]);
  });

  it('records a classifier among other files (the only .onnx one), with a static input shape', async () => {
    const bytes = model('classifier.onnx');
    const id = await register(
      [
        { path: 'model/MLmodel', bytes: Buffer.from('flavors: {onnx: {}}\n') },
        { path: 'model/classifier.onnx', bytes },
      ],
      clsSpec,
    );
    expect(await validated(id)).toMatchObject({
      status: 'valid',
      filePath: 'model/classifier.onnx',
      opset: 17,
      inputs: [{ name: 'image', dtype: 'float32', shape: [1, 1, 64, 64] }],
      outputs: [{ name: 'logits', dtype: 'float32', shape: [1, 3] }],
    });
  });

  it('finds a truncated model invalid, saying onnxruntime could not load it', async () => {
    const bytes = model('truncated.onnx');
    const id = await register([{ path: 'model/model.onnx', bytes }], null);
    const v = await validated(id);
    expect(v).toMatchObject({ status: 'invalid', sha256: sha(bytes), opset: null, inputs: null, outputs: null });
    expect(v.reason).toMatch(/^model\/model\.onnx: (onnxruntime could not load the model|The file is not an ONNX model)/);
    expect(await auditOf(id)).toEqual([expect.objectContaining({ status: 'invalid', reason: v.reason })]);
  });

  it('finds a file that is not ONNX invalid', async () => {
    const id = await register(
      [{ path: 'model/weights.pt', bytes: Buffer.from('PK\u0003\u0004 a pickled torch state dict, not ONNX') }],
      null,
    );
    const v = await validated(id);
    expect(v.status).toBe('invalid');
    expect(v.reason).toMatch(/^model\/weights\.pt: /);
  });

  it('finds a model whose outputs do not fit the spec invalid, keeping the signature it read', async () => {
    const id = await register([{ path: 'model/seg2d.onnx', bytes: model('seg2d.onnx') }], {
      ...segSpec,
      postprocessing: { labels: ['background', 'liver', 'tumour'] },
    });
    const v = await validated(id);
    expect(v).toMatchObject({ status: 'invalid', opset: 17, inputs: [{ name: 'image' }] });
    expect(v.reason).toBe('The spec names 3 label(s), but the segmentation output logits has 2 channel(s) on axis 1.');
  });

  it('finds bytes other than those pinned at registration invalid (a tampered object)', async () => {
    const bytes = model('seg2d.onnx');
    const id = await register([{ path: 'model/seg2d.onnx', bytes }], null, 'a'.repeat(64));
    const v = await validated(id);
    expect(v).toMatchObject({ status: 'invalid', sha256: sha(bytes), opset: null });
    expect(v.reason).toBe(`model/seg2d.onnx in the store has sha256 ${sha(bytes)}, not the ${'a'.repeat(64)} pinned at registration.`);
  });

  it('finds a version without files, or with several .onnx files, invalid with the reason', async () => {
    const none = await validated(await register([], null));
    expect(none.reason).toMatch(/pins no files/);
    const two = await validated(
      await register(
        [
          { path: 'model/a.onnx', bytes: model('seg2d.onnx') },
          { path: 'model/b.onnx', bytes: model('classifier.onnx') },
        ],
        null,
      ),
    );
    expect(two.reason).toBe('The version pins 2 .onnx files (model/a.onnx, model/b.onnx); register the one to validate.');
  });

  it('keeps a validated version immutable: the validation, the version and its pinned files refuse changes', async () => {
    const id = await register([{ path: 'model/seg2d.onnx', bytes: model('seg2d.onnx') }], segSpec);
    await validated(id);
    await expect(
      ds.query(`UPDATE model_version_validations SET status = 'invalid', reason = 'x' WHERE model_version_id = $1`, [id]),
    ).rejects.toThrow(/is validated \(valid\): its validation cannot change/);
    await expect(ds.query(`UPDATE model_version_validations SET sha256 = 'x' WHERE model_version_id = $1`, [id])).rejects.toThrow(
      /cannot change/,
    );
    await expect(ds.query(`DELETE FROM model_version_validations WHERE model_version_id = $1`, [id])).rejects.toThrow(/permission denied/);
    await expect(ds.query(`UPDATE model_versions SET source = 'elsewhere' WHERE id = $1`, [id])).rejects.toThrow(/is immutable/);
    await expect(ds.query(`UPDATE model_version_files SET sha256 = 'x' WHERE model_version_id = $1`, [id])).rejects.toThrow(
      /permission denied/,
    );
    await expect(ds.query(`DELETE FROM model_version_files WHERE model_version_id = $1`, [id])).rejects.toThrow(/permission denied/);
    // What may change still does (description, stage: the registry's own columns).
    await ds.query(`UPDATE model_versions SET description = 'checked', current_stage = 'staging' WHERE id = $1`, [id]);
    // A second run of the job leaves the first outcome.
    expect(await worker.app.get(ValidateVersionJob).run({ v: 1, modelVersionId: id })).toEqual({
      outcome: 'skipped',
      detail: { reason: 'already valid', modelVersionId: id },
    });
    expect((await registry.findValidation(id))!.status).toBe('valid');
    expect(await auditOf(id)).toHaveLength(1);
  });
});
