/**
 * The executor for a Kubernetes cluster (DESIGN.md, flow 3): a run becomes one `batch/v1` Job,
 * named `caliper-<run uuid>`, created, read and deleted through @kubernetes/client-node's
 * BatchV1Api and CoreV1Api. docs/training.md says what the Job holds and how to point the worker
 * at a cluster.
 *
 * The Job's name is the idempotency key: a retried submit's create answers 409 AlreadyExists and
 * the existing Job (checked to be this run's by its `caliper.io/run-id` label) is returned, so a
 * run never gets a second Job. Secrets (the run's token) go in a Secret `caliper-<uuid>-token`
 * created right after the Job with an ownerReference to it (so Kubernetes deletes it with the
 * Job), and reach the container through `env[].valueFrom.secretKeyRef` only: never as a plain env
 * value, an argument or in the Job. A pod that starts before its Secret exists waits
 * (CreateContainerConfigError, retried by the kubelet) and does not fail.
 *
 * State comes from the Job (its Complete/Failed conditions) and its pod (label `job-name`): the
 * pod's phase, a waiting container's reason, the PodScheduled condition's message, a terminated
 * container's exit code. Cancel deletes the Job with propagationPolicy Foreground (its pods go
 * first) and waits until the API no longer knows it.
 *
 * Transfer learning: a pod does not see the worker's run folder, so a run with initial weights gets
 * an init container (`initial-weights`, TRAINING_KUBERNETES_FETCH_IMAGE) that fetches each file from
 * the API with the run's token (from the Secret, written to a header file: never on curl's command
 * line), checks its sha256 and writes it to an emptyDir the run's container mounts read-only at
 * CALIPER_INITIAL_WEIGHTS_DIR. A file that does not arrive or hashes otherwise fails the init
 * container, and with it the pod, with the reason as its termination message.
 */
import { readFileSync } from 'node:fs';
import type * as ClientNode from '@kubernetes/client-node';
import type { V1Job, V1Pod, V1Secret } from '@kubernetes/client-node';
import { ExecutionSpec, ExecutionStatus, Executor } from './executor';

/** The @kubernetes/client-node module. */
export type KubernetesClientModule = typeof ClientNode;

export interface KubernetesExecutorOptions {
  /** The API server's URL, e.g. `https://k8s.example.org:6443`. */
  server: string;
  /** The namespace the Jobs, their pods and Secrets live in. */
  namespace: string;
  /** A bearer token (a ServiceAccount's) allowed to create/get/delete Jobs and Secrets and list pods and read their logs there. */
  token?: string;
  /**
   * A file holding that token instead (a pod's projected ServiceAccount token, which the kubelet
   * rotates): read again when `tokenRefreshMs` has passed since the last read, as client-go does,
   * its surrounding whitespace (the newline of `kubectl create token > file`) dropped.
   */
  tokenFile?: string;
  /** How often the token file is read again. */
  tokenRefreshMs?: number;
  /** The cluster's CA certificate, PEM; the system's CAs when absent. */
  caCert?: string;
  /** Accept any server certificate: for tests only. */
  skipTLSVerify?: boolean;
  /**
   * Where a run's partition (ExecutionResources.partition) goes: `queue` (the default) puts it in
   * the Job's `kueue.x-k8s.io/queue-name` label (a Kueue LocalQueue: quotas, fair sharing and
   * pending reasons, the nearest thing to a Slurm partition); `{ nodeSelectorKey }` puts it in
   * the pod's nodeSelector under that node label instead (e.g. `caliper.io/pool`).
   */
  partition?: 'queue' | { nodeSelectorKey: string };
  /** The partition of a run whose spec names none; none when absent. */
  defaultPartition?: string;
  /** Prefixed to the spec's key to name the Job. */
  jobNamePrefix?: string;
  /** How long Kubernetes keeps a finished Job (and its pod and Secret) before deleting it. */
  ttlSecondsAfterFinished?: number;
  /** The ServiceAccount the pods run as; the namespace's default when absent. */
  serviceAccountName?: string;
  /** Secrets holding registry credentials for the image. */
  imagePullSecrets?: readonly string[];
  /** The extended resource a run's GPUs are requested as: the device plugin's name (`nvidia.com/gpu`, `amd.com/gpu`). */
  gpuResource?: string;
  /**
   * The container's working directory; the image's when absent. The spec's `cwd` and `logPath` are
   * the worker's run folder, which a pod does not see: they are not used.
   */
  workingDir?: string;
  /** How long cancel waits for the Job to be gone after deleting it. */
  cancelTimeoutMs?: number;
  /** How often cancel asks whether the Job is gone. */
  pollMs?: number;
  /** How many of the log's last lines an ended Job's status carries. */
  logTailLines?: number;
  /** The image of the init container that fetches a run's initial weights (sh, curl and sha256sum). */
  fetchImage?: string;
  /**
   * The @kubernetes/client-node module, loaded with require() when absent. It is ESM only: Node
   * 22.12+ requires it natively, Jest on Node < 24.9 does not, so the tests pass a CommonJS bundle
   * of it (testing/esm-bundle.ts).
   */
  client?: KubernetesClientModule;
}

const DEFAULTS = {
  jobNamePrefix: 'caliper-',
  ttlSecondsAfterFinished: 86_400,
  cancelTimeoutMs: 120_000,
  pollMs: 250,
  logTailLines: 50,
  tokenRefreshMs: 60_000,
  gpuResource: 'nvidia.com/gpu',
  fetchImage: 'curlimages/curl:8.11.1',
};

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const RUN_ID_LABEL = 'caliper.io/run-id';
export const KUEUE_QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';
/** The container's name in the pod. */
export const CONTAINER = 'run';
/** The init container that fetches the initial weights, and where the run's container finds them. */
export const WEIGHTS_CONTAINER = 'initial-weights';
export const WEIGHTS_DIR = '/caliper/initial-weights';

/**
 * The init container's script (POSIX sh; busybox's will do): `sh -c SCRIPT fetch-initial-weights
 * DIR URL PATH SHA256 [URL PATH SHA256 …]` with CALIPER_TOKEN in its environment. Each file is
 * fetched (retried on transient failures, given up when the connection stalls), hashed and refused
 * unless it has the registered sha256. The token reaches curl on its standard input (printf is the
 * shell's own), so it is on no command line and in no file. Folders and files are readable by every
 * user: the fetch image's user is not the run image's.
 */
export const FETCH_WEIGHTS_SCRIPT = `set -eu
umask 022
dir=$1
shift
while [ "$#" -ge 3 ]; do
  url=$1 file=$2 sum=$3
  shift 3
  dest="$dir/$file"
  mkdir -p "$(dirname "$dest")"
  if ! printf 'Authorization: Bearer %s\\n' "$CALIPER_TOKEN" | curl --fail --silent --show-error --retry 5 --retry-connrefused --retry-delay 2 --connect-timeout 30 --speed-limit 1024 --speed-time 120 -H @- -o "$dest" "$url"; then
    echo "caliper: could not fetch $file of the initial model version from $url" >&2
    exit 1
  fi
  got=$(sha256sum < "$dest" | cut -d ' ' -f 1)
  if [ "$got" != "$sum" ]; then
    echo "caliper: $file has sha256 $got, not the $sum registered with the initial model version" >&2
    exit 1
  fi
  echo "caliper: $file fetched, sha256 $sum"
done
`;

/** A DNS-1123 label: the Job's name is also the value of its pods' `job-name` label, so at most 63 characters. */
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?)?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface RenderOptions {
  namespace: string;
  jobName: string;
  secretName: string;
  partition: 'queue' | { nodeSelectorKey: string };
  defaultPartition?: string;
  ttlSecondsAfterFinished: number;
  serviceAccountName?: string;
  imagePullSecrets?: readonly string[];
  /** The extended resource of the GPUs; `nvidia.com/gpu` when absent. */
  gpuResource?: string;
  /** The container's working directory; the image's when absent. */
  workingDir?: string;
  /** The init container's image when the spec has initial weights; DEFAULTS.fetchImage when absent. */
  fetchImage?: string;
}

/** The Job's and the Secret's names for a run key, refused when Kubernetes would not take them. */
export function namesFor(key: string | undefined, prefix = DEFAULTS.jobNamePrefix): { jobName: string; secretName: string } {
  if (key === undefined)
    throw new Error(
      'a Kubernetes Job needs the run id as its key (ExecutionSpec.key): it names the Job and keeps a retried submit from creating a second',
    );
  const jobName = prefix + key;
  if (!DNS_LABEL.test(jobName) || jobName.length > 63)
    throw new Error(`"${key}" cannot name a Kubernetes Job: "${jobName}" must be lowercase letters, digits and '-', at most 63 characters`);
  return { jobName, secretName: `${jobName}-token` };
}

/** The Job for a run: one pod, one container, no retries, the run's resources, its secrets by reference. */
export function renderJob(spec: ExecutionSpec, options: RenderOptions): V1Job {
  if (spec.image === undefined || spec.image.trim() === '')
    throw new Error('a Kubernetes Job needs a container image (ExecutionSpec.image)');
  if (/\s/.test(spec.image)) throw new Error(`"${spec.image}" is not an image reference`);
  const key = spec.key ?? '';
  if (!LABEL_VALUE.test(key) || key.length > 63) throw new Error(`"${key}" cannot be a label value`);
  const r = spec.resources ?? {};
  const partition = r.partition ?? options.defaultPartition;
  if (partition !== undefined && (!LABEL_VALUE.test(partition) || partition.length > 63 || partition === ''))
    throw new Error(`partition "${partition}" cannot be a Kubernetes label value`);
  const labels: Record<string, string> = { [MANAGED_BY_LABEL]: 'caliper', [RUN_ID_LABEL]: key };
  const jobLabels = { ...labels, ...(partition !== undefined && options.partition === 'queue' ? { [KUEUE_QUEUE_LABEL]: partition } : {}) };
  const nodeSelector =
    partition !== undefined && typeof options.partition === 'object' ? { [options.partition.nodeSelectorKey]: partition } : undefined;

  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (r.cpus !== undefined) requests.cpu = limits.cpu = String(positive(r.cpus, 'cpus'));
  if (r.memoryMb !== undefined) requests.memory = limits.memory = `${positive(r.memoryMb, 'memoryMb')}Mi`;
  if (r.gpus) limits[options.gpuResource ?? DEFAULTS.gpuResource] = String(positive(r.gpus, 'gpus'));

  const weights = spec.initialWeights ? weightsFetch(spec, options) : null;
  const env = [
    ...Object.entries(spec.env ?? {}).map(([name, value]) => ({ name: envName(name), value: noNul(value) })),
    ...(weights ? [{ name: 'CALIPER_INITIAL_WEIGHTS_DIR', value: WEIGHTS_DIR }] : []),
    ...Object.keys(spec.secretEnv ?? {}).map((name) => ({
      name: envName(name),
      valueFrom: { secretKeyRef: { name: options.secretName, key: name } },
    })),
  ];
  const container = {
    name: CONTAINER,
    image: spec.image,
    command: spec.command.map(noNul),
    ...(options.workingDir !== undefined ? { workingDir: options.workingDir } : {}),
    ...(env.length > 0 ? { env } : {}),
    ...(Object.keys(requests).length + Object.keys(limits).length > 0
      ? { resources: { ...(Object.keys(requests).length > 0 ? { requests } : {}), limits } }
      : {}),
    ...(weights ? { volumeMounts: [{ name: WEIGHTS_CONTAINER, mountPath: WEIGHTS_DIR, readOnly: true }] } : {}),
  };
  // The fetch asks for the run's CPU and memory (a pod's request is the larger of its init and run
  // containers', so this adds nothing to it, and a namespace quota that wants limits gets them), no GPU.
  const fetchResources = { ...(requests.cpu ? { cpu: requests.cpu } : {}), ...(requests.memory ? { memory: requests.memory } : {}) };
  const initContainer = weights && {
    name: WEIGHTS_CONTAINER,
    image: weights.image,
    command: ['sh', '-c', FETCH_WEIGHTS_SCRIPT, 'fetch-initial-weights', WEIGHTS_DIR, ...weights.args],
    env: [{ name: 'CALIPER_TOKEN', valueFrom: { secretKeyRef: { name: options.secretName, key: 'CALIPER_TOKEN' } } }],
    volumeMounts: [{ name: WEIGHTS_CONTAINER, mountPath: WEIGHTS_DIR }],
    ...(Object.keys(fetchResources).length ? { resources: { requests: fetchResources, limits: fetchResources } } : {}),
    // A failed fetch's last words (which file, which hash) become its termination message.
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: options.jobName, namespace: options.namespace, labels: jobLabels },
    spec: {
      // A retried pod would run the same run twice: Caliper decides about reruns.
      backoffLimit: 0,
      completions: 1,
      parallelism: 1,
      ...(r.wallTimeMinutes !== undefined ? { activeDeadlineSeconds: positive(r.wallTimeMinutes, 'wallTimeMinutes') * 60 } : {}),
      ttlSecondsAfterFinished: options.ttlSecondsAfterFinished,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          // The job needs no credentials for this cluster's API, nor its services' addresses in its environment.
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          ...(options.serviceAccountName !== undefined ? { serviceAccountName: options.serviceAccountName } : {}),
          ...(options.imagePullSecrets?.length ? { imagePullSecrets: options.imagePullSecrets.map((name) => ({ name })) } : {}),
          ...(nodeSelector ? { nodeSelector } : {}),
          ...(initContainer ? { initContainers: [initContainer], volumes: [{ name: WEIGHTS_CONTAINER, emptyDir: {} }] } : {}),
          containers: [container],
        },
      },
    },
  };
}

/** The init container's image and its arguments (URL, path, sha256 per file), refused when a file could not be fetched safely. */
function weightsFetch(spec: ExecutionSpec, options: RenderOptions): { image: string; args: string[] } {
  const { modelVersionId, files } = spec.initialWeights!;
  const base = spec.env?.CALIPER_URL;
  if (!base || !/^https?:\/\//.test(base))
    throw new Error('initial weights are fetched from Caliper: the spec needs CALIPER_URL (http or https)');
  if (!spec.secretEnv?.CALIPER_TOKEN)
    throw new Error("initial weights are fetched with the run's token: the spec needs CALIPER_TOKEN in secretEnv");
  if (!files.length) throw new Error(`model version ${modelVersionId} pins no files to fetch`);
  const image = options.fetchImage ?? DEFAULTS.fetchImage;
  if (/\s/.test(image) || !image) throw new Error(`"${image}" is not an image reference`);
  const args = files.flatMap((f) => {
    const segments = f.path.split('/');
    if (f.path.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..'))
      throw new Error(`the file path ${f.path} leaves its folder`);
    if (!/^[0-9a-f]{64}$/.test(f.sha256)) throw new Error(`${f.path}: "${f.sha256}" is not a sha256`);
    const url = `${base.replace(/\/+$/, '')}/api/v1/model-versions/${encodeURIComponent(modelVersionId)}/files/${segments.map(encodeURIComponent).join('/')}`;
    return [url, noNul(f.path), f.sha256];
  });
  return { image, args };
}

/** The Secret holding the run's secret variables (base64 in `data`), owned by its Job once that exists. */
export function renderSecret(
  secretEnv: Readonly<Record<string, string>>,
  options: { namespace: string; secretName: string; key: string; owner?: { name: string; uid: string } },
): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: options.secretName,
      namespace: options.namespace,
      labels: { [MANAGED_BY_LABEL]: 'caliper', [RUN_ID_LABEL]: options.key },
      ...(options.owner
        ? {
            ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: options.owner.name, uid: options.owner.uid, controller: false }],
          }
        : {}),
    },
    immutable: true,
    data: Object.fromEntries(
      Object.entries(secretEnv).map(([name, value]) => [envName(name), Buffer.from(value, 'utf8').toString('base64')]),
    ),
  };
}

export class KubernetesExecutor implements Executor {
  /** A pod does not see the worker's run folder: its init container fetches the weights (renderJob). */
  readonly fetchesInitialWeights = true;
  private readonly options: KubernetesExecutorOptions & typeof DEFAULTS;
  private readonly k8s: KubernetesClientModule;
  private clients!: { batch: ClientNode.BatchV1Api; core: ClientNode.CoreV1Api };
  /** The token the clients were made with, and when tokenFile was last read. */
  private token = '';
  private tokenReadAt = 0;
  /** Jobs this process deleted: once the API forgets them, they read killed, not lost. */
  private readonly cancelled = new Set<string>();

  constructor(options: KubernetesExecutorOptions) {
    this.options = { ...DEFAULTS, ...options };
    if (!options.server || !options.namespace || !(options.token || options.tokenFile))
      throw new Error('the Kubernetes executor needs server, namespace and a token (or a token file)');
    if (!DNS_LABEL.test(options.namespace)) throw new Error(`"${options.namespace}" is not a namespace name`);
    this.k8s = options.client ?? loadClientNode();
    this.refreshClients();
  }

  private get batch(): ClientNode.BatchV1Api {
    return this.refreshClients().batch;
  }

  private get core(): ClientNode.CoreV1Api {
    return this.refreshClients().core;
  }

  /** The API clients, made again when the token file holds a new token. */
  private refreshClients(): { batch: ClientNode.BatchV1Api; core: ClientNode.CoreV1Api } {
    const { tokenFile } = this.options;
    if (this.clients && (!tokenFile || Date.now() - this.tokenReadAt < this.options.tokenRefreshMs)) return this.clients;
    let token = this.options.token ?? '';
    if (tokenFile) {
      token = readFileSync(tokenFile, 'utf8').trim();
      this.tokenReadAt = Date.now();
      if (!token) throw new Error(`the Kubernetes token file ${tokenFile} is empty`);
    }
    if (this.clients && token === this.token) return this.clients;
    const kc = new this.k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: 'caliper',
          server: this.options.server,
          skipTLSVerify: this.options.skipTLSVerify ?? false,
          ...(this.options.caCert ? { caData: Buffer.from(this.options.caCert, 'utf8').toString('base64') } : {}),
        },
      ],
      users: [{ name: 'caliper', token }],
      contexts: [{ name: 'caliper', cluster: 'caliper', user: 'caliper', namespace: this.namespace }],
      currentContext: 'caliper',
    });
    this.token = token;
    this.clients = { batch: kc.makeApiClient(this.k8s.BatchV1Api), core: kc.makeApiClient(this.k8s.CoreV1Api) };
    return this.clients;
  }

  private get namespace(): string {
    return this.options.namespace;
  }

  async submit(spec: ExecutionSpec): Promise<string> {
    const { jobName, secretName } = namesFor(spec.key, this.options.jobNamePrefix);
    const body = renderJob(spec, {
      namespace: this.namespace,
      jobName,
      secretName,
      partition: this.options.partition ?? 'queue',
      defaultPartition: this.options.defaultPartition,
      ttlSecondsAfterFinished: this.options.ttlSecondsAfterFinished,
      serviceAccountName: this.options.serviceAccountName,
      imagePullSecrets: this.options.imagePullSecrets,
      gpuResource: this.options.gpuResource,
      workingDir: this.options.workingDir,
      fetchImage: this.options.fetchImage,
    });
    const secretEnv = spec.secretEnv ?? {};
    for (const name of Object.keys(secretEnv)) envName(name);

    let job: V1Job;
    try {
      job = await this.batch.createNamespacedJob({ namespace: this.namespace, body });
    } catch (err) {
      if (httpCode(err) !== 409) throw apiError(err, `creating Job ${jobName}`);
      // A retried submit: the first one created it.
      job = await this.batch.readNamespacedJob({ name: jobName, namespace: this.namespace }).catch((e: unknown) => {
        throw apiError(e, `reading Job ${jobName}`);
      });
      const runId = job.metadata?.labels?.[RUN_ID_LABEL];
      if (runId !== spec.key) throw new Error(`Job ${jobName} exists but belongs to run "${runId ?? '(no caliper.io/run-id label)'}"`);
    }
    if (Object.keys(secretEnv).length > 0) {
      const uid = job.metadata?.uid;
      if (!uid) throw new Error(`the API returned Job ${jobName} without a uid`);
      try {
        await this.core.createNamespacedSecret({
          namespace: this.namespace,
          body: renderSecret(secretEnv, { namespace: this.namespace, secretName, key: spec.key!, owner: { name: jobName, uid } }),
        });
      } catch (err) {
        // Created by the submit that created the Job, which then died before answering.
        if (httpCode(err) !== 409) throw apiError(err, `creating Secret ${secretName}`);
      }
    }
    return jobName;
  }

  async sync(externalId: string): Promise<ExecutionStatus> {
    const name = jobNameOf(externalId);
    let job: V1Job;
    try {
      job = await this.batch.readNamespacedJob({ name, namespace: this.namespace });
    } catch (err) {
      if (httpCode(err) !== 404) throw apiError(err, `reading Job ${name}`);
      if (this.cancelled.has(name)) return { state: 'killed', exitCode: null, message: `Kubernetes Job ${name} was cancelled (deleted)` };
      return {
        state: 'lost',
        exitCode: null,
        message: `Kubernetes no longer knows Job ${name} (deleted, or removed ttlSecondsAfterFinished after it ended): how it ended is unknown`,
      };
    }
    const pod = await this.podOf(name);
    const status = statusFromJob(job, pod);
    if (!['finished', 'failed', 'killed'].includes(status.state) || !pod?.metadata?.name) return status;
    const logTail = await this.logTail(pod.metadata.name);
    return logTail === undefined ? status : { ...status, logTail };
  }

  async cancel(externalId: string): Promise<void> {
    const name = jobNameOf(externalId);
    try {
      await this.batch.deleteNamespacedJob({ name, namespace: this.namespace, propagationPolicy: 'Foreground' });
    } catch (err) {
      if (httpCode(err) === 404) return; // already gone: left as it ended
      throw apiError(err, `deleting Job ${name}`);
    }
    this.cancelled.add(name);
    const until = Date.now() + this.options.cancelTimeoutMs;
    for (;;) {
      try {
        await this.batch.readNamespacedJob({ name, namespace: this.namespace });
      } catch (err) {
        if (httpCode(err) === 404) return;
        throw apiError(err, `reading Job ${name}`);
      }
      if (Date.now() > until)
        throw new Error(`Kubernetes Job ${name} still exists ${this.options.cancelTimeoutMs / 1000} s after its deletion`);
      await delay(this.options.pollMs);
    }
  }

  /**
   * The pod's log from byte `offset` on (the sync copies it into the run's log stream as the job
   * writes it). The API reads a log from its start or its end, never from an offset, so the first
   * offset + maxBytes bytes are asked for (limitBytes) and those already copied dropped: each read
   * costs the log so far. Undefined while there is no pod or log yet, and once they are gone.
   */
  async readOutput(externalId: string, offset: number, maxBytes: number): Promise<Buffer | undefined> {
    const name = (await this.podOf(jobNameOf(externalId)).catch(() => undefined))?.metadata?.name;
    if (!name) return undefined;
    try {
      const text = await this.core.readNamespacedPodLog({
        name,
        namespace: this.namespace,
        container: CONTAINER,
        limitBytes: offset + maxBytes,
      });
      return Buffer.from(String(text)).subarray(offset);
    } catch {
      return undefined; // not started (ContainerCreating), gone, or the node does not answer
    }
  }

  /** The Job's newest pod (with backoffLimit 0 there is one; a node failure may have left a replacement). */
  private async podOf(jobName: string): Promise<V1Pod | undefined> {
    const list = await this.core
      .listNamespacedPod({ namespace: this.namespace, labelSelector: `job-name=${jobName}` })
      .catch((e: unknown) => {
        throw apiError(e, `listing the pods of Job ${jobName}`);
      });
    const time = (p: V1Pod) => new Date(p.metadata?.creationTimestamp ?? 0).getTime();
    return [...list.items].sort((a, b) => time(b) - time(a))[0];
  }

  private async logTail(podName: string): Promise<string | undefined> {
    try {
      const text = await this.core.readNamespacedPodLog({
        name: podName,
        namespace: this.namespace,
        container: CONTAINER,
        tailLines: this.options.logTailLines,
      });
      return String(text).replace(/\n$/, '');
    } catch {
      return undefined; // the pod (and with it its log) is gone, or the node does not answer
    }
  }
}

/**
 * A run's state from its Job and pod. The Job's terminal conditions decide first; before them, the
 * pod: Pending (with why: a waiting container's reason, or the scheduler's message) → queued,
 * Running → running, Succeeded/Failed → finished/failed with the container's exit code.
 */
export function statusFromJob(job: V1Job, pod: V1Pod | undefined): ExecutionStatus {
  const name = job.metadata?.name ?? '?';
  const says = (text: string) => `Kubernetes Job ${name} ${text}`;
  const terminated = pod?.status?.containerStatuses?.find((c) => c.name === CONTAINER)?.state?.terminated ?? undefined;
  const exitOf = () => (terminated ? (terminated.reason === 'OOMKilled' ? 137 : terminated.exitCode) : null);
  const why = () => (terminated?.reason ? `: ${terminated.reason}${terminated.message ? ` (${terminated.message.trim()})` : ''}` : '');

  if (job.metadata?.deletionTimestamp) return { state: 'killed', exitCode: exitOf(), message: says('was cancelled (being deleted)') };
  const condition = (type: string) => job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
  const failed = condition('Failed') ?? condition('FailureTarget');
  // The initial weights' fetch failed (not cut by the wall time, said below): the run's command never ran.
  const fetch = pod?.status?.initContainerStatuses?.find((c) => c.name === WEIGHTS_CONTAINER)?.state?.terminated;
  if (fetch && fetch.exitCode !== 0 && failed?.reason !== 'DeadlineExceeded' && (failed || pod?.status?.phase === 'Failed')) {
    const exit = fetch.reason === 'OOMKilled' ? 137 : fetch.exitCode;
    const reason = fetch.reason && fetch.reason !== 'Error' ? `: ${fetch.reason}` : '';
    return {
      state: 'failed',
      exitCode: exit,
      message: says(
        `failed before the run started: its initial weights could not be fetched (exit code ${exit}${reason})${fetch.message?.trim() ? `: ${fetch.message.trim()}` : ''}`,
      ),
    };
  }
  if (condition('Complete') ?? condition('SuccessCriteriaMet'))
    return { state: 'finished', exitCode: 0, message: says('completed (exit code 0)') };
  if (failed) {
    if (failed.reason === 'DeadlineExceeded')
      return { state: 'failed', exitCode: exitOf(), message: says('reached its wall time limit (activeDeadlineSeconds)') };
    const exit = exitOf();
    return {
      state: 'failed',
      exitCode: exit,
      message: says(`failed${exit !== null ? ` (exit code ${exit}${why()})` : failed.reason ? `: ${failed.reason}` : ''}`),
    };
  }
  if (job.spec?.suspend) {
    const queue = job.metadata?.labels?.[KUEUE_QUEUE_LABEL];
    return { state: 'queued', exitCode: null, message: says(queue ? `is waiting in queue ${queue} (suspended)` : 'is suspended') };
  }
  if (!pod) return { state: 'queued', exitCode: null, message: says('is waiting for its pod to be created') };

  const podName = pod.metadata?.name ?? '?';
  switch (pod.status?.phase) {
    case 'Running':
      return { state: 'running', exitCode: null, message: says(`running${pod.spec?.nodeName ? ` on ${pod.spec.nodeName}` : ''}`) };
    case 'Succeeded':
      return { state: 'finished', exitCode: exitOf() ?? 0, message: says('completed (exit code 0)') };
    case 'Failed': {
      const exit = exitOf();
      return {
        state: 'failed',
        exitCode: exit,
        message: says(`failed${exit !== null ? ` (exit code ${exit}${why()})` : pod.status.reason ? `: ${pod.status.reason}` : ''}`),
      };
    }
    case 'Unknown':
      return { state: 'running', exitCode: null, message: says(`pod ${podName}: its node does not answer (state Unknown)`) };
    default:
      return { state: 'queued', exitCode: null, message: says(`pending: ${pendingReason(pod)}`) };
  }
}

/** Why a pod has not started: a waiting container's reason and message, else the scheduler's, else its phase. */
function pendingReason(pod: V1Pod): string {
  const waiting = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].find(
    (c) => c.state?.waiting?.reason,
  )?.state?.waiting;
  if (waiting?.reason) return `${waiting.reason}${waiting.message ? `: ${waiting.message.trim()}` : ''}`;
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False')
    return `${scheduled.reason ?? 'Unschedulable'}${scheduled.message ? `: ${scheduled.message.trim()}` : ''}`;
  return scheduled?.status === 'True' ? 'ContainerCreating' : 'waiting to be scheduled';
}

function loadClientNode(): KubernetesClientModule {
  // ESM only: Node 22.12+ requires it natively (a static import would also make every module that
  // imports this one unloadable in Jest on Node < 24.9).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@kubernetes/client-node') as KubernetesClientModule;
}

function jobNameOf(externalId: string): string {
  if (!DNS_LABEL.test(externalId) || externalId.length > 63) throw new Error(`"${externalId}" is not a Kubernetes Job name`);
  return externalId;
}

function httpCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The API's own words (its Status message) with what was being done. */
function apiError(err: unknown, doing: string): Error {
  const code = httpCode(err);
  if (code === undefined) {
    if (!(err instanceof Error)) return new Error(`${doing}: ${String(err)}`);
    // fetch's "fetch failed" says nothing: its cause does (ECONNREFUSED, a certificate error).
    const cause = (err as { cause?: { message?: string; code?: string } }).cause;
    const detail = cause?.message ? `: ${cause.code && !cause.message.includes(cause.code) ? `${cause.code} ` : ''}${cause.message}` : '';
    return new Error(`${doing}: ${err.message}${detail}`, { cause: err });
  }
  let body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      /* plain text */
    }
  }
  const message = (body as { message?: string } | null)?.message ?? (typeof body === 'string' ? body : '');
  return new Error(`${doing}: the Kubernetes API answered ${code}${message ? `: ${message}` : ''}`, { cause: err });
}

function positive(n: number, what: string): number {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`resources.${what} must be a positive whole number, not ${n}`);
  return n;
}

function envName(name: string): string {
  if (!ENV_NAME.test(name)) throw new Error(`"${name}" is not a variable name`);
  return name;
}

function noNul(value: string): string {
  if (value.includes('\0')) throw new Error('a job argument or variable cannot hold a NUL character');
  return value;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
