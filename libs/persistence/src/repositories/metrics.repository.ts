/**
 * Metric points: batched writes into the hand-written metric_points table and reads of
 * histories. One statement per batch: metric names become bigint keys, points are inserted
 * from parallel arrays with ON CONFLICT DO NOTHING (MLflow's identity rule makes retries
 * harmless), and latest_metrics moves forward only when a point is newer by (step, ts, value).
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
const floatText = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v));

export class MetricsRepository {
  /** Metric name → bigint key; names are never deleted, so the cache never goes stale. */
  private readonly keyIds = new Map<string, string>();

  constructor(private readonly ds: DataSource) {}

  async keyIdsFor(names: readonly string[], manager?: EntityManager): Promise<Map<string, string>> {
    const missing = [...new Set(names)].filter((n) => !this.keyIds.has(n));
    if (missing.length) {
      const m = manager ?? this.ds.manager;
      await m.query(`INSERT INTO metric_keys (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING`, [missing]);
      const rows: { id: string; name: string }[] = await m.query(`SELECT id, name FROM metric_keys WHERE name = ANY($1::text[])`, [missing]);
      for (const r of rows) this.keyIds.set(r.name, r.id);
    }
    return new Map(names.map((n) => [n, this.keyIds.get(n)!]));
  }

  /** Writes the points (duplicates of stored points are skipped); returns how many were new. */
  async insertPoints(manager: EntityManager, runId: string, points: readonly MetricPointInput[]): Promise<number> {
    if (!points.length) return 0;
    const ids = await this.keyIdsFor(points.map((p) => p.key), manager);
    const rows: { inserted: string }[] = await manager.query(
      `WITH input AS (
         SELECT * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::float8[]) AS t(key_id, step, ts, value)
       ), inserted AS (
         INSERT INTO metric_points (run_id, key_id, step, ts, value)
         SELECT $1, key_id, step, ts, value FROM input
         ON CONFLICT DO NOTHING
         RETURNING key_id, step, ts, value
       ), newest AS (
         SELECT DISTINCT ON (key_id) key_id, step, ts, value FROM inserted ORDER BY key_id, step DESC, ts DESC, value DESC
       ), latest AS (
         INSERT INTO latest_metrics (run_id, key_id, step, ts, value)
         SELECT $1, key_id, step, ts, value FROM newest
         ON CONFLICT (run_id, key_id) DO UPDATE SET step = EXCLUDED.step, ts = EXCLUDED.ts, value = EXCLUDED.value
         WHERE (EXCLUDED.step, EXCLUDED.ts, EXCLUDED.value) > (latest_metrics.step, latest_metrics.ts, latest_metrics.value)
       )
       SELECT count(*)::text AS inserted FROM inserted`,
      [runId, points.map((p) => ids.get(p.key)), points.map((p) => p.step), points.map((p) => p.timestamp), points.map((p) => floatText(p.value))],
    );
    return Number(rows[0].inserted);
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
