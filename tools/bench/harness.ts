/**
 * What every benchmark under tools/bench needs: a scratch database (created and migrated, dropped
 * at the end), a local S3 server, the API as a child process (built, as production runs it, or
 * compiled on load), its peak RSS sampled throughout, an admin, a project and a researcher token.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { dropDatabase, recreateDatabase, runMigrations, withDatabase } from '@caliper/persistence';
import { appUrlFor, TEST_PG_URL } from '@caliper/persistence/testing';
import { startTestObjectStore } from '@caliper/storage/testing';
import { CaliperClient } from '@caliper/sdk';
import { freePort, waitUntilLive } from '../testing/processes';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the worker's V8 flags, as its image runs it
import { WORKER_NODE_FLAGS } from '../../apps/worker/src/node-flags';

export const ROOT = path.resolve(__dirname, '../..');
export const REGISTER = path.join(ROOT, 'tools/register.js');
export const ADMIN = { username: 'bench-admin', password: 'bench-admin-password' };
export const execFileAsync = promisify(execFile);

/** The sample of 0-based `rank` in ascending order; a phase that took no samples cannot be summarised. */
function ranked(xs: number[], rank: number): number {
  const x = [...xs].sort((a, b) => a - b)[rank];
  if (x === undefined) throw new Error(`no sample of rank ${rank} among ${xs.length}`);
  return x;
}
export const median = (xs: number[]) => ranked(xs, Math.floor((xs.length - 1) / 2));
/** Nearest-rank percentile. */
export const percentile = (xs: number[], p: number) => ranked(xs, Math.max(0, Math.ceil((p / 100) * xs.length) - 1));
/** The element of `xs` at `i`, wrapping around: sweeps cycle through their values. */
export function cycle<T>(xs: readonly T[], i: number): T {
  const x = xs[i % xs.length];
  if (x === undefined) throw new Error('cannot cycle through an empty list');
  return x;
}
/** The first row of a lookup the bench relies on; none means its setup went wrong. */
export function firstRow<T>(rows: readonly T[], what: string): T {
  const [row] = rows;
  if (row === undefined) throw new Error(`found no ${what}`);
  return row;
}
export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
export const mb = (b: number) => `${Math.round(b / (1 << 20))} MB`;

/** Resident set size of a process, from /proc (Linux). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

export interface BenchApi {
  base: string;
  ownerUrl: string;
  appUrl: string;
  pid: number;
  /** Peak RSS of the API process so far, overall and by the label set with `rss.current`. */
  rss: { max: number; phase: Map<string, number>; current: string };
  admin: CaliperClient;
  /** A researcher token of `project` and a client using it. */
  token: string;
  client: CaliperClient;
  project: { id: string; slug: string };
  /** A signed-in admin session cookie, for GraphQL reads as the web app makes them. */
  cookie: string;
  close(): Promise<void>;
}

export interface BenchApiOptions {
  /** "built" runs dist/server (built here first, as the production image runs it); "source" compiles on load as tests do. */
  api?: 'built' | 'source';
  nodeArgs?: string[];
  env?: Record<string, string>;
  projectSlug?: string;
  /** Also run the worker (same database, object store, Redis prefix and env), for jobs the API queues. */
  worker?: boolean;
}

/** Boots the API on a scratch database and signs in; `close()` stops it and drops the database. */
export async function startBenchApi(opts: BenchApiOptions = {}): Promise<BenchApi> {
  const mode = opts.api ?? 'built';
  if (mode !== 'built' && mode !== 'source') throw new Error(`--api must be built or source, not ${String(mode)}`);
  const dbName = `caliper_bench_${randomBytes(4).toString('hex')}`;
  const ownerUrl = withDatabase(TEST_PG_URL, dbName);
  const appUrl = appUrlFor(ownerUrl);
  await recreateDatabase(ownerUrl);
  await runMigrations(ownerUrl);
  const objects = await startTestObjectStore();
  if (mode === 'built') await execFileAsync(process.execPath, ['-r', REGISTER, path.join(ROOT, 'tools/build/server.ts')]);
  const entry =
    mode === 'built' ? [path.join(ROOT, 'dist/server/apps/api/src/main.js')] : ['-r', REGISTER, path.join(ROOT, 'apps/api/src/main.ts')];
  console.log(`scratch database ${dbName}; API: ${mode === 'built' ? 'dist/server (npm run build:server)' : 'sources compiled on load'}`);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    ...objects.config,
    API_PORT: String(port),
    WORKER_PORT: String(await freePort()),
    DATABASE_URL: appUrl,
    REDIS_PREFIX: dbName,
    LOG_LEVEL: 'warn',
    BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    ...opts.env,
  };
  let output = '';
  let closing = false;
  const child = (name: string, args: string[]) => {
    const c = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout!.on('data', (d) => (output = (output + d).slice(-20_000)));
    c.stderr!.on('data', (d) => (output = (output + d).slice(-20_000)));
    c.once('exit', (code, signal) => {
      if (!closing) console.error(`the ${name} exited during the benchmark (code ${code}, signal ${signal}); last output:\n${output}`);
    });
    return c;
  };
  const api = child('API', [...(opts.nodeArgs ?? []), ...entry]);
  // The worker's BullMQ queues get a prefix of their own: under the default one, any other worker on this Redis (npm start, another benchmark) would take the bench's jobs.
  const workerMain = mode === 'built' ? path.join(ROOT, 'dist/server/apps/worker/src/main.js') : path.join(ROOT, 'apps/worker/src/main.ts');
  const startWorker = `require(${JSON.stringify(workerMain)}).bootstrap({ queuePrefix: ${JSON.stringify(dbName)} }).catch((err) => { console.error(err); process.exit(1); })`;
  // With the worker's V8 flags, as its image and npm start run it.
  const worker = opts.worker
    ? child('worker', [...WORKER_NODE_FLAGS, ...(mode === 'built' ? ['-e', startWorker] : ['-r', REGISTER, '-e', startWorker])])
    : null;
  const rss = { max: 0, phase: new Map<string, number>(), current: 'startup' };
  const sampler = setInterval(() => {
    try {
      const bytes = rssBytes(api.pid!);
      rss.max = Math.max(rss.max, bytes);
      rss.phase.set(rss.current, Math.max(rss.phase.get(rss.current) ?? 0, bytes));
    } catch {
      // the process is gone; its exit is reported where it matters
    }
  }, 100);
  const close = async () => {
    closing = true;
    clearInterval(sampler);
    for (const c of [api, worker]) {
      if (!c) continue;
      c.kill('SIGTERM');
      await new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)));
    }
    await objects.close();
    await dropDatabase(ownerUrl);
  };
  try {
    await waitUntilLive(base, api, () => output);
    if (worker) await waitUntilLive(`http://127.0.0.1:${env.WORKER_PORT}`, worker, () => output);
    const slug = opts.projectSlug ?? 'bench';
    const admin = new CaliperClient({ baseUrl: base, username: ADMIN.username, password: ADMIN.password });
    const created = await admin.graphql<{ createProject: { id: string } }>(
      `mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }`,
      { i: { slug, name: 'Benchmark' } },
    );
    await admin.graphql(`mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { roles } }`, {
      i: { projectId: created.createProject.id, username: ADMIN.username, roles: ['RESEARCHER'] },
    });
    const token = await admin.createApiToken(slug, { name: 'bench', roles: ['researcher'] });
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    if (!login.ok) throw new Error(`signing in answered ${login.status}: ${await login.text()}`);
    const [cookie = ''] = (login.headers.get('set-cookie') ?? '').split(';');
    return {
      base,
      ownerUrl,
      appUrl,
      pid: api.pid!,
      rss,
      admin,
      token,
      client: new CaliperClient({ baseUrl: base, token }),
      project: { id: created.createProject.id, slug },
      cookie,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
