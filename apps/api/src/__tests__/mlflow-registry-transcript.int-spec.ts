/**
 * Replays the model-registry exchanges of the stock mlflow 2.10.2 client's recorded session
 * (tools/testing/reference) against Caliper and compares each with the real MLflow server's answer:
 * status code, then the response JSON field by field — the same keys in the same order, the
 * same JSON types, the same enum spellings ('None', 'Staging', 'READY') and values. The recorded
 * run is replaced by a Caliper run (created through TrackingService) whose artifacts hold the
 * same paths the recording uploaded; timestamps are server-chosen and compared by type.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunEntity } from '@caliper/persistence';
import { mlflow, newRun, ownerQuery, putArtifact, RegistryFixture, registryFixture } from '../registry/testing/registry-fixture';
import { startTestApi, TestApi } from '../testing/api-harness';

interface Exchange {
  method: string;
  path: string;
  request_body: { json?: Record<string, unknown> } | null;
  status: number;
  response_body: { json?: unknown } | null;
}

const TRANSCRIPT = path.resolve(__dirname, '../../../../tools/testing/reference/mlflow-2.10.2-transcript.jsonl');
const RECORDED_RUN = 'fee8af5479b3445cadcaff1e41c30fe0';
const RECORDED_EXPERIMENT = '1';
/** The files the recorded session uploaded under the two paths it registered. */
const RECORDED_ARTIFACTS = [
  'model/requirements.txt',
  'model/MLmodel',
  'model/python_env.yaml',
  'model/conda.yaml',
  'model/model.pkl',
  'folder/f0.csv',
  'folder/f1.csv',
  'folder/f2.csv',
  'folder/nested/deep.json',
];

const isRegistryCall = (p: string) => /^\/api\/2\.0\/mlflow\/(registered-models|model-versions)\//.test(p);

/** Every difference between the recorded (mapped) and the actual JSON, as "path: what". */
function differences(expected: unknown, actual: unknown, at = '$', field = ''): string[] {
  const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (typeOf(expected) !== typeOf(actual))
    return [`${at}: expected ${typeOf(expected)} ${JSON.stringify(expected)}, got ${typeOf(actual)} ${JSON.stringify(actual)}`];
  if (Array.isArray(expected)) {
    const a = actual as unknown[];
    if (expected.length !== a.length) return [`${at}: expected ${expected.length} items, got ${a.length}`];
    return expected.flatMap((item, i) => differences(item, a[i], `${at}[${i}]`, field));
  }
  if (expected && typeof expected === 'object') {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const missing = Object.keys(e)
      .filter((k) => !(k in a))
      .map((k) => `${at}.${k}: missing`);
    const extra = Object.keys(a)
      .filter((k) => !(k in e))
      .map((k) => `${at}.${k}: not sent by MLflow`);
    const order =
      !missing.length && !extra.length && Object.keys(e).join() !== Object.keys(a).join()
        ? [`${at}: keys in order ${Object.keys(a).join()}, MLflow writes ${Object.keys(e).join()}`]
        : [];
    return [
      ...missing,
      ...extra,
      ...order,
      ...Object.keys(e)
        .filter((k) => k in a)
        .flatMap((k) => differences(e[k], a[k], `${at}.${k}`, k)),
    ];
  }
  if (field.endsWith('_timestamp')) return [];
  return expected === actual ? [] : [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

describe('mlflow 2.10.2 transcript replay (model registry calls)', () => {
  let api: TestApi;
  let f: RegistryFixture;
  let run: RunEntity;
  const exchanges: Exchange[] = readFileSync(TRANSCRIPT, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Exchange)
    .filter((x) => isRegistryCall(x.path));

  /** The recording's run and experiment ids rewritten to Caliper's. */
  const mapIds = (text: string) =>
    text
      .split(RECORDED_RUN)
      .join(run.uuid)
      .split(`mlflow-artifacts:/${RECORDED_EXPERIMENT}/`)
      .join(`mlflow-artifacts:/${run.experimentId}/`);

  beforeAll(async () => {
    api = await startTestApi();
    f = await registryFixture(api, 'registry-transcript');
    run = await newRun(api, f);
    for (const p of RECORDED_ARTIFACTS) await putArtifact(api, run, p, `content of ${p}`);
  });
  afterAll(async () => api?.close());

  it('holds every registry call the client makes (create, versions, aliases, stages, tags, updates, searches, download URI, deletes)', () => {
    const endpoints = new Set(exchanges.map((x) => `${x.method} ${x.path.split('?')[0]}`));
    expect([...endpoints].sort()).toEqual([
      'DELETE /api/2.0/mlflow/model-versions/delete',
      'DELETE /api/2.0/mlflow/registered-models/alias',
      'DELETE /api/2.0/mlflow/registered-models/delete',
      'GET /api/2.0/mlflow/model-versions/get',
      'GET /api/2.0/mlflow/model-versions/get-download-uri',
      'GET /api/2.0/mlflow/model-versions/search',
      'GET /api/2.0/mlflow/registered-models/alias',
      'GET /api/2.0/mlflow/registered-models/get',
      'GET /api/2.0/mlflow/registered-models/search',
      'PATCH /api/2.0/mlflow/model-versions/update',
      'PATCH /api/2.0/mlflow/registered-models/update',
      'POST /api/2.0/mlflow/model-versions/create',
      'POST /api/2.0/mlflow/model-versions/set-tag',
      'POST /api/2.0/mlflow/model-versions/transition-stage',
      'POST /api/2.0/mlflow/registered-models/alias',
      'POST /api/2.0/mlflow/registered-models/create',
      'POST /api/2.0/mlflow/registered-models/get-latest-versions',
    ]);
  });

  it('answers each recorded registry exchange with MLflow status codes and response JSON, field by field', async () => {
    const report: string[] = [];
    for (const x of exchanges) {
      const requestBody = x.request_body?.json === undefined ? undefined : JSON.parse(mapIds(JSON.stringify(x.request_body.json)));
      const res = await fetch(`${api.base}${mapIds(x.path)}`, {
        method: x.method,
        headers: {
          ...(requestBody === undefined ? {} : { 'content-type': 'application/json' }),
          authorization: `Basic ${Buffer.from((f.researcher as { basic: [string, string] }).basic.join(':')).toString('base64')}`,
        },
        body: requestBody === undefined ? undefined : JSON.stringify(requestBody),
      });
      const actual = await res.json();
      const expected = JSON.parse(mapIds(JSON.stringify(x.response_body?.json ?? {})));
      const problems = [
        ...(res.status !== x.status ? [`status ${res.status}, MLflow answered ${x.status}`] : []),
        ...differences(expected, actual),
      ];
      if (problems.length) report.push(`${x.method} ${x.path}\n  ${problems.join('\n  ')}`);
    }
    expect(report).toEqual([]);
    expect(exchanges.length).toBe(20);
  });

  it('left the state the recording ends in: the model is gone, and version 1 pinned the model directory', async () => {
    const gone = await mlflow(api, 'GET', 'registered-models/get', { name: 'client-check-model-7ce0b919' }, f.researcher);
    expect(gone).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    const pinned = await ownerQuery<{ version: number; path: string }>(
      api,
      `SELECT mv.version, f.path FROM model_version_files f JOIN model_versions mv ON mv.id = f.model_version_id JOIN registered_models rm ON rm.id = mv.registered_model_id
       WHERE rm.name = 'client-check-model-7ce0b919' ORDER BY mv.version, f.path`,
    );
    expect(pinned).toEqual([
      ...['model/MLmodel', 'model/conda.yaml', 'model/model.pkl', 'model/python_env.yaml', 'model/requirements.txt'].map((p) => ({
        version: 1,
        path: p,
      })),
      ...['folder/f0.csv', 'folder/f1.csv', 'folder/f2.csv', 'folder/nested/deep.json'].map((p) => ({ version: 2, path: p })),
    ]);
  });
});
