/**
 * Webhooks over GraphQL (issue 14, item 5): a project's webhooks, the signing secret returned once
 * by createWebhook, changes, deletion, the delivery log and redelivery. All need project.update
 * in the webhook's project; a webhook or delivery id is resolved to its project by the guard's
 * locator (an unknown id and one in a project the caller cannot read get the same NOT_FOUND) and
 * re-checked by the service.
 */
import { projectIdAt } from '@caliper/server-kit';
import { WebhookEventType } from '@caliper/domain';
import type { WebhookDeliveryRow, WebhookRow } from '@caliper/persistence';
import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { projectOfIdAt, Requires } from '../auth/locators';
import { GqlContext, principalOf } from '../graphql/context';
import {
  CreatedWebhookGql,
  CreateWebhookInput,
  UpdateWebhookInput,
  WebhookDeliveryAttemptGql,
  WebhookDeliveryConnectionGql,
  WebhookDeliveryGql,
  WebhookDeliveryStatusGql,
  WebhookEventTypeGql,
  WebhookGql,
} from './webhook.types';
import { encodeDeliveryCursor, WebhooksService } from './webhooks.service';

const webhookProjectAt = (path: string) => projectOfIdAt(path, 'Webhook', (l, id) => l.webhookProject.load(id));
const deliveryProjectAt = (path: string) => projectOfIdAt(path, 'Webhook delivery', (l, id) => l.webhookDeliveryProject.load(id));

const toWebhookGql = (w: WebhookRow): WebhookGql => ({
  id: w.id,
  projectId: w.projectId,
  url: w.url,
  events: w.events as WebhookEventType[] as unknown as WebhookEventTypeGql[],
  active: w.active,
  createdAt: w.createdAt,
  updatedAt: w.updatedAt,
});

const toDeliveryGql = (d: WebhookDeliveryRow): WebhookDeliveryGql => ({
  id: d.id,
  webhookId: d.webhookId,
  eventId: d.eventId,
  eventType: d.eventType as unknown as WebhookEventTypeGql,
  payload: d.payload,
  status: d.status as WebhookDeliveryStatusGql,
  attempts: d.attempts,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  nextAttemptAt: d.nextAttemptAt,
  deliveredAt: d.deliveredAt,
  createdAt: d.createdAt,
});

@Resolver(() => WebhookGql)
export class WebhooksResolver {
  constructor(private readonly service: WebhooksService) {}

  @Query(() => [WebhookGql], { description: "The project's webhooks (needs project.update: receiver URLs can be sensitive)" })
  @Requires('project.update', projectIdAt('projectId'))
  async webhooks(@Args('projectId', { type: () => ID }) projectId: string, @Context() ctx: GqlContext): Promise<WebhookGql[]> {
    return (await this.service.list(principalOf(ctx), projectId)).map(toWebhookGql);
  }

  @Query(() => WebhookDeliveryConnectionGql, { description: "A webhook's delivery log, newest first" })
  @Requires('project.update', webhookProjectAt('webhookId'))
  async webhookDeliveries(
    @Args('webhookId', { type: () => ID }) webhookId: string,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Context() ctx: GqlContext,
  ): Promise<WebhookDeliveryConnectionGql> {
    const page = await this.service.deliveries(principalOf(ctx), webhookId, first ?? 20, after ?? null);
    const last = page.rows[page.rows.length - 1];
    return {
      edges: page.rows.map((d) => ({ cursor: encodeDeliveryCursor(d), node: toDeliveryGql(d) })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: last ? encodeDeliveryCursor(last) : null },
    };
  }

  @Mutation(() => CreatedWebhookGql, { description: 'The signing secret is in this answer only; it is never shown again' })
  @Requires('project.update', projectIdAt('input.projectId'))
  async createWebhook(@Args('input') input: CreateWebhookInput, @Context() ctx: GqlContext): Promise<CreatedWebhookGql> {
    const { webhook, secret } = await this.service.create(principalOf(ctx), input);
    return { webhook: toWebhookGql(webhook), secret };
  }

  @Mutation(() => WebhookGql)
  @Requires('project.update', webhookProjectAt('input.id'))
  async updateWebhook(@Args('input') input: UpdateWebhookInput, @Context() ctx: GqlContext): Promise<WebhookGql> {
    return toWebhookGql(await this.service.update(principalOf(ctx), input));
  }

  @Mutation(() => WebhookGql, { description: 'Deletes the webhook and its delivery log; returns what was deleted' })
  @Requires('project.update', webhookProjectAt('id'))
  async deleteWebhook(@Args('id', { type: () => ID }) id: string, @Context() ctx: GqlContext): Promise<WebhookGql> {
    return toWebhookGql(await this.service.delete(principalOf(ctx), id));
  }

  @Mutation(() => WebhookDeliveryGql, {
    description: 'Sends a delivered or failed delivery again (same event id and body) with a fresh round of retries',
  })
  @Requires('project.update', deliveryProjectAt('deliveryId'))
  async redeliverWebhookDelivery(
    @Args('deliveryId', { type: () => ID }) deliveryId: string,
    @Context() ctx: GqlContext,
  ): Promise<WebhookDeliveryGql> {
    return toDeliveryGql(await this.service.redeliver(principalOf(ctx), deliveryId));
  }
}

@Resolver(() => WebhookDeliveryGql)
export class WebhookDeliveryFieldsResolver {
  @ResolveField(() => [WebhookDeliveryAttemptGql])
  async attemptLog(@Parent() d: WebhookDeliveryGql, @Context() ctx: GqlContext): Promise<WebhookDeliveryAttemptGql[]> {
    return (await ctx.loaders.webhookDeliveryAttempts.load(d.id)).map((a) => ({
      attempt: a.attempt,
      statusCode: a.statusCode,
      error: a.error,
      durationMs: a.durationMs,
      attemptedAt: a.attemptedAt,
    }));
  }
}
