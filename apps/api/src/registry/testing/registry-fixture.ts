/**
 * Test setup for the registry: a project with a researcher (Basic auth, default project) and a
 * viewer, a run created through TrackingService, and artifact rows mapped through the artifacts
 * repository the way a finished upload maps them (the objects are written to the local S3 too).
 */
import type { Principal } from '@caliper/server-kit';
import { createHash, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ArtifactsRepository, RunEntity } from '@caliper/persistence';
import { ADMIN, Auth, login, newProject, newUser, rest, TestApi } from '../../testing/api-harness';
import { TrackingService } from '../../tracking/tracking.service';

export interface RegistryFixture {
  projectId: string;
  slug: string;
  researcher: Auth;
  researcherPrincipal: Principal;
  viewer: Auth;
  admin: Auth;
}

export async function registryFixture(api: TestApi, slug: string): Promise<RegistryFixture> {
  const admin = await login(api, ADMIN.username, ADMIN.password);
  const projectId = await newProject(api, admin, slug);
  const r = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
  const v = await newUser(api, admin, { projectId, roles: ['VIEWER'] });
  return {
    projectId,
    slug,
    admin,
    researcher: { basic: [r.username, r.password] },
    researcherPrincipal: { method: 'password', user: { id: r.id, username: r.username, displayName: r.username, globalRole: null } },
    viewer: { basic: [v.username, v.password] },
  };
}

export async function newRun(api: TestApi, f: { projectId: string; researcherPrincipal: Principal }): Promise<RunEntity> {
  const tracking = api.app.get(TrackingService);
  const experiment = await tracking.defaultExperiment(f.projectId);
  return tracking.createRun(f.researcherPrincipal, { experimentId: experiment.id });
}

/** Uploads `content` as the run's artifact at `path` (a new object each time) and maps it; returns the object's key and sha256. */
export async function putArtifact(
  api: TestApi,
  run: RunEntity,
  path: string,
  content: string,
): Promise<{ objectKey: string; sha256: string }> {
  const bucket = 'caliper-artifacts';
  await api.objects.store.ensureBucket(bucket);
  const objectKey = `runs/${run.uuid}/${randomUUID()}`;
  const body = Buffer.from(content);
  await api.objects.store.putObject(bucket, objectKey, body);
  const sha256 = createHash('sha256').update(body).digest('hex');
  const ds = api.app.get(DataSource);
  await ds.transaction((m) =>
    new ArtifactsRepository(ds).map(m, {
      runId: run.id,
      path,
      bucket,
      objectKey,
      size: body.length,
      sha256,
      contentType: 'application/octet-stream',
    }),
  );
  return { objectKey, sha256 };
}

/** One MLflow call: GET/DELETE-less-body arguments go in the query string, the rest as JSON. */
export async function mlflow(
  api: TestApi,
  method: string,
  endpoint: string,
  args: Record<string, unknown> | undefined,
  auth: Auth,
): Promise<{ status: number; body: Record<string, unknown> }> {
  let path = `/api/2.0/mlflow/${endpoint}`;
  let body: unknown;
  if (method === 'GET' && args) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(args)) for (const item of Array.isArray(v) ? v : [v]) q.append(k, String(item));
    path += `?${q}`;
  } else body = args;
  const res = await rest(api, method, path, auth, body);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function ownerQuery<T = Record<string, unknown>>(api: TestApi, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: api.db.ownerUrl });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}
