/** Authorisation-sweep sample calls for the datasets feature's root fields (see testing/access-samples.ts). */
import { UserEntity } from '@caliper/persistence';
import { DataSource } from 'typeorm';
import { AccessSetup, defineAccessSamples } from '../testing/access-samples';
import { DatasetsService } from './datasets.service';

/** A dataset with a draft version in the fixture project, created as its PI. */
export const ACCESS_SETUP: AccessSetup = async (app, f) => {
  const user = await app.get(DataSource).getRepository(UserEntity).findOneByOrFail({ id: f.memberId });
  const principal = {
    method: 'session' as const,
    sessionId: 'sweep',
    user: { id: user.id, username: user.username, displayName: user.displayName, globalRole: null },
  };
  const service = app.get(DatasetsService);
  const dataset = await service.create(principal, { projectId: f.projectId, name: 'sweep-dataset' });
  const version = await service.createVersion(principal, dataset, { datasetId: dataset.id });
  return { datasetId: dataset.id, datasetVersionId: version.id };
};

export const ACCESS_SAMPLES = defineAccessSamples({
  datasets: (f) => ({ query: 'query($p: ID!) { datasets(projectId: $p) { id } }', variables: { p: f.projectId } }),
  dataset: (f) => ({ query: 'query($d: ID!) { dataset(id: $d) { id } }', variables: { d: f.extra.datasetId } }),
  datasetVersion: (f) => ({ query: 'query($v: ID!) { datasetVersion(id: $v) { id } }', variables: { v: f.extra.datasetVersionId } }),
  datasetVersionDiff: (f) => ({
    query: 'query($v: ID!) { datasetVersionDiff(fromId: $v, toId: $v) { counts { added } } }',
    variables: { v: f.extra.datasetVersionId },
  }),
  createDataset: (f) => ({
    query: 'mutation($p: ID!) { createDataset(input: { projectId: $p, name: "sweep-new-dataset" }) { id } }',
    variables: { p: f.projectId },
  }),
  createDatasetVersion: (f) => ({
    query: 'mutation($d: ID!) { createDatasetVersion(input: { datasetId: $d }) { id } }',
    variables: { d: f.extra.datasetId },
  }),
  sealDatasetVersion: (f) => ({
    query: 'mutation($v: ID!) { sealDatasetVersion(input: { versionId: $v, deidMethod: "sweep", deidSummary: "sweep" }) { id } }',
    variables: { v: f.extra.datasetVersionId },
  }),
  pacsPreview: (f) => ({
    query: 'query($p: ID!) { pacsPreview(projectId: $p, query: { modalities: ["CT"] }) { studies } }',
    variables: { p: f.projectId },
  }),
  importFromPacs: (f) => ({
    query: 'mutation($v: ID!) { importFromPacs(input: { versionId: $v, query: { modalities: ["CT"] }, copy: false }) { id } }',
    variables: { v: f.extra.datasetVersionId },
  }),
  deleteDatasetVersion: (f) => ({
    query: 'mutation($v: ID!) { deleteDatasetVersion(versionId: $v) }',
    variables: { v: f.extra.datasetVersionId },
  }),
});
