/**
 * The SDK (libs/sdk) end to end against the API running as its own process on real PostgreSQL
 * and a local S3 server: what a script logs is what the server stores and a reader sees; a
 * batch whose response was lost is retried under the same Idempotency-Key and stored once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CaliperApiError, CaliperClient } from '@caliper/sdk';
import { ApiProcess, startApiProcess } from './api-process';
import { FlakyProxy, startFlakyProxy } from './flaky-proxy';

jest.setTimeout(60_000);

describe('SDK against a running API', () => {
  let api: ApiProcess;
  let client: CaliperClient;
  const pointsOf = async (runId: string) =>
    Number(
      (
        await api.query<{ n: string }>(`SELECT count(*) AS n FROM metric_points p JOIN runs r ON r.id = p.run_id WHERE r.uuid = $1`, [
          runId,
        ])
      )[0]?.n,
    );

  beforeAll(async () => {
    api = await startApiProcess();
    client = new CaliperClient({ baseUrl: api.base, token: api.token });
  });
  afterAll(() => api?.close());

  it('creates a run with params, tags and code, logs batched metrics, and finishes it', async () => {
    const logger = await client.startRun({
      project: api.project,
      experiment: 'unet-baseline',
      name: 'sdk-e2e',
      params: { lr: 0.001, batch_size: 8 },
      tags: { dataset: 'brats' },
      git: { commit: 'a1b2c3', repo: 'https://git.example.org/seg.git' },
      logger: { maxBatchPoints: 5000, heartbeatIntervalMs: 0 },
    });
    expect(logger.runId).toMatch(/^[0-9a-f]{32}$/);
    for (let step = 0; step < 6000; step++)
      await logger.logMetrics({ 'train/loss': 1 / (step + 1), 'train/lr': 0.001 }, step, 1_700_000_000_000 + step);
    await logger.logMetric('val/dice', NaN, 0);
    await logger.logParam('epochs', 50);
    await logger.setTag('phase', 'done');
    const finished = await logger.finish();

    expect(finished).toMatchObject({
      status: 'finished',
      endTime: expect.any(Number),
      experiment: { name: 'unet-baseline' },
      gitCommit: 'a1b2c3',
      gitRepo: 'https://git.example.org/seg.git',
    });
    const run = await client.runs.get(logger.runId);
    expect(run.params).toEqual({ lr: '0.001', batch_size: '8', epochs: '50' });
    expect(run.tags).toMatchObject({ dataset: 'brats', phase: 'done' });
    expect(run.latestMetrics).toEqual(
      expect.arrayContaining([
        { key: 'train/loss', value: 1 / 6000, step: 5999, timestamp: 1_700_000_005_999 },
        { key: 'val/dice', value: 'NaN', step: 0, timestamp: expect.any(Number) },
      ]),
    );
    expect(await pointsOf(logger.runId)).toBe(12_001);
    const history = await client.runs.metricHistory(logger.runId, 'train/loss', { pageSize: 2500 });
    expect(history).toHaveLength(6000);
    expect(history.map((p) => p.step)).toEqual([...Array(6000).keys()]);
    expect(history[10]).toEqual({ key: 'train/loss', step: 10, timestamp: 1_700_000_000_010, value: 1 / 11 });
  });

  it('streams NDJSON batches', async () => {
    const logger = await client.startRun({
      project: api.project,
      experiment: 'ndjson',
      logger: { format: 'ndjson', maxBatchPoints: 3000, heartbeatIntervalMs: 0 },
    });
    for (let step = 0; step < 7000; step++) await logger.logMetric('loss', step % 7, step, 1_000 + step);
    await logger.finish();
    expect(await pointsOf(logger.runId)).toBe(7000);
  });

  describe('through a connection that loses responses', () => {
    let proxy: FlakyProxy;
    beforeAll(async () => {
      proxy = await startFlakyProxy(api.base);
    });
    afterAll(() => proxy.close());

    it('retries a batch the server applied under the same key, storing it once', async () => {
      const flaky = new CaliperClient({ baseUrl: proxy.base, token: api.token, retry: { baseDelayMs: 10 } });
      const logger = await flaky.startRun({
        project: api.project,
        experiment: 'flaky',
        logger: { maxBatchPoints: 1000, concurrency: 1, heartbeatIntervalMs: 0 },
      });
      proxy.dropResponses(2, (method, p) => method === 'POST' && p.endsWith('/batch'));
      for (let step = 0; step < 3000; step++) await logger.logMetric('loss', Math.random(), step);
      await logger.finish();
      expect(proxy.dropped).toBe(2);
      expect(await pointsOf(logger.runId)).toBe(3000);
      // The first batch lost two responses; its third attempt got through. The same points would
      // also dedupe by MLflow's identity rule; what proves the retry reused its key is the server
      // answering it as a replay (and writing nothing).
      const batches = proxy.delivered.filter((r) => r.path.endsWith('/batch'));
      expect(batches.map((r) => `${r.status} ${r.headers['idempotent-replayed'] ?? 'new'}`)).toEqual(['200 true', '200 new', '200 new']);
    });
  });

  it("reports the server's code and message when a param would change", async () => {
    const logger = await client.startRun({ project: api.project, params: { lr: '0.1' }, logger: { heartbeatIntervalMs: 0 } });
    await logger.logParam('lr', '0.1');
    const err = await logger.logParam('lr', '0.2').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaliperApiError);
    expect(err).toMatchObject({ status: 400, code: 'BAD_USER_INPUT', message: expect.stringMatching(/lr/) });
    logger.close();
  });

  it('streams an artifact with its sha256 and lists it', async () => {
    const logger = await client.startRun({ project: api.project, logger: { heartbeatIntervalMs: 0 } });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sdk-e2e-')), 'best.onnx');
    const content = randomBytes(3 * 1024 * 1024 + 17);
    writeFileSync(file, content);
    let lastProgress = 0;
    const info = await logger.logArtifact(file, 'model/best.onnx', (sent) => (lastProgress = sent));
    const sha256 = createHash('sha256').update(content).digest('hex');
    expect(info).toMatchObject({ path: 'model/best.onnx', size: content.length, sha256 });
    expect(lastProgress).toBe(content.length);
    expect(await client.runs.listArtifacts(logger.runId)).toEqual([{ path: 'model', isDir: true }]);
    expect(await client.runs.listArtifacts(logger.runId, 'model')).toEqual([
      expect.objectContaining({ path: 'model/best.onnx', isDir: false, size: content.length, sha256 }),
    ]);
    const download = await fetch(`${api.base}/api/v1/runs/${logger.runId}/artifacts/model/best.onnx`, {
      headers: { authorization: `Bearer ${api.token}` },
    });
    expect(Buffer.from(await download.arrayBuffer()).equals(content)).toBe(true);
    await logger.finish();
  });

  it('searches runs with the MLflow filter grammar and orders them', async () => {
    for (const [name, loss] of [
      ['search-a', 0.3],
      ['search-b', 0.1],
      ['search-c', 0.7],
    ] as const) {
      const logger = await client.startRun({
        project: api.project,
        experiment: 'search',
        name,
        params: { arch: name === 'search-c' ? 'resnet' : 'unet' },
        logger: { heartbeatIntervalMs: 0 },
      });
      await logger.logMetric('val_loss', loss, 1);
      await logger.finish();
    }
    const page = await client.runs.search(api.project, {
      experiment: 'search',
      filter: `metrics.val_loss < 0.5 and params.arch = 'unet'`,
      orderBy: 'metrics.val_loss ASC',
    });
    expect(page.runs.map((r) => r.name)).toEqual(['search-b', 'search-a']);
    const all = [];
    for await (const r of client.runs.searchAll(api.project, { experiment: 'search', orderBy: ['metrics.val_loss DESC'], maxResults: 1 }))
      all.push(r.name);
    expect(all).toEqual(['search-c', 'search-a', 'search-b']);
    await expect(client.runs.search(api.project, { filter: 'metrics.val_loss <<< 1' })).rejects.toMatchObject({ status: 400 });
  });

  it('beats the heart and appends log lines', async () => {
    const logger = await client.startRun({ project: api.project, logger: { heartbeatIntervalMs: 0 } });
    expect((await client.runs.get(logger.runId)).heartbeatAt).toBeNull();
    await logger.heartbeat();
    expect(Date.parse((await client.runs.get(logger.runId)).heartbeatAt!)).toBeGreaterThan(Date.now() - 60_000);
    await logger.appendLogs([
      { line: 'epoch 1/50', ts: 1_700_000_000_000 },
      { line: 'CUDA out of memory', stream: 'stderr' },
    ]);
    const res = await fetch(`${api.base}/api/v1/runs/${logger.runId}/logs`, { headers: { authorization: `Bearer ${api.token}` } });
    const { lines } = (await res.json()) as { lines: { ts: string; stream: string; line: string }[] };
    expect(lines.map(({ ts, stream, line }) => ({ ts, stream, line }))).toEqual([
      { ts: '2023-11-14T22:13:20.000Z', stream: 'stdout', line: 'epoch 1/50' },
      { ts: expect.any(String), stream: 'stderr', line: 'CUDA out of memory' },
    ]);
    logger.close();
  });

  it("refuses a wrong token with the server's code", async () => {
    const stranger = new CaliperClient({ baseUrl: api.base, token: `clp_${'0'.repeat(16)}_${'0'.repeat(64)}` });
    await expect(stranger.runs.search(api.project)).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });
});
