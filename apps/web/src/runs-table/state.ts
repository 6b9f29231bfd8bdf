/**
 * The runs table's view state in one serialisable object: filter text, quick filters, sort,
 * columns, grouping and how many pages are loaded. The URL query string carries it (a shared
 * link opens the same table) and saved views store the same object, so it is plain data with
 * parse/serialise functions and no React in sight.
 *
 * Column ids name what a column shows the way the API's filter grammar does: `metrics.<key>`,
 * `params.<key>`, `tags.<key>` and `attributes.<name>` (run_name, status, user, start_time,
 * end_time, duration, run_id). The kind is part of a column's identity everywhere (selection,
 * sort, grouping, the URL, the CSV export), since a metric, a param and a tag can share a key
 * (`lr`). An address that names a bare key, as older links did, still parses: resolveBareKeys
 * turns it into every column of that key once the experiment's keys are known. The table can also
 * be sorted by a metric's best value (`best.<key>`, a sort but no column): best first, by the
 * project's direction for the key, which the server reads.
 */

export const MLFLOW_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type MlflowStatusFilter = (typeof MLFLOW_STATUSES)[number];

export const ATTRIBUTE_COLUMNS = ['status', 'run_name', 'user', 'start_time', 'end_time', 'duration', 'run_id'] as const;
export type AttributeColumn = (typeof ATTRIBUTE_COLUMNS)[number];
export const ATTRIBUTE_LABELS: Record<AttributeColumn, string> = {
  status: 'Status',
  run_name: 'Run',
  user: 'User',
  start_time: 'Started',
  end_time: 'Ended',
  duration: 'Duration',
  run_id: 'Run ID',
};
/** The run's name carries the row's link and checkbox: always shown. */
export const NAME_COLUMN = 'attributes.run_name';

export interface RunsTableState {
  /** Filter in MLflow's grammar, as typed. */
  filter: string;
  /** Quick filters, ANDed with the filter. */
  status: MlflowStatusFilter | null;
  user: string | null;
  tag: { key: string; value: string } | null;
  /** A column id, or `best.<key>` for a metric's best value (best first: `descending` is not used). */
  sort: { column: string; descending: boolean } | null;
  /** Chosen columns in order; null: the defaults (attributes, then the first metrics and params). */
  columns: string[] | null;
  /** `params.<key>` or `tags.<key>`. */
  groupBy: string | null;
  /** Pages of runs loaded (infinite scroll), so a reload shows as many rows. */
  pages: number;
  /** Each metric column has its best value (by the project's direction for the key) beside its latest. */
  best: boolean;
}

export const DEFAULT_STATE: RunsTableState = {
  filter: '',
  status: null,
  user: null,
  tag: null,
  sort: null,
  columns: null,
  groupBy: null,
  pages: 1,
  best: false,
};
export const MAX_PAGES = 50;

export type ColumnKind = 'attributes' | 'metrics' | 'params' | 'tags';
export interface ColumnRef {
  kind: ColumnKind;
  key: string;
}

/** `metrics.val.loss` → { kind: 'metrics', key: 'val.loss' }; null for anything else. */
export function parseColumn(id: string): ColumnRef | null {
  const dot = id.indexOf('.');
  if (dot < 0) return null;
  const kind = id.slice(0, dot);
  const key = id.slice(dot + 1);
  if (!key) return null;
  if (kind === 'attributes') return (ATTRIBUTE_COLUMNS as readonly string[]).includes(key) ? { kind, key } : null;
  if (kind === 'metrics' || kind === 'params' || kind === 'tags') return { kind, key };
  return null;
}

export const columnId = (c: ColumnRef): string => `${c.kind}.${c.key}`;

/** A column's header: the attribute's name, or the key itself. */
export function columnLabel(id: string): string {
  const c = parseColumn(id);
  if (!c) return id;
  return c.kind === 'attributes' ? ATTRIBUTE_LABELS[c.key as AttributeColumn] : c.key;
}

/** What a key column holds, as its header says it ('metric', 'param', 'tag'); null for attributes. */
export function columnKind(id: string): 'metric' | 'param' | 'tag' | null {
  const c = parseColumn(id);
  if (!c || c.kind === 'attributes') return null;
  return c.kind === 'metrics' ? 'metric' : c.kind === 'params' ? 'param' : 'tag';
}

/** The sort by the best value of metric `key`. */
export const bestSortColumn = (key: string): string => `best.${key}`;

/** The metric whose best value a sort column names (`best.<key>`); null for any other sort. */
export function bestSortKey(column: string | null | undefined): string | null {
  return column?.startsWith('best.') && column.length > 'best.'.length ? column.slice('best.'.length) : null;
}

/** A key without a kind (`lr`), as older addresses named columns; `attributes.bogus` or `metrics.` is just malformed. */
export const isBareKey = (id: string): boolean =>
  id !== '' && parseColumn(id) === null && !/^(attributes|metrics|params|tags|best)\./.test(id);

/** Whether the state names any column, sort or grouping by a bare key. */
export const hasBareKeys = (state: Pick<RunsTableState, 'columns' | 'sort' | 'groupBy'>): boolean =>
  (state.columns ?? []).some(isBareKey) ||
  (state.sort !== null && isBareKey(state.sort.column)) ||
  (state.groupBy !== null && isBareKey(state.groupBy));

export interface ExperimentKeys {
  metrics: readonly string[];
  params: readonly string[];
  tags: readonly string[];
}

/**
 * The state with each bare key made a column id by the experiment's keys: a column becomes every
 * column of that key (metric, param, tag: nothing it showed is hidden), a sort the first of them,
 * a grouping its param or tag. A key the experiment does not have is dropped; a column list left
 * empty by that is the default one.
 */
export function resolveBareKeys(state: RunsTableState, keys: ExperimentKeys): RunsTableState {
  const idsOf = (key: string): string[] =>
    (['metrics', 'params', 'tags'] as const).filter((k) => keys[k].includes(key)).map((k) => `${k}.${key}`);
  const columns = state.columns === null ? null : [...new Set(state.columns.flatMap((c) => (isBareKey(c) ? idsOf(c) : [c])))];
  const sortColumn = state.sort && isBareKey(state.sort.column) ? idsOf(state.sort.column)[0] : state.sort?.column;
  return {
    ...state,
    columns: columns !== null && columns.length === 0 && state.columns?.length ? null : columns,
    sort: state.sort && sortColumn ? { ...state.sort, column: sortColumn } : null,
    groupBy:
      state.groupBy && isBareKey(state.groupBy) ? (idsOf(state.groupBy).find((c) => !c.startsWith('metrics.')) ?? null) : state.groupBy,
  };
}

/** The columns the table shows for this state: its own (bare keys resolved) or the default ones, the run name always among them. */
export function shownColumns(state: RunsTableState, keys: ExperimentKeys): string[] {
  const chosen = (hasBareKeys(state) ? resolveBareKeys(state, keys) : state).columns ?? defaultColumns(keys);
  return chosen.includes(NAME_COLUMN) ? chosen : [NAME_COLUMN, ...chosen];
}

/** The default columns for the keys an experiment has: system metrics stay out. */
export function defaultColumns(keys: Pick<ExperimentKeys, 'metrics' | 'params'>, max = 4): string[] {
  return [
    'attributes.status',
    NAME_COLUMN,
    'attributes.user',
    'attributes.start_time',
    'attributes.duration',
    ...keys.metrics
      .filter((k) => !k.startsWith('system/'))
      .slice(0, max)
      .map((k) => `metrics.${k}`),
    ...keys.params.slice(0, max).map((k) => `params.${k}`),
  ];
}

/** A single-quoted string literal of the grammar. */
export const quoteValue = (v: string): string => `'${v.replace(/'/g, "''")}'`;
/** A key of the grammar, backticked so any character survives. */
const quoteKey = (k: string): string => `\`${k.replace(/`/g, '``')}\``;

const ORDER_ATTRIBUTE: Record<AttributeColumn, string> = {
  status: 'status',
  run_name: 'run_name',
  user: 'user_id',
  start_time: 'start_time',
  end_time: 'end_time',
  duration: 'duration',
  run_id: 'run_id',
};

/**
 * The API's orderBy for the table (empty: the server's default, newest first). Grouped, the rows
 * come by the group key first (the server's group order: a param by number, then text; runs
 * without it last), so each group's rows are contiguous, then by the chosen sort.
 */
export function orderByOf(state: Pick<RunsTableState, 'sort'> & { groupBy?: string | null }): string[] {
  const group = state.groupBy ? parseColumn(state.groupBy) : null;
  const out = group ? [`${group.kind}.${quoteKey(group.key)} ASC`] : [];
  const best = bestSortKey(state.sort?.column);
  if (best !== null) return [...out, `best.${quoteKey(best)}`];
  const c = state.sort ? parseColumn(state.sort.column) : null;
  // Within a group, without a chosen sort, the newest first as in the ungrouped table.
  if (!c || !state.sort) return out.length ? [...out, 'attributes.start_time DESC'] : [];
  const dir = state.sort.descending ? 'DESC' : 'ASC';
  if (c.kind === 'attributes') return [...out, `attributes.${ORDER_ATTRIBUTE[c.key as AttributeColumn]} ${dir}`];
  return [...out, `${c.kind}.${quoteKey(c.key)} ${dir}`];
}

/** The API's `by` of the group counts (runGroups): the grouping column as a grammar key. */
export function groupByKey(groupBy: string): string | null {
  const c = parseColumn(groupBy);
  return c && (c.kind === 'params' || c.kind === 'tags') ? `${c.kind}.${quoteKey(c.key)}` : null;
}

/** The quick filters as grammar clauses. */
export function quickClauses(state: Pick<RunsTableState, 'status' | 'user' | 'tag'>): string[] {
  const out: string[] = [];
  if (state.status) out.push(`attributes.status = ${quoteValue(state.status)}`);
  if (state.user) out.push(`attributes.user_id = ${quoteValue(state.user)}`);
  if (state.tag) out.push(`tags.${quoteKey(state.tag.key)} = ${quoteValue(state.tag.value)}`);
  return out;
}

/** The filter the API gets: the typed filter ANDed with the quick filters. */
export function filterOf(state: Pick<RunsTableState, 'filter' | 'status' | 'user' | 'tag'>): string {
  return [state.filter.trim(), ...quickClauses(state)].filter((s) => s !== '').join(' and ');
}

/** The URL query string of the state; defaults are left out, so the plain page has a plain URL. */
export function serialiseState(state: RunsTableState): URLSearchParams {
  const p = new URLSearchParams();
  if (state.filter.trim()) p.set('filter', state.filter.trim());
  if (state.status) p.set('status', state.status);
  if (state.user) p.set('user', state.user);
  if (state.tag) {
    p.set('tag', state.tag.key);
    p.set('tagValue', state.tag.value);
  }
  if (state.sort) p.set('sort', `${state.sort.column}:${state.sort.descending ? 'desc' : 'asc'}`);
  if (state.columns) for (const c of state.columns) p.append('col', c);
  if (state.columns && !state.columns.length) p.set('cols', 'none');
  if (state.groupBy) p.set('group', state.groupBy);
  if (state.pages > 1) p.set('pages', String(state.pages));
  if (state.best) p.set('best', '1');
  return p;
}

/**
 * Reads the state back; anything malformed falls back to its default instead of failing the page.
 * Bare keys (older addresses) are kept for resolveBareKeys.
 */
export function parseState(params: URLSearchParams): RunsTableState {
  const status = params.get('status')?.toUpperCase() ?? null;
  const tag = params.get('tag');
  const tagValue = params.get('tagValue');
  const [, sortColumn, sortDirection] = /^(.+):(asc|desc)$/.exec(params.get('sort') ?? '') ?? [];
  const known = (id: string) => parseColumn(id) !== null || isBareKey(id);
  const cols = params.getAll('col').filter(known);
  const group = params.get('group');
  const groupRef = group ? parseColumn(group) : null;
  const pages = Number(params.get('pages') ?? '1');
  return {
    filter: params.get('filter') ?? '',
    status: status && (MLFLOW_STATUSES as readonly string[]).includes(status) ? (status as MlflowStatusFilter) : null,
    user: params.get('user') || null,
    tag: tag && tagValue !== null ? { key: tag, value: tagValue } : null,
    sort:
      sortColumn && bestSortKey(sortColumn) !== null
        ? { column: sortColumn, descending: false }
        : sortColumn && known(sortColumn)
          ? { column: sortColumn, descending: sortDirection === 'desc' }
          : null,
    columns: cols.length ? cols : params.get('cols') === 'none' ? [] : null,
    groupBy: group && ((groupRef && (groupRef.kind === 'params' || groupRef.kind === 'tags')) || isBareKey(group)) ? group : null,
    pages: Number.isInteger(pages) && pages >= 1 ? Math.min(pages, MAX_PAGES) : 1,
    best: params.get('best') === '1',
  };
}

/**
 * The CSV export of the table as it stands: same filter and order, and its columns, or with
 * `every` every attribute, metric, param and tag of the runs (the server lists them), shown or not.
 */
export function csvHref(slug: string, experimentId: string, state: RunsTableState, columns: readonly string[], every = false): string {
  const p = new URLSearchParams({ experimentId });
  const filter = filterOf(state);
  if (filter) p.set('filter', filter);
  for (const o of orderByOf(state)) p.append('orderBy', o);
  if (every) p.set('all', '1');
  else for (const c of columns) p.append('columns', c);
  return `/api/v1/projects/${encodeURIComponent(slug)}/runs.csv?${p.toString()}`;
}

/** The compare page for the selected runs. */
export const compareHref = (slug: string, runIds: readonly string[]): string =>
  `/projects/${encodeURIComponent(slug)}/compare?runs=${runIds.join(',')}`;

/** The key being typed at the end of a filter (for autocomplete): `metrics.lo` → { kind: 'metrics', partial: 'lo' }. */
export function typedKey(text: string): { start: number; kind: ColumnKind | null; partial: string } | null {
  const token = /[^\s()]*$/.exec(text)?.[0] ?? '';
  if (!token || /[=<>!'",]/.test(token)) return null;
  const start = text.length - token.length;
  const kinds: Record<string, ColumnKind> = {
    metrics: 'metrics',
    metric: 'metrics',
    params: 'params',
    param: 'params',
    tags: 'tags',
    tag: 'tags',
    attributes: 'attributes',
    attribute: 'attributes',
  };
  const dotted = /^([A-Za-z_]\w*)\.(.*)$/.exec(token);
  if (dotted) {
    const [, prefix = '', partial = ''] = dotted;
    const kind = kinds[prefix.toLowerCase()];
    return kind ? { start, kind, partial: partial.replace(/^`/, '') } : null;
  }
  if (!/^[A-Za-z_][\w/-]*$/.test(token) || /^(and|or|like|ilike|in|not)$/i.test(token)) return null;
  return { start, kind: null, partial: token };
}

/** Suggestions for what is being typed: full `<kind>.<key>` ids whose text starts with it. */
export function suggestions(
  text: string,
  keys: { metrics: readonly string[]; params: readonly string[]; tags: readonly string[] },
  max = 12,
): { start: number; items: string[] } | null {
  const typed = typedKey(text);
  if (!typed) return null;
  const all: string[] = [
    ...keys.metrics.map((k) => `metrics.${k}`),
    ...keys.params.map((k) => `params.${k}`),
    ...keys.tags.map((k) => `tags.${k}`),
    ...['run_name', 'status', 'user_id', 'start_time', 'end_time', 'run_id'].map((k) => `attributes.${k}`),
  ];
  const wanted = (typed.kind ? `${typed.kind}.${typed.partial}` : typed.partial).toLowerCase();
  const items = all
    .filter((id) => id.toLowerCase().startsWith(wanted) || (!typed.kind && id.toLowerCase().includes(`.${wanted}`)))
    .slice(0, max);
  return items.length ? { start: typed.start, items } : null;
}

/** A suggestion as it goes into the filter: keys outside [\w.] are backticked. */
export function keyForFilter(id: string): string {
  const c = parseColumn(id) ?? (id.startsWith('attributes.') ? { kind: 'attributes' as const, key: id.slice('attributes.'.length) } : null);
  if (!c) return id;
  return /^[A-Za-z_][\w\-/:]*(\.[A-Za-z_][\w\-/:]*)*$/.test(c.key) ? `${c.kind}.${c.key}` : `${c.kind}.${quoteKey(c.key)}`;
}
