/** Authorisation-sweep sample calls for the registry's root fields (see testing/access-samples.ts). */
import { UserEntity } from '@caliper/persistence';
import { DataSource } from 'typeorm';
import { AccessSetup, defineAccessSamples } from '../../testing/access-samples';
import { ModelVersionsService } from '../model-versions.service';

const SPEC = { taskType: 'segmentation', preprocessing: {}, postprocessing: { labels: ['background', 'lesion'] } };

/** A registered model with one version (an external source) in the fixture project, registered as its PI. */
export const ACCESS_SETUP: AccessSetup = async (app, f) => {
  const user = await app.get(DataSource).getRepository(UserEntity).findOneByOrFail({ id: f.memberId });
  const principal = {
    method: 'session' as const,
    sessionId: 'sweep',
    user: { id: user.id, username: user.username, displayName: user.displayName, globalRole: null },
  };
  const version = await app
    .get(ModelVersionsService)
    .createVersion(
      principal,
      { projectId: f.projectId, name: 'sweep-model' },
      { source: 's3://sweep/model.onnx', spec: SPEC, createModel: true },
    );
  return { modelName: version.model.name };
};

export const ACCESS_SAMPLES = defineAccessSamples({
  registeredModels: (f) => ({
    query: 'query($p: ID!) { registeredModels(projectId: $p) { edges { cursor } } }',
    variables: { p: f.projectId },
  }),
  registeredModel: (f) => ({
    query: 'query($p: ID!, $n: String!) { registeredModel(projectId: $p, name: $n) { id versions { version } } }',
    variables: { p: f.projectId, n: f.extra.modelName },
  }),
  modelVersion: (f) => ({
    query: 'query($p: ID!, $n: String!) { modelVersion(projectId: $p, name: $n, version: 1) { id validation { status } } }',
    variables: { p: f.projectId, n: f.extra.modelName },
  }),
  registerModelVersion: (f) => ({
    query: `mutation($p: ID!, $r: String!) { registerModelVersion(input: { projectId: $p, modelName: "sweep-registered", runId: $r,
      artifactPath: "model/model.onnx", taskType: SEGMENTATION, postprocessing: { labels: ["background", "lesion"] } }) { id } }`,
    variables: { p: f.projectId, r: f.runId },
  }),
});
