/**
 * Launching training runs onto Kubernetes from the portal (issue 15): the API in-process on
 * PostgreSQL and S3, the worker as its own process with TRAINING_EXECUTORS=local,kubernetes and
 * the TRAINING_KUBERNETES_* variables pointing at a recording server on 127.0.0.1 that speaks the
 * API server's paths (the worker's testing/recording-kube-api.ts; no cluster). The test plays the
 * Job controller and the pod: it moves the pod on, and logs into the run with the token the
 * Secret carries, as the container would.
 *
 * Through the real outbox, BullMQ jobs and sync: a launch becomes one Job in the configured
 * namespace (the configured queue, GPU resource and pull secret, the token only in its Secret,
 * the worker's run folder not in the pod), the run follows the pod queued → running → finished
 * with the exit code and the pod's log; a cancelled run's Job is deleted in the foreground and the
 * run ends killed. A worker without the Kubernetes executor fails such a run saying how to enable
 * it, and a worker told to use it without a cluster does not start, naming the variables.
 *
 * Transfer learning: the pod's init container's own command (sh, curl, sha256sum) is run here with
 * the Secret's token against the API, as the pod would run it, and the files it writes are the
 * registered ones; bytes changed in the store are refused by it and, at the next launch, by the
 * worker before it submits anything.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the worker's stand-in for a Kubernetes API server
import { RecordingKubeApi } from '../../../worker/src/training/testing/recording-kube-api';
import { registerExternalVersion } from '@caliper/persistence/testing';
import { DataSource } from 'typeorm';
import { ADMIN, Auth, errorMessage, gql, gqlOk, login, newProject, newUser, rest, startTestApi, TestApi } from '../testing/api-harness';
import { startWorker, WorkerProcess } from '../testing/worker-process';

const NS = 'caliper-runs';
const IMAGE = 'registry.example.org/caliper/smoke:1.0';
const CREATE = `mutation($i: CreateRunTemplateInput!) { createRunTemplate(input: $i) { id latestVersion { id } } }`;
const LAUNCH = `mutation($i: LaunchRunInput!) { launchRun(input: $i) { runId } }`;
const CANCEL = `mutation($r: String!) { cancelRun(runId: $r) { cancelRequestedAt } }`;
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

interface KubeObject {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: {
    template: {
      spec: {
        containers: Record<string, unknown>[];
        initContainers?: { name: string; image: string; command: string[]; env: unknown[] }[];
        volumes?: unknown[];
        imagePullSecrets?: { name: string }[];
      };
    };
  };
  data?: Record<string, string>;
}

/** Runs a command as the pod would (no shell between us and it), with only these variables and PATH. */
function runLikePod(command: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command[0]!,
      command.slice(1),
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

jest.setTimeout(120_000);

describe('launching runs onto Kubernetes (worker process, recording API server)', () => {
  let kube: RecordingKubeApi;
  let api: TestApi;
  let worker: WorkerProcess;
  let admin: Auth;
  let researcher: Auth;
  let researcherId: string;
  let projectId: string;
  let templateVersionId: string;
  const apiToken = `sa-${randomBytes(12).toString('hex')}`;

  const runView = async (runId: string) => (await gqlOk<{ run: RunView }>(api, researcher, RUN, { r: runId })).run;
  async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
    let last: unknown;
    for (const end = Date.now() + ms; Date.now() < end;) {
      const got = await probe();
      if (got) return got;
      last = got;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${what} did not happen (last: ${JSON.stringify(last)})\nworker:\n${worker.output()}`);
  }
  const runUntil = (runId: string, done: (r: RunView) => boolean) =>
    until(`run ${runId}`, async () => {
      const r = await runView(runId);
      return done(r) && r;
    });
  const launch = async (values: { name: string; value: string }[] = []) =>
    (await gqlOk<{ launchRun: { runId: string } }>(api, researcher, LAUNCH, { i: { templateVersionId, values } })).launchRun.runId;
  const jobOf = (runId: string) =>
    until(`the Job of run ${runId}`, async () => kube.jobs.get(`caliper-${runId}`) as KubeObject | undefined);

  beforeAll(async () => {
    [kube, api] = await Promise.all([new RecordingKubeApi(NS).start(), startTestApi()]);
    admin = await login(api, ADMIN.username, ADMIN.password);
    projectId = await newProject(api, admin, 'k8s-launches');
    const r = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    researcherId = r.id;
    researcher = await login(api, r.username, r.password);
    const created = await gqlOk<{ createRunTemplate: { latestVersion: { id: string } } }>(api, researcher, CREATE, {
      i: {
        projectId,
        name: 'Kubernetes smoke job',
        definition: {
          architecture: 'none (a container)',
          executor: 'KUBERNETES',
          image: IMAGE,
          resources: { gpus: 1, cpus: 2, memoryGb: 4, wallTimeMinutes: 30 },
          parameters: [{ name: 'lr', type: 'FLOAT', default: '0.001', min: 0, max: 1 }],
          command: ['python3', 'train.py', '--lr', '{lr}'],
        },
      },
    });
    templateVersionId = created.createRunTemplate.latestVersion.id;
    const secrets = mkdtempSync(path.join(tmpdir(), 'caliper-k8s-launch-'));
    const tokenFile = path.join(secrets, 'token');
    // As `kubectl create token caliper-submitter > token` writes it: with a newline.
    writeFileSync(tokenFile, `${apiToken}\n`, { mode: 0o600 });
    worker = await startWorker(api, {
      TRAINING_EXECUTORS: 'local,kubernetes',
      TRAINING_TRACKING_URL: api.base,
      TRAINING_WORK_DIR: mkdtempSync(path.join(tmpdir(), 'caliper-k8s-work-')),
      TRAINING_SYNC_INTERVAL_MS: '300',
      TRAINING_KUBERNETES_SERVER: kube.url,
      // client-node refuses plain HTTP otherwise; a cluster gets TRAINING_KUBERNETES_CA_FILE.
      TRAINING_KUBERNETES_INSECURE_SKIP_TLS_VERIFY: 'true',
      TRAINING_KUBERNETES_NAMESPACE: NS,
      TRAINING_KUBERNETES_TOKEN_FILE: tokenFile,
      TRAINING_KUBERNETES_PARTITION: 'radiology-gpu',
      TRAINING_KUBERNETES_GPU_RESOURCE: 'amd.com/gpu',
      TRAINING_KUBERNETES_IMAGE_PULL_SECRETS: 'registry-creds',
    });
  }, 180_000);

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    // Every request the worker made carried the token from the file, without its newline.
    expect(kube?.requests.length).toBeGreaterThan(0);
    for (const r of kube?.requests ?? []) expect(r.authorization).toBe(`Bearer ${apiToken}`);
    await kube?.stop();
  });

  it('submits a launch as one Job, follows its pod to finished with the exit code and log, and the job logs with the token of its Secret', async () => {
    const runId = await launch([{ name: 'lr', value: '0.02' }]);
    const job = await jobOf(runId);
    expect(job.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'caliper',
      'caliper.io/run-id': runId,
      'kueue.x-k8s.io/queue-name': 'radiology-gpu',
    });
    const container = job.spec!.template.spec.containers[0]!;
    expect(container).toMatchObject({
      image: IMAGE,
      command: ['python3', 'train.py', '--lr', '0.02'],
      resources: { limits: { 'amd.com/gpu': '1', cpu: '2', memory: '4096Mi' } },
    });
    // The worker's run folder is not in the pod.
    expect(container).not.toHaveProperty('workingDir');
    expect(job.spec!.template.spec.imagePullSecrets).toEqual([{ name: 'registry-creds' }]);
    const env = container.env as { name: string; value?: string; valueFrom?: unknown }[];
    expect(env).toEqual(
      expect.arrayContaining([
        { name: 'MLFLOW_TRACKING_URI', value: api.base },
        { name: 'MLFLOW_RUN_ID', value: runId },
        { name: 'CALIPER_TOKEN', valueFrom: { secretKeyRef: { name: `caliper-${runId}-token`, key: 'CALIPER_TOKEN' } } },
      ]),
    );
    const secret = await until('the Secret', async () => kube.secrets.get(`caliper-${runId}-token`) as KubeObject | undefined);
    const token = Buffer.from(secret.data!.CALIPER_TOKEN!, 'base64').toString('utf8');
    expect(JSON.stringify(job)).not.toContain(token);
    expect(kube.jobs.size).toBe(1);

    // Pending: the scheduler's reason on the run's page.
    const queued = await runUntil(runId, (r) => r.execution.externalId !== null && /pending: Unschedulable/.test(r.execution.message));
    expect(queued).toMatchObject({ status: 'QUEUED', execution: { executor: 'KUBERNETES', externalId: `caliper-${runId}` } });

    // The pod runs and logs into its run with the Secret's token, as the container would.
    kube.setPod(`caliper-${runId}`, { phase: 'Running' }, { active: 1 });
    await runUntil(runId, (r) => r.status === 'RUNNING');
    const logged = await fetch(`${api.base}/api/2.0/mlflow/runs/log-metric`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ run_id: runId, key: 'loss', value: 2, timestamp: Date.now(), step: 1 }),
    });
    expect(logged.status).toBe(200);

    kube.logs.set(kube.podOf(`caliper-${runId}`)!.metadata.name, 'epoch 1 loss 2\ndone\n');
    kube.setPod(
      `caliper-${runId}`,
      {
        phase: 'Succeeded',
        containerStatuses: [
          {
            name: 'run',
            image: IMAGE,
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 0, reason: 'Completed' } },
          },
        ],
      },
      { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] },
    );
    const done = await runUntil(runId, (r) => r.status === 'FINISHED' && r.execution.endedAt !== null);
    expect(done.execution).toMatchObject({
      exitCode: 0,
      message: `Kubernetes Job caliper-${runId} completed (exit code 0)`,
      logTail: 'epoch 1 loss 2\ndone',
    });
    expect(done.latestMetrics).toEqual([{ key: 'loss', value: 2 }]);
    // Its token ended with it.
    const late = await fetch(`${api.base}/api/2.0/mlflow/runs/log-metric`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ run_id: runId, key: 'loss', value: 1, timestamp: Date.now(), step: 2 }),
    });
    expect(late.status).toBe(401);
  });

  it("gives a transfer-learning pod an init container that fetches the initial model version's files with the run's token and checks them", async () => {
    const weights = { 'model/model.onnx': Buffer.from('pretrained UNet, v1'), 'model/extra data/w#1.pt': randomBytes(300_000) };
    const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
    await api.objects.store.ensureBucket('caliper-artifacts');
    for (const [p, bytes] of Object.entries(weights))
      await api.objects.store.putObject('caliper-artifacts', `pretrained/${p}`, bytes, { size: bytes.length });
    const ds = api.app.get(DataSource);
    const { id: modelVersionId } = await registerExternalVersion(ds, {
      projectId,
      userId: researcherId,
      name: 'unet-pretrained',
      files: Object.entries(weights).map(([p, bytes]) => ({
        path: p,
        bucket: 'caliper-artifacts',
        objectKey: `pretrained/${p}`,
        size: bytes.length,
        sha256: sha(bytes),
      })),
    });

    // The files endpoint: the project's members read them, with their sha256; others get 404 as for an unknown id.
    const listed = await rest(api, 'GET', `/api/v1/model-versions/${modelVersionId}/files`, researcher);
    expect(await listed.json()).toEqual({
      files: Object.entries(weights)
        .map(([p, bytes]) => ({ path: p, size: bytes.length, sha256: sha(bytes) }))
        .sort((a, b) => a.path.localeCompare(b.path)),
    });
    const one = await rest(api, 'GET', `/api/v1/model-versions/${modelVersionId}/files/model/model.onnx`, researcher);
    expect({
      status: one.status,
      sha: one.headers.get('x-checksum-sha256'),
      body: Buffer.from(await one.arrayBuffer()).toString(),
    }).toEqual({
      status: 200,
      sha: sha(weights['model/model.onnx']),
      body: 'pretrained UNet, v1',
    });
    const otherProject = await newProject(api, admin, 'k8s-elsewhere');
    const o = await newUser(api, admin, { projectId: otherProject, roles: ['PI'] });
    const outsider = await login(api, o.username, o.password);
    for (const path of [
      `/api/v1/model-versions/${modelVersionId}/files`,
      `/api/v1/model-versions/${modelVersionId}/files/model/model.onnx`,
    ]) {
      const r = await rest(api, 'GET', path, outsider);
      expect({ path, status: r.status, body: await r.text() }).toEqual({
        path,
        status: 404,
        body: expect.stringContaining(`Model version ${modelVersionId}`),
      });
    }
    expect((await rest(api, 'GET', `/api/v1/model-versions/${modelVersionId}/files/model/nope.onnx`, researcher)).status).toBe(404);

    const created = await gqlOk<{ createRunTemplate: { latestVersion: { id: string } } }>(api, researcher, CREATE, {
      i: {
        projectId,
        name: 'Fine-tune on Kubernetes',
        definition: {
          architecture: 'UNet 2D from unet-pretrained v1',
          executor: 'KUBERNETES',
          image: IMAGE,
          initialModelVersionId: modelVersionId,
          resources: { gpus: 1, cpus: 2, memoryGb: 4, wallTimeMinutes: 30 },
          command: ['python3', 'finetune.py'],
        },
      },
    });
    const fineTune = async () =>
      (
        await gqlOk<{ launchRun: { runId: string } }>(api, researcher, LAUNCH, {
          i: { templateVersionId: created.createRunTemplate.latestVersion.id, values: [] },
        })
      ).launchRun.runId;
    const runId = await fineTune();
    const job = await jobOf(runId);
    const pod = job.spec!.template.spec;
    expect(pod.volumes).toEqual([{ name: 'initial-weights', emptyDir: {} }]);
    expect(pod.containers[0]).toMatchObject({
      volumeMounts: [{ name: 'initial-weights', mountPath: '/caliper/initial-weights', readOnly: true }],
      env: expect.arrayContaining([
        { name: 'CALIPER_INITIAL_WEIGHTS_DIR', value: '/caliper/initial-weights' },
        { name: 'CALIPER_INITIAL_MODEL_VERSION_ID', value: modelVersionId },
      ]),
    });
    const init = pod.initContainers![0]!;
    expect(init).toMatchObject({ name: 'initial-weights', image: 'curlimages/curl:8.11.1' });
    const secret = await until('the Secret', async () => kube.secrets.get(`caliper-${runId}-token`) as KubeObject | undefined);
    const token = Buffer.from(secret.data!.CALIPER_TOKEN!, 'base64').toString('utf8');
    expect(JSON.stringify(job)).not.toContain(token);

    // The init container's command as the pod runs it, into a folder of ours instead of the pod's volume.
    const dir = mkdtempSync(path.join(tmpdir(), 'caliper-k8s-weights-'));
    const command = init.command.map((a) => (a === '/caliper/initial-weights' ? dir : a));
    const fetched = await runLikePod(command, { CALIPER_TOKEN: token });
    expect(fetched).toMatchObject({ code: 0, stderr: '' });
    for (const [p, bytes] of Object.entries(weights))
      expect({ p, same: readFileSync(path.join(dir, p)).equals(bytes) }).toEqual({ p, same: true });
    expect(readdirSync(dir, { recursive: true }).sort()).toEqual([
      'model',
      'model/extra data',
      'model/extra data/w#1.pt',
      'model/model.onnx',
    ]);
    // The fetch image's user is not the run image's: every user may enter the folders and read the files.
    for (const p of ['model', 'model/extra data', 'model/extra data/w#1.pt', 'model/model.onnx']) {
      const st = statSync(path.join(dir, p));
      expect({ p, othersMayRead: (st.mode & 0o004) !== 0, othersMayEnter: !st.isDirectory() || (st.mode & 0o001) !== 0 }).toEqual({
        p,
        othersMayRead: true,
        othersMayEnter: true,
      });
    }
    // Without the run's token the API refuses it, and the fetch says which file it could not get.
    const refused = await runLikePod(command, { CALIPER_TOKEN: 'not-a-token' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('401');
    expect(refused.stderr).toContain('caliper: could not fetch model/extra data/w#1.pt of the initial model version');

    // The stored bytes change after the Job was made: the pod's fetch refuses them, and the run fails with its words.
    // (Of the same length: a shorter object ends its download early, which curl refuses before any hash.)
    const changed = Buffer.from('pretrained UNet, v2');
    await api.objects.store.putObject('caliper-artifacts', 'pretrained/model/model.onnx', changed, { size: changed.length });
    const tampered = await runLikePod(command, { CALIPER_TOKEN: token });
    const words = `caliper: model/model.onnx has sha256 ${sha(changed)}, not the ${sha(weights['model/model.onnx'])} registered with the initial model version`;
    expect(tampered).toMatchObject({ code: 1, stderr: `${words}\n` });
    kube.setPod(
      `caliper-${runId}`,
      {
        phase: 'Failed',
        initContainerStatuses: [
          {
            name: 'initial-weights',
            image: init.image,
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 1, reason: 'Error', message: tampered.stderr } },
          },
        ],
      },
      { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] },
    );
    const failed = await runUntil(runId, (r) => r.status === 'FAILED' && r.execution.endedAt !== null);
    expect(failed.execution).toMatchObject({
      exitCode: 1,
      message: `Kubernetes Job caliper-${runId} failed before the run started: its initial weights could not be fetched (exit code 1): ${words}`,
    });

    // The next launch: the worker hashes the stored bytes first and submits nothing.
    const jobs = kube.jobs.size;
    const next = await fineTune();
    const unsubmitted = await runUntil(next, (r) => r.status === 'FAILED');
    expect(unsubmitted.execution).toMatchObject({
      externalId: null,
      message: `the initial weights could not be given to the job: model/model.onnx has sha256 ${sha(changed)}, not the ${sha(weights['model/model.onnx'])} registered with the model version.`,
    });
    expect(kube.jobs.size).toBe(jobs);
  });

  it('ends a run whose container failed failed, with its exit code', async () => {
    const runId = await launch();
    await jobOf(runId);
    kube.setPod(
      `caliper-${runId}`,
      {
        phase: 'Failed',
        containerStatuses: [
          {
            name: 'run',
            image: IMAGE,
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
          },
        ],
      },
      { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] },
    );
    const done = await runUntil(runId, (r) => r.status === 'FAILED' && r.execution.endedAt !== null);
    expect(done.execution).toMatchObject({ exitCode: 137, message: `Kubernetes Job caliper-${runId} failed (exit code 137: OOMKilled)` });
  });

  it('cancels a running run: its Job deleted in the foreground (the Secret with it), the run killed', async () => {
    const runId = await launch();
    const name = `caliper-${runId}`;
    await jobOf(runId);
    kube.setPod(name, { phase: 'Running' }, { active: 1 });
    await runUntil(runId, (r) => r.status === 'RUNNING');
    await gqlOk(api, researcher, CANCEL, { r: runId });
    const killed = await runUntil(runId, (r) => r.status === 'KILLED' && r.execution.endedAt !== null);
    expect(killed.execution.message).toMatch(/cancel/i);
    const deletes = kube.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith(`/jobs/${name}`));
    expect(deletes).toHaveLength(1);
    expect(deletes[0]!.query).toEqual({ propagationPolicy: 'Foreground' });
    // The sync may see the Job while its pods terminate (deletionTimestamp: killed); then it is gone.
    await until('the Job and its Secret gone', async () => !kube.jobs.has(name) && !kube.secrets.has(`${name}-token`));
  });
});

describe('a Kubernetes template while no running worker has the Kubernetes executor', () => {
  let api: TestApi;
  let worker: WorkerProcess | undefined;
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('is refused at launch, naming what the workers have; queued while no worker runs, then failed by the worker that takes it; a worker told to use Kubernetes without a cluster does not start', async () => {
    // The API and the worker share a Redis namespace, as in a deployment, where the worker says which executors it has.
    const prefix = `test-k8s-${randomBytes(4).toString('hex')}`;
    api = await startTestApi({ REDIS_PREFIX: prefix });
    // Outside a pod and without the variables: the worker stops at start naming what it needs.
    await expect(
      startWorker(api, { TRAINING_EXECUTORS: 'local,kubernetes', KUBERNETES_SERVICE_HOST: '', KUBERNETES_SERVICE_PORT: '' }),
    ).rejects.toThrow(
      /TRAINING_KUBERNETES_SERVER: required when the worker does not run in a Kubernetes pod[\s\S]*TRAINING_KUBERNETES_NAMESPACE: required[\s\S]*TRAINING_KUBERNETES_TOKEN_FILE: required/,
    );

    const admin = await login(api, ADMIN.username, ADMIN.password);
    const projectId = await newProject(api, admin, 'k8s-missing');
    const r = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    const researcher = await login(api, r.username, r.password);
    const created = await gqlOk<{ createRunTemplate: { latestVersion: { id: string } } }>(api, researcher, CREATE, {
      i: {
        projectId,
        name: 'Kubernetes job',
        definition: {
          architecture: 'none (a container)',
          executor: 'KUBERNETES',
          image: IMAGE,
          resources: { gpus: 0, cpus: 1, memoryGb: 1, wallTimeMinutes: 5 },
          command: ['true'],
        },
      },
    });
    const launchIt = () =>
      gql<{ launchRun: { runId: string } }>(api, researcher, LAUNCH, {
        i: { templateVersionId: created.createRunTemplate.latestVersion.id, values: [] },
      });
    const runView = async (runId: string) => (await gqlOk<{ run: RunView }>(api, researcher, RUN, { r: runId })).run;

    // No worker runs: the launch is queued for one to come.
    const queued = (await launchIt()).data!.launchRun.runId;
    expect((await runView(queued)).status).toBe('QUEUED');

    // A worker without Kubernetes takes it and fails it, saying how to enable it.
    worker = await startWorker(api, { TRAINING_EXECUTORS: 'local,slurm', TRAINING_SYNC_INTERVAL_MS: '300', REDIS_PREFIX: prefix });
    let run: RunView | undefined;
    for (const end = Date.now() + 30_000; Date.now() < end && run?.status !== 'FAILED'; await new Promise((res) => setTimeout(res, 200)))
      run = await runView(queued);
    expect(run).toMatchObject({
      status: 'FAILED',
      execution: {
        externalId: null,
        message:
          'this worker has no kubernetes executor (TRAINING_EXECUTORS is local,slurm: add kubernetes there and configure it, see docs/training.md, or launch with another template)',
      },
    });

    // With that worker running, the next launch is refused before anything is written (once the
    // API's read of the workers, at most 5 s old, is newer than the worker's start).
    await new Promise((res) => setTimeout(res, 5_100));
    const runs = async () => ((await api.app.get(DataSource).query(`SELECT count(*)::int AS n FROM runs`)) as { n: number }[])[0]!.n;
    const before = await runs();
    const refused = await launchIt();
    expect(errorMessage(refused)).toBe(
      'No running worker has the kubernetes executor that template "Kubernetes job" runs on (the running worker has local, slurm): ' +
        "add kubernetes to a worker's TRAINING_EXECUTORS and configure it (docs/training.md), or launch with another template.",
    );
    expect(await runs()).toBe(before);

    // The worker stops (its key goes with it): launches queue again.
    await worker.close();
    worker = undefined;
    let again: Awaited<ReturnType<typeof launchIt>> | undefined;
    // The API reads the workers at most every 5 s.
    for (const end = Date.now() + 15_000; Date.now() < end && !again?.data; await new Promise((res) => setTimeout(res, 500)))
      again = await launchIt();
    expect(again?.errors).toBeUndefined();
    expect((await runView(again!.data!.launchRun.runId)).status).toBe('QUEUED');
  });
});
