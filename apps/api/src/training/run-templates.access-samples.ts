/** Authorisation-sweep sample calls for run templates (see testing/access-samples.ts). */
import { UserEntity } from '@caliper/persistence';
import { DataSource } from 'typeorm';
import { AccessSetup, defineAccessSamples } from '../testing/access-samples';
import { RunLaunchService } from './run-launch.service';
import { RunTemplatesService } from './run-templates.service';

const DEFINITION = `{ architecture: "UNet 2D", executor: LOCAL, command: ["python3", "train.py", "--lr", "{lr}"],
  resources: { gpus: 0, cpus: 1, memoryGb: 1, wallTimeMinutes: 10 },
  parameters: [{ name: "lr", type: FLOAT, default: "0.001", min: 0, max: 1 }] }`;

/** A run template of the fixture project, created by its PI, and a run launched from it. */
export const ACCESS_SETUP: AccessSetup = async (app, f) => {
  const user = await app.get(DataSource).getRepository(UserEntity).findOneByOrFail({ id: f.memberId });
  const principal = {
    method: 'session' as const,
    sessionId: 'sweep',
    user: { id: user.id, username: user.username, displayName: user.displayName, globalRole: null },
  };
  const { template, version } = await app.get(RunTemplatesService).create(principal, {
    projectId: f.projectId,
    name: 'sweep template',
    definition: {
      description: '',
      architecture: 'UNet 2D',
      initialModelVersionId: null,
      datasetVersionId: null,
      parameters: [{ name: 'lr', type: 'float', default: 0.001, min: 0, max: 1 }],
      resources: { gpus: 0, cpus: 1, memoryGb: 1, wallTimeMinutes: 10, partition: null },
      executor: 'local',
      image: null,
      command: ['python3', 'train.py', '--lr', '{lr}'],
    },
  });
  // A launched run (queued: the sweep runs no worker), for cancelRun.
  const launched = await app.get(RunLaunchService).launch(principal, { templateVersionId: version.id, values: [] });
  const sweep = await app.get(RunLaunchService).launchSweep(principal, {
    templateVersionId: version.id,
    spec: { method: 'grid', maxConcurrent: 1, dimensions: [{ name: 'lr', values: ['0.1', '0.01'] }] },
  });
  return { runTemplateId: template.id, runTemplateVersionId: version.id, launchedRunId: launched.runUuid, sweepRunId: sweep.parentRunUuid };
};

export const ACCESS_SAMPLES = defineAccessSamples({
  runTemplates: (f) => ({ query: 'query($p: ID!) { runTemplates(projectId: $p) { id name } }', variables: { p: f.projectId } }),
  runTemplate: (f) => ({ query: 'query($t: ID!) { runTemplate(id: $t) { id name } }', variables: { t: f.extra.runTemplateId } }),
  runTemplateVersion: (f) => ({
    query: 'query($v: ID!) { runTemplateVersion(id: $v) { id version } }',
    variables: { v: f.extra.runTemplateVersionId },
  }),
  launchPreview: (f) => ({
    query: 'query($v: ID!) { launchPreview(templateVersionId: $v, values: [{ name: "lr", value: "0.01" }]) { command } }',
    variables: { v: f.extra.runTemplateVersionId },
  }),
  createRunTemplate: (f) => ({
    query: `mutation($p: ID!) { createRunTemplate(input: { projectId: $p, name: "another", definition: ${DEFINITION} }) { id } }`,
    variables: { p: f.projectId },
  }),
  launchRun: (f) => ({
    query: 'mutation($v: ID!) { launchRun(input: { templateVersionId: $v, values: [{ name: "lr", value: "0.01" }] }) { runId } }',
    variables: { v: f.extra.runTemplateVersionId },
  }),
  launchSweep: (f) => ({
    query: `mutation($v: ID!) { launchSweep(input: { templateVersionId: $v, method: RANDOM, runs: 2, seed: "s", maxConcurrent: 1,
      dimensions: [{ name: "lr", min: 0.001, max: 0.1, log: true }] }) { sweepId runIds } }`,
    variables: { v: f.extra.runTemplateVersionId },
  }),
  trainingQueue: (f) => ({
    query: 'query($p: ID!) { trainingQueue(projectId: $p) { totalCount recentlyEnded { runId } } }',
    variables: { p: f.projectId },
  }),
  cancelSweep: (f) => ({ query: 'mutation($r: String!) { cancelSweep(runId: $r) { sweepId } }', variables: { r: f.extra.sweepRunId } }),
  cancelRun: (f) => ({
    query: 'mutation($r: String!) { cancelRun(runId: $r) { cancelRequestedAt } }',
    variables: { r: f.extra.launchedRunId },
  }),
  addRunTemplateVersion: (f) => ({
    query: `mutation($t: ID!) { addRunTemplateVersion(input: { templateId: $t, definition: ${DEFINITION} }) { id version } }`,
    variables: { t: f.extra.runTemplateId },
  }),
});
