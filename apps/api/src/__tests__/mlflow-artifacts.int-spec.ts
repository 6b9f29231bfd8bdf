/**
 * MLflow's artifact proxy (/api/2.0/mlflow-artifacts/artifacts) against the stock mlflow 2.10.2
 * client's recorded session: every artifact call of the transcript (uploads, directory
 * listings, downloads) is replayed on a Caliper run and compared status by status and body by
 * body; then delete, errors in MLflow's shape, and authorisation.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ADMIN, Auth, gqlOk, login, newProject, newUser, startTestApi, TestApi } from '../testing/api-harness';
import { defined } from '../testing/defined';

const TRANSCRIPT = path.resolve(__dirname, '../../../../tools/testing/reference/mlflow-2.10.2-transcript.jsonl');

interface Exchange {
  method: string;
  path: string;
  request_content_type: string | null;
  request_body: { text?: string; json?: unknown; b64_len?: number } | null;
  status: number;
  response_content_type: string;
  response_body: { text?: string; json?: unknown; b64_len?: number };
}

const artifactCalls = (): Exchange[] =>
  readFileSync(TRANSCRIPT, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Exchange)
    .filter((e) => e.path.startsWith('/api/2.0/mlflow-artifacts/'));

describe('MLflow artifact proxy (/api/2.0/mlflow-artifacts)', () => {
  let api: TestApi;
  let token: Auth;
  let viewer: Auth;
  let otherToken: Auth;

  const call = (method: string, p: string, auth: Auth, body?: Buffer | string, contentType?: string) =>
    fetch(`${api.base}${p}`, { method, headers: { ...(contentType ? { 'content-type': contentType } : {}), ...authHeader(auth) }, body });
  async function newRun(): Promise<{ experimentId: string; uuid: string }> {
    const res = await fetch(`${api.base}/api/v1/projects/mlart/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeader(token) },
      body: JSON.stringify({ experiment: 'client-check' }),
    });
    const run = ((await res.json()) as { run: { id: string; artifactUri: string } }).run;
    const m = /^mlflow-artifacts:\/(\d+)\/([0-9a-f]{32})\/artifacts$/.exec(run.artifactUri);
    expect(m?.[2]).toBe(run.id);
    return { experimentId: defined(m?.[1], `the experiment id in ${run.artifactUri}`), uuid: run.id };
  }

  beforeAll(async () => {
    api = await startTestApi();
    const admin = await login(api, ADMIN.username, ADMIN.password);
    const projectId = await newProject(api, admin, 'mlart');
    const other = await newProject(api, admin, 'mlart-other');
    const tokenOf = async (p: string) => {
      const u = await newUser(api, admin, { projectId: p, roles: ['RESEARCHER'] });
      const s = await login(api, u.username, u.password);
      return {
        bearer: (
          await gqlOk<{ createApiToken: { token: string } }>(
            api,
            s,
            `mutation($p: ID!) { createApiToken(input: { projectId: $p, name: "t", roles: [RESEARCHER] }) { token } }`,
            { p },
          )
        ).createApiToken.token,
      };
    };
    token = await tokenOf(projectId);
    otherToken = await tokenOf(other);
    // MLflow clients may also sign in with Basic credentials (MLFLOW_TRACKING_USERNAME/PASSWORD).
    const v = await newUser(api, admin, { projectId, roles: ['VIEWER'] });
    viewer = { basic: [v.username, v.password] };
  }, 90000);
  afterAll(() => api.close(), 30000);

  it("replays the transcript's artifact calls with the same statuses, content types and bodies", async () => {
    const run = await newRun();
    const calls = artifactCalls();
    expect(calls.length).toBeGreaterThanOrEqual(25);
    const recorded = defined(calls[0], 'a recorded artifact call').path;
    const recordedRun = defined(/artifacts\/\d+\/([0-9a-f]{32})\//.exec(recorded)?.[1], `the run id in ${recorded}`);
    const recordedExperiment = defined(/artifacts\/(\d+)\//.exec(recorded)?.[1], `the experiment id in ${recorded}`);
    const mapIds = (p: string) =>
      p
        .split(recordedRun)
        .join(run.uuid)
        .replace(`/artifacts/${recordedExperiment}/`, `/artifacts/${run.experimentId}/`)
        .replace(`path=${recordedExperiment}%2F`, `path=${run.experimentId}%2F`);
    const binaries = new Map<string, Buffer>();
    for (const e of calls) {
      const p = mapIds(e.path);
      let body: Buffer | undefined;
      if (e.method === 'PUT') {
        body = e.request_body?.text !== undefined ? Buffer.from(e.request_body.text) : Buffer.alloc(e.request_body!.b64_len!, 1);
        binaries.set(p, body);
      }
      const res = await call(e.method, p, token, body, e.request_content_type ?? undefined);
      const label = `${e.method} ${e.path}`;
      expect({ label, status: res.status }).toEqual({ label, status: e.status });
      expect({ label, type: (res.headers.get('content-type') ?? '').split(';')[0] }).toEqual({
        label,
        type: e.response_content_type.split(';')[0],
      });
      if (e.response_body.json !== undefined) expect({ label, body: await res.json() }).toEqual({ label, body: e.response_body.json });
      else if (e.response_body.text !== undefined) expect({ label, body: await res.text() }).toEqual({ label, body: e.response_body.text });
      else expect({ label, length: (await res.arrayBuffer()).byteLength }).toEqual({ label, length: e.response_body.b64_len });
      if (e.method === 'GET' && !e.path.includes('?')) {
        expect(res.headers.get('content-disposition')).toMatch(/^attachment/);
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      }
    }
  }, 60000);

  it("deletes a file or a directory as MLflow's DELETE does", async () => {
    const run = await newRun();
    const base = `/api/2.0/mlflow-artifacts/artifacts/${run.experimentId}/${run.uuid}/artifacts`;
    const list = async (dir: string) =>
      (await (
        await call(
          'GET',
          `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`${run.experimentId}/${run.uuid}/artifacts${dir}`)}`,
          token,
        )
      ).json()) as { files?: { path: string }[] };
    for (const p of ['keep.txt', 'gone.txt', 'dir/a.txt', 'dir/sub/b.txt'])
      expect((await call('PUT', `${base}/${p}`, token, 'x', 'text/plain')).status).toBe(200);
    const del = await call('DELETE', `${base}/gone.txt`, token);
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({});
    expect((await call('DELETE', `${base}/dir`, token)).status).toBe(200);
    expect((await list('')).files!.map((f) => f.path)).toEqual(['keep.txt']);
    expect(await list('/dir')).toEqual({});
    const missing = await call('GET', `${base}/gone.txt`, token);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Run ${run.uuid} has no artifact "gone.txt".` });
  });

  it("answers errors in MLflow's shape: unknown run, run of another experiment, malformed path, missing credentials", async () => {
    const run = await newRun();
    const unknown = await call(
      'PUT',
      `/api/2.0/mlflow-artifacts/artifacts/${run.experimentId}/${'a'.repeat(32)}/artifacts/x.txt`,
      token,
      'x',
      'text/plain',
    );
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: `Run with id=${'a'.repeat(32)} not found in experiment ${run.experimentId}`,
    });
    const wrongExperiment = await call(
      'GET',
      `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(`99999/${run.uuid}/artifacts`)}`,
      token,
    );
    expect(wrongExperiment.status).toBe(404);
    const malformed = await call('GET', `/api/2.0/mlflow-artifacts/artifacts/${run.experimentId}/x.txt`, token);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error_code: string }).error_code).toBe('INVALID_PARAMETER_VALUE');
    const anonymous = await call(
      'PUT',
      `/api/2.0/mlflow-artifacts/artifacts/${run.experimentId}/${run.uuid}/artifacts/x.txt`,
      null,
      'x',
      'text/plain',
    );
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error_code: string }).error_code).toBe('UNAUTHENTICATED');
  });

  it('lets viewers read but not write, and refuses tokens of another project', async () => {
    const run = await newRun();
    const base = `/api/2.0/mlflow-artifacts/artifacts/${run.experimentId}/${run.uuid}/artifacts`;
    expect((await call('PUT', `${base}/r.txt`, token, 'readable', 'text/plain')).status).toBe(200);
    const viewerPut = await call('PUT', `${base}/w.txt`, viewer, 'x', 'text/plain');
    expect(viewerPut.status).toBe(403);
    expect(await viewerPut.json()).toEqual({
      error_code: 'PERMISSION_DENIED',
      message: 'You do not have permission to log or change runs.',
    });
    expect((await call('DELETE', `${base}/r.txt`, viewer)).status).toBe(403);
    expect(await (await call('GET', `${base}/r.txt`, viewer)).text()).toBe('readable');
    expect((await call('GET', `${base}/r.txt`, otherToken)).status).toBe(403);
    expect((await call('PUT', `${base}/r.txt`, otherToken, 'y', 'text/plain')).status).toBe(403);
    expect(await (await call('GET', `${base}/r.txt`, token)).text()).toBe('readable');
  });
});

function authHeader(auth: Auth): Record<string, string> {
  if (!auth) return {};
  if ('cookie' in auth) return { cookie: auth.cookie };
  if ('bearer' in auth) return { authorization: `Bearer ${auth.bearer}` };
  return { authorization: `Basic ${Buffer.from(auth.basic.join(':')).toString('base64')}` };
}
