/**
 * MLflow 2.x JSON on the wire, both ways. Requests: MLflow's checks and messages for required
 * fields, int64 given as a number or a decimal string, metric values with "NaN"/"Infinity".
 * Responses: the shapes MLflow's protobuf-to-JSON writes — int64 as JSON numbers, NaN as the
 * string "NaN", ±Infinity as ±1.7976931348623157e308 (MLflow's SQL store), empty repeated fields and unset
 * optional fields omitted (end_time while a run is running, data.params without params).
 */
import { KeyValue, MetricPointInput, parseInt64, parseMetricValue, toMlflowStatus, TrackingError } from '@caliper/domain';
import type { ExperimentEntity, ExperimentTagEntity, LatestMetric, RunEntity, RunInputEntity, StoredPoint } from '@caliper/persistence';
import type { RunView } from '../tracking/tracking.service';

export type WireArgs = Record<string, unknown>;

const missing = (name: string) =>
  new TrackingError(
    'INVALID_PARAMETER',
    `Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`,
  );
const badValue = (name: string, v: unknown, hint: string) =>
  new TrackingError('INVALID_PARAMETER', `Invalid value ${JSON.stringify(v)} for parameter '${name}' supplied. Hint: ${hint}`);

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

/**
 * One value where MLflow expects one. A list (a JSON array, or a query argument given twice) is
 * refused rather than read as its first or last element: the guard and the handler must never be
 * able to read different ids out of it.
 */
function scalar(args: WireArgs, name: string): unknown {
  const v = args[name];
  if (Array.isArray(v)) throw badValue(name, v, 'Value must be a single value, not a list.');
  return v;
}

export function requiredString(args: WireArgs, name: string): string {
  const v = scalar(args, name);
  if (!present(v)) throw missing(name);
  if (typeof v !== 'string')
    throw badValue(name, v, `Value was of type '${typeof v}'. See the API docs for more information about request parameters.`);
  return v;
}

export function optionalString(args: WireArgs, name: string): string | null {
  const v = scalar(args, name);
  if (!present(v)) return null;
  if (typeof v !== 'string')
    throw badValue(name, v, `Value was of type '${typeof v}'. See the API docs for more information about request parameters.`);
  return v;
}

/** MLflow accepts run_id and the deprecated run_uuid; either one is required. */
export function runIdOf(args: WireArgs): string {
  const v = scalar(args, present(args.run_id) ? 'run_id' : 'run_uuid');
  if (!present(v)) throw missing('run_id');
  if (typeof v !== 'string') throw badValue('run_id', v, 'Value was not a string.');
  return v;
}

export function optionalInt64(args: WireArgs, name: string): number | null {
  const v = scalar(args, name);
  if (!present(v)) return null;
  const n = parseInt64(v);
  if (n === null)
    throw badValue(name, v, 'Value was not an integer between -9007199254740991 and 9007199254740991 (a JSON number or a decimal string).');
  return n;
}

export function requiredInt64(args: WireArgs, name: string): number {
  const n = optionalInt64(args, name);
  if (n === null) throw missing(name);
  return n;
}

export function metricValue(v: unknown, name = 'value'): number {
  if (!present(v)) throw missing(name);
  const n = parseMetricValue(v);
  if (n === null) throw badValue(name, v, `Value must be a number, "NaN", "Infinity" or "-Infinity".`);
  return n;
}

export function stringList(args: WireArgs, name: string): string[] {
  const v = args[name];
  if (!present(v)) return [];
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((x) => typeof x === 'string')) throw badValue(name, v, 'Value must be a list of strings.');
  return list as string[];
}

export function keyValues(args: WireArgs, name: string): KeyValue[] {
  const v = args[name];
  if (!present(v)) return [];
  if (!Array.isArray(v)) throw badValue(name, v, 'Value must be a list of {key, value} objects.');
  return v.map((item: unknown) => {
    const o = (item ?? {}) as Record<string, unknown>;
    if (!present(o.key)) throw missing('key');
    if (typeof o.key !== 'string') throw badValue('key', o.key, 'Value must be a string.');
    const value = o.value === undefined || o.value === null ? '' : o.value;
    if (typeof value !== 'string') throw badValue('value', value, 'Value must be a string.');
    return { key: o.key, value };
  });
}

export function metricPoints(args: WireArgs, name: string): MetricPointInput[] {
  const v = args[name];
  if (!present(v)) return [];
  if (!Array.isArray(v)) throw badValue(name, v, 'Value must be a list of metrics.');
  return v.map((item: unknown) => metricPoint((item ?? {}) as WireArgs));
}

/** One metric as log-metric and log-batch carry it; step defaults to 0 as in MLflow. */
export function metricPoint(o: WireArgs): MetricPointInput {
  const key = requiredString(o, 'key');
  return { key, value: metricValue(o.value), timestamp: requiredInt64(o, 'timestamp'), step: optionalInt64(o, 'step') ?? 0 };
}

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

/** Proto enums may arrive by number too (ACTIVE_ONLY = 1, DELETED_ONLY = 2, ALL = 3). */
const VIEW_TYPE_BY_NUMBER: ReadonlyMap<string, ViewType> = new Map([
  ['1', 'ACTIVE_ONLY'],
  ['2', 'DELETED_ONLY'],
  ['3', 'ALL'],
]);

export function viewTypeOf(args: WireArgs, name: string): ViewType {
  const v = scalar(args, name);
  if (!present(v)) return 'ACTIVE_ONLY';
  const s = String(v).toUpperCase();
  if (s === 'ACTIVE_ONLY' || s === 'DELETED_ONLY' || s === 'ALL') return s;
  const byNumber = VIEW_TYPE_BY_NUMBER.get(s);
  if (byNumber) return byNumber;
  throw badValue(name, v, 'Expected one of ACTIVE_ONLY, DELETED_ONLY, ALL.');
}

// Responses

/**
 * A metric value as MLflow 2.x's server answers it: NaN as protobuf JSON's "NaN", and ±Infinity
 * as ±1.7976931348623157e308, because MLflow's SQL store clamps infinite values to ±DBL_MAX when
 * it writes them. Caliper stores the infinity itself (the native API and GraphQL return it).
 */
export function wireDouble(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return Number.MAX_VALUE;
  if (v === -Infinity) return -Number.MAX_VALUE;
  return v;
}

export function experimentJson(e: ExperimentEntity, tags: readonly ExperimentTagEntity[]) {
  const own = tags.filter((t) => t.experimentId === e.id);
  return {
    experiment_id: e.id,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    ...(own.length ? { tags: own.map((t) => ({ key: t.key, value: t.value })) } : {}),
  };
}

export function runInfoJson(run: RunEntity, userName: string | null) {
  return {
    run_uuid: run.uuid,
    experiment_id: run.experimentId,
    run_name: run.name,
    ...(userName !== null ? { user_id: userName } : {}),
    status: toMlflowStatus(run.status),
    ...(run.startTime !== null ? { start_time: run.startTime } : {}),
    ...(run.endTime !== null ? { end_time: run.endTime } : {}),
    artifact_uri: run.artifactUri,
    lifecycle_stage: run.lifecycleStage,
    run_id: run.uuid,
  };
}

export function metricJson(m: { key: string } & StoredPoint) {
  return { key: m.key, value: wireDouble(m.value), timestamp: m.timestamp, step: m.step };
}

function inputJson(i: RunInputEntity) {
  const { tags, ...dataset } = i.descriptor as { tags?: KeyValue[] } & Record<string, unknown>;
  return { ...(tags?.length ? { tags } : {}), dataset: { name: i.name, digest: i.digest, ...dataset } };
}

/**
 * A run as runs/get and runs/search return it. runs/create answers without `inputs` and with
 * only what was set at creation (MLflow builds that response before any read).
 */
export function runJson(view: RunView, userName: string | null, opts: { withInputs: boolean } = { withInputs: true }) {
  const metrics = view.latestMetrics.map((m: LatestMetric) => metricJson(m));
  const params = view.params.map((p) => ({ key: p.key, value: p.value }));
  const tags = view.tags.map((t) => ({ key: t.key, value: t.value }));
  const datasets = view.inputs.filter((i) => i.kind === 'dataset').map(inputJson);
  return {
    info: runInfoJson(view.run, userName),
    data: {
      ...(metrics.length ? { metrics } : {}),
      ...(params.length ? { params } : {}),
      ...(tags.length ? { tags } : {}),
    },
    ...(opts.withInputs ? { inputs: datasets.length ? { dataset_inputs: datasets } : {} } : {}),
  };
}
