/** Authorisation-sweep sample calls for model cards (the model is the registry feature's ACCESS_SETUP one, version 1). */
import { EMPTY_MODEL_CARD } from '@caliper/domain';
import { defineAccessSamples } from '../../testing/access-samples';

export const ACCESS_SAMPLES = defineAccessSamples({
  updateModelCard: (f) => ({
    query: `mutation($p: ID!, $n: String!, $c: JSON!) { updateModelCard(input: { projectId: $p, modelName: $n, version: 1, card: $c }) {
      id card { locked missingSections } } }`,
    variables: { p: f.projectId, n: f.extra.modelName, c: { ...EMPTY_MODEL_CARD, intendedUse: 'Sweep' } },
  }),
});
