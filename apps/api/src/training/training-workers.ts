/**
 * The training executors of the running workers, as their presence keys say (@caliper/jobs
 * worker-presence), read at most once per CACHE_MS however many launches come: a launch of a
 * template whose executor no running worker has is refused at once. With no worker seen (none
 * started yet, or Redis not answering) a launch is queued as before, for a worker to come.
 */
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Config } from '@caliper/config';
import { DomainError, type ExecutorKind } from '@caliper/domain';
import { livePresence, WorkerPresence } from '@caliper/jobs';
import { CONFIG, REDIS } from '@caliper/server-kit';

const CACHE_MS = 5_000;

@Injectable()
export class TrainingWorkers {
  private cached: { at: number; workers: Promise<WorkerPresence[]> } | null = null;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** The running workers (an empty list when Redis does not answer: nothing is refused then). */
  workers(): Promise<WorkerPresence[]> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > CACHE_MS)
      this.cached = { at: now, workers: livePresence(this.redis, this.config.REDIS_PREFIX).catch(() => []) };
    return this.cached.workers;
  }

  /** Refuses `kind` when workers are running and none of them has it, naming what they have and what to do. */
  async assertAvailable(kind: ExecutorKind, template: string): Promise<void> {
    const workers = await this.workers();
    if (!workers.length || workers.some((w) => w.executors.includes(kind))) return;
    const have = [...new Set(workers.flatMap((w) => w.executors))].sort();
    throw new DomainError(
      'INVALID_STATE',
      `No running worker has the ${kind} executor that template "${template}" runs on ` +
        `(${workers.length === 1 ? 'the running worker has' : `the ${workers.length} running workers have`} ${have.join(', ') || 'none'}): ` +
        `add ${kind} to a worker's TRAINING_EXECUTORS and configure it (docs/training.md), or launch with another template.`,
    );
  }
}
