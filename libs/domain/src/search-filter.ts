/**
 * MLflow's run search grammar, parsed into plain data the SQL compiler turns into parameterised
 * queries: a filter is an AND of comparisons on metrics, params, tags, run attributes and the
 * run's logged datasets (`metrics.loss < 0.5 and params.lr = '0.01' and datasets.context =
 * 'training'`), keys may be quoted with backticks or double quotes; order_by items are
 * `<entity>.<key> [ASC|DESC]` (not datasets: MLflow cannot order by them either). Anything
 * outside the grammar is refused with MLflow's INVALID_PARAMETER_VALUE, so no user text ever
 * reaches SQL as SQL.
 */
import { FilterToken, tokenizeFilter } from './mlflow-filter-tokens';
import { TrackingError } from './tracking';

export type SearchEntity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';
/** Runs can be ordered by everything they can be filtered on except datasets (a run has several). */
export type OrderEntity = Exclude<SearchEntity, 'dataset'>;
export type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';

export type Comparison =
  | { entity: 'metric'; key: string; comparator: Exclude<Comparator, 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN'>; value: number }
  | { entity: 'param' | 'tag'; key: string; comparator: '=' | '!=' | 'LIKE' | 'ILIKE'; value: string }
  | { entity: 'attribute'; key: StringAttribute; comparator: '=' | '!=' | 'LIKE' | 'ILIKE'; value: string }
  | { entity: 'attribute'; key: 'run_id'; comparator: 'IN' | 'NOT IN'; value: string[] }
  | { entity: 'attribute'; key: NumericAttribute; comparator: Exclude<Comparator, 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN'>; value: number }
  /** True when some dataset input of the run matches (MLflow's semantics, also for != and NOT IN). */
  | { entity: 'dataset'; key: DatasetKey; comparator: '=' | '!=' | 'LIKE' | 'ILIKE'; value: string }
  | { entity: 'dataset'; key: DatasetKey; comparator: 'IN' | 'NOT IN'; value: string[] };

export interface OrderClause {
  entity: OrderEntity;
  key: string;
  ascending: boolean;
}

/**
 * The runs table's order by a metric's best value (`best.<key>`): best first, which is the lowest
 * or the highest value by the metric's direction in the project, so the item takes no ASC or DESC.
 */
export interface BestOrderClause {
  entity: 'best';
  key: string;
}
export type TableOrderClause = OrderClause | BestOrderClause;

export const STRING_ATTRIBUTES = ['run_id', 'run_name', 'status', 'artifact_uri', 'user_id'] as const;
export const NUMERIC_ATTRIBUTES = ['start_time', 'end_time'] as const;
export type StringAttribute = (typeof STRING_ATTRIBUTES)[number];
export type NumericAttribute = (typeof NUMERIC_ATTRIBUTES)[number];
/** MLflow's DATASET_ATTRIBUTES: the dataset's name and digest, and the input's `mlflow.data.context` tag. */
export const DATASET_KEYS = ['name', 'digest', 'context'] as const;
export type DatasetKey = (typeof DATASET_KEYS)[number];
/** The input tag MLflow reads `datasets.context` from. */
export const DATASET_CONTEXT_TAG = 'mlflow.data.context';

/** MLflow's cap on search_runs max_results. */
export const SEARCH_MAX_RESULTS = 50000;
export const SEARCH_DEFAULT_RESULTS = 1000;

const ENTITY_PREFIXES: Record<string, SearchEntity> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

/** MLflow accepts the camel-case spellings of some attributes too. */
const ATTRIBUTE_ALIASES: Record<string, string> = {
  run_name: 'run_name',
  runname: 'run_name',
  'run name': 'run_name',
  run_id: 'run_id',
  run_uuid: 'run_id',
};

const invalid = (message: string) => new TrackingError('INVALID_PARAMETER', message);

class Cursor {
  private i = 0;
  constructor(
    private readonly tokens: FilterToken[],
    private readonly source: string,
    private readonly what: string,
  ) {}
  peek(offset = 0): FilterToken | undefined {
    return this.tokens[this.i + offset];
  }
  next(): FilterToken {
    const t = this.tokens[this.i++];
    if (!t) throw this.error('it ends too early');
    return t;
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
  isWord(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.kind === 'word' && t.text.toUpperCase() === text;
  }
  error(problem: string): TrackingError {
    return invalid(`Invalid ${this.what} '${this.source}': ${problem}.`);
  }
}

/** The key after `<prefix>.` (the '.' not yet read): a quoted name, or a word with dots allowed. */
function keyAfterPrefix(c: Cursor, prefix: string): string {
  c.next();
  const keyToken = c.next();
  if (keyToken.kind === 'quoted' && keyToken.quote !== "'") return keyToken.text;
  if (keyToken.kind !== 'word' && keyToken.kind !== 'number') throw c.error(`expected a key name after '${prefix}.'`);
  let key = keyToken.text;
  // Unquoted keys may contain dots (metrics.val.loss): join word/number pieces separated by '.'.
  while (c.peek()?.kind === 'punct' && c.peek()!.text === '.' && (c.peek(1)?.kind === 'word' || c.peek(1)?.kind === 'number')) {
    c.next();
    key += '.' + c.next().text;
  }
  return key;
}

const isDot = (t: FilterToken | undefined) => t?.kind === 'punct' && t.text === '.';

/** `<entity>.<key>` where the key may be a word (dots allowed) or a quoted name; a bare word is an attribute. */
function parseIdentifier(c: Cursor, attributes: readonly string[] = RUN_ATTRIBUTES): { entity: SearchEntity; key: string } {
  const attributeKey = (cursor: Cursor, raw: string) => checkedAttribute(cursor, raw, attributes);
  const entityKey = (entity: SearchEntity, key: string) =>
    entity === 'attribute' ? attributeKey(c, key) : entity === 'dataset' ? checkedDatasetKey(c, key) : { entity, key };
  const first = c.next();
  if (first.kind === 'quoted' && first.quote !== "'") return attributeKey(c, first.text);
  if (first.kind !== 'word') throw c.error(`expected a key such as metrics.loss, found '${first.text}'`);
  const dotted = first.text.split('.');
  const prefix = ENTITY_PREFIXES[first.text.toLowerCase()];
  if (prefix && isDot(c.peek())) return entityKey(prefix, keyAfterPrefix(c, first.text));
  if (dotted.length > 1) throw c.error(`unknown entity '${dotted[0]}' (use metrics., params., tags., attributes. or datasets.)`);
  return attributeKey(c, first.text);
}

const RUN_ATTRIBUTES: readonly string[] = [...STRING_ATTRIBUTES, ...NUMERIC_ATTRIBUTES];

function checkedAttribute(c: Cursor, raw: string, allowed: readonly string[]): { entity: 'attribute'; key: string } {
  // Own keys only: 'constructor' or '__proto__' must be unknown attributes, not Object's members.
  const alias = Object.hasOwn(ATTRIBUTE_ALIASES, raw.toLowerCase()) ? ATTRIBUTE_ALIASES[raw.toLowerCase()] : undefined;
  const key = alias ?? raw;
  if (!allowed.includes(key)) throw c.error(`invalid attribute key '${raw}'; valid attributes are ${allowed.join(', ')}`);
  return { entity: 'attribute', key };
}

function checkedDatasetKey(c: Cursor, key: string): { entity: 'dataset'; key: string } {
  if (!(DATASET_KEYS as readonly string[]).includes(key))
    throw c.error(`invalid dataset key '${key}'; valid dataset keys are ${DATASET_KEYS.join(', ')}`);
  return { entity: 'dataset', key };
}

function parseComparator(c: Cursor): Comparator {
  const t = c.next();
  if (t.kind === 'op') return t.text as Comparator;
  if (t.kind === 'word') {
    const w = t.text.toUpperCase();
    if (w === 'LIKE' || w === 'ILIKE' || w === 'IN') return w;
    if (w === 'NOT' && c.isWord('IN')) {
      c.next();
      return 'NOT IN';
    }
  }
  throw c.error(`expected a comparison operator, found '${t.text}'`);
}

function numberValue(c: Cursor, key: string): number {
  const t = c.next();
  const n =
    t.kind === 'number'
      ? Number(t.text)
      : t.kind === 'quoted' && t.quote === "'" && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(t.text)
        ? Number(t.text)
        : NaN;
  if (!Number.isFinite(n)) throw c.error(`expected a numeric value for '${key}', found '${t.text}'`);
  return n;
}

function stringValue(c: Cursor, key: string): string {
  const t = c.next();
  if (t.kind === 'quoted' && t.quote !== '`') return t.text;
  throw c.error(`expected a quoted string value for '${key}', found '${t.text}'`);
}

const NUMERIC_COMPARATORS = new Set<Comparator>(['=', '!=', '<', '<=', '>', '>=']);
const STRING_COMPARATORS = new Set<Comparator>(['=', '!=', 'LIKE', 'ILIKE']);
/** MLflow's VALID_DATASET_COMPARATORS. */
const DATASET_COMPARATORS = new Set<Comparator>(['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN']);

/** `('a', "b", ...)`: the right-hand side of IN and NOT IN, at least one quoted string. */
function stringListValue(c: Cursor, name: string, comparator: 'IN' | 'NOT IN'): string[] {
  const open = c.next();
  if (open.kind !== 'punct' || open.text !== '(') throw c.error(`expected '(' after ${comparator}`);
  const values: string[] = [stringValue(c, name)];
  while (c.peek()?.kind === 'punct' && c.peek()!.text === ',') {
    c.next();
    values.push(stringValue(c, name));
  }
  const close = c.next();
  if (close.kind !== 'punct' || close.text !== ')') throw c.error(`expected ')' to close the ${comparator} list`);
  return values;
}

function parseComparison(c: Cursor): Comparison {
  const { entity, key } = parseIdentifier(c);
  const comparator = parseComparator(c);
  const name = entity === 'attribute' ? key : `${entity}s.${key}`;
  if (entity === 'dataset') {
    if (!DATASET_COMPARATORS.has(comparator))
      throw c.error(`comparator '${comparator}' is not valid for '${name}'; use one of ${[...DATASET_COMPARATORS].join(', ')}`);
    if (comparator === 'IN' || comparator === 'NOT IN')
      return { entity, key: key as DatasetKey, comparator, value: stringListValue(c, name, comparator) };
    return { entity, key: key as DatasetKey, comparator: comparator as '=' | '!=' | 'LIKE' | 'ILIKE', value: stringValue(c, name) };
  }
  if (entity === 'metric' || (entity === 'attribute' && (NUMERIC_ATTRIBUTES as readonly string[]).includes(key))) {
    if (!NUMERIC_COMPARATORS.has(comparator))
      throw c.error(`comparator '${comparator}' is not valid for '${name}'; use one of ${[...NUMERIC_COMPARATORS].join(', ')}`);
    return { entity, key, comparator, value: numberValue(c, name) } as Comparison;
  }
  if (comparator === 'IN' || comparator === 'NOT IN') {
    if (entity !== 'attribute' || key !== 'run_id') throw c.error(`'${comparator}' is only supported for run_id and datasets`);
    return { entity: 'attribute', key: 'run_id', comparator, value: stringListValue(c, name, comparator) };
  }
  if (!STRING_COMPARATORS.has(comparator))
    throw c.error(`comparator '${comparator}' is not valid for '${name}'; use one of ${[...STRING_COMPARATORS].join(', ')}`);
  return { entity, key, comparator, value: stringValue(c, name) } as Comparison;
}

/** Parses a search_runs filter ("" or undefined: no condition). */
/** Comparisons one run filter may AND together: every one is a check per run, so the cost of a search is bounded. */
export const MAX_FILTER_COMPARISONS = 50;

export function parseRunFilter(filter: string | null | undefined): Comparison[] {
  if (filter == null || filter.trim() === '') return [];
  const c = new Cursor(tokenizeFilter(filter, 'filter string'), filter, 'filter string');
  const out: Comparison[] = [parseComparison(c)];
  while (!c.done()) {
    if (!c.isWord('AND')) throw c.error(`expected AND between comparisons, found '${c.peek()!.text}' (only AND is supported)`);
    c.next();
    if (out.length === MAX_FILTER_COMPARISONS)
      throw c.error(`a filter holds at most ${MAX_FILTER_COMPARISONS} comparisons; narrow the search with fewer, or split it`);
    out.push(parseComparison(c));
  }
  return out;
}

/** Parses order_by items ("metrics.loss ASC", "start_time", "params.`lr` DESC"). */
export function parseOrderBy(items: readonly string[] | null | undefined): OrderClause[] {
  return parseOrderItems(items, RUN_ATTRIBUTES);
}

/** Run attributes the web's runs table can also sort on (not part of MLflow's grammar). */
export const TABLE_ORDER_ATTRIBUTES = ['duration'] as const;

const TABLE_ATTRIBUTES = [...RUN_ATTRIBUTES, ...TABLE_ORDER_ATTRIBUTES];

/**
 * The runs table's order_by: MLflow's items plus `attributes.duration` (end_time - start_time)
 * and `best.<metric key>`, a metric's best value, best first (BestOrderClause).
 */
export function parseTableOrderBy(items: readonly string[] | null | undefined): TableOrderClause[] {
  return nonBlank(items).map((item) => {
    const c = new Cursor(tokenizeFilter(item, 'order_by clause'), item, 'order_by clause');
    if (!c.isWord('BEST') || !isDot(c.peek(1))) return parseOrderItem(item, TABLE_ATTRIBUTES);
    const prefix = c.next().text;
    const key = keyAfterPrefix(c, prefix);
    if (!c.done())
      throw c.error(
        `a best value sorts best first, the lowest or highest by the metric's direction in the project: nothing may follow the key, found '${c.peek()!.text}'`,
      );
    return { entity: 'best', key };
  });
}

/** Experiments search order_by: name, experiment_id, creation_time, last_update_time. */
export function parseExperimentOrderBy(items: readonly string[] | null | undefined): OrderClause[] {
  const order = parseOrderItems(items, ['name', 'experiment_id', 'creation_time', 'last_update_time']);
  const bad = order.find((o) => o.entity !== 'attribute');
  if (bad)
    throw invalid(
      `Invalid order_by clause '${bad.entity}s.${bad.key}': experiments can be ordered by name, experiment_id, creation_time or last_update_time.`,
    );
  return order;
}

const nonBlank = (items: readonly string[] | null | undefined): string[] => (items ?? []).filter((s) => s.trim() !== '');

function parseOrderItems(items: readonly string[] | null | undefined, attributes: readonly string[]): OrderClause[] {
  return nonBlank(items).map((item) => parseOrderItem(item, attributes));
}

function parseOrderItem(item: string, attributes: readonly string[]): OrderClause {
  const c = new Cursor(tokenizeFilter(item, 'order_by clause'), item, 'order_by clause');
  const { entity, key } = parseIdentifier(c, attributes);
  if (entity === 'dataset') throw c.error(`runs cannot be ordered by dataset fields`);
  let ascending = true;
  if (!c.done()) {
    const dir = c.next();
    if (dir.kind !== 'word' || !['ASC', 'DESC'].includes(dir.text.toUpperCase()))
      throw c.error(`expected ASC or DESC, found '${dir.text}'`);
    ascending = dir.text.toUpperCase() === 'ASC';
  }
  if (!c.done()) throw c.error(`unexpected '${c.peek()!.text}' after the sort direction`);
  return { entity, key, ascending };
}

/** Experiments search: `name`, `creation_time`, `last_update_time` attributes and tags. */
export type ExperimentComparison =
  | { entity: 'attribute'; key: 'name'; comparator: '=' | '!=' | 'LIKE' | 'ILIKE'; value: string }
  | {
      entity: 'attribute';
      key: 'creation_time' | 'last_update_time';
      comparator: Exclude<Comparator, 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN'>;
      value: number;
    }
  | { entity: 'tag'; key: string; comparator: '=' | '!=' | 'LIKE' | 'ILIKE'; value: string };

const EXPERIMENT_ATTRIBUTES = ['name', 'creation_time', 'last_update_time'];

function parseExperimentComparison(c: Cursor): ExperimentComparison {
  const first = c.next();
  let entity: 'attribute' | 'tag' = 'attribute';
  let key: string;
  if (first.kind === 'word' && ENTITY_PREFIXES[first.text.toLowerCase()] && c.peek()?.kind === 'punct' && c.peek()!.text === '.') {
    const prefix = ENTITY_PREFIXES[first.text.toLowerCase()];
    if (prefix !== 'tag' && prefix !== 'attribute')
      throw c.error(`experiments can be filtered by attributes and tags only, not '${first.text}'`);
    entity = prefix;
    c.next();
    const k = c.next();
    if (k.kind !== 'word' && !(k.kind === 'quoted' && k.quote !== "'")) throw c.error(`expected a key name after '${first.text}.'`);
    key = k.text;
  } else if (first.kind === 'word' || (first.kind === 'quoted' && first.quote !== "'")) {
    key = first.text;
  } else {
    throw c.error(`expected a key such as name or tags.team, found '${first.text}'`);
  }
  if (entity === 'attribute' && !EXPERIMENT_ATTRIBUTES.includes(key))
    throw c.error(`invalid attribute key '${key}'; valid attributes are ${EXPERIMENT_ATTRIBUTES.join(', ')}`);
  const comparator = parseComparator(c);
  if (entity === 'attribute' && key !== 'name') {
    if (!NUMERIC_COMPARATORS.has(comparator)) throw c.error(`comparator '${comparator}' is not valid for '${key}'`);
    return { entity, key, comparator, value: numberValue(c, key) } as ExperimentComparison;
  }
  if (!STRING_COMPARATORS.has(comparator))
    throw c.error(`comparator '${comparator}' is not valid for '${key}'; use one of ${[...STRING_COMPARATORS].join(', ')}`);
  return { entity, key, comparator, value: stringValue(c, key) } as ExperimentComparison;
}

export function parseExperimentFilter(filter: string | null | undefined): ExperimentComparison[] {
  if (filter == null || filter.trim() === '') return [];
  const c = new Cursor(tokenizeFilter(filter, 'filter string'), filter, 'filter string');
  const out = [parseExperimentComparison(c)];
  while (!c.done()) {
    if (!c.isWord('AND')) throw c.error(`expected AND between comparisons, found '${c.peek()!.text}' (only AND is supported)`);
    c.next();
    out.push(parseExperimentComparison(c));
  }
  return out;
}

/** SQL LIKE semantics (% and _ wildcards) for in-memory matching of small sets (experiments). */
export function likeMatches(value: string, pattern: string, caseInsensitive: boolean): boolean {
  let re = '';
  for (const ch of pattern) re += ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${re}$`, caseInsensitive ? 'is' : 's').test(value);
}

/** Page tokens as MLflow writes them: base64 of {"offset": n}. */
export function encodeOffsetToken(offset: number): string {
  return btoa(JSON.stringify({ offset }));
}

export function decodeOffsetToken(token: string | null | undefined): number {
  if (!token) return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(atob(token));
  } catch {
    throw invalid(`Invalid page token, could not base64-decode`);
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0)
    throw invalid(`Invalid page token, decoded value=${JSON.stringify(parsed)}`);
  return offset;
}

/** max_results as MLflow checks it for run search. */
export function searchMaxResults(v: number | null | undefined): number {
  if (v == null) return SEARCH_DEFAULT_RESULTS;
  if (v <= 0 || v > SEARCH_MAX_RESULTS) {
    throw invalid(`Invalid value for request parameter max_results. It must be at most ${SEARCH_MAX_RESULTS}, but got value ${v}`);
  }
  return v;
}
