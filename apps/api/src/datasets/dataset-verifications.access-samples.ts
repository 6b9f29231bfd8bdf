/** Authorisation-sweep sample calls for verifying dataset versions (the version is the datasets feature's ACCESS_SETUP draft). */
import { defineAccessSamples } from '../testing/access-samples';

export const ACCESS_SAMPLES = defineAccessSamples({
  verifyDatasetVersion: (f) => ({
    query: 'mutation($v: ID!) { verifyDatasetVersion(versionId: $v) { id status } }',
    variables: { v: f.extra.datasetVersionId },
  }),
});
