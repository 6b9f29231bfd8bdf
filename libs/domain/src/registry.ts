/**
 * Model registry rules shared by every transport: Caliper's stages and MLflow's names for them,
 * which stage transitions the MLflow API may make (a move into or out of clinical use needs a
 * signed promotion request), MLflow's name/alias/version checks, where a version's source points,
 * the digest of a pinned manifest, latest-versions-per-stage, and the registry search grammar.
 * Errors reuse TrackingError's codes so each transport maps them the one way it already does.
 */
import { createHash } from 'node:crypto';
import { FilterToken, tokenizeFilter } from './mlflow-filter-tokens';
import { keyProblem, TrackingError } from './tracking';

export const MODEL_STAGES = ['none', 'staging', 'clinical', 'retired'] as const;
export type ModelStage = (typeof MODEL_STAGES)[number];
export const MLFLOW_STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type MlflowStage = (typeof MLFLOW_STAGES)[number];

const TO_MLFLOW: Record<ModelStage, MlflowStage> = { none: 'None', staging: 'Staging', clinical: 'Production', retired: 'Archived' };
const FROM_MLFLOW: Record<string, ModelStage> = { none: 'none', staging: 'staging', production: 'clinical', archived: 'retired' };

const invalid = (message: string) => new TrackingError('INVALID_PARAMETER', message);

export function toMlflowStage(stage: ModelStage): MlflowStage {
  return TO_MLFLOW[stage];
}

/** MLflow's stage names, case-insensitive as MLflow reads them. */
export function fromMlflowStage(stage: unknown): ModelStage {
  const found = typeof stage === 'string' ? FROM_MLFLOW[stage.toLowerCase()] : undefined;
  if (!found) throw invalid(`Invalid Model Version stage: ${String(stage)}. Value must be one of ${MLFLOW_STAGES.join(', ')}.`);
  return found;
}

/** How a transition is asked for: the MLflow API (model.register) or, later, a signed promotion request. */
export type TransitionPath = 'mlflow' | 'signed-promotion';

/**
 * Why a transition may not happen on this path, or null. Clinical use is entered and left only
 * through a signed promotion request; the MLflow API moves versions among none/staging/retired.
 */
export function transitionProblem(from: ModelStage, to: ModelStage, path: TransitionPath): TrackingError | null {
  if (path === 'signed-promotion') return null;
  if (to === 'clinical') {
    return new TrackingError(
      'INVALID_STATE',
      `Moving a model version to Production (clinical use) requires a signed promotion request; request a promotion in Caliper instead of transitioning the stage.`,
    );
  }
  if (from === 'clinical') {
    return new TrackingError(
      'INVALID_STATE',
      `This model version is in Production (clinical use); moving it out requires a signed promotion request (target: retired).`,
    );
  }
  return null;
}

/** MLflow's archive_existing_versions applies only to the active stages. */
export function archiveExistingProblem(to: ModelStage, archiveExisting: boolean): TrackingError | null {
  if (!archiveExisting || to === 'staging' || to === 'clinical') return null;
  return invalid(
    `Model version transition cannot archive existing model versions because '${toMlflowStage(to)}' is not an Active stage. Valid stages are Staging, Production`,
  );
}

/** A version in clinical use cannot be deleted (nor the model holding it). */
export function deletionProblem(stage: ModelStage, what: string): TrackingError | null {
  return stage === 'clinical'
    ? new TrackingError(
        'INVALID_STATE',
        `${what} is in Production (clinical use) and cannot be deleted; retire it through a signed promotion request first.`,
      )
    : null;
}

/**
 * Why the caller may not move (set or delete) a protected alias, or null. `ruleRoles` are the
 * roles the alias's rule names (null: the alias is not protected); `callerRoles` the caller's
 * effective project roles (a token's: its scope within its owner's roles).
 */
export function aliasRuleProblem(
  modelName: string,
  alias: string,
  ruleRoles: readonly string[] | null,
  callerRoles: readonly string[],
): TrackingError | null {
  if (!ruleRoles || ruleRoles.some((r) => callerRoles.includes(r))) return null;
  return new TrackingError(
    'FORBIDDEN',
    `Alias '${alias}' of registered model '${modelName}' is protected: only ${ruleRoles.join(' or ')} may move it.`,
  );
}

export const MAX_REGISTRY_TAG_KEY_LENGTH = 250;
export const MAX_REGISTRY_TAG_VALUE_LENGTH = 5000;
export const MAX_ALIAS_LENGTH = 255;

export function modelNameProblem(name: unknown): TrackingError | null {
  if (typeof name !== 'string' || name === '') return invalid(`Registered model name cannot be empty.`);
  return null;
}

/** MLflow's version parameter: a decimal integer (sent as a string). */
export function parseModelVersion(v: unknown): number {
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string' || !/^\s*[-+]?\d+\s*$/.test(s)) throw invalid(`Model version must be an integer, got '${String(v)}'`);
  return Number(s);
}

export function aliasProblem(alias: unknown): TrackingError | null {
  if (typeof alias !== 'string' || alias === '') return invalid(`Registered model alias name cannot be empty.`);
  if (!/^[\w-]*$/.test(alias))
    return invalid(`Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`);
  if (alias.length > MAX_ALIAS_LENGTH)
    return invalid(
      `Registered model alias name '${alias.slice(0, 250)}' had length ${alias.length}, which exceeded length limit of ${MAX_ALIAS_LENGTH}`,
    );
  if (alias.toLowerCase() === 'latest') return invalid(`'latest' alias name (case insensitive) is reserved.`);
  if (/^[vV]\d+$/.test(alias)) return invalid(`Version alias name '${alias}' is reserved.`);
  return null;
}

export function registryTagProblem(key: unknown, value: unknown, entity: 'Registered model' | 'Model version'): TrackingError | null {
  const keyIssue = keyProblem('tag', key);
  if (keyIssue) return invalid(keyIssue);
  const k = key as string;
  if (k.length > MAX_REGISTRY_TAG_KEY_LENGTH)
    return invalid(
      `${entity} key '${k.slice(0, 250)}' had length ${k.length}, which exceeded length limit of ${MAX_REGISTRY_TAG_KEY_LENGTH}`,
    );
  if (typeof value !== 'string') return invalid(`${entity} value for tag '${k}' must be a string.`);
  if (value.length > MAX_REGISTRY_TAG_VALUE_LENGTH)
    return invalid(
      `${entity} value '${value.slice(0, 250)}' had length ${value.length}, which exceeded length limit of ${MAX_REGISTRY_TAG_VALUE_LENGTH}`,
    );
  return null;
}

/** Where a version's source points: a path inside a run's artifacts, or somewhere Caliper does not manage. */
export type ModelSource = { kind: 'run-artifact'; runUuid: string; experimentId: string | null; path: string } | { kind: 'external' };

/**
 * Reads `mlflow-artifacts:/<experiment>/<run>/artifacts[/<path>]` (what the stock client sends
 * after resolving `runs:/`) and `runs:/<run>[/<path>]`. The path is normalised without `.`/`..`.
 */
export function parseModelSource(source: string): ModelSource {
  // The experiment and run groups are required by the patterns; only the path is optional.
  let m = /^mlflow-artifacts:\/{1,3}(\d+)\/([0-9a-f]{32})\/artifacts(?:\/(.*))?$/.exec(source);
  if (m) return { kind: 'run-artifact', experimentId: m[1]!, runUuid: m[2]!, path: artifactPath(m[3] ?? '', source) };
  m = /^runs:\/{1,3}([0-9a-f]{32})(?:\/(.*))?$/.exec(source);
  if (m) return { kind: 'run-artifact', experimentId: null, runUuid: m[1]!, path: artifactPath(m[2] ?? '', source) };
  return { kind: 'external' };
}

function artifactPath(raw: string, source: string): string {
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw invalid(`Invalid model version source '${source}': the path may not contain '..'.`);
  return parts.join('/');
}

/** One pinned file as the manifest digest sees it. */
export interface PinnedFile {
  path: string;
  sha256: string;
  size: number;
}

/** sha256 over "path\tsize\tsha256\n" lines sorted by path: names exactly the files a version pinned. */
export function manifestDigest(files: readonly PinnedFile[]): string {
  const lines = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.path}\t${f.size}\t${f.sha256}\n`);
  return createHash('sha256').update(lines.join('')).digest('hex');
}

/**
 * MLflow's latest_versions: the highest version in each stage, stages in the order their first
 * (lowest) version appears — what MLflow's store yields walking versions in ascending order.
 */
export function latestVersionsPerStage<T extends { version: number; currentStage: ModelStage }>(versions: readonly T[]): T[] {
  const byStage = new Map<ModelStage, T>();
  for (const v of [...versions].sort((a, b) => a.version - b.version)) byStage.set(v.currentStage, v);
  return [...byStage.values()];
}

// Search: the registry's subset of MLflow's filter grammar.

export type RegistryComparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN';

export type RegistryComparison =
  | { entity: 'attribute'; key: 'name' | 'source_path'; comparator: '=' | '!=' | 'LIKE' | 'ILIKE'; value: string }
  | { entity: 'attribute'; key: 'run_id'; comparator: '=' | '!=' | 'LIKE' | 'ILIKE'; value: string }
  | { entity: 'attribute'; key: 'run_id'; comparator: 'IN'; value: string[] }
  | { entity: 'attribute'; key: 'version_number'; comparator: '=' | '!=' | '<' | '<=' | '>' | '>='; value: number }
  | { entity: 'tag'; key: string; comparator: '=' | '!=' | 'LIKE' | 'ILIKE'; value: string };

export interface RegistryOrder {
  key: 'name' | 'version_number' | 'creation_timestamp' | 'last_updated_timestamp';
  ascending: boolean;
}

export const SEARCH_REGISTERED_MODELS_DEFAULT = 100;
export const SEARCH_REGISTERED_MODELS_MAX = 1000;
export const SEARCH_MODEL_VERSIONS_DEFAULT = 10000;
export const SEARCH_MODEL_VERSIONS_MAX = 200000;

const STRING_OPS = new Set(['=', '!=', 'LIKE', 'ILIKE']);
const NUMERIC_OPS = new Set(['=', '!=', '<', '<=', '>', '>=']);

function parseRegistryFilter(filter: string | null | undefined, attributes: readonly string[]): RegistryComparison[] {
  if (filter == null || filter.trim() === '') return [];
  const tokens = tokenizeFilter(filter, 'filter');
  let i = 0;
  const fail = (problem: string) => invalid(`Invalid filter '${filter}': ${problem}.`);
  const next = () => {
    const t = tokens[i++];
    if (!t) throw fail('it ends too early');
    return t;
  };
  const isPunct = (t: FilterToken | undefined, text: string) => t?.kind === 'punct' && t.text === text;
  // Single quotes quote values; double quotes and backticks quote keys.
  const isString = (t: FilterToken) => t.kind === 'quoted' && t.quote === "'";
  const isQuotedKey = (t: FilterToken) => t.kind === 'quoted' && t.quote !== "'";
  const out: RegistryComparison[] = [];
  for (;;) {
    let first = next();
    let entity: 'attribute' | 'tag' = 'attribute';
    let key: string;
    if (first.kind === 'word' && /^(tags?|attributes?)$/i.test(first.text) && isPunct(tokens[i], '.')) {
      entity = /^tag/i.test(first.text) ? 'tag' : 'attribute';
      i++;
      first = next();
    }
    if (first.kind === 'word' || isQuotedKey(first)) key = first.text;
    else throw fail(`expected a key such as name or tags.<key>, found '${first.text}'`);
    // Unquoted tag keys may contain dots (tags.mlflow.source).
    while (entity === 'tag' && first.kind === 'word' && isPunct(tokens[i], '.') && tokens[i + 1]?.kind === 'word') {
      i++;
      key += '.' + next().text;
    }
    if (entity === 'attribute' && !attributes.includes(key))
      throw invalid(`Invalid attribute name: ${key}. Valid attributes are ${attributes.join(', ')}.`);
    const opToken = next();
    const comparator = (
      opToken.kind === 'op' ? opToken.text : opToken.kind === 'word' ? opToken.text.toUpperCase() : ''
    ) as RegistryComparator;
    if (entity === 'attribute' && key === 'version_number') {
      if (!NUMERIC_OPS.has(comparator)) throw invalid(`Invalid comparator for attribute version_number: ${opToken.text}`);
      const v = next();
      const n = (v.kind === 'number' || isString(v)) && /^-?\d+$/.test(v.text) ? Number(v.text) : NaN;
      if (!Number.isInteger(n)) throw fail(`expected an integer for version_number, found '${v.text}'`);
      out.push({ entity, key, comparator, value: n } as RegistryComparison);
    } else if (comparator === 'IN') {
      if (entity !== 'attribute' || key !== 'run_id') throw invalid(`Invalid comparator for attribute: IN (only run_id supports IN)`);
      if (!isPunct(next(), '(')) throw fail(`expected '(' after IN`);
      const values: string[] = [];
      for (;;) {
        const v = next();
        if (!isString(v)) throw fail(`expected a quoted run id in the IN list, found '${v.text}'`);
        values.push(v.text);
        const sep = next();
        if (isPunct(sep, ')')) break;
        if (!isPunct(sep, ',')) throw fail(`expected ',' or ')' in the IN list, found '${sep.text}'`);
      }
      out.push({ entity, key, comparator, value: values });
    } else {
      if (!STRING_OPS.has(comparator)) throw invalid(`Invalid comparator for ${entity === 'tag' ? 'tag' : 'attribute'}: ${opToken.text}`);
      const v = next();
      if (!isString(v)) throw fail(`expected a single-quoted value for '${key}', found '${v.text}'`);
      out.push({ entity, key, comparator, value: v.text } as RegistryComparison);
    }
    if (i >= tokens.length) return out;
    const and = next();
    if (and.kind !== 'word' || and.text.toUpperCase() !== 'AND')
      throw fail(`expected AND between comparisons, found '${and.text}' (only AND is supported)`);
  }
}

/** search_registered_models filters: `name` and tags. */
export function parseRegisteredModelFilter(filter: string | null | undefined): RegistryComparison[] {
  return parseRegistryFilter(filter, ['name']);
}

/** search_model_versions filters: name, run_id (also IN), source_path, version_number and tags. */
export function parseModelVersionFilter(filter: string | null | undefined): RegistryComparison[] {
  return parseRegistryFilter(filter, ['name', 'run_id', 'source_path', 'version_number']);
}

function parseOrder(items: readonly string[], keys: Record<string, RegistryOrder['key']>, what: string): RegistryOrder[] {
  const seen = new Set<string>();
  return items
    .filter((s) => s.trim() !== '')
    .map((item) => {
      const m = /^\s*`?([\w.]+)`?\s*(ASC|DESC)?\s*$/i.exec(item);
      const name = m ? m[1]!.replace(/^attributes?\./i, '') : '';
      // Own keys only: `constructor` or `__proto__` name no column.
      const key = m && Object.hasOwn(keys, name) ? keys[name] : undefined;
      if (!m || !key)
        throw invalid(
          `Invalid order by key '${item}' specified. Valid keys are ${Object.keys(keys)
            .map((k) => `'${k}'`)
            .join(', ')} for ${what}.`,
        );
      if (seen.has(key)) throw invalid(`\`order_by\` contains duplicate fields: ${JSON.stringify(items)}`);
      seen.add(key);
      return { key, ascending: (m[2] ?? 'ASC').toUpperCase() === 'ASC' };
    });
}

/** Registered models: name, timestamp / last_updated_timestamp; always ends with name ASC. */
export function parseRegisteredModelOrder(items: readonly string[]): RegistryOrder[] {
  const order = parseOrder(
    items,
    { name: 'name', timestamp: 'last_updated_timestamp', last_updated_timestamp: 'last_updated_timestamp' },
    'registered models',
  );
  return order.some((o) => o.key === 'name') ? order : [...order, { key: 'name', ascending: true }];
}

/** Model versions: default last_updated_timestamp DESC, name ASC, version_number DESC (MLflow's). */
export function parseModelVersionOrder(items: readonly string[]): RegistryOrder[] {
  const given = items.filter((s) => s.trim() !== '');
  const order = parseOrder(
    given.length ? given : ['last_updated_timestamp DESC', 'name ASC', 'version_number DESC'],
    {
      name: 'name',
      version_number: 'version_number',
      creation_timestamp: 'creation_timestamp',
      last_updated_timestamp: 'last_updated_timestamp',
    },
    'model versions',
  );
  if (!order.some((o) => o.key === 'name')) order.push({ key: 'name', ascending: true });
  if (!order.some((o) => o.key === 'version_number')) order.push({ key: 'version_number', ascending: false });
  return order;
}

export function registryMaxResults(v: number | null, what: 'models' | 'versions'): number {
  const [fallback, max] =
    what === 'models'
      ? [SEARCH_REGISTERED_MODELS_DEFAULT, SEARCH_REGISTERED_MODELS_MAX]
      : [SEARCH_MODEL_VERSIONS_DEFAULT, SEARCH_MODEL_VERSIONS_MAX];
  if (v === null) return fallback;
  if (v < 1) throw invalid(`Invalid value for max_results. It must be a positive integer, but got ${v}`);
  if (v > max) throw invalid(`Invalid value for request parameter max_results. It must be at most ${max}, but got value ${v}`);
  return v;
}
