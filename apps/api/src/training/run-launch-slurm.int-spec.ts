/**
 * Launching training runs onto a real single-node Slurm (issue 15, must-show): the API in-process
 * on PostgreSQL and S3, the worker as its own process with the Slurm executor
 * (TRAINING_EXECUTORS=local,slurm), slurmctld/slurmd/munged started by tools/testing/slurm.ts.
 * The job is a node script run by sbatch: it takes its run-scoped token from the 0600 file the
 * executor wrote and logs into its run over the MLflow REST API.
 *
 * Launched from GraphQL, a run goes queued → running → finished with its Slurm job id
 * and its metric; a failing job ends failed with its exit code and the tail of its output; a run
 * waiting for the node's CPUs shows Slurm's pending reason; a cancelled run is scancelled and
 * killed, and the waiting one then runs; a run whose heartbeats stop while its Slurm job runs is
 * marked lost, stays watched, and its scancelled end replaces 'lost'. A worker that dies after sbatch answered but before the
 * job id was recorded leaves exactly one Slurm job: the retried submit finds it by the run's id.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the test starts a real Slurm
import { ensureSlurm, TestSlurm } from '../../../../tools/testing/slurm';
import { DataSource } from 'typeorm';
import {
  ApiTokensRepository,
  AuditRepository,
  ProjectsRepository,
  RegistryRepository,
  RunExecutionsRepository,
  RunTemplatesRepository,
  TrackingRepository,
} from '@caliper/persistence';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the worker's submit job, run in-process to crash it at a chosen point
import { SubmitRunJob } from '../../../worker/src/training/submit-run.job';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the worker's submit job, run in-process to crash it at a chosen point
import { SlurmExecutor } from '../../../worker/src/training/slurm.executor';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the worker's submit job, run in-process to crash it at a chosen point
import type { Executors } from '../../../worker/src/training/executors';
import { ADMIN, Auth, gqlOk, login, newProject, newUser, rest, startTestApi, TestApi } from '../testing/api-harness';
import { startWorker, WorkerProcess } from '../testing/worker-process';

const SCRIPT = path.join(__dirname, 'testing/job-script.js');
const CREATE = `mutation($i: CreateRunTemplateInput!) { createRunTemplate(input: $i) { id latestVersion { id } } }`;
const LAUNCH = `mutation($i: LaunchRunInput!) { launchRun(input: $i) { runId } }`;
const CANCEL = `mutation($r: String!) { cancelRun(runId: $r) { cancelRequestedAt } }`;
const LOGS = `query($r: String!) { run(runId: $r) { status logs(first: 500) { lines { stream line } } } }`;
const RUN = `query($r: String!) { run(runId: $r) { status latestMetrics { key value }
  execution { executor externalId message exitCode logTail endedAt } } }`;

interface RunView {
  status: string;
  latestMetrics: { key: string; value: number }[];
  execution: {
    executor: string;
    externalId: string | null;
    message: string;
    exitCode: number | null;
    logTail: string | null;
    endedAt: string | null;
  };
}

jest.setTimeout(120_000);

describe('launching runs onto Slurm (real slurmctld and slurmd, worker process)', () => {
  let slurm: TestSlurm;
  let api: TestApi;
  let worker: WorkerProcess;
  let researcher: Auth;
  let templateVersionId: string;
  const seen: Record<string, Set<string>> = {};

  const runView = async (runId: string) => {
    const run = (await gqlOk<{ run: RunView }>(api, researcher, RUN, { r: runId })).run;
    (seen[runId] ??= new Set()).add(run.status);
    return run;
  };
  async function until(runId: string, done: (r: RunView) => boolean, ms = 60_000): Promise<RunView> {
    let last: RunView | null = null;
    for (const end = Date.now() + ms; Date.now() < end;) {
      last = await runView(runId);
      if (done(last)) return last;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`the run did not get there: ${JSON.stringify(last)}\nworker:\n${worker.output()}`);
  }
  const launch = async (values: { name: string; value: string }[]) =>
    (await gqlOk<{ launchRun: { runId: string } }>(api, researcher, LAUNCH, { i: { templateVersionId, values } })).launchRun.runId;
  const slurmJobs = (name: string) =>
    execFileSync('squeue', ['--noheader', '--states=all', `--name=${name}`, '--format=%i'], { encoding: 'utf8', timeout: 30_000 })
      .trim()
      .split('\n')
      .filter(Boolean);

  beforeAll(async () => {
    [slurm, api] = await Promise.all([ensureSlurm(), startTestApi()]);
    const admin = await login(api, ADMIN.username, ADMIN.password);
    const projectId = await newProject(api, admin, 'slurm-launches');
    const r = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    researcher = await login(api, r.username, r.password);
    const created = await gqlOk<{ createRunTemplate: { latestVersion: { id: string } } }>(api, researcher, CREATE, {
      i: {
        projectId,
        name: 'Slurm smoke job',
        definition: {
          architecture: 'none (a node script)',
          executor: 'SLURM',
          // Every CPU of the node: a second job waits for the first.
          resources: { gpus: 0, cpus: slurm.cpus, memoryGb: 1, wallTimeMinutes: 5, partition: slurm.partition },
          parameters: [
            { name: 'exit_code', type: 'INT', default: '0', min: 0, max: 255 },
            { name: 'sleep', type: 'INT', default: '0', min: 0, max: 120 },
            { name: 'lr', type: 'FLOAT', default: '0.001', min: 0, max: 1 },
          ],
          command: [process.execPath, SCRIPT, '{exit_code}', '{sleep}', '{lr}'],
        },
      },
    });
    templateVersionId = created.createRunTemplate.latestVersion.id;
    worker = await startWorker(api, {
      TRAINING_EXECUTORS: 'local,slurm',
      TRAINING_TRACKING_URL: api.base,
      TRAINING_WORK_DIR: mkdtempSync(path.join(tmpdir(), 'caliper-slurm-launch-')),
      TRAINING_SYNC_INTERVAL_MS: '300',
      // Only runs that sent a heartbeat are watched for one; the job script sends none.
      TRAINING_HEARTBEAT_TIMEOUT_SECONDS: '2',
    });
  }, 180_000);

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('runs a launched job under Slurm to finished, with its job id, exit code and metric', async () => {
    const runId = await launch([{ name: 'lr', value: '0.02' }]);
    const done = await until(runId, (r) => r.status === 'FINISHED' && r.execution.endedAt !== null);
    expect(done.execution).toMatchObject({ executor: 'SLURM', exitCode: 0, externalId: expect.stringMatching(/^\d+$/) });
    expect(done.latestMetrics).toEqual([{ key: 'loss', value: 2 }]);
    expect(done.execution.logTail).toContain('own run: 200');
    // Exactly one Slurm job for the run, named after it.
    expect(slurmJobs(`caliper-${runId}`)).toEqual([done.execution.externalId]);
  });

  it('ends a failing job failed, with its exit code and the tail of its output', async () => {
    const runId = await launch([{ name: 'exit_code', value: '3' }]);
    const done = await until(runId, (r) => r.status === 'FAILED' && r.execution.endedAt !== null);
    expect(done.execution.exitCode).toBe(3);
    expect(done.execution.logTail!.trim().split('\n').pop()).toBe('last line before exit 3');
  });

  it("shows Slurm's pending reason for a run waiting for CPUs, follows a running one's output, and cancels it with scancel", async () => {
    const first = await launch([{ name: 'sleep', value: '60' }]);
    await until(first, (r) => r.status === 'RUNNING');
    // The job's output file, on the filesystem the node shares with the worker, reaches the run's log while the job runs.
    type Logs = { run: { status: string; logs: { lines: { stream: string; line: string }[] } } };
    let live: Logs['run'] | null = null;
    for (const end = Date.now() + 30_000; !live && Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
      const { run } = await gqlOk<Logs>(api, researcher, LOGS, { r: first });
      if (run.logs.lines.some((l) => l.line === 'slept 1 of 60 s')) live = run;
    }
    expect(live).toMatchObject({
      status: 'RUNNING',
      logs: { lines: expect.arrayContaining([{ stream: 'output', line: 'own run: 200' }]) },
    });
    const second = await launch([]);
    // Slurm gives the reason once its scheduler has looked at the job (a bare "pending" before).
    const waiting = await until(second, (r) => /pending: /.test(r.execution.message));
    expect(waiting).toMatchObject({ status: 'QUEUED', execution: { message: expect.stringMatching(/pending: (Resources|Priority)$/) } });

    await gqlOk(api, researcher, CANCEL, { r: first });
    const killed = await until(first, (r) => r.status === 'KILLED' && r.execution.endedAt !== null);
    expect(killed.execution.message).toMatch(/CANCELLED|cancel/i);
    const jobId = killed.execution.externalId!;
    const state = execFileSync('scontrol', ['show', 'job', jobId, '--oneliner'], { encoding: 'utf8', timeout: 30_000 });
    expect(state).toMatch(/JobState=CANCELLED/);

    // The waiting run gets the CPUs and finishes.
    await until(second, (r) => r.status === 'FINISHED' && r.execution.endedAt !== null);
    expect([...seen[second]!]).toEqual(expect.arrayContaining(['QUEUED', 'FINISHED']));
  });

  it("marks a run whose heartbeats stopped lost while its Slurm job runs, keeps watching it, and records the job's real end", async () => {
    const runId = await launch([{ name: 'sleep', value: '60' }]);
    const running = await until(runId, (r) => r.status === 'RUNNING');
    const jobId = running.execution.externalId!;
    // One heartbeat (as the MLflow/MONAI handlers send them), then silence while the job goes on.
    expect((await rest(api, 'POST', `/api/v1/runs/${runId}/heartbeat`, researcher)).status).toBeLessThan(300);
    const lost = await until(runId, (r) => r.status === 'LOST');
    expect(lost.execution).toMatchObject({
      endedAt: null,
      message: expect.stringMatching(/^no heartbeat since \S+ \(over 2 s\), though slurm reports the job running/),
    });
    expect(execFileSync('scontrol', ['show', 'job', jobId, '--oneliner'], { encoding: 'utf8', timeout: 30_000 })).toMatch(
      /JobState=RUNNING/,
    );
    // Still watched: the cancel reaches Slurm, and the job's real end replaces 'lost'.
    await gqlOk(api, researcher, CANCEL, { r: runId });
    const killed = await until(runId, (r) => r.status === 'KILLED' && r.execution.endedAt !== null);
    expect(killed.execution.externalId).toBe(jobId);
    expect(execFileSync('scontrol', ['show', 'job', jobId, '--oneliner'], { encoding: 'utf8', timeout: 30_000 })).toMatch(
      /JobState=CANCELLED/,
    );
    expect([...seen[runId]!]).toEqual(expect.arrayContaining(['RUNNING', 'LOST', 'KILLED']));
  });
});

describe('a worker that dies between sbatch and recording the job id (real Slurm, no worker process)', () => {
  let api: TestApi;
  let workDir: string;

  beforeAll(async () => {
    const [slurm] = await Promise.all([ensureSlurm(), startTestApi().then((a) => (api = a))]);
    workDir = mkdtempSync(path.join(tmpdir(), 'caliper-slurm-crash-'));
    const admin = await login(api, ADMIN.username, ADMIN.password);
    const projectId = await newProject(api, admin, 'slurm-crash');
    const r = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    const researcher = await login(api, r.username, r.password);
    const created = await gqlOk<{ createRunTemplate: { latestVersion: { id: string } } }>(api, researcher, CREATE, {
      i: {
        projectId,
        name: 'Crash test',
        definition: {
          architecture: 'none (a node script)',
          executor: 'SLURM',
          resources: { gpus: 0, cpus: 1, memoryGb: 1, wallTimeMinutes: 2, partition: slurm.partition },
          command: [process.execPath, '-e', 'setTimeout(() => {{}}, 1000)'], // '{{}}': literal braces
        },
      },
    });
    // No worker runs here: the launch's training.submit job waits in the outbox, and this test runs the job itself.
    runId = (
      await gqlOk<{ launchRun: { runId: string } }>(api, researcher, LAUNCH, {
        i: { templateVersionId: created.createRunTemplate.latestVersion.id, values: [] },
      })
    ).launchRun.runId;
  }, 120_000);
  let runId: string;

  afterAll(() => api?.close());

  it('submits exactly one Slurm job: the retried submit finds the job the dead attempt made', async () => {
    const slurm = new SlurmExecutor({ workDir: path.join(workDir, 'slurm') });
    const jobFor = (executor: object) =>
      new SubmitRunJob(
        api.app.get(DataSource),
        api.app.get(RunExecutionsRepository),
        api.app.get(RunTemplatesRepository),
        api.app.get(TrackingRepository),
        api.app.get(ApiTokensRepository),
        api.app.get(ProjectsRepository),
        api.app.get(AuditRepository),
        { get: () => executor } as unknown as Executors,
        api.app.get(RegistryRepository),
        api.objects.store,
        { TRAINING_TRACKING_URL: api.base, TRAINING_WORK_DIR: workDir, API_PORT: 3000 },
      );
    // The first attempt: sbatch answers, then the worker dies before it records the id.
    let made: string | null = null;
    const dying = {
      submit: async (spec: Parameters<SlurmExecutor['submit']>[0]) => {
        made = await slurm.submit(spec);
        throw new Error('worker killed after sbatch answered');
      },
      sync: (id: string) => slurm.sync(id),
      cancel: (id: string) => slurm.cancel(id),
    };
    await expect(jobFor(dying).run({ v: 1, runUuid: runId }, { attempt: 1, attempts: 5 })).rejects.toThrow(/worker killed/);
    expect(made).toMatch(/^\d+$/);
    const execution = async () => (await api.app.get(RunExecutionsRepository).ofRun(runId))!;
    expect(await execution()).toMatchObject({ externalId: null, runStatus: 'queued' });

    // The retry (BullMQ's next attempt) with a live executor: the same job, recorded; no second one.
    const retried = await jobFor(slurm).run({ v: 1, runUuid: runId }, { attempt: 2, attempts: 5 });
    expect(retried).toMatchObject({ outcome: 'done', detail: { externalId: made } });
    expect(await execution()).toMatchObject({ externalId: made });
    const jobs = execFileSync('squeue', ['--noheader', '--states=all', `--name=caliper-${runId}`, '--format=%i'], {
      encoding: 'utf8',
      timeout: 30_000,
    })
      .trim()
      .split('\n')
      .filter(Boolean);
    expect(jobs).toEqual([made]);
    // The dead attempt's token was revoked when the retry minted the run's token.
    const tokens: { revoked: boolean }[] = await api.app
      .get(DataSource)
      .query(`SELECT revoked_at IS NOT NULL AS revoked FROM api_tokens WHERE run_id = $1 ORDER BY created_at`, [runId]);
    expect(tokens).toEqual([{ revoked: true }, { revoked: false }]);
  });
});
