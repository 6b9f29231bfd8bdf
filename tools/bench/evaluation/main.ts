/**
 * Evaluation gate benchmark (prints figures; not a test): `npm run bench:evaluation [-- --slices 200 --reps 5]`.
 * On a scratch database and a local S3 server (in its own process), a sealed test set of 256×256 CT slices with PNG
 * masks (real DICOM, tools/../evaluation-dataset.ts) and tools/models/test-models/seg256.onnx (a
 * small U-Net, registered and validated as the registry does it). Measured in the same run, after
 * one warm-up of each, interleaved, median of --reps:
 *   job: EvaluateVersionJob.run on a fresh request: the model read back from S3 and re-hashed,
 *        each slice read from S3, hashed, decoded and preprocessed, inference in batches, masks
 *        scored, the evaluation, gates and audit events written in PostgreSQL;
 *   raw: onnxruntime-node session.run alone over the same slices, preprocessed beforehand into
 *        tensors, in the same batches and with the same session options, on a warm session;
 *   raw, fresh session: the same with the session created for the run (as a one-off script, and
 *        the job, must: a fresh session's first run grows its memory arena).
 * Both run with the worker's V8 flags (--single-threaded-gc, apps/worker/src/node-flags.ts: the
 * garbage collector's helper threads otherwise compete with the inference thread for the cores).
 * Target: job ≤ raw + 10 %, raw being the one-off script: the session created for the run, as the
 * job creates one for the version it evaluates (the warm figure is printed too). The job's own split (model load, waiting for items, inference,
 * post-processing) is printed to say where any overhead goes, and each variant's CPU time (this
 * process, all its threads): on a shared machine the wall-clock figures move with the load, the
 * CPU the job spends beyond the raw run much less.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { Client } from 'pg';
import type { ModelSpec, PromotionPolicy } from '@caliper/domain';
import {
  AuditRepository,
  createDataSource,
  dropDatabase,
  PromotionRepository,
  recreateDatabase,
  RegistryRepository,
  runMigrations,
  withDatabase,
} from '@caliper/persistence';
import { appUrlFor, registerExternalVersion, TEST_PG_URL } from '@caliper/persistence/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the bench runs the worker's job in-process (for its timing split) and its exact preprocessing for the baseline
import {
  EVALUATION_BATCH,
  EVALUATION_SESSION_OPTIONS,
  EvaluateVersionJob,
  EvaluationTiming,
} from '../../../apps/worker/src/registry/evaluate-version.job';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the bench runs the worker's job in-process (for its timing split) and its exact preprocessing for the baseline
import { decodeDicomSlice, preprocessSlice } from '../../../apps/worker/src/registry/evaluate-version.pixels';
import { createSealedEvaluationDataset, ctSlice, pngMask } from '@caliper/datasets/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the bench runs the worker's job in-process (for its timing split) and its exact preprocessing for the baseline
import { ValidateVersionJob } from '../../../apps/worker/src/registry/validate-version.job';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the worker's V8 flags
import { missingWorkerNodeFlags, WORKER_NODE_FLAGS } from '../../../apps/worker/src/node-flags';
import { startObjectStoreProcess } from '../../testing/object-store-process';
import { fmt, median, ROOT } from '../harness';

const { values: flags } = parseArgs({
  options: {
    slices: { type: 'string', default: '200' },
    reps: { type: 'string', default: '5' },
  },
});
// The job is timed as the worker runs it, with the worker's V8 flags (npm run bench:evaluation passes them).
const missingFlags = missingWorkerNodeFlags();
if (missingFlags.length) {
  console.error(`bench:evaluation: run it as the worker runs, with node ${missingFlags.join(' ')} (npm run bench:evaluation does)`);
  process.exit(2);
}
const SLICES = Number(flags.slices);
const REPS = Number(flags.reps);
const SIZE = 256;
const ARTIFACTS = 'caliper-artifacts-bench';
const DATASETS = 'caliper-datasets-bench';
const MODEL = path.join(ROOT, 'tools/models/test-models/seg256.onnx');
const spec: ModelSpec = {
  taskType: 'segmentation',
  preprocessing: { window: { center: 40, width: 400 }, size: [SIZE, SIZE] },
  postprocessing: { labels: ['background', 'lesion'] },
};

/** A slice with a round lesion whose place and size vary with i, its mask offset a little (the overlap is not perfect). */
function slice(i: number) {
  const cx = 64 + ((i * 37) % 128);
  const cy = 64 + ((i * 53) % 128);
  const r = 10 + (i % 30);
  const inside = (x: number, y: number, dx = 0) => (x - cx - dx) ** 2 + (y - cy) ** 2 < r * r;
  return {
    dicom: ctSlice(SIZE, SIZE, (x, y) => (inside(x, y) ? 90 : 20) + ((x * 7 + y * 13 + i) % 17) - 8, { patientId: `P${i}` }),
    mask: pngMask(SIZE, SIZE, (x, y) => (inside(x, y, 3) ? 255 : 0)),
  };
}

async function main(): Promise<void> {
  const dbName = `caliper_bench_${Math.random().toString(16).slice(2, 10)}`;
  const ownerUrl = withDatabase(TEST_PG_URL, dbName);
  await recreateDatabase(ownerUrl);
  await runMigrations(ownerUrl);
  // In a process of its own, as S3 is: in this one, serving the job's reads would take turns with the job on its event loop.
  const s3 = await startObjectStoreProcess();
  const ds = await createDataSource(appUrlFor(ownerUrl)).initialize();
  const owner = new Client({ connectionString: ownerUrl });
  await owner.connect();
  try {
    console.log(
      `scratch database ${dbName}; ${SLICES} slices ${SIZE}×${SIZE}, seg256.onnx, batch ${EVALUATION_BATCH}, ` +
        `intra-op threads ${EVALUATION_SESSION_OPTIONS.intraOpNumThreads}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(2)}, ` +
        `node ${WORKER_NODE_FLAGS.join(' ')} (the worker's flags)`,
    );
    const registry = new RegistryRepository(ds);
    const promotion = new PromotionRepository(ds);
    const audit = new AuditRepository(ds);
    await s3.store.ensureBucket(ARTIFACTS);
    await s3.store.ensureBucket(DATASETS);
    const userId: string = (await owner.query(`INSERT INTO users (username, display_name) VALUES ('bench', 'Bench') RETURNING id`)).rows[0]
      .id;
    const projectId: string = (await owner.query(`INSERT INTO projects (slug, name) VALUES ('bench', 'Bench') RETURNING id`)).rows[0].id;

    const bytes = readFileSync(MODEL);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await s3.store.putObject(ARTIFACTS, 'model/seg256.onnx', bytes, { size: bytes.length });
    const version = await registerExternalVersion(ds, {
      projectId,
      userId,
      name: 'seg256',
      files: [{ path: 'model/seg256.onnx', bucket: ARTIFACTS, objectKey: 'model/seg256.onnx', size: bytes.length, sha256 }],
      spec,
    });
    await new ValidateVersionJob(ds, registry, audit, s3.store).run({ v: 1, modelVersionId: version.id });

    const t0 = performance.now();
    const slices = Array.from({ length: SLICES }, (_, i) => slice(i));
    const dataset = await createSealedEvaluationDataset(ds, s3.store, {
      bucket: DATASETS,
      projectId,
      userId,
      name: 'bench-ct',
      items: slices,
    });
    console.log(
      `test set written in ${fmt(performance.now() - t0)} ms (${fmt(slices.reduce((a, s) => a + s.dicom.length, 0) / 1024)} KiB of DICOM)`,
    );

    const job = new EvaluateVersionJob(ds, registry, promotion, audit, s3.store, { S3_BUCKET_DATASETS: DATASETS });
    const policy: PromotionPolicy = {
      stage: 'clinical',
      requiredRoles: ['pi', 'clinical_approver', 'qa'],
      requiredSignatures: 3,
      testDatasetVersionId: dataset.versionId,
      acceptance: [{ metric: 'dice', op: '>=', threshold: 0 }],
      requireCard: true,
    };
    const runJob = async (): Promise<{ ms: number; cpu: number; timing: EvaluationTiming; status: unknown }> => {
      // One open request per version and stage: the previous run's is withdrawn first.
      await owner.query(`UPDATE promotion_requests SET status = 'cancelled' WHERE status IN ('evaluating', 'awaiting_signatures')`);
      const { evaluationId } = await ds.transaction(async (m) => {
        const request = await promotion.createRequest(m, {
          registeredModelId: version.registeredModelId,
          modelVersionId: version.id,
          fromStage: 'none',
          targetStage: 'clinical',
          kind: 'promotion',
          reason: 'bench',
          requestedBy: userId,
          status: 'evaluating',
          policy,
          gates: [{ gate: 'evaluation', status: 'pending', detail: 'queued' }],
        });
        const e = await promotion.createEvaluation(m, {
          requestId: request.id,
          modelVersionId: version.id,
          datasetVersionId: dataset.versionId,
          criteria: policy.acceptance,
          taskType: 'segmentation',
        });
        return { evaluationId: e.id };
      });
      const start = performance.now();
      const cpu = process.cpuUsage();
      const result = await job.run({ v: 1, evaluationId });
      const ms = performance.now() - start;
      if (result.outcome !== 'done' || result.detail.status !== 'passed')
        throw new Error(`the evaluation did not pass: ${JSON.stringify(result.detail)}`);
      return { ms, cpu: cpuMs(cpu), timing: result.detail.timing as EvaluationTiming, status: result.detail.status };
    };

    // The raw baseline: the same slices, preprocessed beforehand, through the same session options and batches.
    const tensors = slices.map((s) => {
      const out = new Float32Array(SIZE * SIZE);
      preprocessSlice(decodeDicomSlice(s.dicom, 'slice'), spec.preprocessing, SIZE, SIZE, out);
      return out;
    });
    const session = await ort.InferenceSession.create(bytes, EVALUATION_SESSION_OPTIONS);
    const runRaw = async (fresh = false): Promise<{ ms: number; cpu: number }> => {
      const start = performance.now();
      const cpu = process.cpuUsage();
      const s = fresh ? await ort.InferenceSession.create(bytes, EVALUATION_SESSION_OPTIONS) : session;
      for (let i = 0; i < tensors.length; i += EVALUATION_BATCH) {
        const batch = tensors.slice(i, i + EVALUATION_BATCH);
        const feed = new Float32Array(batch.length * SIZE * SIZE);
        batch.forEach((t, k) => feed.set(t, k * SIZE * SIZE));
        await s.run({ image: new ort.Tensor('float32', feed, [batch.length, 1, SIZE, SIZE]) });
      }
      const ms = performance.now() - start;
      if (fresh) await s.release();
      return { ms, cpu: cpuMs(cpu) };
    };

    await runJob();
    await runRaw();
    const jobs: { ms: number; cpu: number; timing: EvaluationTiming }[] = [];
    const raws: { ms: number; cpu: number }[] = [];
    const freshRaws: { ms: number; cpu: number }[] = [];
    for (let r = 0; r < REPS; r++) {
      jobs.push(await runJob());
      raws.push(await runRaw());
      freshRaws.push(await runRaw(true));
      console.log(
        `  rep ${r + 1}: job ${fmt(jobs[r]!.ms)} ms, raw ${fmt(raws[r]!.ms)} ms, raw with a fresh session ${fmt(freshRaws[r]!.ms)} ms ` +
          `(load ${os.loadavg()[0]!.toFixed(2)})`,
      );
    }
    await session.release();
    const job_ = median(jobs.map((j) => j.ms));
    const raw = median(raws.map((r) => r.ms));
    const freshRaw = median(freshRaws.map((r) => r.ms));
    const split = (k: keyof EvaluationTiming) => fmt(median(jobs.map((j) => j.timing[k])));
    console.log(`\nraw session.run over ${SLICES} preprocessed slices: ${fmt(raw)} ms (median of ${REPS})`);
    console.log(`raw, session created for the run:                ${fmt(freshRaw)} ms (median of ${REPS})`);
    console.log(`evaluation job (S3 + PostgreSQL + decode + scoring):  ${fmt(job_)} ms (median of ${REPS})`);
    console.log(
      `  of which: model read, re-hash and session start ${split('model')} ms; then, overlapping: inference (its thread) ` +
        `${split('inference')} ms, the job thread waiting for items ${split('waitingForItems')} ms, waiting for inference ` +
        `${split('waitingForInference')} ms, post-processing ${split('postprocess')} ms`,
    );
    // Like for like: the job loads the version it evaluates, as a one-off script must; a session
    // already warm from an earlier run of the same model is printed too, and is the stricter figure.
    const overFresh = ((job_ - freshRaw) / freshRaw) * 100;
    const overWarm = ((job_ - raw) / raw) * 100;
    console.log(
      `overhead over raw with its session created for the run (as the job's is): ${overFresh.toFixed(1)} % (target ≤ 10 %) ${overFresh <= 10 ? 'met' : 'NOT met'}`,
    );
    console.log(`overhead over raw on a session already warm: ${overWarm.toFixed(1)} %${overWarm <= 10 ? '' : ' (above 10 %)'}`);
    const cpuJob = median(jobs.map((j) => j.cpu));
    const cpuRaw = median(raws.map((r) => r.cpu));
    const cpuFresh = median(freshRaws.map((r) => r.cpu));
    console.log(
      `CPU time (this process, all threads): job ${fmt(cpuJob)} ms, raw ${fmt(cpuRaw)} ms, raw with a fresh session ${fmt(cpuFresh)} ms ` +
        `(job ${(((cpuJob - cpuFresh) / cpuFresh) * 100).toFixed(1)} % over the fresh raw run); load at the end ${os.loadavg()[0]!.toFixed(2)}`,
    );
  } finally {
    await owner.end();
    await ds.destroy();
    await s3.close();
    await dropDatabase(ownerUrl).catch(() => undefined);
  }
}

/** CPU milliseconds (user + system, all threads) since `since`. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
