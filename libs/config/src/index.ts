/**
 * Configuration from environment variables, validated once at start. A bad value stops the
 * process with a message naming the variable. `.env.example` lists every variable.
 */
import { z } from 'zod';

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.join(' or ')}//`,
  );

/** Kubernetes names: a DNS label (namespaces), a DNS subdomain (Secrets, ServiceAccounts), a label value, a label key (prefix/name). */
const dnsLabel = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const dnsSubdomain = '[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?';
const labelValue = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;
const labelKey = /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;

const bucket = z.string().regex(/^[a-z0-9][a-z0-9.-]{2,62}$/, 'must be a valid S3 bucket name');

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  WORKER_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
  INFERENCE_PORT: z.coerce.number().int().min(1).max(65535).default(3002),
  WEB_PORT: z.coerce.number().int().min(1).max(65535).default(5173),
  /** Built web app the API serves at / (one origin for cookies); unset: the API serves no pages. */
  WEB_DIST_DIR: z.string().min(1).optional(),
  /** Whose X-Forwarded-For to believe (client address in the audit log and the per-address sign-in limit): false, a hop count, or the proxy's addresses/subnets. */
  TRUST_PROXY: z
    .string()
    .regex(/^(false|\d{1,2}|[a-z0-9.:/,\s]+)$/, 'must be false, a hop count, or proxy names/subnets')
    .refine(
      (v) => v.trim() !== 'true',
      "must not be true: that trusts X-Forwarded-For from any client, so every client would choose its own address; name the proxy's address instead",
    )
    .default('false'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://caliper_app@127.0.0.1:5432/caliper'),
  DATABASE_OWNER_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/caliper'),
  DATABASE_APP_PASSWORD: z.string().min(1).optional(),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /** Namespace of Caliper's Redis keys (login limits, job queue), so deployments or test runs can share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be 1-40 lowercase letters, digits, "_" or "-"')
    .default('caliper'),
  S3_ENDPOINT: url(['http:', 'https:']).default('http://127.0.0.1:9000'),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY: z.string().min(1).default('caliper'),
  S3_SECRET_KEY: z.string().min(1).default('caliper-dev-secret'),
  S3_BUCKET_AUDIT: bucket.default('caliper-audit'),
  S3_BUCKET_ARTIFACTS: bucket.default('caliper-artifacts'),
  /** Dataset manifests and the DICOM objects copied into datasets. */
  S3_BUCKET_DATASETS: bucket.default('caliper-datasets'),
  /** The S3 endpoint as browsers and SDK clients reach it; presigned URLs are signed for it. Unset: S3_ENDPOINT. */
  S3_PUBLIC_ENDPOINT: url(['http:', 'https:']).optional(),
  /** DICOMweb root of the PACS (QIDO-RS, WADO-RS, STOW-RS), e.g. Orthanc's http://host:8042/dicom-web; unset: no PACS. */
  PACS_DICOMWEB_URL: url(['http:', 'https:']).optional(),
  /** Multipart part size for artifact uploads (S3 requires at least 5 MiB per part but the last). */
  ARTIFACT_PART_SIZE_MB: z.coerce.number().int().min(5).max(512).default(16),
  /** Largest artifact accepted in one upload; larger ones are refused with 413. */
  ARTIFACT_MAX_SIZE_MB: z.coerce
    .number()
    .int()
    .min(1)
    .max(5 * 1024 * 1024)
    .default(10 * 1024),
  /** Largest zip of DICOM files uploaded into a dataset version in one request; larger ones get 413. */
  DATASET_ZIP_MAX_MB: z.coerce
    .number()
    .int()
    .min(1)
    .max(64 * 1024)
    .default(2048),
  /** Largest JSON or NDJSON request body (MLflow log-batch, native batches); larger ones get 413. */
  MAX_BATCH_BODY_MB: z.coerce.number().int().min(1).max(1024).default(16),
  /** Longest any one statement of an API request may run (searches have their own, shorter limit). */
  API_STATEMENT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
  BOOTSTRAP_ADMIN_USERNAME: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{1,62}$/, 'must be 2-63 lowercase letters, digits, ".", "_" or "-"')
    .default('admin'),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(12),
  COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  LOGIN_LOCKOUT_SECONDS: z.coerce.number().int().min(1).max(86400).default(900),
  /** While audit events keep coming, the longest the newest of them waits for a checkpoint. */
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(86400).default(300),
  /** A checkpoint is written once the audit chain has had no new event for this long (soon after each burst). */
  AUDIT_CHECKPOINT_QUIET_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  UPLOAD_ORPHAN_AFTER_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86400)
    .default(86400),
  /** Allow webhook URLs on loopback, private and link-local addresses (a receiver inside the hospital network; tests). Off: such URLs are refused when created and when sent. */
  WEBHOOK_ALLOW_PRIVATE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Delays before each retry of a failed webhook delivery (ms, s, m, h); attempts in all = steps + 1. Tests set a short one, e.g. 200ms,200ms. */
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .regex(/^\d{1,6}(ms|s|m|h)(,\d{1,6}(ms|s|m|h)){0,19}$/, 'must be a comma-separated list of delays such as 30s,2m,10m,1h,6h')
    .default('30s,2m,10m,1h,6h'),
  /** The API's address as a launched training job reaches it (MLFLOW_TRACKING_URI of the job); default: this machine's API. */
  TRAINING_TRACKING_URL: z.string().url().optional(),
  /** Where the worker keeps launched runs' files (token file, job script, log); one folder per run. */
  TRAINING_WORK_DIR: z.string().min(1).optional(),
  /** The executors this worker runs launched runs with: local (a child process), slurm (sbatch on this submit host), kubernetes (Jobs through the API server). */
  TRAINING_EXECUTORS: z
    .string()
    .regex(/^(local|slurm|kubernetes)(,(local|slurm|kubernetes))*$/, 'must be a comma-separated list of local, slurm, kubernetes')
    .default('local')
    .transform((v) => [...new Set(v.split(','))] as ('local' | 'slurm' | 'kubernetes')[]),
  /** The Slurm partition of a run whose template names none (Slurm's default partition when unset). */
  TRAINING_SLURM_PARTITION: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/)
    .optional(),
  /** The Kubernetes API server's URL; unset inside a pod: the cluster's own (KUBERNETES_SERVICE_HOST and _PORT). */
  TRAINING_KUBERNETES_SERVER: url(['https:', 'http:']).optional(),
  /** The namespace the runs' Jobs go to; unset inside a pod: the pod's own namespace. */
  TRAINING_KUBERNETES_NAMESPACE: z
    .string()
    .regex(dnsLabel, 'must be a namespace name (a DNS label: lowercase letters, digits and "-")')
    .optional(),
  /** A file holding the bearer token of the ServiceAccount the worker submits as (read again every minute); unset inside a pod: the pod's own. */
  TRAINING_KUBERNETES_TOKEN_FILE: z.string().min(1).optional(),
  /** The cluster's CA certificate (PEM) the API server's certificate is checked against; unset: the pod's ca.crt inside a pod, else the system's CAs. */
  TRAINING_KUBERNETES_CA_FILE: z.string().min(1).optional(),
  /** Do not check the API server's certificate: required for an http:// server (kubectl proxy, tests); never for a real cluster. */
  TRAINING_KUBERNETES_INSECURE_SKIP_TLS_VERIFY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** The Kueue LocalQueue (or node pool) of a run whose template names no partition; none when unset. */
  TRAINING_KUBERNETES_PARTITION: z
    .string()
    .regex(labelValue, 'must be a Kubernetes label value (at most 63 letters, digits, "-", "_", ".")')
    .optional(),
  /** Put a run's partition in the pod's nodeSelector under this node label instead of a Kueue queue label (a cluster without Kueue). */
  TRAINING_KUBERNETES_PARTITION_NODE_LABEL: z.string().regex(labelKey, 'must be a Kubernetes label key such as caliper.io/pool').optional(),
  /** The extended resource a run's GPUs are requested as (the device plugin's). */
  TRAINING_KUBERNETES_GPU_RESOURCE: z
    .string()
    .regex(labelKey, 'must be an extended resource name such as nvidia.com/gpu or amd.com/gpu')
    .default('nvidia.com/gpu'),
  /** Secrets in the namespace with registry credentials for the runs' images, comma-separated. */
  TRAINING_KUBERNETES_IMAGE_PULL_SECRETS: z
    .string()
    .regex(new RegExp(`^${dnsSubdomain}(,${dnsSubdomain})*$`), 'must be a comma-separated list of Secret names')
    .transform((v) => v.split(','))
    .optional(),
  /** The ServiceAccount the runs' pods run as; the namespace's default when unset. */
  TRAINING_KUBERNETES_SERVICE_ACCOUNT: z
    .string()
    .regex(new RegExp(`^${dnsSubdomain}$`), 'must be a ServiceAccount name')
    .optional(),
  /**
   * The image of the init container that fetches a run's initial weights (transfer learning) from
   * Caliper into the pod and checks their sha256: it needs sh, curl and sha256sum.
   */
  TRAINING_KUBERNETES_FETCH_IMAGE: z
    .string()
    .regex(/^[^\s]+$/, 'must be an image reference such as curlimages/curl:8.11.1')
    .default('curlimages/curl:8.11.1'),
  /** A running run that has sent heartbeats but none for this long is marked lost (a launched one after asking its executor). */
  TRAINING_HEARTBEAT_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86400)
    .default(900),
  /** How often the worker asks the executors how launched runs are doing. */
  TRAINING_SYNC_INTERVAL_MS: z.coerce.number().int().min(200).max(3_600_000).default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every variable and its default.`);
  }
}

/** Parses the environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const relevant = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(relevant);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return parsed.data;
}
