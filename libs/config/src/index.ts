/**
 * Configuration from environment variables, validated once at start. A bad value stops the
 * process with a message naming the variable. `.env.example` lists every variable.
 */
import { z } from 'zod';

const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.join(' or ')}//`);

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://caliper_app@127.0.0.1:5432/caliper'),
  DATABASE_OWNER_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/caliper'),
  DATABASE_APP_PASSWORD: z.string().min(1).optional(),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  S3_ENDPOINT: url(['http:', 'https:']).default('http://127.0.0.1:9000'),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY: z.string().min(1).default('caliper'),
  S3_SECRET_KEY: z.string().min(1).default('caliper-dev-secret'),
  S3_BUCKET_AUDIT: z.string().regex(/^[a-z0-9][a-z0-9.-]{2,62}$/, 'must be a valid S3 bucket name').default('caliper-audit'),
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
