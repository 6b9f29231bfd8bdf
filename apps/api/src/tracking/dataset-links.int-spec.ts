/**
 * Runs record the sealed dataset version they used: MLflow's log-inputs (as the stock client sends
 * it) links an input whose source names a sealed version or whose digest is its manifest sha256;
 * the native API takes the version id. Drafts and other projects' versions are never linked.
 */
import { createHash } from 'node:crypto';
import { dicomVariant, sampleBytes } from '@caliper/pacs/testing';
import { UserEntity } from '@caliper/persistence';
import { DataSource } from 'typeorm';
import { DatasetsService } from '../datasets/datasets.service';
import { mlflow, mlflowFixture, MlflowFixture } from '../__tests__/mlflow-api-helpers';
import { gqlOk, rest, startTestApi, TestApi } from '../testing/api-harness';

describe('dataset versions as run inputs', () => {
  let api: TestApi;
  let fx: MlflowFixture;
  let other: MlflowFixture;
  const v = { sealed: '', sealedSha: '', draft: '', foreign: '' };

  /** A dataset with one version of two files in the fixture's project, sealed unless asked. */
  async function version(f: MlflowFixture, name: string, seal: boolean): Promise<{ id: string; sha: string }> {
    const user = await api.app.get(DataSource).getRepository(UserEntity).findOneByOrFail({ username: f.username });
    const principal = {
      method: 'session' as const,
      sessionId: 't',
      user: { id: user.id, username: user.username, displayName: 'r', globalRole: null },
    };
    const service = api.app.get(DatasetsService);
    const d = await service.create(principal, { projectId: f.projectId, name });
    const ver = await service.createVersion(principal, d, { datasetId: d.id });
    for (const p of ['A', 'B']) {
      const bytes = dicomVariant(sampleBytes('CT_small.dcm'), { patientId: p });
      await service.addUploadedDicom(principal, ver.id, bytes, createHash('sha256').update(bytes).digest('hex'), { label: null });
    }
    if (!seal) return { id: ver.id, sha: '' };
    const sealed = await service.seal(principal, f.projectId, {
      versionId: ver.id,
      deidMethod: 'none: synthetic',
      deidSummary: 'generated test data',
    });
    return { id: sealed.id, sha: sealed.manifestSha256! };
  }

  beforeAll(async () => {
    api = await startTestApi();
    fx = await mlflowFixture(api, 'linked');
    other = await mlflowFixture(api, 'other-linked', fx.admin);
    const s = await version(fx, 'Train set', true);
    v.sealed = s.id;
    v.sealedSha = s.sha;
    v.draft = (await version(fx, 'Drafty', false)).id;
    v.foreign = (await version(other, 'Foreign', true)).id;
  }, 90000);
  afterAll(() => api.close());

  async function inputsOf(runId: string) {
    const r = await gqlOk<{ run: { inputs: { name: string; digest: string; datasetVersionId: string | null }[] } }>(
      api,
      fx.token,
      `query($r: String!) { run(runId: $r) { inputs { name digest datasetVersionId } } }`,
      { r: runId },
    );
    return r.run.inputs;
  }

  it('links MLflow log-inputs by source or manifest digest, and leaves drafts and other projects unlinked', async () => {
    const exp = (await mlflow(api, fx.token, 'POST', 'experiments/create', { name: 'with-data' })).body.experiment_id as string;
    const runId = (await mlflow(api, fx.token, 'POST', 'runs/create', { experiment_id: exp })).body.run.info.run_id as string;
    const dataset = (name: string, digest: string, source: string) => ({
      tags: [{ key: 'mlflow.data.context', value: 'training' }],
      dataset: { name, digest, source_type: 'http', source: JSON.stringify({ url: source }) },
    });
    const r = await mlflow(api, fx.token, 'POST', 'runs/log-inputs', {
      run_id: runId,
      datasets: [
        dataset('by-source', 'aaaaaaaa', `caliper://dataset-versions/${v.sealed}`),
        dataset('by-digest', v.sealedSha.slice(0, 8), 'https://example.org/train.csv'),
        dataset('draft', 'bbbbbbbb', `caliper://dataset-versions/${v.draft}`),
        dataset('foreign', 'cccccccc', `caliper://dataset-versions/${v.foreign}`),
        dataset('plain', 'dddddddd', 'https://example.org/other.csv'),
      ],
    });
    expect(r.status).toBe(200);
    const byName = Object.fromEntries((await inputsOf(runId)).map((i) => [i.name, i.datasetVersionId]));
    expect(byName).toEqual({ 'by-source': v.sealed, 'by-digest': v.sealed, draft: null, foreign: null, plain: null });
  });

  it('takes a version id on the native API, refusing drafts, other projects and bad ids', async () => {
    const created = await rest(api, 'POST', `/api/v1/projects/${fx.slug}/runs`, fx.token, { name: 'native' });
    const runId = ((await created.json()) as { run: { id: string } }).run.id;
    const post = (body: unknown) => rest(api, 'POST', `/api/v1/runs/${runId}/dataset-inputs`, fx.token, body);
    const ok = await post({ datasetVersionId: v.sealed, context: 'training' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ added: true, name: 'Train set v1' });
    expect(await (await post({ datasetVersionId: v.sealed, context: 'training' })).json()).toEqual({ added: false, name: 'Train set v1' });
    expect((await post({ datasetVersionId: v.draft })).status).toBe(404);
    expect((await post({ datasetVersionId: v.foreign })).status).toBe(404);
    const bad = await post({ datasetVersionId: 'not-a-uuid' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/datasetVersionId/);
    expect(await inputsOf(runId)).toEqual([
      { name: 'Train set v1', digest: expect.stringMatching(/^[0-9a-f]{64}$/), datasetVersionId: v.sealed },
    ]);
  });
});
