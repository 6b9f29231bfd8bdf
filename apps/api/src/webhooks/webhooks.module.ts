/** Webhooks on registry events (issue 14, item 5): management and delivery log over GraphQL. Deliveries are sent by the worker's 'webhooks' family. */
import { Module } from '@nestjs/common';
import { WebhooksLoaders } from './webhooks.loaders';
import { WebhookDeliveryFieldsResolver, WebhooksResolver } from './webhooks.resolver';
import { WebhooksService } from './webhooks.service';

@Module({ providers: [WebhooksService, WebhooksResolver, WebhookDeliveryFieldsResolver, WebhooksLoaders] })
export class WebhooksModule {}
