/**
 * What API tests of flows that run through the worker (promotion, webhooks) share: members signed
 * in with their passwords kept (signing re-enters them), a poller that fails with the worker's
 * output, and a segmentation model logged by a run, registered and validated by the real worker.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mlflow } from '../../__tests__/mlflow-api-helpers';
import { Auth, gqlOk, login, newUser, TestApi } from '../../testing/api-harness';
import type { WorkerProcess } from '../../testing/worker-process';

const ROOT = path.resolve(__dirname, '../../../../..');
export const testModel = (name: string) => readFileSync(path.join(ROOT, 'tools/models/test-models', name));

export interface Person {
  auth: Auth;
  username: string;
  password: string;
}

/** A new user with these roles in the project, signed in (a browser session). */
export async function person(api: TestApi, admin: Auth, projectId: string, roles: string[]): Promise<Person> {
  const u = await newUser(api, admin, { projectId, roles });
  return { auth: await login(api, u.username, u.password), username: u.username, password: u.password };
}

/** Polls `probe` until it answers non-null; after `ms` fails naming `what`, with the worker's output. */
export async function until<T>(worker: WorkerProcess, what: string, probe: () => Promise<T | null>, ms = 60_000): Promise<T> {
  for (const deadline = Date.now() + ms; ;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${ms / 1000} s; worker output:\n${worker.output()}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const REGISTER = `mutation($i: RegisterModelVersionInput!) { registerModelVersion(input: $i) { version } }`;
const VALIDATION = `query($p: ID!, $n: String!, $v: Int!) { modelVersion(projectId: $p, name: $n, version: $v) { validation { status } } }`;

/**
 * Logs `bytes` (an ONNX segmenter: background, lesion) as model/seg2d.onnx of a new run of the
 * experiment, registers it as the next version of `name` with the given preprocessing, and waits
 * for the worker's validation. The researcher's auth must be a session (the artifact upload uses
 * its cookie).
 */
export async function registeredSegmenter(
  ctx: { api: TestApi; worker: WorkerProcess; researcher: Person; projectId: string; experimentId: string },
  name: string,
  bytes: Buffer,
  preprocessing: Record<string, unknown> = {},
): Promise<number> {
  const { api, researcher, projectId, experimentId } = ctx;
  const run = await mlflow(api, researcher.auth, 'POST', 'runs/create', { experiment_id: experimentId });
  const runId = run.body.run.info.run_id as string;
  const put = await fetch(`${api.base}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/model/seg2d.onnx`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', cookie: (researcher.auth as { cookie: string }).cookie },
    body: bytes,
  });
  if (put.status !== 200) throw new Error(`uploading the model answered ${put.status}: ${await put.text()}`);
  const r = await gqlOk<{ registerModelVersion: { version: number } }>(api, researcher.auth, REGISTER, {
    i: {
      projectId,
      modelName: name,
      runId,
      artifactPath: 'model/seg2d.onnx',
      taskType: 'SEGMENTATION',
      preprocessing,
      postprocessing: { labels: ['background', 'lesion'], threshold: 0.5 },
    },
  });
  const version = r.registerModelVersion.version;
  await until(ctx.worker, `version ${version} of ${name} validated`, async () => {
    const v = await gqlOk<{ modelVersion: { validation: { status: string } } }>(api, researcher.auth, VALIDATION, {
      p: projectId,
      n: name,
      v: version,
    });
    return v.modelVersion.validation.status !== 'PENDING' ? v.modelVersion.validation.status : null;
  });
  return version;
}
