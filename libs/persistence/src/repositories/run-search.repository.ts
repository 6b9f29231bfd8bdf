/**
 * Run search with MLflow's filter grammar: the parsed comparisons (libs/domain search-filter)
 * compile to one parameterised SQL statement over runs, latest_metrics, run_params, run_tags
 * and run_inputs (the runs table's order by a best value also reads the project's
 * metric_directions, beforehand). Every user-supplied key and value travels as a bind parameter;
 * the only text spliced into SQL comes from fixed tables below. MLflow's semantics: metrics compare
 * numerically on the latest value, params and tags as strings, a run without the key never
 * matches; a dataset condition holds when some dataset input of the run satisfies it (so
 * `datasets.name != 'a'` means "has a dataset not named a", as in MLflow's SqlAlchemyStore);
 * the default order is start_time DESC then run_id, and runs missing a sort key come last.
 */
import { DataSource, In } from 'typeorm';
import {
  Comparison,
  DATASET_CONTEXT_TAG,
  type DatasetKey,
  decodeOffsetToken,
  defaultMetricDirection,
  encodeOffsetToken,
  isMetricDirection,
  type MetricDirection,
  OrderClause,
  parseOrderBy,
  parseRunFilter,
  parseTableOrderBy,
  searchMaxResults,
  type TableOrderClause,
  TrackingError,
} from '@caliper/domain';
import { boundedQuery } from '../bounded-query';
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

/** The SQL of a run attribute; the filter and order parsers accept no other keys, so any other is a bug upstream. */
function attributeSql(key: string): string {
  const sql = ATTRIBUTE_SQL[key];
  if (sql === undefined) throw new Error(`no SQL for run attribute '${key}'`);
  return sql;
}

const SQL_COMPARATOR: Record<string, string> = {
  '=': '=',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  LIKE: 'LIKE',
  ILIKE: 'ILIKE',
};

/** A comparison of a text expression with a bound string or, for IN / NOT IN, a bound string array. */
function textComparisonSql(expr: string, comparator: string, value: string | string[], b: Binder): string {
  if (comparator === 'IN') return `${expr} = ANY(${b.bind(value)}::text[])`;
  if (comparator === 'NOT IN') return `NOT (${expr} = ANY(${b.bind(value)}::text[]))`;
  return `${expr} ${SQL_COMPARATOR[comparator]} ${b.bind(value)}::text`;
}

/** The dataset input columns `datasets.name` and `datasets.digest` read. */
const DATASET_COLUMN_SQL: Record<Exclude<DatasetKey, 'context'>, string> = { name: 'i.name', digest: 'i.digest' };

const latestMetricSql = (keyParam: string) =>
  `(SELECT lm.value FROM latest_metrics lm JOIN metric_keys mk ON mk.id = lm.key_id WHERE lm.run_id = r.id AND mk.name = ${keyParam})`;

class Binder {
  readonly values: unknown[] = [];
  bind(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/**
 * Metric names resolved to their metric_keys ids before the search is planned, so the planner
 * sees a constant key_id and can range-scan latest_metrics (key_id, value). A name never logged
 * anywhere maps to -1, which matches no row.
 */
type MetricKeyIds = ReadonlyMap<string, string>;

/** Characters of a param or tag value kept in the (key, value) indexes. */
export const VALUE_PREFIX = 200;

/**
 * A param or tag value comparison. Equality goes through the indexed prefix
 * (IDX_run_params_key_value, IDX_run_tags_key_value index left(value, 200): values may be longer
 * than a B-tree entry allows): for a value shorter than the prefix, `left(value, 200) = v` alone
 * is equivalent to `value = v`, and one predicate keeps the planner's row estimate honest (two
 * would count the same selectivity twice); a longer value compares both.
 */
function valueComparisonSql(alias: string, comparator: string, value: string, b: Binder): string {
  const v = b.bind(value);
  if (comparator !== '=') return `${alias}.value ${SQL_COMPARATOR[comparator]} ${v}::text`;
  const prefix = `left(${alias}.value, ${VALUE_PREFIX}) = left(${v}::text, ${VALUE_PREFIX})`;
  return [...value].length < VALUE_PREFIX ? prefix : `${prefix} AND ${alias}.value = ${v}::text`;
}

/**
 * How many EXISTS comparisons the planner may turn into semi-joins. Each one is a relation in
 * the join search, whose planning time grows much faster than the count (measured on an empty
 * database: 10 → 26 ms, 50 → 424 ms, 100 → 2.2 s of planning alone). Past this many, every
 * EXISTS is fenced with OFFSET 0 so it stays a per-row subplan: planning is linear (100 → 1.6 ms)
 * and each run is checked clause by clause, stopping at the first that fails.
 */
export const SEMIJOIN_MAX_COMPARISONS = 4;

/** How long one search statement may run before PostgreSQL stops it (the request class "run search"). */
export const SEARCH_TIMEOUT_MS = 10_000;

const existsSql = (body: string, fenced: boolean) => `EXISTS (${body}${fenced ? ' OFFSET 0' : ''})`;

function conditionSql(c: Comparison, b: Binder, keyIds: MetricKeyIds | undefined, fenced: boolean): string {
  switch (c.entity) {
    case 'metric':
      if (keyIds)
        return existsSql(
          `SELECT 1 FROM latest_metrics lm WHERE lm.run_id = r.id AND lm.key_id = ${b.bind(keyIds.get(c.key) ?? '-1')}::bigint AND lm.value ${SQL_COMPARATOR[c.comparator]} ${b.bind(c.value)}::float8`,
          fenced,
        );
      return existsSql(
        `SELECT 1 FROM latest_metrics lm JOIN metric_keys mk ON mk.id = lm.key_id WHERE lm.run_id = r.id AND mk.name = ${b.bind(c.key)} AND lm.value ${SQL_COMPARATOR[c.comparator]} ${b.bind(c.value)}::float8`,
        fenced,
      );
    case 'param':
      return existsSql(
        `SELECT 1 FROM run_params p WHERE p.run_id = r.id AND p.key = ${b.bind(c.key)} AND ${valueComparisonSql('p', c.comparator, c.value, b)}`,
        fenced,
      );
    case 'tag':
      return existsSql(
        `SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.key = ${b.bind(c.key)} AND ${valueComparisonSql('t', c.comparator, c.value, b)}`,
        fenced,
      );
    case 'attribute': {
      const column = attributeSql(c.key);
      if (typeof c.value === 'number') return `${column} ${SQL_COMPARATOR[c.comparator]} ${b.bind(Math.trunc(c.value))}::bigint`;
      return textComparisonSql(column, c.comparator, c.value, b);
    }
    case 'dataset': {
      if (c.key !== 'context')
        return existsSql(
          `SELECT 1 FROM run_inputs i WHERE i.run_id = r.id AND i.kind = 'dataset' AND ${textComparisonSql(DATASET_COLUMN_SQL[c.key], c.comparator, c.value, b)}`,
          fenced,
        );
      // The context is the input's mlflow.data.context tag, kept in the descriptor's tags list.
      const tags = `jsonb_array_elements(CASE WHEN jsonb_typeof(i.descriptor->'tags') = 'array' THEN i.descriptor->'tags' ELSE '[]'::jsonb END) AS it(tag)`;
      return existsSql(
        `SELECT 1 FROM run_inputs i CROSS JOIN LATERAL ${tags} WHERE i.run_id = r.id AND i.kind = 'dataset' AND it.tag->>'key' = ${b.bind(DATASET_CONTEXT_TAG)}::text AND ${textComparisonSql(`(it.tag->>'value')`, c.comparator, c.value, b)}`,
        fenced,
      );
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
      return [`${attributeSql(o.key)} ${dir} NULLS LAST`];
  }
}

export interface RunTableQuery {
  projectId: string;
  /** The experiments searched (an experiment's table: one; a project's: its active experiments). */
  experimentIds: readonly string[];
  filter?: string | null;
  /** Order items as in MLflow (`metrics.loss DESC`), plus `attributes.duration` and `best.<metric key>` (best first); ties by run id. */
  orderBy?: readonly string[] | null;
  first: number;
  after?: string | null;
}

export interface RunTablePage {
  runs: RunEntity[];
  /** The cursor after each run, parallel to runs. */
  cursors: string[];
  hasNextPage: boolean;
  totalCount: number;
}

export interface RunColumnKeys {
  params: string[];
  metrics: string[];
  tags: string[];
}

/** A runs-table cursor does not belong to this sort (or was tampered with). */
export class RunCursorError extends Error {}

/** One ORDER BY expression of the runs table, with the SQL type its cursor value is bound as. */
interface SortKey {
  expr: string;
  type: 'float8' | 'bigint' | 'text';
  ascending: boolean;
}

/** A series' best by the metric's direction: the latest_metrics column that keeps it, and best first. */
const BEST_SQL: Record<MetricDirection, { column: string; ascending: boolean }> = {
  min: { column: 'lm.min_value', ascending: true },
  max: { column: 'lm.max_value', ascending: false },
};

/**
 * The sort expressions of an order clause: a param sorts by its numeric value, then its text; a
 * best value by the key's direction in the project (`directions`, resolved for every best key).
 */
function sortKeys(o: TableOrderClause, b: Binder, keyIds: MetricKeyIds, directions: ReadonlyMap<string, MetricDirection>): SortKey[] {
  if (o.entity === 'best') {
    const best = BEST_SQL[directions.get(o.key) ?? defaultMetricDirection(o.key)];
    return [
      {
        expr: `(SELECT ${best.column} FROM latest_metrics lm WHERE lm.run_id = r.id AND lm.key_id = ${b.bind(keyIds.get(o.key) ?? '-1')}::bigint)`,
        type: 'float8',
        ascending: best.ascending,
      },
    ];
  }
  const asc = o.ascending;
  switch (o.entity) {
    case 'metric':
      return [
        {
          expr: `(SELECT lm.value FROM latest_metrics lm WHERE lm.run_id = r.id AND lm.key_id = ${b.bind(keyIds.get(o.key) ?? '-1')}::bigint)`,
          type: 'float8',
          ascending: asc,
        },
      ];
    case 'param': {
      const k = b.bind(o.key);
      return [
        { expr: `(SELECT p.value_num FROM run_params p WHERE p.run_id = r.id AND p.key = ${k}::text)`, type: 'float8', ascending: asc },
        { expr: `(SELECT p.value FROM run_params p WHERE p.run_id = r.id AND p.key = ${k}::text)`, type: 'text', ascending: asc },
      ];
    }
    case 'tag':
      return [
        { expr: `(SELECT t.value FROM run_tags t WHERE t.run_id = r.id AND t.key = ${b.bind(o.key)}::text)`, type: 'text', ascending: asc },
      ];
    case 'attribute':
      if (o.key === 'start_time' || o.key === 'end_time') return [{ expr: `r.${o.key}`, type: 'bigint', ascending: asc }];
      if (o.key === 'duration') return [{ expr: '(r.end_time - r.start_time)', type: 'bigint', ascending: asc }];
      if (o.key === 'status') return [{ expr: 'r.status', type: 'text', ascending: asc }];
      return [{ expr: attributeSql(o.key), type: 'text', ascending: asc }];
  }
}

/**
 * Rows strictly after the cursor in the order `keys` (each NULLS LAST), then `r.uuid` ascending:
 * the keyset condition. For one key k with cursor value c it reads
 * `k > c OR k IS NULL OR (k = c AND <rest>)` ascending with c not null, and `k IS NULL AND <rest>`
 * when c is null (nulls come last, so nothing non-null follows them).
 */
function keysetSql(keys: SortKey[], values: (string | null)[], uuid: string, b: Binder): string {
  // Built from the last key outwards; the uuid is bound first, then each key's value.
  return keys.reduceRight(
    (rest, k, i) => {
      const v = values[i];
      if (v === null) return `(${k.expr} IS NULL AND ${rest})`;
      const c = `${b.bind(v)}::${k.type}`;
      return `(${k.expr} ${k.ascending ? '>' : '<'} ${c} OR ${k.expr} IS NULL OR (${k.expr} = ${c} AND ${rest}))`;
    },
    `r.uuid > ${b.bind(uuid)}::text`,
  );
}

const encodeTableCursor = (signature: string, values: (string | null)[], uuid: string): string =>
  Buffer.from(JSON.stringify([signature, ...values, uuid])).toString('base64url');

function decodeTableCursor(cursor: string, signature: string, n: number): { values: (string | null)[]; uuid: string } {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parts = null;
  }
  if (!Array.isArray(parts) || parts.length !== n + 2 || parts[0] !== signature)
    throw new RunCursorError('must be a cursor from pageInfo.endCursor of the same filter and order');
  const values = parts.slice(1, n + 1);
  const uuid = parts[n + 1];
  if (
    !values.every((v) => v === null || (typeof v === 'string' && v.length <= 10_000)) ||
    typeof uuid !== 'string' ||
    !/^[0-9a-f]{32}$/.test(uuid)
  ) {
    throw new RunCursorError('must be a cursor from pageInfo.endCursor of the same filter and order');
  }
  return { values: values as (string | null)[], uuid };
}

/** The runs-table scope and filter: the project's active runs of the experiments that match every comparison. */
function tableWhere(
  q: Pick<RunTableQuery, 'projectId' | 'experimentIds'>,
  comparisons: readonly Comparison[],
  b: Binder,
  keyIds: MetricKeyIds,
): string[] {
  const w = [
    `r.project_id = ${b.bind(q.projectId)}::uuid`,
    `r.experiment_id = ANY(${b.bind(q.experimentIds)}::bigint[])`,
    `r.lifecycle_stage = 'active'`,
  ];
  for (const c of comparisons) w.push(conditionSql(c, b, keyIds, comparisons.length > SEMIJOIN_MAX_COMPARISONS));
  return w;
}

/** Most groups one runGroups answer lists. */
export const MAX_RUN_GROUPS = 500;

export type RunGroupsQuery = Pick<RunTableQuery, 'projectId' | 'experimentIds' | 'filter'> & { by: string };

export interface RunGroups {
  /** In the table's ascending order for the key (a param by number, then text); runs without the key last, as value null. */
  groups: { value: string | null; count: number }[];
  /** More than MAX_RUN_GROUPS distinct values: the first ones are listed. */
  truncated: boolean;
}

/** Distinct keys of a run child table within the scope: a skip scan over the (key, …) index, then one probe per key. */
const distinctKeysSql = (table: 'run_params' | 'run_tags', limit: number) => `
  WITH RECURSIVE k(key) AS (
    (SELECT key FROM ${table} ORDER BY key LIMIT 1)
    UNION ALL
    SELECT (SELECT x.key FROM ${table} x WHERE x.key > k.key ORDER BY x.key LIMIT 1) FROM k WHERE k.key IS NOT NULL
  )
  SELECT k.key FROM k WHERE k.key IS NOT NULL AND EXISTS (
    SELECT 1 FROM ${table} c JOIN runs r ON r.id = c.run_id
    WHERE c.key = k.key AND r.project_id = $1::uuid AND r.experiment_id = ANY($2::bigint[]) AND r.lifecycle_stage = 'active')
  ORDER BY k.key LIMIT ${limit}`;

/** Most keys of each kind the column chooser is offered. */
export const MAX_COLUMN_KEYS = 2000;

export class RunSearchRepository {
  constructor(private readonly ds: DataSource) {}

  /** metric_keys ids of the named metrics (names never logged are absent). */
  private async metricKeyIds(names: Iterable<string>): Promise<Map<string, string>> {
    const list = [...new Set(names)];
    if (!list.length) return new Map();
    const rows: { id: string; name: string }[] = await this.ds.query(
      `SELECT id::text AS id, name FROM metric_keys WHERE name = ANY($1::text[])`,
      [list],
    );
    return new Map(rows.map((r) => [r.name, r.id]));
  }

  /** Each key's direction in the project: the one set for it (metric_directions), else the default from its name. */
  private async metricDirections(projectId: string, keys: Iterable<string>): Promise<Map<string, MetricDirection>> {
    const list = [...new Set(keys)];
    if (!list.length) return new Map();
    const rows: { key: string; direction: string }[] = await this.ds.query(
      `SELECT key, direction FROM metric_directions WHERE project_id = $1::uuid AND key = ANY($2::text[])`,
      [projectId, list],
    );
    const set = new Map(rows.flatMap((r) => (isMetricDirection(r.direction) ? [[r.key, r.direction] as const] : [])));
    return new Map(list.map((k) => [k, set.get(k) ?? defaultMetricDirection(k)]));
  }

  /**
   * The SQL of one runs-table page, without running it (the EXPLAIN test reads its plan). Filter
   * and order errors are TrackingError INVALID_PARAMETER; a foreign cursor is RunCursorError.
   */
  async tableSql(
    q: RunTableQuery,
  ): Promise<{ sql: string; values: unknown[]; countSql: string; countValues: unknown[]; keys: SortKey[]; signature: string }> {
    const comparisons = parseRunFilter(q.filter);
    const order = parseTableOrderBy(q.orderBy);
    const bestKeys = order.flatMap((o) => (o.entity === 'best' ? [o.key] : []));
    const [keyIds, directions] = await Promise.all([
      this.metricKeyIds([...comparisons, ...order].filter((c) => c.entity === 'metric' || c.entity === 'best').map((c) => c.key)),
      this.metricDirections(q.projectId, bestKeys),
    ]);
    // A cursor holds values of this order: one from before a direction changed sorts otherwise and is refused.
    const signature = JSON.stringify([q.filter ?? '', order, ...(bestKeys.length ? [[...directions]] : [])]);

    const where = (b: Binder) => tableWhere(q, comparisons, b, keyIds);
    const cb = new Binder();
    const countSql = `SELECT count(*)::int AS n FROM runs r WHERE ${where(cb).join(' AND ')}`;

    const b = new Binder();
    const w = where(b);
    // The default order is the newest first, as MLflow's.
    const keys = (order.length ? order : [{ entity: 'attribute', key: 'start_time', ascending: false } as OrderClause]).flatMap((o) =>
      sortKeys(o, b, keyIds, directions),
    );
    if (q.after) {
      const { values, uuid } = decodeTableCursor(q.after, signature, keys.length);
      w.push(keysetSql(keys, values, uuid, b));
    }
    const select = keys.map((k, i) => `${k.expr}::text AS s${i}`).join(', ');
    const orderBy = [...keys.map((k) => `${k.expr} ${k.ascending ? 'ASC' : 'DESC'} NULLS LAST`), 'r.uuid ASC'].join(', ');
    const sql = `SELECT r.id, r.uuid, ${select} FROM runs r WHERE ${w.join(' AND ')} ORDER BY ${orderBy} LIMIT ${b.bind(q.first + 1)}`;
    return { sql, values: b.values, countSql, countValues: cb.values, keys, signature };
  }

  /** One page of the web's runs table: filter, order (NULLS LAST, ties by run id), keyset cursor and total. */
  async searchTable(q: RunTableQuery): Promise<RunTablePage> {
    if (!q.experimentIds.length) {
      parseRunFilter(q.filter);
      parseTableOrderBy(q.orderBy);
      return { runs: [], cursors: [], hasNextPage: false, totalCount: 0 };
    }
    const { sql, values, countSql, countValues, keys, signature } = await this.tableSql(q);
    const [rows, count] = await Promise.all([
      boundedQuery<Record<string, string | null>>(this.ds, sql, values, { timeoutMs: SEARCH_TIMEOUT_MS, what: 'The run search' }),
      boundedQuery<{ n: number }>(this.ds, countSql, countValues, { timeoutMs: SEARCH_TIMEOUT_MS, what: 'Counting the matching runs' }),
    ]);
    const page = rows.slice(0, q.first);
    const ids = page.map((r) => String(r.id));
    const found = ids.length ? await this.ds.manager.findBy(RunEntity, { id: In(ids) }) : [];
    const byId = new Map(found.map((r) => [r.id, r]));
    return {
      runs: ids.map((id) => byId.get(id)!).filter(Boolean),
      cursors: page
        .filter((r) => byId.has(String(r.id)))
        .map((r) =>
          encodeTableCursor(
            signature,
            keys.map((_, i) => r[`s${i}`] ?? null),
            String(r.uuid),
          ),
        ),
      hasNextPage: rows.length > q.first,
      totalCount: count[0]?.n ?? 0,
    };
  }

  /**
   * How many of the table's runs (scope and filter as `searchTable`) hold each value of a param
   * or tag: the runs table's group headers, true over every matching run and not only the
   * loaded pages. `by` is `params.<key>` or `tags.<key>` in the order-by grammar.
   */
  async groupCounts(q: RunGroupsQuery): Promise<RunGroups> {
    if (!q.experimentIds.length) {
      await this.groupSql({ ...q, experimentIds: ['0'] });
      return { groups: [], truncated: false };
    }
    const { sql, values } = await this.groupSql(q);
    const rows = await boundedQuery<{ value: string | null; n: number }>(this.ds, sql, values, {
      timeoutMs: SEARCH_TIMEOUT_MS,
      what: 'Grouping the matching runs',
    });
    return { groups: rows.slice(0, MAX_RUN_GROUPS).map((r) => ({ value: r.value, count: r.n })), truncated: rows.length > MAX_RUN_GROUPS };
  }

  /** The SQL of `groupCounts`, without running it (the EXPLAIN test reads its plan); a bad `by` or filter is TrackingError INVALID_PARAMETER. */
  async groupSql(q: RunGroupsQuery): Promise<{ sql: string; values: unknown[] }> {
    const comparisons = parseRunFilter(q.filter);
    const [by, ...more] = parseTableOrderBy([q.by]);
    if (!by || more.length || (by.entity !== 'param' && by.entity !== 'tag')) {
      throw new TrackingError('INVALID_PARAMETER', `group by a param or a tag (params.<key> or tags.<key>), not '${q.by}'`);
    }
    const keyIds = await this.metricKeyIds(comparisons.filter((c) => c.entity === 'metric').map((c) => c.key));
    const b = new Binder();
    const w = tableWhere(q, comparisons, b, keyIds);
    const param = by.entity === 'param';
    const sql = `SELECT g.value, count(*)::int AS n FROM runs r
      LEFT JOIN ${param ? 'run_params' : 'run_tags'} g ON g.run_id = r.id AND g.key = ${b.bind(by.key)}::text
      WHERE ${w.join(' AND ')}
      GROUP BY ${param ? 'g.value_num, ' : ''}g.value ORDER BY ${param ? 'g.value_num ASC NULLS LAST, ' : ''}g.value ASC NULLS LAST LIMIT ${b.bind(MAX_RUN_GROUPS + 1)}`;
    return { sql, values: b.values };
  }

  /**
   * The param, metric and tag keys logged by the active runs of the experiments (for the column
   * chooser and filter autocomplete), sorted. Param and tag keys come from a skip scan of the
   * (key, value) indexes with one existence probe per key, metric keys from the small
   * metric_keys table probed through latest_metrics (key_id, value): the cost follows the number
   * of distinct keys, not of runs.
   */
  async columnKeys(projectId: string, experimentIds: readonly string[]): Promise<RunColumnKeys> {
    if (!experimentIds.length) return { params: [], metrics: [], tags: [] };
    const args = [projectId, experimentIds];
    const [params, tags, metrics] = await Promise.all([
      this.ds.query(distinctKeysSql('run_params', MAX_COLUMN_KEYS), args) as Promise<{ key: string }[]>,
      this.ds.query(distinctKeysSql('run_tags', MAX_COLUMN_KEYS), args) as Promise<{ key: string }[]>,
      this.ds.query(
        `SELECT mk.name AS key FROM metric_keys mk WHERE EXISTS (
           SELECT 1 FROM latest_metrics lm JOIN runs r ON r.id = lm.run_id
           WHERE lm.key_id = mk.id AND r.project_id = $1::uuid AND r.experiment_id = ANY($2::bigint[]) AND r.lifecycle_stage = 'active')
         ORDER BY mk.name LIMIT ${MAX_COLUMN_KEYS}`,
        args,
      ) as Promise<{ key: string }[]>,
    ]);
    return { params: params.map((r) => r.key), metrics: metrics.map((r) => r.key), tags: tags.map((r) => r.key) };
  }

  /** One page of runs matching an MLflow search; callers have authorised the projects. */
  async searchRuns(q: RunSearchQuery): Promise<RunSearchPage> {
    const comparisons = parseRunFilter(q.filter);
    const order = parseOrderBy(q.orderBy);
    const limit = searchMaxResults(q.maxResults);
    const offset = decodeOffsetToken(q.pageToken);
    if (!q.projectIds.length || !q.experimentIds.length) return { runs: [], nextPageToken: null };

    const b = new Binder();
    const where = [`r.project_id = ANY(${b.bind(q.projectIds)}::uuid[])`, `r.experiment_id = ANY(${b.bind(q.experimentIds)}::bigint[])`];
    const view = q.viewType ?? 'ACTIVE_ONLY';
    if (view !== 'ALL') where.push(`r.lifecycle_stage = ${b.bind(view === 'ACTIVE_ONLY' ? 'active' : 'deleted')}`);
    for (const c of comparisons) where.push(conditionSql(c, b, undefined, comparisons.length > SEMIJOIN_MAX_COMPARISONS));

    const orderBy = order.flatMap((o) => orderSql(o, b));
    // MLflow's tie-breakers: start_time DESC, then run_id, unless the caller already sorted by them.
    if (!order.some((o) => o.entity === 'attribute' && o.key === 'start_time')) orderBy.push('r.start_time DESC NULLS LAST');
    if (!order.some((o) => o.entity === 'attribute' && o.key === 'run_id')) orderBy.push('r.uuid ASC');

    // One row more than asked tells whether another page exists.
    const sql = `SELECT r.id FROM runs r WHERE ${where.join(' AND ')} ORDER BY ${orderBy.join(', ')} LIMIT ${b.bind(limit + 1)} OFFSET ${b.bind(offset)}`;
    const rows = await boundedQuery<{ id: string }>(this.ds, sql, b.values, { timeoutMs: SEARCH_TIMEOUT_MS, what: 'The run search' });
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
export function searchRuns(
  repo: RunSearchRepository,
  projectIds: readonly string[],
  experimentIds: readonly string[],
  filter: string | null,
  orderBy: readonly string[] | null,
  maxResults: number | null,
  pageToken: string | null,
  viewType: RunViewType = 'ACTIVE_ONLY',
): Promise<RunSearchPage> {
  return repo.searchRuns({ projectIds, experimentIds, filter, orderBy, maxResults, pageToken, viewType });
}
