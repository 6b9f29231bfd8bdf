/** Workers' presence keys on a real Redis: written, read back by prefix, gone when withdrawn or expired, junk skipped. */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { announcePresence, livePresence, withdrawPresence, WorkerPresence } from '../worker-presence';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('worker presence in Redis', () => {
  const redis = new Redis(REDIS_URL);
  const prefix = `test-presence-${randomBytes(4).toString('hex')}`;
  const worker = (id: string, executors: WorkerPresence['executors']): WorkerPresence => ({
    workerId: id,
    host: 'node-1',
    pid: 42,
    executors,
    startedAt: '2026-12-04T09:00:00.000Z',
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('lists the workers of its prefix only, until each withdraws or its key expires; a key that does not parse is skipped', async () => {
    await announcePresence(redis, prefix, worker('a', ['local', 'slurm']));
    await announcePresence(redis, prefix, worker('b', ['kubernetes']), 300);
    await announcePresence(redis, `${prefix}-other`, worker('c', ['local']));
    await redis.set(`${prefix}:workers:junk`, 'not json', 'PX', 10_000);
    const byId = (ws: WorkerPresence[]) => ws.map((w) => [w.workerId, w.executors]).sort();
    expect(byId(await livePresence(redis, prefix))).toEqual([
      ['a', ['local', 'slurm']],
      ['b', ['kubernetes']],
    ]);
    // b stopped refreshing: its key expires.
    await new Promise((r) => setTimeout(r, 400));
    expect(byId(await livePresence(redis, prefix))).toEqual([['a', ['local', 'slurm']]]);
    await withdrawPresence(redis, prefix, 'a');
    expect(await livePresence(redis, prefix)).toEqual([]);
    expect(byId(await livePresence(redis, `${prefix}-other`))).toEqual([['c', ['local']]]);
  });
});
