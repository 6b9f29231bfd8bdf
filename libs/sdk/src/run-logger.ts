/**
 * Logging into one run: metric points are buffered and sent in batches (by size or by time),
 * with bounded memory — once `maxBufferedPoints` are waiting or in flight, `logMetric` waits for a
 * batch to land (back-pressure) — and each batch carries an Idempotency-Key fixed when the batch
 * is cut, so a retry after a lost response never stores the batch twice (log appends carry one
 * too). Params and tags are sent at once so that their errors (a changed param, a bad key) reach
 * the line that caused them.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { CaliperApiError } from './errors';
import type { HttpTransport } from './http';
import { sha256OfFile } from './sha256';
import { ArtifactInfo, KeyValue, MetricPoint, Run, RunStatusUpdate, wireValue } from './types';
import { SystemMetricsSampler } from './system-metrics';

export interface RunLoggerOptions {
  /** Points per request (the native API takes thousands). */
  maxBatchPoints?: number;
  /** A partial batch is sent after this long. */
  flushIntervalMs?: number;
  /** Points buffered plus in flight before logMetric waits. */
  maxBufferedPoints?: number;
  /** Batches in flight at once. */
  concurrency?: number;
  /** How batches are encoded: one JSON object, or newline-delimited JSON streamed line by line. */
  format?: 'json' | 'ndjson';
  /** 0 turns the heartbeat off. */
  heartbeatIntervalMs?: number;
  /** Log CPU, memory and GPU metrics (`system/…`, MLflow's names) this often; 0 (the default, as in MLflow) turns it off. */
  systemMetricsIntervalMs?: number;
  /** A background flush or heartbeat failed (the error is also thrown by the next call). */
  onError?: (err: Error) => void;
}

const DEFAULTS: Required<Omit<RunLoggerOptions, 'onError'>> = {
  maxBatchPoints: 5000,
  flushIntervalMs: 2000,
  maxBufferedPoints: 100_000,
  concurrency: 2,
  format: 'json',
  heartbeatIntervalMs: 30_000,
  systemMetricsIntervalMs: 0,
};

/** Params and tags per request: MLflow's limit, which the native API shares. */
const KEY_VALUES_PER_REQUEST = 100;

export type ProgressListener = (sentBytes: number, totalBytes: number) => void;

const runPath = (runId: string) => `/api/v1/runs/${encodeURIComponent(runId)}`;
export const artifactUrlPath = (runId: string, artifactPath: string) =>
  `${runPath(runId)}/artifacts/${artifactPath.split('/').map(encodeURIComponent).join('/')}`;

export class RunLogger {
  readonly runId: string;
  private readonly opts: Required<Omit<RunLoggerOptions, 'onError'>> & Pick<RunLoggerOptions, 'onError'>;
  private buffer: MetricPoint[] = [];
  private inFlightPoints = 0;
  /** Batches being sent, each with the sequence number of its first point (points are numbered as logged). */
  private inFlight = new Map<Promise<void>, number>();
  /** Points logged so far, and of those, cut into batches so far (the buffer is first in, first out). */
  private loggedCount = 0;
  /** Whether system samples are still taken (finish() stops them before its last flush). */
  private sampling = true;
  private cutCount = 0;
  private roomWaiters: (() => void)[] = [];
  private failure: Error | null = null;
  private closed = false;
  private readonly flushTimer: NodeJS.Timeout;
  private readonly heartbeatTimer: NodeJS.Timeout | null;
  private readonly systemTimer: NodeJS.Timeout | null;
  private systemStep = 0;

  constructor(
    private readonly http: HttpTransport,
    readonly run: Run,
    options: RunLoggerOptions = {},
  ) {
    this.runId = run.id;
    this.opts = { ...DEFAULTS, ...options };
    if (this.opts.maxBufferedPoints < this.opts.maxBatchPoints) throw new RangeError('maxBufferedPoints must be at least maxBatchPoints');
    // Timers never keep a finished script alive; finish() flushes what is left.
    this.flushTimer = setInterval(() => this.cutBatches(true), this.opts.flushIntervalMs).unref();
    this.heartbeatTimer =
      this.opts.heartbeatIntervalMs > 0
        ? setInterval(() => {
            this.heartbeat().catch((err: Error) => this.opts.onError?.(err));
          }, this.opts.heartbeatIntervalMs).unref()
        : null;
    const sampler = this.opts.systemMetricsIntervalMs > 0 ? new SystemMetricsSampler() : null;
    this.systemTimer = sampler
      ? setInterval(() => {
          this.logSystemMetrics(sampler).catch((err: Error) => this.opts.onError?.(err));
        }, this.opts.systemMetricsIntervalMs).unref()
      : null;
  }

  private async logSystemMetrics(sampler: SystemMetricsSampler): Promise<void> {
    if (this.closed || !this.sampling) return;
    const values = await sampler.sample();
    // A sample that was being taken when finish() began is dropped, not left in the buffer.
    if (this.closed || !this.sampling) return;
    await this.logMetrics(values, this.systemStep++);
  }

  /** Points waiting in memory or in flight (what back-pressure bounds). */
  get pendingPoints(): number {
    return this.buffer.length + this.inFlightPoints;
  }

  /**
   * Buffers one point (MLflow's defaults: step 0, timestamp now). Resolves at once unless the
   * buffer is full, then when a batch has landed; await it to get back-pressure.
   */
  async logMetric(key: string, value: number, step = 0, timestamp = Date.now()): Promise<void> {
    this.assertUsable();
    if (typeof key !== 'string' || key === '') throw new TypeError('logMetric: key must be a non-empty string');
    if (typeof value !== 'number') throw new TypeError(`logMetric(${key}): value must be a number, got ${typeof value}`);
    if (!Number.isInteger(step)) throw new TypeError(`logMetric(${key}): step must be an integer, got ${step}`);
    while (this.pendingPoints >= this.opts.maxBufferedPoints) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
      this.assertUsable();
    }
    this.buffer.push({ key, value, step, timestamp });
    this.loggedCount++;
    if (this.buffer.length >= this.opts.maxBatchPoints) this.cutBatches(false);
  }

  /** Several metrics at one step, e.g. `{loss, accuracy}` at the end of an epoch. */
  async logMetrics(values: Record<string, number>, step = 0, timestamp = Date.now()): Promise<void> {
    for (const [key, value] of Object.entries(values)) await this.logMetric(key, value, step, timestamp);
  }

  async logParam(key: string, value: string | number | boolean): Promise<void> {
    await this.logParams({ [key]: value });
  }

  /** Params are write-once: the same value again is fine, a different one is refused by the server. */
  async logParams(params: Record<string, string | number | boolean>): Promise<void> {
    this.assertUsable();
    const entries = Object.entries(params).map(([key, value]) => ({ key, value: String(value) }));
    for (let i = 0; i < entries.length; i += KEY_VALUES_PER_REQUEST)
      await this.sendKeyValues({ params: entries.slice(i, i + KEY_VALUES_PER_REQUEST) });
  }

  async setTag(key: string, value: string): Promise<void> {
    await this.setTags({ [key]: value });
  }

  async setTags(tags: Record<string, string>): Promise<void> {
    this.assertUsable();
    const entries = Object.entries(tags).map(([key, value]) => ({ key, value: String(value) }));
    for (let i = 0; i < entries.length; i += KEY_VALUES_PER_REQUEST)
      await this.sendKeyValues({ tags: entries.slice(i, i + KEY_VALUES_PER_REQUEST) });
  }

  async heartbeat(): Promise<void> {
    await this.http
      .request('POST', `${runPath(this.runId)}/heartbeat`, { idempotent: true, what: 'heartbeat' })
      .then((r) => r.body?.cancel());
  }

  /** Appends lines to the run's log stream; a retry carries the same Idempotency-Key, so no line is stored twice. */
  async appendLogs(lines: { line: string; stream?: 'stdout' | 'stderr'; ts?: number }[]): Promise<void> {
    const body = { lines: lines.map((l) => ({ ts: l.ts ?? Date.now(), stream: l.stream ?? 'stdout', line: l.line })) };
    await this.http
      .request('POST', `${runPath(this.runId)}/logs`, {
        json: body,
        headers: { 'idempotency-key': randomUUID() },
        idempotent: true,
        what: 'log append',
      })
      .then((r) => r.body?.cancel());
  }

  /** Sends every buffered point; resolves once all have landed, throws the first failure. */
  async flush(): Promise<void> {
    // What was logged before this call: points logged meanwhile (a system-metrics timer faster
    // than a round trip) must not keep it waiting forever.
    const target = this.loggedCount;
    for (;;) {
      this.cutBatches(true);
      const earlier = [...this.inFlight].filter(([, first]) => first < target).map(([sending]) => sending);
      if (this.failure || (!earlier.length && this.cutCount >= target)) break;
      await Promise.allSettled(earlier.length ? earlier : [...this.inFlight.keys()]);
    }
    this.throwIfFailed();
  }

  /**
   * Streams a local file to the run's artifacts (never whole in memory) with its sha256, which
   * the server verifies; the path defaults to the file's name.
   */
  async logArtifact(localPath: string, artifactPath?: string, onProgress?: ProgressListener): Promise<ArtifactInfo> {
    this.assertUsable();
    return uploadArtifact(this.http, this.runId, localPath, artifactPath, onProgress);
  }

  /** Flushes, stops the timers and sets the final status (default finished). */
  async finish(status: Exclude<RunStatusUpdate, 'running'> = 'finished'): Promise<Run> {
    // No new samples while the last points go out.
    if (this.systemTimer) clearInterval(this.systemTimer);
    this.sampling = false;
    try {
      if (!this.closed) await this.flush();
    } finally {
      this.stopTimers();
    }
    this.closed = true;
    const body = await this.http.json<{ run: Run }>('PATCH', runPath(this.runId), {
      json: { status, endTime: Date.now() },
      what: `finishing run ${this.runId}`,
    });
    return body.run;
  }

  /** Stops the timers without flushing (after a failure the caller has handled). */
  close(): void {
    this.closed = true;
    this.stopTimers();
    this.wakeWaiters();
  }

  private stopTimers(): void {
    clearInterval(this.flushTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.systemTimer) clearInterval(this.systemTimer);
  }

  private assertUsable(): void {
    if (this.closed) throw new CaliperApiError('RUN_LOGGER_CLOSED', `run ${this.runId}: this logger is finished or closed`, 0);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  private wakeWaiters(): void {
    for (const wake of this.roomWaiters.splice(0)) wake();
  }

  /** Cuts full batches (and, when `partial`, the remainder) while concurrency allows. */
  private cutBatches(partial: boolean): void {
    while (
      !this.failure &&
      this.inFlight.size < this.opts.concurrency &&
      (this.buffer.length >= this.opts.maxBatchPoints || (partial && this.buffer.length > 0))
    ) {
      const batch = this.buffer.splice(0, this.opts.maxBatchPoints);
      const first = this.cutCount;
      this.cutCount += batch.length;
      const sending = this.sendBatch(batch, randomUUID())
        .catch((err: Error) => {
          this.failure ??= err;
          this.opts.onError?.(err);
        })
        .finally(() => {
          this.inFlight.delete(sending);
          this.inFlightPoints -= batch.length;
          this.wakeWaiters();
          this.cutBatches(false);
        });
      this.inFlightPoints += batch.length;
      this.inFlight.set(sending, first);
    }
  }

  private async sendBatch(points: MetricPoint[], idempotencyKey: string): Promise<void> {
    const metrics = points.map((p) => ({ key: p.key, value: wireValue(p.value), step: p.step, timestamp: p.timestamp }));
    const headers = { 'idempotency-key': idempotencyKey };
    const what = `sending ${points.length} metric points to run ${this.runId}`;
    const res =
      this.opts.format === 'ndjson'
        ? await this.http.request('POST', `${runPath(this.runId)}/batch`, {
            body: () => ndjsonBody(metrics),
            headers: { ...headers, 'content-type': 'application/x-ndjson' },
            idempotent: true,
            what,
          })
        : await this.http.request('POST', `${runPath(this.runId)}/batch`, { json: { metrics }, headers, idempotent: true, what });
    await res.body?.cancel();
  }

  private async sendKeyValues(body: { params?: KeyValue[]; tags?: KeyValue[] }): Promise<void> {
    const res = await this.http.request('POST', `${runPath(this.runId)}/batch`, {
      json: { metrics: [], params: [], tags: [], ...body },
      headers: { 'idempotency-key': randomUUID() },
      idempotent: true,
      what: `logging ${body.params ? 'params' : 'tags'} of run ${this.runId}`,
    });
    await res.body?.cancel();
  }
}

/** NDJSON streamed line by line, so a large batch is never one big string. */
function ndjsonBody(lines: readonly object[]): ReadableStream<Uint8Array> {
  let i = 0;
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i >= lines.length) return controller.close();
      const chunk: string[] = [];
      for (const end = Math.min(lines.length, i + 500); i < end; i++) chunk.push(JSON.stringify(lines[i]));
      controller.enqueue(encoder.encode(chunk.join('\n') + '\n'));
    },
  });
}

export async function uploadArtifact(
  http: HttpTransport,
  runId: string,
  localPath: string,
  artifactPath: string | undefined,
  onProgress?: ProgressListener,
): Promise<ArtifactInfo> {
  const { size } = await stat(localPath);
  const sha256 = await sha256OfFile(localPath);
  const target = artifactPath ?? localPath.split(/[\\/]/).pop()!;
  const body = () => {
    let sent = 0;
    onProgress?.(0, size);
    const counting = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sent += chunk.length;
        onProgress?.(sent, size);
        done(null, chunk);
      },
    });
    return Readable.toWeb(createReadStream(localPath).pipe(counting)) as ReadableStream<Uint8Array>;
  };
  const res = await http.json<{ artifact: ArtifactInfo }>('PUT', artifactUrlPath(runId, target), {
    body,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size), 'x-checksum-sha256': sha256 },
    what: `uploading ${localPath} to run ${runId} as ${target}`,
  });
  return res?.artifact ?? { path: target, size, sha256 };
}
