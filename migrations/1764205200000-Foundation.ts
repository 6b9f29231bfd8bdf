import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Foundation schema: users (credentials kept apart), sessions, projects and role-set memberships,
 * API tokens, the hash-chained audit log, the job outbox and the upload ledger.
 * The apps connect as `caliper_app`, which may only SELECT and INSERT on audit_events.
 */
export class Foundation1764205200000 implements MigrationInterface {
  name = 'Foundation1764205200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'caliper_app') THEN CREATE ROLE caliper_app LOGIN; END IF;
    END $$`);

    await q.query(`CREATE TABLE "users" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "username" text NOT NULL,
      "display_name" text NOT NULL,
      "email" text,
      "kind" text NOT NULL DEFAULT 'human',
      "global_role" text,
      "is_active" boolean NOT NULL DEFAULT true,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "deactivated_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "CHK_users_kind" CHECK (kind IN ('human', 'service')),
      CONSTRAINT "CHK_users_global_role" CHECK (global_role IS NULL OR global_role IN ('system_admin', 'auditor')),
      CONSTRAINT "UQ_users_username" UNIQUE ("username"),
      CONSTRAINT "PK_users" PRIMARY KEY ("id"))`);

    await q.query(`CREATE TABLE "user_credentials" (
      "user_id" uuid NOT NULL,
      "password_hash" text NOT NULL,
      "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_user_credentials" PRIMARY KEY ("user_id"),
      CONSTRAINT "FK_user_credentials_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION)`);

    await q.query(`CREATE TABLE "sessions" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "user_id" uuid NOT NULL,
      "secret_hash" text NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "revoked_at" TIMESTAMP WITH TIME ZONE,
      "ip" text,
      CONSTRAINT "PK_sessions" PRIMARY KEY ("id"),
      CONSTRAINT "FK_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION)`);

    await q.query(`CREATE TABLE "projects" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "slug" text NOT NULL,
      "name" text NOT NULL,
      "description" text NOT NULL DEFAULT '',
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "archived_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "CHK_projects_slug" CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
      CONSTRAINT "UQ_projects_slug" UNIQUE ("slug"),
      CONSTRAINT "PK_projects" PRIMARY KEY ("id"))`);

    await q.query(`CREATE TABLE "project_members" (
      "project_id" uuid NOT NULL,
      "user_id" uuid NOT NULL,
      "roles" text array NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "CHK_project_members_roles" CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['viewer','researcher','pi','clinical_approver','qa']::text[]),
      CONSTRAINT "PK_project_members" PRIMARY KEY ("project_id", "user_id"),
      CONSTRAINT "FK_project_members_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE NO ACTION ON UPDATE NO ACTION,
      CONSTRAINT "FK_project_members_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION)`);

    await q.query(`CREATE TABLE "api_tokens" (
      "id" text NOT NULL,
      "user_id" uuid NOT NULL,
      "project_id" uuid NOT NULL,
      "name" text NOT NULL,
      "roles" text array NOT NULL,
      "run_id" text,
      "secret_hash" text NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "revoked_at" TIMESTAMP WITH TIME ZONE,
      "last_used_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "CHK_api_tokens_roles" CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['viewer','researcher','pi','clinical_approver','qa']::text[]),
      CONSTRAINT "PK_api_tokens" PRIMARY KEY ("id"),
      CONSTRAINT "FK_api_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION,
      CONSTRAINT "FK_api_tokens_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE NO ACTION ON UPDATE NO ACTION)`);

    await q.query(`CREATE TABLE "outbox" (
      "id" BIGSERIAL NOT NULL,
      "job_name" text NOT NULL,
      "job_id" text NOT NULL,
      "payload" jsonb NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "relayed_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "UQ_outbox_job_id" UNIQUE ("job_id"),
      CONSTRAINT "PK_outbox" PRIMARY KEY ("id"))`);

    await q.query(`CREATE TABLE "uploads" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "bucket" text NOT NULL,
      "object_key" text NOT NULL,
      "status" text NOT NULL DEFAULT 'pending',
      "size" bigint,
      "sha256" text,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "completed_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "CHK_uploads_status" CHECK (status IN ('pending', 'complete')),
      CONSTRAINT "UQ_uploads_object" UNIQUE ("bucket", "object_key"),
      CONSTRAINT "PK_uploads" PRIMARY KEY ("id"))`);

    // Audit log: hand-written (trigger-managed), excluded from TypeORM's schema sync.
    await q.query(`CREATE TABLE audit_events (
      seq bigint PRIMARY KEY,
      occurred_at timestamptz NOT NULL,
      actor_id uuid,
      actor_label text NOT NULL,
      action text NOT NULL,
      entity_type text NOT NULL,
      entity_id text,
      project_id uuid,
      before jsonb,
      after jsonb,
      reason text,
      canonical text NOT NULL,
      prev_hash char(64) NOT NULL,
      hash char(64) NOT NULL UNIQUE)`);
    await q.query(`CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at)`);
    await q.query(`CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id)`);
    await q.query(`CREATE INDEX audit_events_actor ON audit_events (actor_id)`);
    await q.query(`CREATE INDEX audit_events_project ON audit_events (project_id)`);

    // The chain: one writer at a time (transaction advisory lock), gap-free seq, hash over prev_hash || canonical.
    await q.query(`CREATE FUNCTION audit_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE last_seq bigint; last_hash text;
      BEGIN
        PERFORM pg_advisory_xact_lock(7242001);
        SELECT seq, hash INTO last_seq, last_hash FROM audit_events ORDER BY seq DESC LIMIT 1;
        IF last_seq IS NULL THEN last_seq := 0; last_hash := repeat('0', 64); END IF;
        NEW.seq := last_seq + 1;
        NEW.prev_hash := last_hash;
        NEW.hash := encode(sha256(convert_to(last_hash || NEW.canonical, 'UTF8')), 'hex');
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_chain()`);
    await q.query(`CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege'; END $$`);
    await q.query(
      `CREATE TRIGGER audit_events_immutable BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`,
    );
    await q.query(
      `CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()`,
    );

    await q.query(`GRANT USAGE ON SCHEMA public TO caliper_app`);
    await q.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON users, user_credentials, sessions, projects, project_members, api_tokens, outbox, uploads TO caliper_app`,
    );
    await q.query(`GRANT USAGE, SELECT ON SEQUENCE outbox_id_seq TO caliper_app`);
    await q.query(`GRANT SELECT, INSERT ON audit_events TO caliper_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP FUNCTION audit_events_chain`);
    await q.query(`DROP FUNCTION audit_events_refuse_change`);
    for (const t of ['uploads', 'outbox', 'api_tokens', 'project_members', 'projects', 'sessions', 'user_credentials', 'users']) {
      await q.query(`DROP TABLE "${t}"`);
    }
  }
}
