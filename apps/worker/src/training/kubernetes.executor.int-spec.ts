/**
 * KubernetesExecutor through the real @kubernetes/client-node over HTTP, against a recording
 * server on 127.0.0.1 that speaks the API's paths (testing/recording-kube-api.ts), no cluster:
 * what submit sends (a schema-valid Job and Secret, the token only in the Secret), one Job per key
 * however often submit runs, state following the pod, the exit code and log tail of a failed run,
 * cancel's foreground DELETE and its wait, a Job the API no longer knows, and the bearer token on
 * every request, read again from a token file that changed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExecutionSpec } from './executor';
import { KubernetesExecutor } from './kubernetes.executor';
import { loadClientNode, loadKubernetesModels } from './testing/esm-bundle';
import { RecordingKubeApi } from './testing/recording-kube-api';

const NS = 'caliper-runs';
const API_TOKEN = `sa-${randomBytes(12).toString('hex')}`;

describe('KubernetesExecutor (client-node against a recording API server)', () => {
  const client = loadClientNode();
  const { Job, Secret } = loadKubernetesModels();
  let api: RecordingKubeApi;
  let executor: KubernetesExecutor;
  const make = () =>
    new KubernetesExecutor({
      server: api.url,
      namespace: NS,
      token: API_TOKEN,
      // client-node refuses plain HTTP unless told to skip TLS verification; a real cluster gets caCert.
      skipTLSVerify: true,
      client,
      pollMs: 50,
      cancelTimeoutMs: 5_000,
    });

  const spec = (extra: Partial<ExecutionSpec> = {}): ExecutionSpec => ({
    command: ['python3', 'train.py', '--epochs', '2'],
    key: randomUUID(),
    image: 'registry.example.org/caliper/unet:1.0',
    env: { CALIPER_RUN_ID: 'run', MLFLOW_TRACKING_URI: 'http://caliper.example.org/api' },
    resources: { gpus: 1, cpus: 4, memoryMb: 8192, wallTimeMinutes: 30, partition: 'gpu' },
    ...extra,
  });

  beforeEach(async () => {
    api = await new RecordingKubeApi(NS).start();
    executor = make();
  });
  afterEach(async () => {
    // Every request carried the executor's bearer token.
    expect(api.requests.length).toBeGreaterThan(0);
    for (const r of api.requests) expect(r.authorization).toBe(`Bearer ${API_TOKEN}`);
    await api.stop();
  });

  it('submits a schema-valid Job and then its Secret: the token only in the Secret (base64 in data), referenced by secretKeyRef', async () => {
    const token = `tok_${randomBytes(24).toString('hex')}`;
    const s = spec({ secretEnv: { CALIPER_TOKEN: token } });
    const name = await executor.submit(s);
    expect(name).toBe(`caliper-${s.key}`);

    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /apis/batch/v1/namespaces/${NS}/jobs`,
      `POST /api/v1/namespaces/${NS}/secrets`,
    ]);
    const [jobRequest, secretRequest] = api.requests;
    expect(() => new Job(jobRequest!.body).validate()).not.toThrow();
    expect(() => new Secret(secretRequest!.body).validate()).not.toThrow();
    expect(JSON.stringify(jobRequest!.body)).not.toContain(token);
    expect(JSON.stringify(jobRequest!.body)).not.toContain(Buffer.from(token).toString('base64'));

    const job = api.jobs.get(name)!;
    expect(job.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'caliper',
      'caliper.io/run-id': s.key,
      'kueue.x-k8s.io/queue-name': 'gpu',
    });
    expect(job).toMatchObject({
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: 1800,
        ttlSecondsAfterFinished: 86_400,
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [
              {
                image: 'registry.example.org/caliper/unet:1.0',
                command: ['python3', 'train.py', '--epochs', '2'],
                resources: { limits: { cpu: '4', memory: '8192Mi', 'nvidia.com/gpu': '1' } },
                env: expect.arrayContaining([
                  { name: 'CALIPER_TOKEN', valueFrom: { secretKeyRef: { name: `${name}-token`, key: 'CALIPER_TOKEN' } } },
                ]),
              },
            ],
          },
        },
      },
    });
    const secret = api.secrets.get(`${name}-token`)!;
    expect(secret).toMatchObject({
      type: 'Opaque',
      data: { CALIPER_TOKEN: Buffer.from(token).toString('base64') },
      metadata: { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid: job.metadata.uid }] },
    });
    expect(JSON.stringify(secret)).not.toContain(token);
  });

  it('sends no second Job for a retried submit (409 → the existing Job), also from a restarted worker, and refuses a Job of another run', async () => {
    const s = spec({ secretEnv: { CALIPER_TOKEN: 'tok_a' } });
    const name = await executor.submit(s);
    expect(await executor.submit(s)).toBe(name);
    expect(await make().submit(s)).toBe(name);
    expect(api.jobs.size).toBe(1);
    expect(api.secrets.size).toBe(1);
    const posts = api.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/jobs'));
    expect(posts).toHaveLength(3); // each create answered 409 after the first; the Job is the first's
    expect(api.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/jobs/${name}`))).toHaveLength(2);

    // A worker that died between the Job and its Secret: the retry creates the Secret.
    const t = spec({ secretEnv: { CALIPER_TOKEN: 'tok_b' } });
    const other = await executor.submit(t);
    api.secrets.delete(`${other}-token`);
    expect(await executor.submit(t)).toBe(other);
    expect(api.secrets.get(`${other}-token`)?.metadata.ownerReferences).toEqual([
      expect.objectContaining({ uid: api.jobs.get(other)!.metadata.uid }),
    ]);

    api.jobs.get(name)!.metadata.labels!['caliper.io/run-id'] = 'someone-else';
    await expect(executor.submit(s)).rejects.toThrow(`Job ${name} exists but belongs to run "someone-else"`);
  });

  it('follows the pod: pending with its reason → running → finished with exit code 0 and the log tail', async () => {
    const name = await executor.submit(spec());
    expect(await executor.sync(name)).toEqual({
      state: 'queued',
      exitCode: null,
      message: `Kubernetes Job ${name} pending: Unschedulable: waiting`,
    });
    api.setPod(name, {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'True' }],
      containerStatuses: [
        {
          name: 'run',
          image: 'x',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "registry.example.org/caliper/unet:1.0"' } },
        },
      ],
    });
    expect(await executor.sync(name)).toEqual({
      state: 'queued',
      exitCode: null,
      message: `Kubernetes Job ${name} pending: ImagePullBackOff: Back-off pulling image "registry.example.org/caliper/unet:1.0"`,
    });
    api.setPod(name, { phase: 'Running' }, { active: 1 });
    api.podOf(name)!.spec = { nodeName: 'gpu-node-07', containers: [{ name: 'run', image: 'x' }] };
    expect(await executor.sync(name)).toEqual({
      state: 'running',
      exitCode: null,
      message: `Kubernetes Job ${name} running on gpu-node-07`,
    });

    api.logs.set(api.podOf(name)!.metadata.name, 'epoch 1 loss 0.4\nepoch 2 loss 0.2\n');
    api.setPod(
      name,
      {
        phase: 'Succeeded',
        containerStatuses: [
          {
            name: 'run',
            image: 'x',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 0, reason: 'Completed' } },
          },
        ],
      },
      { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] },
    );
    expect(await executor.sync(name)).toEqual({
      state: 'finished',
      exitCode: 0,
      message: `Kubernetes Job ${name} completed (exit code 0)`,
      logTail: 'epoch 1 loss 0.4\nepoch 2 loss 0.2',
    });
    const podListing = api.requests.find((r) => r.path === `/api/v1/namespaces/${NS}/pods`)!;
    expect(podListing.query.labelSelector).toBe(`job-name=${name}`);
  });

  it("reads the pod's log from a byte offset while the job runs (limitBytes: the offset and the chunk), nothing before there is a log", async () => {
    const name = await executor.submit(spec());
    const podName = api.podOf(name)!.metadata.name;
    expect(await executor.readOutput(name, 0, 1024)).toEqual(Buffer.alloc(0));
    api.logs.set(podName, 'epoch 1 loss 0.4\nepoch 2 loss 0.2\nepoch 3 lo');
    expect((await executor.readOutput(name, 0, 17))!.toString()).toBe('epoch 1 loss 0.4\n');
    expect((await executor.readOutput(name, 17, 1024))!.toString()).toBe('epoch 2 loss 0.2\nepoch 3 lo');
    const reads = api.requests.filter((r) => r.path === `/api/v1/namespaces/${NS}/pods/${podName}/log`);
    expect(reads.map((r) => [r.query.limitBytes, r.query.container])).toEqual([
      ['1024', 'run'],
      ['17', 'run'],
      ['1041', 'run'],
    ]);
    expect(await executor.readOutput('caliper-no-such-job', 0, 1024)).toBeUndefined();
  });

  it('reports a failed run with its exit code and the last 50 lines of its log; OOMKilled as 137', async () => {
    const name = await executor.submit(spec());
    const podName = api.podOf(name)!.metadata.name;
    api.logs.set(podName, [...Array.from({ length: 60 }, (_, i) => `epoch ${i + 1}`), 'CUDA error: out of memory'].join('\n'));
    const failed = (exitCode: number, reason: string) => ({
      phase: 'Failed',
      containerStatuses: [
        { name: 'run', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, reason } } },
      ],
    });
    api.setPod(name, failed(3, 'Error'), {
      failed: 1,
      conditions: [
        { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
      ],
    });
    const status = await executor.sync(name);
    expect(status).toMatchObject({ state: 'failed', exitCode: 3, message: `Kubernetes Job ${name} failed (exit code 3: Error)` });
    const lines = status.logTail!.split('\n');
    expect(lines).toHaveLength(50);
    expect(lines[0]).toBe('epoch 12');
    expect(lines.slice(-2)).toEqual(['epoch 60', 'CUDA error: out of memory']);
    const logRequest = api.requests.find((r) => r.path.endsWith(`/pods/${podName}/log`))!;
    expect(logRequest.query).toMatchObject({ tailLines: '50', container: 'run' });

    api.setPod(name, failed(137, 'OOMKilled'));
    expect(await executor.sync(name)).toMatchObject({
      state: 'failed',
      exitCode: 137,
      message: `Kubernetes Job ${name} failed (exit code 137: OOMKilled)`,
    });
  });

  it('cancels: DELETE with propagationPolicy Foreground, returns once the Job is gone (its Secret with it): killed; cancelling again is fine', async () => {
    const name = await executor.submit(spec({ secretEnv: { CALIPER_TOKEN: 'tok' } }));
    api.setPod(name, { phase: 'Running' }, { active: 1 });
    api.deleteAfterMs = 400;
    const started = Date.now();
    await executor.cancel(name);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    const deletes = api.requests.filter((r) => r.method === 'DELETE');
    expect(deletes).toHaveLength(1);
    expect(deletes[0]!.path).toBe(`/apis/batch/v1/namespaces/${NS}/jobs/${name}`);
    expect(deletes[0]!.query).toEqual({ propagationPolicy: 'Foreground' });
    // It polled the Job until the API answered 404.
    expect(api.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/jobs/${name}`)).length).toBeGreaterThan(1);
    expect(api.jobs.has(name)).toBe(false);
    expect(api.secrets.size).toBe(0);
    expect(await executor.sync(name)).toEqual({
      state: 'killed',
      exitCode: null,
      message: `Kubernetes Job ${name} was cancelled (deleted)`,
    });
    await executor.cancel(name);
  });

  it('says lost for a Job the API does not know, and names the API error otherwise', async () => {
    const name = `caliper-${randomUUID()}`;
    expect(await executor.sync(name)).toMatchObject({ state: 'lost', exitCode: null });
    // Cancelling a Job that is not there deletes nothing and does not make it read killed.
    await executor.cancel(name);
    expect(await executor.sync(name)).toMatchObject({ state: 'lost' });
    expect((await executor.sync(name)).message).toMatch(/Kubernetes no longer knows Job caliper-/);
    await expect(executor.sync('Not A Name')).rejects.toThrow('"Not A Name" is not a Kubernetes Job name');
    await expect(executor.submit(spec({ image: undefined }))).rejects.toThrow('needs a container image');
    // A wrong namespace (the recording server answers 404 for paths it does not speak) is an error naming the call.
    const elsewhere = new KubernetesExecutor({ server: api.url, namespace: 'other', token: API_TOKEN, skipTLSVerify: true, client });
    await expect(elsewhere.submit(spec())).rejects.toThrow(
      /creating Job caliper-.*: the Kubernetes API answered 404: the recording server does not speak POST/,
    );
  });
});

describe('KubernetesExecutor with a token file (a rotated ServiceAccount token)', () => {
  const client = loadClientNode();
  let api: RecordingKubeApi;
  beforeEach(async () => {
    api = await new RecordingKubeApi(NS).start();
  });
  afterEach(() => api.stop());

  it("sends the file's token without its newline, and the new one once the file changed and the refresh interval passed", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'caliper-k8s-token-'));
    const tokenFile = path.join(dir, 'token');
    writeFileSync(tokenFile, 'first-token\n');
    const executor = new KubernetesExecutor({
      server: api.url,
      namespace: NS,
      tokenFile,
      tokenRefreshMs: 300,
      skipTLSVerify: true,
      client,
    });
    const name = `caliper-${randomUUID()}`;
    await executor.sync(name);
    writeFileSync(tokenFile, 'second-token');
    await executor.sync(name);
    await new Promise((r) => setTimeout(r, 400));
    await executor.sync(name);
    const seen = api.requests.map((r) => r.authorization);
    expect(seen).toEqual(['Bearer first-token', 'Bearer first-token', 'Bearer second-token']);
  });
});
