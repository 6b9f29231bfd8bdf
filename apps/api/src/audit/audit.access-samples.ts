/** Authorisation-sweep sample calls for the audit feature's root fields (see testing/access-samples.ts). */
import { defineAccessSamples } from '../testing/access-samples';

export const ACCESS_SAMPLES = defineAccessSamples({
  auditEvents: (f) => ({
    query: 'query($p: ID) { auditEvents(filter: { projectId: $p }) { edges { cursor } } }',
    variables: { p: f.projectId },
  }),
  auditChainStatus: () => ({ query: '{ auditChainStatus { ok } }' }),
});
