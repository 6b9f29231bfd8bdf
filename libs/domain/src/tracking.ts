/**
 * Tracking rules shared by every transport, with MLflow 2.x's limits and messages so the stock
 * mlflow client sees the errors it expects: key names, value lengths, batch sizes, write-once
 * params, metric values (NaN and ±Infinity are legal), and the run-status mapping.
 */
import { DomainError } from './errors';

export const MAX_KEY_LENGTH = 250;
export const MAX_PARAM_VALUE_LENGTH = 6000;
export const MAX_TAG_VALUE_LENGTH = 5000;
export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_PARAMS_TAGS_PER_BATCH = 100;
export const MAX_ENTITIES_PER_BATCH = 1000;

export type TrackingErrorCode = 'NOT_FOUND' | 'INVALID_PARAMETER' | 'ALREADY_EXISTS' | 'INVALID_STATE' | 'PARAM_CHANGED' | 'FORBIDDEN';

/** A tracking or registry rule broken; its codes are DomainError codes MLflow's wire tells apart. */
export class TrackingError extends DomainError {
  constructor(
    override readonly code: TrackingErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}

export const RUN_STATUS_VALUES = ['queued', 'starting', 'running', 'finished', 'failed', 'killed', 'lost'] as const;
export type RunStatus = (typeof RUN_STATUS_VALUES)[number];
export type MlflowRunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

export function toMlflowStatus(s: RunStatus): MlflowRunStatus {
  switch (s) {
    case 'queued':
    case 'starting':
      return 'SCHEDULED';
    case 'running':
      return 'RUNNING';
    case 'finished':
      return 'FINISHED';
    case 'killed':
      return 'KILLED';
    case 'failed':
    case 'lost':
      return 'FAILED';
  }
}

export function fromMlflowStatus(s: string): RunStatus {
  const map: Record<string, RunStatus> = {
    RUNNING: 'running',
    SCHEDULED: 'queued',
    FINISHED: 'finished',
    FAILED: 'failed',
    KILLED: 'killed',
  };
  const status = map[s];
  if (!status)
    throw new TrackingError(
      'INVALID_PARAMETER',
      `Invalid value ${JSON.stringify(s)} for parameter 'status' supplied. Expected one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED.`,
    );
  return status;
}

export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set(['finished', 'failed', 'killed', 'lost']);

const KEY_RE = /^[/\w.\- ]*$/;

/** MLflow's name rule for metrics, params and tags (`kind` is 'metric', 'param' or 'tag'). */
export function keyProblem(kind: 'metric' | 'param' | 'tag', key: unknown): string | null {
  if (typeof key !== 'string' || key === '')
    return `Missing value for required parameter 'key'. See the API docs for more information about request parameters.`;
  if (key.length > MAX_KEY_LENGTH)
    return `'${kind === 'metric' ? 'key' : 'key'}' exceeds the maximum length of ${MAX_KEY_LENGTH} characters`;
  if (!KEY_RE.test(key)) {
    return `Invalid ${kind} name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).`;
  }
  const normalised = normalisePath(key);
  // MLflow's path_not_unique: the name must be its own normal form and stay inside its folder.
  if (normalised !== key || normalised === '.' || normalised.startsWith('..') || key.startsWith('/')) {
    return `Invalid ${kind} name: '${key}'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${normalised}'`;
  }
  return null;
}

/** posixpath.normpath as MLflow applies it to names. */
function normalisePath(p: string): string {
  const absolute = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length && out[out.length - 1] !== '..') out.pop();
    else if (part !== '..' || !absolute) out.push(part);
  }
  const joined = (absolute ? '/' : '') + out.join('/');
  return joined || (absolute ? '/' : '.');
}

/** A metric value as JSON carries it: a number, or MLflow's "NaN" / "Infinity" / "-Infinity" strings. */
export function parseMetricValue(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity' || v === 'inf') return Infinity;
    if (v === '-Infinity' || v === '-inf') return -Infinity;
    if (v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  }
  return null;
}

/** A value MLflow sends for an int64 field: a JSON number or a decimal string. */
export function parseInt64(v: unknown): number | null {
  // Integers past 2^53 would be stored rounded (and past 2^63 not at all): refused as malformed.
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d{1,16}$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  return null;
}

/** The param's numeric shadow for sorting and scatter plots: only finite decimal numbers. */
export function numericValueOf(value: string): number | null {
  if (!/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value)) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

export interface MetricPointInput {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface KeyValue {
  key: string;
  value: string;
}

/** Checks a batch against MLflow's limits; returns the first problem in MLflow's words. */
export function batchProblem(b: {
  metrics: readonly MetricPointInput[];
  params: readonly KeyValue[];
  tags: readonly KeyValue[];
}): string | null {
  if (b.metrics.length > MAX_METRICS_PER_BATCH) {
    return `A batch logging request can contain at most ${MAX_METRICS_PER_BATCH} metrics. Got ${b.metrics.length} metrics. Please split up metrics across multiple requests and try again.`;
  }
  if (b.params.length > MAX_PARAMS_TAGS_PER_BATCH) {
    return `A batch logging request can contain at most ${MAX_PARAMS_TAGS_PER_BATCH} params. Got ${b.params.length} params. Please split up params across multiple requests and try again.`;
  }
  if (b.tags.length > MAX_PARAMS_TAGS_PER_BATCH) {
    return `A batch logging request can contain at most ${MAX_PARAMS_TAGS_PER_BATCH} tags. Got ${b.tags.length} tags. Please split up tags across multiple requests and try again.`;
  }
  const total = b.metrics.length + b.params.length + b.tags.length;
  if (total > MAX_ENTITIES_PER_BATCH) {
    return `A batch logging request can contain at most ${MAX_ENTITIES_PER_BATCH} metrics, params, and tags in total. Got ${total} entities. Please split up entities across multiple requests and try again.`;
  }
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const p of b.params) (seen.has(p.key) ? dup : seen).add(p.key);
  if (dup.size) {
    return `Duplicate parameter keys have been submitted: [${[...dup].map((k) => `'${k}'`).join(', ')}]. Please ensure the request contains only one param value per param key.`;
  }
  for (const m of b.metrics) {
    const problem = keyProblem('metric', m.key);
    if (problem) return problem;
  }
  for (const p of b.params) {
    const problem = keyProblem('param', p.key) ?? valueProblem('param', p.key, p.value, MAX_PARAM_VALUE_LENGTH);
    if (problem) return problem;
  }
  for (const t of b.tags) {
    const problem = keyProblem('tag', t.key) ?? valueProblem('tag', t.key, t.value, MAX_TAG_VALUE_LENGTH);
    if (problem) return problem;
  }
  return null;
}

function valueProblem(kind: 'param' | 'tag', key: string, value: string, max: number): string | null {
  if (typeof value !== 'string') return `Invalid value for ${kind} '${key}': must be a string.`;
  if (value.length > max) return `'value' exceeds the maximum length of ${max} characters`;
  return null;
}

/** 32 lowercase hex characters (MLflow's run_id). */
export function isRunUuid(v: unknown): v is string {
  return typeof v === 'string' && /^[0-9a-f]{32}$/.test(v);
}
