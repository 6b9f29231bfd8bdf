/**
 * The Kubernetes executor's options from the TRAINING_KUBERNETES_* variables, checked when the
 * worker starts (a worker that cannot reach its cluster should not start and fail every run
 * later). Inside a pod the variables may stay unset: the API server, namespace, token and CA are
 * the pod's own, as client-go's in-cluster configuration finds them (KUBERNETES_SERVICE_HOST and
 * _PORT, /var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt,namespace}). Every problem
 * is named with its variable at once, as loadConfig names the others.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import path from 'node:path';
import { Config, ConfigError } from '@caliper/config';
import type { KubernetesExecutorOptions } from './kubernetes.executor';

/** Where the kubelet mounts a pod's ServiceAccount credentials. */
export const IN_CLUSTER_CREDENTIALS = '/var/run/secrets/kubernetes.io/serviceaccount';

export type KubernetesConfig = Pick<
  Config,
  | 'TRAINING_KUBERNETES_SERVER'
  | 'TRAINING_KUBERNETES_NAMESPACE'
  | 'TRAINING_KUBERNETES_TOKEN_FILE'
  | 'TRAINING_KUBERNETES_CA_FILE'
  | 'TRAINING_KUBERNETES_INSECURE_SKIP_TLS_VERIFY'
  | 'TRAINING_KUBERNETES_PARTITION'
  | 'TRAINING_KUBERNETES_PARTITION_NODE_LABEL'
  | 'TRAINING_KUBERNETES_GPU_RESOURCE'
  | 'TRAINING_KUBERNETES_IMAGE_PULL_SECRETS'
  | 'TRAINING_KUBERNETES_SERVICE_ACCOUNT'
  | 'TRAINING_KUBERNETES_FETCH_IMAGE'
>;

/**
 * The executor's options (the client module aside), or a ConfigError naming each variable that is
 * missing or points at something unusable. `env` and `credentials` are the process's environment
 * and the in-cluster folder, given by tests.
 */
export function kubernetesExecutorOptions(
  config: KubernetesConfig,
  env: Record<string, string | undefined> = process.env,
  credentials = IN_CLUSTER_CREDENTIALS,
): KubernetesExecutorOptions {
  const problems: string[] = [];
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const inPod = Boolean(host && port);
  const outside = 'required when the worker does not run in a Kubernetes pod (TRAINING_EXECUTORS names kubernetes)';

  const server = config.TRAINING_KUBERNETES_SERVER ?? (inPod ? `https://${isIPv6(host!) ? `[${host}]` : host}:${port}` : undefined);
  if (!server) problems.push(`TRAINING_KUBERNETES_SERVER: ${outside}`);
  else if (server.startsWith('http:') && !config.TRAINING_KUBERNETES_INSECURE_SKIP_TLS_VERIFY)
    problems.push(
      `TRAINING_KUBERNETES_SERVER: ${server} is plain HTTP, which the Kubernetes client refuses unless TRAINING_KUBERNETES_INSECURE_SKIP_TLS_VERIFY=true (a kubectl proxy, a test server); a cluster's API server is https://`,
    );

  const inCluster = (name: string) => path.join(credentials, name);
  let namespace = config.TRAINING_KUBERNETES_NAMESPACE;
  if (!namespace) {
    const file = inCluster('namespace');
    if (!existsSync(file)) problems.push(`TRAINING_KUBERNETES_NAMESPACE: ${outside} (there is no ${file})`);
    else namespace = readFileSync(file, 'utf8').trim();
  }

  const tokenFile = config.TRAINING_KUBERNETES_TOKEN_FILE ?? inCluster('token');
  if (!config.TRAINING_KUBERNETES_TOKEN_FILE && !existsSync(tokenFile))
    problems.push(`TRAINING_KUBERNETES_TOKEN_FILE: ${outside} (there is no ${tokenFile})`);
  else {
    const token = readable(tokenFile, 'TRAINING_KUBERNETES_TOKEN_FILE', problems);
    if (token !== undefined && !token.trim()) problems.push(`TRAINING_KUBERNETES_TOKEN_FILE: ${tokenFile} is empty`);
    else if (token !== undefined && /\s/.test(token.trim()))
      problems.push(`TRAINING_KUBERNETES_TOKEN_FILE: ${tokenFile} holds more than one word; it must hold the bearer token only`);
  }

  // The pod's CA when the worker runs in one and no other is named; else the system's CAs.
  const caFile = config.TRAINING_KUBERNETES_CA_FILE ?? (inPod && existsSync(inCluster('ca.crt')) ? inCluster('ca.crt') : undefined);
  let caCert: string | undefined;
  if (caFile) {
    caCert = readable(caFile, 'TRAINING_KUBERNETES_CA_FILE', problems);
    if (caCert !== undefined && !caCert.includes('-----BEGIN CERTIFICATE-----'))
      problems.push(`TRAINING_KUBERNETES_CA_FILE: ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }

  if (problems.length) throw new ConfigError(problems);
  return {
    server: server!,
    namespace: namespace!,
    tokenFile,
    ...(caCert ? { caCert } : {}),
    skipTLSVerify: config.TRAINING_KUBERNETES_INSECURE_SKIP_TLS_VERIFY,
    partition: config.TRAINING_KUBERNETES_PARTITION_NODE_LABEL
      ? { nodeSelectorKey: config.TRAINING_KUBERNETES_PARTITION_NODE_LABEL }
      : 'queue',
    ...(config.TRAINING_KUBERNETES_PARTITION ? { defaultPartition: config.TRAINING_KUBERNETES_PARTITION } : {}),
    gpuResource: config.TRAINING_KUBERNETES_GPU_RESOURCE,
    ...(config.TRAINING_KUBERNETES_IMAGE_PULL_SECRETS ? { imagePullSecrets: config.TRAINING_KUBERNETES_IMAGE_PULL_SECRETS } : {}),
    ...(config.TRAINING_KUBERNETES_SERVICE_ACCOUNT ? { serviceAccountName: config.TRAINING_KUBERNETES_SERVICE_ACCOUNT } : {}),
    fetchImage: config.TRAINING_KUBERNETES_FETCH_IMAGE,
  };
}

/** The file's text, or undefined with a problem naming the variable and the system's reason. */
function readable(file: string, variable: string, problems: string[]): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`${variable}: cannot read ${file}: ${(err as Error).message}`);
    return undefined;
  }
}
