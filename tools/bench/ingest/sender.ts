/**
 * The sending side of the benchmark, run as its own process (never inside the API): posts the
 * workload as native batches (`/api/v1/runs/:id/batch`) or MLflow log-batch requests with N
 * requests in flight, and prints {elapsedMs, requests} as JSON. Bodies are encoded before the
 * clock starts, so the figure is the server's ingest rate, not this process's JSON encoding.
 */
import { randomUUID } from 'node:crypto';
import { keyName, pointAt, Workload } from './workload';

interface SenderArgs {
  mode: 'native' | 'mlflow';
  base: string;
  token: string;
  runId: string;
  workload: Workload;
  batchSize: number;
  concurrency: number;
}

function bodies(a: SenderArgs): string[] {
  const out: string[] = [];
  for (let start = 0; start < a.workload.points; start += a.batchSize) {
    const metrics = [];
    for (let i = start; i < Math.min(a.workload.points, start + a.batchSize); i++) {
      const p = pointAt(a.workload, i);
      metrics.push({ key: keyName(p.key), value: p.value, timestamp: p.timestamp, step: p.step });
    }
    out.push(JSON.stringify(a.mode === 'native' ? { metrics } : { run_id: a.runId, metrics }));
  }
  return out;
}

async function main(): Promise<void> {
  const [, , args] = process.argv;
  if (!args) throw new Error('sender.ts takes its arguments as one JSON argument (see SenderArgs)');
  const a = JSON.parse(args) as SenderArgs;
  const all = bodies(a);
  const url = a.mode === 'native' ? `${a.base}/api/v1/runs/${a.runId}/batch` : `${a.base}/api/2.0/mlflow/runs/log-batch`;
  let next = 0;
  const sendAll = async () => {
    while (next < all.length) {
      const body = all[next++];
      const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${a.token}` };
      if (a.mode === 'native') headers['idempotency-key'] = randomUUID();
      const res = await fetch(url, { method: 'POST', headers, body });
      const text = await res.text();
      if (!res.ok) throw new Error(`${a.mode} batch answered ${res.status}: ${text.slice(0, 300)}`);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: a.concurrency }, sendAll));
  const elapsedMs = performance.now() - started;
  process.stdout.write(JSON.stringify({ elapsedMs, requests: all.length }) + '\n');
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
