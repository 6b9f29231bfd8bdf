/** Authorisation-sweep sample calls for the tokens feature's root fields (see testing/access-samples.ts). */
import { defineAccessSamples } from '../testing/access-samples';

export const ACCESS_SAMPLES = defineAccessSamples({
  createApiToken: (f) => ({
    query: 'mutation($p: ID!) { createApiToken(input: { projectId: $p, name: "t", roles: [VIEWER] }) { token } }',
    variables: { p: f.projectId },
  }),
  revokeApiToken: (f) => ({ query: 'mutation($t: ID!) { revokeApiToken(id: $t) { id } }', variables: { t: f.tokenId } }),
});
