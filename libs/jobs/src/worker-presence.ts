/**
 * Which training executors the running workers have (issue 15): each worker that runs training
 * jobs keeps a key `<REDIS_PREFIX>:workers:<id>` with what it has, refreshed every
 * PRESENCE_REFRESH_MS and expiring PRESENCE_TTL_MS after its last refresh (a worker that died
 * drops out by itself). The API reads them before a launch: a template whose executor no running
 * worker has is refused at once, naming what the workers have, instead of being queued and failed
 * by the first worker that takes it. With no worker running, launches are queued as before.
 */
import type { ExecutorKind } from '@caliper/domain';

export const PRESENCE_REFRESH_MS = 15_000;
export const PRESENCE_TTL_MS = 45_000;

export interface WorkerPresence {
  workerId: string;
  host: string;
  pid: number;
  executors: ExecutorKind[];
  startedAt: string;
}

/** The commands of ioredis these need (a test may pass a stand-in). */
export interface PresenceRedis {
  set(key: string, value: string, px: 'PX', ms: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
  scan(cursor: string, match: 'MATCH', pattern: string, count: 'COUNT', n: number): Promise<[string, string[]]>;
  mget(keys: string[]): Promise<(string | null)[]>;
}

const keyOf = (prefix: string, workerId: string) => `${prefix}:workers:${workerId}`;

/** Writes (or refreshes) this worker's key. */
export async function announcePresence(redis: PresenceRedis, prefix: string, p: WorkerPresence, ttlMs = PRESENCE_TTL_MS): Promise<void> {
  await redis.set(keyOf(prefix, p.workerId), JSON.stringify(p), 'PX', ttlMs);
}

/** Removes this worker's key (at shutdown). */
export async function withdrawPresence(redis: PresenceRedis, prefix: string, workerId: string): Promise<void> {
  await redis.del(keyOf(prefix, workerId));
}

/** The workers whose keys have not expired; a key that does not parse is skipped. At most `max` are read. */
export async function livePresence(redis: PresenceRedis, prefix: string, max = 1000): Promise<WorkerPresence[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}:workers:*`, 'COUNT', 200);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0' && keys.length < max);
  if (!keys.length) return [];
  const values = await redis.mget(keys.slice(0, max));
  const live: WorkerPresence[] = [];
  for (const v of values) {
    if (!v) continue;
    try {
      const p = JSON.parse(v) as WorkerPresence;
      if (typeof p.workerId === 'string' && Array.isArray(p.executors)) live.push(p);
    } catch {
      /* not one of ours */
    }
  }
  return live;
}
