/**
 * PACS import benchmark (prints figures; not a test): `npm run bench:datasets-import [-- --instances 2000 --reps 3]`.
 * A real Orthanc (Debian's, as the tests run it) is loaded by STOW-RS with generated CT instances
 * (40 patients, one study and one series each); the built API and worker run on a scratch
 * database. Each repetition measures, on the same instances:
 *   plain script:      what a DICOMweb script does: QIDO-RS for the same series (one page), each
 *                      series' instances one series after the other, then its fetch loop;
 *   fetch loop alone:  that script's loop: every instance fetched by WADO-RS (one request each)
 *                      with the same client and concurrency as the import job (IMPORT_CONCURRENCY),
 *                      streamed through sha256, nothing kept;
 *   series loop alone: every series retrieved whole by WADO-RS (one request per series, the
 *                      same concurrency), each instance hashed, nothing kept: the import's own
 *                      way of fetching, without anything else it does;
 *   import:            importFromPacs over GraphQL into a fresh draft (reference-only), from the
 *                      request until the import reads done: series QIDO, series retrieves,
 *                      hashing, identification, patient keys and splits, items written by COPY,
 *                      progress rows.
 * Target (issue 13): import items/s ≥ 0.8× the fetch loop alone's instances/s.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { DicomWebClient, InstanceRef, SeriesRef } from '@caliper/pacs';
import { dicomVariant, newUid, sampleBytes, startTestOrthanc } from '@caliper/pacs/testing';
import { CaliperClient } from '@caliper/sdk';
import { fmt, mb, median, startBenchApi } from '../harness';

const { values: flags } = parseArgs({
  options: {
    instances: { type: 'string', default: '2000' },
    reps: { type: 'string', default: '3' },
    api: { type: 'string', default: 'built' },
  },
});

/** apps/worker/src/datasets/import-pacs.job.ts's IMPORT_CONCURRENCY (an app's module: benches import libs only). */
const IMPORT_CONCURRENCY = 4;

const PATIENTS = 40;

async function forEachLimited<T>(xs: T[], limit: number, work: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, xs.length) }, async () => {
      while (next < xs.length) await work(xs[next++]!);
    }),
  );
}

/** What a plain script lists before fetching: the series (one QIDO page), then each one's instances. */
async function listPlainly(client: DicomWebClient): Promise<InstanceRef[]> {
  const series = await client.searchSeries({ modality: ['CT'], seriesDescription: 'bench*', limit: 1000 });
  const refs: InstanceRef[] = [];
  for (const s of series.items) {
    const page = await client.searchInstances({
      studyInstanceUid: s.studyInstanceUid,
      seriesInstanceUid: s.seriesInstanceUid,
      limit: 1000,
    });
    refs.push(...page.items);
  }
  return refs;
}

async function wadoLoop(client: DicomWebClient, refs: InstanceRef[]): Promise<number> {
  let bytes = 0;
  await forEachLimited(refs, IMPORT_CONCURRENCY, async (ref) => {
    const { body } = await client.retrieveInstance(ref);
    const hash = createHash('sha256');
    for await (const chunk of body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      hash.update(chunk);
    }
    hash.digest('hex');
  });
  return bytes;
}

/** Every series retrieved whole (one WADO-RS request each), each instance hashed; returns the instances and bytes seen. */
async function seriesLoop(client: DicomWebClient, series: SeriesRef[]): Promise<{ instances: number; bytes: number }> {
  let instances = 0;
  let bytes = 0;
  await forEachLimited(series, IMPORT_CONCURRENCY, async (s) => {
    for await (const part of client.retrieveSeries(s)) {
      const hash = createHash('sha256');
      if (Buffer.isBuffer(part.body)) hash.update(part.body);
      else for await (const chunk of part.body as AsyncIterable<Buffer>) hash.update(chunk);
      hash.digest('hex');
      instances += 1;
      bytes += Buffer.isBuffer(part.body) ? part.body.length : 0;
    }
  });
  return { instances, bytes };
}

interface ImportState {
  status: string;
  total: number | null;
  done: number;
  failed: number;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

async function main(): Promise<void> {
  const n = Number(flags.instances);
  const reps = Number(flags.reps);
  if (!Number.isInteger(n) || n < PATIENTS)
    throw new Error(`--instances must be an integer of at least ${PATIENTS}, not ${flags.instances}`);
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be a positive integer, not ${flags.reps}`);
  console.log(
    `${os.cpus().length} CPU cores; load average at start ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ${fmt(n)} instances, import concurrency ${IMPORT_CONCURRENCY}`,
  );
  const orthanc = await startTestOrthanc();
  try {
    // Generated CT instances: PATIENTS patients, one study and series each, stored 200 a request.
    const ct = sampleBytes('CT_small.dcm');
    const refs: InstanceRef[] = [];
    const series = Array.from({ length: PATIENTS }, (_, p) => ({
      patientId: `BENCH-${p}`,
      studyInstanceUid: newUid(),
      seriesInstanceUid: newUid(),
    }));
    let batch: Buffer[] = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const s = series[i % PATIENTS]!;
      const sopInstanceUid = newUid();
      batch.push(dicomVariant(ct, { ...s, sopInstanceUid, seriesDescription: 'bench series' }));
      refs.push({ studyInstanceUid: s.studyInstanceUid, seriesInstanceUid: s.seriesInstanceUid, sopInstanceUid });
      if (batch.length === 200 || i === n - 1) {
        const stored = await orthanc.client.store(batch);
        if (stored.failed?.length) throw new Error(`Orthanc refused ${stored.failed.length} instances`);
        batch = [];
      }
    }
    console.log(`loaded ${fmt(n)} instances of ${fmt(ct.length)} bytes into Orthanc in ${fmt(performance.now() - t0)} ms`);

    const api = await startBenchApi({
      api: flags.api as 'built' | 'source',
      worker: true,
      env: { PACS_DICOMWEB_URL: orthanc.dicomWebUrl },
    });
    try {
      const dataset = await api.client.graphql<{ createDataset: { id: string } }>(
        `mutation($p: ID!) { createDataset(input: { projectId: $p, name: "import-bench" }) { id } }`,
        { p: api.project.id },
      );
      const client = new DicomWebClient({ baseUrl: orthanc.dicomWebUrl, timeoutMs: 30_000 });
      await wadoLoop(client, refs); // warm Orthanc's caches and the connection pool
      await seriesLoop(client, series);

      const baseMs: number[] = [];
      const loopMs: number[] = [];
      const seriesMs: number[] = [];
      const importMs: number[] = [];
      const rate = (ms: number) => n / (ms / 1000);
      for (let r = 0; r < reps; r++) {
        const b0 = performance.now();
        const listed = await listPlainly(client);
        if (listed.length !== n) throw new Error(`the plain listing found ${listed.length} instances, not ${n}`);
        const l0 = performance.now();
        const bytes = await wadoLoop(client, listed);
        loopMs.push(performance.now() - l0);
        baseMs.push(performance.now() - b0);
        const s0 = performance.now();
        const retrieved = await seriesLoop(client, series);
        seriesMs.push(performance.now() - s0);
        if (retrieved.instances !== n) throw new Error(`the series retrieves gave ${retrieved.instances} instances, not ${n}`);
        api.rss.current = 'import';
        const { ms, queuedMs, runMs } = await timedImport(api.client, dataset.createDataset.id, n);
        importMs.push(ms);
        console.log(
          `rep ${r + 1}: plain script ${fmt(baseMs[r]!)} ms (${fmt(rate(baseMs[r]!))} instances/s, ${mb(bytes)}); fetch loop alone ${fmt(loopMs[r]!)} ms (${fmt(rate(loopMs[r]!))}/s); series loop alone ${fmt(seriesMs[r]!)} ms (${fmt(rate(seriesMs[r]!))}/s); import ${fmt(ms)} ms (${fmt(rate(ms))} items/s: queued ${fmt(queuedMs)} ms, running ${fmt(runMs)} ms)`,
        );
      }
      const imp = median(importMs);
      const loop = median(loopMs);
      const base = median(baseMs);
      const whole = median(seriesMs);
      console.log(
        `import ${fmt(n)} instances from Orthanc (medians of ${reps}, concurrency ${IMPORT_CONCURRENCY}, sha256 each): import ${fmt(rate(imp))} items/s (${fmt(imp)} ms)\n` +
          `  vs fetch loop alone (per-instance WADO-RS, ${fmt(rate(loop))}/s): ${(loop / imp).toFixed(2)}× (target ≥ 0.80)\n` +
          `  vs plain script (QIDO listing + that loop, ${fmt(rate(base))}/s): ${(base / imp).toFixed(2)}×\n` +
          `  vs series loop alone (series WADO-RS, ${fmt(rate(whole))}/s): ${(whole / imp).toFixed(2)}×`,
      );
      console.log(`API peak RSS: ${[...api.rss.phase].map(([k, v]) => `${k} ${mb(v)}`).join(', ')}`);
    } finally {
      await api.close();
    }
  } finally {
    await orthanc.stop();
  }
}

/** A fresh draft, importFromPacs (reference-only) of the bench series, polled every 50 ms until done. */
async function timedImport(client: CaliperClient, datasetId: string, n: number): Promise<{ ms: number; queuedMs: number; runMs: number }> {
  const v = await client.graphql<{ createDatasetVersion: { id: string } }>(
    `mutation($d: ID!) { createDatasetVersion(input: { datasetId: $d, splitSeed: "bench" }) { id } }`,
    { d: datasetId },
  );
  const versionId = v.createDatasetVersion.id;
  const t0 = performance.now();
  await client.graphql(
    `mutation($v: ID!) { importFromPacs(input: { versionId: $v, copy: false, query: { modalities: ["CT"], seriesDescription: "bench*" } }) { id } }`,
    { v: versionId },
  );
  for (;;) {
    const r = await client.graphql<{ datasetVersion: { imports: ImportState[] } }>(
      `query($v: ID!) { datasetVersion(id: $v) { imports { status total done failed error createdAt startedAt finishedAt } } }`,
      { v: versionId },
    );
    const [imp] = r.datasetVersion.imports;
    if (imp?.status === 'FAILED') throw new Error(`the import failed: ${imp.error}`);
    if (imp?.status === 'DONE') {
      const ms = performance.now() - t0;
      if (imp.total !== n || imp.done !== n || imp.failed !== 0)
        throw new Error(`the import matched ${imp.total}, handled ${imp.done}, failed ${imp.failed}; expected ${n} each and no failure`);
      const at = (d: string | null) => new Date(d!).getTime();
      return { ms, queuedMs: at(imp.startedAt) - at(imp.createdAt), runMs: at(imp.finishedAt) - at(imp.startedAt) };
    }
    await new Promise((res) => setTimeout(res, 50));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
