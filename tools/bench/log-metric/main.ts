/**
 * Single-call benchmark (prints figures; not a test): `npm run bench:log-metric [-- --calls 1000 --reps 5]`.
 *
 * The training-loop pattern issue 10 (finding 9) measures: the stock mlflow client's log_metric,
 * one point per request, one request at a time. A Python sender (client.py: requests + urllib3,
 * the stock client's HTTP stack and body) calls the built API on a scratch database, and in the
 * same run a server that does nothing but read the body and answer `{}` (the floor: what the
 * client, HTTP and loopback cost). Prints per-call median and p95 for each, Caliper's own share
 * (median minus the floor), and the database statements one call issues (pg_stat_statements is not
 * needed: the API's queries are counted from pg_stat_database's xact and tuple counters around a
 * batch of calls).
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { median, percentile, startBenchApi } from '../harness';

const { values: flags } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000' },
    reps: { type: 'string', default: '5' },
    api: { type: 'string', default: 'built' },
  },
});
const CALLS = Number(flags.calls);
const REPS = Number(flags.reps);
const PYTHON = '/usr/bin/python3';

function runClient(base: string, token: string, runId: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      [path.join(__dirname, 'client.py'), base, token, runId, String(CALLS)],
      { maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (/No module named 'requests'/.test(stderr))
          return reject(new Error(`Debian's python3 lacks requests, the stock client's HTTP library: apt-get install python3-requests`));
        if (err) return reject(new Error(`client.py failed: ${stderr || err.message}`));
        resolve((JSON.parse(stdout.trim().split('\n').pop()!) as { ms: number[] }).ms);
      },
    );
  });
}

/** The floor: reads the body, answers `{}` as MLflow does for log-metric. */
async function startFloor(): Promise<{ base: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

const ms = (n: number) => `${n.toFixed(2)} ms`;

async function main(): Promise<void> {
  if (!Number.isInteger(CALLS) || CALLS < 10 || !Number.isInteger(REPS) || REPS < 1) throw new Error('--calls must be ≥ 10 and --reps ≥ 1');
  const api = await startBenchApi({ api: flags.api as 'built' | 'source' });
  const floor = await startFloor();
  try {
    const created = await fetch(`${api.base}/api/2.0/mlflow/runs/create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ experiment_id: '0' }),
    });
    const runId = ((await created.json()) as { run: { info: { run_id: string } } }).run.info.run_id;
    // Warm both (JIT, connection pools, the metric key cache) before measuring.
    await runClient(floor.base, api.token, runId);
    await runClient(api.base, api.token, runId);

    const db = new Client({ connectionString: api.ownerUrl });
    await db.connect();
    const counters = async () =>
      (
        await db.query(
          `SELECT xact_commit::bigint + xact_rollback::bigint AS xacts FROM pg_stat_database WHERE datname = current_database()`,
        )
      ).rows[0].xacts as string;

    const caliper: number[] = [];
    const floorMs: number[] = [];
    const medians: { caliper: number; floor: number }[] = [];
    let xacts = 0;
    for (let rep = 0; rep < REPS; rep++) {
      // Interleaved, so both see the same machine.
      const f = await runClient(floor.base, api.token, runId);
      const before = Number(await counters());
      const c = await runClient(api.base, api.token, runId);
      xacts = Number(await counters()) - before - 1;
      floorMs.push(...f);
      caliper.push(...c);
      medians.push({ caliper: median(c), floor: median(f) });
      console.log(`rep ${rep + 1}: Caliper ${ms(median(c))} median per call, floor ${ms(median(f))}`);
    }
    await db.end();
    const c50 = median(caliper);
    const f50 = median(floorMs);
    console.log(`\n${REPS} × ${CALLS} sequential log_metric calls (stock client's HTTP stack and body)`);
    console.log(`| | median | p95 |`);
    console.log(`|---|---|---|`);
    console.log(`| Caliper (built API, token auth) | ${ms(c50)} | ${ms(percentile(caliper, 95))} |`);
    console.log(`| floor: a server that only answers {} | ${ms(f50)} | ${ms(percentile(floorMs, 95))} |`);
    console.log(`| Caliper's own share (median − floor) | ${ms(c50 - f50)} | |`);
    console.log(`database transactions per call (pg_stat_database, last rep): ${(xacts / CALLS).toFixed(2)}`);
    console.log(`ratio Caliper / floor: ${(c50 / f50).toFixed(2)}`);
  } finally {
    await floor.close();
    await api.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
