/** Shared fixture for the MLflow tracking integration tests: a project, a researcher and their API token. */
import { ADMIN, Auth, gqlOk, login, newProject, newUser, rest, TestApi } from '../testing/api-harness';

export interface MlflowFixture {
  projectId: string;
  slug: string;
  username: string;
  /** The researcher's Bearer token for the project (MLFLOW_TRACKING_TOKEN). */
  token: Auth;
  /** The researcher's Basic credentials (MLFLOW_TRACKING_USERNAME/PASSWORD); their first project is their default. */
  basic: Auth;
  admin: Auth;
}

export async function mlflowFixture(api: TestApi, slug: string, admin?: Auth): Promise<MlflowFixture> {
  const adminAuth = admin ?? (await login(api, ADMIN.username, ADMIN.password));
  const projectId = await newProject(api, adminAuth, slug);
  const user = await newUser(api, adminAuth, { projectId, roles: ['RESEARCHER'] });
  const session = await login(api, user.username, user.password);
  const created = await gqlOk<{ createApiToken: { token: string } }>(
    api,
    session,
    `mutation($p: ID!) { createApiToken(input: { projectId: $p, name: "mlflow", roles: [RESEARCHER] }) { token } }`,
    { p: projectId },
  );
  return {
    projectId,
    slug,
    username: user.username,
    token: { bearer: created.createApiToken.token },
    basic: { basic: [user.username, user.password] },
    admin: adminAuth,
  };
}

/**
 * A parsed MLflow response. Tests walk into it freely (r.body.run.info.run_id) and every value
 * they use is checked by expect(), so it is deliberately untyped.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WireJson = Record<string, any>;

/** One MLflow call: GET arguments go in the query string, others as a JSON body (as the mlflow client sends them). */
export async function mlflow(
  api: TestApi,
  auth: Auth,
  method: 'GET' | 'POST',
  path: string,
  args: Record<string, unknown> = {},
): Promise<{ status: number; body: WireJson }> {
  let url = path.startsWith('/') ? path : `/api/2.0/mlflow/${path}`;
  if (method === 'GET') {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(args)) for (const item of Array.isArray(v) ? v : [v]) q.append(k, String(item));
    if ([...q].length) url += `?${q.toString()}`;
  }
  const res = await rest(api, method, url, auth, method === 'GET' ? undefined : args);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as WireJson) : {} };
}
