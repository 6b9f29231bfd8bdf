/**
 * Moves committed outbox rows to their families' queues. It LISTENs for the NOTIFY each enqueue
 * sends at commit and relays at once (a job starts within milliseconds, not at the next poll);
 * polling stays underneath, so a lost notification or a dropped listening connection (reopened at
 * the next poll) only delays a job by one interval. Rows are claimed with SKIP LOCKED, so any
 * number of worker replicas can relay.
 * A row is marked relayed only after BullMQ accepted it, and BullMQ skips an id it already
 * has, so a relay that dies between the two steps neither loses nor duplicates a job.
 */
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { isJobName } from '@caliper/jobs';
import { OutboxRepository, OutboxRow } from '@caliper/persistence';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { JobQueues } from '../queue/job-queues';
import { LOGGER } from '../worker.options';

export interface OutboxRelayOptions {
  intervalMs: number;
  batchSize: number;
  /** Relayed rows are kept this long to trace a job back to the change that caused it. */
  keepRelayedMs: number;
}

export const OUTBOX_RELAY_OPTIONS = 'CALIPER_OUTBOX_RELAY_OPTIONS';

const PRUNE_EVERY_MS = 3600_000;

@Injectable()
export class OutboxRelay implements OnModuleInit {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastPrune = 0;
  private started = false;
  /** A pass is under way; `woken` asks it to run again at once when it ends. */
  private busy = false;
  private woken = false;
  private unlisten: (() => Promise<void>) | null = null;
  private listening: Promise<void> | null = null;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly queues: JobQueues,
    private readonly metrics: WorkerMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(OUTBOX_RELAY_OPTIONS) private readonly options: OutboxRelayOptions,
  ) {}

  onModuleInit(): void {
    this.metrics.observeOutboxBacklog(() => this.outbox.countUnrelayed());
  }

  /** Relays every committed row; returns how many. */
  async relayPending(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.outbox.relayBatch(this.options.batchSize, (rows) => this.publish(rows));
      total += n;
      this.metrics.outboxRelayed.inc(n);
      if (n < this.options.batchSize) return total;
    }
  }

  private async publish(rows: OutboxRow[]): Promise<void> {
    for (const row of rows.filter((r) => !isJobName(r.name)))
      this.logger.warn(
        { outboxId: row.id, job: row.name, jobId: row.jobId },
        `outbox: job "${row.name}" is unknown to this worker (written by a newer version?); relayed to its family's queue for the workers that know it`,
      );
    await this.queues.addRelayed(rows);
  }

  start(): void {
    this.started = true;
    this.schedule(0);
  }

  /** A committed row was announced: relay now (or right after the pass under way). */
  private wake(): void {
    if (!this.started) return;
    if (this.busy) this.woken = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void (this.running = this.tick()), ms);
  }

  private async tick(): Promise<void> {
    this.timer = null;
    this.busy = true;
    this.woken = false;
    try {
      if (!this.unlisten && !this.listening) this.listening = this.listen();
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
    } finally {
      this.busy = false;
    }
    if (this.started) this.schedule(this.woken ? 0 : this.options.intervalMs);
  }

  /** Opens the listening connection; a failure is logged and retried at the next pass (polling carries on). */
  private async listen(): Promise<void> {
    try {
      const unlisten = await this.outbox.listen(
        () => this.wake(),
        (err) => {
          this.unlisten = null;
          this.logger.warn(
            { err },
            `outbox: the listening connection failed (${err.message}); polling every ${this.options.intervalMs} ms until it is reopened`,
          );
        },
      );
      if (this.started) this.unlisten = unlisten;
      else await unlisten();
    } catch (err) {
      this.logger.warn({ err }, `outbox: cannot LISTEN (${(err as Error).message}); polling every ${this.options.intervalMs} ms`);
    } finally {
      this.listening = null;
    }
  }

  /** Stops polling and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.started = false;
    const timer = this.timer;
    this.timer = null;
    if (timer) clearTimeout(timer);
    await this.running;
    await this.listening;
    const unlisten = this.unlisten;
    this.unlisten = null;
    await unlisten?.();
  }
}
