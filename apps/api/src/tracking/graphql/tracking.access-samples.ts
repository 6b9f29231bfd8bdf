/** Authorisation-sweep sample calls for the tracking feature's root fields (see testing/access-samples.ts). */
import { defineAccessSamples } from '../../testing/access-samples';

export const ACCESS_SAMPLES = defineAccessSamples({
  experiment: (f) => ({ query: 'query($e: ID!) { experiment(id: $e) { id } }', variables: { e: f.experimentId } }),
  run: (f) => ({ query: 'query($r: String!) { run(runId: $r) { runId } }', variables: { r: f.runId } }),
  setDefaultProject: (f) => ({ query: 'mutation($p: ID!) { setDefaultProject(projectId: $p) { id } }', variables: { p: f.projectId } }),
});
