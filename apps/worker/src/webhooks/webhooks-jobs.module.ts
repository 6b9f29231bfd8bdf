/** The 'webhooks' job family: signed, retried deliveries of registry events to a project's webhooks (issue 14, item 5). */
import { Module } from '@nestjs/common';
import { DeliverWebhookJob } from './deliver-webhook.job';

@Module({ providers: [DeliverWebhookJob] })
export class WebhooksJobsModule {}
