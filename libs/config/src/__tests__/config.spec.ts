import { ConfigError, loadConfig } from '../index';

describe('loadConfig', () => {
  it('uses local defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.HOST).toBe('127.0.0.1');
    expect(c.DATABASE_URL).toBe('postgres://caliper_app@127.0.0.1:5432/caliper');
    expect(c.API_PORT).toBe(3000);
  });

  it('names every bad variable', () => {
    try {
      loadConfig({ API_PORT: 'eighty', REDIS_URL: 'http://x' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toMatch(/API_PORT/);
      expect((e as Error).message).toMatch(/REDIS_URL: must be a URL starting with redis: or rediss:/);
    }
  });
});

describe('loadConfig: the training executors and the Kubernetes cluster', () => {
  it('enables kubernetes next to local and slurm, once each', () => {
    expect(loadConfig({}).TRAINING_EXECUTORS).toEqual(['local']);
    expect(loadConfig({ TRAINING_EXECUTORS: 'local,slurm,kubernetes,local' }).TRAINING_EXECUTORS).toEqual(['local', 'slurm', 'kubernetes']);
    expect(() => loadConfig({ TRAINING_EXECUTORS: 'local,k8s' })).toThrow(
      'TRAINING_EXECUTORS: must be a comma-separated list of local, slurm, kubernetes',
    );
  });

  it('reads the cluster settings, with defaults for the GPU resource and TLS checking', () => {
    const c = loadConfig({
      TRAINING_KUBERNETES_SERVER: 'https://k8s.example.org:6443',
      TRAINING_KUBERNETES_NAMESPACE: 'caliper-runs',
      TRAINING_KUBERNETES_TOKEN_FILE: '/etc/caliper/k8s-token',
      TRAINING_KUBERNETES_CA_FILE: '/etc/caliper/k8s-ca.pem',
      TRAINING_KUBERNETES_PARTITION: 'gpu-a100',
      TRAINING_KUBERNETES_PARTITION_NODE_LABEL: 'caliper.io/pool',
      TRAINING_KUBERNETES_IMAGE_PULL_SECRETS: 'registry-creds,mirror.creds',
      TRAINING_KUBERNETES_SERVICE_ACCOUNT: 'caliper-runs',
    });
    expect(c).toMatchObject({
      TRAINING_KUBERNETES_SERVER: 'https://k8s.example.org:6443',
      TRAINING_KUBERNETES_NAMESPACE: 'caliper-runs',
      TRAINING_KUBERNETES_PARTITION_NODE_LABEL: 'caliper.io/pool',
      TRAINING_KUBERNETES_IMAGE_PULL_SECRETS: ['registry-creds', 'mirror.creds'],
      TRAINING_KUBERNETES_GPU_RESOURCE: 'nvidia.com/gpu',
      TRAINING_KUBERNETES_INSECURE_SKIP_TLS_VERIFY: false,
    });
    expect(loadConfig({ TRAINING_KUBERNETES_GPU_RESOURCE: 'amd.com/gpu' }).TRAINING_KUBERNETES_GPU_RESOURCE).toBe('amd.com/gpu');
    expect(loadConfig({ TRAINING_KUBERNETES_INSECURE_SKIP_TLS_VERIFY: 'true' }).TRAINING_KUBERNETES_INSECURE_SKIP_TLS_VERIFY).toBe(true);
  });

  it('names each bad cluster setting', () => {
    let message = '';
    try {
      loadConfig({
        TRAINING_KUBERNETES_SERVER: 'k8s.example.org:6443',
        TRAINING_KUBERNETES_NAMESPACE: 'Caliper_Runs',
        TRAINING_KUBERNETES_PARTITION: 'gpu queue',
        TRAINING_KUBERNETES_PARTITION_NODE_LABEL: 'pool=gpu',
        TRAINING_KUBERNETES_GPU_RESOURCE: 'nvidia.com/gpu/x',
        TRAINING_KUBERNETES_IMAGE_PULL_SECRETS: 'creds,,other',
        TRAINING_KUBERNETES_SERVICE_ACCOUNT: 'Caliper',
        TRAINING_KUBERNETES_INSECURE_SKIP_TLS_VERIFY: 'yes',
      });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/TRAINING_KUBERNETES_SERVER: must be a URL starting with https: or http:/);
    expect(message).toMatch(/TRAINING_KUBERNETES_NAMESPACE: must be a namespace name/);
    expect(message).toMatch(/TRAINING_KUBERNETES_PARTITION: must be a Kubernetes label value/);
    expect(message).toMatch(/TRAINING_KUBERNETES_PARTITION_NODE_LABEL: must be a Kubernetes label key/);
    expect(message).toMatch(/TRAINING_KUBERNETES_GPU_RESOURCE: must be an extended resource name/);
    expect(message).toMatch(/TRAINING_KUBERNETES_IMAGE_PULL_SECRETS: must be a comma-separated list of Secret names/);
    expect(message).toMatch(/TRAINING_KUBERNETES_SERVICE_ACCOUNT: must be a ServiceAccount name/);
    expect(message).toMatch(/TRAINING_KUBERNETES_INSECURE_SKIP_TLS_VERIFY/);
  });
});
