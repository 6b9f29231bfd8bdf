/**
 * Every background job as one discriminated union `{ name, data }` (immich's pattern), so a
 * processor written for a job name gets its payload type from the name. Payloads carry a
 * version (`v`) so a worker can tell an old payload still waiting in Redis from a new one.
 */
import { z } from 'zod';

/** The one BullMQ queue; job names, not queues, tell the kinds of work apart. */
export const JOB_QUEUE = 'caliper';

const isoMinute = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/, 'must be the start of a UTC minute, e.g. 2026-11-27T03:41:00Z')
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be a real date and time');

export const jobPayloadSchemas = {
  'audit.checkpoint': z.object({ v: z.literal(1) }).strict(),
  'uploads.sweep': z.object({ v: z.literal(1) }).strict(),
  'idempotency.purge': z.object({ v: z.literal(1) }).strict(),
  'auth.failed-logins.flush': z
    .object({
      v: z.literal(1),
      username: z.string().min(1).max(256),
      ip: z.string().min(1).max(64),
      minute: isoMinute,
    })
    .strict(),
} as const;

export type JobName = keyof typeof jobPayloadSchemas;
export type JobPayloads = { [K in JobName]: z.infer<(typeof jobPayloadSchemas)[K]> };
export type Job<N extends JobName = JobName> = { [K in N]: { name: K; data: JobPayloads[K] } }[N];

export const JOB_NAMES = Object.keys(jobPayloadSchemas) as JobName[];

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
export type ScheduledJobName = 'audit.checkpoint' | 'uploads.sweep' | 'idempotency.purge';
/** Jobs written to the outbox by a business transaction; each has a natural key, hence a stable id. */
export type KeyedJobName = Exclude<JobName, ScheduledJobName>;

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
  }
}
