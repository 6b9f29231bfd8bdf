/**
 * Newline-delimited JSON batches (Content-Type application/x-ndjson), parsed as the body streams
 * in, so the body is never held as one string. A line is one of
 *
 *   {"key": "loss", "value": 0.5, "step": 3, "timestamp": 1700000000000}   a metric point
 *   {"param": {"key": "lr", "value": 0.001}}                               a param (string, number or boolean)
 *   {"tag": {"key": "phase", "value": "train"}}                            a tag (string)
 *
 * the items of a JSON batch's `metrics`, `params` and `tags`, checked by the same rules (names,
 * value lengths, at most 100 params and 100 tags, one value per param key) as each line arrives,
 * so every error names its line. Blank lines are skipped. The raw bytes are hashed on the way
 * (the Idempotency-Key check compares hashes).
 */
import { createHash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import {
  badInput,
  DomainError,
  findInvalidText,
  keyProblem,
  KeyValue,
  MAX_PARAM_VALUE_LENGTH,
  MAX_PARAMS_TAGS_PER_BATCH,
  MAX_TAG_VALUE_LENGTH,
  MetricPointInput,
} from '@caliper/domain';
import { Json, keyValue, metricPoint } from './native-input';

export interface NdjsonBatch {
  metrics: MetricPointInput[];
  params: KeyValue[];
  tags: KeyValue[];
}

const LINE_SHAPES = 'a metric point {key, value, step?, timestamp?}, {"param": {key, value}} or {"tag": {key, value}}';

export async function readNdjsonBatch(
  body: AsyncIterable<Buffer | string>,
  maxBytes: number,
): Promise<{ batch: NdjsonBatch; sha256: string }> {
  const hash = createHash('sha256');
  const decoder = new StringDecoder('utf8');
  const batch: NdjsonBatch = { metrics: [], params: [], tags: [] };
  /** Line of each param key, to name both lines of a duplicate. */
  const paramLines = new Map<string, number>();
  /** Metric names already checked: a batch has many points and few names. */
  const metricNames = new Set<string>();
  const now = Date.now();
  let bytes = 0;
  let carry = '';
  let lineNo = 0;

  const keyValueLine = (kind: 'param' | 'tag', v: unknown, at: string) => {
    const kv = keyValue(v, `${at}.${kind}`, kind === 'param');
    const problem = keyProblem(kind, kv.key);
    if (problem) throw badInput(at, problem);
    const max = kind === 'param' ? MAX_PARAM_VALUE_LENGTH : MAX_TAG_VALUE_LENGTH;
    if (kv.value.length > max) throw badInput(`${at}.${kind}.value`, `longer than ${max} characters (the limit for a ${kind} value).`);
    const list = kind === 'param' ? batch.params : batch.tags;
    if (list.length === MAX_PARAMS_TAGS_PER_BATCH)
      throw badInput(at, `a batch can carry at most ${MAX_PARAMS_TAGS_PER_BATCH} ${kind}s; split them across batches.`);
    if (kind === 'param') {
      const earlier = paramLines.get(kv.key);
      if (earlier !== undefined)
        throw badInput(at, `param '${kv.key}' is already on line ${earlier}; a batch carries one value per param key.`);
      paramLines.set(kv.key, lineNo);
    }
    list.push(kv);
  };

  const take = (line: string) => {
    lineNo++;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return;
    const at = `line ${lineNo}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw badInput(at, `is not valid JSON; each NDJSON line is one JSON object: ${LINE_SHAPES}.`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw badInput(at, `expected ${LINE_SHAPES}.`);
    const invalid = findInvalidText(parsed, '$');
    if (invalid) throw badInput(at, `${invalid.path} ${invalid.problem}: refused, nothing was written.`);
    const o = parsed as Json;
    const kind = 'param' in o ? 'param' : 'tag' in o ? 'tag' : null;
    if (kind) {
      if (Object.keys(o).length !== 1)
        throw badInput(
          at,
          `a ${kind} line carries only {"${kind}": {key, value}}; put metric points and other items on lines of their own.`,
        );
      return keyValueLine(kind, o[kind], at);
    }
    if (!('key' in o)) throw badInput(at, `expected ${LINE_SHAPES}.`);
    const point = metricPoint(o, at, now);
    if (!metricNames.has(point.key)) {
      const problem = keyProblem('metric', point.key);
      if (problem) throw badInput(at, problem);
      metricNames.add(point.key);
    }
    batch.metrics.push(point);
  };

  for await (const chunk of body) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += buf.length;
    if (bytes > maxBytes)
      throw new DomainError(
        'PAYLOAD_TOO_LARGE',
        `The request body is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB (MAX_BATCH_BODY_MB); split the batch.`,
      );
    hash.update(buf);
    const text = carry + decoder.write(buf);
    const lines = text.split('\n');
    carry = lines.pop()!;
    for (const line of lines) take(line);
  }
  carry += decoder.end();
  if (carry !== '') take(carry);
  return { batch, sha256: hash.digest('hex') };
}
