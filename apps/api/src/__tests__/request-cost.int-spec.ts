/**
 * Bounded request cost (issue 10, finding 2), as an attacker would try it: 20 concurrent
 * worst-case requests of each kind — a many-clause run filter, an oversized or deeply nested
 * body to the anonymous sign-in, a GraphQL document of hundreds of aliases of a large history —
 * while /health/ready is polled. Health answers 200 throughout, within 1 s (95th percentile; none
 * over 2 s), and every attack gets
 * a clear 4xx quickly; what is allowed at the limits still answers.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { DataSource } from 'typeorm';
import { gqlOk, login, ADMIN, startTestApi, TestApi } from '../testing/api-harness';
// The API as a process of its own (the client tests' harness): a test may reach for tools' test kit.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startApiProcess } from '../../../../tools/cli/api-process';
import { mlflow, mlflowFixture, MlflowFixture } from './mlflow-api-helpers';

interface Answer {
  status: number;
  body: string;
  ms: number;
}

/** One request with a raw body; the answer is read even when the server stops reading the body early. */
function send(
  target: { base: string },
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | string = '',
): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const url = new URL(path, target.base);
    const req = http.request(url, { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - started }));
      res.on('error', reject);
    });
    // The server may answer 413 and close before the body is sent: that is the point, not a failure,
    // as long as the answer arrives. Without one, the error (or silence) fails the test by name.
    let answered = false;
    req.on('response', () => (answered = true));
    req.on('error', (err) => {
      if (!req.writableEnded) return reject(err);
      setTimeout(() => (answered ? undefined : reject(new Error(`${method} ${path}: no answer, ${err.message}`))), 2_000);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
    req.end(body);
  });
}

/** Polls /health/ready every 50 ms from a process of its own until stopped; resolves with each answer's status and time. */
function pollReadiness(base: string): { stop(): Promise<{ status: number; ms: number }[]> } {
  const script = `
    const http = require('node:http');
    const out = []; let polling = true;
    process.stdin.on('data', () => { polling = false; });
    (async () => {
      while (polling) {
        const started = Date.now();
        const status = await new Promise((resolve) => http.get(process.argv[1] + '/health/ready', { timeout: 5000 }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); }).on('timeout', function () { this.destroy(); }).on('error', () => resolve(0)));
        out.push({ status, ms: Date.now() - started });
        await new Promise((r) => setTimeout(r, 50));
      }
      process.stdout.write(JSON.stringify(out), () => process.exit(0));
    })();`;
  const child = spawn(process.execPath, ['-e', script, base], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    async stop() {
      child.stdin.write('stop\n');
      await exited;
      return JSON.parse(output) as { status: number; ms: number }[];
    },
  };
}

describe('request cost stays bounded under attack, and health stays green', () => {
  let api: TestApi;
  let f: MlflowFixture;
  let bearer: Record<string, string>;
  let runId: string;
  /** 20 runs: a metricSeries over all of them and 20 metrics at 2,000 buckets is 800,000 values (the largest one allowed). */
  let manyRuns: string[];

  beforeAll(async () => {
    api = await startTestApi();
    f = await mlflowFixture(api, 'cost', await login(api, ADMIN.username, ADMIN.password));
    bearer = { authorization: `Bearer ${(f.token as { bearer: string }).bearer}`, 'content-type': 'application/json' };
    runId = (await mlflow(api, f.token, 'POST', 'runs/create', { experiment_id: '0' })).body.run.info.run_id;
    const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: 1 / (i + 1), timestamp: i, step: i }));
    expect((await mlflow(api, f.token, 'POST', 'runs/log-batch', { run_id: runId, metrics })).status).toBe(200);
    manyRuns = [];
    for (let i = 0; i < 20; i++)
      manyRuns.push((await mlflow(api, f.token, 'POST', 'runs/create', { experiment_id: '0' })).body.run.info.run_id);
  });
  afterAll(async () => api?.close());

  it('answers 20 concurrent attacks of each kind with clear 4xx, while /health/ready answers within 1 s', async () => {
    // The server and its S3 server in processes of their own, and readiness polled from another:
    // the attackers' own work (20 × 14 MB written) must not be what the health figures measure
    // (readiness probes S3, which in this process would wait behind the writes).
    const server = await startApiProcess('cost-attack', { objectStoreProcess: true });
    const auth = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
    const created = JSON.parse((await send(server, 'POST', '/api/2.0/mlflow/runs/create', auth, '{"experiment_id":"0"}')).body) as {
      run: { info: { run_id: string } };
    };
    const run = created.run.info.run_id;
    const clauses = (n: number) => Array.from({ length: n }, (_, i) => `params.p${i} = 'x'`).join(' and ');
    const nested = (depth: number) => `{"username":${'['.repeat(depth)}1${']'.repeat(depth)},"password":"x"}`;
    const fourteenMb = Buffer.alloc(14 * 1024 * 1024, '[');
    const aliases = `query($r: String!) { ${Array.from({ length: 200 }, (_, i) => `a${i}: run(runId: $r) { metricHistory(key: "loss", first: 25000) { steps values } }`).join(' ')} }`;
    const attacks: { kind: string; call: () => Promise<Answer>; expect: number; message: RegExp }[] = [
      {
        kind: 'filter of 201 clauses',
        call: () =>
          send(server, 'POST', '/api/2.0/mlflow/runs/search', auth, JSON.stringify({ experiment_ids: ['0'], filter: clauses(201) })),
        expect: 400,
        message: /at most 50 comparisons/,
      },
      {
        kind: '14 MB body to the anonymous sign-in',
        call: () => send(server, 'POST', '/api/v1/auth/login', { 'content-type': 'application/json' }, fourteenMb),
        expect: 413,
        message: /larger than 16 KiB/,
      },
      {
        kind: 'deeply nested sign-in body',
        call: () => send(server, 'POST', '/api/v1/auth/login', { 'content-type': 'application/json' }, nested(5000)),
        expect: 400,
        message: /nests deeper than 64 levels/,
      },
      {
        kind: '200 aliases of a 25,000-point history',
        call: () => send(server, 'POST', '/graphql', auth, JSON.stringify({ query: aliases, variables: { r: run } })),
        expect: 400,
        message: /Aliases limit of 10 exceeded/,
      },
      {
        kind: 'anonymous 2 MB MLflow batch',
        call: () =>
          send(
            server,
            'POST',
            '/api/2.0/mlflow/runs/log-batch',
            { 'content-type': 'application/json' },
            JSON.stringify({ run_id: run, pad: 'x'.repeat(2 * 1024 * 1024) }),
          ),
        expect: 413,
        message: /larger than 64 KiB/,
      },
    ];
    // One readiness probe before the attack: the first opens the probes' own connections (database, Redis, S3).
    expect((await send(server, 'GET', '/health/ready', {})).status).toBe(200);
    const poller = pollReadiness(server.base);
    try {
      for (const attack of attacks) {
        const answers = await Promise.all(Array.from({ length: 20 }, () => attack.call()));
        for (const a of answers) {
          expect({ kind: attack.kind, status: a.status }).toEqual({ kind: attack.kind, status: attack.expect });
          expect({ kind: attack.kind, body: a.body }).toEqual({ kind: attack.kind, body: expect.stringMatching(attack.message) });
        }
        // "Within its limit": every refusal came before anything ran long (slowest of the 20, on a shared 2-core machine).
        expect({ kind: attack.kind, slowestUnder10s: Math.max(...answers.map((a) => a.ms)) < 10_000 }).toEqual({
          kind: attack.kind,
          slowestUnder10s: true,
        });
      }
    } finally {
      const health = await poller.stop();
      await server.close();
      expect(health.length).toBeGreaterThanOrEqual(3);
      expect(health.filter((h) => h.status !== 200)).toEqual([]);
      // Within 1 s as a rule, and never near a probe's timeout: 19 of 20 answers (95th percentile)
      // under 1 s and none over 2 s. On this 2-core machine the attackers, the API, its S3 server,
      // PostgreSQL and the poller share two cores, so one answer can wait on the scheduler alone
      // (1.25-1.4 s seen once in a while); a server that stops answering while it reads or parses
      // an attack (a blocked event loop) fails either bound.
      const ms = health.map((h) => h.ms).sort((a, b) => a - b);
      const p95 = ms[Math.floor(0.95 * (ms.length - 1))]!;
      expect({ p95, slowest: ms[ms.length - 1]!, under: p95 < 1000 && ms[ms.length - 1]! < 2000 }).toEqual({
        p95,
        slowest: ms[ms.length - 1]!,
        under: true,
      });
    }
  }, 120_000);

  it('still answers what is allowed at the limits', async () => {
    const fifty = Array.from({ length: 50 }, (_, i) => `params.p${i} = 'x'`).join(' and ');
    const search = await mlflow(api, f.token, 'POST', 'runs/search', { experiment_ids: ['0'], filter: fifty });
    expect([search.status, search.body.runs]).toEqual([200, undefined]);
    const ten = `query($r: String!) { ${Array.from({ length: 10 }, (_, i) => `a${i}: run(runId: $r) { metricHistory(key: "loss", first: 1000) { steps } }`).join(' ')} }`;
    const data = await gqlOk<Record<string, { metricHistory: { steps: number[] } }>>(api, f.token, ten, { r: runId });
    expect(Object.values(data).map((r) => r.metricHistory.steps.length)).toEqual(Array(10).fill(1000));
    const signIn = await send(
      api,
      'POST',
      '/api/v1/auth/login',
      { 'content-type': 'application/json' },
      JSON.stringify({ username: ADMIN.username, password: ADMIN.password }),
    );
    expect(signIn.status).toBe(200);
  });

  it('charges series values against a per-request budget, whatever the aliases', async () => {
    const query = `query($r: String!, $n: Int) { ${Array.from({ length: 10 }, (_, i) => `a${i}: run(runId: $r) { metricHistory(key: "loss", first: $n) { steps } }`).join(' ')} }`;
    const res = await send(api, 'POST', '/graphql', bearer, JSON.stringify({ query, variables: { r: runId, n: 25000 } }));
    expect(res.status).toBe(200); // 10 × 25,000 values: within the budget of 2,000,000
    expect(JSON.parse(res.body).errors).toBeUndefined();
    const series = (n: number) =>
      `query($p: ID!, $r: [String!]!, $k: [String!]!) { ${Array.from({ length: n }, (_, i) => `s${i}: metricSeries(projectId: $p, runIds: $r, keys: $k, buckets: 2000) { bucketCount }`).join(' ')} }`;
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    const ask = async (n: number) =>
      JSON.parse(
        (
          await send(
            api,
            'POST',
            '/graphql',
            bearer,
            JSON.stringify({ query: series(n), variables: { p: f.projectId, r: manyRuns, k: keys } }),
          )
        ).body,
      ) as { errors?: { message: string }[]; data?: unknown };
    expect((await ask(2)).errors).toBeUndefined();
    const over = await ask(3);
    expect(over.errors?.map((e) => e.message)).toEqual([
      expect.stringMatching(/^This request asks for more than 2,000,000 values \(metricSeries alone asks for 800,000\)/),
    ]);
  });

  it("runs every API statement under API_STATEMENT_TIMEOUT_SECONDS, and a search's own limit does not stay on the connection", async () => {
    const ds = api.app.get(DataSource);
    const shown = async () =>
      (await Promise.all(Array.from({ length: 6 }, () => ds.query('SHOW statement_timeout')))).map(
        (r: { statement_timeout: string }[]) => r[0]?.statement_timeout,
      );
    expect(new Set(await shown())).toEqual(new Set(['2min']));
    expect((await mlflow(api, f.token, 'POST', 'runs/search', { experiment_ids: ['0'], filter: "params.lr = '1'" })).status).toBe(200);
    expect(new Set(await shown())).toEqual(new Set(['2min']));
  });
});
