/**
 * Datasets benchmark (prints figures; not a test): `npm run bench:datasets [-- --items 100000 --reps 5]`.
 * Boots the API on a scratch database (tools/bench/harness.ts) and measures, each against a
 * baseline taken in the same run:
 *   create: 100,000 items written as uploads and PACS imports write them (DatasetItemsWriter: patient
 *           keys, splits for 20,000 patients, COPY) vs. the same rows by INSERT … unnest in batches
 *           of 1,000 (no keys, no splits);
 *   seal:   sealDatasetVersion over GraphQL (splits for 20,000 patients, canonical manifest to S3,
 *           sha256) vs. one plain read of the version's items in key order;
 *   derive: createDatasetVersion from the sealed parent, 1,000 removed and 1,000 relabelled;
 *   diff:   datasetVersionDiff of the two 100,000-item versions over GraphQL (target ≤ 1 s) vs.
 *           reading both versions' keys, hashes, labels and splits and diffing them in JS.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { DATASET_ENTITIES, DatasetItemsWriter, DatasetsRepository, IdentifiedItem } from '@caliper/datasets';
import { createDataSource, registerEntities } from '@caliper/persistence';
import { CaliperClient } from '@caliper/sdk';
import { Client } from 'pg';
import { fmt, mb, median, startBenchApi } from '../harness';

const { values: flags } = parseArgs({
  options: {
    items: { type: 'string', default: '100000' },
    reps: { type: 'string', default: '5' },
    api: { type: 'string', default: 'built' },
  },
});

const ITEMS_PER_PATIENT = 5;
const hex = (s: string) => createHash('sha256').update(s).digest('hex');

function items(n: number, tag: string): IdentifiedItem[] {
  return Array.from({ length: n }, (_, i) => {
    const patient = Math.floor(i / ITEMS_PER_PATIENT);
    const study = `1.2.826.0.1.${patient}.1`;
    return {
      itemKey: `${study}.${i}`,
      studyUid: study,
      seriesUid: `${study}.1`,
      sopUid: `${study}.${i}`,
      objectKey: null,
      modality: i % 3 ? 'MR' : 'CT',
      sha256: hex(`${tag}-${i}`),
      sizeBytes: 500_000 + (i % 1000),
      patientId: `PAT-${patient}`,
      label: patient % 4 ? 'normal' : 'tumour',
      maskKey: null,
    };
  });
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await work();
  return [performance.now() - t0, r];
}

async function main(): Promise<void> {
  const n = Number(flags.items);
  const reps = Number(flags.reps);
  if (!Number.isInteger(n) || n < 1000) throw new Error(`--items must be an integer of at least 1000, not ${flags.items}`);
  if (!Number.isInteger(reps) || reps < 3) throw new Error(`--reps must be an integer of at least 3, not ${flags.reps}`);
  console.log(
    `${os.cpus().length} CPU cores; load average at start ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ${fmt(n)} items`,
  );
  const api = await startBenchApi({ api: flags.api as 'built' | 'source' });
  registerEntities(DATASET_ENTITIES);
  const ds = await createDataSource(api.appUrl, { poolSize: 2 }).initialize();
  const pg = new Client({ connectionString: api.appUrl });
  await pg.connect();
  try {
    // The admin becomes the project's PI (dataset.seal) and works through a PI token.
    const me = await api.admin.graphql<{ me: { user: { id: string } } }>(`{ me { user { id } } }`);
    await api.admin.graphql(`mutation($i: SetProjectMemberRolesInput!) { setProjectMemberRoles(input: $i) { roles } }`, {
      i: { projectId: api.project.id, userId: me.me.user.id, roles: ['PI'] },
    });
    const pi = new CaliperClient({
      baseUrl: api.base,
      token: await api.admin.createApiToken(api.project.slug, { name: 'pi', roles: ['pi'] }),
    });
    const dataset = await pi.graphql<{ createDataset: { id: string } }>(
      `mutation($p: ID!) { createDataset(input: { projectId: $p, name: "bench" }) { id } }`,
      { p: api.project.id },
    );
    const newVersion = async () =>
      (
        await pi.graphql<{ createDatasetVersion: { id: string } }>(
          `mutation($d: ID!) { createDatasetVersion(input: { datasetId: $d, splitSeed: "bench" }) { id } }`,
          { d: dataset.createDataset.id },
        )
      ).createDatasetVersion.id;
    const repo = new DatasetsRepository(ds);
    const rows = items(n, 'a');

    // create: COPY vs INSERT … unnest (1,000 rows per statement), each into its own draft.
    const v1 = await newVersion();
    api.rss.current = 'create';
    const writer = new DatasetItemsWriter(repo);
    const [copyMs] = await timed(() => ds.transaction(async (m) => writer.write(m, await writer.lockDraft(m, v1), api.project.id, rows)));
    const baseline = await newVersion();
    const [insertMs] = await timed(async () => {
      await pg.query('BEGIN');
      for (let i = 0; i < rows.length; i += 1000) {
        const b = rows.slice(i, i + 1000);
        await pg.query(
          `INSERT INTO dataset_items (version_id, item_key, study_uid, series_uid, sop_uid, modality, sha256, size_bytes, patient_key, label)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::text[])`,
          [
            baseline,
            b.map((r) => r.itemKey),
            b.map((r) => r.studyUid),
            b.map((r) => r.seriesUid),
            b.map((r) => r.sopUid),
            b.map((r) => r.modality),
            b.map((r) => r.sha256),
            b.map((r) => r.sizeBytes),
            b.map((r) => hex(r.patientId)),
            b.map((r) => r.label),
          ],
        );
      }
      await pg.query('COMMIT');
    });
    console.log(
      `create ${fmt(n)} items (keys, splits, COPY): ${fmt(copyMs)} ms (${fmt(n / (copyMs / 1000))} items/s); baseline INSERT … unnest ×1,000: ${fmt(insertMs)} ms; ratio ${(insertMs / copyMs).toFixed(2)}× faster`,
    );

    // seal: the whole seal over GraphQL vs one plain read of the items in key order.
    const [readMs] = await timed(() => pg.query(`SELECT * FROM dataset_items WHERE version_id = $1 ORDER BY item_key`, [v1]));
    api.rss.current = 'seal';
    const [sealMs, sealed] = await timed(() =>
      pi.graphql<{ sealDatasetVersion: { manifestSha256: string } }>(
        `mutation($v: ID!) { sealDatasetVersion(input: { versionId: $v, deidMethod: "synthetic", deidSummary: "generated rows" }) { manifestSha256 } }`,
        { v: v1 },
      ),
    );
    console.log(
      `seal ${fmt(n)} items (${fmt(n / ITEMS_PER_PATIENT)} patients, manifest ${sealed.sealDatasetVersion.manifestSha256.slice(0, 12)}… to S3): ${fmt(sealMs)} ms; baseline one ordered read of the items: ${fmt(readMs)} ms; ratio ${(sealMs / readMs).toFixed(1)}`,
    );

    // derive: a child of the sealed version with 1,000 removals and 1,000 relabels.
    const removed = rows.slice(0, 1000).map((r) => r.itemKey);
    const relabel = rows.slice(1000, 2000).map((r) => ({ itemKey: r.itemKey, label: 'necrosis' }));
    api.rss.current = 'derive';
    const [deriveMs, child] = await timed(() =>
      pi.graphql<{ createDatasetVersion: { id: string } }>(
        `mutation($d: ID!, $p: ID!, $rm: [String!], $rl: [RelabelInput!]) { createDatasetVersion(input: { datasetId: $d, parentVersionId: $p, removeItemKeys: $rm, relabel: $rl }) { id } }`,
        { d: dataset.createDataset.id, p: v1, rm: removed, rl: relabel },
      ),
    );
    console.log(`derive a child of ${fmt(n)} items (1,000 removed, 1,000 relabelled, splits kept): ${fmt(deriveMs)} ms`);

    // diff: GraphQL datasetVersionDiff vs read-both-and-diff-in-JS.
    const v2 = child.createDatasetVersion.id;
    api.rss.current = 'diff';
    const diffMs: number[] = [];
    let counts: Record<string, number> = {};
    for (let r = 0; r < reps; r++) {
      const [ms, d] = await timed(() =>
        pi.graphql<{ datasetVersionDiff: { counts: Record<string, number> } }>(
          `query($a: ID!, $b: ID!) { datasetVersionDiff(fromId: $a, toId: $b, first: 100) { counts { added removed changed relabelled moved unchanged } rows { itemKey } } }`,
          { a: v1, b: v2 },
        ),
      );
      diffMs.push(ms);
      counts = d.datasetVersionDiff.counts;
    }
    const jsMs: number[] = [];
    for (let r = 0; r < reps; r++) {
      const [ms] = await timed(async () => {
        const read = async (v: string) =>
          new Map(
            (
              await pg.query<{ item_key: string; sha256: string; label: string | null; split: string | null }>(
                `SELECT item_key, sha256, label, split FROM dataset_items WHERE version_id = $1`,
                [v],
              )
            ).rows.map((x) => [x.item_key, x]),
          );
        const [a, b] = await Promise.all([read(v1), read(v2)]);
        let changed = 0;
        for (const [k, x] of a) {
          const y = b.get(k);
          if (!y || y.sha256 !== x.sha256 || y.label !== x.label || y.split !== x.split) changed++;
        }
        for (const k of b.keys()) if (!a.has(k)) changed++;
        return changed;
      });
      jsMs.push(ms);
    }
    console.log(
      `diff two ${fmt(n)}-item versions (${JSON.stringify(counts)}): median ${fmt(median(diffMs))} ms over GraphQL (target ≤ 1,000 ms; max ${fmt(Math.max(...diffMs))}); baseline read both + diff in JS: median ${fmt(median(jsMs))} ms; ratio ${(median(diffMs) / median(jsMs)).toFixed(2)}`,
    );
    console.log(`API peak RSS: ${[...api.rss.phase].map(([k, v]) => `${k} ${mb(v)}`).join(', ')}`);
  } finally {
    await pg.end();
    await ds.destroy();
    await api.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
