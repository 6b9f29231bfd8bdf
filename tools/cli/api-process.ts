/**
 * For end-to-end tests of the clients (SDK, CLI, Python): the API as its own process on a fresh
 * clone of the migrated test database and a local S3 server, plus a project, a researcher in it
 * and that researcher's API token — what a user has after signing up in the web UI.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { startTestObjectStore, TestObjectStore } from '@caliper/storage/testing';
import { CaliperClient } from '@caliper/sdk';
import { startObjectStoreProcess } from '../testing/object-store-process';
import { freePort, waitUntilLive } from '../testing/processes';

const ROOT = path.resolve(__dirname, '../..');
export const ADMIN = { username: 'admin', password: 'admin-password-for-client-tests' };

export interface ApiProcess {
  base: string;
  db: TestDatabase;
  objects: TestObjectStore;
  project: string;
  researcher: { username: string; password: string };
  token: string;
  /** The worker's output, when started with `worker: true`. */
  workerOutput(): string;
  /** Runs SQL as the database owner, for assertions on what the server stored. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  output(): string;
  close(): Promise<void>;
}

/**
 * `env` adds to (or overrides) the API's environment, e.g. PACS_DICOMWEB_URL. `objectStoreProcess`
 * runs the S3 server in a process of its own instead of the caller's (for load tests that measure
 * the API while the caller itself is busy). `worker` also starts the worker as `npm start` runs it,
 * on the same database and store with a Redis prefix of their own, for flows that run through its
 * jobs (ONNX validation, evaluation, deployment).
 */
export async function startApiProcess(
  project = 'brain-tumour-seg',
  opts: { env?: Record<string, string>; objectStoreProcess?: boolean; worker?: boolean } = {},
): Promise<ApiProcess> {
  const db = await createTestDatabase();
  const objects = opts.objectStoreProcess ? await startObjectStoreProcess() : await startTestObjectStore();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const redisPrefix = `test-cli-${randomBytes(4).toString('hex')}`;
  const env = {
    ...process.env,
    ...objects.config,
    DATABASE_URL: db.appUrl,
    LOG_LEVEL: 'warn',
    ...(opts.worker ? { REDIS_PREFIX: redisPrefix } : {}),
  };
  let out = '';
  const proc = spawn(process.execPath, ['-r', path.join(ROOT, 'tools/register.js'), path.join(ROOT, 'apps/api/src/main.ts')], {
    env: {
      ...env,
      API_PORT: String(port),
      BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exits = [new Promise<void>((resolve) => proc.once('exit', () => resolve()))];
  let workerOut = '';
  let worker: ChildProcess | null = null;
  const workerPort = opts.worker ? await freePort() : 0;
  if (opts.worker) {
    const start = `require(${JSON.stringify(path.join(ROOT, 'apps/worker/src/main.ts'))}).bootstrap({ queuePrefix: ${JSON.stringify(redisPrefix)} }).catch((err) => { console.error(err); process.exit(1); })`;
    worker = spawn(process.execPath, ['-r', path.join(ROOT, 'tools/register.js'), '-e', start], {
      env: { ...env, WORKER_PORT: String(workerPort), ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (d) => (workerOut = (workerOut + d).slice(-20_000)));
    worker.stderr!.on('data', (d) => (workerOut = (workerOut + d).slice(-20_000)));
    exits.push(new Promise<void>((resolve) => worker!.once('exit', () => resolve())));
  }
  const pg = new Client({ connectionString: db.ownerUrl });
  const close = async () => {
    proc.kill('SIGTERM');
    worker?.kill('SIGTERM');
    await Promise.all(exits);
    await pg.end().catch(() => undefined);
    await objects.close();
    await db.drop();
  };
  try {
    await waitUntilLive(base, proc, () => out);
    if (worker) await waitUntilLive(`http://127.0.0.1:${workerPort}`, worker, () => workerOut, 90_000);
    await pg.connect();
    const admin = new CaliperClient({ baseUrl: base, username: ADMIN.username, password: ADMIN.password });
    const { createProject } = await admin.graphql<{ createProject: { id: string } }>(
      `mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }`,
      { i: { slug: project, name: project } },
    );
    const researcher = { username: `researcher-${process.pid}`, password: 'researcher-password-1' };
    await admin.graphql(`mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
      i: { username: researcher.username, displayName: 'Researcher', password: researcher.password },
    });
    await admin.graphql(`mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { roles } }`, {
      i: { projectId: createProject.id, username: researcher.username, roles: ['RESEARCHER'] },
    });
    const token = await new CaliperClient({ baseUrl: base, ...researcher }).createApiToken(project, {
      name: 'client tests',
      roles: ['researcher'],
    });
    return {
      base,
      db,
      objects,
      project,
      researcher,
      token,
      workerOutput: () => workerOut,
      query: async <T>(sql: string, params: unknown[] = []) => (await pg.query(sql, params)).rows as T[],
      output: () => out,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
