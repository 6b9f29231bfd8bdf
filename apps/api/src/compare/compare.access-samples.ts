/** Authorisation-sweep sample calls for the compare feature's root fields (see testing/access-samples.ts). */
import { defineAccessSamples } from '../testing/access-samples';

export const ACCESS_SAMPLES = defineAccessSamples({
  metricSeries: (f) => ({
    query: 'query($p: ID!, $r: String!) { metricSeries(projectId: $p, runIds: [$r], keys: ["loss"]) { bucketCount } }',
    variables: { p: f.projectId, r: f.runId },
  }),
});
