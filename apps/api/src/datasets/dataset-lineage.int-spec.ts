/**
 * A version's lineage over GraphQL on real rows: runs logged with the stock MLflow client's
 * requests (log-inputs linking the sealed version by source or by manifest digest), a model
 * version registered from one of them, a version built on it. Runs are listed once each, newest
 * first, paged by cursor; deleted runs, drafts' non-links and another project's rows stay out; a
 * list of versions reads each kind in one statement (no N+1).
 */
import { createHash } from 'node:crypto';
import { dicomVariant, sampleBytes } from '@caliper/pacs/testing';
import { RunEntity, UserEntity } from '@caliper/persistence';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { putArtifact } from '../registry/testing/registry-fixture';
import { mlflow, mlflowFixture, MlflowFixture } from '../__tests__/mlflow-api-helpers';
import { errorCode, gql, gqlOk, startTestApi, TestApi } from '../testing/api-harness';
import { DatasetsService } from './datasets.service';

interface RunNode {
  runId: string;
  name: string;
  status: string;
  startTime: string | null;
  experimentId: string;
  experimentName: string;
  createdByName: string | null;
}
interface RunsPage {
  totalCount: number;
  edges: { cursor: string; node: RunNode }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

describe('dataset version lineage: runs that used it, models trained from them, versions built on it', () => {
  let api: TestApi;
  let fx: MlflowFixture;
  let other: MlflowFixture;
  let datasetId: string;
  let sealed: { id: string; sha: string };
  let childId: string;
  let unusedId: string;
  let experimentId: string;
  const runs: Record<'bySource' | 'byDigest' | 'deleted' | 'unrelated', string> = {
    bySource: '',
    byDigest: '',
    deleted: '',
    unrelated: '',
  };

  const principalOf = async (f: MlflowFixture) => {
    const user = await api.app.get(DataSource).getRepository(UserEntity).findOneByOrFail({ username: f.username });
    return {
      method: 'session' as const,
      sessionId: 't',
      user: { id: user.id, username: user.username, displayName: user.displayName, globalRole: null },
    };
  };

  /** What `mlflow.log_input(dataset, context=…)` sends (tools/testing/reference transcript), with the version's source or digest. */
  const logInput = (runId: string, name: string, digest: string, source: string, context = 'training') =>
    mlflow(api, fx.token, 'POST', 'runs/log-inputs', {
      run_id: runId,
      datasets: [
        {
          tags: [{ key: 'mlflow.data.context', value: context }],
          dataset: { name, digest, source_type: 'http', source: JSON.stringify({ url: source }), schema: '', profile: '{"num_rows": 3}' },
        },
      ],
    });
  /** What `mlflow.start_run(run_name=…)` sends. */
  const createRun = async (name: string, startTime: number) => {
    const r = await mlflow(api, fx.token, 'POST', 'runs/create', {
      experiment_id: experimentId,
      user_id: 'root',
      run_name: name,
      start_time: startTime,
      tags: [
        { key: 'mlflow.user', value: 'root' },
        { key: 'mlflow.source.name', value: 'train.py' },
        { key: 'mlflow.source.type', value: 'LOCAL' },
        { key: 'mlflow.runName', value: name },
      ],
    });
    expect(r.status).toBe(200);
    return r.body.run.info.run_id as string;
  };

  beforeAll(async () => {
    api = await startTestApi();
    fx = await mlflowFixture(api, 'lineage');
    other = await mlflowFixture(api, 'lineage-other', fx.admin);
    const principal = await principalOf(fx);
    const service = api.app.get(DatasetsService);
    const dataset = await service.create(principal, { projectId: fx.projectId, name: 'Hip X-ray' });
    datasetId = dataset.id;
    const draft = await service.createVersion(principal, dataset, { datasetId: dataset.id, splitSeed: 'lineage' });
    for (const p of ['A', 'B', 'C']) {
      const bytes = dicomVariant(sampleBytes('CT_small.dcm'), { patientId: p });
      await service.addUploadedDicom(principal, draft.id, bytes, createHash('sha256').update(bytes).digest('hex'), { label: null });
    }
    const s = await service.seal(principal, fx.projectId, { versionId: draft.id, deidMethod: 'none: synthetic', deidSummary: 'generated' });
    sealed = { id: s.id, sha: s.manifestSha256! };
    childId = (await service.createVersion(principal, dataset, { datasetId: dataset.id, parentVersionId: sealed.id })).id;
    unusedId = (await service.createVersion(principal, dataset, { datasetId: dataset.id })).id;

    experimentId = (await mlflow(api, fx.token, 'POST', 'experiments/create', { name: 'hip-fracture' })).body.experiment_id as string;
    runs.bySource = await createRun('by-source', 1_700_000_000_000);
    // Logged twice (training and evaluation contexts): listed once.
    expect((await logInput(runs.bySource, 'hip-train', 'aaaaaaaa', `caliper://dataset-versions/${sealed.id}`)).status).toBe(200);
    expect((await logInput(runs.bySource, 'hip-eval', 'bbbbbbbb', `caliper://dataset-versions/${sealed.id}`, 'evaluation')).status).toBe(
      200,
    );
    runs.byDigest = await createRun('by-digest', 1_700_000_100_000);
    expect((await logInput(runs.byDigest, 'hip', sealed.sha.slice(0, 8), 'https://example.org/hip.csv')).status).toBe(200);
    runs.deleted = await createRun('deleted', 1_700_000_200_000);
    expect((await logInput(runs.deleted, 'hip', 'cccccccc', `caliper://dataset-versions/${sealed.id}`)).status).toBe(200);
    expect((await mlflow(api, fx.token, 'POST', 'runs/delete', { run_id: runs.deleted })).status).toBe(200);
    runs.unrelated = await createRun('unrelated', 1_700_000_300_000);
    expect((await logInput(runs.unrelated, 'other', 'dddddddd', 'https://example.org/other.csv')).status).toBe(200);

    // A model registered from the by-source run, as the stock client registers one (the artifact mapped first).
    const ds = api.app.get(DataSource);
    const sourceRun = await ds.getRepository(RunEntity).findOneByOrFail({ uuid: runs.bySource });
    await putArtifact(api, sourceRun, 'model/model.onnx', 'onnx-bytes');
    expect((await mlflow(api, fx.token, 'POST', 'registered-models/create', { name: 'hip-fracture-net' })).status).toBe(200);
    const registered = await mlflow(api, fx.token, 'POST', 'model-versions/create', {
      name: 'hip-fracture-net',
      source: `mlflow-artifacts:/${experimentId}/${runs.bySource}/artifacts/model`,
      run_id: runs.bySource,
    });
    expect(registered.status).toBe(200);

    // Another project's run and model pointing at the version (written behind the linker's back) must not show.
    const foreignRun = await mlflow(api, other.token, 'POST', 'runs/create', { experiment_id: '0', run_name: 'foreign' });
    const foreignRunId = foreignRun.body.run.info.run_id as string;
    const owner = new Client({ connectionString: api.db.ownerUrl });
    await owner.connect();
    try {
      await owner.query(
        `INSERT INTO run_inputs (run_id, kind, name, digest, descriptor, dataset_version_id)
         SELECT id, 'dataset', 'smuggled', 'eeeeeeee', '{}'::jsonb, $2 FROM runs WHERE uuid = $1`,
        [foreignRunId, sealed.id],
      );
    } finally {
      await owner.end();
    }
  }, 120000);
  afterAll(() => api?.close());

  const RUNS = `query($v: ID!, $first: Int!, $after: String) { datasetVersion(id: $v) {
    runs(first: $first, after: $after) { totalCount edges { cursor node { runId name status startTime experimentId experimentName createdByName } }
      pageInfo { hasNextPage endCursor } } } }`;
  const runsPage = async (first: number, after: string | null = null) =>
    (await gqlOk<{ datasetVersion: { runs: RunsPage } }>(api, fx.token, RUNS, { v: sealed.id, first, after })).datasetVersion.runs;

  it('lists the active runs of the project that used the version, once each, newest first, paged by cursor', async () => {
    const researcherName = (await principalOf(fx)).user.displayName;
    const first = await runsPage(1);
    expect(first.totalCount).toBe(2);
    expect(first.edges.map((e) => e.node)).toEqual([
      {
        runId: runs.byDigest,
        name: 'by-digest',
        status: 'RUNNING',
        startTime: new Date(1_700_000_100_000).toISOString(),
        experimentId,
        experimentName: 'hip-fracture',
        createdByName: researcherName,
      },
    ]);
    expect(first.pageInfo).toEqual({ hasNextPage: true, endCursor: first.edges[0]!.cursor });
    const second = await runsPage(1, first.pageInfo.endCursor);
    expect(second.edges.map((e) => [e.node.runId, e.node.name, e.node.startTime])).toEqual([
      [runs.bySource, 'by-source', new Date(1_700_000_000_000).toISOString()],
    ]);
    expect(second.pageInfo).toEqual({ hasNextPage: false, endCursor: second.edges[0]!.cursor });
    expect((await runsPage(20)).edges.map((e) => e.node.name)).toEqual(['by-digest', 'by-source']);
  });

  it('lists the model versions registered from those runs, and the versions built on it', async () => {
    const r = await gqlOk<{
      datasetVersion: {
        models: { modelName: string; version: number; stage: string; status: string; runId: string; runName: string; createdAt: string }[];
        children: { id: string; number: number }[];
      };
    }>(
      api,
      fx.token,
      `query($v: ID!) { datasetVersion(id: $v) { models { modelName version stage status runId runName createdAt } children { id number } } }`,
      { v: sealed.id },
    );
    expect(r.datasetVersion.models).toEqual([
      {
        modelName: 'hip-fracture-net',
        version: 1,
        stage: 'none',
        status: 'READY',
        runId: runs.bySource,
        runName: 'by-source',
        createdAt: expect.stringMatching(/^\d{4}-/),
      },
    ]);
    expect(r.datasetVersion.children).toEqual([{ id: childId, number: 2 }]);
  });

  it("shows a run's input with the version it links, and its dataset", async () => {
    const r = await gqlOk<{
      run: { inputs: { name: string; datasetVersion: { id: string; number: number; dataset: { name: string } } | null }[] };
    }>(api, fx.token, `query($r: String!) { run(runId: $r) { inputs { name datasetVersion { id number dataset { name } } } } }`, {
      r: runs.bySource,
    });
    expect(r.run.inputs.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'hip-eval', datasetVersion: { id: sealed.id, number: 1, dataset: { name: 'Hip X-ray' } } },
      { name: 'hip-train', datasetVersion: { id: sealed.id, number: 1, dataset: { name: 'Hip X-ray' } } },
    ]);
  });

  it('reads runs, counts, models and children of a list of versions in one statement each', async () => {
    const sent: string[] = [];
    const query = Client.prototype.query;
    const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
      const q = args[0] as string | { text?: string };
      sent.push(typeof q === 'string' ? q : (q?.text ?? ''));
      return (query as (...a: unknown[]) => unknown).apply(this, args) as never;
    });
    let r: {
      dataset: { versions: { id: string; runs: { totalCount: number }; models: { version: number }[]; children: { id: string }[] }[] };
    };
    try {
      r = await gqlOk(
        api,
        fx.token,
        `query($d: ID!) { dataset(id: $d) { versions { id runs(first: 5) { totalCount edges { node { runId } } } models { version } children { id } } } }`,
        { d: datasetId },
      );
    } finally {
      spy.mockRestore();
    }
    expect(r.dataset.versions.map((v) => [v.id, v.runs.totalCount, v.models.map((m) => m.version), v.children.map((c) => c.id)])).toEqual([
      [unusedId, 0, [], []],
      [childId, 0, [], []],
      [sealed.id, 2, [1], [childId]],
    ]);
    const touching = (table: RegExp) => sent.filter((s) => table.test(s)).length;
    expect(touching(/FROM run_inputs/)).toBe(3); // the runs pages, their counts, the models
    expect(touching(/PARTITION BY parent_id/)).toBe(1);
  });

  it('refuses page sizes and cursors it cannot honour, naming the argument', async () => {
    const tooMany = await gql(api, fx.token, RUNS, { v: sealed.id, first: 101, after: null });
    expect(errorCode(tooMany)).toBe('BAD_USER_INPUT');
    expect(tooMany.errors?.[0]?.message).toMatch(/first/);
    const badCursor = await gql(api, fx.token, RUNS, { v: sealed.id, first: 5, after: 'nope' });
    expect(errorCode(badCursor)).toBe('BAD_USER_INPUT');
    expect(badCursor.errors?.[0]?.message).toMatch(/after/);
  });

  it("gives another project's member nothing of the version", async () => {
    const r = await gql(api, other.token, RUNS, { v: sealed.id, first: 5, after: null });
    expect(errorCode(r)).toBe('NOT_FOUND');
    expect(r.data?.datasetVersion ?? null).toBeNull();
  });
});
