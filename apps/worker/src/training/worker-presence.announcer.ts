/**
 * Keeps this worker's presence key (@caliper/jobs worker-presence): the training executors it has,
 * from start to shutdown, so the API can refuse a launch no running worker could submit.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '@caliper/config';
import { announcePresence, PRESENCE_REFRESH_MS, withdrawPresence, WorkerPresence } from '@caliper/jobs';
import { CONFIG, LOGGER, REDIS } from '../worker.options';
import { Executors } from './executors';

@Injectable()
export class WorkerPresenceAnnouncer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly presence: WorkerPresence;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
    executors: Executors,
  ) {
    this.presence = {
      workerId: `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
      host: hostname(),
      pid: process.pid,
      executors: [...executors.kinds],
      startedAt: new Date().toISOString(),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.announce();
    this.timer = setInterval(() => void this.announce(), PRESENCE_REFRESH_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await withdrawPresence(this.redis, this.config.REDIS_PREFIX, this.presence.workerId).catch(() => undefined);
  }

  /** A failed write is logged and tried again at the next refresh: launches are then refused only if no worker is seen. */
  private async announce(): Promise<void> {
    try {
      await announcePresence(this.redis, this.config.REDIS_PREFIX, this.presence);
    } catch (err) {
      this.logger.warn({ err }, `could not announce this worker's executors in Redis: ${(err as Error).message}`);
    }
  }
}
