/**
 * 'webhooks.deliver': one attempt to POST a registry event to a webhook (issue 14, item 5). The
 * body is the delivery's stored payload, so every attempt sends the same bytes and the same event
 * id (X-Caliper-Delivery); receivers drop duplicates by it. A 2xx answer delivers it; anything
 * else (an error status, no answer within 10 s, a refused address) is logged as that attempt, and
 * while the round has attempts left the next is enqueued through the outbox, due after the
 * WEBHOOK_RETRY_SCHEDULE delay (30 s, 2 min, 10 min, 1 h, 6 h by default: six attempts, then
 * 'failed'). The job itself never fails for a receiver's failure, so BullMQ's own retries only
 * cover the worker's failures (database, crash), and a repeated job finds its attempt already
 * recorded and does nothing.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Config } from '@caliper/config';
import { parseRetrySchedule } from '@caliper/domain';
import { JobPayloads } from '@caliper/jobs';
import { WebhooksRepository } from '@caliper/persistence';
import { JobProcessor, JobResult, ProcessesJob } from '../jobs/job-processor';
import { CONFIG } from '../worker.options';
import { postWebhook, WebhookPostResult } from './webhook-sender';

type Payload = JobPayloads['webhooks.deliver'];

@Injectable()
@ProcessesJob('webhooks.deliver')
export class DeliverWebhookJob implements JobProcessor<'webhooks.deliver'> {
  private readonly retryDelaysMs: number[];
  private readonly allowPrivate: boolean;

  constructor(
    private readonly ds: DataSource,
    private readonly webhooks: WebhooksRepository,
    @Inject(CONFIG) config: Pick<Config, 'WEBHOOK_RETRY_SCHEDULE' | 'WEBHOOK_ALLOW_PRIVATE'>,
  ) {
    this.retryDelaysMs = parseRetrySchedule(config.WEBHOOK_RETRY_SCHEDULE);
    this.allowPrivate = config.WEBHOOK_ALLOW_PRIVATE;
  }

  async run(data: Payload): Promise<JobResult> {
    const d = await this.webhooks.deliveryForSending(data.deliveryId);
    if (!d) return { outcome: 'skipped', detail: { reason: 'no such delivery (its webhook was deleted)', deliveryId: data.deliveryId } };
    if (d.status !== 'pending' || d.attempts >= data.attempt)
      return { outcome: 'skipped', detail: { reason: `attempt ${data.attempt} already made`, deliveryId: d.id, status: d.status } };
    const result: WebhookPostResult = d.active
      ? await postWebhook(
          { url: d.url, secret: d.secret, eventType: d.eventType, eventId: d.eventId, body: JSON.stringify(d.payload) },
          { allowPrivate: this.allowPrivate },
        )
      : { statusCode: null, error: 'not sent: the webhook is inactive', durationMs: 0 };
    const delivered = result.error === null;
    // Attempts of this round: a redelivery starts a new round with the whole schedule.
    const inRound = data.attempt - d.roundStart;
    const delay = this.retryDelaysMs[inRound - 1];
    const recorded = await this.ds.transaction(async (m) => {
      const locked = await this.webhooks.lockDelivery(m, d.id);
      if (!locked || locked.status !== 'pending' || locked.attempts >= data.attempt) return null;
      return this.webhooks.recordAttempt(
        m,
        { id: d.id, attempt: data.attempt, statusCode: result.statusCode, error: result.error, durationMs: result.durationMs },
        delivered
          ? { status: 'delivered' }
          : d.active && delay !== undefined
            ? { status: 'pending', retryAt: new Date(Date.now() + delay) }
            : { status: 'failed' },
      );
    });
    if (!recorded) return { outcome: 'skipped', detail: { reason: 'recorded meanwhile', deliveryId: d.id, attempt: data.attempt } };
    return {
      outcome: 'done',
      detail: {
        deliveryId: d.id,
        eventId: d.eventId,
        attempt: data.attempt,
        status: recorded.status,
        statusCode: result.statusCode,
        error: result.error,
        nextAttemptAt: recorded.nextAttemptAt?.toISOString() ?? null,
      },
    };
  }
}
