/**
 * Ingest benchmark (prints figures; not a test): `npm run bench:ingest [-- --points 100000 --reps 3]`.
 *
 * Boots the API as a child process on a scratch database (created and migrated here, dropped at
 * the end) with a local S3 server, creates one run, and loads the same points three ways, the
 * tables truncated before every repetition:
 *   (a) native batch API, 5,000 points per request, 4 requests in flight, from a sender process;
 *   (b) MLflow log-batch, 1,000 metrics per request, from the same kind of sender process;
 *   (c) PostgreSQL COPY FROM STDIN (pg-copy-streams) into metric_points, same table and indexes.
 * Prints median and p95 per phase, the ratios a/c and b/c, the API process's peak RSS (sampled
 * throughout), and the time to read a 100,000-point history through /api/v1 (--history-page points a
 * page) and MLflow get-history (25,000 a page, as the stock client asks).
 */
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { execFileAsync, firstRow, fmt, mb, median, percentile, REGISTER, startBenchApi } from '../harness';
import { keyName, pointAt, Workload } from './workload';

const { values: flags } = parseArgs({
  options: {
    points: { type: 'string', default: '1000000' },
    keys: { type: 'string', default: '10' },
    reps: { type: 'string', default: '5' },
    'native-batch': { type: 'string', default: '5000' },
    'mlflow-batch': { type: 'string', default: '1000' },
    senders: { type: 'string', default: '4' },
    'history-points': { type: 'string', default: '100000' },
    'history-page': { type: 'string', default: '50000' },
    phases: { type: 'string', default: 'native,mlflow,copy,history' },
    /** Extra node flags for the API process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see where its time goes. */
    'api-node-args': { type: 'string', default: '' },
    /** "built" runs dist/server (as the production image does; built here first), "source" compiles on load as tests do. */
    api: { type: 'string', default: 'built' },
  },
});
const int = (name: keyof typeof flags) => {
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not ${flags[name]}`);
  return n;
};
const POINTS = int('points');
const KEYS = int('keys');
const REPS = int('reps');
const SENDERS = int('senders');
const HISTORY_POINTS = int('history-points');
const HISTORY_PAGE = int('history-page');
const PHASES = new Set(String(flags.phases).split(','));

async function runSender(args: object): Promise<{ elapsedMs: number; requests: number }> {
  const { stdout } = await execFileAsync(process.execPath, ['-r', REGISTER, path.join(__dirname, 'sender.ts'), JSON.stringify(args)], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { elapsedMs: number; requests: number };
}

async function main(): Promise<void> {
  console.log(`${fmt(POINTS)} points = ${KEYS} keys × ${fmt(POINTS / KEYS)} steps; ${REPS} repetitions per phase`);
  // Other work on the machine skews every figure; say how busy it was.
  const loadAverage = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(`${os.cpus().length} CPU cores; load average at start ${loadAverage()}`);
  const apiNodeArgs = String(flags['api-node-args']).split(' ').filter(Boolean);
  const bench = await startBenchApi({ api: flags.api as 'built' | 'source', nodeArgs: apiNodeArgs });
  const { base, token, client, rss, appUrl } = bench;
  const owner = new Client({ connectionString: bench.ownerUrl });
  try {
    await owner.connect();
    const run = await client.runs.create({ project: 'bench', experiment: 'ingest', name: 'ingest-benchmark' });
    const { id: runPk } = firstRow(
      (await owner.query(`SELECT id FROM runs WHERE uuid = $1`, [run.id])).rows as { id: string }[],
      `run ${run.id}`,
    );
    const workload: Workload = { points: POINTS, keys: KEYS, t0: Date.now() };

    const truncate = () => owner.query(`TRUNCATE metric_points, latest_metrics`);
    const stored = async () => Number((await owner.query(`SELECT count(*) FROM metric_points WHERE run_id = $1`, [runPk])).rows[0].count);
    const results: { phase: string; label: string; elapsed: number[] }[] = [];

    async function phase(name: string, label: string, once: () => Promise<number>) {
      if (!PHASES.has(name)) return;
      const elapsed: number[] = [];
      rss.current = name;
      for (let rep = 1; rep <= REPS; rep++) {
        await truncate();
        await owner.query(`CHECKPOINT`);
        const ms = await once();
        const count = await stored();
        if (count !== POINTS) throw new Error(`${label}: ${fmt(count)} points stored, expected ${fmt(POINTS)}`);
        elapsed.push(ms);
        console.log(`  ${name} rep ${rep}: ${(ms / 1000).toFixed(2)} s, ${fmt(POINTS / (ms / 1000))} points/s`);
      }
      results.push({ phase: name, label, elapsed });
    }

    const sender = (mode: 'native' | 'mlflow', batchSize: number) => async () =>
      (await runSender({ mode, base, token, runId: run.id, workload, batchSize, concurrency: SENDERS })).elapsedMs;

    await phase(
      'native',
      `(a) native /api/v1 batch, ${flags['native-batch']}/request, ${SENDERS} in flight`,
      sender('native', int('native-batch')),
    );
    await phase(
      'mlflow',
      `(b) MLflow log-batch, ${flags['mlflow-batch']}/request, ${SENDERS} in flight`,
      sender('mlflow', int('mlflow-batch')),
    );

    const keyIds = new Map<number, string>();
    for (let k = 0; k < KEYS; k++) {
      await owner.query(`INSERT INTO metric_keys (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [keyName(k)]);
      keyIds.set(k, (await owner.query(`SELECT id FROM metric_keys WHERE name = $1`, [keyName(k)])).rows[0].id as string);
    }
    const copyRows = async (client: Client, runId: string, w: Workload) => {
      const started = performance.now();
      const rows = Readable.from(
        (function* () {
          const chunk: string[] = [];
          for (let i = 0; i < w.points; i++) {
            const p = pointAt(w, i);
            chunk.push(`${runId}\t${keyIds.get(p.key)}\t${p.step}\t${p.timestamp}\t${p.value}\n`);
            if (chunk.length === 5000) yield chunk.splice(0).join('');
          }
          if (chunk.length) yield chunk.join('');
        })(),
      );
      await pipeline(rows, client.query(copyFrom(`COPY metric_points (run_id, key_id, step, ts, value) FROM STDIN`)));
      return performance.now() - started;
    };
    const app = new Client({ connectionString: appUrl });
    await app.connect();
    await phase('copy', '(c) PostgreSQL COPY FROM STDIN (pg-copy-streams), same table and indexes', () => copyRows(app, runPk, workload));
    await app.end();

    console.log('');
    console.log(
      `${'phase'.padEnd(82)} ${'median pts/s'.padStart(13)} ${'p95 pts/s'.padStart(11)} ${'median s'.padStart(9)} ${'p95 s'.padStart(7)}`,
    );
    const rate = (ms: number) => POINTS / (ms / 1000);
    for (const r of results) {
      const med = median(r.elapsed);
      const p95 = percentile(r.elapsed, 95);
      console.log(
        `${r.label.padEnd(82)} ${fmt(rate(med)).padStart(13)} ${fmt(rate(p95)).padStart(11)} ${(med / 1000).toFixed(2).padStart(9)} ${(p95 / 1000).toFixed(2).padStart(7)}`,
      );
    }
    const medianRate = (name: string) => {
      const r = results.find((x) => x.phase === name);
      return r ? rate(median(r.elapsed)) : null;
    };
    const [a, b, c] = [medianRate('native'), medianRate('mlflow'), medianRate('copy')];
    if (c && a) console.log(`ratio a/c (native / COPY): ${(a / c).toFixed(2)}  (target ≥ 0.5)`);
    if (c && b) console.log(`ratio b/c (MLflow / COPY): ${(b / c).toFixed(2)}`);
    console.log(
      '(p95 pts/s = the rate of the p95 (slow-end) repetition time; request bodies encoded before the clock starts; COPY does not maintain latest_metrics, the API does)',
    );

    if (PHASES.has('history')) {
      rss.current = 'history';
      // Like every phase, on truncated tables: the ingest phases' rows and their maintenance
      // (autovacuum of a million fresh rows) are not part of reading one series.
      await truncate();
      await owner.query(`CHECKPOINT`);
      const historyRun = await client.runs.create({ project: 'bench', experiment: 'ingest', name: 'history-benchmark' });
      const { id: historyPk } = firstRow(
        (await owner.query(`SELECT id FROM runs WHERE uuid = $1`, [historyRun.id])).rows as { id: string }[],
        `run ${historyRun.id}`,
      );
      await copyRows(owner, historyPk, { points: HISTORY_POINTS, keys: 1, t0: Date.now() });
      const key = keyName(0);
      const timeIt = async (read: () => Promise<number>) => {
        const ms: number[] = [];
        for (let rep = 0; rep < REPS; rep++) {
          const started = performance.now();
          const n = await read();
          ms.push(performance.now() - started);
          if (n !== HISTORY_POINTS) throw new Error(`history read returned ${n} points, expected ${HISTORY_POINTS}`);
        }
        return ms;
      };
      const native = await timeIt(async () => (await client.runs.metricHistory(historyRun.id, key, { pageSize: HISTORY_PAGE })).length);
      const mlflow = await timeIt(async () => {
        // As the stock mlflow client pages it: max_results=25000 and the page token.
        let n = 0;
        let pageToken = '';
        do {
          const url = new URL(`${base}/api/2.0/mlflow/metrics/get-history`);
          url.search = new URLSearchParams({
            run_uuid: historyRun.id,
            run_id: historyRun.id,
            metric_key: key,
            max_results: '25000',
            ...(pageToken ? { page_token: pageToken } : {}),
          }).toString();
          const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
          if (!res.ok) throw new Error(`get-history answered ${res.status}: ${await res.text()}`);
          const body = (await res.json()) as { metrics?: unknown[]; next_page_token?: string };
          n += body.metrics?.length ?? 0;
          pageToken = body.next_page_token ?? '';
        } while (pageToken);
        return n;
      });
      console.log(
        `history of ${fmt(HISTORY_POINTS)} points via /api/v1 (${fmt(HISTORY_PAGE)}/page): median ${median(native).toFixed(0)} ms, p95 ${percentile(native, 95).toFixed(0)} ms (target ≤ 300 ms)`,
      );
      console.log(
        `history of ${fmt(HISTORY_POINTS)} points via MLflow get-history (25,000/page): median ${median(mlflow).toFixed(0)} ms, p95 ${percentile(mlflow, 95).toFixed(0)} ms (target ≤ 300 ms)`,
      );
    }
    console.log(`load average at end ${loadAverage()}`);
    console.log(
      `API process peak RSS: ${mb(rss.max)} (target < 400 MB); by phase: ${[...rss.phase].map(([p, b]) => `${p} ${mb(b)}`).join(', ')}`,
    );
  } finally {
    await owner.end().catch(() => undefined);
    await bench.close();
  }
}

main().catch((err: Error) => {
  console.error(`bench:ingest failed: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
