/** RunLogger against a scripted server: batching, idempotency keys, back-pressure, failures, artifacts. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ServerResponse } from 'node:http';
import { CaliperClient } from '../client';
import { CaliperApiError } from '../errors';
import type { RunLogger, RunLoggerOptions } from '../run-logger';
import { FakeServer, json, Recorded, startFakeServer } from './fake-server';

const RUN = { id: 'a'.repeat(32), name: 'r', status: 'running' };

describe('RunLogger', () => {
  let server: FakeServer;
  let loggers: RunLogger[];
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
    const client = new CaliperClient({ baseUrl: server.base, token: 'clp_t', sleep: async () => undefined });
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
  });
  afterEach(async () => {
    for (const l of loggers) l.close();
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
    expect(JSON.parse(server.requests[0].body)).toEqual({
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
    expect(sent[0].headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[1].headers['idempotency-key']).toBe(sent[0].headers['idempotency-key']);
    expect(sent[1].body).toBe(sent[0].body);
    // A second run is a new request with a key of its own.
    await client.runs.create({ project: 'brain', name: 'n' });
    expect(server.requests.at(-1)!.headers['idempotency-key']).not.toBe(sent[0].headers['idempotency-key']);
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
    expect(sent[0].headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[1].headers['idempotency-key']).toBe(sent[0].headers['idempotency-key']);
    expect(sent[1].body).toBe(sent[0].body);
    expect(JSON.parse(sent[0].body)).toEqual({
      lines: [
        { line: 'epoch 1', stream: 'stdout', ts: expect.any(Number) },
        { line: 'oops', stream: 'stderr', ts: expect.any(Number) },
      ],
    });
    await logger.appendLogs([{ line: 'epoch 2' }]);
    expect(server.requests.at(-1)!.headers['idempotency-key']).not.toBe(sent[0].headers['idempotency-key']);
  });

  it('sends full batches as they fill and the rest on flush, each under its own idempotency key', async () => {
    serve((_req, res) => json(res, 200, { written: 0 }));
    const logger = await start({ maxBatchPoints: 5 });
    for (let step = 0; step < 12; step++) await logger.logMetric('loss', 1 / (step + 1), step, 1000 + step);
    await logger.flush();
    expect(batches().map((b) => metricsOf(b).length)).toEqual([5, 5, 2]);
    expect(batches().flatMap((b) => metricsOf(b).map((m) => m.step))).toEqual([...Array(12).keys()]);
    expect(metricsOf(batches()[0])[1]).toEqual({ key: 'loss', value: 0.5, step: 1, timestamp: 1001 });
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
    expect(batches()[1].headers['idempotency-key']).toBe(batches()[0].headers['idempotency-key']);
    expect(batches()[1].body).toBe(batches()[0].body);
  });

  it('sends a partial batch after the flush interval without being asked', async () => {
    serve((_req, res) => json(res, 200, {}));
    const logger = await start({ flushIntervalMs: 30 });
    await logger.logMetric('acc', 0.9, 3);
    await new Promise((r) => setTimeout(r, 200));
    expect(batches()).toHaveLength(1);
    expect(metricsOf(batches()[0])).toEqual([expect.objectContaining({ key: 'acc', value: 0.9, step: 3 })]);
  });

  it('bounds memory: logMetric waits once the buffer and in-flight batches hold maxBufferedPoints', async () => {
    const held: ServerResponse[] = [];
    serve((_req, res) => held.push(res));
    const logger = await start({ maxBatchPoints: 5, maxBufferedPoints: 10, concurrency: 1 });
    for (let i = 0; i < 10; i++) await logger.logMetric('m', i, i);
    let eleventhAccepted = false;
    const eleventh = logger.logMetric('m', 10, 10).then(() => (eleventhAccepted = true));
    await new Promise((r) => setTimeout(r, 100));
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
    expect(metricsOf(batches()[0]).map((m) => m.value)).toEqual(['NaN', 'Infinity', '-Infinity']);
  });

  it('streams NDJSON when asked', async () => {
    serve((_req, res) => json(res, 200, {}));
    const logger = await start({ format: 'ndjson', maxBatchPoints: 1000 });
    for (let i = 0; i < 1000; i++) await logger.logMetric('loss', i, i, 5);
    await logger.flush();
    const [b] = batches();
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
    expect(JSON.parse(batches()[0].body).params).toHaveLength(100);
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
    expect(JSON.parse(server.requests.at(-1)!.body)).toEqual({ status: 'failed', endTime: expect.any(Number) });
    expect(run.status).toBe('failed');
    await expect(logger.logMetric('loss', 1)).rejects.toMatchObject({ code: 'RUN_LOGGER_CLOSED' });
  });

  it('sends heartbeats on its timer', async () => {
    serve();
    const logger = await start({ heartbeatIntervalMs: 40 });
    await new Promise((r) => setTimeout(r, 150));
    logger.close();
    expect(server.requests.filter((r) => r.path.endsWith('/heartbeat')).length).toBeGreaterThanOrEqual(2);
  });

  it('logs CPU and memory as MLflow system metrics on an interval when asked, numbered by sample', async () => {
    serve((_req, res) => json(res, 200, { written: 0 }));
    const logger = await start({ systemMetricsIntervalMs: 20 });
    for (let i = 0; i < 100 && logger.pendingPoints < 9; i++) await new Promise((r) => setTimeout(r, 20));
    await logger.flush();
    const points = batches().flatMap(metricsOf);
    const cpu = points.filter((p) => p.key === 'system/cpu_utilization_percentage');
    expect(cpu.length).toBeGreaterThanOrEqual(3);
    expect(cpu.map((p) => p.step).slice(0, 3)).toEqual([0, 1, 2]);
    for (const p of cpu) expect(p.value as number).toBeGreaterThanOrEqual(0);
    for (const p of cpu) expect(p.value as number).toBeLessThanOrEqual(100);
    const memory = points.find((p) => p.key === 'system/system_memory_usage_megabytes');
    expect(memory?.value as number).toBeGreaterThan(0);
  });

  it('flushes what was logged before the call, though a sampler faster than a round trip keeps logging', async () => {
    // Every batch takes 60 ms to answer while system samples arrive every 5 ms: a flush that
    // waited for an empty buffer would never return.
    serve((_req, res) => void setTimeout(() => json(res, 200, { written: 0 }), 60));
    const logger = await start({ systemMetricsIntervalMs: 5, maxBatchPoints: 8 });
    await new Promise((r) => setTimeout(r, 30));
    await logger.logMetric('loss', 0.5, 7, 1000);
    await logger.flush();
    expect(
      batches()
        .flatMap(metricsOf)
        .filter((p) => p.key === 'loss'),
    ).toEqual([{ key: 'loss', value: 0.5, step: 7, timestamp: 1000 }]);
    await logger.finish();
    // finish() stops sampling before its flush, so nothing logged is left behind.
    expect(logger.pendingPoints).toBe(0);
  });

  it("logs no system metrics unless asked (MLflow's default)", async () => {
    serve((_req, res) => json(res, 200, { written: 0 }));
    const logger = await start();
    await logger.logMetric('loss', 1, 0, 1000);
    await new Promise((r) => setTimeout(r, 60));
    await logger.flush();
    expect(
      batches()
        .flatMap(metricsOf)
        .map((p) => p.key),
    ).toEqual(['loss']);
  });
});
