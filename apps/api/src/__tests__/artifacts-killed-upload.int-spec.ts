/**
 * An API process killed in the middle of a multipart artifact upload leaves nothing
 * half-written: no artifact row, and once the worker's uploads sweep has run, no pending
 * ledger row, no object and no part files on the S3 server.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource, PendingUpload, UploadsRepository } from '@caliper/persistence';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { ObjectStore } from '@caliper/storage';
import { startTestObjectStore, TestObjectStore } from '@caliper/storage/testing';
import { ADMIN, login, newProject, newUser, TestApi } from '../testing/api-harness';

const MAIN = path.resolve(__dirname, '../main.ts');
const REGISTER = path.resolve(__dirname, '../../../../tools/register.js');
const MIB = 1024 * 1024;
const BUCKET = 'caliper-artifacts';

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 30000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('API process killed mid-upload (real PostgreSQL, S3 server, worker sweep)', () => {
  let db: TestDatabase;
  let objects: TestObjectStore;
  let proc: ChildProcess;
  let exited: Promise<unknown>;
  let pg: Client;
  const port = 39500 + Math.floor(Math.random() * 400);
  const api = { base: `http://127.0.0.1:${port}` } as TestApi;
  const uploadFolders = () => {
    const dir = path.join(objects.directory, BUCKET, '._S3rver_uploads');
    return existsSync(dir)
      ? readdirSync(dir).map((id) => ({ id, parts: readdirSync(path.join(dir, id)).filter((f) => /^\d+$/.test(f)) }))
      : [];
  };
  const storedObjects = (runId: string) => {
    const dir = path.join(objects.directory, BUCKET, 'runs', runId);
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    objects = await startTestObjectStore();
    proc = spawn('node', ['-r', REGISTER, MAIN], {
      env: {
        ...process.env,
        ...objects.config,
        API_PORT: String(port),
        DATABASE_URL: db.appUrl,
        LOG_LEVEL: 'warn',
        BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
        ARTIFACT_PART_SIZE_MB: '5',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    exited = new Promise((resolve) => proc.on('exit', resolve));
    // The API compiles its TypeScript as it starts (tools/register.js): seconds alone, but over 30 s
    // once beside the full suite's other workers on two cores. An API that exits fails at once.
    await until(
      () => {
        if (proc.exitCode !== null || proc.signalCode !== null)
          throw new Error(`the API exited while starting (${proc.exitCode ?? proc.signalCode})`);
        return fetch(`${api.base}/health/live`).then(
          () => true,
          () => false,
        );
      },
      'the API to start',
      120_000,
    );
    pg = new Client({ connectionString: db.ownerUrl });
    await pg.connect();
  }, 150_000);
  afterAll(async () => {
    // Everything started is stopped even when the start failed part-way (an S3 server left
    // listening keeps Jest from exiting).
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
    await pg?.end();
    await objects?.close();
    await db?.drop();
  });

  it('leaves a pending ledger row and parts that the sweep removes, and never an artifact row', async () => {
    const admin = await login(api, ADMIN.username, ADMIN.password);
    const projectId = await newProject(api, admin, 'killed');
    const r = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    const session = await login(api, r.username, r.password);
    const created = await fetch(`${api.base}/api/v1/projects/killed/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: session.cookie },
      body: '{}',
    });
    const runId = ((await created.json()) as { run: { id: string } }).run.id;

    // 12 MiB announced; 8 MiB sent, so the first 5 MiB part reaches S3 before the process dies.
    const req = http.request(`${api.base}/api/v1/runs/${runId}/artifacts/checkpoint.pt`, {
      method: 'PUT',
      headers: { cookie: session.cookie, 'content-length': String(12 * MIB) },
    });
    req.on('error', () => undefined);
    const chunk = Buffer.alloc(256 * 1024, 3);
    for (let sent = 0; sent < 8 * MIB; sent += chunk.length) {
      if (!req.write(chunk)) await new Promise((resolve) => req.once('drain', resolve));
    }
    await until(() => uploadFolders().some((u) => u.parts.length > 0), 'a part on the S3 server');
    proc.kill('SIGKILL');
    await exited;
    req.destroy();

    const ledger = async () => (await pg.query(`SELECT status, object_key FROM uploads`)).rows as { status: string; object_key: string }[];
    const pending = await ledger();
    expect(pending).toEqual([{ status: 'pending', object_key: expect.stringMatching(new RegExp(`^runs/${runId}/`)) }]);
    expect((await pg.query(`SELECT count(*) FROM artifacts`)).rows[0].count).toBe('0');
    expect(uploadFolders()).toHaveLength(1);

    const ds: DataSource = await createDataSource(db.appUrl).initialize();
    try {
      expect(await sweepAbandonedUploads(ds, objects.store)).toEqual([
        { id: expect.any(String), bucket: BUCKET, objectKey: pending[0]?.object_key },
      ]);
    } finally {
      await ds.destroy();
    }
    expect(await ledger()).toEqual([]);
    expect(uploadFolders()).toEqual([]);
    expect(storedObjects(runId)).toEqual([]);
    expect((await pg.query(`SELECT count(*) FROM artifacts`)).rows[0].count).toBe('0');
  }, 60000);
});

/** The worker's uploads sweep (apps/worker UploadsSweepJob, which an API test may not import) with no minimum age. */
function sweepAbandonedUploads(ds: DataSource, store: ObjectStore): Promise<PendingUpload[]> {
  return new UploadsRepository(ds).sweepOrphans(0, 100, async (u) => {
    await store.abortIncompleteUploads(u.bucket, u.objectKey);
    await store.remove(u.bucket, u.objectKey);
  });
}
