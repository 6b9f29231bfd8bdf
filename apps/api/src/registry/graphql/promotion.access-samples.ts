/** Authorisation-sweep sample calls for signed promotion's and aliases' root fields (see testing/access-samples.ts). */
import { defaultPolicy } from '@caliper/domain';
import { PromotionRepository, UserEntity } from '@caliper/persistence';
import { DataSource } from 'typeorm';
import { AccessSetup, defineAccessSamples } from '../../testing/access-samples';
import { ModelVersionsService } from '../model-versions.service';

const SPEC = { taskType: 'segmentation', preprocessing: {}, postprocessing: { labels: ['background', 'lesion'] } };

/**
 * A model of its own with one version and a staging request awaiting signatures, requested by the
 * fixture's PI. The request row is written directly: its gates would need the worker's ONNX
 * validation, and the sweep only asks who gets past the guard.
 */
export const ACCESS_SETUP: AccessSetup = async (app, f) => {
  const ds = app.get(DataSource);
  const user = await ds.getRepository(UserEntity).findOneByOrFail({ id: f.memberId });
  const principal = {
    method: 'session' as const,
    sessionId: 'sweep',
    user: { id: user.id, username: user.username, displayName: user.displayName, globalRole: null },
  };
  const version = await app
    .get(ModelVersionsService)
    .createVersion(
      principal,
      { projectId: f.projectId, name: 'sweep-promoted' },
      { source: 's3://sweep/promoted.onnx', spec: SPEC, createModel: true },
    );
  const request = await ds.transaction((m) =>
    app.get(PromotionRepository).createRequest(m, {
      registeredModelId: version.model.id,
      modelVersionId: version.version.id,
      fromStage: 'none',
      targetStage: 'staging',
      kind: 'promotion',
      reason: 'sweep',
      requestedBy: user.id,
      status: 'awaiting_signatures',
      policy: defaultPolicy('staging'),
      gates: [],
    }),
  );
  return { promotedModel: version.model.name, promotionRequestId: request.id };
};

export const ACCESS_SAMPLES = defineAccessSamples({
  promotionRequest: (f) => ({
    query: 'query($id: ID!) { promotionRequest(id: $id) { id status signatures { role } } }',
    variables: { id: f.extra.promotionRequestId },
  }),
  myPendingSignatures: () => ({ query: '{ myPendingSignatures { id } }' }),
  setPromotionPolicy: (f) => ({
    query: `mutation($p: ID!, $n: String!) { setPromotionPolicy(input: { projectId: $p, modelName: $n, stage: STAGING,
      requiredRoles: ["pi", "qa"], requiredSignatures: 1, requireCard: false }) { stage configured } }`,
    variables: { p: f.projectId, n: f.extra.promotedModel },
  }),
  requestPromotion: (f) => ({
    query: `mutation($p: ID!, $n: String!) { requestPromotion(input: { projectId: $p, modelName: $n, version: 1, target: CLINICAL, reason: "sweep" }) { id } }`,
    variables: { p: f.projectId, n: f.extra.promotedModel },
  }),
  signPromotion: (f) => ({
    query: `mutation($id: ID!) { signPromotion(input: { requestId: $id, password: "not-the-password", meaning: REVIEW, decision: APPROVE }) { id } }`,
    variables: { id: f.extra.promotionRequestId },
  }),
  cancelPromotion: (f) => ({
    query: `mutation($id: ID!) { cancelPromotion(input: { requestId: $id, reason: "sweep" }) { id } }`,
    variables: { id: f.extra.promotionRequestId },
  }),
  setAliasRule: (f) => ({
    query: `mutation($p: ID!, $n: String!) { setAliasRule(input: { projectId: $p, modelName: $n, alias: "champion", roles: ["pi"] }) { alias roles } }`,
    variables: { p: f.projectId, n: f.extra.promotedModel },
  }),
  setModelAlias: (f) => ({
    query: `mutation($p: ID!, $n: String!) { setModelAlias(input: { projectId: $p, modelName: $n, alias: "challenger", version: 1 }) { id aliases } }`,
    variables: { p: f.projectId, n: f.extra.promotedModel },
  }),
  deleteModelAlias: (f) => ({
    query: `mutation($p: ID!, $n: String!) { deleteModelAlias(input: { projectId: $p, modelName: $n, alias: "challenger" }) }`,
    variables: { p: f.projectId, n: f.extra.promotedModel },
  }),
});
