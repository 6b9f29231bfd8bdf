/**
 * Every background job as one discriminated union `{ name, data }` (immich's pattern), so a
 * processor written for a job name gets its payload type from the name. Payloads carry a
 * version (`v`) so a worker can tell an old payload still waiting in Redis from a new one.
 *
 * Jobs are grouped into families, and each family has a BullMQ queue of its own, so a slow or
 * stuck family (a training dispatch waiting on a scheduler) never holds up another (the audit
 * checkpoints). A job's name starts with its family: 'auth.failed-logins.flush' is in 'auth'.
 * A new kind of work ('training', 'registry', 'datasets') is a new family here.
 */
import { z } from 'zod';

const isoMinute = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/, 'must be the start of a UTC minute, e.g. 2026-11-27T03:41:00Z')
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be a real date and time');

/** Each family's job names must start with the family and a '.'; a name under the wrong family does not compile. */
type FamiliesOfJobs<T> = { [F in keyof T]: { [N in keyof T[F]]: N extends `${F & string}.${string}` ? z.ZodType : never } };

function defineJobFamilies<T extends FamiliesOfJobs<T>>(families: T): T {
  return families;
}

export const jobFamilies = defineJobFamilies({
  audit: { 'audit.checkpoint': z.object({ v: z.literal(1) }).strict() },
  uploads: { 'uploads.sweep': z.object({ v: z.literal(1) }).strict() },
  idempotency: { 'idempotency.purge': z.object({ v: z.literal(1) }).strict() },
  auth: {
    'auth.failed-logins.flush': z
      .object({
        v: z.literal(1),
        username: z.string().min(1).max(256),
        ip: z.string().min(1).max(64),
        minute: isoMinute,
      })
      .strict(),
  },
  datasets: {
    /** Builds a draft dataset version from a PACS query: the import row (dataset_imports) holds the query and the progress. */
    'datasets.import-pacs': z.object({ v: z.literal(1), importId: z.string().uuid() }).strict(),
    /** Re-fetches and re-hashes every item of a version: the verification row (dataset_verifications) holds the progress and drift. */
    'datasets.verify-version': z.object({ v: z.literal(1), verificationId: z.string().uuid() }).strict(),
  },
  registry: {
    /** Loads a registered model version with onnxruntime-node and runs a smoke input: the row (model_version_validations) holds the outcome. */
    'registry.validate-version': z.object({ v: z.literal(1), modelVersionId: z.string().uuid() }).strict(),
    /** Runs a version on a sealed test dataset version for a promotion request's evaluation gate: the row (model_evaluations) holds the outcome. */
    'registry.evaluate-version': z.object({ v: z.literal(1), evaluationId: z.string().uuid() }).strict(),
    /** Re-hashes an approved request's model files and, when they are intact, deploys it (promotion_requests.status 'approved'). */
    'registry.deploy-version': z.object({ v: z.literal(1), promotionRequestId: z.string().uuid() }).strict(),
  },
  webhooks: {
    /**
     * One attempt to POST a registry event to a webhook: the delivery row (webhook_deliveries)
     * holds the event, its id (the same every attempt) and the outcome; a failed attempt enqueues
     * the next with its own number, due after the retry schedule's delay.
     */
    'webhooks.deliver': z.object({ v: z.literal(1), deliveryId: z.string().uuid(), attempt: z.number().int().min(1).max(1000) }).strict(),
  },
  training: {
    /**
     * Submits a launched run to its executor (run_executions holds the command, the executor and
     * the values): mints the run-scoped token, records the scheduler's id. A run already submitted
     * is skipped, and a scheduler with a shared queue finds a job it already has by the run's id.
     */
    'training.submit': z.object({ v: z.literal(1), runUuid: z.string().regex(/^[0-9a-f]{32}$/) }).strict(),
    /** Stops a launched run whose cancel was requested (run_executions.cancel_requested_at). */
    'training.cancel': z.object({ v: z.literal(1), runUuid: z.string().regex(/^[0-9a-f]{32}$/) }).strict(),
    /** Asks each executor how its open runs are doing and records it on the runs (scheduled). */
    'training.sync': z.object({ v: z.literal(1) }).strict(),
  },
  deployments: {
    /**
     * A deployment started or ended (the typed deployment event of issue 14). Consumed by the
     * inference service, not the worker: it loads or unloads the model version named here.
     */
    'deployments.changed': z
      .object({
        v: z.literal(1),
        deploymentId: z.string().uuid(),
        change: z.enum(['activated', 'ended']),
        registeredModelId: z.string().uuid(),
        modelVersionId: z.string().uuid(),
        site: z.string().min(1).max(128),
        mode: z.enum(['clinical', 'shadow']),
        modelSha256: z.string().regex(/^[0-9a-f]{64}$/),
      })
      .strict(),
  },
});

/** Families whose jobs another app consumes (the worker neither processes nor needs processors for them). */
export const FAMILY_CONSUMERS: { readonly [F in keyof typeof jobFamilies]: 'worker' | 'inference' } = {
  audit: 'worker',
  uploads: 'worker',
  idempotency: 'worker',
  auth: 'worker',
  datasets: 'worker',
  registry: 'worker',
  deployments: 'inference',
  webhooks: 'worker',
  training: 'worker',
};

type Families = typeof jobFamilies;
export type JobFamily = keyof Families;
export type JobName = { [F in JobFamily]: keyof Families[F] }[JobFamily];
/** The job names of one family. */
export type JobNameIn<F extends JobFamily> = keyof Families[F];
/** The family a job name belongs to. */
export type FamilyOf<N extends JobName> = { [F in JobFamily]: N extends JobNameIn<F> ? F : never }[JobFamily];
type SchemaOf<N extends JobName> = { [F in JobFamily]: N extends keyof Families[F] ? Families[F][N] : never }[JobFamily];

export const jobPayloadSchemas = Object.assign({}, ...Object.values(jobFamilies)) as { [N in JobName]: SchemaOf<N> };
export type JobPayloads = { [K in JobName]: z.infer<(typeof jobPayloadSchemas)[K]> };
export type Job<N extends JobName = JobName> = { [K in N]: { name: K; data: JobPayloads[K] } }[N];

export const JOB_FAMILIES = Object.keys(jobFamilies) as JobFamily[];
export const JOB_NAMES = Object.keys(jobPayloadSchemas) as JobName[];

/**
 * The BullMQ queue of a family. It is a function of the family's name alone, so a worker can
 * route a job of a family it does not know yet (written to the outbox by a newer API during a
 * rolling deploy) to the queue that the newer workers consume.
 */
export function jobQueueName<F extends string>(family: F): `caliper-${F}` {
  return `caliper-${family}`;
}

export const JOB_QUEUES = Object.fromEntries(JOB_FAMILIES.map((f) => [f, jobQueueName(f)])) as {
  readonly [F in JobFamily]: `caliper-${F}`;
};

/** The family of a job name: its part before the first '.' (the whole name when it has none). */
export function familyOf<N extends JobName>(name: N): FamilyOf<N>;
export function familyOf(name: string): string;
export function familyOf(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}

export function isJobName(name: string): name is JobName {
  return Object.prototype.hasOwnProperty.call(jobPayloadSchemas, name);
}

export class InvalidJobError extends Error {
  readonly code = 'INVALID_JOB';
}

/** Validates a payload read from Redis or the outbox against its job's schema. */
export function parseJob<N extends JobName>(name: N, data: unknown): Job<N>;
export function parseJob(name: string, data: unknown): Job;
export function parseJob(name: string, data: unknown): Job {
  if (!isJobName(name)) throw new InvalidJobError(`unknown job "${name}": expected one of ${JOB_NAMES.join(', ')}`);
  const parsed = jobPayloadSchemas[name].safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(payload)'}: ${i.message}`);
    throw new InvalidJobError(`invalid payload for job "${name}": ${problems.join('; ')}`);
  }
  return { name, data: parsed.data } as Job;
}

/** "2026-11-27T03:41:00Z" -> "20261127T0341Z": the same instant without the ':' BullMQ refuses in ids. */
function compactMinute(minute: string): string {
  return minute.replace(/[-:]/g, '').replace(/00Z$/, 'Z');
}

/** Jobs the job scheduler starts on an interval; they have no natural key and never go through the outbox. */
export const SCHEDULED_JOB_NAMES = [
  'audit.checkpoint',
  'uploads.sweep',
  'idempotency.purge',
  'training.sync',
] as const satisfies readonly JobName[];
export type ScheduledJobName = (typeof SCHEDULED_JOB_NAMES)[number];
/** Jobs written to the outbox by a business transaction; each has a natural key, hence a stable id. */
export type KeyedJobName = Exclude<JobName, ScheduledJobName>;

export function isScheduledJobName(name: string): name is ScheduledJobName {
  return (SCHEDULED_JOB_NAMES as readonly string[]).includes(name);
}

/**
 * The BullMQ job id that makes relaying idempotent: adding a job whose id exists is a no-op.
 * BullMQ refuses ':' in custom ids (it separates Redis key parts), and IPv6 addresses and
 * times contain it, so each part is percent-encoded and the parts are joined with '|', which
 * encodeURIComponent always encodes: two different jobs never share an id.
 */
export function deterministicJobId(job: Job<KeyedJobName>): string {
  switch (job.name) {
    case 'auth.failed-logins.flush':
      return [job.name, job.data.username, job.data.ip, compactMinute(job.data.minute)].map(encodeURIComponent).join('|');
    case 'datasets.import-pacs':
      return [job.name, job.data.importId].map(encodeURIComponent).join('|');
    case 'datasets.verify-version':
      return [job.name, job.data.verificationId].map(encodeURIComponent).join('|');
    case 'registry.validate-version':
      return [job.name, job.data.modelVersionId].map(encodeURIComponent).join('|');
    case 'registry.evaluate-version':
      return [job.name, job.data.evaluationId].map(encodeURIComponent).join('|');
    case 'registry.deploy-version':
      return [job.name, job.data.promotionRequestId].map(encodeURIComponent).join('|');
    case 'webhooks.deliver':
      return [job.name, job.data.deliveryId, String(job.data.attempt)].map(encodeURIComponent).join('|');
    case 'training.submit':
    case 'training.cancel':
      return [job.name, job.data.runUuid].map(encodeURIComponent).join('|');
    case 'deployments.changed':
      return [job.name, job.data.deploymentId, job.data.change].map(encodeURIComponent).join('|');
  }
}
