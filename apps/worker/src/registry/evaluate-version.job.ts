/**
 * 'registry.evaluate-version': the evaluation gate of a promotion request (issue 14). The version's
 * pinned ONNX file is read back from the artifact store and re-hashed (other bytes than those
 * registered: the evaluation is an error and 'model_version.integrity_failed' is audited), then run
 * with onnxruntime-node on the test split of a sealed dataset version: each DICOM slice is read
 * from the datasets bucket and checked against its recorded sha256 as it is read, decoded
 * (uncompressed syntaxes), preprocessed by the version's spec and batched when the model's batch
 * dimension is dynamic, a few items read ahead of inference, which runs on a thread of its own
 * (evaluate-version.inference.ts) while the job's thread reads, decodes and scores. Segmentation
 * outputs are compared with the items' PNG masks (Dice, IoU), classifier outputs with their labels
 * (AUC, sensitivity, specificity, accuracy); the acceptance criteria frozen in the evaluation
 * decide passed or failed.
 *
 * One transaction finishes it: the request row locked, the evaluation written (final: the table's
 * trigger refuses later changes), the request's 'evaluation' gate replaced by one sentence a signer
 * reads, the gates settled (settleGates: gate_failed, or awaiting_signatures with the hash the
 * signatures bind), and 'evaluation.finished' audited. A finished evaluation is never run again;
 * one left 'running' by a crash is run again from the start (nothing partial is kept). Only a
 * failure to reach the store or the database is retried.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Inject, Injectable } from '@nestjs/common';
import type * as ort from 'onnxruntime-node';
import { DataSource } from 'typeorm';
import type { Config } from '@caliper/config';
import {
  AcceptanceCriterion,
  checkCriteria,
  classificationMetrics,
  CriterionResult,
  GateResult,
  JsonValue,
  ModelSpec,
  modelSpecSchema,
  OverlapCounts,
  overlapCounts,
  segmentationMetrics,
  dice as diceOf,
  iou as iouOf,
} from '@caliper/domain';
import { JobPayloads } from '@caliper/jobs';
import {
  AuditRepository,
  EvaluationRow,
  ModelVersionFileEntity,
  PromotionRepository,
  PromotionRequestRow,
  RegistryRepository,
  settleGates,
} from '@caliper/persistence';
import { ObjectNotFoundError, ObjectStore } from '@caliper/storage';
import { JobProcessor, JobResult, ProcessesJob } from '../jobs/job-processor';
import { CONFIG } from '../worker.options';
import { InferenceLoadError, InferenceResult, InferenceThread, LoadedModel, ThreadInput } from './evaluate-version.inference';
import { EvaluatedDatasetVersion, EvaluationReads, TestItem } from './evaluate-version.reads';
import {
  decodePngMask,
  EvaluationInputError,
  preprocessSlice,
  readDicomSlice,
  resampleNearest,
  Slice,
  StoredSlice,
} from './evaluate-version.pixels';
import { MAX_MODEL_BYTES } from './validate-version.job';

type Payload = JobPayloads['registry.evaluate-version'];

/**
 * Items per session.run when the model's batch dimension is dynamic. Small: a fresh session's first
 * run pays for touching every activation buffer once (measured: about 0.6 s for a batch of four
 * 256×256 slices of seg256.onnx, 1.5 s for eight), and steady throughput gains little past four.
 */
export const EVALUATION_BATCH = 4;
/** Items read from the store and decoded ahead of inference: a batch more than are handed to the thread. */
export const EVALUATION_READ_AHEAD = 3 * EVALUATION_BATCH;
/**
 * Batches handed to the inference thread before the job waits for the oldest: the thread has the
 * next batch queued when it finishes one, with one more to spare when the job's thread is slow to
 * come back (a garbage collection, a slow read, another job on the same loop).
 */
export const EVALUATION_IN_FLIGHT = 3;
/** Test items read from the database at a time. */
const ITEM_PAGE = 500;
/** The largest DICOM object or mask read into memory. */
export const MAX_ITEM_BYTES = 256 * 1024 * 1024;
const ACTOR = { actorId: null, actorLabel: 'system:evaluate' };
const FINISHED: ReadonlySet<string> = new Set(['passed', 'failed', 'error']);

/**
 * onnxruntime's options for evaluation. The session runs on its own thread (session.run holds the
 * loop of the thread it runs on), and one core is left to the job's thread, which reads, hashes,
 * decodes and preprocesses the next slices meanwhile; more intra-op threads than the cores left
 * would only take turns with it. One inter-op thread: the graphs evaluated are sequential
 * (parallel execution is off by default). All graph optimisations: they are applied once, when
 * the session is created. Without the memory pattern only the first run grows the arena (with it,
 * the first two runs of a shape each took the slow path). The benchmark runs the raw session with
 * the same options.
 */
export const EVALUATION_SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: Math.max(1, Math.min(8, availableParallelism() - 1)),
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  enableMemPattern: false,
};

const METRIC_NAMES: Record<string, string> = {
  dice: 'Dice',
  iou: 'IoU',
  auc: 'AUC',
  sensitivity: 'sensitivity',
  specificity: 'specificity',
  accuracy: 'accuracy',
};

/** Ends the evaluation as 'error' with a reason for the signer; `integrity` when the model's bytes are not the registered ones. */
class EvaluationError extends Error {
  constructor(
    message: string,
    readonly partial: { modelSha256?: string; manifestSha256?: string | null; itemCount?: number } = {},
    readonly integrity?: { file: string; pinned: string; found: string },
  ) {
    super(message);
  }
}

type Outcome = Pick<EvaluationRow, 'status' | 'metrics' | 'results' | 'itemCount' | 'modelSha256' | 'manifestSha256' | 'reason'> & {
  detail: string;
  integrity?: { file: string; pinned: string; found: string };
};

/**
 * Where the job's time went (ms), logged with its outcome and read by the benchmark. `inference`
 * is the inference thread's time in session.run, which overlaps the job thread's reading and
 * scoring; `waitingForItems` and `waitingForInference` are the job thread's waits on either side.
 */
export interface EvaluationTiming {
  model: number;
  waitingForItems: number;
  inference: number;
  waitingForInference: number;
  postprocess: number;
  total: number;
}

interface Prepared {
  item: TestItem;
  /** The slice as stored (a view of its bytes), preprocessed straight into its batch's feed when the batch is handed over. */
  slice: StoredSlice;
  mask: Slice<Uint8Array> | null;
  truth: number | null;
}

const fmt = (v: number) => v.toFixed(3);
const shortHash = (h: string | null) => (h ? `${h.slice(0, 8)}…` : 'no manifest');

/** One phrase per criterion: "Dice 0.912 ≥ 0.8", "AUC 0.612, short of ≥ 0.8", "AUC not computed, needs ≥ 0.8". */
function criterionPhrase(c: CriterionResult): string {
  const name = METRIC_NAMES[c.metric] ?? c.metric;
  if (c.value === null) return `${name} could not be computed (needs ${c.op} ${c.threshold})`;
  return c.passed
    ? `${name} ${fmt(c.value)} ${c.op === '>=' ? '≥' : '≤'} ${c.threshold}`
    : `${name} ${fmt(c.value)}, short of ${c.op === '>=' ? '≥' : '≤'} ${c.threshold}`;
}

/** The sentence a signer reads on the evaluation gate. */
export function evaluationGateDetail(
  criteria: readonly CriterionResult[],
  metrics: Record<string, number | null>,
  itemCount: number,
  dataset: Pick<EvaluatedDatasetVersion, 'datasetName' | 'number' | 'manifestSha256'>,
): string {
  const on = `on ${itemCount} test item${itemCount === 1 ? '' : 's'} of ${dataset.datasetName} v${dataset.number} (manifest ${shortHash(dataset.manifestSha256)})`;
  if (!criteria.length) {
    const figures = Object.entries(metrics).map(([k, v]) => `${METRIC_NAMES[k] ?? k} ${v === null ? 'not computed' : fmt(v)}`);
    return `${figures.join(', ')} ${on}; the policy sets no acceptance criteria.`;
  }
  const failed = criteria.filter((c) => !c.passed);
  const sentence = `${criteria.map(criterionPhrase).join(', ')} ${on}`;
  return failed.length
    ? `Failed: ${sentence}; ${failed.map((c) => METRIC_NAMES[c.metric] ?? c.metric).join(' and ')} below the acceptance criteria.`
    : `${sentence}.`;
}

/** The model's input checked against what the evaluation feeds ([N, 1, H, W], N dynamic or 1), and the size and batch to feed. */
function inputShape(
  model: LoadedModel,
  spec: ModelSpec,
  partial: { modelSha256: string; manifestSha256: string | null },
): { input: ThreadInput; outputName: string; width: number; height: number; batch: number } {
  const input = model.inputs[0];
  const outputName = model.outputNames[0]!;
  if (!input?.isTensor || input.shape.length !== 4)
    throw new EvaluationError(
      `the model's input must be a [N, 1, H, W] tensor; it is ${input?.isTensor ? `[${input.shape.join(', ')}]` : 'not a tensor'}.`,
      partial,
    );
  const [n, channels, h, w] = input.shape;
  if (channels !== 1)
    throw new EvaluationError(`the model's input ${input.name} has ${String(channels)} channels; the evaluation feeds one.`, partial);
  const size = spec.preprocessing.size;
  const width = typeof w === 'number' && w > 0 ? w : size?.[0];
  const height = typeof h === 'number' && h > 0 ? h : size?.[1];
  if (!width || !height)
    throw new EvaluationError(
      `the model's input ${input.name} has a dynamic size and the spec gives no preprocessing.size to resize to.`,
      partial,
    );
  const batch = typeof n === 'number' && n > 0 ? n : EVALUATION_BATCH;
  if (typeof n === 'number' && n > 1)
    throw new EvaluationError(
      `the model's input ${input.name} has a fixed batch of ${n}; the evaluation feeds one item at a time or a dynamic batch.`,
      partial,
    );
  return { input, outputName, width, height, batch };
}

/** Results of `fn` over `source`, in order, with up to `limit` started ahead of the one being consumed. */
export async function* readAhead<T, R>(source: AsyncIterable<T>, limit: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  const it = source[Symbol.asyncIterator]();
  const pending: Promise<R>[] = [];
  let exhausted = false;
  for (;;) {
    while (!exhausted && pending.length < limit) {
      const next = await it.next();
      if (next.done) exhausted = true;
      else {
        const p = fn(next.value);
        // Awaited in turn below; a rejection before then is not an unhandled one.
        p.catch(() => undefined);
        pending.push(p);
      }
    }
    const p = pending.shift();
    if (!p) return;
    yield await p;
  }
}

@Injectable()
@ProcessesJob('registry.evaluate-version')
export class EvaluateVersionJob implements JobProcessor<'registry.evaluate-version'> {
  private readonly reads: EvaluationReads;
  private readonly bucket: string;

  constructor(
    private readonly ds: DataSource,
    private readonly registry: RegistryRepository,
    private readonly promotion: PromotionRepository,
    private readonly audit: AuditRepository,
    private readonly store: ObjectStore,
    @Inject(CONFIG) config: Pick<Config, 'S3_BUCKET_DATASETS'>,
  ) {
    this.reads = new EvaluationReads(ds);
    this.bucket = config.S3_BUCKET_DATASETS;
  }

  async run(data: Payload): Promise<JobResult> {
    const evaluation = await this.promotion.evaluation(data.evaluationId);
    if (!evaluation) return { outcome: 'skipped', detail: { reason: 'no such evaluation', evaluationId: data.evaluationId } };
    if (FINISHED.has(evaluation.status))
      return { outcome: 'skipped', detail: { reason: `evaluation already ${evaluation.status}`, evaluationId: evaluation.id } };
    const request = await this.promotion.request(evaluation.requestId);
    if (!request || request.status !== 'evaluating')
      return { outcome: 'skipped', detail: { reason: `request is ${request?.status ?? 'gone'}`, evaluationId: evaluation.id } };
    await this.ds.transaction((m) => this.promotion.startEvaluation(m, evaluation.id));

    const started = performance.now();
    const timing: EvaluationTiming = { model: 0, waitingForItems: 0, inference: 0, waitingForInference: 0, postprocess: 0, total: 0 };
    let outcome: Outcome;
    try {
      outcome = await this.evaluate(evaluation, request, timing);
    } catch (err) {
      if (!(err instanceof EvaluationError)) throw err;
      outcome = {
        status: 'error',
        metrics: null,
        results: null,
        itemCount: err.partial.itemCount ?? null,
        modelSha256: err.partial.modelSha256 ?? null,
        manifestSha256: err.partial.manifestSha256 ?? null,
        reason: err.message,
        detail: `The evaluation could not be completed: ${err.message}`,
        integrity: err.integrity,
      };
    }
    timing.total = performance.now() - started;
    const projectId = await this.reads.projectOfModel(request.registeredModelId);
    const finished = await this.ds.transaction(async (m) => {
      const locked = await this.promotion.lockRequest(m, request.id);
      const current = await this.promotion.lockEvaluation(m, evaluation.id);
      if (!current || FINISHED.has(current.status)) return null;
      const { detail, integrity, ...row } = outcome;
      const written = await this.promotion.finishEvaluation(m, evaluation.id, row);
      if (integrity)
        await this.audit.append(m, {
          ...ACTOR,
          action: 'model_version.integrity_failed',
          entityType: 'model_version',
          entityId: request.modelVersionId,
          projectId,
          after: { ...integrity, evaluationId: evaluation.id, promotionRequestId: request.id, when: 'evaluation' },
        });
      await this.audit.append(m, {
        ...ACTOR,
        action: 'evaluation.finished',
        entityType: 'model_evaluation',
        entityId: evaluation.id,
        projectId,
        after: {
          promotionRequestId: request.id,
          modelVersionId: request.modelVersionId,
          datasetVersionId: evaluation.datasetVersionId,
          status: written.status,
          metrics: written.metrics as JsonValue,
          criteria: (written.results?.criteria ?? null) as unknown as JsonValue,
          itemCount: written.itemCount,
          modelSha256: written.modelSha256,
          manifestSha256: written.manifestSha256,
          reason: written.reason,
        },
      });
      if (locked?.status === 'evaluating') {
        const gate: GateResult = { gate: 'evaluation', status: written.status === 'passed' ? 'passed' : 'failed', detail };
        const gates = locked.gates.some((g) => g.gate === 'evaluation')
          ? locked.gates.map((g) => (g.gate === 'evaluation' ? gate : g))
          : [...locked.gates, gate];
        await settleGates(m, { promotion: this.promotion, audit: this.audit }, locked, gates, projectId, ACTOR);
      }
      return written;
    });
    if (!finished) return { outcome: 'skipped', detail: { reason: 'finished meanwhile', evaluationId: evaluation.id } };
    return {
      outcome: 'done',
      detail: {
        evaluationId: evaluation.id,
        status: finished.status,
        reason: finished.reason,
        itemCount: finished.itemCount,
        timing: Object.fromEntries(Object.entries(timing).map(([k, v]) => [k, Math.round(v)])),
      },
    };
  }

  private async evaluate(evaluation: EvaluationRow, request: PromotionRequestRow, timing: EvaluationTiming): Promise<Outcome> {
    const validation = await this.registry.findValidation(request.modelVersionId);
    if (validation?.status !== 'valid')
      throw new EvaluationError(
        `the version's ONNX validation is ${validation ? validation.status : 'missing'}, so it cannot be evaluated${validation?.reason ? ` (${validation.reason})` : ''}.`,
      );
    const parsed = modelSpecSchema.safeParse({ taskType: validation.taskType, ...(validation.spec ?? {}) });
    if (!parsed.success)
      throw new EvaluationError(
        validation.taskType
          ? `the version's pre/post-processing spec does not parse: ${parsed.error.issues[0]?.message}.`
          : 'the version was registered without a task type and spec, so its outputs cannot be scored.',
      );
    const spec = parsed.data;
    if (spec.taskType === 'detection') throw new EvaluationError('detection models are not evaluated automatically yet.');
    if (evaluation.taskType && evaluation.taskType !== spec.taskType)
      throw new EvaluationError(`the evaluation was set up for ${evaluation.taskType}, but the version is a ${spec.taskType} model.`);

    const modelStarted = performance.now();
    // Taken now: a new thread boots, with onnxruntime in it, while the model and the first slices are read.
    const thread = InferenceThread.take();
    try {
      const files = await this.registry.filesOf([request.modelVersionId]);
      const file = files.find((f) => f.path === validation.filePath);
      if (!file)
        throw new EvaluationError(`the validated file ${validation.filePath ?? '(none)'} is not among the version's pinned files.`);
      const bytes = await this.readModel(file);
      const modelSha256 = createHash('sha256').update(bytes).digest('hex');
      if (modelSha256 !== file.sha256)
        throw new EvaluationError(
          `${file.path} in the store has sha256 ${modelSha256}, not the ${file.sha256} pinned at registration; the model was not evaluated.`,
          { modelSha256 },
          { file: file.path, pinned: file.sha256, found: modelSha256 },
        );

      const dataset = await this.reads.datasetVersion(evaluation.datasetVersionId);
      if (!dataset) throw new EvaluationError(`the test dataset version ${evaluation.datasetVersionId} does not exist.`, { modelSha256 });
      const partial = { modelSha256, manifestSha256: dataset.manifestSha256 };
      const named = `${dataset.datasetName} v${dataset.number}`;
      if (dataset.state !== 'sealed')
        throw new EvaluationError(`the test dataset ${named} is a draft; evaluations run only on sealed versions.`, partial);
      if (!dataset.testItems)
        throw new EvaluationError(`the test dataset ${named} has no items in its test split, so there is nothing to evaluate on.`, {
          ...partial,
          itemCount: 0,
        });

      const model = thread.load(bytes, EVALUATION_SESSION_OPTIONS).then(
        (m) => {
          timing.model = performance.now() - modelStarted;
          return m;
        },
        (err: Error) => {
          if (!(err instanceof InferenceLoadError)) throw err;
          throw new EvaluationError(`onnxruntime could not load ${file.path}: ${err.message.split('\n')[0]}`, partial);
        },
      );
      return await this.score(thread, model, spec, evaluation.criteria, dataset, partial, timing);
    } finally {
      await thread.giveBack();
    }
  }

  private async score(
    thread: InferenceThread,
    model: Promise<LoadedModel>,
    spec: ModelSpec,
    criteria: readonly AcceptanceCriterion[],
    dataset: EvaluatedDatasetVersion,
    partial: { modelSha256: string; manifestSha256: string | null },
    timing: EvaluationTiming,
  ): Promise<Outcome> {
    const shape = model.then((m) => inputShape(m, spec, partial));
    // The reads start now, while the session loads; each slice is resized into its batch when handed over.
    const prepared = readAhead(this.testItems(dataset.id), EVALUATION_READ_AHEAD, (item) => this.prepare(item, spec, partial));
    let next = prepared.next();
    // Awaited below, after the shape; a rejection before then is not an unhandled one.
    next.catch(() => undefined);
    const { input, outputName, width, height, batch } = await shape;
    const labels = spec.postprocessing.labels;
    const threshold = spec.postprocessing.threshold;

    const perItem: { item: string; counts?: OverlapCounts[]; probabilities?: number[]; truth?: number }[] = [];
    let pending: Prepared[] = [];
    /** Batches handed to the inference thread, oldest first, each with its items. */
    const inFlight: { items: Prepared[]; result: Promise<InferenceResult> }[] = [];
    const submit = (items: Prepared[]) => {
      // Each slice preprocessed into its place in the batch: no tensor of its own to allocate and copy.
      const plane = width * height;
      const feed = new Float32Array(items.length * plane);
      items.forEach((p, i) => preprocessSlice(p.slice, spec.preprocessing, width, height, feed.subarray(i * plane, (i + 1) * plane)));
      const result = thread.run(input.name, outputName, feed, [items.length, 1, height, width]);
      // Awaited in turn by scoreOldest; a rejection before then is not an unhandled one.
      result.catch(() => undefined);
      inFlight.push({ items, result });
    };
    const scoreOldest = async () => {
      const { items, result } = inFlight.shift()!;
      const t0 = performance.now();
      let out: InferenceResult;
      try {
        out = await result;
      } catch (err) {
        throw new EvaluationError(
          `inference failed on items ${items[0]!.item.itemKey}…: ${(err as Error).message.split('\n')[0]}`,
          partial,
        );
      }
      const t1 = performance.now();
      timing.waitingForInference += t1 - t0;
      timing.inference += out.ms;
      const logits = out.data as Float32Array;
      if (spec.taskType === 'segmentation') {
        const [, c, oh, ow] = out.dims as number[];
        if (out.dims.length !== 4 || c !== labels.length)
          throw new EvaluationError(
            `the segmentation output ${outputName} is [${out.dims.join(', ')}]; it must be [N, ${labels.length}, H, W].`,
            partial,
          );
        const plane = oh! * ow!;
        items.forEach((p, i) => {
          const base = i * c * plane;
          const truth = resampleNearest(p.mask!, ow!, oh!);
          if (c === 2) {
            // Two labels: the lesion's counts straight from the logits, no label map in between.
            // p(lesion) = sigmoid(l1 - l0) >= threshold  <=>  l1 - l0 >= logit(threshold); without a
            // threshold, the arg max of two (a tie to label 0, as below). The mask is 0/1 (maskOf).
            const cut =
              threshold === undefined ? 0 : threshold <= 0 ? -Infinity : threshold >= 1 ? Infinity : Math.log(threshold / (1 - threshold));
            const strict = threshold === undefined;
            let tp = 0;
            let fp = 0;
            let fn = 0;
            for (let k = 0; k < plane; k++) {
              const d = logits[base + plane + k]! - logits[base + k]!;
              const lesion = strict ? d > cut : d >= cut;
              if (truth[k] === 1) {
                if (lesion) tp++;
                else fn++;
              } else if (lesion) fp++;
            }
            perItem.push({ item: p.item.itemKey, counts: [{ tp, fp, fn }] });
            return;
          }
          const predicted = new Uint8Array(plane);
          for (let k = 0; k < plane; k++) {
            let best = 0;
            let top = logits[base + k]!;
            for (let l = 1; l < c; l++) {
              const v = logits[base + l * plane + k]!;
              if (v > top) {
                top = v;
                best = l;
              }
            }
            predicted[k] = best;
          }
          perItem.push({ item: p.item.itemKey, counts: overlapCounts(predicted, truth, c) });
        });
      } else {
        const k = out.dims[out.dims.length - 1]!;
        if (k !== labels.length)
          throw new EvaluationError(
            `the classifier output ${outputName} is [${out.dims.join(', ')}]; it must end in ${labels.length} scores.`,
            partial,
          );
        items.forEach((p, i) => {
          const row = Array.from(logits.subarray(i * k, (i + 1) * k));
          const top = Math.max(...row);
          const exp = row.map((v) => Math.exp(v - top));
          const sum = exp.reduce((a, b) => a + b, 0);
          perItem.push({ item: p.item.itemKey, probabilities: exp.map((v) => v / sum), truth: p.truth! });
        });
      }
      timing.postprocess += performance.now() - t1;
    };

    for (;;) {
      const t0 = performance.now();
      const got = await next;
      timing.waitingForItems += performance.now() - t0;
      if (got.done) break;
      next = prepared.next();
      // Awaited on the next turn, perhaps after a batch is scored; not an unhandled rejection meanwhile.
      next.catch(() => undefined);
      pending.push(got.value);
      if (pending.length === batch) {
        submit(pending);
        pending = [];
        if (inFlight.length >= EVALUATION_IN_FLIGHT) await scoreOldest();
      }
    }
    if (pending.length) submit(pending);
    while (inFlight.length) await scoreOldest();
    if (perItem.length !== dataset.testItems)
      throw new EvaluationError(`read ${perItem.length} test items, but the sealed version holds ${dataset.testItems}.`, partial);

    let metrics: Record<string, number | null>;
    let extra: Record<string, unknown>;
    if (spec.taskType === 'segmentation') {
      const counts = perItem.map((p) => p.counts!);
      const m = segmentationMetrics(counts, labels);
      metrics = { dice: m.dice, iou: m.iou };
      extra = {
        perLabel: m.perLabel,
        items: perItem.map((p) => ({
          item: p.item,
          dice: p.counts!.reduce((a, c) => a + diceOf(c), 0) / p.counts!.length,
          iou: p.counts!.reduce((a, c) => a + iouOf(c), 0) / p.counts!.length,
        })),
      };
    } else {
      const m = classificationMetrics(
        perItem.map((p) => p.probabilities!),
        perItem.map((p) => p.truth!),
        labels,
        threshold ?? 0.5,
      );
      metrics = { auc: m.auc, sensitivity: m.sensitivity, specificity: m.specificity, accuracy: m.accuracy };
      extra = {
        threshold: threshold ?? 0.5,
        perClass: m.perClass,
        confusion: m.confusion,
        items: perItem.map((p) => ({ item: p.item, label: labels[p.truth!], probabilities: p.probabilities })),
      };
    }
    const results = checkCriteria(metrics, criteria);
    const passed = results.every((c) => c.passed);
    return {
      status: passed ? 'passed' : 'failed',
      metrics,
      results: { criteria: results, ...extra },
      itemCount: perItem.length,
      ...partial,
      reason: passed
        ? null
        : `${results
            .filter((c) => !c.passed)
            .map(criterionPhrase)
            .join('; ')}.`,
      detail: evaluationGateDetail(results, metrics, perItem.length, dataset),
    };
  }

  private async *testItems(versionId: string): AsyncGenerator<TestItem> {
    let after: string | null = null;
    for (;;) {
      const page = await this.reads.testItems(versionId, after, ITEM_PAGE);
      yield* page;
      if (page.length < ITEM_PAGE) return;
      after = page[page.length - 1]!.itemKey;
    }
  }

  /** One test item read, checked, decoded and preprocessed, with its mask or its class. */
  private async prepare(
    item: TestItem,
    spec: ModelSpec,
    partial: { modelSha256: string; manifestSha256: string | null },
  ): Promise<Prepared> {
    const fail = (reason: string) => new EvaluationError(`test item ${item.itemKey}: ${reason}`, partial);
    if (!item.objectKey)
      throw fail('its DICOM object is held only in the PACS (not copied into the datasets bucket), so it cannot be read.');
    let truth: number | null = null;
    if (spec.taskType === 'classification') {
      if (item.label === null) throw fail('it has no label, so the classifier cannot be scored on it.');
      truth = spec.postprocessing.labels.indexOf(item.label);
      if (truth < 0)
        throw fail(`it is labelled '${item.label}', which is not among the model's labels (${spec.postprocessing.labels.join(', ')}).`);
    } else if (!item.maskKey) throw fail('it has no mask, so the segmentation cannot be scored on it.');
    const [bytes, maskBytes] = await Promise.all([
      this.readObject(item.objectKey, `its DICOM object ${item.objectKey}`, item.itemKey, partial),
      spec.taskType === 'segmentation' ? this.readObject(item.maskKey!, `its mask ${item.maskKey}`, item.itemKey, partial) : null,
    ]);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== item.sha256)
      throw fail(`its DICOM object ${item.objectKey} has sha256 ${sha256}, not the ${item.sha256} recorded in the sealed version.`);
    let mask: Slice<Uint8Array> | null = null;
    try {
      const slice = readDicomSlice(bytes, 'its DICOM object');
      if (maskBytes) mask = this.maskOf(maskBytes, item.maskKey!, spec.postprocessing.labels.length);
      return { item, slice, mask, truth };
    } catch (err) {
      if (err instanceof EvaluationInputError) throw fail(err.message);
      throw err;
    }
  }

  /** The mask as label indices; its sha256 is checked when its key names one (the upload stores masks under their digest). */
  private maskOf(bytes: Buffer, key: string, labelCount: number): Slice<Uint8Array> {
    const named = /\/([0-9a-f]{64})\.[a-z.]+$/.exec(key)?.[1];
    if (named) {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (sha256 !== named) throw new EvaluationInputError(`its mask ${key} has sha256 ${sha256}, not the one its key names.`);
    }
    if (bytes.length >= 132 && bytes.toString('latin1', 128, 132) === 'DICM')
      throw new EvaluationInputError(`its mask ${key} is a DICOM SEG; the evaluation reads PNG masks only.`);
    if (!bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47])))
      throw new EvaluationInputError(`its mask ${key} is not a PNG (NIfTI and DICOM SEG masks are not read by the evaluation yet).`);
    const mask = decodePngMask(bytes, `its mask ${key}`);
    const v = mask.values;
    if (labelCount === 2) {
      // A binary mask may be stored 0/1 or 0/255.
      for (let i = 0; i < v.length; i++) v[i] = v[i]! > 0 ? 1 : 0;
    } else {
      for (let i = 0; i < v.length; i++)
        if (v[i]! >= labelCount)
          throw new EvaluationInputError(`its mask ${key} holds the value ${v[i]}, but the model has labels 0..${labelCount - 1}.`);
    }
    return mask;
  }

  private async readObject(
    key: string,
    what: string,
    itemKey: string,
    partial: { modelSha256: string; manifestSha256: string | null },
  ): Promise<Buffer> {
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of await this.store.read(this.bucket, key)) {
        size += (chunk as Buffer).length;
        if (size > MAX_ITEM_BYTES)
          throw new EvaluationError(`test item ${itemKey}: ${what} is larger than ${MAX_ITEM_BYTES} bytes.`, partial);
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks, size);
    } catch (err) {
      if (err instanceof ObjectNotFoundError)
        throw new EvaluationError(`test item ${itemKey}: ${what} is missing from the datasets bucket.`, partial);
      throw err;
    }
  }

  private async readModel(file: ModelVersionFileEntity): Promise<Buffer> {
    if (file.size > MAX_MODEL_BYTES)
      throw new EvaluationError(`${file.path} is ${file.size} bytes; the evaluation reads models of at most ${MAX_MODEL_BYTES} bytes.`);
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of await this.store.read(file.bucket, file.objectKey)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    } catch (err) {
      if (err instanceof ObjectNotFoundError)
        throw new EvaluationError(
          `${file.path} is missing from the artifact store (${file.bucket}/${file.objectKey}).`,
          {},
          {
            file: file.path,
            pinned: file.sha256,
            found: 'missing',
          },
        );
      throw err;
    }
  }
}
