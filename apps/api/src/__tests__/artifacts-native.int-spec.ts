/**
 * Native artifact routes on real PostgreSQL and a local S3 server (5 MiB parts): streamed
 * multipart upload with sha256, digest verification, ranged download, safe download headers,
 * re-upload and delete (replaced objects removed, objects a model version pins kept; native and
 * MLflow routes), listing, presigned URLs, size limits, a client that aborts mid-upload (cleaned
 * by the worker's sweep), and authorisation.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource, PendingUpload, UploadsRepository } from '@caliper/persistence';
import type { ObjectStore } from '@caliper/storage';
import { ADMIN, Auth, gqlOk, login, newProject, newUser, rest, startTestApi, TestApi } from '../testing/api-harness';
import { defined } from '../testing/defined';

const MIB = 1024 * 1024;
const BUCKET = 'caliper-artifacts';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('native artifacts (/api/v1/runs/:runId/artifacts)', () => {
  let api: TestApi;
  let pg: Client;
  let ds: DataSource;
  let researcher: Auth;
  let viewer: Auth;
  let otherProjectToken: Auth;
  let runScopedToken: Auth;
  let tokenRun: string;

  const put = (runId: string, artifactPath: string, body: Buffer, auth: Auth = researcher, headers: Record<string, string> = {}) =>
    fetch(`${api.base}/api/v1/runs/${runId}/artifacts/${artifactPath}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', ...authHeader(auth), ...headers },
      body,
    });
  const get = (runId: string, artifactPath: string, headers: Record<string, string> = {}, auth: Auth = viewer) =>
    fetch(`${api.base}/api/v1/runs/${runId}/artifacts/${artifactPath}`, { headers: { ...authHeader(auth), ...headers } });
  async function newRun(): Promise<string> {
    const res = await fetch(`${api.base}/api/v1/projects/art/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeader(researcher) },
      body: '{}',
    });
    return ((await res.json()) as { run: { id: string } }).run.id;
  }
  const experimentOf = async (runId: string) =>
    ((await (await rest(api, 'GET', `/api/v1/runs/${runId}`, viewer)).json()) as { run: { experiment: { id: string } } }).run.experiment.id;
  const mlflowArtifact = (method: 'PUT' | 'GET' | 'DELETE', experimentId: string, runId: string, artifactPath: string, body?: Buffer) =>
    fetch(`${api.base}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${artifactPath}`, {
      method,
      headers: authHeader(researcher),
      body,
    });
  const objectExists = (key: string) => api.objects.store.exists(BUCKET, key);
  const readObject = async (key: string) => {
    const chunks: Buffer[] = [];
    for await (const c of await api.objects.store.read(BUCKET, key)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  const artifactRows = async (runId: string) =>
    (
      await pg.query(
        `SELECT a.path, a.object_key, a.size, a.sha256 FROM artifacts a JOIN runs r ON r.id = a.run_id WHERE r.uuid = $1 ORDER BY a.path`,
        [runId],
      )
    ).rows as { path: string; object_key: string; size: string; sha256: string }[];
  const ledger = async (runId: string) =>
    (await pg.query(`SELECT status, size, sha256 FROM uploads WHERE object_key LIKE $1 ORDER BY created_at`, [`runs/${runId}/%`])).rows as {
      status: string;
      size: string | null;
      sha256: string | null;
    }[];
  /** Files the S3 server holds for this run's objects (s3rver keeps an object as `<name>._S3rver_object`). */
  const storedObjects = (runId: string) => {
    const dir = path.join(api.objects.directory, BUCKET, 'runs', runId);
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('._S3rver_object')) : [];
  };
  /** Unfinished multipart uploads (part files) the S3 server holds. */
  const partFolders = () => {
    const dir = path.join(api.objects.directory, BUCKET, '._S3rver_uploads');
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  beforeAll(async () => {
    api = await startTestApi({ ARTIFACT_PART_SIZE_MB: '5', ARTIFACT_MAX_SIZE_MB: '14' });
    const admin = await login(api, ADMIN.username, ADMIN.password);
    pg = new Client({ connectionString: api.db.ownerUrl });
    await pg.connect();
    ds = await createDataSource(api.db.appUrl).initialize();
    const projectId = await newProject(api, admin, 'art');
    const other = await newProject(api, admin, 'art-other');
    const r = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    researcher = await login(api, r.username, r.password);
    const v = await newUser(api, admin, { projectId, roles: ['VIEWER'] });
    viewer = await login(api, v.username, v.password);
    const o = await newUser(api, admin, { projectId: other, roles: ['RESEARCHER'] });
    const oSession = await login(api, o.username, o.password);
    otherProjectToken = {
      bearer: (
        await gqlOk<{ createApiToken: { token: string } }>(
          api,
          oSession,
          `mutation($p: ID!) { createApiToken(input: { projectId: $p, name: "o", roles: [RESEARCHER] }) { token } }`,
          { p: other },
        )
      ).createApiToken.token,
    };
    tokenRun = await newRun();
    const scoped = await gqlOk<{ createApiToken: { token: string } }>(
      api,
      researcher,
      `mutation($p: ID!, $r: String) { createApiToken(input: { projectId: $p, name: "run", roles: [RESEARCHER], runId: $r }) { token } }`,
      { p: projectId, r: tokenRun },
    );
    runScopedToken = { bearer: scoped.createApiToken.token };
  }, 90000);
  afterAll(async () => {
    await ds.destroy();
    await pg.end();
    await api.close();
  }, 30000);

  it('streams a 12.5 MiB upload to S3 in 5 MiB parts, records sha256 and size, and downloads it whole', async () => {
    const run = await newRun();
    const body = randomBytes(12 * MIB + 512 * 1024);
    const res = await put(run, 'model/weights.bin', body, researcher, { 'x-checksum-sha256': sha256(body) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      artifact: { path: 'model/weights.bin', size: body.length, sha256: sha256(body), contentType: 'application/octet-stream' },
    });
    const rows = await artifactRows(run);
    expect(rows).toEqual([
      {
        path: 'model/weights.bin',
        object_key: expect.stringMatching(new RegExp(`^runs/${run}/[0-9a-f-]{36}$`)),
        size: String(body.length),
        sha256: sha256(body),
      },
    ]);
    expect(await ledger(run)).toEqual([{ status: 'complete', size: String(body.length), sha256: sha256(body) }]);
    expect(storedObjects(run)).toHaveLength(1);
    expect(partFolders()).toEqual([]);
    const down = await get(run, 'model/weights.bin');
    expect(down.status).toBe(200);
    expect(down.headers.get('content-length')).toBe(String(body.length));
    expect(down.headers.get('x-checksum-sha256')).toBe(sha256(body));
    expect(sha256(Buffer.from(await down.arrayBuffer()))).toBe(sha256(body));
    const audit = await pg.query(`SELECT action, after FROM audit_events WHERE entity_id = $1 AND action LIKE 'artifact.%'`, [run]);
    expect(audit.rows).toEqual([
      {
        action: 'artifact.written',
        after: { path: 'model/weights.bin', objectKey: rows[0]?.object_key, size: body.length, sha256: sha256(body) },
      },
    ]);
  }, 60000);

  it('refuses a body whose digest does not match (hex or RFC 3230), leaving no artifact row, no object and no parts', async () => {
    const run = await newRun();
    const small = Buffer.from('hello');
    const wrongHex = await put(run, 'a.txt', small, researcher, { 'x-checksum-sha256': sha256(Buffer.from('other')) });
    expect(wrongHex.status).toBe(400);
    expect(await wrongHex.json()).toEqual({
      code: 'BAD_USER_INPUT',
      message: `The body's sha256 is ${sha256(small)}, not ${sha256(Buffer.from('other'))} as the client declared: the upload was corrupted or the digest is wrong. Nothing was stored.`,
    });
    const big = randomBytes(11 * MIB);
    const wrongDigest = await put(run, 'b.bin', big, researcher, {
      digest: `sha-256=${createHash('sha256').update('x').digest('base64')}`,
    });
    expect(wrongDigest.status).toBe(400);
    const malformed = await put(run, 'c.bin', small, researcher, { 'x-checksum-sha256': 'abc' });
    expect(await malformed.json()).toEqual({
      code: 'BAD_USER_INPUT',
      message: 'X-Checksum-Sha256 must be 64 hexadecimal characters (the sha256 of the body).',
    });
    expect(await artifactRows(run)).toEqual([]);
    expect(storedObjects(run)).toEqual([]);
    expect(partFolders()).toEqual([]);
    const right = await put(run, 'd.bin', small, researcher, { digest: `sha-256=${createHash('sha256').update(small).digest('base64')}` });
    expect(right.status).toBe(200);
  }, 60000);

  it('serves byte ranges, and answers 416 outside the file', async () => {
    const run = await newRun();
    const body = Buffer.from('0123456789abcdefghij');
    await put(run, 'r.txt', body);
    const first = await get(run, 'r.txt', { range: 'bytes=0-9' });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe('bytes 0-9/20');
    expect(await first.text()).toBe('0123456789');
    const suffix = await get(run, 'r.txt', { range: 'bytes=-5' });
    expect(await suffix.text()).toBe('fghij');
    const open = await get(run, 'r.txt', { range: 'bytes=15-' });
    expect(await open.text()).toBe('fghij');
    const outside = await get(run, 'r.txt', { range: 'bytes=20-30' });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe('bytes */20');
  });

  it('downloads as an attachment with nosniff, and never as HTML or SVG', async () => {
    const run = await newRun();
    await put(run, 'report.html', Buffer.from('<script>alert(1)</script>'), researcher, { 'content-type': 'text/html' });
    await put(run, 'plot.svg', Buffer.from('<svg onload="alert(1)"/>'), researcher, { 'content-type': 'image/svg+xml' });
    await put(run, 'notes/readme.md', Buffer.from('# hi'));
    for (const p of ['report.html', 'plot.svg']) {
      const res = await get(run, p);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect((await get(run, 'notes/readme.md')).headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('lists one directory at a time, directories as entries', async () => {
    const run = await newRun();
    for (const p of ['hello.txt', 'folder/f0.csv', 'folder/f1.csv', 'folder/nested/deep.json']) await put(run, p, Buffer.from(p));
    const list = async (prefix?: string) =>
      (
        (await (
          await rest(
            api,
            'GET',
            `/api/v1/runs/${run}/artifacts${prefix === undefined ? '' : `?prefix=${encodeURIComponent(prefix)}`}`,
            viewer,
          )
        ).json()) as { files: unknown[] }
      ).files;
    expect(await list()).toEqual([
      { path: 'folder', isDir: true },
      { path: 'hello.txt', isDir: false, size: 9, sha256: sha256(Buffer.from('hello.txt')) },
    ]);
    expect(await list('folder/')).toEqual([
      { path: 'folder/f0.csv', isDir: false, size: 13, sha256: expect.any(String) },
      { path: 'folder/f1.csv', isDir: false, size: 13, sha256: expect.any(String) },
      { path: 'folder/nested', isDir: true },
    ]);
    expect(await list('hello.txt')).toEqual([]);
    const bad = await rest(api, 'GET', `/api/v1/runs/${run}/artifacts?prefix=${encodeURIComponent('../x')}`, viewer);
    expect(bad.status).toBe(400);
  });

  it('writes a new object on re-upload, moves the mapping and removes the replaced object; deletes remove theirs; both audited, reads not', async () => {
    const run = await newRun();
    await put(run, 'm.onnx', Buffer.from('v1'));
    const v1 = defined((await artifactRows(run))[0], 'the artifact row of m.onnx');
    expect(await objectExists(v1.object_key)).toBe(true);
    await put(run, 'm.onnx', Buffer.from('v2'));
    const v2 = defined((await artifactRows(run))[0], 'the artifact row of the re-uploaded m.onnx');
    expect(v2.object_key).not.toBe(v1.object_key);
    expect(await (await get(run, 'm.onnx')).text()).toBe('v2');
    // The replaced object is gone once the re-upload has answered; the new one is the run's only object.
    expect(await objectExists(v1.object_key)).toBe(false);
    expect(storedObjects(run)).toEqual([`${v2.object_key.split('/').pop()}._S3rver_object`]);
    const audit = await pg.query(
      `SELECT before FROM audit_events WHERE entity_id = $1 AND action = 'artifact.written' ORDER BY seq DESC LIMIT 1`,
      [run],
    );
    expect(audit.rows[0].before).toEqual({ path: 'm.onnx', objectKey: v1.object_key, size: 2, sha256: sha256(Buffer.from('v1')) });
    await put(run, 'keep.txt', Buffer.from('kept'));
    const removed = await fetch(`${api.base}/api/v1/runs/${run}/artifacts/m.onnx`, { method: 'DELETE', headers: authHeader(researcher) });
    expect(await removed.json()).toEqual({ deleted: 1 });
    expect(await artifactRows(run)).toEqual([expect.objectContaining({ path: 'keep.txt' })]);
    expect((await get(run, 'm.onnx')).status).toBe(404);
    expect(await objectExists(v2.object_key)).toBe(false);
    expect(storedObjects(run)).toHaveLength(1);
    expect(await (await get(run, 'keep.txt')).text()).toBe('kept');
    const deletion = await pg.query(`SELECT before FROM audit_events WHERE entity_id = $1 AND action = 'artifact.deleted'`, [run]);
    expect(deletion.rows).toEqual([
      { before: { artifacts: [{ path: 'm.onnx', objectKey: v2.object_key, sha256: sha256(Buffer.from('v2')) }] } },
    ]);
    // Reads are not audited.
    expect(
      (
        await pg.query(
          `SELECT count(*) FROM audit_events WHERE entity_id = $1 AND action NOT IN ('run.created', 'artifact.written', 'artifact.deleted')`,
          [run],
        )
      ).rows[0].count,
    ).toBe('0');
  });

  it('removes replaced and deleted objects behind the MLflow artifact proxy too', async () => {
    const run = await newRun();
    const experimentId = await experimentOf(run);
    expect((await mlflowArtifact('PUT', experimentId, run, 'plots/loss.png', Buffer.from('png-1'))).status).toBe(200);
    expect((await mlflowArtifact('PUT', experimentId, run, 'plots/acc.png', Buffer.from('acc'))).status).toBe(200);
    const first = (await artifactRows(run)).find((r) => r.path === 'plots/loss.png')!;
    expect((await mlflowArtifact('PUT', experimentId, run, 'plots/loss.png', Buffer.from('png-2'))).status).toBe(200);
    expect(await objectExists(first.object_key)).toBe(false);
    expect(await (await mlflowArtifact('GET', experimentId, run, 'plots/loss.png')).text()).toBe('png-2');
    expect(storedObjects(run)).toHaveLength(2);
    // MLflow deletes a directory with everything under it.
    expect((await mlflowArtifact('DELETE', experimentId, run, 'plots')).status).toBe(200);
    expect(await artifactRows(run)).toEqual([]);
    expect(storedObjects(run)).toEqual([]);
  });

  it("never removes an object a model version pins: the version's files still download after a re-upload and a delete", async () => {
    const run = await newRun();
    const experimentId = await experimentOf(run);
    const files: Record<string, Buffer> = { 'model/MLmodel': Buffer.from('flavors: onnx'), 'model/model.onnx': Buffer.from('onnx-v1') };
    for (const [p, body] of Object.entries(files)) expect((await mlflowArtifact('PUT', experimentId, run, p, body)).status).toBe(200);
    const registry = (endpoint: string, body: unknown) =>
      fetch(`${api.base}/api/2.0/mlflow/${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeader(researcher) },
        body: JSON.stringify(body),
      });
    expect((await registry('registered-models/create', { name: 'art/pinned-unet' })).status).toBe(200);
    const version = await registry('model-versions/create', {
      name: 'art/pinned-unet',
      source: `mlflow-artifacts:/${experimentId}/${run}/artifacts/model`,
      run_id: run,
    });
    expect(version.status).toBe(200);
    const pinnedFiles = async () =>
      (
        await pg.query(
          `SELECT f.path, f.object_key, f.sha256 FROM model_version_files f JOIN model_versions mv ON mv.id = f.model_version_id JOIN registered_models rm ON rm.id = mv.registered_model_id
       WHERE rm.name = 'pinned-unet' ORDER BY f.path`,
        )
      ).rows as { path: string; object_key: string; sha256: string }[];
    const pins = await pinnedFiles();
    expect(pins.map((f) => f.path)).toEqual(['model/MLmodel', 'model/model.onnx']);

    // Re-upload through the MLflow proxy and the native route: the run's mapping moves, the pinned objects stay.
    expect((await mlflowArtifact('PUT', experimentId, run, 'model/model.onnx', Buffer.from('onnx-v2'))).status).toBe(200);
    expect((await put(run, 'model/MLmodel', Buffer.from('flavors: onnx, v2'))).status).toBe(200);
    const replacedOnnx = (await artifactRows(run)).find((r) => r.path === 'model/model.onnx')!;
    expect(replacedOnnx.object_key).not.toBe(defined(pins[1], 'the pin of model/model.onnx').object_key);
    expect(await (await get(run, 'model/model.onnx')).text()).toBe('onnx-v2');
    // The run's mapping and the version's pins both refer to stored objects.
    expect(storedObjects(run)).toHaveLength(4);
    for (const pin of pins) {
      const bytes = await readObject(pin.object_key);
      expect(sha256(bytes)).toBe(pin.sha256);
      expect(bytes).toEqual(files[pin.path]);
    }

    // Deleting the directory removes the run's unpinned objects only.
    expect(
      (await fetch(`${api.base}/api/v1/runs/${run}/artifacts/model`, { method: 'DELETE', headers: authHeader(researcher) })).status,
    ).toBe(200);
    expect(await artifactRows(run)).toEqual([]);
    expect(await objectExists(replacedOnnx.object_key)).toBe(false);
    expect(storedObjects(run)).toHaveLength(2);
    for (const pin of pins) expect(sha256(await readObject(pin.object_key))).toBe(pin.sha256);
    expect(await pinnedFiles()).toEqual(pins);
  });

  it('refuses artifact paths that are not relative and normalised', async () => {
    const run = await newRun();
    const res = await put(run, 'a//b', Buffer.from('x'));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: 'BAD_USER_INPUT',
      message: 'The artifact path "a//b" must be relative and normalised: no leading or doubled "/", no "." or ".." segments.',
    });
    // fetch would resolve "..": send the raw request line.
    const dotDot = await new Promise<number>((resolve, reject) => {
      const { hostname, port } = new URL(api.base);
      const req = http.request(
        {
          hostname,
          port,
          path: `/api/v1/runs/${run}/artifacts/a/../b`,
          method: 'PUT',
          headers: { 'content-length': '1', ...authHeader(researcher) },
        },
        (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('x');
    });
    expect(dotDot).toBe(400);
    expect(await artifactRows(run)).toEqual([]);
  });

  it('hands out presigned URLs after the authorisation check, for at most 15 minutes, that stop working when they expire', async () => {
    const run = await newRun();
    await put(run, 'p.txt', Buffer.from('presigned body'));
    const presign = (auth: Auth, body: unknown) =>
      fetch(`${api.base}/api/v1/runs/${run}/artifacts-presign`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeader(auth) },
        body: JSON.stringify(body),
      });
    expect((await presign(otherProjectToken, { path: 'p.txt' })).status).toBe(404);
    expect((await presign(viewer, { path: 'p.txt', expiresInSeconds: 901 })).status).toBe(400);
    const long = (await (await presign(viewer, { path: 'p.txt' })).json()) as { url: string; expiresAt: string };
    expect(new URL(long.url).searchParams.get('X-Amz-Expires')).toBe('900');
    expect(new URL(long.url).origin).toBe(api.objects.config.S3_ENDPOINT);
    const fetched = await fetch(long.url);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(await fetched.text()).toBe('presigned body');
    const short = (await (await presign(viewer, { path: 'p.txt', expiresInSeconds: 1 })).json()) as { url: string };
    await new Promise((r) => setTimeout(r, 2100));
    const expired = await fetch(short.url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/Request has expired/);
    expect((await presign(viewer, { path: 'missing.txt' })).status).toBe(404);
  });

  it('refuses an upload over ARTIFACT_MAX_SIZE_MB, announced or streamed, storing nothing', async () => {
    const run = await newRun();
    const announced = await put(run, 'big.bin', Buffer.alloc(15 * MIB));
    expect(announced.status).toBe(413);
    expect(await announced.json()).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'The artifact is larger than the 14 MiB limit (ARTIFACT_MAX_SIZE_MB).',
    });
    // Chunked, without Content-Length: refused once the stream passes the limit.
    const streamed = await uploadChunked(`${api.base}/api/v1/runs/${run}/artifacts/big2.bin`, researcher, 15 * MIB);
    expect(streamed).toBe(413);
    expect(await artifactRows(run)).toEqual([]);
    expect(storedObjects(run)).toEqual([]);
    expect(partFolders()).toEqual([]);
  }, 60000);

  it('leaves no artifact row when the client aborts mid-upload; the sweep then removes the pending upload and its parts', async () => {
    const run = await newRun();
    await abortedUpload(`${api.base}/api/v1/runs/${run}/artifacts/partial.bin`, researcher, 12 * MIB, 7 * MIB);
    // The server notices the broken stream, aborts its multipart upload and keeps the ledger row for the sweep.
    await waitUntil(async () => (await ledger(run)).length === 1 && partFolders().length === 0);
    expect(await artifactRows(run)).toEqual([]);
    expect(await ledger(run)).toEqual([{ status: 'pending', size: null, sha256: null }]);
    // Earlier refused uploads (bad digest, too large) left pending rows too: the sweep takes them all.
    const swept = await sweepAbandonedUploads(ds, api.objects.store);
    expect(swept.map((u) => u.objectKey)).toContainEqual(expect.stringMatching(new RegExp(`^runs/${run}/`)));
    expect((await pg.query(`SELECT count(*) FROM uploads WHERE status = 'pending'`)).rows[0].count).toBe('0');
    expect(storedObjects(run)).toEqual([]);
    expect(partFolders()).toEqual([]);
  }, 60000);

  it('refuses viewers and run-scoped tokens of another run (403), and answers tokens of another project as for an absent run (404)', async () => {
    const run = await newRun();
    const viewerPut = await put(run, 'x.txt', Buffer.from('x'), viewer);
    expect(viewerPut.status).toBe(403);
    expect(await viewerPut.json()).toEqual({ code: 'FORBIDDEN', message: 'You do not have permission to log or change runs.' });
    expect((await put(run, 'x.txt', Buffer.from('x'), otherProjectToken)).status).toBe(404);
    expect((await put(run, 'x.txt', Buffer.from('x'), runScopedToken)).status).toBe(403);
    expect((await put(tokenRun, 'x.txt', Buffer.from('x'), runScopedToken)).status).toBe(200);
    expect((await get(tokenRun, 'x.txt', {}, otherProjectToken)).status).toBe(404);
    expect((await put(run, 'x.txt', Buffer.from('x'), null)).status).toBe(401);
    expect(await artifactRows(run)).toEqual([]);
  });
});

/** The worker's uploads sweep (apps/worker UploadsSweepJob, which an API test may not import) with no minimum age. */
function sweepAbandonedUploads(ds: DataSource, store: ObjectStore): Promise<PendingUpload[]> {
  return new UploadsRepository(ds).sweepOrphans(0, 100, async (u) => {
    await store.abortIncompleteUploads(u.bucket, u.objectKey);
    await store.remove(u.bucket, u.objectKey);
  });
}

function authHeader(auth: Auth): Record<string, string> {
  if (!auth) return {};
  if ('cookie' in auth) return { cookie: auth.cookie };
  if ('bearer' in auth) return { authorization: `Bearer ${auth.bearer}` };
  return { authorization: `Basic ${Buffer.from(auth.basic.join(':')).toString('base64')}` };
}

async function waitUntil(check: () => Promise<boolean>, ms = 10000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** PUTs `total` bytes with chunked transfer encoding (no Content-Length); resolves to the status. */
function uploadChunked(url: string, auth: Auth, total: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'PUT', headers: { 'transfer-encoding': 'chunked', ...authHeader(auth) } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    let sent = 0;
    const chunk = Buffer.alloc(256 * 1024);
    const write = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

/** Announces `announced` bytes, sends `sent` of them, waits for the server to take them, then drops the connection. */
function abortedUpload(url: string, auth: Auth, announced: number, sent: number): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'PUT', headers: { 'content-length': String(announced), ...authHeader(auth) } });
    req.on('error', () => undefined);
    const chunk = Buffer.alloc(256 * 1024, 7);
    let written = 0;
    const write = () => {
      while (written < sent) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', write);
      }
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 1500);
    };
    write();
  });
}
