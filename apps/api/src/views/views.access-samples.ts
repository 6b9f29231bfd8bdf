/** Authorisation-sweep sample calls for the views feature's root fields (see testing/access-samples.ts). */
import { defineAccessSamples } from '../testing/access-samples';

export const ACCESS_SAMPLES = defineAccessSamples({
  compareRuns: (f) => ({
    query: 'query($p: ID!, $r: String!) { compareRuns(projectId: $p, runIds: [$r]) { runId } }',
    variables: { p: f.projectId, r: f.runId },
  }),
  savedViews: (f) => ({ query: 'query($p: ID!) { savedViews(projectId: $p, kind: COMPARE) { id } }', variables: { p: f.projectId } }),
  saveView: (f) => ({
    query:
      'mutation($p: ID!) { saveView(input: { projectId: $p, kind: COMPARE, name: "sweep", state: [{ key: "x", value: "step" }] }) { id } }',
    variables: { p: f.projectId },
  }),
  deleteView: (f) => ({
    query: 'mutation($p: ID!) { deleteView(input: { projectId: $p, id: "00000000-0000-4000-8000-000000000000" }) }',
    variables: { p: f.projectId },
  }),
  metricDirections: (f) => ({
    query: 'query($p: ID!) { metricDirections(projectId: $p, keys: ["loss"]) { id direction } }',
    variables: { p: f.projectId },
  }),
  setMetricDirection: (f) => ({
    query: 'mutation($p: ID!) { setMetricDirection(input: { projectId: $p, key: "loss", direction: MAX }) { id direction } }',
    variables: { p: f.projectId },
  }),
});
