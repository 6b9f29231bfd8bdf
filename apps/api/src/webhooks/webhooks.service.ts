/**
 * A project's webhooks on registry events (issue 14, item 5): create (the signing secret is
 * generated here and returned this once), change URL, events or active, delete, read the delivery
 * log, and redeliver a finished delivery. Managing webhooks needs project.update (PI, admin);
 * reading them too, as a receiver URL can carry secrets of its own. Every change is audited in
 * its transaction, never with the secret.
 */
import { actorOf, assertGranted, CONFIG, Principal } from '@caliper/server-kit';
import type { Config } from '@caliper/config';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, generateWebhookSecret, isWebhookEventType, notFound, WebhookEventType, webhookUrlProblem } from '@caliper/domain';
import { AuditRepository, WebhookDeliveryRow, WebhookRow, WebhooksRepository } from '@caliper/persistence';

export const MAX_DELIVERIES_PAGE = 100;

@Injectable()
export class WebhooksService {
  private readonly allowPrivate: boolean;

  constructor(
    private readonly ds: DataSource,
    private readonly webhooks: WebhooksRepository,
    private readonly audit: AuditRepository,
    @Inject(CONFIG) config: Pick<Config, 'WEBHOOK_ALLOW_PRIVATE'>,
  ) {
    this.allowPrivate = config.WEBHOOK_ALLOW_PRIVATE;
  }

  async list(principal: Principal, projectId: string): Promise<WebhookRow[]> {
    assertGranted(principal, 'project.update', projectId);
    return this.webhooks.ofProject(projectId);
  }

  async create(
    principal: Principal,
    input: { projectId: string; url: string; events: readonly string[] },
  ): Promise<{ webhook: WebhookRow; secret: string }> {
    assertGranted(principal, 'project.update', input.projectId);
    const url = this.checkedUrl(input.url);
    const events = this.checkedEvents(input.events);
    const secret = generateWebhookSecret();
    const webhook = await this.ds.transaction(async (m) => {
      const created = await this.webhooks.create(m, { projectId: input.projectId, url, events, secret, createdBy: principal.user.id });
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'webhook.created',
        entityType: 'webhook',
        entityId: created.id,
        projectId: input.projectId,
        after: { url, events: [...events], active: true },
      });
      return created;
    });
    return { webhook, secret };
  }

  async update(
    principal: Principal,
    input: { id: string; url?: string | null; events?: readonly string[] | null; active?: boolean | null },
  ): Promise<WebhookRow> {
    const url = input.url == null ? undefined : this.checkedUrl(input.url);
    const events = input.events == null ? undefined : this.checkedEvents(input.events);
    return this.ds.transaction(async (m) => {
      const before = await this.webhooks.lock(m, input.id);
      if (!before) throw notFound(`Webhook ${input.id}`);
      assertGranted(principal, 'project.update', before.projectId);
      const after = await this.webhooks.update(m, before.id, { url, events, active: input.active ?? undefined });
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'webhook.updated',
        entityType: 'webhook',
        entityId: before.id,
        projectId: before.projectId,
        before: { url: before.url, events: [...before.events], active: before.active },
        after: { url: after.url, events: [...after.events], active: after.active },
      });
      return after;
    });
  }

  /** Deletes the webhook with its delivery log; deliveries still pending are not sent. */
  async delete(principal: Principal, id: string): Promise<WebhookRow> {
    return this.ds.transaction(async (m) => {
      const row = await this.webhooks.lock(m, id);
      if (!row) throw notFound(`Webhook ${id}`);
      assertGranted(principal, 'project.update', row.projectId);
      await this.webhooks.delete(m, row.id);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'webhook.deleted',
        entityType: 'webhook',
        entityId: row.id,
        projectId: row.projectId,
        before: { url: row.url, events: [...row.events], active: row.active },
      });
      return row;
    });
  }

  async webhook(id: string): Promise<WebhookRow> {
    const row = await this.webhooks.find(id);
    if (!row) throw notFound(`Webhook ${id}`);
    return row;
  }

  /** A page of the delivery log, newest first; `after` is a cursor from a previous page. */
  async deliveries(
    principal: Principal,
    webhookId: string,
    first: number,
    after: string | null,
  ): Promise<{ rows: WebhookDeliveryRow[]; hasNextPage: boolean }> {
    const hook = await this.webhook(webhookId);
    assertGranted(principal, 'project.update', hook.projectId);
    if (!Number.isInteger(first) || first < 1 || first > MAX_DELIVERIES_PAGE)
      throw new DomainError('BAD_USER_INPUT', `first: must be between 1 and ${MAX_DELIVERIES_PAGE}.`, { field: 'first' });
    const rows = await this.webhooks.deliveries(hook.id, first + 1, after === null ? null : decodeDeliveryCursor(after));
    return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /** Sends a finished delivery again, same event id and body, with a fresh round of retries. */
  async redeliver(principal: Principal, deliveryId: string): Promise<WebhookDeliveryRow> {
    return this.ds.transaction(async (m) => {
      const d = await this.webhooks.lockDelivery(m, deliveryId);
      if (!d) throw notFound(`Webhook delivery ${deliveryId}`);
      const hook = await this.webhooks.find(d.webhookId, m);
      if (!hook) throw notFound(`Webhook delivery ${deliveryId}`);
      assertGranted(principal, 'project.update', hook.projectId);
      if (d.status === 'pending')
        throw new DomainError(
          'CONFLICT',
          `Delivery ${d.id} is still pending (next attempt ${d.nextAttemptAt?.toISOString() ?? 'now'}); redeliver it once it has been delivered or has failed.`,
        );
      if (!hook.active)
        throw new DomainError('INVALID_STATE', `Webhook ${hook.id} is inactive; activate it before redelivering its events.`);
      const pending = await this.webhooks.redeliver(m, d);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'webhook.redelivered',
        entityType: 'webhook',
        entityId: hook.id,
        projectId: hook.projectId,
        after: { deliveryId: d.id, eventId: d.eventId, eventType: d.eventType, previousStatus: d.status, attempts: d.attempts },
      });
      return pending;
    });
  }

  private checkedUrl(raw: string): string {
    const problem = webhookUrlProblem(raw, { allowPrivate: this.allowPrivate });
    if (problem) throw new DomainError('BAD_USER_INPUT', problem, { field: 'url' });
    return raw;
  }

  private checkedEvents(events: readonly string[]): WebhookEventType[] {
    if (!events.length) throw new DomainError('BAD_USER_INPUT', 'events: subscribe to at least one event type.', { field: 'events' });
    const unknown = events.filter((e) => !isWebhookEventType(e));
    if (unknown.length)
      throw new DomainError('BAD_USER_INPUT', `events: unknown event type(s) ${unknown.join(', ')}.`, { field: 'events' });
    return [...new Set(events)] as WebhookEventType[];
  }
}

/** A log page's cursor: the last row's place (exact created_at and id), opaque to callers. */
export function encodeDeliveryCursor(d: { cursorKey?: string; id: string }): string {
  return Buffer.from(`${d.cursorKey ?? ''}|${d.id}`, 'utf8').toString('base64url');
}

function decodeDeliveryCursor(cursor: string): { cursorKey: string; id: string } {
  const [cursorKey, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!id || !cursorKey || !/^[0-9a-f-]{36}$/.test(id) || !/^\d{1,12}(\.\d{1,6})?$/.test(cursorKey))
    throw new DomainError('BAD_USER_INPUT', 'after: must be a cursor from pageInfo.endCursor.', { field: 'after' });
  return { cursorKey, id };
}
