/**
 * Tokens limited to one run (issue 10, finding 5): a training job's token writes to its run and
 * nothing else — no experiment changes, no registry metadata, no other run — and such a token can
 * only be issued for a well-formed run of its own project.
 */
import { ADMIN, Auth, errorMessage, gql, gqlOk, login, newProject, newUser, rest, startTestApi, TestApi } from '../testing/api-harness';
import { mlflow } from './mlflow-api-helpers';

describe('run-scoped API tokens', () => {
  let api: TestApi;
  let session: Auth;
  let projectId: string;
  let otherProjectRun: string;
  let experimentId: string;
  let jobRun: string;
  let otherRun: string;
  let job: Auth;

  const issue = (runId: unknown, project = projectId) =>
    gql<{ createApiToken: { token: string } }>(
      api,
      session,
      `mutation($p: ID!, $r: String) { createApiToken(input: { projectId: $p, name: "job", roles: [RESEARCHER], runId: $r }) { token } }`,
      { p: project, r: runId },
    );

  beforeAll(async () => {
    api = await startTestApi();
    const admin = await login(api, ADMIN.username, ADMIN.password);
    projectId = await newProject(api, admin, 'scoped');
    const other = await newProject(api, admin, 'scoped-other');
    const user = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    await gqlOk(api, admin, `mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { roles } }`, {
      i: { projectId: other, username: user.username, roles: ['RESEARCHER'] },
    });
    session = await login(api, user.username, user.password);
    const basic: Auth = { basic: [user.username, user.password] };
    experimentId = (await mlflow(api, basic, 'POST', 'experiments/create', { name: 'scoped/exp' })).body.experiment_id;
    jobRun = (await mlflow(api, basic, 'POST', 'runs/create', { experiment_id: experimentId })).body.run.info.run_id;
    otherRun = (await mlflow(api, basic, 'POST', 'runs/create', { experiment_id: experimentId })).body.run.info.run_id;
    const otherExperiment = (await mlflow(api, basic, 'POST', 'experiments/create', { name: 'scoped-other/exp' })).body.experiment_id;
    otherProjectRun = (await mlflow(api, basic, 'POST', 'runs/create', { experiment_id: otherExperiment })).body.run.info.run_id;
    expect((await rest(api, 'PUT', `/api/v1/runs/${jobRun}/artifacts/model/model.onnx`, basic, 'onnx')).status).toBe(200);
    expect((await mlflow(api, basic, 'POST', 'registered-models/create', { name: 'scoped/m' })).status).toBe(200);
    expect(
      (
        await mlflow(api, basic, 'POST', 'model-versions/create', {
          name: 'scoped/m',
          source: `mlflow-artifacts:/${experimentId}/${jobRun}/artifacts/model`,
          run_id: jobRun,
        })
      ).status,
    ).toBe(200);
    job = {
      bearer: (
        await gqlOk<{ createApiToken: { token: string } }>(
          api,
          session,
          `mutation($p: ID!, $r: String) { createApiToken(input: { projectId: $p, name: "job", roles: [RESEARCHER], runId: $r }) { token } }`,
          { p: projectId, r: jobRun },
        )
      ).createApiToken.token,
    };
  });
  afterAll(async () => api?.close());

  it('is issued only for a well-formed run of its own project', async () => {
    for (const [runId, message] of [
      ['not-a-run', /^runId: "not-a-run" is not a run id/],
      [otherProjectRun, /^runId: no run [0-9a-f]{32} in this project/],
      ['0'.repeat(32), /^runId: no run 0{32} in this project/],
    ] as const) {
      const r = await issue(runId);
      expect({ runId, code: r.errors?.[0]?.extensions?.code, field: r.errors?.[0]?.extensions?.field }).toEqual({
        runId,
        code: 'BAD_USER_INPUT',
        field: 'runId',
      });
      expect(errorMessage(r)).toMatch(message);
    }
    expect((await issue(jobRun)).errors).toBeUndefined();
  });

  it('writes to its run and reads what the run needs', async () => {
    expect(
      (await mlflow(api, job, 'POST', 'runs/log-metric', { run_id: jobRun, key: 'loss', value: 1, timestamp: 1, step: 0 })).status,
    ).toBe(200);
    expect((await mlflow(api, job, 'GET', 'runs/get', { run_id: jobRun })).status).toBe(200);
    expect((await mlflow(api, job, 'GET', 'experiments/get', { experiment_id: experimentId })).status).toBe(200);
    expect((await mlflow(api, job, 'GET', 'registered-models/get', { name: 'm' })).status).toBe(200);
  });

  it('cannot change experiments, registry metadata or other runs', async () => {
    const refused = { status: 403, body: { error_code: 'PERMISSION_DENIED', message: expect.stringMatching(/limited to run/) } };
    const calls: [string, Promise<{ status: number; body: unknown }>][] = [
      ['experiments/delete', mlflow(api, job, 'POST', 'experiments/delete', { experiment_id: experimentId })],
      ['experiments/update', mlflow(api, job, 'POST', 'experiments/update', { experiment_id: experimentId, new_name: 'renamed' })],
      [
        'experiments/set-experiment-tag',
        mlflow(api, job, 'POST', 'experiments/set-experiment-tag', { experiment_id: experimentId, key: 'k', value: 'v' }),
      ],
      ['experiments/create', mlflow(api, job, 'POST', 'experiments/create', { name: 'planted' })],
      [
        'model-versions/set-tag',
        mlflow(api, job, 'POST', 'model-versions/set-tag', { name: 'm', version: '1', key: 'validated', value: 'true' }),
      ],
      ['registered-models/set-tag', mlflow(api, job, 'POST', 'registered-models/set-tag', { name: 'm', key: 'k', value: 'v' })],
      ['registered-models/rename', mlflow(api, job, 'POST', 'registered-models/rename', { name: 'm', new_name: 'm2' })],
      [
        'runs/log-metric other run',
        mlflow(api, job, 'POST', 'runs/log-metric', { run_id: otherRun, key: 'loss', value: 1, timestamp: 1, step: 0 }),
      ],
      ['runs/delete other run', mlflow(api, job, 'POST', 'runs/delete', { run_id: otherRun })],
    ];
    for (const [label, call] of calls) {
      expect([label, await call]).toEqual([label, refused]);
    }
    const patched = await rest(api, 'PATCH', '/api/2.0/mlflow/model-versions/update', job, { name: 'm', version: '1', description: 'x' });
    expect([patched.status, ((await patched.json()) as { message: string }).message]).toEqual([
      403,
      expect.stringMatching(/limited to run/),
    ]);
    const experiment = (await mlflow(api, job, 'GET', 'experiments/get', { experiment_id: experimentId })).body as {
      experiment: { name: string; lifecycle_stage: string };
    };
    expect(experiment.experiment).toMatchObject({ name: 'exp', lifecycle_stage: 'active' });
    const version = (await mlflow(api, job, 'GET', 'model-versions/get', { name: 'm', version: '1' })).body as {
      model_version: { tags?: unknown[] };
    };
    expect(version.model_version.tags).toBeUndefined();
  });
});
