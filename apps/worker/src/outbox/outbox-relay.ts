/**
 * Moves committed outbox rows to the queue. Polling keeps it simple and survives database
 * restarts; rows are claimed with SKIP LOCKED, so any number of worker replicas can relay.
 * A row is marked relayed only after BullMQ accepted it, and BullMQ skips an id it already
 * has, so a relay that dies between the two steps neither loses nor duplicates a job.
 */
import type { Logger } from 'pino';
import { OutboxRepository } from '@caliper/persistence';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { JobQueue } from '../queue/job-queue';

export interface OutboxRelayOptions {
  intervalMs: number;
  batchSize: number;
  /** Relayed rows are kept this long to trace a job back to the change that caused it. */
  keepRelayedMs: number;
}

const PRUNE_EVERY_MS = 3600_000;

export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastPrune = 0;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly queue: JobQueue,
    private readonly metrics: WorkerMetrics,
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions,
  ) {}

  /** Relays every committed row; returns how many. */
  async relayPending(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.outbox.relayBatch(this.options.batchSize, (rows) => this.queue.addRelayed(rows));
      total += n;
      this.metrics.outboxRelayed.inc(n);
      if (n < this.options.batchSize) return total;
    }
  }

  start(): void {
    const tick = async () => {
      try {
        const n = await this.relayPending();
        if (n) this.logger.info({ relayed: n }, `outbox: relayed ${n} job(s)`);
        if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
          this.lastPrune = Date.now();
          const pruned = await this.outbox.pruneRelayed(new Date(Date.now() - this.options.keepRelayedMs));
          if (pruned) this.logger.info({ pruned }, `outbox: pruned ${pruned} relayed row(s)`);
        }
      } catch (err) {
        this.metrics.outboxRelayErrors.inc();
        this.logger.warn({ err }, `outbox relay failed, retrying in ${this.options.intervalMs} ms: ${(err as Error).message}`);
      }
      if (this.timer) this.timer = setTimeout(() => void (this.running = tick()), this.options.intervalMs);
    };
    this.timer = setTimeout(() => void (this.running = tick()), 0);
  }

  /** Stops polling and waits for a pass in progress. */
  async stop(): Promise<void> {
    const timer = this.timer;
    this.timer = null;
    if (timer) clearTimeout(timer);
    await this.running;
  }
}
