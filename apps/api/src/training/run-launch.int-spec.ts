/**
 * Launching training runs from a template on real services (issue 15, item 2): the API in-process
 * on PostgreSQL and S3, the worker as its own process (outbox relay, BullMQ, the 'training' jobs)
 * with the local-process executor, and the job a real node process that takes its run-scoped
 * token from its environment and logs into its run over the MLflow REST API.
 *
 * A launch becomes a queued run with the values as params, the template in its tags and the
 * sealed dataset version as its input; the worker submits it, the job reports a metric, and the
 * run ends finished with its pid and exit code 0, its token revoked. A failing job ends failed
 * with its exit code and the tail of its output; a cancelled one is killed and its process gone;
 * the token is in the job's environment only (not its command line or log), cannot write to any
 * other run, and stops working when the run ends; bad values and a viewer are refused with nothing
 * written. While a job runs, its output reaches the run's log stream line by line (each line once,
 * in order) and the project's training queue lists it with its state, until it ends.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { registerExternalVersion } from '@caliper/persistence/testing';
import { createSealedEvaluationDataset, ctSlice } from '@caliper/datasets/testing';
import {
  ADMIN,
  Auth,
  errorCode,
  errorMessage,
  gql,
  gqlOk,
  login,
  newProject,
  newUser,
  rest,
  startTestApi,
  TestApi,
} from '../testing/api-harness';
import { startWorker, WorkerProcess } from '../testing/worker-process';

const SCRIPT = path.join(__dirname, 'testing/job-script.js');
const CREATE = `mutation($i: CreateRunTemplateInput!) { createRunTemplate(input: $i) { id latestVersion { id } } }`;
const LAUNCH = `mutation($i: LaunchRunInput!) { launchRun(input: $i) { runId experimentId name } }`;
const CANCEL = `mutation($r: String!) { cancelRun(runId: $r) { cancelRequestedAt externalId } }`;
const LOGS = `query($r: String!) { run(runId: $r) { status execution { endedAt } logs(first: 2000) { lines { stream line } } } }`;
const QUEUE = `query($p: ID!, $first: Int, $after: String, $ended: Int) { trainingQueue(projectId: $p, first: $first, after: $after, recentlyEnded: $ended) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { runId runName status templateName templateVersion launchedBy execution { executor externalId message endedAt } } }
  recentlyEnded { runId status execution { exitCode endedAt } } } }`;
const RUN = `query($r: String!) { run(runId: $r) { runId name status endTime params { key value } tags { key value }
  latestMetrics { key value } inputs { kind name datasetVersionId }
  execution { executor externalId message exitCode logTail command submittedAt endedAt cancelRequestedAt } } }`;

interface RunView {
  runId: string;
  name: string;
  status: string;
  endTime: string | null;
  params: { key: string; value: string }[];
  tags: { key: string; value: string }[];
  latestMetrics: { key: string; value: number }[];
  inputs: { kind: string; name: string; datasetVersionId: string | null }[];
  execution: {
    executor: string;
    externalId: string | null;
    message: string;
    exitCode: number | null;
    logTail: string | null;
    command: string[];
    submittedAt: string | null;
    endedAt: string | null;
    cancelRequestedAt: string | null;
  } | null;
}

describe('launching runs from templates (local executor, worker process)', () => {
  let api: TestApi;
  let worker: WorkerProcess;
  let owner: Client;
  let researcher: Auth;
  let researcherId: string;
  let researcherName: string;
  let viewer: Auth;
  let outsider: Auth;
  let projectId: string;
  let templateVersionId: string;
  let datasetVersionId: string;
  let launchedExperiment: string;
  const workDir = mkdtempSync(path.join(tmpdir(), 'caliper-training-test-'));

  const runView = async (runId: string) => (await gqlOk<{ run: RunView }>(api, researcher, RUN, { r: runId })).run;
  /** Polls the run until `done` holds (30 s at most), then fails with the run and the worker's output. */
  async function until(runId: string, done: (r: RunView) => boolean): Promise<RunView> {
    let last: RunView | null = null;
    for (const end = Date.now() + 30_000; Date.now() < end;) {
      last = await runView(runId);
      if (done(last)) return last;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the run did not get there: ${JSON.stringify(last)}\nworker:\n${worker.output()}`);
  }
  const launch = (values: { name: string; value: string }[], runName?: string) =>
    gqlOk<{ launchRun: { runId: string; experimentId: string; name: string } }>(api, researcher, LAUNCH, {
      i: { templateVersionId, values, ...(runName ? { runName } : {}) },
    }).then((r) => r.launchRun);
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    api = await startTestApi();
    owner = new Client({ connectionString: api.db.ownerUrl });
    await owner.connect();
    const admin = await login(api, ADMIN.username, ADMIN.password);
    projectId = await newProject(api, admin, 'launches');
    const r = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    const v = await newUser(api, admin, { projectId, roles: ['VIEWER'] });
    researcher = await login(api, r.username, r.password);
    researcherId = r.id;
    viewer = await login(api, v.username, v.password);
    researcherName = r.username;
    const o = await newUser(api, admin, { projectId: await newProject(api, admin, 'launches-elsewhere'), roles: ['RESEARCHER'] });
    outsider = await login(api, o.username, o.password);
    await api.objects.store.ensureBucket('caliper-datasets-launch');
    datasetVersionId = (
      await createSealedEvaluationDataset(api.app.get(DataSource), api.objects.store, {
        bucket: 'caliper-datasets-launch',
        projectId,
        userId: r.id,
        name: 'kidney-ct',
        items: [{ dicom: ctSlice(8, 8, () => 40), split: 'train' }],
      })
    ).versionId;
    const created = await gqlOk<{ createRunTemplate: { latestVersion: { id: string } } }>(api, researcher, CREATE, {
      i: {
        projectId,
        name: 'Smoke job',
        definition: {
          architecture: 'none (a node script)',
          executor: 'LOCAL',
          datasetVersionId,
          resources: { gpus: 0, cpus: 1, memoryGb: 1, wallTimeMinutes: 10 },
          parameters: [
            { name: 'exit_code', type: 'INT', default: '0', min: 0, max: 255 },
            { name: 'sleep', type: 'INT', default: '0', min: 0, max: 120 },
            { name: 'lr', type: 'FLOAT', default: '0.001', min: 0, max: 1 },
            { name: 'other_run', type: 'STRING', default: '' },
          ],
          command: [process.execPath, SCRIPT, '{exit_code}', '{sleep}', '{lr}', '{other_run}'],
        },
      },
    });
    templateVersionId = created.createRunTemplate.latestVersion.id;
    worker = await startWorker(api, {
      TRAINING_TRACKING_URL: api.base,
      TRAINING_WORK_DIR: workDir,
      TRAINING_SYNC_INTERVAL_MS: '300',
      // Only runs that send heartbeats are judged by them: the other tests' jobs send none.
      TRAINING_HEARTBEAT_TIMEOUT_SECONDS: '2',
    });
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await owner?.end();
    await api?.close();
  });

  it('runs a launched job to finished: params, tags, dataset input, its metric, pid and exit code; its token limited to the run and revoked at the end', async () => {
    const other = await launch([{ name: 'sleep', value: '0' }], 'the other run');
    await until(other.runId, (r) => r.status === 'FINISHED');
    const launched = await launch(
      [
        { name: 'lr', value: '3e-2' },
        { name: 'other_run', value: other.runId },
      ],
      'smoke 1',
    );
    expect(launched).toMatchObject({ name: 'smoke 1', runId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    launchedExperiment = launched.experimentId;
    const queued = await runView(launched.runId);
    expect(['QUEUED', 'STARTING', 'RUNNING', 'FINISHED']).toContain(queued.status);
    expect(queued.params).toEqual([
      { key: 'exit_code', value: '0' },
      { key: 'lr', value: '0.03' },
      { key: 'other_run', value: other.runId },
      { key: 'sleep', value: '0' },
    ]);
    expect(queued.tags).toEqual(
      expect.arrayContaining([
        { key: 'caliper.template', value: 'Smoke job' },
        { key: 'caliper.template_version', value: '1' },
        { key: 'caliper.executor', value: 'local' },
      ]),
    );
    expect(queued.inputs).toEqual([{ kind: 'dataset', name: 'kidney-ct v1', datasetVersionId }]);
    expect(queued.execution!.command).toEqual([process.execPath, SCRIPT, '0', '0', '0.03', other.runId]);

    const done = await until(launched.runId, (r) => r.status === 'FINISHED' && r.execution?.endedAt !== null);
    expect(done.latestMetrics).toEqual([{ key: 'loss', value: 3 }]);
    expect(done.endTime).not.toBeNull();
    const pid = Number(done.execution!.externalId);
    expect(pid).toBeGreaterThan(1);
    expect(done.execution).toMatchObject({ executor: 'LOCAL', exitCode: 0, message: 'exited with code 0' });
    // The job logged into its own run, and its token was refused for the other run.
    expect(done.execution!.logTail).toContain('own run: 200');
    expect(done.execution!.logTail).toContain('other run: 403');
    const otherRun = await runView(other.runId);
    expect(otherRun.latestMetrics).toEqual([{ key: 'loss', value: 0.1 }]);

    expect(readFileSync(path.join(workDir, 'runs', launched.runId, 'output.log'), 'utf8')).toContain('own run: 200');
    // The run's token: limited to this run, with the launcher's run-writing role, revoked once the run ended.
    const tokens = await owner.query(`SELECT run_id, roles, revoked_at FROM api_tokens WHERE run_id = $1`, [launched.runId]);
    expect(tokens.rows).toEqual([{ run_id: launched.runId, roles: ['researcher'], revoked_at: expect.any(Date) }]);

    const events = await owner.query(`SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY seq`, [launched.runId]);
    // (A job this short may end before a sync sees it running: no run.running event then.)
    expect(events.rows.map((e) => e.action).filter((a) => a !== 'run.running')).toEqual([
      'run.created',
      'run.launched',
      'run.submitted',
      'run.finished',
    ]);
  });

  it("follows a running job's output in its log stream, each line once, and lists the run in the project's queue until it ends", async () => {
    type Logs = { run: { status: string; execution: { endedAt: string | null }; logs: { lines: { stream: string; line: string }[] } } };
    type QueueEntry = {
      runId: string;
      runName: string;
      status: string;
      templateName: string;
      templateVersion: number;
      launchedBy: string;
      execution: { executor: string; externalId: string | null; message: string; endedAt: string | null };
    };
    type Queue = {
      trainingQueue: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: { cursor: string; node: QueueEntry }[];
        recentlyEnded: { runId: string; status: string; execution: { exitCode: number | null; endedAt: string | null } }[];
      };
    };
    const queue = (auth: Auth, vars: Record<string, unknown> = {}) =>
      gqlOk<Queue>(api, auth, QUEUE, { p: projectId, ...vars }).then((r) => r.trainingQueue);
    const first = await launch([{ name: 'sleep', value: '6' }], 'followed live');
    const second = await launch([{ name: 'sleep', value: '6' }], 'queued behind it');

    // A line the job prints a second into its sleep is in the log while the run still runs.
    let seenLive: Logs['run'] | null = null;
    for (const end = Date.now() + 30_000; Date.now() < end && !seenLive; await new Promise((r) => setTimeout(r, 200))) {
      const { run } = await gqlOk<Logs>(api, researcher, LOGS, { r: first.runId });
      if (run.logs.lines.some((l) => l.line === 'slept 1 of 6 s')) seenLive = run;
    }
    expect(seenLive).toMatchObject({ status: 'RUNNING', execution: { endedAt: null } });
    expect(seenLive!.logs.lines[0]).toEqual({ stream: 'output', line: expect.stringMatching(/^job for run [0-9a-f]{32} with lr 0\.001/) });

    // The queue, in launch order, one page at a time; a viewer may read it.
    const all = await queue(viewer, { ended: 0 });
    expect(all.totalCount).toBe(2);
    expect(all.recentlyEnded).toEqual([]);
    expect(all.edges.map((e) => e.node.runId)).toEqual([first.runId, second.runId]);
    expect(all.edges[0]!.node).toEqual({
      runId: first.runId,
      runName: 'followed live',
      status: 'RUNNING',
      templateName: 'Smoke job',
      templateVersion: 1,
      launchedBy: researcherName,
      execution: {
        executor: 'LOCAL',
        externalId: expect.stringMatching(/^[1-9]\d*$/),
        message: `process ${all.edges[0]!.node.execution.externalId} is running`,
        endedAt: null,
      },
    });
    const page1 = await queue(researcher, { first: 1 });
    expect(page1.edges.map((e) => e.node.runId)).toEqual([first.runId]);
    expect(page1.pageInfo).toEqual({ hasNextPage: true, endCursor: page1.edges[0]!.cursor });
    const page2 = await queue(researcher, { first: 1, after: page1.pageInfo.endCursor });
    expect(page2.edges.map((e) => e.node.runId)).toEqual([second.runId]);
    expect(page2.pageInfo.hasNextPage).toBe(false);

    // Ended: every line of the output file in the log once, in order (the last one printed just before exit); out of the queue.
    await until(first.runId, (r) => r.status === 'FINISHED' && r.execution?.endedAt !== null);
    await until(second.runId, (r) => r.status === 'FINISHED' && r.execution?.endedAt !== null);
    const { run } = await gqlOk<Logs>(api, researcher, LOGS, { r: first.runId });
    const written = readFileSync(path.join(workDir, 'runs', first.runId, 'output.log'), 'utf8')
      .trimEnd()
      .split('\n');
    expect(written).toHaveLength(9);
    expect(run.logs.lines).toEqual(written.map((line) => ({ stream: 'output', line })));
    expect(written.at(-1)).toBe('last line before exit 0');
    const after = await queue(researcher, { ended: 2 });
    expect(after.totalCount).toBe(0);
    expect(after.edges).toEqual([]);
    expect(after.recentlyEnded.map((e) => e.runId).sort()).toEqual([first.runId, second.runId].sort());
    expect(after.recentlyEnded[0]).toMatchObject({ status: 'FINISHED', execution: { exitCode: 0, endedAt: expect.any(String) } });
  });

  it('refuses the queue to a non-member and a bad cursor or size, naming what was wrong', async () => {
    const refused = await gql(api, outsider, QUEUE, { p: projectId });
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(refused.data).toBeNull();
    const badCursor = await gql(api, researcher, QUEUE, { p: projectId, after: 'not-a-cursor' });
    expect(errorCode(badCursor)).toBe('BAD_USER_INPUT');
    expect(errorMessage(badCursor)).toBe('after: must be a cursor from pageInfo.endCursor');
    const tooMany = await gql(api, researcher, QUEUE, { p: projectId, first: 101 });
    expect(errorMessage(tooMany)).toBe('first: must be between 1 and 100');
    const tooManyEnded = await gql(api, researcher, QUEUE, { p: projectId, ended: 51 });
    expect(errorMessage(tooManyEnded)).toBe('recentlyEnded: must be between 0 and 50');
  });

  it('ends a failing job failed, with its exit code and the tail of its output', async () => {
    const launched = await launch([{ name: 'exit_code', value: '3' }]);
    const done = await until(launched.runId, (r) => r.status === 'FAILED' && r.execution?.endedAt !== null);
    expect(done.execution).toMatchObject({ exitCode: 3, message: 'exited with code 3' });
    expect(done.execution!.logTail!.split('\n').pop()).toBe('last line before exit 3');
  });

  it('cancels a running job: killed, its process gone, its token (never on the command line or in the log) dead', async () => {
    const launched = await launch([{ name: 'sleep', value: '60' }]);
    const running = await until(launched.runId, (r) => r.status === 'RUNNING' && r.execution?.externalId !== null);
    const pid = Number(running.execution!.externalId);
    expect(alive(pid)).toBe(true);
    // The token is in the job's environment (readable by its user only), not on its command line nor in its log.
    const token = /(?:^|\0)CALIPER_TOKEN=([^\0]+)/.exec(readFileSync(`/proc/${pid}/environ`, 'utf8'))![1]!;
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).toContain(`MLFLOW_TRACKING_TOKEN=${token}`);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(token);
    const logMetric = () =>
      fetch(`${api.base}/api/2.0/mlflow/runs/log-metric`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ run_id: launched.runId, key: 'late', value: 1, timestamp: Date.now(), step: 0 }),
      });
    expect((await logMetric()).status).toBe(200);
    const cancelled = await gqlOk<{ cancelRun: { cancelRequestedAt: string | null } }>(api, researcher, CANCEL, { r: launched.runId });
    expect(cancelled.cancelRun.cancelRequestedAt).not.toBeNull();
    const done = await until(launched.runId, (r) => r.status === 'KILLED' && r.execution?.endedAt !== null);
    expect(done.execution!.message).toMatch(/^cancelled: ended by SIGTERM/);
    expect(alive(pid)).toBe(false);
    expect(readFileSync(path.join(workDir, 'runs', launched.runId, 'output.log'), 'utf8')).not.toContain(token);
    const logs = await gqlOk<{ run: { logs: { lines: { line: string }[] } } }>(api, researcher, LOGS, { r: launched.runId });
    expect(logs.run.logs.lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(logs.run.logs)).not.toContain(token);
    expect((await logMetric()).status).toBe(401);
    const again = await gql(api, researcher, CANCEL, { r: launched.runId });
    expect(errorCode(again)).toBe('CONFLICT');
    expect(errorMessage(again)).toMatch(/has already ended \(killed\)/);
  });

  it('marks a launched run whose heartbeats stopped lost while its job runs, keeps watching it, and records its real end; a plain run that goes silent is lost', async () => {
    const launched = await launch([{ name: 'sleep', value: '60' }]);
    const running = await until(launched.runId, (r) => r.status === 'RUNNING' && r.execution?.externalId !== null);
    const pid = Number(running.execution!.externalId);
    const token = /(?:^|\0)CALIPER_TOKEN=([^\0]+)/.exec(readFileSync(`/proc/${pid}/environ`, 'utf8'))![1]!;
    expect((await rest(api, 'POST', `/api/v1/runs/${launched.runId}/heartbeat`, { bearer: token })).status).toBeLessThan(300);
    const lost = await until(launched.runId, (r) => r.status === 'LOST');
    expect(lost.execution!.message).toMatch(
      /^no heartbeat since \S+ \(over 2 s\), though local reports the job running: process \d+ is running$/,
    );
    expect(lost.execution!.endedAt).toBeNull();
    expect(alive(pid)).toBe(true);
    // Still watched: cancelling it stops the job, and its real end replaces 'lost'.
    await gqlOk(api, researcher, CANCEL, { r: launched.runId });
    const killed = await until(launched.runId, (r) => r.status === 'KILLED' && r.execution?.endedAt !== null);
    expect(killed.execution!.message).toMatch(/^cancelled: ended by SIGTERM/);
    expect(alive(pid)).toBe(false);

    // A run logged from outside (no executor to ask): running, one heartbeat, then silence.
    const created = await rest(api, 'POST', '/api/2.0/mlflow/runs/create', researcher, {
      experiment_id: launchedExperiment,
      start_time: Date.now(),
    });
    const plain = ((await created.json()) as { run: { info: { run_id: string } } }).run.info.run_id;
    expect((await rest(api, 'POST', `/api/v1/runs/${plain}/heartbeat`, researcher)).status).toBeLessThan(300);
    expect((await runView(plain)).status).toBe('RUNNING');
    await until(plain, (r) => r.status === 'LOST');
    const events = await owner.query(
      `SELECT action, actor_label, after->>'reason' AS reason FROM audit_events WHERE entity_id = $1 AND action = 'run.lost'`,
      [plain],
    );
    expect(events.rows).toEqual([
      { action: 'run.lost', actor_label: 'system:training', reason: expect.stringMatching(/^no heartbeat since /) },
    ]);
  });

  it('runs a grid sweep as child runs of one parent, never more than maxConcurrent at once, and ends the parent when all ended', async () => {
    const SWEEP = `mutation($i: LaunchSweepInput!) { launchSweep(input: $i) { sweepId parentRunId runIds } }`;
    const { launchSweep } = await gqlOk<{ launchSweep: { sweepId: string; parentRunId: string; runIds: string[] } }>(
      api,
      researcher,
      SWEEP,
      {
        i: {
          templateVersionId,
          method: 'GRID',
          maxConcurrent: 2,
          name: 'lr grid',
          dimensions: [
            { name: 'lr', values: ['0.01', '0.02', '0.03', '0.04'] },
            { name: 'sleep', values: ['1'] },
          ],
        },
      },
    );
    expect(launchSweep.runIds).toHaveLength(4);
    const children = await owner.query(
      `SELECT r.uuid, p.uuid AS parent, r.name FROM runs r JOIN runs p ON p.id = r.parent_run_id WHERE r.uuid = ANY($1) ORDER BY r.id`,
      [launchSweep.runIds],
    );
    expect(children.rows).toEqual(
      launchSweep.runIds.map((uuid, i) => ({ uuid, parent: launchSweep.parentRunId, name: `lr grid #${i + 1}` })),
    );
    // Never more than two submitted and not ended at once, however the sync interleaves.
    let most = 0;
    for (const end = Date.now() + 30_000; Date.now() < end;) {
      const r = await owner.query(
        `SELECT count(*) FILTER (WHERE submit_queued_at IS NOT NULL AND ended_at IS NULL)::int AS active,
                count(*) FILTER (WHERE ended_at IS NULL)::int AS open FROM run_executions WHERE sweep_id = $1`,
        [launchSweep.sweepId],
      );
      most = Math.max(most, r.rows[0].active);
      if (r.rows[0].open === 0) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(most).toBe(2);
    for (const [i, id] of launchSweep.runIds.entries()) {
      const run = await until(id, (x) => x.status === 'FINISHED');
      expect(run.params).toEqual(expect.arrayContaining([{ key: 'lr', value: `0.0${i + 1}` }]));
      expect(run.latestMetrics).toEqual([{ key: 'loss', value: (i + 1) * 1 }]);
    }
    await until(launchSweep.parentRunId, (x) => x.status === 'FINISHED');
  });

  it('cancels a whole sweep: the running run killed through its executor, the waiting ones before submission, the parent killed', async () => {
    const SWEEP = `mutation($i: LaunchSweepInput!) { launchSweep(input: $i) { parentRunId runIds } }`;
    const { launchSweep } = await gqlOk<{ launchSweep: { parentRunId: string; runIds: string[] } }>(api, researcher, SWEEP, {
      i: {
        templateVersionId,
        method: 'RANDOM',
        runs: 3,
        seed: 'cancel-me',
        maxConcurrent: 1,
        dimensions: [{ name: 'sleep', min: 60, max: 60 }],
      },
    });
    const [first, ...rest] = launchSweep.runIds;
    await until(first!, (x) => x.status === 'RUNNING');
    for (const r of rest) expect((await runView(r)).status).toBe('QUEUED');
    const cancelled = await gqlOk<{ cancelSweep: { cancelledRunIds: string[] } }>(
      api,
      researcher,
      `mutation($r: String!) { cancelSweep(runId: $r) { cancelledRunIds } }`,
      { r: launchSweep.parentRunId },
    );
    expect([...cancelled.cancelSweep.cancelledRunIds].sort()).toEqual([...launchSweep.runIds].sort());
    expect((await runView(launchSweep.parentRunId)).status).toBe('KILLED');
    const killedFirst = await until(first!, (x) => x.status === 'KILLED' && x.execution?.endedAt !== null);
    expect(killedFirst.execution!.message).toMatch(/^cancelled: ended by SIGTERM/);
    for (const r of rest) {
      const v = await until(r, (x) => x.status === 'KILLED');
      expect(v.execution).toMatchObject({ externalId: null, message: 'cancelled before it was submitted' });
    }
    const bad = await gql(api, researcher, SWEEP, {
      i: { templateVersionId, method: 'GRID', maxConcurrent: 1, dimensions: [{ name: 'exit_code', values: ['0', '300'] }] },
    });
    expect(errorMessage(bad)).toBe(
      'The sweep is not valid: run 2 (exit_code=300): The launch values are not valid: exit_code: 300 is above the maximum 255.',
    );
  });

  it("gives a transfer-learning job the initial model version's files, checked by sha256, and fails the run unsubmitted when they changed", async () => {
    const ds = api.app.get(DataSource);
    const weights = Buffer.from('pretrained UNet weights, v1');
    const sha256 = createHash('sha256').update(weights).digest('hex');
    await api.objects.store.ensureBucket('caliper-artifacts');
    await api.objects.store.putObject('caliper-artifacts', 'pretrained/model.onnx', weights, { size: weights.length });
    const { id: modelVersionId } = await registerExternalVersion(ds, {
      projectId,
      userId: researcherId,
      name: 'unet-pretrained',
      files: [{ path: 'model/model.onnx', bucket: 'caliper-artifacts', objectKey: 'pretrained/model.onnx', size: weights.length, sha256 }],
    });
    const created = await gqlOk<{ createRunTemplate: { latestVersion: { id: string } } }>(api, researcher, CREATE, {
      i: {
        projectId,
        name: 'Fine-tune',
        definition: {
          architecture: 'UNet 2D from unet-pretrained v1',
          executor: 'LOCAL',
          initialModelVersionId: modelVersionId,
          resources: { gpus: 0, cpus: 1, memoryGb: 1, wallTimeMinutes: 10 },
          command: [process.execPath, SCRIPT, '0', '0', '0.001'],
        },
      },
    });
    const fineTune = (values: { name: string; value: string }[] = []) =>
      gqlOk<{ launchRun: { runId: string } }>(api, researcher, LAUNCH, {
        i: { templateVersionId: created.createRunTemplate.latestVersion.id, values },
      }).then((r) => r.launchRun.runId);

    const ok = await fineTune();
    const done = await until(ok, (r) => r.status === 'FINISHED' && r.execution?.endedAt !== null);
    expect(done.execution!.logTail).toContain(`weights model/model.onnx ${sha256}`);
    expect(done.inputs).toEqual([{ kind: 'model', name: 'unet-pretrained v1', datasetVersionId: null }]);

    // The object is replaced behind the registry's back: the next launch fails before anything runs.
    await api.objects.store.putObject('caliper-artifacts', 'pretrained/model.onnx', Buffer.from('tampered'), { size: 8 });
    const bad = await fineTune();
    const failed = await until(bad, (r) => r.status === 'FAILED');
    expect(failed.execution).toMatchObject({ externalId: null, exitCode: null });
    expect(failed.execution!.message).toBe(
      `the initial weights could not be given to the job: model/model.onnx has sha256 ${createHash('sha256').update('tampered').digest('hex')}, not the ${sha256} registered with the model version.`,
    );
  });

  it('refuses bad values and a viewer with nothing written', async () => {
    const count = async () =>
      (
        await owner.query(
          `SELECT (SELECT count(*)::int FROM runs) AS runs, (SELECT count(*)::int FROM run_executions) AS executions, (SELECT count(*)::int FROM outbox) AS outbox`,
        )
      ).rows[0];
    const before = await count();
    const bad = await gql(api, researcher, LAUNCH, {
      i: {
        templateVersionId,
        values: [
          { name: 'exit_code', value: '256' },
          { name: 'lr', value: 'fast' },
        ],
      },
    });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(errorMessage(bad)).toBe("The launch values are not valid: exit_code: 256 is above the maximum 255. lr: 'fast' is not a number.");
    const forbidden = await gql(api, viewer, LAUNCH, { i: { templateVersionId, values: [] } });
    expect(errorCode(forbidden)).toBe('FORBIDDEN');
    expect(await count()).toEqual(before);
  });
});
