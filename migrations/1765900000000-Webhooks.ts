import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks on registry events (issue 14, item 5): a project's webhooks (receiver URL, subscribed
 * event types, signing secret), one delivery per event and webhook (its event id is the same for
 * every attempt, so a receiver can drop duplicates), and each attempt's outcome (the delivery log).
 *
 * The signing secret is stored as given, not hashed: Caliper must compute HMACs with it for every
 * delivery, so a one-way hash is useless here. It is shown once to whoever creates the webhook and
 * never read back through any API; only the worker's sender selects it.
 *
 * Invariants the database keeps: http(s) URLs of bounded length; at least one event type; a
 * delivery's payload at most 64 KiB of JSON text; one delivery per webhook and event; one log row
 * per attempt number. Deleting a webhook deletes its deliveries and log (the audit log keeps the
 * deletion).
 */
export class Webhooks1765900000000 implements MigrationInterface {
  name = 'Webhooks1765900000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "webhooks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "url" text NOT NULL, "events" text[] NOT NULL, "secret" text NOT NULL, "active" boolean NOT NULL DEFAULT true, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_webhooks" PRIMARY KEY ("id"), CONSTRAINT "CHK_webhooks_url" CHECK (url ~ '^https?://' AND length(url) <= 2048), CONSTRAINT "CHK_webhooks_events" CHECK (cardinality(events) BETWEEN 1 AND 20), CONSTRAINT "CHK_webhooks_secret" CHECK (length(secret) BETWEEN 32 AND 200), CONSTRAINT "FK_webhooks_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id"), CONSTRAINT "FK_webhooks_user" FOREIGN KEY ("created_by") REFERENCES "users"("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_webhooks_project" ON "webhooks" ("project_id") WHERE active`);

    await q.query(
      `CREATE TABLE "webhook_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "webhook_id" uuid NOT NULL, "event_id" uuid NOT NULL, "event_type" text NOT NULL, "payload" jsonb NOT NULL, "status" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT 0, "round_start" integer NOT NULL DEFAULT 0, "last_status_code" integer, "last_error" text, "next_attempt_at" TIMESTAMP WITH TIME ZONE, "delivered_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_webhook_deliveries" PRIMARY KEY ("id"), CONSTRAINT "UQ_webhook_deliveries_event" UNIQUE ("webhook_id", "event_id"), CONSTRAINT "CHK_webhook_deliveries_status" CHECK (status IN ('pending', 'delivered', 'failed')), CONSTRAINT "CHK_webhook_deliveries_payload" CHECK (octet_length(payload::text) <= 65536), CONSTRAINT "CHK_webhook_deliveries_attempts" CHECK (attempts >= 0 AND round_start >= 0 AND round_start <= attempts), CONSTRAINT "FK_webhook_deliveries_webhook" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE)`,
    );
    await q.query(`CREATE INDEX "IDX_webhook_deliveries_log" ON "webhook_deliveries" ("webhook_id", "created_at" DESC, "id" DESC)`);

    await q.query(
      `CREATE TABLE "webhook_delivery_attempts" ("delivery_id" uuid NOT NULL, "attempt" integer NOT NULL, "status_code" integer, "error" text, "duration_ms" integer NOT NULL, "attempted_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_webhook_delivery_attempts" PRIMARY KEY ("delivery_id", "attempt"), CONSTRAINT "CHK_webhook_delivery_attempts_attempt" CHECK (attempt >= 1), CONSTRAINT "CHK_webhook_delivery_attempts_error" CHECK (error IS NULL OR length(error) <= 1000), CONSTRAINT "FK_webhook_delivery_attempts_delivery" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE)`,
    );

    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON webhooks, webhook_deliveries, webhook_delivery_attempts TO caliper_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_delivery_attempts, webhook_deliveries, webhooks`);
  }
}
