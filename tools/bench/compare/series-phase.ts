/**
 * Phases (a) and (b) of the compare benchmark: server-side downsampling through GraphQL.
 *   (a) one 1,000,000-point series → 1,000 buckets, against the same buckets computed by the
 *       database from the full series (GROUP BY bucket over metric_points: the plain min/max
 *       query a store without tiers would run), in the same run; target ≤ 50 ms.
 *   (b) 20 runs × 4 metrics × 100,000 points, 1,000 buckets each, one GraphQL request asking for the
 *       lists the issue names (steps, min, max, last, nanCounts); target ≤ 300 ms. Every list too.
 */
import { Client } from 'pg';
import { planBuckets } from '@caliper/domain';
import { fmt, median, percentile, type BenchApi } from '../harness';
import { createRun, seedSeries } from './seed';

const seriesQuery = (lists: string) => `query($p: ID!, $r: [String!]!, $k: [String!]!, $b: Int) {
  metricSeries(projectId: $p, runIds: $r, keys: $k, buckets: $b) { bucketCount tierLevel series { runId key pointCount ${lists} } }
}`;
/** The payload the issue names: per bucket steps, min, max, last and nanCount as parallel lists. */
const SERIES_QUERY = seriesQuery('steps min max last nanCounts');
/** Every list the API offers (bucket indexes, timestamps and counts too). */
const ALL_LISTS_QUERY = seriesQuery('buckets steps timestamps last min max counts nanCounts');

async function timedGraphql(
  api: BenchApi,
  variables: Record<string, unknown>,
  query = SERIES_QUERY,
): Promise<{
  ms: number;
  bytes: number;
  body: { data?: { metricSeries: { bucketCount: number; series: { pointCount: number }[] } }; errors?: unknown };
}> {
  const started = performance.now();
  const res = await fetch(`${api.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: api.cookie },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  const body = JSON.parse(text);
  if (body.errors) throw new Error(`metricSeries failed: ${JSON.stringify(body.errors)}`);
  return { ms, bytes: text.length, body };
}

const line = (label: string, xs: number[], target?: string) =>
  console.log(
    `${label.padEnd(78)} median ${median(xs).toFixed(1).padStart(7)} ms   p95 ${percentile(xs, 95).toFixed(1).padStart(7)} ms${target ? `   (target ${target})` : ''}`,
  );

export async function seriesPhases(api: BenchApi, opts: { reps: number; phases: Set<string> }): Promise<void> {
  const owner = new Client({ connectionString: api.ownerUrl });
  await owner.connect();
  try {
    if (opts.phases.has('downsample')) {
      const run = await createRun(api, 'one-million');
      const rate = await seedSeries(api, [
        { runId: run, key: 'loss', points: 1_000_000, value: (s) => Math.exp(-s / 300_000) + (s % 9973 === 0 ? 5 : 0.01 * Math.sin(s)) },
      ]);
      console.log(`(a) seeded 1,000,000 points through /api/v1 at ${fmt(rate)} points/s`);
      const vars = { p: api.project.id, r: [run], k: ['loss'], b: 1000 };
      const first = await timedGraphql(api, vars);
      if (first.body.data!.metricSeries.series[0]?.pointCount !== 1_000_000)
        throw new Error('the downsample did not cover the million points');
      const tiers: number[] = [];
      for (let i = 0; i < opts.reps; i++) tiers.push((await timedGraphql(api, vars)).ms);
      // The same buckets from the full series, computed where it is cheapest: in the database.
      const plan = planBuckets(0, 999_999, 1000);
      const [{ id: runPk }] = (await owner.query(`SELECT id FROM runs WHERE uuid = $1`, [run])).rows;
      const full: number[] = [];
      for (let i = 0; i < opts.reps; i++) {
        const started = performance.now();
        const r = await owner.query(
          `SELECT step / $2 AS bucket, count(*), min(value), max(value), (array_agg(value ORDER BY step DESC, ts DESC, value DESC))[1] AS last
           FROM metric_points WHERE run_id = $1 AND key_id = (SELECT id FROM metric_keys WHERE name = 'loss') GROUP BY 1`,
          [runPk, plan.width],
        );
        full.push(performance.now() - started);
        if (r.rowCount !== plan.bucketCount) throw new Error(`full-series buckets: ${r.rowCount}, expected ${plan.bucketCount}`);
      }
      console.log(
        `(a) 1,000,000-point series → ${first.body.data!.metricSeries.bucketCount} buckets (tier level ${planBuckets(0, 999_999, 1000).level}), ${fmt(first.bytes)} bytes`,
      );
      line('(a) GraphQL metricSeries over the tiers (request wall time)', tiers, '≤ 50 ms');
      line('(a) baseline: the same buckets from the full series (SQL GROUP BY, in PostgreSQL)', full);
      console.log(`(a) ratio tiers / full read: ${(median(tiers) / median(full)).toFixed(3)}`);
    }
    if (opts.phases.has('compare')) {
      const runs: string[] = [];
      for (let i = 0; i < 20; i++) runs.push(await createRun(api, `compare-${i}`, { lr: 10 ** -(2 + (i % 4)), seed: i }));
      const keys = ['train/loss', 'val/loss', 'val/dice', 'lr'];
      const specs = runs.flatMap((runId, i) =>
        keys.map((key, k) => ({
          runId,
          key,
          points: 100_000,
          value: (s: number) => (k + 1) * Math.exp(-s / (20_000 + i * 1000)) + 0.01 * Math.sin(s / 7 + i),
        })),
      );
      const rate = await seedSeries(api, specs);
      console.log(`(b) seeded 20 runs × 4 metrics × 100,000 points through /api/v1 at ${fmt(rate)} points/s`);
      const vars = { p: api.project.id, r: runs, k: keys, b: 1000 };
      const first = await timedGraphql(api, vars);
      const total = first.body.data!.metricSeries.series.reduce((n, s) => n + s.pointCount, 0);
      if (total !== 8_000_000) throw new Error(`compare covered ${total} points, expected 8,000,000`);
      const allFirst = await timedGraphql(api, vars, ALL_LISTS_QUERY);
      const ms: number[] = [];
      const allMs: number[] = [];
      // Interleaved, so both see the same machine.
      for (let i = 0; i < opts.reps; i++) {
        ms.push((await timedGraphql(api, vars)).ms);
        allMs.push((await timedGraphql(api, vars, ALL_LISTS_QUERY)).ms);
      }
      console.log(
        `(b) 80 series, ${first.body.data!.metricSeries.bucketCount} buckets each: ${fmt(first.bytes)} bytes as steps, min, max, last and nanCounts; ${fmt(allFirst.bytes)} bytes with every list`,
      );
      line('(b) GraphQL metricSeries, 20 runs × 4 metrics × 100,000 points', ms, '≤ 300 ms');
      line('(b) the same, every list (buckets, timestamps, counts too)', allMs);
      // Baseline in the same run: the same buckets from the full series, computed by the database.
      const width = first.body.data!.metricSeries.bucketCount ? planBuckets(0, 99_999, 1000).width : 1;
      const pks = (await owner.query(`SELECT id FROM runs WHERE uuid = ANY($1::text[])`, [runs])).rows.map((r: { id: string }) => r.id);
      const full: number[] = [];
      for (let i = 0; i < opts.reps; i++) {
        const started = performance.now();
        const r = await owner.query(
          `SELECT run_id, key_id, step / $2 AS bucket, count(*), min(value), max(value), (array_agg(value ORDER BY step DESC, ts DESC, value DESC))[1] AS last
           FROM metric_points WHERE run_id = ANY($1::bigint[]) AND key_id IN (SELECT id FROM metric_keys WHERE name = ANY($3::text[])) GROUP BY 1, 2, 3`,
          [pks, width, keys],
        );
        full.push(performance.now() - started);
        if (r.rowCount !== 80 * first.body.data!.metricSeries.bucketCount) throw new Error(`full-series buckets: ${r.rowCount}`);
      }
      line('(b) baseline: the same buckets from the full series (SQL GROUP BY, in PostgreSQL)', full);
      console.log(`(b) ratio tiers / full read: ${(median(ms) / median(full)).toFixed(3)}`);
    }
  } finally {
    await owner.end();
  }
}
