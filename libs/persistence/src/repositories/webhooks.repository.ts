/**
 * Webhooks on registry events (issue 14, item 5): the only code that touches webhooks,
 * webhook_deliveries and webhook_delivery_attempts. `emit` is how the API and the worker publish
 * a registry event: inside the caller's transaction it writes one delivery per active webhook of
 * the project subscribed to the event, and its first 'webhooks.deliver' job through the outbox,
 * so a delivery exists exactly when the change that caused it committed.
 *
 * The signing secret is read by `deliveryForSending` only (the worker's sender); every other read
 * leaves it out, so no API path can return it after creation.
 */
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { WEBHOOK_PAYLOAD_MAX_BYTES, WebhookEventType } from '@caliper/domain';
import { parseJob } from '@caliper/jobs';
import { OutboxRepository } from '../outbox.repository';
import type { DeploymentRow } from './promotion.repository';

export interface WebhookRow {
  id: string;
  projectId: string;
  url: string;
  events: WebhookEventType[];
  active: boolean;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveryRow {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: WebhookEventType;
  payload: WebhookEventPayload;
  status: WebhookDeliveryStatus;
  attempts: number;
  roundStart: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  /** Set by `deliveries` only: the row's place in the log, for a page cursor. */
  cursorKey?: string;
}

export interface WebhookAttemptRow {
  deliveryId: string;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  attemptedAt: Date;
}

/** What a receiver gets: the same body, and the same `id`, on every attempt. */
export interface WebhookEventPayload {
  id: string;
  type: WebhookEventType;
  occurredAt: string;
  project: { id: string; slug: string };
  data: Record<string, unknown>;
}

export interface RegistryEvent {
  projectId: string;
  type: WebhookEventType;
  data: Record<string, unknown>;
}

/** A delivery with what sending it needs: its webhook's URL, secret and whether it is still active. */
export interface DeliveryToSend extends WebhookDeliveryRow {
  url: string;
  secret: string;
  active: boolean;
}

const WEBHOOK_COLUMNS = `id, project_id AS "projectId", url, events, active, created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;
const DELIVERY_COLUMNS = `d.id, d.webhook_id AS "webhookId", d.event_id AS "eventId", d.event_type AS "eventType", d.payload, d.status, d.attempts,
  d.round_start AS "roundStart", d.last_status_code AS "lastStatusCode", d.last_error AS "lastError", d.next_attempt_at AS "nextAttemptAt",
  d.delivered_at AS "deliveredAt", d.created_at AS "createdAt"`;

/** TypeORM's postgres driver answers UPDATE … RETURNING with [rows, count]. */
function updated<T>(result: unknown): T {
  const rows = Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]);
  return rows[0] as T;
}

export class WebhookPayloadTooLargeError extends Error {
  readonly code = 'WEBHOOK_PAYLOAD_TOO_LARGE';
}

export class WebhooksRepository {
  private readonly outbox: OutboxRepository;

  constructor(private readonly ds: DataSource) {
    this.outbox = new OutboxRepository(ds);
  }

  // Registry events

  /**
   * Publishes `event` to the project's active webhooks subscribed to its type, in the caller's
   * transaction: one delivery row each (one event id for all of them) and its first attempt's job.
   * Returns the event's id, or null when no webhook listens.
   */
  async emit(m: EntityManager, event: RegistryEvent): Promise<string | null> {
    const hooks: { id: string }[] = await m.query(
      `SELECT id FROM webhooks WHERE project_id = $1 AND active AND $2 = ANY(events) ORDER BY created_at, id`,
      [event.projectId, event.type],
    );
    if (!hooks.length) return null;
    const projects: { slug: string }[] = await m.query(`SELECT slug FROM projects WHERE id = $1`, [event.projectId]);
    const payload: WebhookEventPayload = {
      id: randomUUID(),
      type: event.type,
      occurredAt: new Date().toISOString(),
      project: { id: event.projectId, slug: projects[0]?.slug ?? '' },
      data: event.data,
    };
    const text = JSON.stringify(payload);
    if (Buffer.byteLength(text) > WEBHOOK_PAYLOAD_MAX_BYTES)
      throw new WebhookPayloadTooLargeError(
        `the ${event.type} event's payload is ${Buffer.byteLength(text)} bytes, over the ${WEBHOOK_PAYLOAD_MAX_BYTES}-byte limit of a webhook delivery`,
      );
    const rows: { id: string }[] = await m.query(
      `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload, next_attempt_at)
       SELECT w, $2, $3, $4::jsonb, now() FROM unnest($1::uuid[]) AS w RETURNING id`,
      [hooks.map((h) => h.id), payload.id, event.type, text],
    );
    for (const r of rows) await this.outbox.enqueue(m, parseJob('webhooks.deliver', { v: 1, deliveryId: r.id, attempt: 1 }));
    return payload.id;
  }

  /** Publishes 'deployment.changed' for a deployment that was activated or ended, with its model and version. */
  async emitDeploymentChanged(
    m: EntityManager,
    e: { projectId: string; model: { id: string; name: string }; deployment: DeploymentRow; change: 'activated' | 'ended' },
  ): Promise<string | null> {
    const versions: { version: number }[] = await m.query(`SELECT version FROM model_versions WHERE id = $1`, [
      e.deployment.modelVersionId,
    ]);
    const d = e.deployment;
    return this.emit(m, {
      projectId: e.projectId,
      type: 'deployment.changed',
      data: {
        change: e.change,
        model: { id: e.model.id, name: e.model.name },
        version: { id: d.modelVersionId, version: versions[0]?.version ?? null },
        deployment: {
          id: d.id,
          site: d.site,
          mode: d.mode,
          status: d.status,
          modelSha256: d.modelSha256,
          promotionRequestId: d.promotionRequestId,
          startedAt: d.startedAt.toISOString(),
          endedAt: d.endedAt?.toISOString() ?? null,
          endedReason: d.endedReason,
        },
      },
    });
  }

  // Webhooks

  async create(
    m: EntityManager,
    w: { projectId: string; url: string; events: readonly WebhookEventType[]; secret: string; createdBy: string },
  ): Promise<WebhookRow> {
    const rows: WebhookRow[] = await m.query(
      `INSERT INTO webhooks (project_id, url, events, secret, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING ${WEBHOOK_COLUMNS}`,
      [w.projectId, w.url, w.events, w.secret, w.createdBy],
    );
    return rows[0] as WebhookRow;
  }

  async ofProject(projectId: string): Promise<WebhookRow[]> {
    return this.ds.query(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE project_id = $1 ORDER BY created_at, id`, [projectId]);
  }

  async find(id: string, m: EntityManager = this.ds.manager): Promise<WebhookRow | null> {
    const rows: WebhookRow[] = await m.query(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async lock(m: EntityManager, id: string): Promise<WebhookRow | null> {
    const rows: WebhookRow[] = await m.query(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] ?? null;
  }

  async update(
    m: EntityManager,
    id: string,
    patch: { url?: string; events?: readonly WebhookEventType[]; active?: boolean },
  ): Promise<WebhookRow> {
    const result: unknown = await m.query(
      `UPDATE webhooks SET url = COALESCE($2, url), events = COALESCE($3, events), active = COALESCE($4, active), updated_at = now()
       WHERE id = $1 RETURNING ${WEBHOOK_COLUMNS}`,
      [id, patch.url ?? null, patch.events ?? null, patch.active ?? null],
    );
    return updated<WebhookRow>(result);
  }

  async delete(m: EntityManager, id: string): Promise<void> {
    await m.query(`DELETE FROM webhooks WHERE id = $1`, [id]);
  }

  /** The project of each webhook id (null for an unknown id), in the order asked. */
  async projectsOfWebhooks(ids: readonly string[]): Promise<(string | null)[]> {
    const rows: { id: string; projectId: string }[] = await this.ds.query(
      `SELECT id, project_id AS "projectId" FROM webhooks WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return ids.map((id) => rows.find((r) => r.id === id)?.projectId ?? null);
  }

  /** The project of each delivery id (null for an unknown id), in the order asked. */
  async projectsOfDeliveries(ids: readonly string[]): Promise<(string | null)[]> {
    const rows: { id: string; projectId: string }[] = await this.ds.query(
      `SELECT d.id, w.project_id AS "projectId" FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ANY($1::uuid[])`,
      [ids],
    );
    return ids.map((id) => rows.find((r) => r.id === id)?.projectId ?? null);
  }

  // Deliveries

  /**
   * A webhook's deliveries, newest first, `limit` after the keyset cursor of the last row seen: its
   * `cursorKey` (created_at as exact epoch microseconds, which a JS Date would round) and id.
   */
  async deliveries(webhookId: string, limit: number, after: { cursorKey: string; id: string } | null): Promise<WebhookDeliveryRow[]> {
    return this.ds.query(
      `SELECT ${DELIVERY_COLUMNS}, extract(epoch FROM d.created_at)::text AS "cursorKey" FROM webhook_deliveries d WHERE d.webhook_id = $1
         AND ($2::numeric IS NULL OR (extract(epoch FROM d.created_at), d.id) < ($2::numeric, $3::uuid))
       ORDER BY d.created_at DESC, d.id DESC LIMIT $4`,
      [webhookId, after?.cursorKey ?? null, after?.id ?? null, limit],
    );
  }

  async delivery(id: string, m: EntityManager = this.ds.manager): Promise<WebhookDeliveryRow | null> {
    const rows: WebhookDeliveryRow[] = await m.query(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.id = $1`, [id]);
    return rows[0] ?? null;
  }

  async lockDelivery(m: EntityManager, id: string): Promise<WebhookDeliveryRow | null> {
    const rows: WebhookDeliveryRow[] = await m.query(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.id = $1 FOR UPDATE`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  /** Each attempt of the given deliveries, in attempt order. */
  async attemptsOf(deliveryIds: readonly string[]): Promise<WebhookAttemptRow[]> {
    return this.ds.query(
      `SELECT delivery_id AS "deliveryId", attempt, status_code AS "statusCode", error, duration_ms AS "durationMs", attempted_at AS "attemptedAt"
       FROM webhook_delivery_attempts WHERE delivery_id = ANY($1::uuid[]) ORDER BY delivery_id, attempt`,
      [deliveryIds],
    );
  }

  /** The delivery with its webhook's URL and signing secret: for the worker's sender only. */
  async deliveryForSending(id: string): Promise<DeliveryToSend | null> {
    const rows: DeliveryToSend[] = await this.ds.query(
      `SELECT ${DELIVERY_COLUMNS}, w.url, w.secret, w.active FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * Records attempt `attempt`'s outcome on the locked delivery: its log row, and the delivery's
   * new state. `retryAt` (a failed attempt with retries left) keeps it pending and enqueues the
   * next attempt, due then, in the same transaction.
   */
  async recordAttempt(
    m: EntityManager,
    d: { id: string; attempt: number; statusCode: number | null; error: string | null; durationMs: number },
    outcome: { status: 'delivered' } | { status: 'failed' } | { status: 'pending'; retryAt: Date },
  ): Promise<WebhookDeliveryRow> {
    await m.query(
      `INSERT INTO webhook_delivery_attempts (delivery_id, attempt, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5)`,
      [d.id, d.attempt, d.statusCode, d.error?.slice(0, 1000) ?? null, d.durationMs],
    );
    const result: unknown = await m.query(
      `UPDATE webhook_deliveries d SET attempts = $2, status = $3, last_status_code = $4, last_error = $5,
         next_attempt_at = $6, delivered_at = CASE WHEN $3 = 'delivered' THEN now() ELSE NULL END
       WHERE d.id = $1 RETURNING ${DELIVERY_COLUMNS}`,
      [
        d.id,
        d.attempt,
        outcome.status,
        d.statusCode,
        d.error?.slice(0, 1000) ?? null,
        outcome.status === 'pending' ? outcome.retryAt : null,
      ],
    );
    if (outcome.status === 'pending')
      await this.outbox.enqueue(m, parseJob('webhooks.deliver', { v: 1, deliveryId: d.id, attempt: d.attempt + 1 }), {
        runAfter: outcome.retryAt,
      });
    return updated<WebhookDeliveryRow>(result);
  }

  /**
   * Starts a new round of attempts of a finished delivery (same event id and body): pending again,
   * its retry schedule counted from here, and the next attempt enqueued now.
   */
  async redeliver(m: EntityManager, d: WebhookDeliveryRow): Promise<WebhookDeliveryRow> {
    const result: unknown = await m.query(
      `UPDATE webhook_deliveries d SET status = 'pending', round_start = attempts, next_attempt_at = now(), delivered_at = NULL
       WHERE d.id = $1 RETURNING ${DELIVERY_COLUMNS}`,
      [d.id],
    );
    await this.outbox.enqueue(m, parseJob('webhooks.deliver', { v: 1, deliveryId: d.id, attempt: d.attempts + 1 }));
    return updated<WebhookDeliveryRow>(result);
  }
}
