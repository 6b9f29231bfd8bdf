/**
 * Where the dataset API tests start: an API (real PostgreSQL, Redis and S3) with a connection as the
 * database owner to read rows back, a project with a researcher, a PI and a viewer signed in, and a
 * dataset the researcher created; plus drafts, the version file endpoints
 * (PUT /api/v1/dataset-versions/:id/...) and the check of a list of refused requests.
 */
import { Client } from 'pg';
import { ADMIN, Auth, gqlOk, headersFor, login, newProject, newUser, startTestApi, TestApi } from './api-harness';

export interface DatasetFixture {
  api: TestApi;
  /** Connected as the database owner. */
  owner: Client;
  admin: Auth;
  projectId: string;
  researcher: Auth;
  pi: Auth;
  viewer: Auth;
  datasetId: string;
  /** Ends the owner connection and closes the API. */
  close(): Promise<void>;
}

export async function startDatasetFixture(opts: {
  /** The project's slug. */
  project: string;
  /** The dataset's name. */
  dataset: string;
  /** Settings for the API (startTestApi's). */
  env?: Record<string, string>;
}): Promise<DatasetFixture> {
  const api = await startTestApi(opts.env);
  const owner = new Client({ connectionString: api.db.ownerUrl });
  const close = async () => {
    await owner.end();
    await api.close();
  };
  try {
    await owner.connect();
    const admin = await login(api, ADMIN.username, ADMIN.password);
    const projectId = await newProject(api, admin, opts.project);
    const users = await Promise.all(['RESEARCHER', 'PI', 'VIEWER'].map((role) => newUser(api, admin, { projectId, roles: [role] })));
    const [researcher, pi, viewer] = await Promise.all(users.map((u) => login(api, u.username, u.password)));
    const created = await gqlOk<{ createDataset: { id: string } }>(
      api,
      researcher!,
      `mutation($p: ID!, $n: String!) { createDataset(input: { projectId: $p, name: $n }) { id } }`,
      { p: projectId, n: opts.dataset },
    );
    return { api, owner, admin, projectId, researcher: researcher!, pi: pi!, viewer: viewer!, datasetId: created.createDataset.id, close };
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
}

/** A new draft version of the fixture's dataset, created by its researcher. */
export async function newDraft(f: DatasetFixture, splitSeed?: string): Promise<{ id: string; number: number }> {
  const r = await gqlOk<{ createDatasetVersion: { id: string; number: number } }>(
    f.api,
    f.researcher,
    `mutation($d: ID!, $s: String) { createDatasetVersion(input: { datasetId: $d, splitSeed: $s }) { id number } }`,
    { d: f.datasetId, s: splitSeed ?? null },
  );
  return r.createDatasetVersion;
}

export interface VersionFileReply {
  status: number;
  body: Record<string, unknown> & { code?: string; message?: string };
}

/** PUT /api/v1/dataset-versions/{path} (e.g. `${versionId}/zip`) with a body of this type. */
export async function putVersionFile(
  api: TestApi,
  auth: Auth,
  path: string,
  body: Buffer | string,
  contentType: string,
  headers: Record<string, string> = {},
): Promise<VersionFileReply> {
  const res = await fetch(`${api.base}/api/v1/dataset-versions/${path}`, {
    method: 'PUT',
    headers: { 'content-type': contentType, ...headersFor(auth), ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as VersionFileReply['body'] };
}

/** Each case, by name: the request, the status it must be refused with, and its message (exact, or matching). */
export type Refusal = [name: string, call: Promise<VersionFileReply>, status: number, message: string | RegExp];

export async function expectRefusals(cases: Refusal[]): Promise<void> {
  for (const [name, call, status, message] of cases) {
    const r = await call;
    expect({ name, status: r.status, message: r.body.message }).toEqual({
      name,
      status,
      message: typeof message === 'string' ? message : expect.stringMatching(message),
    });
  }
}
