/**
 * Run search with MLflow's filter grammar: the parsed comparisons (libs/domain search-filter)
 * compile to one parameterised SQL statement over runs, latest_metrics, run_params and run_tags.
 * Every user-supplied key and value travels as a bind parameter; the only text spliced into
 * SQL comes from fixed tables below. MLflow's semantics: metrics compare numerically on the
 * latest value, params and tags as strings, a run without the key never matches; the default
 * order is start_time DESC then run_id, and runs missing a sort key come last.
 */
import { DataSource, In } from 'typeorm';
import {
  Comparison, decodeOffsetToken, encodeOffsetToken, OrderClause, parseOrderBy, parseRunFilter, searchMaxResults,
} from '@caliper/domain';
import { RunEntity } from '../entities/tracking.entity';

export type RunViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface RunSearchQuery {
  projectIds: readonly string[];
  experimentIds: readonly string[];
  /** MLflow filter string ("" or absent: every run). */
  filter?: string | null;
  /** MLflow order_by items, e.g. ["metrics.loss ASC"]. */
  orderBy?: readonly string[] | null;
  maxResults?: number | null;
  pageToken?: string | null;
  viewType?: RunViewType;
}

export interface RunSearchPage {
  runs: RunEntity[];
  nextPageToken: string | null;
}

/** The status as MLflow spells it (see toMlflowStatus in libs/domain). */
const MLFLOW_STATUS_SQL = `(CASE r.status WHEN 'queued' THEN 'SCHEDULED' WHEN 'starting' THEN 'SCHEDULED' WHEN 'running' THEN 'RUNNING' WHEN 'finished' THEN 'FINISHED' WHEN 'killed' THEN 'KILLED' ELSE 'FAILED' END)`;

const ATTRIBUTE_SQL: Record<string, string> = {
  run_id: 'r.uuid',
  run_name: 'r.name',
  status: MLFLOW_STATUS_SQL,
  artifact_uri: 'r.artifact_uri',
  user_id: '(SELECT u.username FROM users u WHERE u.id = r.user_id)',
  start_time: 'r.start_time',
  end_time: 'r.end_time',
};

const SQL_COMPARATOR: Record<string, string> = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=', LIKE: 'LIKE', ILIKE: 'ILIKE' };

const latestMetricSql = (keyParam: string) =>
  `(SELECT lm.value FROM latest_metrics lm JOIN metric_keys mk ON mk.id = lm.key_id WHERE lm.run_id = r.id AND mk.name = ${keyParam})`;

class Binder {
  readonly values: unknown[] = [];
  bind(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

function conditionSql(c: Comparison, b: Binder): string {
  switch (c.entity) {
    case 'metric':
      return `EXISTS (SELECT 1 FROM latest_metrics lm JOIN metric_keys mk ON mk.id = lm.key_id WHERE lm.run_id = r.id AND mk.name = ${b.bind(c.key)} AND lm.value ${SQL_COMPARATOR[c.comparator]} ${b.bind(c.value)}::float8)`;
    case 'param':
      return `EXISTS (SELECT 1 FROM run_params p WHERE p.run_id = r.id AND p.key = ${b.bind(c.key)} AND p.value ${SQL_COMPARATOR[c.comparator]} ${b.bind(c.value)}::text)`;
    case 'tag':
      return `EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.key = ${b.bind(c.key)} AND t.value ${SQL_COMPARATOR[c.comparator]} ${b.bind(c.value)}::text)`;
    case 'attribute': {
      const column = ATTRIBUTE_SQL[c.key];
      if (c.comparator === 'IN') return `${column} = ANY(${b.bind(c.value)}::text[])`;
      if (c.comparator === 'NOT IN') return `NOT (${column} = ANY(${b.bind(c.value)}::text[]))`;
      const cast = typeof c.value === 'number' ? '::bigint' : '::text';
      const value = typeof c.value === 'number' ? Math.trunc(c.value) : c.value;
      return `${column} ${SQL_COMPARATOR[c.comparator]} ${b.bind(value)}${cast}`;
    }
  }
}

function orderSql(o: OrderClause, b: Binder): string[] {
  const dir = o.ascending ? 'ASC' : 'DESC';
  switch (o.entity) {
    case 'metric':
      return [`${latestMetricSql(b.bind(o.key))} ${dir} NULLS LAST`];
    case 'param':
      return [`(SELECT p.value FROM run_params p WHERE p.run_id = r.id AND p.key = ${b.bind(o.key)}) ${dir} NULLS LAST`];
    case 'tag':
      return [`(SELECT t.value FROM run_tags t WHERE t.run_id = r.id AND t.key = ${b.bind(o.key)}) ${dir} NULLS LAST`];
    case 'attribute':
      return [`${ATTRIBUTE_SQL[o.key]} ${dir} NULLS LAST`];
  }
}

export class RunSearchRepository {
  constructor(private readonly ds: DataSource) {}

  /** One page of runs matching an MLflow search; callers have authorised the projects. */
  async searchRuns(q: RunSearchQuery): Promise<RunSearchPage> {
    const comparisons = parseRunFilter(q.filter);
    const order = parseOrderBy(q.orderBy);
    const limit = searchMaxResults(q.maxResults);
    const offset = decodeOffsetToken(q.pageToken);
    if (!q.projectIds.length || !q.experimentIds.length) return { runs: [], nextPageToken: null };

    const b = new Binder();
    const where = [
      `r.project_id = ANY(${b.bind(q.projectIds)}::uuid[])`,
      `r.experiment_id = ANY(${b.bind(q.experimentIds)}::bigint[])`,
    ];
    const view = q.viewType ?? 'ACTIVE_ONLY';
    if (view !== 'ALL') where.push(`r.lifecycle_stage = ${b.bind(view === 'ACTIVE_ONLY' ? 'active' : 'deleted')}`);
    for (const c of comparisons) where.push(conditionSql(c, b));

    const orderBy = order.flatMap((o) => orderSql(o, b));
    // MLflow's tie-breakers: start_time DESC, then run_id, unless the caller already sorted by them.
    if (!order.some((o) => o.entity === 'attribute' && o.key === 'start_time')) orderBy.push('r.start_time DESC NULLS LAST');
    if (!order.some((o) => o.entity === 'attribute' && o.key === 'run_id')) orderBy.push('r.uuid ASC');

    // One row more than asked tells whether another page exists.
    const sql = `SELECT r.id FROM runs r WHERE ${where.join(' AND ')} ORDER BY ${orderBy.join(', ')} LIMIT ${b.bind(limit + 1)} OFFSET ${b.bind(offset)}`;
    const rows: { id: string }[] = await this.ds.query(sql, b.values);
    const ids = rows.slice(0, limit).map((r) => String(r.id));
    const found = ids.length ? await this.ds.manager.findBy(RunEntity, { id: In(ids) }) : [];
    const byId = new Map(found.map((r) => [r.id, r]));
    return {
      runs: ids.map((id) => byId.get(id)!).filter(Boolean),
      nextPageToken: rows.length > limit ? encodeOffsetToken(offset + limit) : null,
    };
  }
}

/** The native API's entry point to the same search (same grammar, same order, same tokens). */
export function searchRuns(repo: RunSearchRepository, projectIds: readonly string[], experimentIds: readonly string[], filter: string | null, orderBy: readonly string[] | null, maxResults: number | null, pageToken: string | null, viewType: RunViewType = 'ACTIVE_ONLY'): Promise<RunSearchPage> {
  return repo.searchRuns({ projectIds, experimentIds, filter, orderBy, maxResults, pageToken, viewType });
}
