/** The outbox relay: committed jobs from PostgreSQL to their families' queues. */
import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module';
import { WORKER_OPTIONS, WorkerOptions } from '../worker.options';
import { OUTBOX_RELAY_OPTIONS, OutboxRelay, OutboxRelayOptions } from './outbox-relay';

@Module({
  imports: [QueueModule],
  providers: [
    {
      provide: OUTBOX_RELAY_OPTIONS,
      inject: [WORKER_OPTIONS],
      useFactory: (options: WorkerOptions): OutboxRelayOptions => ({
        intervalMs: options.relayIntervalMs,
        batchSize: 100,
        keepRelayedMs: 7 * 24 * 3600_000,
      }),
    },
    OutboxRelay,
  ],
  exports: [OutboxRelay],
})
export class OutboxModule {}
