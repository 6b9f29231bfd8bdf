/**
 * The Kubernetes executor's settings as the worker resolves them at start: the TRAINING_KUBERNETES_*
 * variables, else a pod's own cluster (its service address variables and the credentials folder,
 * here a temp folder), every problem named with its variable.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '@caliper/config';
import { kubernetesExecutorOptions } from './kubernetes-settings';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('kubernetesExecutorOptions', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'caliper-k8s-settings-'));
  const folder = (name: string, files: Record<string, string>) => {
    const dir = path.join(root, name);
    mkdirSync(dir);
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
    return dir;
  };
  const problems = (f: () => unknown): string[] => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).problems;
    }
    throw new Error('expected a ConfigError');
  };
  const none = path.join(root, 'not-a-pod');

  it("takes the pod's own cluster when the variables are unset: service address, namespace, token file, CA", () => {
    const pod = folder('pod', { token: 'eyJhbGciOi.pod-token', namespace: 'caliper-runs\n', 'ca.crt': PEM });
    const options = kubernetesExecutorOptions(
      loadConfig({}),
      { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
      pod,
    );
    expect(options).toEqual({
      server: 'https://10.96.0.1:443',
      namespace: 'caliper-runs',
      tokenFile: path.join(pod, 'token'),
      caCert: PEM,
      skipTLSVerify: false,
      partition: 'queue',
      gpuResource: 'nvidia.com/gpu',
      fetchImage: 'curlimages/curl:8.11.1',
    });
    expect(
      kubernetesExecutorOptions(loadConfig({}), { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, pod).server,
    ).toBe('https://[fd00::1]:443');
  });

  it('takes the variables over the pod, and passes the partition, GPU resource, pull secrets, ServiceAccount and fetch image on', () => {
    const pod = folder('pod-overridden', { token: 'pod-token', namespace: 'default', 'ca.crt': PEM });
    const own = folder('own', { token: 'own-token\n', 'ca.pem': PEM });
    const options = kubernetesExecutorOptions(
      loadConfig({
        TRAINING_KUBERNETES_SERVER: 'https://k8s.example.org:6443',
        TRAINING_KUBERNETES_NAMESPACE: 'radiology',
        TRAINING_KUBERNETES_TOKEN_FILE: path.join(own, 'token'),
        TRAINING_KUBERNETES_CA_FILE: path.join(own, 'ca.pem'),
        TRAINING_KUBERNETES_PARTITION: 'gpu',
        TRAINING_KUBERNETES_PARTITION_NODE_LABEL: 'caliper.io/pool',
        TRAINING_KUBERNETES_GPU_RESOURCE: 'amd.com/gpu',
        TRAINING_KUBERNETES_IMAGE_PULL_SECRETS: 'registry-creds',
        TRAINING_KUBERNETES_SERVICE_ACCOUNT: 'trainer',
        TRAINING_KUBERNETES_FETCH_IMAGE: 'registry.example.org/tools/curl:8.11.1',
      }),
      { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
      pod,
    );
    expect(options).toEqual({
      server: 'https://k8s.example.org:6443',
      namespace: 'radiology',
      tokenFile: path.join(own, 'token'),
      caCert: PEM,
      skipTLSVerify: false,
      partition: { nodeSelectorKey: 'caliper.io/pool' },
      defaultPartition: 'gpu',
      gpuResource: 'amd.com/gpu',
      imagePullSecrets: ['registry-creds'],
      serviceAccountName: 'trainer',
      fetchImage: 'registry.example.org/tools/curl:8.11.1',
    });
  });

  it('outside a pod, names the server, namespace and token file it needs', () => {
    expect(problems(() => kubernetesExecutorOptions(loadConfig({ TRAINING_EXECUTORS: 'kubernetes' }), {}, none))).toEqual([
      'TRAINING_KUBERNETES_SERVER: required when the worker does not run in a Kubernetes pod (TRAINING_EXECUTORS names kubernetes)',
      `TRAINING_KUBERNETES_NAMESPACE: required when the worker does not run in a Kubernetes pod (TRAINING_EXECUTORS names kubernetes) (there is no ${none}/namespace)`,
      `TRAINING_KUBERNETES_TOKEN_FILE: required when the worker does not run in a Kubernetes pod (TRAINING_EXECUTORS names kubernetes) (there is no ${none}/token)`,
    ]);
  });

  it('refuses a missing or empty token file, a CA file without a certificate, and plain HTTP without skipping TLS checks', () => {
    const bad = folder('bad', { empty: '  \n', 'two-words': 'Bearer abc', 'ca.pem': 'not a certificate' });
    const base = { TRAINING_KUBERNETES_NAMESPACE: 'runs', TRAINING_KUBERNETES_SERVER: 'http://127.0.0.1:8001' };
    const found = (vars: Record<string, string>) => problems(() => kubernetesExecutorOptions(loadConfig({ ...base, ...vars }), {}, none));
    expect(found({ TRAINING_KUBERNETES_TOKEN_FILE: path.join(bad, 'missing') })).toEqual([
      expect.stringMatching(
        /^TRAINING_KUBERNETES_SERVER: http:\/\/127\.0\.0\.1:8001 is plain HTTP, .*TRAINING_KUBERNETES_INSECURE_SKIP_TLS_VERIFY=true/,
      ),
      expect.stringMatching(new RegExp(`^TRAINING_KUBERNETES_TOKEN_FILE: cannot read ${bad}/missing: ENOENT`)),
    ]);
    expect(
      found({ TRAINING_KUBERNETES_TOKEN_FILE: path.join(bad, 'empty'), TRAINING_KUBERNETES_INSECURE_SKIP_TLS_VERIFY: 'true' }),
    ).toEqual([`TRAINING_KUBERNETES_TOKEN_FILE: ${bad}/empty is empty`]);
    expect(
      found({
        TRAINING_KUBERNETES_TOKEN_FILE: path.join(bad, 'two-words'),
        TRAINING_KUBERNETES_CA_FILE: path.join(bad, 'ca.pem'),
        TRAINING_KUBERNETES_INSECURE_SKIP_TLS_VERIFY: 'true',
      }),
    ).toEqual([
      `TRAINING_KUBERNETES_TOKEN_FILE: ${bad}/two-words holds more than one word; it must hold the bearer token only`,
      `TRAINING_KUBERNETES_CA_FILE: ${bad}/ca.pem holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    ]);
  });
});
