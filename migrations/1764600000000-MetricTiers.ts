import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tier levels: blocks of 2^4 = 16 to 2^18 = 262,144 steps. */
const FINEST = 4;
const COARSEST = 18;
const FINITE = `value NOT IN ('NaN', 'Infinity', '-Infinity')`;
/** "The last finite point" wins over another by (step, ts, value): the tuple comparison of MLflow's order. */
const NEWER = `(EXCLUDED.last_step, EXCLUDED.last_ts, EXCLUDED.last_value) > (t.last_step, t.last_ts, t.last_value)`;

/**
 * Adds the points of `source` (a relation of metric_points rows) to metric_tiers. The finest
 * level comes from the rows, each coarser level from the one below it (2 blocks to 1), so all
 * levels together aggregate about as many rows again as the finest holds, not 15× the batch. The
 * last finite point is the greatest [step, ts, value] array, exact for steps and millisecond
 * times below 2^53.
 */
function tierUpsert(source: string): string {
  const levels = Array.from({ length: COARSEST - FINEST + 1 }, (_, i) => FINEST + i);
  const ctes = levels.map((l) =>
    l === FINEST
      ? `l${l} AS (SELECT run_id, key_id, step >> ${l} AS block, count(*) AS n, count(*) FILTER (WHERE NOT (${FINITE})) AS nan_n,
           min(value) FILTER (WHERE ${FINITE}) AS min_value, max(value) FILTER (WHERE ${FINITE}) AS max_value,
           max(ARRAY[step::float8, ts::float8, value]) FILTER (WHERE ${FINITE}) AS last
         FROM ${source} GROUP BY run_id, key_id, step >> ${l})`
      : `l${l} AS (SELECT run_id, key_id, block >> 1 AS block, sum(n) AS n, sum(nan_n) AS nan_n, min(min_value) AS min_value,
           max(max_value) AS max_value, max(last) AS last FROM l${l - 1} GROUP BY run_id, key_id, block >> 1)`,
  );
  return `WITH ${ctes.join(',\n  ')}
  INSERT INTO metric_tiers AS t (run_id, key_id, level, block, n, nan_n, min_value, max_value, last_step, last_ts, last_value)
  SELECT run_id, key_id, level, block, n, nan_n, min_value, max_value, last[1]::bigint, last[2]::bigint, last[3]
  FROM (${levels.map((l) => `SELECT ${l} AS level, * FROM l${l}`).join(' UNION ALL ')}) b
  ORDER BY run_id, key_id, level, block
  ON CONFLICT (run_id, key_id, level, block) DO UPDATE SET
    n = t.n + EXCLUDED.n,
    nan_n = t.nan_n + EXCLUDED.nan_n,
    min_value = LEAST(t.min_value, EXCLUDED.min_value),
    max_value = GREATEST(t.max_value, EXCLUDED.max_value),
    last_step = CASE WHEN t.last_step IS NULL OR ${NEWER} THEN EXCLUDED.last_step ELSE t.last_step END,
    last_ts = CASE WHEN t.last_step IS NULL OR ${NEWER} THEN EXCLUDED.last_ts ELSE t.last_ts END,
    last_value = CASE WHEN t.last_step IS NULL OR ${NEWER} THEN EXCLUDED.last_value ELSE t.last_value END`;
}

/**
 * Multi-resolution summaries of every metric series, for chart reads whose cost does not grow
 * with the series' length (docs/compare-design.md).
 *
 * metric_tiers holds, per (run, metric key, level, block), the summary of the points whose step
 * lies in [block · 2^level, (block + 1) · 2^level): how many there are, how many are not finite
 * (NaN, ±Infinity), and over the finite ones the min, the max and the last point in MLflow's
 * (step, timestamp, value) order. Levels are every power of two from 4 to 18 (blocks of 16 …
 * 262,144 steps), so a read picks power-of-two bucket widths and finds a level whose one block is
 * one bucket; starting at 16 steps keeps the writer at ~1/8 of a tier row per point in all.
 *
 * A statement-level trigger keeps the tiers in the ingest transaction, from the transition
 * table of the rows the statement really wrote: COPY, INSERT and INSERT … ON CONFLICT DO NOTHING
 * (whose skipped duplicates are not in it) alike, so the summaries are an exact function of
 * metric_points whichever path wrote them. Each statement upserts its blocks in key order, so
 * concurrent batches of one run wait for each other instead of deadlocking. Points are never
 * deleted one by one (runs are only marked deleted); TRUNCATE empties the tiers with the points.
 */
export class MetricTiers1764600000000 implements MigrationInterface {
  name = 'MetricTiers1764600000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE metric_tiers (
      run_id bigint NOT NULL,
      key_id bigint NOT NULL,
      level smallint NOT NULL,
      block bigint NOT NULL,
      n integer NOT NULL,
      nan_n integer NOT NULL,
      min_value double precision,
      max_value double precision,
      last_step bigint,
      last_ts bigint,
      last_value double precision,
      CONSTRAINT "PK_metric_tiers" PRIMARY KEY (run_id, key_id, level, block),
      CONSTRAINT "CHK_metric_tiers_level" CHECK (level BETWEEN ${FINEST} AND ${COARSEST}))`);

    await q.query(`CREATE FUNCTION metric_tiers_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
${tierUpsert('new_points')};
  RETURN NULL;
END $$`);
    await q.query(
      `CREATE TRIGGER metric_points_tiers AFTER INSERT ON metric_points REFERENCING NEW TABLE AS new_points FOR EACH STATEMENT EXECUTE FUNCTION metric_tiers_add()`,
    );
    await q.query(
      `CREATE FUNCTION metric_tiers_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN TRUNCATE metric_tiers; RETURN NULL; END $$`,
    );
    await q.query(
      `CREATE TRIGGER metric_points_tiers_truncate AFTER TRUNCATE ON metric_points FOR EACH STATEMENT EXECUTE FUNCTION metric_tiers_truncate()`,
    );

    // Summaries of the points already stored.
    await q.query(tierUpsert('metric_points'));
    await q.query(`GRANT SELECT, INSERT, UPDATE ON metric_tiers TO caliper_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER metric_points_tiers_truncate ON metric_points`);
    await q.query(`DROP TRIGGER metric_points_tiers ON metric_points`);
    await q.query(`DROP FUNCTION metric_tiers_truncate(), metric_tiers_add()`);
    await q.query(`DROP TABLE metric_tiers`);
  }
}
