/**
 * The worker as `npm start` runs it, as a process of its own on a test API's database and store,
 * with a Redis prefix of its own: for API tests whose flow runs through the worker's jobs (the
 * outbox relay, BullMQ, onnxruntime-node).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the worker's V8 flags, as its image runs it
import { WORKER_NODE_FLAGS } from '../../../worker/src/node-flags';
import type { TestApi } from './api-harness';

const ROOT = path.resolve(__dirname, '../../../..');

export interface WorkerProcess {
  proc: ChildProcess;
  /** The Redis key prefix its queues use. */
  prefix: string;
  /** The last 20 kB of its output, for failure messages. */
  output: () => string;
  close: () => Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** Starts the worker (with `env` besides) and waits until it answers /health/live (90 s at most, then fails with its output). */
export async function startWorker(api: TestApi, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const prefix = `test-registry-${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const start = `require(${JSON.stringify(path.join(ROOT, 'apps/worker/src/main.ts'))}).bootstrap({ queuePrefix: ${JSON.stringify(prefix)} }).catch((err) => { console.error(err); process.exit(1); })`;
  let out = '';
  const proc = spawn(process.execPath, [...WORKER_NODE_FLAGS, '-r', path.join(ROOT, 'tools/register.js'), '-e', start], {
    env: {
      ...process.env,
      ...api.objects.config,
      DATABASE_URL: api.db.appUrl,
      WORKER_PORT: String(port),
      REDIS_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d) => (out = (out + d).slice(-20_000)));
  proc.stderr!.on('data', (d) => (out = (out + d).slice(-20_000)));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const close = async () => {
    if (proc.exitCode === null) proc.kill('SIGTERM');
    await exited;
  };
  for (const until = Date.now() + 90_000; ;) {
    if (proc.exitCode !== null) throw new Error(`the worker exited while starting:\n${out}`);
    if (
      await fetch(`http://127.0.0.1:${port}/health/live`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > until) {
      await close();
      throw new Error(`the worker did not answer within 90 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { proc, prefix, output: () => out, close };
}
