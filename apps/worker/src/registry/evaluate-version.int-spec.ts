/**
 * @jest-environment ./tools/testing/onnx-environment.js
 */
/**
 * 'registry.evaluate-version' on real PostgreSQL and S3 with onnxruntime-node: versions registered
 * and validated as the registry does it (ValidateVersionJob on the stored bytes), a promotion request
 * and its evaluation written through PromotionRepository as the API writes them, and sealed test
 * sets of real DICOM slices with PNG masks or labels. The models have fixed weights whose outputs
 * are known (tools/models/make_test_models.py: seg_threshold marks a pixel lesion when its windowed
 * value is above 0.5; cls_mean gives a positive probability rising with the image's mean), so the
 * expected metrics below are worked out by hand.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { AcceptanceCriterion, ModelSpec, PromotionPolicy } from '@caliper/domain';
import { AuditRepository, createDataSource, PromotionRepository, RegistryRepository } from '@caliper/persistence';
import { createTestDatabase, registerExternalVersion, TestDatabase } from '@caliper/persistence/testing';
import { startTestObjectStore, TestObjectStore } from '@caliper/storage/testing';
import { EvaluateVersionJob } from './evaluate-version.job';
import { createSealedEvaluationDataset, ctSlice, EvaluationItem, pngMask } from '@caliper/datasets/testing';
import { ValidateVersionJob } from './validate-version.job';

const MODELS = join(__dirname, '../../../../tools/models/test-models');
const model = (name: string) => readFileSync(join(MODELS, name));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const ARTIFACTS = 'caliper-artifacts-test';
const DATASETS = 'caliper-datasets-test';

/** Window 40/400: HU 0 -> 0.4 (background), HU 100 -> 0.65 (lesion to seg_threshold). */
const segSpec: ModelSpec = {
  taskType: 'segmentation',
  preprocessing: { window: { center: 40, width: 400 }, size: [64, 64] },
  postprocessing: { threshold: 0.5, labels: ['background', 'lesion'] },
};
const clsSpec: ModelSpec = {
  taskType: 'classification',
  preprocessing: { window: { center: 40, width: 400 }, size: [64, 64] },
  postprocessing: { labels: ['normal', 'abnormal'] },
};

const inSquare = (x: number, y: number, x0: number, y0: number, side: number) => x >= x0 && x < x0 + side && y >= y0 && y < y0 + side;

/**
 * Four test slices with known overlap, plus two training slices that must not count:
 * A (128×128, resized to 64): lesion and mask the same 32-pixel square: Dice 1, IoU 1.
 * B: lesion at (16,16) 16×16, mask at (20,16) 16×16: overlap 12×16 = 192; Dice 384/512 = 0.75, IoU 192/320 = 0.6.
 * C: no lesion, empty mask: Dice 1, IoU 1 (nothing to find, nothing found).
 * D: lesion at (0,0) 8×8, mask at (40,40) 8×8: Dice 0, IoU 0.
 * Mean: Dice (1 + 0.75 + 1 + 0) / 4 = 0.6875, IoU (1 + 0.6 + 1 + 0) / 4 = 0.65.
 */
function segmentationItems(): EvaluationItem[] {
  const slice = (size: number, lesion: (x: number, y: number) => boolean) => ctSlice(size, size, (x, y) => (lesion(x, y) ? 100 : 0));
  const bad = { dicom: slice(64, () => true), mask: pngMask(64, 64, () => 0) }; // Dice 0 if it counted
  return [
    { dicom: slice(128, (x, y) => inSquare(x, y, 32, 32, 32)), mask: pngMask(128, 128, (x, y) => (inSquare(x, y, 32, 32, 32) ? 255 : 0)) },
    { dicom: slice(64, (x, y) => inSquare(x, y, 16, 16, 16)), mask: pngMask(64, 64, (x, y) => (inSquare(x, y, 20, 16, 16) ? 1 : 0)) },
    { dicom: slice(64, () => false), mask: pngMask(64, 64, () => 0) },
    { dicom: slice(64, (x, y) => inSquare(x, y, 0, 0, 8)), mask: pngMask(64, 64, (x, y) => (inSquare(x, y, 40, 40, 8) ? 255 : 0)) },
    { ...bad, split: 'train' },
    { ...bad, split: 'val' },
  ];
}

/**
 * Uniform slices: mean windowed value m = (HU + 160) / 400, positive probability sigmoid(40 (m - 0.5)).
 * HU 100 (p 0.9975, abnormal), 60 (0.881, normal), 0 (0.018, normal), 30 (0.269, abnormal), 80 (0.982, abnormal).
 * At 0.5: TP 2, FN 1 (HU 30), TN 1, FP 1 (HU 60): sensitivity 2/3, specificity 1/2, accuracy 3/5.
 * AUC: 0.9975 and 0.982 beat both negatives, 0.269 beats 0.018 only: 5 of 6.
 */
function classificationItems(): EvaluationItem[] {
  return (
    [
      [100, 'abnormal'],
      [60, 'normal'],
      [0, 'normal'],
      [30, 'abnormal'],
      [80, 'abnormal'],
    ] as const
  ).map(([hu, label]) => ({ dicom: ctSlice(64, 64, () => hu), label }));
}

describe('registry.evaluate-version (real PostgreSQL, S3, onnxruntime-node)', () => {
  let db: TestDatabase;
  let s3: TestObjectStore;
  let ds: DataSource;
  let owner: Client;
  let registry: RegistryRepository;
  let promotion: PromotionRepository;
  let job: EvaluateVersionJob;
  let userId: string;
  let projectId: string;
  let segData: { versionId: string; manifestSha256: string };
  let n = 0;

  beforeAll(async () => {
    [db, s3] = await Promise.all([createTestDatabase(), startTestObjectStore()]);
    ds = await createDataSource(db.appUrl).initialize();
    registry = new RegistryRepository(ds);
    promotion = new PromotionRepository(ds);
    const audit = new AuditRepository(ds);
    await s3.store.ensureBucket(ARTIFACTS);
    await s3.store.ensureBucket(DATASETS);
    owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    userId = (await owner.query(`INSERT INTO users (username, display_name) VALUES ('pia', 'Pia PI') RETURNING id`)).rows[0].id;
    projectId = (await owner.query(`INSERT INTO projects (slug, name) VALUES ('liver', 'Liver') RETURNING id`)).rows[0].id;
    job = new EvaluateVersionJob(ds, registry, promotion, audit, s3.store, { S3_BUCKET_DATASETS: DATASETS });
    const data = await createSealedEvaluationDataset(ds, s3.store, {
      bucket: DATASETS,
      projectId,
      userId,
      name: 'liver-ct',
      items: segmentationItems(),
    });
    segData = data;
  }, 120000);
  afterAll(async () => {
    await owner?.end();
    await ds?.destroy();
    await s3?.close();
    await db?.drop();
  });

  /** A version of `file` registered and validated as the registry does it; returns its id and the stored object. */
  async function validVersion(file: string, spec: ModelSpec) {
    n++;
    const bytes = model(file);
    const objectKey = `objects/${n}/model/${file}`;
    await s3.store.putObject(ARTIFACTS, objectKey, bytes, { size: bytes.length });
    const v = await registerExternalVersion(ds, {
      projectId,
      userId,
      name: `model-${n}`,
      files: [{ path: `model/${file}`, bucket: ARTIFACTS, objectKey, size: bytes.length, sha256: sha(bytes) }],
      spec,
    });
    await new ValidateVersionJob(ds, registry, new AuditRepository(ds), s3.store).run({ v: 1, modelVersionId: v.id });
    expect((await registry.findValidation(v.id))?.status).toBe('valid');
    return { id: v.id, modelId: v.registeredModelId, objectKey, bytes };
  }

  /** What the API writes when a clinical promotion is requested with an evaluation gate. */
  async function requestPromotion(
    version: { id: string; modelId: string },
    datasetVersionId: string,
    acceptance: AcceptanceCriterion[],
    taskType: ModelSpec['taskType'],
  ) {
    const policy: PromotionPolicy = {
      stage: 'clinical',
      requiredRoles: ['pi', 'clinical_approver', 'qa'],
      requiredSignatures: 3,
      testDatasetVersionId: datasetVersionId,
      acceptance,
      requireCard: true,
    };
    return ds.transaction(async (m) => {
      const request = await promotion.createRequest(m, {
        registeredModelId: version.modelId,
        modelVersionId: version.id,
        fromStage: 'none',
        targetStage: 'clinical',
        kind: 'promotion',
        reason: 'first clinical use',
        requestedBy: userId,
        status: 'evaluating',
        policy,
        gates: [
          { gate: 'onnx_validation', status: 'passed', detail: 'ONNX validation passed.' },
          { gate: 'model_card', status: 'passed', detail: 'The model card is complete.' },
          { gate: 'evaluation', status: 'pending', detail: 'Evaluation queued.' },
        ],
      });
      const evaluation = await promotion.createEvaluation(m, {
        requestId: request.id,
        modelVersionId: version.id,
        datasetVersionId,
        criteria: acceptance,
        taskType,
      });
      return { requestId: request.id, evaluationId: evaluation.id };
    });
  }

  const auditOf = async (action: string, entityId: string) =>
    (
      (await ds.query(`SELECT after FROM audit_events WHERE action = $1 AND entity_id = $2 ORDER BY seq`, [action, entityId])) as {
        after: Record<string, unknown>;
      }[]
    ).map((e) => e.after);

  it('scores two labels by their arg max when the spec sets no threshold (the same masks as threshold 0.5 on these logits)', async () => {
    const v = await validVersion('seg_threshold.onnx', { ...segSpec, postprocessing: { labels: segSpec.postprocessing.labels } });
    const { evaluationId } = await requestPromotion(v, segData.versionId, [{ metric: 'dice', op: '>=', threshold: 0.9 }], 'segmentation');
    expect(await job.run({ v: 1, evaluationId })).toMatchObject({ outcome: 'done', detail: { status: 'failed', itemCount: 4 } });
    const ev = (await promotion.evaluation(evaluationId))!;
    expect(ev.metrics!.dice).toBeCloseTo(0.6875, 6);
    expect(ev.metrics!.iou).toBeCloseTo(0.65, 6);
    expect((ev.results!.items as { iou: number }[]).map((i) => i.iou)).toEqual([1, 0.6, 1, 0].map((d) => expect.closeTo(d, 6)));
  });

  it('passes a segmentation model whose Dice and IoU meet the criteria: the request awaits signatures with its content hash', async () => {
    const v = await validVersion('seg_threshold.onnx', segSpec);
    const criteria: AcceptanceCriterion[] = [
      { metric: 'dice', op: '>=', threshold: 0.6 },
      { metric: 'iou', op: '>=', threshold: 0.6 },
    ];
    const { requestId, evaluationId } = await requestPromotion(v, segData.versionId, criteria, 'segmentation');
    const result = await job.run({ v: 1, evaluationId });
    expect(result).toMatchObject({ outcome: 'done', detail: { status: 'passed', itemCount: 4 } });

    const ev = (await promotion.evaluation(evaluationId))!;
    expect(ev).toMatchObject({
      status: 'passed',
      itemCount: 4,
      modelSha256: sha(v.bytes),
      manifestSha256: segData.manifestSha256,
      reason: null,
    });
    expect(ev.metrics!.dice).toBeCloseTo(0.6875, 6);
    expect(ev.metrics!.iou).toBeCloseTo(0.65, 6);
    expect(ev.results!.criteria).toEqual([
      { metric: 'dice', op: '>=', threshold: 0.6, value: expect.closeTo(0.6875, 6), passed: true },
      { metric: 'iou', op: '>=', threshold: 0.6, value: expect.closeTo(0.65, 6), passed: true },
    ]);
    expect((ev.results!.items as { dice: number }[]).map((i) => i.dice)).toEqual([1, 0.75, 1, 0].map((d) => expect.closeTo(d, 6)));
    expect(ev.startedAt).toBeInstanceOf(Date);
    expect(ev.finishedAt).toBeInstanceOf(Date);

    const request = (await promotion.request(requestId))!;
    expect(request.status).toBe('awaiting_signatures');
    expect(request.contentSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(request.gates).toEqual([
      { gate: 'onnx_validation', status: 'passed', detail: 'ONNX validation passed.' },
      { gate: 'model_card', status: 'passed', detail: 'The model card is complete.' },
      {
        gate: 'evaluation',
        status: 'passed',
        detail: `Dice 0.688 ≥ 0.6, IoU 0.650 ≥ 0.6 on 4 test items of liver-ct v1 (manifest ${segData.manifestSha256.slice(0, 8)}…).`,
      },
    ]);
    expect(await auditOf('evaluation.finished', evaluationId)).toEqual([
      expect.objectContaining({ status: 'passed', promotionRequestId: requestId, itemCount: 4, modelSha256: sha(v.bytes) }),
    ]);
    expect(await auditOf('promotion.gates_passed', requestId)).toEqual([
      expect.objectContaining({ status: 'awaiting_signatures', contentSha256: request.contentSha256 }),
    ]);

    // A rerun of the finished job changes nothing: the evaluation, the request and the audit trail stay as they are.
    const events = await ds.query(`SELECT count(*)::int AS n FROM audit_events`);
    expect(await job.run({ v: 1, evaluationId })).toEqual({
      outcome: 'skipped',
      detail: { reason: 'evaluation already passed', evaluationId },
    });
    expect(await promotion.evaluation(evaluationId)).toEqual(ev);
    expect(await promotion.request(requestId)).toEqual(request);
    expect(await ds.query(`SELECT count(*)::int AS n FROM audit_events`)).toEqual(events);
    await expect(ds.query(`UPDATE model_evaluations SET status = 'failed' WHERE id = $1`, [evaluationId])).rejects.toThrow(
      /a finished evaluation cannot change/,
    );
  });

  it('fails a model short of a criterion: the request ends gate_failed, the reason naming the metric and its value', async () => {
    const v = await validVersion('seg_threshold.onnx', segSpec);
    const { requestId, evaluationId } = await requestPromotion(
      v,
      segData.versionId,
      [
        { metric: 'dice', op: '>=', threshold: 0.7 },
        { metric: 'iou', op: '>=', threshold: 0.5 },
      ],
      'segmentation',
    );
    await job.run({ v: 1, evaluationId });
    const ev = (await promotion.evaluation(evaluationId))!;
    expect(ev.status).toBe('failed');
    expect(ev.reason).toBe('Dice 0.688, short of ≥ 0.7.');
    const request = (await promotion.request(requestId))!;
    const detail = `Failed: Dice 0.688, short of ≥ 0.7, IoU 0.650 ≥ 0.5 on 4 test items of liver-ct v1 (manifest ${segData.manifestSha256.slice(0, 8)}…); Dice below the acceptance criteria.`;
    expect(request).toMatchObject({ status: 'gate_failed', contentSha256: null, decisionReason: detail });
    expect(request.gates[2]).toEqual({ gate: 'evaluation', status: 'failed', detail });
    expect(await auditOf('promotion.gates_failed', requestId)).toHaveLength(1);
  });

  it('scores a binary classifier: AUC, sensitivity, specificity and accuracy at the threshold', async () => {
    const v = await validVersion('cls_mean.onnx', clsSpec);
    const data = await createSealedEvaluationDataset(ds, s3.store, {
      bucket: DATASETS,
      projectId,
      userId,
      name: 'chest-cls',
      items: classificationItems(),
    });
    const { requestId, evaluationId } = await requestPromotion(
      v,
      data.versionId,
      [
        { metric: 'auc', op: '>=', threshold: 0.8 },
        { metric: 'sensitivity', op: '>=', threshold: 0.6 },
      ],
      'classification',
    );
    await job.run({ v: 1, evaluationId });
    const ev = (await promotion.evaluation(evaluationId))!;
    expect(ev.status).toBe('passed');
    expect(ev.metrics).toEqual({
      auc: expect.closeTo(5 / 6, 9),
      sensitivity: expect.closeTo(2 / 3, 9),
      specificity: expect.closeTo(1 / 2, 9),
      accuracy: expect.closeTo(3 / 5, 9),
    });
    expect(ev.results!.confusion).toEqual([
      [1, 1],
      [1, 2],
    ]);
    expect((await promotion.request(requestId))!.status).toBe('awaiting_signatures');
  });

  it('catches a tampered model object: error naming the file and both hashes, gate failed, integrity_failed audited', async () => {
    const v = await validVersion('seg_threshold.onnx', segSpec);
    const { requestId, evaluationId } = await requestPromotion(
      v,
      segData.versionId,
      [{ metric: 'dice', op: '>=', threshold: 0.5 }],
      'segmentation',
    );
    const other = model('seg2d.onnx');
    await s3.store.putObject(ARTIFACTS, v.objectKey, other, { size: other.length });
    await job.run({ v: 1, evaluationId });
    const reason = `model/seg_threshold.onnx in the store has sha256 ${sha(other)}, not the ${sha(v.bytes)} pinned at registration; the model was not evaluated.`;
    expect(await promotion.evaluation(evaluationId)).toMatchObject({ status: 'error', reason, metrics: null, modelSha256: sha(other) });
    expect(await promotion.request(requestId)).toMatchObject({
      status: 'gate_failed',
      decisionReason: `The evaluation could not be completed: ${reason}`,
    });
    expect(await auditOf('model_version.integrity_failed', v.id)).toEqual([
      expect.objectContaining({ file: 'model/seg_threshold.onnx', pinned: sha(v.bytes), found: sha(other), evaluationId }),
    ]);
  });

  it('ends as an error when the sealed version has no test items', async () => {
    const v = await validVersion('seg_threshold.onnx', segSpec);
    const data = await createSealedEvaluationDataset(ds, s3.store, {
      bucket: DATASETS,
      projectId,
      userId,
      name: 'no-test-split',
      items: segmentationItems().map((i) => ({ ...i, split: 'train' as const })),
    });
    const { requestId, evaluationId } = await requestPromotion(
      v,
      data.versionId,
      [{ metric: 'dice', op: '>=', threshold: 0.5 }],
      'segmentation',
    );
    await job.run({ v: 1, evaluationId });
    expect(await promotion.evaluation(evaluationId)).toMatchObject({
      status: 'error',
      itemCount: 0,
      reason: 'the test dataset no-test-split v1 has no items in its test split, so there is nothing to evaluate on.',
    });
    expect((await promotion.request(requestId))!.status).toBe('gate_failed');
  });

  it('ends as an error naming the item whose DICOM object changed in the store, and refuses a draft dataset', async () => {
    const v = await validVersion('seg_threshold.onnx', segSpec);
    const data = await createSealedEvaluationDataset(ds, s3.store, {
      bucket: DATASETS,
      projectId,
      userId,
      name: 'drifted',
      items: segmentationItems().slice(0, 3),
    });
    const changed = ctSlice(64, 64, () => 500);
    await s3.store.putObject(DATASETS, data.items[1]!.objectKey, changed, { size: changed.length });
    const first = await requestPromotion(v, data.versionId, [{ metric: 'dice', op: '>=', threshold: 0.5 }], 'segmentation');
    await job.run({ v: 1, evaluationId: first.evaluationId });
    expect(await promotion.evaluation(first.evaluationId)).toMatchObject({
      status: 'error',
      reason: `test item item-00001: its DICOM object ${data.items[1]!.objectKey} has sha256 ${sha(changed)}, not the ${data.items[1]!.sha256} recorded in the sealed version.`,
    });

    const v2 = await validVersion('seg_threshold.onnx', segSpec);
    const draft = await createSealedEvaluationDataset(ds, s3.store, {
      bucket: DATASETS,
      projectId,
      userId,
      name: 'still-a-draft',
      items: segmentationItems().slice(0, 2),
      sealed: false,
    });
    const second = await requestPromotion(v2, draft.versionId, [{ metric: 'dice', op: '>=', threshold: 0.5 }], 'segmentation');
    await job.run({ v: 1, evaluationId: second.evaluationId });
    expect((await promotion.evaluation(second.evaluationId))!.reason).toBe(
      'the test dataset still-a-draft v1 is a draft; evaluations run only on sealed versions.',
    );
  });

  it('runs again from the start an evaluation a crash left running', async () => {
    const v = await validVersion('seg_threshold.onnx', segSpec);
    const { requestId, evaluationId } = await requestPromotion(
      v,
      segData.versionId,
      [{ metric: 'dice', op: '>=', threshold: 0.6 }],
      'segmentation',
    );
    await ds.transaction((m) => promotion.startEvaluation(m, evaluationId));
    expect((await promotion.evaluation(evaluationId))!.status).toBe('running');
    await job.run({ v: 1, evaluationId });
    expect(await promotion.evaluation(evaluationId)).toMatchObject({ status: 'passed', itemCount: 4 });
    expect((await promotion.request(requestId))!.status).toBe('awaiting_signatures');
    expect(await auditOf('evaluation.finished', evaluationId)).toHaveLength(1);
  });
});
