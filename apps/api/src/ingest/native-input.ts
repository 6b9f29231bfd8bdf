/**
 * Reading native request bodies by hand: batches carry thousands of points, too many for
 * class-validator's per-object cost. Every error names the field (with its index) and says
 * what was expected.
 */
import { badInput, KeyValue, MetricPointInput, parseInt64, parseMetricValue, RunStatus } from '@caliper/domain';

export type Json = Record<string, unknown>;

export function objectAt(v: unknown, field: string): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw badInput(field, 'expected a JSON object.');
  return v as Json;
}

export function optionalString(o: Json, key: string, field = key, max = 5000): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw badInput(field, 'expected a string.');
  if (v.length > max) throw badInput(field, `longer than ${max} characters.`);
  return v;
}

export function optionalInt(o: Json, key: string, field = key): number | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  const n = parseInt64(v);
  if (n === null) throw badInput(field, 'expected a whole number of at most ±9007199254740991 (JSON number or decimal string).');
  return n;
}

/** A metric point: value may be a number or "NaN"/"Infinity"/"-Infinity"; step defaults to 0, timestamp to now. */
export function metricPoint(v: unknown, field: string, now: number): MetricPointInput {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw badInput(field, 'expected an object {key, value, step?, timestamp?}.');
  const o = v as Json;
  if (typeof o.key !== 'string' || o.key === '') throw badInput(`${field}.key`, 'expected a non-empty metric name.');
  const value = parseMetricValue(o.value);
  if (value === null) throw badInput(`${field}.value`, 'expected a number, "NaN", "Infinity" or "-Infinity".');
  const step = o.step === undefined || o.step === null ? 0 : parseInt64(o.step);
  if (step === null) throw badInput(`${field}.step`, 'expected a whole number of at most ±9007199254740991.');
  const timestamp = o.timestamp === undefined || o.timestamp === null ? now : parseInt64(o.timestamp);
  if (timestamp === null)
    throw badInput(`${field}.timestamp`, 'expected milliseconds since the epoch as a whole number of at most ±9007199254740991.');
  return { key: o.key, value, step, timestamp };
}

export function metricPoints(v: unknown, field: string): MetricPointInput[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw badInput(field, 'expected an array of {key, value, step, timestamp}.');
  const now = Date.now();
  return v.map((p, i) => metricPoint(p, `${field}[${i}]`, now));
}

/** A param or tag value as text: params may be numbers or booleans (logged as text), tags only strings. */
function keyValueText(x: unknown, field: string, allowScalars: boolean): string {
  if (typeof x === 'string') return x;
  if (allowScalars && (typeof x === 'number' || typeof x === 'boolean')) return String(x);
  throw badInput(field, allowScalars ? 'expected a string, number or boolean.' : 'expected a string.');
}

/** One param or tag as `{key, value}`. */
export function keyValue(v: unknown, field: string, allowScalars: boolean): KeyValue {
  const o = objectAt(v, field);
  if (typeof o.key !== 'string') throw badInput(`${field}.key`, 'expected a string.');
  return { key: o.key, value: keyValueText(o.value, `${field}.value`, allowScalars) };
}

/** Params or tags as `{key: value}` or `[{key, value}]`; params may be numbers or booleans (logged as text). */
export function keyValues(v: unknown, field: string, allowScalars: boolean): KeyValue[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((kv, i) => keyValue(kv, `${field}[${i}]`, allowScalars));
  return Object.entries(objectAt(v, field)).map(([key, value]) => ({ key, value: keyValueText(value, `${field}.${key}`, allowScalars) }));
}

export function runStatus(v: unknown, field: string): RunStatus | null {
  if (v === undefined || v === null) return null;
  const allowed = ['running', 'finished', 'failed', 'killed'];
  if (typeof v !== 'string' || !allowed.includes(v)) {
    throw badInput(field, `expected one of ${allowed.join(', ')}.`);
  }
  return v as RunStatus;
}

/** A query-string number within bounds, with a default. */
export function queryInt(v: unknown, field: string, dflt: number, min: number, max: number): number {
  if (v === undefined || v === '') return dflt;
  if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
    throw badInput(field, `expected a whole number from ${min} to ${max}.`);
  return Number(v);
}

/** NaN and ±Infinity as MLflow writes them in JSON. */
export function jsonNumber(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}
