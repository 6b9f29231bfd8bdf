/**
 * Metric points: batched writes into the hand-written metric_points table and reads of
 * histories. Metric names become bigint keys; points are inserted from parallel arrays with ON
 * CONFLICT DO NOTHING (MLflow's identity rule makes retries harmless); then latest_metrics moves
 * forward only where the batch's newest point per key is newer by (step, ts, value). The latest
 * upsert is a separate, small, last statement in key order: concurrent batches of one run wait
 * for each other's latest rows only for the instant between that statement and commit.
 */
import { DataSource, EntityManager } from 'typeorm';
import type { MetricPointInput } from '@caliper/domain';

export interface StoredPoint {
  step: number;
  timestamp: number;
  value: number;
}

export interface LatestMetric extends StoredPoint {
  runId: string;
  key: string;
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

const floatText = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v));

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
      const rows: { id: string; name: string }[] = await m.query(`SELECT id, name FROM metric_keys WHERE name = ANY($1::text[])`, [missing]);
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
    // The newest point of each key in this batch: a duplicate of a stored point is never newer
    // than the stored latest, so computing it before deduplication is safe.
    const newest = new Map<string, MetricPointInput>();
    for (let i = 0; i < n; i++) {
      const p = points[i];
      const keyId = ids.get(p.key)!;
      keyIds[i] = keyId;
      steps[i] = p.step;
      timestamps[i] = p.timestamp;
      values[i] = p.value;
      const seen = newest.get(keyId);
      if (!seen || isNewer(p, seen)) newest.set(keyId, p);
    }
    const inserted = await affectedRows(manager,
      `INSERT INTO metric_points (run_id, key_id, step, ts, value)
       SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::float8[])
       ON CONFLICT DO NOTHING`,
      [runId, arrayLiteral(keyIds), arrayLiteral(steps), arrayLiteral(timestamps), arrayLiteral(values)],
    );
    const latest = [...newest].sort(([a], [b]) => Number(a) - Number(b));
    await manager.query(
      `INSERT INTO latest_metrics (run_id, key_id, step, ts, value)
       SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::float8[])
       ON CONFLICT (run_id, key_id) DO UPDATE SET step = EXCLUDED.step, ts = EXCLUDED.ts, value = EXCLUDED.value
       WHERE (EXCLUDED.step, EXCLUDED.ts, EXCLUDED.value) > (latest_metrics.step, latest_metrics.ts, latest_metrics.value)`,
      [runId, latest.map(([k]) => k), latest.map(([, p]) => p.step), latest.map(([, p]) => p.timestamp), latest.map(([, p]) => floatText(p.value))],
    );
    return inserted;
  }

  /** Latest value of every metric of the runs. */
  async latestOf(runIds: readonly string[]): Promise<LatestMetric[]> {
    if (!runIds.length) return [];
    const rows: { run_id: string; name: string; step: string; ts: string; value: number | string }[] = await this.ds.query(
      `SELECT l.run_id, k.name, l.step, l.ts, l.value FROM latest_metrics l JOIN metric_keys k ON k.id = l.key_id WHERE l.run_id = ANY($1::bigint[]) ORDER BY k.name`,
      [runIds],
    );
    return rows.map((r) => ({ runId: r.run_id, key: r.name, step: Number(r.step), timestamp: Number(r.ts), value: Number(r.value) }));
  }

  /**
   * One page of a metric's history as JSON text that PostgreSQL builds, for the wire: 100,000
   * points would otherwise become 100,000 row objects, then point objects, then JSON again in
   * Node. Each point is `{"key":…,"value":…,"timestamp":…,"step":…}` (MLflow's Metric, with
   * `withKey`) or `{"step":…,"timestamp":…,"value":…}`; NaN and ±Infinity are the strings
   * "NaN", "Infinity", "-Infinity" as MLflow sends them. `more` says whether points follow.
   */
  async historyJson(runId: string, key: string, opts: { after?: StoredPoint | null; limit: number; withKey: boolean }): Promise<{ items: string; count: number; last: StoredPoint | null; more: boolean }> {
    const keyId = (await this.keyIdsFor([key])).get(key);
    // Parameters of the scan ($1-$3, and the cursor); the item's key is appended for the page query only.
    const params: unknown[] = [runId, keyId, opts.limit];
    const param = (v: unknown) => `$${params.push(v)}`;
    const after = opts.after
      ? `AND (step, ts, value) > (${param(opts.after.step)}::bigint, ${param(opts.after.timestamp)}::bigint, ${param(floatText(opts.after.value))}::float8)`
      : '';
    const scan = `FROM metric_points WHERE run_id = $1 AND key_id = $2 ${after} ORDER BY step, ts, value`;
    const scanParams = [...params];
    // float8 text is JSON except for the non-finite values, which MLflow sends as strings.
    const value = `CASE WHEN value IN ('NaN', 'Infinity', '-Infinity') THEN '"' || value::text || '"' ELSE value::text END`;
    const item = opts.withKey
      ? `'{"key":' || ${param(JSON.stringify(key))}::text || ',"value":' || ${value} || ',"timestamp":' || ts || ',"step":' || step || '}'`
      : `'{"step":' || step || ',"timestamp":' || ts || ',"value":' || ${value} || '}'`;
    const [page]: { items: string | null; n: number }[] = await this.ds.query(
      `SELECT string_agg(${item}, ',' ORDER BY step, ts, value) AS items, count(*)::int AS n FROM (SELECT step, ts, value ${scan} LIMIT $3::bigint) q`,
      params,
    );
    if (page.n < opts.limit || page.n === 0) return { items: page.items ?? '', count: page.n, last: null, more: false };
    // A full page: its last point is the cursor, and one index probe past it says whether more follow.
    const [last]: { step: string; ts: string; value: number | string }[] = await this.ds.query(`SELECT step, ts, value ${scan} OFFSET $3::bigint - 1 LIMIT 1`, scanParams);
    const lastPoint = { step: Number(last.step), timestamp: Number(last.ts), value: Number(last.value) };
    const [{ more }]: { more: boolean }[] = await this.ds.query(
      `SELECT EXISTS (SELECT 1 FROM metric_points WHERE run_id = $1 AND key_id = $2 AND (step, ts, value) > ($3::bigint, $4::bigint, $5::float8)) AS more`,
      [runId, keyId, lastPoint.step, lastPoint.timestamp, floatText(lastPoint.value)],
    );
    return { items: page.items ?? '', count: page.n, last: lastPoint, more };
  }

  /** One page of a metric's history in (step, timestamp, value) order, after the given point. */
  async history(runId: string, key: string, opts: { after?: StoredPoint | null; limit: number }): Promise<StoredPoint[]> {
    const keyId = (await this.keyIdsFor([key])).get(key);
    const params: unknown[] = [runId, keyId, opts.limit];
    let where = '';
    if (opts.after) {
      params.push(opts.after.step, opts.after.timestamp, floatText(opts.after.value));
      where = `AND (step, ts, value) > ($4, $5, $6::float8)`;
    }
    const rows: { step: string; ts: string; value: number | string }[] = await this.ds.query(
      `SELECT step, ts, value FROM metric_points WHERE run_id = $1 AND key_id = $2 ${where} ORDER BY step, ts, value LIMIT $3`,
      params,
    );
    return rows.map((r) => ({ step: Number(r.step), timestamp: Number(r.ts), value: Number(r.value) }));
  }
}
