/**
 * Metric points: batched writes into the hand-written metric_points table and reads of
 * histories. Metric names become bigint keys; points are inserted from parallel arrays with ON
 * CONFLICT DO NOTHING (MLflow's identity rule makes retries harmless); then latest_metrics moves
 * forward only where the batch's newest point per key is newer by (step, ts, value), and its
 * lowest and highest finite values (with their steps) only where the batch's are lower or higher. The latest
 * upsert is a separate, small, last statement in key order: concurrent batches of one run wait
 * for each other's latest rows only for the instant between that statement and commit.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, EntityManager } from 'typeorm';
import { type Cover, type MetricPointInput, type Piece, pointPiece } from '@caliper/domain';
import { singleRow } from '../single-row';

export interface StoredPoint {
  step: number;
  timestamp: number;
  value: number;
}

/** A page of one series as parallel arrays; `last` is the page's last point when more follow (the next cursor). */
export interface HistoryPage {
  steps: number[];
  timestamps: number[];
  values: Float64Array;
  more: boolean;
  last: StoredPoint | null;
}

/** (step, timestamp, value) order as PostgreSQL sorts it: NaN above every number. */
export function comparePoints(as: number, at: number, av: number, bs: number, bt: number, bv: number): number {
  if (as !== bs) return as - bs;
  if (at !== bt) return at - bt;
  if (Number.isNaN(av) || Number.isNaN(bv)) return Number.isNaN(av) ? (Number.isNaN(bv) ? 0 : 1) : -1;
  return av === bv ? 0 : av < bv ? -1 : 1;
}

/**
 * Points packed by PostgreSQL as 24-byte records (int8send(step) || int8send(ts) ||
 * float8send(value)), decoded into parallel arrays. Steps and timestamps are int8 read as two
 * 32-bit halves (exact below 2^53, which MLflow's int64 steps and millisecond times stay under).
 * The records arrive in the subquery's order; should a plan ever hand them over differently,
 * they are sorted here rather than returned out of order.
 */
export function decodePoints(packed: Buffer | null): { steps: number[]; timestamps: number[]; values: Float64Array } {
  if (!packed) return { steps: [], timestamps: [], values: new Float64Array(0) };
  const n = packedPointCount(packed);
  const steps = new Array<number>(n);
  const timestamps = new Array<number>(n);
  const values = new Float64Array(n);
  let ordered = true;
  let prevStep = 0;
  let prevTs = 0;
  let prevValue = 0;
  for (let i = 0, off = 0; i < n; i++, off += 24) {
    const step = packed.readInt32BE(off) * 4294967296 + packed.readUInt32BE(off + 4);
    const ts = packed.readInt32BE(off + 8) * 4294967296 + packed.readUInt32BE(off + 12);
    const value = packed.readDoubleBE(off + 16);
    steps[i] = step;
    timestamps[i] = ts;
    values[i] = value;
    if (i && ordered && comparePoints(prevStep, prevTs, prevValue, step, ts, value) > 0) ordered = false;
    prevStep = step;
    prevTs = ts;
    prevValue = value;
  }
  if (ordered) return { steps, timestamps, values };
  // Rare (see above): decode the records again as objects and sort those.
  const points = Array.from({ length: n }, (_, i) => pointAt(packed, i * 24)).sort((a, b) =>
    comparePoints(a.step, a.timestamp, a.value, b.step, b.timestamp, b.value),
  );
  return {
    steps: points.map((p) => p.step),
    timestamps: points.map((p) => p.timestamp),
    values: Float64Array.from(points, (p) => p.value),
  };
}

/** How many 24-byte point records `packed` holds; a partial record means it is not what the statements here produce. */
function packedPointCount(packed: Buffer): number {
  if (packed.length % 24) throw new Error(`packed metric points are ${packed.length} bytes, not a multiple of 24`);
  return packed.length / 24;
}

/** Point `i` of a page's parallel arrays, or null past their end. */
function pointOf(page: { steps: readonly number[]; timestamps: readonly number[]; values: Float64Array }, i: number): StoredPoint | null {
  const step = page.steps[i];
  const timestamp = page.timestamps[i];
  const value = page.values[i];
  return step === undefined || timestamp === undefined || value === undefined ? null : { step, timestamp, value };
}

/** The packed point record at `off`. */
const pointAt = (buf: Buffer, off: number): StoredPoint => ({
  step: int64At(buf, off),
  timestamp: int64At(buf, off + 8),
  value: buf.readDoubleBE(off + 16),
});

/** A series' lowest or highest finite value and the first step it was reached at. */
export interface MetricExtreme {
  value: number;
  step: number;
}

export interface LatestMetric extends StoredPoint {
  runId: string;
  key: string;
  /** Null while the series has no finite value. */
  min: MetricExtreme | null;
  max: MetricExtreme | null;
}

/** PostgreSQL float8 text for node-pg arrays: NaN and ±Infinity spelled the way PostgreSQL reads them. */
/** Rows an INSERT wrote (TypeORM's plain query() drops the count for INSERT). */
async function affectedRows(manager: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    return (await runner.query(sql, params, true)).affected ?? 0;
  } finally {
    if (!manager.queryRunner) await runner.release();
  }
}

/**
 * A PostgreSQL array literal of numbers (or bigint ids), built in one join: node-pg would
 * otherwise escape and quote each of a batch's 20,000 elements. JavaScript prints integers
 * below 2^63 as plain digits and NaN/±Infinity as "NaN", "Infinity", "-Infinity", which is how
 * PostgreSQL's bigint and float8 inputs read them.
 */
function arrayLiteral(items: readonly (number | string)[]): string {
  return `{${items.join(',')}}`;
}

/** MLflow's order of points: step, then timestamp, then value (PostgreSQL sorts NaN above every number). */
function isNewer(a: MetricPointInput, b: MetricPointInput): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  if (Number.isNaN(a.value)) return !Number.isNaN(b.value);
  return !Number.isNaN(b.value) && a.value > b.value;
}

/**
 * Per key of a batch: its newest point (MLflow's order) and its lowest and highest finite values,
 * each at the earliest (step, timestamp) it occurs, as latest_metrics keeps them. A point equal to
 * a stored one changes none of these, so they can be computed before deduplication.
 */
export interface BatchSummary {
  newest: MetricPointInput;
  min: MetricPointInput | null;
  max: MetricPointInput | null;
}

const earlier = (a: MetricPointInput, b: MetricPointInput) => a.step < b.step || (a.step === b.step && a.timestamp < b.timestamp);

/** Folds point `p` into the summary of its key (`null`: the key's first point of the batch). */
export function summarise(seen: BatchSummary | undefined, p: MetricPointInput): BatchSummary {
  const finite = Number.isFinite(p.value);
  if (!seen) return { newest: p, min: finite ? p : null, max: finite ? p : null };
  if (isNewer(p, seen.newest)) seen.newest = p;
  if (finite) {
    const { min, max } = seen;
    if (!min || p.value < min.value || (p.value === min.value && earlier(p, min))) seen.min = p;
    if (!max || p.value > max.value || (p.value === max.value && earlier(p, max))) seen.max = p;
  }
  return seen;
}

/**
 * The ON CONFLICT clause of a latest_metrics upsert (`l` the stored row, EXCLUDED the batch's):
 * the latest point moves forward by (step, ts, value); each extreme moves only to a strictly
 * better value, or an equal one reached at an earlier step. A row none of it changes is not
 * written at all.
 */
const NEWER_LATEST = `(EXCLUDED.step, EXCLUDED.ts, EXCLUDED.value) > (l.step, l.ts, l.value)`;
const LOWER_MIN = `(EXCLUDED.min_value IS NOT NULL AND (l.min_value IS NULL OR (EXCLUDED.min_value, EXCLUDED.min_step) < (l.min_value, l.min_step)))`;
const HIGHER_MAX = `(EXCLUDED.max_value IS NOT NULL AND (l.max_value IS NULL OR EXCLUDED.max_value > l.max_value OR (EXCLUDED.max_value = l.max_value AND EXCLUDED.max_step < l.max_step)))`;
export const LATEST_UPSERT = `ON CONFLICT (run_id, key_id) DO UPDATE SET
  step = CASE WHEN ${NEWER_LATEST} THEN EXCLUDED.step ELSE l.step END,
  ts = CASE WHEN ${NEWER_LATEST} THEN EXCLUDED.ts ELSE l.ts END,
  value = CASE WHEN ${NEWER_LATEST} THEN EXCLUDED.value ELSE l.value END,
  min_value = CASE WHEN ${LOWER_MIN} THEN EXCLUDED.min_value ELSE l.min_value END,
  min_step = CASE WHEN ${LOWER_MIN} THEN EXCLUDED.min_step ELSE l.min_step END,
  max_value = CASE WHEN ${HIGHER_MAX} THEN EXCLUDED.max_value ELSE l.max_value END,
  max_step = CASE WHEN ${HIGHER_MAX} THEN EXCLUDED.max_step ELSE l.max_step END
  WHERE ${NEWER_LATEST} OR ${LOWER_MIN} OR ${HIGHER_MAX}`;

/** A batch's summaries in key order, as the parameters of a latest_metrics upsert (key ids first). */
function latestParams(summaries: Map<string, BatchSummary>): unknown[] {
  const rows = [...summaries].sort(([a], [b]) => Number(a) - Number(b));
  return [
    rows.map(([k]) => k),
    rows.map(([, s]) => s.newest.step),
    rows.map(([, s]) => s.newest.timestamp),
    rows.map(([, s]) => floatText(s.newest.value)),
    rows.map(([, s]) => (s.min ? floatText(s.min.value) : null)),
    rows.map(([, s]) => s.min?.step ?? null),
    rows.map(([, s]) => (s.max ? floatText(s.max.value) : null)),
    rows.map(([, s]) => s.max?.step ?? null),
  ];
}

/** A big-endian int8 at `off`, exact below 2^53. */
const int64At = (buf: Buffer, off: number) => buf.readInt32BE(off) * 4294967296 + buf.readUInt32BE(off + 4);

/** From this many series on, a chart read is split over two connections (see seriesPieces). */
const PARALLEL_SERIES = 16;

/** SQLSTATE of a duplicate primary key. */
const UNIQUE_VIOLATION = '23505';

/** Number.MAX_VALUE as MLflow's server writes it (Python's json of sys.float_info.max), as JSON.stringify writes it too. */
export const DBL_MAX_TEXT = '1.7976931348623157e+308';

const floatText = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v));

/** A statement and its parameters. */
export interface SqlQuery {
  text: string;
  params: unknown[];
}

/**
 * The statements MetricsRepository.seriesPieces runs for a window's cover (exported so tests can
 * EXPLAIN exactly them): tier blocks packed per series, raw points of the ragged ends packed per
 * series, and each series' first point in the window. Each (series, range) pair is a LATERAL
 * subquery kept apart by OFFSET 0 (not flattened into a join), so every bound is an index
 * condition: as a plain join, a planner without fresh
 * statistics scanned all of a series' tier rows by (run, key) and filtered (200 ms, not 5 ms).
 */
export function seriesQueries(
  series: readonly { runId: string; keyId: string }[],
  cover: Cover,
  window: { fromStep: number; toStep: number },
): { tiers: SqlQuery | null; raw: SqlQuery | null; firsts: SqlQuery } {
  const runs = series.map((x) => x.runId);
  const keys = series.map((x) => x.keyId);
  return {
    tiers: cover.blocks.length
      ? {
          text: `SELECT s.i, encode(string_agg(int8send(t.block << t.level) || int4send(t.n) || int4send(t.nan_n) || float8send(coalesce(t.min_value, 'NaN'))
             || float8send(coalesce(t.max_value, 'NaN')) || int8send(coalesce(t.last_step, 0)) || int8send(coalesce(t.last_ts, 0)) || float8send(coalesce(t.last_value, 'NaN')), ''::bytea), 'base64') AS packed
         FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY s(run_id, key_id, i)
         CROSS JOIN unnest($3::smallint[], $4::bigint[], $5::bigint[]) r(level, lo, hi)
         CROSS JOIN LATERAL (SELECT * FROM metric_tiers t WHERE t.run_id = s.run_id AND t.key_id = s.key_id AND t.level = r.level AND t.block >= r.lo AND t.block < r.hi OFFSET 0) t
         GROUP BY s.i`,
          params: [runs, keys, cover.blocks.map((b) => b.level), cover.blocks.map((b) => b.fromBlock), cover.blocks.map((b) => b.toBlock)],
        }
      : null,
    raw: cover.raw.length
      ? {
          text: `SELECT s.i, encode(string_agg(int8send(p.step) || int8send(p.ts) || float8send(p.value), ''::bytea), 'base64') AS packed
         FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY s(run_id, key_id, i)
         CROSS JOIN unnest($3::bigint[], $4::bigint[]) r(lo, hi)
         CROSS JOIN LATERAL (SELECT step, ts, value FROM metric_points p WHERE p.run_id = s.run_id AND p.key_id = s.key_id AND p.step >= r.lo AND p.step < r.hi OFFSET 0) p
         GROUP BY s.i`,
          params: [runs, keys, cover.raw.map((r) => r.fromStep), cover.raw.map((r) => r.toStep)],
        }
      : null,
    firsts: {
      text: `SELECT s.i, f.step, f.ts, f.value FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY s(run_id, key_id, i)
       CROSS JOIN LATERAL (SELECT step, ts, value FROM metric_points p WHERE p.run_id = s.run_id AND p.key_id = s.key_id AND p.step >= $3 AND p.step <= $4
                           ORDER BY step, ts, value LIMIT 1) f`,
      params: [runs, keys, window.fromStep, window.toStep],
    },
  };
}

export class MetricsRepository {
  /** Metric name → bigint key; names are never deleted, so the cache never goes stale. */
  private readonly keyIds = new Map<string, string>();

  constructor(private readonly ds: DataSource) {}

  /**
   * Bigint keys of the names, creating missing ones in their own committed statement — never in
   * the caller's transaction, whose uncommitted key a concurrent batch could otherwise cache and
   * reference (or wait on). An unused name left by a failed batch is harmless.
   */
  async keyIdsFor(names: readonly string[]): Promise<Map<string, string>> {
    const missing = [...new Set(names)].filter((n) => !this.keyIds.has(n));
    if (missing.length) {
      const m = this.ds.manager;
      await m.query(`INSERT INTO metric_keys (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING`, [missing]);
      const rows: { id: string; name: string }[] = await m.query(`SELECT id, name FROM metric_keys WHERE name = ANY($1::text[])`, [
        missing,
      ]);
      for (const r of rows) this.keyIds.set(r.name, r.id);
    }
    return new Map(names.map((n) => [n, this.keyIds.get(n)!]));
  }

  /** Writes the points (duplicates of stored points are skipped); returns how many were new. */
  async insertPoints(manager: EntityManager, runId: string, points: readonly MetricPointInput[]): Promise<number> {
    if (!points.length) return 0;
    const ids = await this.keyIdsFor(points.map((p) => p.key));
    const n = points.length;
    const keyIds = new Array<string>(n);
    const steps = new Array<number>(n);
    const timestamps = new Array<number>(n);
    const values = new Array<number>(n);
    // COPY's text rows, built in the same pass.
    const lines = new Array<string>(n);
    // The newest point and the extremes of each key in this batch: a duplicate of a stored point
    // is never newer or better than what is stored, so computing them before deduplication is safe.
    const summaries = new Map<string, BatchSummary>();
    let i = 0;
    for (const p of points) {
      const keyId = ids.get(p.key)!;
      keyIds[i] = keyId;
      steps[i] = p.step;
      timestamps[i] = p.timestamp;
      values[i] = p.value;
      lines[i] = `${runId}\t${keyId}\t${p.step}\t${p.timestamp}\t${floatText(p.value)}\n`;
      summaries.set(keyId, summarise(summaries.get(keyId), p));
      i++;
    }
    const inserted = await this.appendPoints(manager, runId, lines, keyIds, steps, timestamps, values);
    await manager.query(
      `INSERT INTO latest_metrics AS l (run_id, key_id, step, ts, value, min_value, min_step, max_value, max_step)
       SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::float8[], $6::float8[], $7::bigint[], $8::float8[], $9::bigint[])
       ${LATEST_UPSERT}`,
      [runId, ...latestParams(summaries)],
    );
    return inserted;
  }

  /**
   * A small batch of points for a run that must be active, in one autocommitted statement: the
   * run's row is share-locked (a concurrent delete waits), the points are appended (stored
   * duplicates skipped) and latest_metrics moved, all or nothing. This is the path of MLflow's
   * log_metric, one point per request: the transaction, savepoint and COPY of insertPoints cost
   * five round trips for it. Returns the points written, or null when the run is not active.
   */
  async appendToActiveRun(runId: string, points: readonly MetricPointInput[]): Promise<number | null> {
    const ids = await this.keyIdsFor(points.map((p) => p.key));
    const summaries = new Map<string, BatchSummary>();
    for (const p of points) {
      const keyId = ids.get(p.key)!;
      summaries.set(keyId, summarise(summaries.get(keyId), p));
    }
    const rows: { active: number; inserted: number }[] = await this.ds.query(
      `WITH run AS (SELECT id FROM runs WHERE id = $1 AND lifecycle_stage = 'active' FOR SHARE),
       added AS (
         INSERT INTO metric_points (run_id, key_id, step, ts, value)
         SELECT run.id, p.k, p.s, p.t, p.v FROM run, unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::float8[]) AS p(k, s, t, v)
         ON CONFLICT DO NOTHING RETURNING 1),
       moved AS (
         INSERT INTO latest_metrics AS l (run_id, key_id, step, ts, value, min_value, min_step, max_value, max_step)
         SELECT run.id, b.* FROM run,
           unnest($6::bigint[], $7::bigint[], $8::bigint[], $9::float8[], $10::float8[], $11::bigint[], $12::float8[], $13::bigint[]) AS b
         ${LATEST_UPSERT}
         RETURNING 1)
       SELECT (SELECT count(*) FROM run)::int AS active, (SELECT count(*) FROM added)::int AS inserted`,
      [
        runId,
        arrayLiteral(points.map((p) => ids.get(p.key)!)),
        arrayLiteral(points.map((p) => p.step)),
        arrayLiteral(points.map((p) => p.timestamp)),
        arrayLiteral(points.map((p) => p.value)),
        ...latestParams(summaries),
      ],
    );
    const row = singleRow(rows, 'the active-run append');
    return row.active ? row.inserted : null;
  }

  /**
   * Appends the points, skipping those equal to stored ones. The common case, a batch of new
   * points, goes in with COPY (multi-row heap inserts, no per-row ON CONFLICT probe): measured
   * ~2× the rows/s of INSERT … SELECT unnest(…) ON CONFLICT DO NOTHING by tools/bench/ingest.
   * A batch holding any stored point (a client retry) or a point twice makes COPY fail on the
   * primary key; the savepoint undoes it and the batch goes in again with ON CONFLICT DO NOTHING,
   * which writes only the new points. Either way triggers see exactly the rows written. `lines`
   * holds the points as COPY text rows, the parallel arrays the same points for the fallback.
   */
  private async appendPoints(
    manager: EntityManager,
    runId: string,
    lines: string[],
    keyIds: string[],
    steps: number[],
    timestamps: number[],
    values: number[],
  ): Promise<number> {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) throw new Error('MetricsRepository.insertPoints must run inside a transaction');
    await runner.query('SAVEPOINT metric_points_copy');
    try {
      const client = (await runner.connect()) as PoolClient;
      await pipeline(
        Readable.from([lines.join('')]),
        client.query(copyFrom('COPY metric_points (run_id, key_id, step, ts, value) FROM STDIN')),
      );
      await runner.query('RELEASE SAVEPOINT metric_points_copy');
      return lines.length;
    } catch (err) {
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      await runner.query('ROLLBACK TO SAVEPOINT metric_points_copy');
    }
    return affectedRows(
      manager,
      `INSERT INTO metric_points (run_id, key_id, step, ts, value)
       SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::float8[])
       ON CONFLICT DO NOTHING`,
      [runId, arrayLiteral(keyIds), arrayLiteral(steps), arrayLiteral(timestamps), arrayLiteral(values)],
    );
  }

  /** Metric name → key id for names that exist; unknown names are left out (nothing is created). */
  async existingKeyIds(names: readonly string[]): Promise<Map<string, string>> {
    const unknown = names.filter((n) => !this.keyIds.has(n));
    if (unknown.length) {
      const rows: { id: string; name: string }[] = await this.ds.query(`SELECT id, name FROM metric_keys WHERE name = ANY($1::text[])`, [
        unknown,
      ]);
      for (const r of rows) this.keyIds.set(r.name, r.id);
    }
    return new Map(names.filter((n) => this.keyIds.has(n)).map((n) => [n, this.keyIds.get(n)!]));
  }

  /**
   * First and last step of each series (null where it has no points): two probes of the primary
   * key per series, whatever its length.
   */
  async stepExtents(series: readonly { runId: string; keyId: string }[]): Promise<({ fromStep: number; toStep: number } | null)[]> {
    if (!series.length) return [];
    const rows: { i: string; lo: string | null; hi: string | null }[] = await this.ds.query(
      `SELECT s.i,
         (SELECT step FROM metric_points p WHERE p.run_id = s.run_id AND p.key_id = s.key_id ORDER BY step LIMIT 1) AS lo,
         (SELECT step FROM metric_points p WHERE p.run_id = s.run_id AND p.key_id = s.key_id ORDER BY step DESC LIMIT 1) AS hi
       FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY s(run_id, key_id, i)`,
      [series.map((x) => x.runId), series.map((x) => x.keyId)],
    );
    const out = new Array<{ fromStep: number; toStep: number } | null>(series.length).fill(null);
    for (const r of rows) if (r.lo !== null && r.hi !== null) out[Number(r.i) - 1] = { fromStep: Number(r.lo), toStep: Number(r.hi) };
    return out;
  }

  /**
   * What covers a window of each series, as pieces for bucketize (libs/domain downsample): the
   * tier rows of the cover's block ranges and the raw points of its raw ranges, plus the
   * window's first point. Rows travel packed per series (56 bytes a tier row, 24 a point; NaN
   * marks "no finite value"), so 80 series × 1,500 tier rows cost one small result, not 120,000
   * row objects.
   */
  async seriesPieces(
    series: readonly { runId: string; keyId: string }[],
    cover: Cover,
    window: { fromStep: number; toStep: number },
  ): Promise<{ pieces: Piece[]; first: StoredPoint | null }[]> {
    // Many series are read in two halves on two connections: each statement runs on one core of
    // the database, and the second half's rows decode here while the first's are still coming.
    if (series.length >= PARALLEL_SERIES) {
      const half = Math.ceil(series.length / 2);
      const parts = await Promise.all([
        this.seriesPieces(series.slice(0, half), cover, window),
        this.seriesPieces(series.slice(half), cover, window),
      ]);
      return parts.flat();
    }
    const out = series.map(() => ({ pieces: [] as Piece[], first: null as StoredPoint | null }));
    if (!series.length) return out;
    const q = seriesQueries(series, cover, window);
    type Packed = { i: string; packed: string | null }[];
    const tiers: Promise<Packed> = q.tiers ? this.ds.query(q.tiers.text, q.tiers.params) : Promise.resolve([]);
    const raw: Promise<Packed> = q.raw ? this.ds.query(q.raw.text, q.raw.params) : Promise.resolve([]);
    const firsts: Promise<{ i: string; step: string | null; ts: string | null; value: number | string | null }[]> = this.ds.query(
      q.firsts.text,
      q.firsts.params,
    );
    const [tierRows, rawRows, firstRows] = await Promise.all([tiers, raw, firsts]);
    // Rows are numbered by the statements' WITH ORDINALITY over `series`, from 1.
    const ofSeries = (i: string) => {
      const read = out[Number(i) - 1];
      if (!read) throw new Error(`a series read answered for series ${i} of ${series.length}`);
      return read;
    };
    for (const r of tierRows) {
      if (!r.packed) continue;
      const buf = Buffer.from(r.packed, 'base64');
      const pieces = ofSeries(r.i).pieces;
      for (let off = 0; off < buf.length; off += 56) {
        const last = buf.readDoubleBE(off + 48);
        const hasLast = !Number.isNaN(last);
        const min = buf.readDoubleBE(off + 16);
        const max = buf.readDoubleBE(off + 24);
        pieces.push({
          step: int64At(buf, off),
          n: buf.readInt32BE(off + 8),
          nanN: buf.readInt32BE(off + 12),
          min: Number.isNaN(min) ? null : min,
          max: Number.isNaN(max) ? null : max,
          lastStep: hasLast ? int64At(buf, off + 32) : null,
          lastTs: hasLast ? int64At(buf, off + 40) : null,
          last: hasLast ? last : null,
        });
      }
    }
    for (const r of rawRows) {
      if (!r.packed) continue;
      // Pieces may come in any order (bucketize merges them), so the points are not sorted here.
      const buf = Buffer.from(r.packed, 'base64');
      const end = packedPointCount(buf) * 24;
      const pieces = ofSeries(r.i).pieces;
      for (let off = 0; off < end; off += 24) pieces.push(pointPiece(int64At(buf, off), int64At(buf, off + 8), buf.readDoubleBE(off + 16)));
    }
    for (const r of firstRows) {
      if (r.step !== null) ofSeries(r.i).first = { step: Number(r.step), timestamp: Number(r.ts), value: Number(r.value) };
    }
    return out;
  }

  /** Latest value of every metric of the runs. */
  async latestOf(runIds: readonly string[]): Promise<LatestMetric[]> {
    if (!runIds.length) return [];
    const rows: {
      run_id: string;
      name: string;
      step: string;
      ts: string;
      value: number | string;
      min_value: number | null;
      min_step: string | null;
      max_value: number | null;
      max_step: string | null;
    }[] = await this.ds.query(
      `SELECT l.run_id, k.name, l.step, l.ts, l.value, l.min_value, l.min_step, l.max_value, l.max_step
       FROM latest_metrics l JOIN metric_keys k ON k.id = l.key_id WHERE l.run_id = ANY($1::bigint[]) ORDER BY k.name`,
      [runIds],
    );
    const extreme = (value: number | null, step: string | null): MetricExtreme | null =>
      value === null || step === null ? null : { value: Number(value), step: Number(step) };
    return rows.map((r) => ({
      runId: r.run_id,
      key: r.name,
      step: Number(r.step),
      timestamp: Number(r.ts),
      value: Number(r.value),
      min: extreme(r.min_value, r.min_step),
      max: extreme(r.max_value, r.max_step),
    }));
  }

  /**
   * One page of a metric's history in (step, timestamp, value) order, after the cursor point.
   * PostgreSQL packs each point as 24 bytes (int8send/float8send: big-endian step, timestamp,
   * value) into one bytea, and the page is decoded here from that buffer: formatting 100,000
   * float8 values as text in the database cost ~120 ms per 50,000 points, packing them ~35 ms
   * (measured with psql on a 100,000-point series).
   * One extra point is read to learn whether more follow.
   */
  async historyPage(runId: string, key: string, opts: { after?: StoredPoint | null; limit: number }): Promise<HistoryPage> {
    // A read never creates a metric name: one nobody logged has no points.
    const keyId = (await this.existingKeyIds([key])).get(key);
    if (keyId === undefined) return { steps: [], timestamps: [], values: new Float64Array(0), more: false, last: null };
    const params: unknown[] = [runId, keyId, opts.limit + 1];
    let after = '';
    if (opts.after) {
      params.push(opts.after.step, opts.after.timestamp, floatText(opts.after.value));
      after = `AND (step, ts, value) > ($4::bigint, $5::bigint, $6::float8)`;
    }
    // The aggregate reads the ordered, limited subquery in its order (an ORDER BY inside the
    // aggregate would sort again, 2.5× slower); decodePoints checks the order all the same.
    // Base64 rather than bytea's hex text: a third smaller on the wire, and decoded 2–3× faster.
    const rows: { packed: string | null }[] = await this.ds.query(
      `SELECT encode(string_agg(int8send(step) || int8send(ts) || float8send(value), ''::bytea), 'base64') AS packed
       FROM (SELECT step, ts, value FROM metric_points WHERE run_id = $1 AND key_id = $2 ${after} ORDER BY step, ts, value LIMIT $3::bigint) q`,
      params,
    );
    const { packed } = singleRow(rows, 'the history page');
    const all = decodePoints(packed === null ? null : Buffer.from(packed, 'base64'));
    const more = all.steps.length > opts.limit;
    if (more) {
      all.steps.length = all.timestamps.length = opts.limit;
      all.values = all.values.subarray(0, opts.limit);
    }
    const last = more ? pointOf(all, all.steps.length - 1) : null;
    return { ...all, more, last };
  }

  /**
   * One page of a metric's history as JSON text that PostgreSQL builds, for the wire: formatting
   * runs in the database's process, beside Node's, and the API only splices the text into the
   * answer (100,000 points would otherwise be 100,000 strings and their garbage in Node). Each
   * point is `{"key":…,"value":…,"timestamp":…,"step":…}` (MLflow's Metric, with `withKey`) or
   * `{"step":…,"timestamp":…,"value":…}`; NaN and ±Infinity are the strings "NaN", "Infinity",
   * "-Infinity" as MLflow sends them. With `columns`, the text is instead
   * `"steps":[…],"timestamps":[…],"values":[…]`. One statement reads limit + 1 points in index
   * order and joins them (the aggregate takes the ordered, limited subquery's rows in order); the
   * extra point, which only says that more follow, is cut from the end of the text here, and the
   * page's last point, the next cursor, is read back from the text's tail. (Numbering the rows
   * with a window function to leave the extra one out in SQL cost a fifth of the statement.)
   */
  async historyJson(
    runId: string,
    key: string,
    opts: { after?: StoredPoint | null; limit: number; withKey: boolean; columns?: boolean; clampInfinity?: boolean },
  ): Promise<{ items: string; count: number; last: StoredPoint | null; more: boolean }> {
    const keyId = (await this.existingKeyIds([key])).get(key) ?? '-1';
    const params: unknown[] = [runId, keyId, opts.limit];
    const param = (v: unknown) => `$${params.push(v)}`;
    const after = opts.after
      ? `AND (step, ts, value) > (${param(opts.after.step)}::bigint, ${param(opts.after.timestamp)}::bigint, ${param(floatText(opts.after.value))}::float8)`
      : '';
    // float8 text is JSON except for the non-finite values, which MLflow sends as strings; MLflow's
    // SQL store keeps ±Infinity as ±DBL_MAX, and with `clampInfinity` so does this answer.
    const value = opts.clampInfinity
      ? `CASE WHEN value = 'Infinity' THEN '${DBL_MAX_TEXT}' WHEN value = '-Infinity' THEN '-${DBL_MAX_TEXT}' WHEN value = 'NaN' THEN '"NaN"' ELSE value::text END`
      : `CASE WHEN value IN ('NaN', 'Infinity', '-Infinity') THEN '"' || value::text || '"' ELSE value::text END`;
    // The next page starts after the last point as stored: a clamped ±DBL_MAX read back from the text is the stored ±Infinity.
    const stored = (v: number) => (opts.clampInfinity && Math.abs(v) === Number.MAX_VALUE ? Math.sign(v) * Infinity : v);
    const points = `FROM (SELECT step, ts, value FROM metric_points WHERE run_id = $1 AND key_id = $2 ${after} ORDER BY step, ts, value LIMIT $3::bigint + 1) o`;
    if (opts.columns) {
      const rows: { steps: string | null; ts: string | null; vals: string | null; n: number }[] = await this.ds.query(
        `SELECT string_agg(step::text, ',') AS steps, string_agg(ts::text, ',') AS ts, string_agg(${value}, ',') AS vals, count(*)::int AS n ${points}`,
        params,
      );
      const row = singleRow(rows, 'the history columns');
      const more = row.n > opts.limit;
      const page = (list: string | null) => {
        const text = list ?? '';
        return more ? text.slice(0, text.lastIndexOf(',')) : text;
      };
      const steps = page(row.steps);
      const timestamps = page(row.ts);
      const values = page(row.vals);
      const tail = (list: string) => list.slice(list.lastIndexOf(',') + 1).replace(/"/g, '');
      const last = more ? { step: Number(tail(steps)), timestamp: Number(tail(timestamps)), value: stored(Number(tail(values))) } : null;
      return {
        items: `"steps":[${steps}],"timestamps":[${timestamps}],"values":[${values}]`,
        count: Math.min(row.n, opts.limit),
        last,
        more,
      };
    }
    const item = opts.withKey
      ? `'{"key":' || ${param(JSON.stringify(key))}::text || ',"value":' || ${value} || ',"timestamp":' || ts || ',"step":' || step || '}'`
      : `'{"step":' || step || ',"timestamp":' || ts || ',"value":' || ${value} || '}'`;
    const rows: { items: string | null; n: number }[] = await this.ds.query(
      `SELECT string_agg(${item}, ',') AS items, count(*)::int AS n ${points}`,
      params,
    );
    const row = singleRow(rows, 'the history items');
    const more = row.n > opts.limit;
    // An item's first member name with its quote cannot occur inside one (a key's quotes are escaped in its JSON).
    const start = opts.withKey ? ',{"key":' : ',{"step":';
    const items = more ? row.items!.slice(0, row.items!.lastIndexOf(start)) : (row.items ?? '');
    let last: StoredPoint | null = null;
    if (more) {
      const p = JSON.parse(items.slice(items.lastIndexOf(start.slice(1)))) as { step: number; timestamp: number; value: number | string };
      last = { step: p.step, timestamp: p.timestamp, value: stored(Number(p.value)) };
    }
    return { items, count: Math.min(row.n, opts.limit), last, more };
  }

  /** One page of a metric's history in (step, timestamp, value) order, after the given point. */
  async history(runId: string, key: string, opts: { after?: StoredPoint | null; limit: number }): Promise<StoredPoint[]> {
    const page = await this.historyPage(runId, key, opts);
    const out: StoredPoint[] = [];
    for (let i = 0; i < page.steps.length; i++) {
      const point = pointOf(page, i);
      if (point) out.push(point);
    }
    return out;
  }
}
