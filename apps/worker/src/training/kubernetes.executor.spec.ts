/**
 * The Kubernetes executor's pure parts: the Job and Secret it renders, validated against the
 * Kubernetes OpenAPI schema (kubernetes-models: ajv with the upstream definitions, formats such as
 * `quantity` and `byte` included), and its reading of Job and Pod objects (shaped as the API
 * returns them) into a run's state.
 */
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { ExecutionSpec } from './executor';
import { FETCH_WEIGHTS_SCRIPT, namesFor, renderJob, renderSecret, RenderOptions, statusFromJob } from './kubernetes.executor';
import { loadKubernetesModels } from './testing/esm-bundle';

const KEY = '3f2b8c1e-5d4a-4e8b-9c7f-0a1b2c3d4e5f';
const { jobName, secretName } = namesFor(KEY);
const OPTIONS: RenderOptions = { namespace: 'caliper-runs', jobName, secretName, partition: 'queue', ttlSecondsAfterFinished: 86_400 };
const { Job, Secret } = loadKubernetesModels();
const valid = (manifest: unknown, Model = Job) => expect(() => new Model(manifest).validate()).not.toThrow();

describe('renderJob and renderSecret', () => {
  const gpuSpec: ExecutionSpec = {
    command: ['python3', 'train.py', '--epochs', '10'],
    key: KEY,
    // The worker's run folder: not the pod's (RenderOptions.workingDir is).
    cwd: '/tmp/caliper-training/runs/x',
    env: { CALIPER_RUN_ID: KEY, MLFLOW_TRACKING_URI: 'https://caliper.example.org/api' },
    resources: { gpus: 2, cpus: 8, memoryMb: 32768, wallTimeMinutes: 240, partition: 'gpu-a100' },
    image: 'registry.example.org/caliper/monai:1.3.0',
    secretEnv: { CALIPER_TOKEN: 'tok_secret' },
  };

  it('renders a schema-valid Job: names, labels, no retries, deadline, TTL, resources with the GPUs, the secret by reference only', () => {
    const job = renderJob(gpuSpec, { ...OPTIONS, workingDir: '/workspace' });
    valid(job);
    expect(job).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: `caliper-${KEY}`,
        namespace: 'caliper-runs',
        labels: { 'app.kubernetes.io/managed-by': 'caliper', 'caliper.io/run-id': KEY, 'kueue.x-k8s.io/queue-name': 'gpu-a100' },
      },
      spec: {
        backoffLimit: 0,
        completions: 1,
        parallelism: 1,
        activeDeadlineSeconds: 14_400,
        ttlSecondsAfterFinished: 86_400,
        template: {
          metadata: { labels: { 'app.kubernetes.io/managed-by': 'caliper', 'caliper.io/run-id': KEY } },
          spec: {
            restartPolicy: 'Never',
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            containers: [
              {
                name: 'run',
                image: 'registry.example.org/caliper/monai:1.3.0',
                command: ['python3', 'train.py', '--epochs', '10'],
                workingDir: '/workspace',
                env: [
                  { name: 'CALIPER_RUN_ID', value: KEY },
                  { name: 'MLFLOW_TRACKING_URI', value: 'https://caliper.example.org/api' },
                  { name: 'CALIPER_TOKEN', valueFrom: { secretKeyRef: { name: `caliper-${KEY}-token`, key: 'CALIPER_TOKEN' } } },
                ],
                resources: {
                  requests: { cpu: '8', memory: '32768Mi' },
                  limits: { cpu: '8', memory: '32768Mi', 'nvidia.com/gpu': '2' },
                },
              },
            ],
          },
        },
      },
    });
    expect(JSON.stringify(job)).not.toContain('tok_secret');
    // Without a workingDir option the image's own: the worker's folder is not on the pod.
    expect(renderJob(gpuSpec, OPTIONS).spec!.template.spec!.containers[0]).not.toHaveProperty('workingDir');
  });

  it('renders a schema-valid Secret: Opaque, base64 in data, owned by the Job', () => {
    const secret = renderSecret(
      { CALIPER_TOKEN: 'tok_secret', OTHER: 'ünïcode "quoted" $x\nline' },
      { namespace: 'caliper-runs', secretName, key: KEY, owner: { name: jobName, uid: '0f6f1c3e-1111-2222-3333-444455556666' } },
    );
    valid(secret, Secret);
    expect(secret).toMatchObject({
      type: 'Opaque',
      metadata: {
        name: `caliper-${KEY}-token`,
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: jobName, uid: '0f6f1c3e-1111-2222-3333-444455556666' }],
      },
      data: { CALIPER_TOKEN: Buffer.from('tok_secret').toString('base64') },
    });
    expect(Buffer.from(secret.data!.OTHER!, 'base64').toString('utf8')).toBe('ünïcode "quoted" $x\nline');
    expect(JSON.stringify(secret)).not.toContain('tok_secret');
  });

  it('asks for no GPU, no resources and no queue the spec does not ask for', () => {
    const job = renderJob({ command: ['/opt/eval.sh'], key: KEY, image: 'busybox:1.36' }, OPTIONS);
    valid(job);
    const pod = job.spec!.template.spec!;
    expect(pod.containers[0]).toEqual({ name: 'run', image: 'busybox:1.36', command: ['/opt/eval.sh'] });
    expect(job.metadata!.labels).not.toHaveProperty(['kueue.x-k8s.io/queue-name']);
    expect(job.spec).not.toHaveProperty('activeDeadlineSeconds');
    const cpuOnly = renderJob({ command: ['x'], key: KEY, image: 'busybox', resources: { cpus: 2, gpus: 0 } }, OPTIONS);
    valid(cpuOnly);
    expect(cpuOnly.spec!.template.spec!.containers[0]!.resources).toEqual({ requests: { cpu: '2' }, limits: { cpu: '2' } });
  });

  it('puts the partition in a nodeSelector when told to, and takes the default partition', () => {
    const job = renderJob(
      { command: ['x'], key: KEY, image: 'busybox' },
      {
        ...OPTIONS,
        partition: { nodeSelectorKey: 'caliper.io/pool' },
        defaultPartition: 'cpu-pool',
        imagePullSecrets: ['regcred'],
        serviceAccountName: 'caliper-runner',
      },
    );
    valid(job);
    expect(job.spec!.template.spec).toMatchObject({
      nodeSelector: { 'caliper.io/pool': 'cpu-pool' },
      imagePullSecrets: [{ name: 'regcred' }],
      serviceAccountName: 'caliper-runner',
    });
    expect(job.metadata!.labels).not.toHaveProperty(['kueue.x-k8s.io/queue-name']);
  });

  it("requests GPUs as the configured device plugin's resource", () => {
    const job = renderJob(
      { command: ['x'], key: KEY, image: 'busybox', resources: { gpus: 1 } },
      { ...OPTIONS, gpuResource: 'amd.com/gpu' },
    );
    valid(job);
    expect(job.spec!.template.spec!.containers[0]!.resources).toEqual({ limits: { 'amd.com/gpu': '1' } });
  });

  it('passes env values with odd characters and arguments unchanged (no shell in between), schema-valid', () => {
    const odd = ['two words', `it's "quoted"`, '$HOME and ${PATH}', '`id`', 'line\nbreak', '*', '', 'ünï€ode', '--flag=a b'];
    const job = renderJob({ command: ['python3', ...odd], key: KEY, image: 'busybox', env: { NOTE: odd.join('|'), EMPTY: '' } }, OPTIONS);
    valid(job);
    const container = job.spec!.template.spec!.containers[0]!;
    expect(container.command).toEqual(['python3', ...odd]);
    expect(container.env).toEqual([
      { name: 'NOTE', value: odd.join('|') },
      { name: 'EMPTY', value: '' },
    ]);
  });

  const SHA_A = 'a'.repeat(64);
  const SHA_B = 'b'.repeat(64);
  const weightsSpec: ExecutionSpec = {
    ...gpuSpec,
    env: { ...gpuSpec.env, CALIPER_URL: 'https://caliper.example.org/' },
    initialWeights: {
      modelVersionId: 'c0ffee00-0000-4000-8000-000000000001',
      files: [
        { path: 'model/model.onnx', sha256: SHA_A },
        { path: 'model/weights dir/w#1.pt', sha256: SHA_B },
      ],
    },
  };

  it('gives a run with initial weights a schema-valid init container that fetches and checks them into a volume the run reads', () => {
    const job = renderJob(weightsSpec, { ...OPTIONS, fetchImage: 'registry.example.org/tools/curl:8' });
    valid(job);
    const pod = job.spec!.template.spec!;
    expect(pod.volumes).toEqual([{ name: 'initial-weights', emptyDir: {} }]);
    expect(pod.initContainers).toEqual([
      {
        name: 'initial-weights',
        image: 'registry.example.org/tools/curl:8',
        command: [
          'sh',
          '-c',
          FETCH_WEIGHTS_SCRIPT,
          'fetch-initial-weights',
          '/caliper/initial-weights',
          'https://caliper.example.org/api/v1/model-versions/c0ffee00-0000-4000-8000-000000000001/files/model/model.onnx',
          'model/model.onnx',
          SHA_A,
          'https://caliper.example.org/api/v1/model-versions/c0ffee00-0000-4000-8000-000000000001/files/model/weights%20dir/w%231.pt',
          'model/weights dir/w#1.pt',
          SHA_B,
        ],
        env: [{ name: 'CALIPER_TOKEN', valueFrom: { secretKeyRef: { name: `caliper-${KEY}-token`, key: 'CALIPER_TOKEN' } } }],
        volumeMounts: [{ name: 'initial-weights', mountPath: '/caliper/initial-weights' }],
        // The run's CPU and memory, no GPU.
        resources: { requests: { cpu: '8', memory: '32768Mi' }, limits: { cpu: '8', memory: '32768Mi' } },
        terminationMessagePolicy: 'FallbackToLogsOnError',
      },
    ]);
    const run = pod.containers[0]!;
    expect(run.volumeMounts).toEqual([{ name: 'initial-weights', mountPath: '/caliper/initial-weights', readOnly: true }]);
    expect(run.env).toContainEqual({ name: 'CALIPER_INITIAL_WEIGHTS_DIR', value: '/caliper/initial-weights' });
    expect(JSON.stringify(job)).not.toContain('tok_secret');
    // The default fetch image, when none is configured.
    expect(renderJob(weightsSpec, OPTIONS).spec!.template.spec!.initContainers![0]!.image).toBe('curlimages/curl:8.11.1');
    // No weights, no init container and no volume.
    expect(renderJob(gpuSpec, OPTIONS).spec!.template.spec).not.toHaveProperty('initContainers');
    expect(renderJob(gpuSpec, OPTIONS).spec!.template.spec).not.toHaveProperty('volumes');
  });

  it('refuses initial weights it could not fetch safely: no URL or token, no files, a path leaving its folder, a bad sha256', () => {
    const files = (f: { path: string; sha256: string }[]) => ({ ...weightsSpec, initialWeights: { modelVersionId: 'v', files: f } });
    expect(() => renderJob({ ...weightsSpec, env: gpuSpec.env }, OPTIONS)).toThrow('the spec needs CALIPER_URL (http or https)');
    expect(() => renderJob({ ...weightsSpec, secretEnv: {} }, OPTIONS)).toThrow('the spec needs CALIPER_TOKEN in secretEnv');
    expect(() => renderJob(files([]), OPTIONS)).toThrow('model version v pins no files to fetch');
    for (const path of ['../x', '/etc/passwd', 'a//b', 'a/./b', 'model/../../x'])
      expect(() => renderJob(files([{ path, sha256: SHA_A }]), OPTIONS)).toThrow(`the file path ${path} leaves its folder`);
    expect(() => renderJob(files([{ path: 'm.onnx', sha256: 'ABC' }]), OPTIONS)).toThrow('m.onnx: "ABC" is not a sha256');
  });

  it('the schema check catches what the API would refuse (the validator is live)', () => {
    const job = renderJob({ command: ['x'], key: KEY, image: 'busybox', resources: { memoryMb: 10 } }, OPTIONS);
    job.spec!.template.spec!.containers[0]!.resources!.limits!.memory = '10 MB';
    expect(() => new Job(job).validate()).toThrow(/quantity/);
    expect(() => new Secret({ metadata: { name: 's' }, data: { A: 'not base64!' } }).validate()).toThrow(/byte/);
  });

  it('refuses a missing or bad key, a missing image, bad resources and names', () => {
    expect(() => namesFor(undefined)).toThrow('a Kubernetes Job needs the run id as its key');
    expect(() => namesFor('Run_1')).toThrow(`"Run_1" cannot name a Kubernetes Job`);
    expect(() => namesFor('a'.repeat(60))).toThrow('at most 63 characters');
    expect(() => namesFor('-x')).not.toThrow(); // caliper--x is a valid label
    expect(() => namesFor('x-')).toThrow('cannot name a Kubernetes Job');
    expect(() => renderJob({ command: ['x'], key: KEY }, OPTIONS)).toThrow('a Kubernetes Job needs a container image');
    expect(() => renderJob({ command: ['x'], key: KEY, image: 'a b' }, OPTIONS)).toThrow('is not an image reference');
    expect(() => renderJob({ command: ['x'], key: KEY, image: 'i', resources: { gpus: 1.5 } }, OPTIONS)).toThrow(
      'resources.gpus must be a positive whole number, not 1.5',
    );
    expect(() => renderJob({ command: ['x'], key: KEY, image: 'i', env: { 'BAD-NAME': 'x' } }, OPTIONS)).toThrow(
      '"BAD-NAME" is not a variable name',
    );
    expect(() => renderJob({ command: ['x'], key: KEY, image: 'i', resources: { partition: 'a b' } }, OPTIONS)).toThrow(
      'partition "a b" cannot be a Kubernetes label value',
    );
    expect(() => renderJob({ command: ['echo', 'a\0b'], key: KEY, image: 'i' }, OPTIONS)).toThrow('cannot hold a NUL character');
  });
});

/** A Job and its pod as `GET …/jobs/{name}` and `GET …/pods?labelSelector=job-name=…` return them (kubectl get -o json, trimmed). */
const NAME = `caliper-${KEY}`;
const job = (status: V1Job['status'] = { active: 1 }, extra: Partial<V1Job['metadata']> = {}): V1Job => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: NAME, namespace: 'caliper-runs', uid: 'a1b2', labels: { 'caliper.io/run-id': KEY }, ...extra },
  spec: { backoffLimit: 0, template: { spec: { containers: [] } } },
  status,
});
const pod = (status: V1Pod['status']): V1Pod => ({
  metadata: { name: `${NAME}-x7k2p`, labels: { 'job-name': NAME }, creationTimestamp: new Date('2026-12-03T22:00:00Z') },
  spec: { nodeName: 'gpu-node-07', containers: [] },
  status,
});
const waiting = (reason: string, message?: string): V1Pod['status'] => ({
  phase: 'Pending',
  conditions: [{ type: 'PodScheduled', status: 'True' }],
  containerStatuses: [{ name: 'run', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason, message } } }],
});
const terminated = (phase: string, exitCode: number, reason: string, message?: string): V1Pod['status'] => ({
  phase,
  containerStatuses: [
    { name: 'run', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, reason, message } } },
  ],
});
const failedCondition = (reason: string) => ({
  failed: 1,
  conditions: [{ type: 'Failed', status: 'True', reason, message: 'Job has reached the specified backoff limit' }],
});

describe('statusFromJob', () => {
  it.each([
    [
      'no pod yet',
      job(),
      undefined,
      { state: 'queued', exitCode: null, message: `Kubernetes Job ${NAME} is waiting for its pod to be created` },
    ],
    [
      'unschedulable',
      job(),
      pod({
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/3 nodes are available: 3 Insufficient nvidia.com/gpu.',
          },
        ],
      }),
      {
        state: 'queued',
        exitCode: null,
        message: `Kubernetes Job ${NAME} pending: Unschedulable: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.`,
      },
    ],
    [
      'image pull back-off',
      job(),
      pod(waiting('ImagePullBackOff', 'Back-off pulling image "registry.example.org/nope:1"')),
      {
        state: 'queued',
        exitCode: null,
        message: `Kubernetes Job ${NAME} pending: ImagePullBackOff: Back-off pulling image "registry.example.org/nope:1"`,
      },
    ],
    [
      'secret not there yet',
      job(),
      pod(waiting('CreateContainerConfigError', `secret "${NAME}-token" not found`)),
      {
        state: 'queued',
        exitCode: null,
        message: `Kubernetes Job ${NAME} pending: CreateContainerConfigError: secret "${NAME}-token" not found`,
      },
    ],
    [
      'scheduled, creating',
      job(),
      pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] }),
      { state: 'queued', exitCode: null, message: `Kubernetes Job ${NAME} pending: ContainerCreating` },
    ],
    [
      'running',
      job(),
      pod({ phase: 'Running' }),
      { state: 'running', exitCode: null, message: `Kubernetes Job ${NAME} running on gpu-node-07` },
    ],
    [
      'succeeded, Job not yet Complete',
      job(),
      pod(terminated('Succeeded', 0, 'Completed')),
      { state: 'finished', exitCode: 0, message: `Kubernetes Job ${NAME} completed (exit code 0)` },
    ],
    [
      'Complete',
      job({ succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] }),
      pod(terminated('Succeeded', 0, 'Completed')),
      { state: 'finished', exitCode: 0, message: `Kubernetes Job ${NAME} completed (exit code 0)` },
    ],
    [
      'exit 3',
      job(failedCondition('BackoffLimitExceeded')),
      pod(terminated('Failed', 3, 'Error')),
      { state: 'failed', exitCode: 3, message: `Kubernetes Job ${NAME} failed (exit code 3: Error)` },
    ],
    [
      'pod failed, Job not yet Failed',
      job(),
      pod(terminated('Failed', 3, 'Error')),
      { state: 'failed', exitCode: 3, message: `Kubernetes Job ${NAME} failed (exit code 3: Error)` },
    ],
    [
      'OOMKilled',
      job(failedCondition('BackoffLimitExceeded')),
      pod(terminated('Failed', 137, 'OOMKilled')),
      { state: 'failed', exitCode: 137, message: `Kubernetes Job ${NAME} failed (exit code 137: OOMKilled)` },
    ],
    [
      'wall time',
      job(failedCondition('DeadlineExceeded')),
      pod(terminated('Failed', 143, 'Error')),
      { state: 'failed', exitCode: 143, message: `Kubernetes Job ${NAME} reached its wall time limit (activeDeadlineSeconds)` },
    ],
    [
      'wall time, pod gone',
      job(failedCondition('DeadlineExceeded')),
      undefined,
      { state: 'failed', exitCode: null, message: `Kubernetes Job ${NAME} reached its wall time limit (activeDeadlineSeconds)` },
    ],
    [
      'being deleted',
      job({ active: 1 }, { deletionTimestamp: new Date('2026-12-03T22:05:00Z') }),
      pod({ phase: 'Running' }),
      { state: 'killed', exitCode: null, message: `Kubernetes Job ${NAME} was cancelled (being deleted)` },
    ],
  ] as const)('%s', (_, j, p, expected) => {
    expect(statusFromJob(j as V1Job, p as V1Pod | undefined)).toEqual(expected);
  });

  it("says a run whose initial weights' fetch failed never started, with the init container's last words", () => {
    const fetchFailed: V1Pod['status'] = {
      phase: 'Failed',
      initContainerStatuses: [
        {
          name: 'initial-weights',
          image: 'curl',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: {
            terminated: {
              exitCode: 1,
              reason: 'Error',
              message: 'caliper: model/model.onnx has sha256 ab12, not the cd34 registered with the initial model version\n',
            },
          },
        },
      ],
      containerStatuses: [
        { name: 'run', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
      ],
    };
    expect(statusFromJob(job(failedCondition('BackoffLimitExceeded')), pod(fetchFailed))).toEqual({
      state: 'failed',
      exitCode: 1,
      message: `Kubernetes Job ${NAME} failed before the run started: its initial weights could not be fetched (exit code 1): caliper: model/model.onnx has sha256 ab12, not the cd34 registered with the initial model version`,
    });
    // Killed for memory: said so, exit 137.
    const oom = structuredClone(fetchFailed)!;
    oom.initContainerStatuses![0]!.state!.terminated = { exitCode: 137, reason: 'OOMKilled' };
    expect(statusFromJob(job(failedCondition('BackoffLimitExceeded')), pod(oom))).toEqual({
      state: 'failed',
      exitCode: 137,
      message: `Kubernetes Job ${NAME} failed before the run started: its initial weights could not be fetched (exit code 137: OOMKilled)`,
    });
    // Cut by the wall time while fetching: the wall time is the reason.
    expect(statusFromJob(job(failedCondition('DeadlineExceeded')), pod(oom))).toMatchObject({
      state: 'failed',
      message: `Kubernetes Job ${NAME} reached its wall time limit (activeDeadlineSeconds)`,
    });
    // Still fetching (retrying curl): pending, not failed.
    const fetching: V1Pod['status'] = {
      phase: 'Pending',
      initContainerStatuses: [
        { name: 'initial-weights', image: 'curl', imageID: '', ready: false, restartCount: 0, state: { running: {} } },
      ],
      containerStatuses: [
        { name: 'run', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
      ],
    };
    expect(statusFromJob(job({ active: 1 }), pod(fetching))).toMatchObject({
      state: 'queued',
      message: `Kubernetes Job ${NAME} pending: PodInitializing`,
    });
  });

  it('says a Job Kueue holds back is queued in its queue', () => {
    const held = job({});
    held.spec!.suspend = true;
    held.metadata!.labels!['kueue.x-k8s.io/queue-name'] = 'gpu-a100';
    expect(statusFromJob(held, undefined)).toEqual({
      state: 'queued',
      exitCode: null,
      message: `Kubernetes Job ${NAME} is waiting in queue gpu-a100 (suspended)`,
    });
  });
});
