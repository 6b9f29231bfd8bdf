/**
 * Newline-delimited JSON batches (Content-Type application/x-ndjson): one metric point object
 * a line, parsed as the body streams in, so the body is never held as one string. The raw
 * bytes are hashed on the way (the Idempotency-Key check compares hashes).
 */
import { createHash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { MetricPointInput } from '@caliper/domain';
import { AppError, badInput } from '../common/app-error';
import { metricPoint } from './native-input';

export async function readNdjsonPoints(body: AsyncIterable<Buffer | string>, maxBytes: number): Promise<{ points: MetricPointInput[]; sha256: string }> {
  const hash = createHash('sha256');
  const decoder = new StringDecoder('utf8');
  const points: MetricPointInput[] = [];
  const now = Date.now();
  let bytes = 0;
  let carry = '';
  let lineNo = 0;
  const take = (line: string) => {
    lineNo++;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw badInput(`line ${lineNo}`, 'is not valid JSON (NDJSON bodies carry one metric point object per line).');
    }
    points.push(metricPoint(parsed, `line ${lineNo}`, now));
  };
  for await (const chunk of body) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += buf.length;
    if (bytes > maxBytes) throw new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB (MAX_BATCH_BODY_MB); split the batch.`);
    hash.update(buf);
    const text = carry + decoder.write(buf);
    const lines = text.split('\n');
    carry = lines.pop()!;
    for (const line of lines) take(line);
  }
  carry += decoder.end();
  if (carry !== '') take(carry);
  return { points, sha256: hash.digest('hex') };
}
