/**
 * An API booted in-process on real PostgreSQL (a fresh clone of the migrated template), real
 * Redis and a local S3 server, listening on a free loopback port; plus small HTTP helpers.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@caliper/config';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { startTestObjectStore, TestObjectStore } from '@caliper/storage/testing';
import { createApp } from '../main';

export const ADMIN = { username: 'admin', password: 'admin-password-for-tests' };

export interface TestApi {
  app: INestApplication;
  base: string;
  db: TestDatabase;
  objects: TestObjectStore;
  close(): Promise<void>;
}

export async function startTestApi(env: Record<string, string> = {}): Promise<TestApi> {
  const db = await createTestDatabase();
  const objects = await startTestObjectStore();
  const config = loadConfig({
    ...objects.config,
    DATABASE_URL: db.appUrl,
    BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    S3_BUCKET_AUDIT: 'caliper-audit',
    LOG_LEVEL: 'warn',
    // Login limits live in Redis, shared by every test file: each API gets its own key namespace.
    REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    ...env,
  });
  await objects.store.ensureBucket(config.S3_BUCKET_AUDIT);
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return {
    app,
    db,
    objects,
    base: `http://127.0.0.1:${port}`,
    close: async () => {
      await app.close();
      await objects.close();
      await db.drop();
    },
  };
}

export type Auth = { cookie: string } | { bearer: string } | { basic: [string, string] } | null;

export function headersFor(auth: Auth): Record<string, string> {
  if (!auth) return {};
  if ('cookie' in auth) return { cookie: auth.cookie };
  if ('bearer' in auth) return { authorization: `Bearer ${auth.bearer}` };
  return { authorization: `Basic ${Buffer.from(auth.basic.join(':')).toString('base64')}` };
}

export interface GqlResult<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

export async function gql<T = Record<string, unknown>>(
  api: TestApi,
  auth: Auth,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GqlResult<T>> {
  const res = await fetch(`${api.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headersFor(auth) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GqlResult<T>;
}

/** Data of a call that must succeed; fails the test with the server's errors otherwise. */
export async function gqlOk<T = Record<string, unknown>>(
  api: TestApi,
  auth: Auth,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const r = await gql<T>(api, auth, query, variables);
  if (r.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
  return r.data as T;
}

export const errorCode = (r: GqlResult<unknown>) => r.errors?.[0]?.extensions?.code;
export const errorMessage = (r: GqlResult<unknown>) => r.errors?.[0]?.message;

export async function rest(api: TestApi, method: string, path: string, auth: Auth = null, body?: unknown): Promise<Response> {
  return fetch(`${api.base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headersFor(auth) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Signs in and returns the session cookie to send back. */
export async function login(api: TestApi, username: string, password: string): Promise<{ cookie: string }> {
  const res = await rest(api, 'POST', '/api/v1/auth/login', null, { username, password });
  if (res.status !== 200) throw new Error(`login as ${username} failed: ${res.status} ${await res.text()}`);
  const [cookie = ''] = (res.headers.get('set-cookie') ?? '').split(';');
  return { cookie };
}

let counter = 0;
/** Creates a user (as admin) and, when given, makes them a member of a project with these roles. */
export async function newUser(
  api: TestApi,
  admin: Auth,
  opts: { projectId?: string; roles?: string[]; globalRole?: string; kind?: string } = {},
) {
  const username = `user-${process.pid}-${++counter}`;
  const password = `password-of-${username}`;
  const created = await gqlOk<{ createUser: { id: string } }>(
    api,
    admin,
    `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
    { i: { username, displayName: username, password, globalRole: opts.globalRole ?? null, kind: opts.kind ?? null } },
  );
  if (opts.projectId && opts.roles) {
    await gqlOk(api, admin, `mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { roles } }`, {
      i: { projectId: opts.projectId, username, roles: opts.roles },
    });
  }
  return { id: created.createUser.id, username, password };
}

export async function newProject(api: TestApi, admin: Auth, slug: string): Promise<string> {
  const r = await gqlOk<{ createProject: { id: string } }>(
    api,
    admin,
    `mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }`,
    { i: { slug, name: `Project ${slug}` } },
  );
  return r.createProject.id;
}
