/**
 * RunLogger against a scripted server: batching, idempotency keys, back-pressure, failures, artifacts.
 * Timer-driven behaviour (flush interval, heartbeats, system samples) runs on Jest's fake timers,
 * advanced by the test; the server and child processes stay real, and the test waits for their
 * effects by awaiting them or by turning the event loop, never by sleeping.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ServerResponse } from 'node:http';
import { CaliperClient } from '../client';
import { CaliperApiError } from '../errors';
import type { RunLogger, RunLoggerOptions } from '../run-logger';
import { SystemMetricsSampler } from '../system-metrics';
import { FakeServer, json, Recorded, requestAt, startFakeServer } from './fake-server';

const RUN = { id: 'a'.repeat(32), name: 'r', status: 'running' };

/** Fakes the logger's timers and Date; setImmediate and process.nextTick stay real for the loopback IO and for `until`. */
const useFakeTimers = () => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate'] });

const MAX_TURNS = 10_000;

/** Lets real IO run, one event-loop turn at a time, until `done` holds; bounded in turns, not in wall-clock time. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < MAX_TURNS; turn++) {
    if (done()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`still waiting for ${what} after ${MAX_TURNS} event-loop turns`);
}

/** Advances the fake clock in steps, letting real IO run between them, until `promise` settles (at most 100 steps). */
async function advanceUntilSettled<T>(promise: Promise<T>, stepMs: number, what: string): Promise<T> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let step = 0; step < 100 && !settled; step++) {
    await jest.advanceTimersByTimeAsync(stepMs);
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (!settled) throw new Error(`${what} had not returned after 100 steps of ${stepMs} ms`);
  return promise;
}

describe('RunLogger', () => {
  let server: FakeServer;
  let loggers: RunLogger[];
  /** Requests the SDK has handed to fetch, recorded at the call: a timer's request is counted the moment the timer fires. */
  let started: { path: string; answered: Promise<unknown> }[];
  const startedTo = (suffix: string) => started.filter((r) => r.path.endsWith(suffix));
  const batches = () => server.requests.filter((r) => r.path.endsWith('/batch'));
  const metricsOf = (r: Recorded) => (JSON.parse(r.body) as { metrics: { key: string; value: unknown; step: number }[] }).metrics;

  /** Answers run creation and anything else with 200 unless `batch` handles batches. */
  function serve(batch?: (req: Recorded, res: ServerResponse, n: number) => void) {
    server.handle((req, res, n) => {
      if (req.method === 'POST' && req.path === '/api/v1/projects/brain/runs') return json(res, 201, { run: RUN });
      if (req.path.endsWith('/batch') && batch) return batch(req, res, n);
      if (req.method === 'PATCH') return json(res, 200, { run: { ...RUN, ...JSON.parse(req.body) } });
      return json(res, 200, {});
    });
  }

  async function start(opts: RunLoggerOptions = {}) {
    const client = new CaliperClient({
      baseUrl: server.base,
      token: 'clp_t',
      sleep: async () => undefined,
      fetch: (input, init) => {
        const answered = fetch(input, init);
        started.push({ path: new URL(input instanceof Request ? input.url : input).pathname, answered: answered.catch(() => undefined) });
        return answered;
      },
    });
    const logger = await client.startRun({
      project: 'brain',
      experiment: 'unet',
      params: { lr: 0.01 },
      logger: { heartbeatIntervalMs: 0, flushIntervalMs: 60_000, ...opts },
    });
    loggers.push(logger);
    return logger;
  }

  beforeEach(async () => {
    server = await startFakeServer();
    loggers = [];
    started = [];
  });
  afterEach(async () => {
    for (const l of loggers) l.close();
    jest.useRealTimers();
    jest.restoreAllMocks();
    await server.close();
  });

  it('creates the run with params, tags and code', async () => {
    serve();
    const client = new CaliperClient({ baseUrl: server.base, token: 'clp_t' });
    const logger = await client.startRun({
      project: 'brain',
      experiment: 'unet',
      name: 'n',
      params: { lr: 0.01, aug: true },
      tags: { t: 'v' },
      git: { commit: 'abc', repo: 'r' },
      logger: { heartbeatIntervalMs: 0 },
    });
    loggers.push(logger);
    expect(logger.runId).toBe(RUN.id);
    expect(JSON.parse(requestAt(server.requests, 0).body)).toEqual({
      experiment: 'unet',
      name: 'n',
      params: [
        { key: 'lr', value: '0.01' },
        { key: 'aug', value: 'true' },
      ],
      tags: [{ key: 't', value: 'v' }],
      gitCommit: 'abc',
      gitRepo: 'r',
    });
  });

  it('retries run creation after a server error under the same idempotency key and body', async () => {
    let creates = 0;
    server.handle((req, res) => {
      if (req.method === 'POST' && req.path === '/api/v1/projects/brain/runs' && ++creates === 1)
        return json(res, 500, { code: 'INTERNAL', message: 'Internal error' });
      return json(res, 201, { run: RUN });
    });
    const client = new CaliperClient({ baseUrl: server.base, token: 'clp_t', sleep: async () => undefined });
    const run = await client.runs.create({ project: 'brain', name: 'n' });
    expect(run.id).toBe(RUN.id);
    const sent = server.requests.filter((r) => r.path === '/api/v1/projects/brain/runs');
    expect(sent).toHaveLength(2);
    expect(requestAt(sent, 0).headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestAt(sent, 1).headers['idempotency-key']).toBe(requestAt(sent, 0).headers['idempotency-key']);
    expect(requestAt(sent, 1).body).toBe(requestAt(sent, 0).body);
    // A second run is a new request with a key of its own.
    await client.runs.create({ project: 'brain', name: 'n' });
    expect(requestAt(server.requests, -1).headers['idempotency-key']).not.toBe(requestAt(sent, 0).headers['idempotency-key']);
  });

  it('retries a log append after a lost response under the same idempotency key and timestamps', async () => {
    let appends = 0;
    serve();
    const logger = await start();
    server.handle((req, res) => {
      // The first append is applied, but its connection drops before the answer.
      if (req.path.endsWith('/logs') && ++appends === 1) return res.destroy();
      return req.path.endsWith('/logs') ? res.writeHead(204).end() : json(res, 200, {});
    });
    await logger.appendLogs([{ line: 'epoch 1' }, { line: 'oops', stream: 'stderr' }]);
    const sent = server.requests.filter((r) => r.path.endsWith('/logs'));
    expect(sent).toHaveLength(2);
    expect(requestAt(sent, 0).headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestAt(sent, 1).headers['idempotency-key']).toBe(requestAt(sent, 0).headers['idempotency-key']);
    expect(requestAt(sent, 1).body).toBe(requestAt(sent, 0).body);
    expect(JSON.parse(requestAt(sent, 0).body)).toEqual({
      lines: [
        { line: 'epoch 1', stream: 'stdout', ts: expect.any(Number) },
        { line: 'oops', stream: 'stderr', ts: expect.any(Number) },
      ],
    });
    await logger.appendLogs([{ line: 'epoch 2' }]);
    expect(requestAt(server.requests, -1).headers['idempotency-key']).not.toBe(requestAt(sent, 0).headers['idempotency-key']);
  });

  it('sends full batches as they fill and the rest on flush, each under its own idempotency key', async () => {
    serve((_req, res) => json(res, 200, { written: 0 }));
    const logger = await start({ maxBatchPoints: 5 });
    for (let step = 0; step < 12; step++) await logger.logMetric('loss', 1 / (step + 1), step, 1000 + step);
    await logger.flush();
    expect(batches().map((b) => metricsOf(b).length)).toEqual([5, 5, 2]);
    expect(batches().flatMap((b) => metricsOf(b).map((m) => m.step))).toEqual([...Array(12).keys()]);
    expect(metricsOf(requestAt(batches(), 0))[1]).toEqual({ key: 'loss', value: 0.5, step: 1, timestamp: 1001 });
    const keys = batches().map((b) => b.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(3);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('repeats a failed batch with the same idempotency key', async () => {
    serve((_req, res, n) => (n === 2 ? json(res, 503, { code: 'INTERNAL', message: 'try later' }) : json(res, 200, {})));
    const logger = await start();
    await logger.logMetric('loss', 1, 0);
    await logger.flush();
    expect(batches()).toHaveLength(2);
    expect(requestAt(batches(), 1).headers['idempotency-key']).toBe(requestAt(batches(), 0).headers['idempotency-key']);
    expect(requestAt(batches(), 1).body).toBe(requestAt(batches(), 0).body);
  });

  it('sends a partial batch after the flush interval without being asked', async () => {
    useFakeTimers();
    serve((_req, res) => json(res, 200, {}));
    const logger = await start({ flushIntervalMs: 30 });
    await logger.logMetric('acc', 0.9, 3);
    await jest.advanceTimersByTimeAsync(29);
    expect(startedTo('/batch')).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(startedTo('/batch')).toHaveLength(1);
    await Promise.all(startedTo('/batch').map((r) => r.answered));
    expect(batches()).toHaveLength(1);
    expect(metricsOf(requestAt(batches(), 0))).toEqual([expect.objectContaining({ key: 'acc', value: 0.9, step: 3 })]);
  });

  it('bounds memory: logMetric waits once the buffer and in-flight batches hold maxBufferedPoints', async () => {
    const held: ServerResponse[] = [];
    serve((_req, res) => held.push(res));
    const logger = await start({ maxBatchPoints: 5, maxBufferedPoints: 10, concurrency: 1 });
    for (let i = 0; i < 10; i++) await logger.logMetric('m', i, i);
    let eleventhAccepted = false;
    const eleventh = logger.logMetric('m', 10, 10).then(() => (eleventhAccepted = true));
    // No timer to fake: logMetric waits for a real batch to land, so the test waits until the first batch is held at the server.
    await until(() => held.length === 1, 'the first batch at the server');
    expect(logger.pendingPoints).toBe(10);
    expect(eleventhAccepted).toBe(false);
    json(held.shift()!, 200, {});
    await eleventh;
    expect(logger.pendingPoints).toBeLessThanOrEqual(10);
    serve((_req, res) => json(res, 200, {}));
    while (held.length) json(held.shift()!, 200, {});
    await logger.flush();
    expect(batches().flatMap((b) => metricsOf(b).map((m) => m.value))).toEqual([...Array(11).keys()]);
  });

  it("surfaces a refused batch with the server's code and refuses further logging", async () => {
    serve((_req, res) => json(res, 400, { code: 'BAD_USER_INPUT', message: "Invalid metric name: 'bad*'" }));
    const errors: Error[] = [];
    const logger = await start({ onError: (e) => errors.push(e) });
    await logger.logMetric('bad*', 1);
    const err = await logger.flush().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaliperApiError);
    expect(err).toMatchObject({ code: 'BAD_USER_INPUT', status: 400, message: expect.stringMatching(/Invalid metric name/) });
    expect(errors).toEqual([err]);
    await expect(logger.logMetric('ok', 1)).rejects.toBe(err);
    expect(batches()).toHaveLength(1);
  });

  it('encodes NaN and infinities as MLflow does', async () => {
    serve((_req, res) => json(res, 200, {}));
    const logger = await start();
    await logger.logMetrics({ a: NaN, b: Infinity, c: -Infinity }, 1);
    await logger.flush();
    expect(metricsOf(requestAt(batches(), 0)).map((m) => m.value)).toEqual(['NaN', 'Infinity', '-Infinity']);
  });

  it('streams NDJSON when asked', async () => {
    serve((_req, res) => json(res, 200, {}));
    const logger = await start({ format: 'ndjson', maxBatchPoints: 1000 });
    for (let i = 0; i < 1000; i++) await logger.logMetric('loss', i, i, 5);
    await logger.flush();
    const b = requestAt(batches(), 0);
    expect(b.headers['content-type']).toBe('application/x-ndjson');
    const lines = b.body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1000);
    expect(lines[999]).toEqual({ key: 'loss', value: 999, step: 999, timestamp: 5 });
  });

  it("sends params and tags at once and rejects with the server's error", async () => {
    serve((req, res) => {
      const body = JSON.parse(req.body) as { params: { key: string; value: string }[] };
      if (body.params.some((p) => p.key === 'lr' && p.value !== '0.01'))
        return json(res, 400, {
          code: 'BAD_USER_INPUT',
          message: 'Changing param values is not allowed. Param with key=lr was already logged with value=0.01',
        });
      return json(res, 200, {});
    });
    const logger = await start();
    await logger.logParams(Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`p${i}`, i])));
    await logger.setTag('phase', 'warmup');
    expect(batches().map((b) => JSON.parse(b.body))).toEqual([
      expect.objectContaining({ params: expect.arrayContaining([{ key: 'p0', value: '0' }]) }),
      expect.objectContaining({ params: expect.arrayContaining([{ key: 'p149', value: '149' }]) }),
      { metrics: [], params: [], tags: [{ key: 'phase', value: 'warmup' }] },
    ]);
    expect(JSON.parse(requestAt(batches(), 0).body).params).toHaveLength(100);
    await expect(logger.logParam('lr', 0.02)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringMatching(/Changing param values/),
    });
  });

  it('streams an artifact with its sha256 and reports progress to the end', async () => {
    serve();
    server.handle((req, res) =>
      req.method === 'PUT'
        ? json(res, 201, {
            artifact: {
              path: 'model/best.onnx',
              size: req.body.length,
              sha256: createHash('sha256').update(req.body, 'latin1').digest('hex'),
            },
          })
        : json(res, 201, { run: RUN }),
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'sdk-'));
    const file = path.join(dir, 'best.onnx');
    const content = randomBytes(300_000).toString('hex');
    writeFileSync(file, content);
    const logger = await start();
    const progress: number[] = [];
    const info = await logger.logArtifact(file, 'model/best.onnx', (sent, total) => {
      expect(total).toBe(600_000);
      progress.push(sent);
    });
    const put = server.requests.find((r) => r.method === 'PUT')!;
    expect(put.path).toBe(`/api/v1/runs/${RUN.id}/artifacts/model/best.onnx`);
    expect(put.body).toBe(content);
    const digest = createHash('sha256').update(content).digest('hex');
    expect(put.headers['x-checksum-sha256']).toBe(digest);
    expect(put.headers['content-length']).toBe('600000');
    expect(info).toMatchObject({ path: 'model/best.onnx', sha256: digest });
    expect(progress[progress.length - 1]).toBe(600_000);
    expect(progress.length).toBeGreaterThan(2);
  });

  it('finish flushes, then sets the final status', async () => {
    serve((_req, res) => json(res, 200, {}));
    const logger = await start();
    await logger.logMetric('loss', 0.1, 9);
    const run = await logger.finish('failed');
    expect(server.requests.slice(-2).map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /api/v1/runs/${RUN.id}/batch`,
      `PATCH /api/v1/runs/${RUN.id}`,
    ]);
    expect(JSON.parse(requestAt(server.requests, -1).body)).toEqual({ status: 'failed', endTime: expect.any(Number) });
    expect(run.status).toBe('failed');
    await expect(logger.logMetric('loss', 1)).rejects.toMatchObject({ code: 'RUN_LOGGER_CLOSED' });
  });

  it('sends heartbeats on its timer', async () => {
    useFakeTimers();
    serve();
    const logger = await start({ heartbeatIntervalMs: 40 });
    await jest.advanceTimersByTimeAsync(39);
    expect(startedTo('/heartbeat')).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(41); // two intervals in all
    expect(startedTo('/heartbeat')).toHaveLength(2);
    await Promise.all(startedTo('/heartbeat').map((r) => r.answered));
    expect(server.requests.filter((r) => r.path.endsWith('/heartbeat'))).toHaveLength(2);
    logger.close();
    await jest.advanceTimersByTimeAsync(80);
    expect(startedTo('/heartbeat')).toHaveLength(2);
  });

  it('logs CPU and memory as MLflow system metrics on an interval when asked, numbered by sample', async () => {
    useFakeTimers();
    const sample = jest.spyOn(SystemMetricsSampler.prototype, 'sample');
    serve((_req, res) => json(res, 200, { written: 0 }));
    const logger = await start({ systemMetricsIntervalMs: 20 });
    await jest.advanceTimersByTimeAsync(19);
    expect(sample).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(41); // three intervals in all
    expect(sample).toHaveBeenCalledTimes(3);
    // A sample reads the machine (and runs nvidia-smi when there is one): wait for the three, then for their points.
    const samples = await Promise.all(sample.mock.results.map((r) => r.value));
    const sampledPoints = samples.reduce((n, s) => n + Object.keys(s).length, 0);
    await until(() => logger.pendingPoints === sampledPoints, 'the points of three samples');
    await logger.flush();
    const points = batches().flatMap(metricsOf);
    const cpu = points.filter((p) => p.key === 'system/cpu_utilization_percentage');
    expect(cpu.map((p) => p.step)).toEqual([0, 1, 2]);
    for (const p of cpu) expect(p.value as number).toBeGreaterThanOrEqual(0);
    for (const p of cpu) expect(p.value as number).toBeLessThanOrEqual(100);
    const memory = points.find((p) => p.key === 'system/system_memory_usage_megabytes');
    expect(memory?.value as number).toBeGreaterThan(0);
  });

  it('flushes what was logged before the call, though a sampler faster than a round trip keeps logging', async () => {
    // Every batch takes 60 ms to answer while system samples arrive every 5 ms: a flush that
    // waited for an empty buffer would never return. Both run on the fake clock; the readings are
    // canned, since a real sample forks nvidia-smi and a fork costs more than the 5 ms it stands for.
    useFakeTimers();
    jest.spyOn(SystemMetricsSampler.prototype, 'sample').mockResolvedValue({
      'system/cpu_utilization_percentage': 50,
      'system/system_memory_usage_megabytes': 1024,
      'system/system_memory_usage_percentage': 25,
    });
    serve((_req, res) => void setTimeout(() => json(res, 200, { written: 0 }), 60));
    const logger = await start({ systemMetricsIntervalMs: 5, maxBatchPoints: 8 });
    await jest.advanceTimersByTimeAsync(30);
    await logger.logMetric('loss', 0.5, 7, 1000);
    await advanceUntilSettled(logger.flush(), 60, 'flush');
    expect(
      batches()
        .flatMap(metricsOf)
        .filter((p) => p.key === 'loss'),
    ).toEqual([{ key: 'loss', value: 0.5, step: 7, timestamp: 1000 }]);
    await advanceUntilSettled(logger.finish(), 60, 'finish');
    // finish() stops sampling before its flush, so nothing logged is left behind.
    expect(logger.pendingPoints).toBe(0);
  });

  it("logs no system metrics unless asked (MLflow's default)", async () => {
    useFakeTimers();
    const sample = jest.spyOn(SystemMetricsSampler.prototype, 'sample');
    serve((_req, res) => json(res, 200, { written: 0 }));
    const logger = await start();
    await logger.logMetric('loss', 1, 0, 1000);
    await jest.advanceTimersByTimeAsync(600_000); // ten minutes: any sampling interval would have come round
    expect(sample).not.toHaveBeenCalled();
    await logger.flush();
    expect(
      batches()
        .flatMap(metricsOf)
        .map((p) => p.key),
    ).toEqual(['loss']);
  });
});
