/**
 * The dependency-free Python client (tools/python/caliper_client.py) run by the system Python
 * against the API as its own process: the example training script, and the client's retries,
 * idempotency keys, back-pressure, errors and system metrics, checked against what the server stored.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CaliperClient } from '@caliper/sdk';
import { ApiProcess, startApiProcess } from '../cli/api-process';
import { FlakyProxy, startFlakyProxy } from '../cli/flaky-proxy';

jest.setTimeout(90_000);
const PYTHON = '/usr/bin/python3';
const HERE = __dirname;

describe('Python client against a running API', () => {
  let api: ApiProcess;
  let client: CaliperClient;
  let proxy: FlakyProxy;

  function python(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
    return new Promise((resolve) => {
      execFile(
        PYTHON,
        args,
        {
          cwd: HERE,
          env: { PATH: process.env.PATH ?? '', PYTHONDONTWRITEBYTECODE: '1', CALIPER_URL: api.base, CALIPER_TOKEN: api.token, ...env },
        },
        (err, out, errOut) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out, err: errOut }),
      );
    });
  }
  /** Runs a snippet with caliper_client importable; it prints JSON on its last line. */
  async function snippet(code: string, env: Record<string, string> = {}): Promise<Record<string, unknown>> {
    const r = await python(['-c', `import sys, json\nsys.path.insert(0, ${JSON.stringify(HERE)})\nimport caliper_client\n${code}`], env);
    if (r.code !== 0) throw new Error(`python failed (${r.code}):\n${r.err}`);
    return JSON.parse(r.out.trim().split('\n').pop()!) as Record<string, unknown>;
  }

  beforeAll(async () => {
    api = await startApiProcess('liver-seg');
    client = new CaliperClient({ baseUrl: api.base, token: api.token });
    proxy = await startFlakyProxy(api.base);
  });
  afterAll(async () => {
    await proxy?.close();
    await api?.close();
  });

  it('runs the example training script end to end', async () => {
    const r = await python([
      'example_train.py',
      '--project',
      api.project,
      '--experiment',
      'py-example',
      '--epochs',
      '5',
      '--steps-per-epoch',
      '40',
    ]);
    expect(r).toMatchObject({ code: 0, err: '' });
    const runId = r.out.trim().split('\n').pop()!;
    const run = await client.runs.get(runId);
    expect(run).toMatchObject({
      status: 'finished',
      endTime: expect.any(Number),
      experiment: { name: 'py-example' },
      params: { lr: '0.5', epochs: '5', steps_per_epoch: '40', model: 'logistic' },
      tags: expect.objectContaining({ script: 'example_train.py' }),
    });
    const loss = await client.runs.metricHistory(runId, 'train/loss');
    expect(loss.map((p) => p.step)).toEqual([...Array(200).keys()]);
    const accuracy = await client.runs.metricHistory(runId, 'val/accuracy');
    expect(accuracy.map((p) => p.step)).toEqual([0, 1, 2, 3, 4]);
    expect(accuracy[4]?.value).toBeGreaterThan(0.7);
    const [artifact] = await client.runs.listArtifacts(runId, 'model');
    const body = Buffer.from(
      await (
        await fetch(`${api.base}/api/v1/runs/${runId}/artifacts/model/weights.json`, { headers: { authorization: `Bearer ${api.token}` } })
      ).arrayBuffer(),
    );
    expect(artifact).toMatchObject({
      path: 'model/weights.json',
      size: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
    });
    expect(Object.keys(JSON.parse(body.toString()))).toEqual(['w', 'b']);
  });

  it("logs system metrics (CPU, memory; GPUs with nvidia-smi) under MLflow's names until the run finishes", async () => {
    const out = await snippet(`
import time
started = int(time.time() * 1000)
run = caliper_client.start_run(${JSON.stringify(api.project)}, experiment="py-system", heartbeat_interval=0, system_metrics_interval=0.2)
deadline = time.monotonic() + 1.5
x = 0
while time.monotonic() < deadline:
    x += 1  # keep one CPU busy
run.log_metric("loss", 0.5, 0)
run.finish()
finished = int(time.time() * 1000)
print(json.dumps({"runId": run.run_id, "started": started, "finished": finished, "threadAlive": run._system_thread.is_alive()}))
`);
    const runId = out.runId as string;
    expect(out.threadAlive).toBe(false);
    const cpu = await client.runs.metricHistory(runId, 'system/cpu_utilization_percentage');
    const memoryMb = await client.runs.metricHistory(runId, 'system/system_memory_usage_megabytes');
    const memoryPercent = await client.runs.metricHistory(runId, 'system/system_memory_usage_percentage');
    // About 7 samples in 1.5 s; a loaded machine may manage fewer.
    expect(cpu.length).toBeGreaterThanOrEqual(2);
    for (const history of [cpu, memoryMb, memoryPercent]) {
      expect(history.map((p) => p.step)).toEqual([...Array(cpu.length).keys()]);
      for (const p of history) expect(p.timestamp).toBeGreaterThanOrEqual(out.started as number);
      for (const p of history) expect(p.timestamp).toBeLessThanOrEqual(out.finished as number);
    }
    for (const p of [...cpu, ...memoryPercent]) {
      expect(p.value).toBeGreaterThanOrEqual(0);
      expect(p.value).toBeLessThanOrEqual(100);
    }
    // The busy loop keeps at least one CPU busy: some load shows (a share of all CPUs, so not 100).
    expect(Math.max(...cpu.map((p) => p.value))).toBeGreaterThan(0);
    const [percent] = memoryPercent;
    const [megabytes] = memoryMb;
    if (!percent || !megabytes) throw new Error('the run logged no memory samples');
    expect(percent.value).toBeGreaterThan(0);
    expect(megabytes.value).toBeGreaterThan(1);
    const totalMb = megabytes.value / (percent.value / 100);
    expect(totalMb).toBeCloseTo(os.totalmem() / 1024 / 1024, -2);
    // GPU keys exactly when this machine has nvidia-smi; none (and no error) without it.
    const run = await client.runs.get(runId);
    const gpuKeys = run.latestMetrics.map((m) => m.key).filter((k) => k.startsWith('system/gpu_'));
    const hasNvidiaSmi = (process.env.PATH ?? '').split(':').some((dir) => existsSync(path.join(dir, 'nvidia-smi')));
    if (hasNvidiaSmi)
      expect(gpuKeys).toEqual(
        expect.arrayContaining([
          'system/gpu_0_utilization_percentage',
          'system/gpu_0_memory_usage_megabytes',
          'system/gpu_0_memory_usage_percentage',
        ]),
      );
    else expect(gpuKeys).toEqual([]);
    expect(
      run.latestMetrics
        .map((m) => m.key)
        .filter((k) => !k.startsWith('system/gpu_'))
        .sort(),
    ).toEqual([
      'loss',
      'system/cpu_utilization_percentage',
      'system/system_memory_usage_megabytes',
      'system/system_memory_usage_percentage',
    ]);
  });

  it('retries batches whose responses were lost under the same key, storing each point once', async () => {
    proxy.dropResponses(2, (method, p) => method === 'POST' && p.endsWith('/batch'));
    const out = await snippet(
      `
run = caliper_client.start_run(${JSON.stringify(api.project)}, experiment="py-flaky", max_batch_points=1000, heartbeat_interval=0)
for step in range(3000):
    run.log_metric("loss", step * 0.5, step)
run.log_metric("nan", float("nan"), 0)
run.log_metric("inf", float("-inf"), 0)
run.finish()
print(json.dumps({"runId": run.run_id}))
`,
      { CALIPER_URL: proxy.base },
    );
    const runId = out.runId as string;
    expect(proxy.dropped).toBe(2);
    const stored = await api.query<{ n: string }>(
      `SELECT count(*) AS n FROM metric_points p JOIN runs r ON r.id = p.run_id WHERE r.uuid = $1`,
      [runId],
    );
    expect(Number(stored[0]?.n)).toBe(3002);
    const replays = proxy.delivered.filter((d) => d.path === `/api/v1/runs/${runId}/batch` && d.headers['idempotent-replayed'] === 'true');
    expect(replays).toHaveLength(1);
    const run = await client.runs.get(runId);
    expect(run.latestMetrics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'nan', value: 'NaN' }),
        expect.objectContaining({ key: 'inf', value: '-Infinity' }),
      ]),
    );
  });

  it('keeps memory bounded: log_metric blocks while the buffer is full', async () => {
    const out = await snippet(`
run = caliper_client.start_run(${JSON.stringify(api.project)}, max_batch_points=100, max_buffered_points=200, heartbeat_interval=0)
peak = 0
for step in range(2000):
    run.log_metric("loss", 1.0 / (step + 1), step)
    with run._cond:
        peak = max(peak, len(run._buffer) + run._in_flight)
run.finish()
print(json.dumps({"runId": run.run_id, "peak": peak}))
`);
    expect(out.peak).toBeLessThanOrEqual(200);
    expect(await client.runs.metricHistory(out.runId as string, 'loss')).toHaveLength(2000);
  });

  it("raises the server's code when a param would change, and marks a run failed when the block raises", async () => {
    const out = await snippet(`
run = caliper_client.start_run(${JSON.stringify(api.project)}, params={"lr": 0.1}, heartbeat_interval=0)
try:
    run.log_param("lr", 0.2)
    error = None
except caliper_client.CaliperError as e:
    error = {"code": e.code, "status": e.status, "message": e.message}
try:
    with caliper_client.start_run(${JSON.stringify(api.project)}, heartbeat_interval=0) as failing:
        failing.log_metric("loss", 1.0)
        raise RuntimeError("out of memory")
except RuntimeError:
    pass
run.finish()
print(json.dumps({"error": error, "failing": failing.run_id}))
`);
    expect(out.error).toMatchObject({ code: 'BAD_USER_INPUT', status: 400, message: expect.stringMatching(/lr/) });
    const failing = await client.runs.get(out.failing as string);
    expect(failing.status).toBe('failed');
    expect(failing.latestMetrics).toEqual([expect.objectContaining({ key: 'loss', value: 1 })]);
  });

  it('honours Retry-After, backs off on 5xx with the same key, and never repeats a create the server may have applied', async () => {
    const seen: { at: number; method: string; url: string; key?: string }[] = [];
    const scripted = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        seen.push({ at: Date.now(), method: req.method!, url: req.url!, key: req.headers['idempotency-key'] as string | undefined });
        const batches = seen.filter((s) => s.url.endsWith('/batch')).length;
        const reply = (status: number, body: unknown, headers: Record<string, string> = {}) =>
          res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
        if (req.url === '/api/v1/projects/broken/runs')
          return reply(500, { code: 'INTERNAL', message: 'Internal error; it has been logged.' });
        if (req.url!.endsWith('/runs')) return reply(201, { run: { id: 'c'.repeat(32) } });
        if (req.url!.endsWith('/batch') && batches === 1)
          return reply(429, { code: 'TOO_MANY_ATTEMPTS', message: 'slow down' }, { 'retry-after': '1' });
        if (req.url!.endsWith('/batch') && batches === 2) return reply(503, { code: 'INTERNAL', message: 'unavailable' });
        if (req.method === 'PATCH') return reply(200, { run: { id: 'c'.repeat(32), status: 'finished' } });
        return reply(200, {});
      });
    });
    await new Promise<void>((resolve) => scripted.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(scripted.address() as AddressInfo).port}`;
    try {
      const out = await snippet(
        `
run = caliper_client.start_run("p", heartbeat_interval=0)
run.log_metric("loss", 1.0)
run.finish()
try:
    caliper_client.start_run("broken")
    error = None
except caliper_client.CaliperError as e:
    error = {"code": e.code, "status": e.status, "message": e.message}
print(json.dumps({"error": error}))
`,
        { CALIPER_URL: url },
      );
      const batches = seen.filter((s) => s.url.endsWith('/batch'));
      expect(batches).toHaveLength(3);
      expect(new Set(batches.map((b) => b.key)).size).toBe(1);
      const [first, second] = batches;
      if (!first || !second) throw new Error('expected three batches');
      expect(first.key).toMatch(/^[0-9a-f-]{36}$/);
      expect(second.at - first.at).toBeGreaterThanOrEqual(1000);
      expect(out.error).toEqual({
        code: 'INTERNAL',
        status: 500,
        message: 'creating a run in project broken failed (500 INTERNAL): Internal error; it has been logged.',
      });
      expect(seen.filter((s) => s.url === '/api/v1/projects/broken/runs')).toHaveLength(1);
    } finally {
      await new Promise((resolve) => scripted.close(resolve));
    }
  });

  it('says what is missing when not configured', async () => {
    const r = await python(
      ['-c', `import sys\nsys.path.insert(0, ${JSON.stringify(HERE)})\nimport caliper_client\ncaliper_client.start_run("p")`],
      { CALIPER_URL: '', CALIPER_TOKEN: '' },
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/CaliperError: give url and token, or set CALIPER_URL and CALIPER_TOKEN/);
  });
});
