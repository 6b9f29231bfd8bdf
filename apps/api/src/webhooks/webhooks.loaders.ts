/** The project of a webhook and of a delivery, per request (the access guard locates both). */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { WebhookAttemptRow, WebhooksRepository } from '@caliper/persistence';
import { LoaderFactory, RequestLoaders } from '../graphql/loaders';

declare module '../graphql/loaders' {
  interface Loaders {
    webhookProject: DataLoader<string, string | null>;
    webhookDeliveryProject: DataLoader<string, string | null>;
    webhookDeliveryAttempts: DataLoader<string, WebhookAttemptRow[]>;
  }
}

@Injectable()
@RequestLoaders()
export class WebhooksLoaders implements LoaderFactory {
  constructor(private readonly webhooks: WebhooksRepository) {}

  create() {
    return {
      webhookProject: new DataLoader<string, string | null>((ids) => this.webhooks.projectsOfWebhooks(ids)),
      webhookDeliveryProject: new DataLoader<string, string | null>((ids) => this.webhooks.projectsOfDeliveries(ids)),
      webhookDeliveryAttempts: new DataLoader<string, WebhookAttemptRow[]>(async (ids) => {
        const rows = await this.webhooks.attemptsOf(ids);
        return ids.map((id) => rows.filter((r) => r.deliveryId === id));
      }),
    };
  }
}
