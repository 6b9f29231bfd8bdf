import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed promotion (issue 14): per-model promotion policies (gates and required signatures per
 * target stage), model cards (editable until a signature binds them), promotion requests with
 * their gate evidence, evaluations of a version on a sealed test dataset version, e-signatures
 * (append-only, like the audit log: 21 CFR Part 11 §11.50/§11.70), and deployments.
 *
 * Invariants the database keeps, whatever the application does:
 * - promotion_signatures is append-only (no UPDATE, DELETE or TRUNCATE), one signature per person
 *   per request and one per required role per request.
 * - at most one open request (evaluating, awaiting_signatures, approved) per version and stage.
 * - at most one active deployment per model, site and mode.
 * - a model card cannot change once locked (locked_at set by the first signature).
 */
export class Promotion1765800000000 implements MigrationInterface {
  name = 'Promotion1765800000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "promotion_policies" ("registered_model_id" uuid NOT NULL, "stage" text NOT NULL, "required_roles" text[] NOT NULL, "required_signatures" integer NOT NULL, "test_dataset_version_id" uuid, "acceptance" jsonb NOT NULL DEFAULT '[]', "require_card" boolean NOT NULL DEFAULT true, "updated_by" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_promotion_policies" PRIMARY KEY ("registered_model_id", "stage"), CONSTRAINT "CHK_promotion_policies_stage" CHECK (stage IN ('staging', 'clinical', 'retired')), CONSTRAINT "CHK_promotion_policies_n" CHECK (required_signatures >= 1 AND required_signatures <= cardinality(required_roles)), CONSTRAINT "FK_promotion_policies_model" FOREIGN KEY ("registered_model_id") REFERENCES "registered_models"("id"), CONSTRAINT "FK_promotion_policies_dataset_version" FOREIGN KEY ("test_dataset_version_id") REFERENCES "dataset_versions"("id"), CONSTRAINT "FK_promotion_policies_user" FOREIGN KEY ("updated_by") REFERENCES "users"("id"))`,
    );

    await q.query(
      `CREATE TABLE "model_cards" ("model_version_id" uuid NOT NULL, "content" jsonb NOT NULL, "updated_by" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "locked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_model_cards" PRIMARY KEY ("model_version_id"), CONSTRAINT "FK_model_cards_version" FOREIGN KEY ("model_version_id") REFERENCES "model_versions"("id"), CONSTRAINT "FK_model_cards_user" FOREIGN KEY ("updated_by") REFERENCES "users"("id"))`,
    );
    await q.query(`
      CREATE FUNCTION model_card_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'model_cards rows are never deleted' USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF OLD.locked_at IS NOT NULL THEN
          RAISE EXCEPTION 'the model card of version % is signed and cannot change', OLD.model_version_id USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER model_cards_locked BEFORE UPDATE OR DELETE ON model_cards FOR EACH ROW EXECUTE FUNCTION model_card_guard()`,
    );

    await q.query(
      `CREATE TABLE "promotion_requests" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "registered_model_id" uuid NOT NULL, "model_version_id" uuid NOT NULL, "from_stage" text NOT NULL, "target_stage" text NOT NULL, "kind" text NOT NULL DEFAULT 'promotion', "reason" text NOT NULL DEFAULT '', "requested_by" uuid NOT NULL, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "status" text NOT NULL, "policy" jsonb NOT NULL, "gates" jsonb NOT NULL DEFAULT '[]', "content_sha256" text, "decided_at" TIMESTAMP WITH TIME ZONE, "decision_reason" text, "deployment_id" uuid, CONSTRAINT "PK_promotion_requests" PRIMARY KEY ("id"), CONSTRAINT "CHK_promotion_requests_target" CHECK (target_stage IN ('staging', 'clinical', 'retired')), CONSTRAINT "CHK_promotion_requests_kind" CHECK (kind IN ('promotion', 'rollback')), CONSTRAINT "CHK_promotion_requests_status" CHECK (status IN ('evaluating', 'awaiting_signatures', 'approved', 'deployed', 'rejected', 'gate_failed', 'cancelled', 'deployment_failed')), CONSTRAINT "CHK_promotion_requests_sha256" CHECK (content_sha256 IS NULL OR content_sha256 ~ '^[0-9a-f]{64}$'), CONSTRAINT "FK_promotion_requests_model" FOREIGN KEY ("registered_model_id") REFERENCES "registered_models"("id"), CONSTRAINT "FK_promotion_requests_version" FOREIGN KEY ("model_version_id") REFERENCES "model_versions"("id"), CONSTRAINT "FK_promotion_requests_user" FOREIGN KEY ("requested_by") REFERENCES "users"("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_promotion_requests_open" ON "promotion_requests" ("model_version_id", "target_stage") WHERE status IN ('evaluating', 'awaiting_signatures', 'approved')`,
    );
    await q.query(`CREATE INDEX "IDX_promotion_requests_model" ON "promotion_requests" ("registered_model_id", "requested_at")`);
    await q.query(`CREATE INDEX "IDX_promotion_requests_awaiting" ON "promotion_requests" ("status") WHERE status = 'awaiting_signatures'`);

    await q.query(
      `CREATE TABLE "promotion_signatures" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "request_id" uuid NOT NULL, "user_id" uuid NOT NULL, "printed_name" text NOT NULL, "username" text NOT NULL, "role" text NOT NULL, "meaning" text NOT NULL, "decision" text NOT NULL, "reason" text, "content_sha256" text NOT NULL, "signed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_promotion_signatures" PRIMARY KEY ("id"), CONSTRAINT "UQ_promotion_signatures_person" UNIQUE ("request_id", "user_id"), CONSTRAINT "UQ_promotion_signatures_role" UNIQUE ("request_id", "role"), CONSTRAINT "CHK_promotion_signatures_meaning" CHECK (meaning IN ('review', 'approval', 'responsibility')), CONSTRAINT "CHK_promotion_signatures_decision" CHECK (decision IN ('approve', 'reject')), CONSTRAINT "CHK_promotion_signatures_reason" CHECK (decision = 'approve' OR length(btrim(coalesce(reason, ''))) > 0), CONSTRAINT "CHK_promotion_signatures_sha256" CHECK (content_sha256 ~ '^[0-9a-f]{64}$'), CONSTRAINT "FK_promotion_signatures_request" FOREIGN KEY ("request_id") REFERENCES "promotion_requests"("id"), CONSTRAINT "FK_promotion_signatures_user" FOREIGN KEY ("user_id") REFERENCES "users"("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_promotion_signatures_user" ON "promotion_signatures" ("user_id")`);
    await q.query(`CREATE FUNCTION promotion_signatures_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'promotion_signatures is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege'; END $$`);
    await q.query(
      `CREATE TRIGGER promotion_signatures_immutable BEFORE UPDATE OR DELETE ON promotion_signatures FOR EACH ROW EXECUTE FUNCTION promotion_signatures_refuse_change()`,
    );
    await q.query(
      `CREATE TRIGGER promotion_signatures_no_truncate BEFORE TRUNCATE ON promotion_signatures FOR EACH STATEMENT EXECUTE FUNCTION promotion_signatures_refuse_change()`,
    );

    await q.query(
      `CREATE TABLE "model_evaluations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "request_id" uuid NOT NULL, "model_version_id" uuid NOT NULL, "dataset_version_id" uuid NOT NULL, "status" text NOT NULL DEFAULT 'queued', "task_type" text, "criteria" jsonb NOT NULL, "metrics" jsonb, "results" jsonb, "item_count" integer, "model_sha256" text, "manifest_sha256" text, "reason" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_model_evaluations" PRIMARY KEY ("id"), CONSTRAINT "UQ_model_evaluations_request" UNIQUE ("request_id"), CONSTRAINT "CHK_model_evaluations_status" CHECK (status IN ('queued', 'running', 'passed', 'failed', 'error')), CONSTRAINT "FK_model_evaluations_request" FOREIGN KEY ("request_id") REFERENCES "promotion_requests"("id"), CONSTRAINT "FK_model_evaluations_version" FOREIGN KEY ("model_version_id") REFERENCES "model_versions"("id"), CONSTRAINT "FK_model_evaluations_dataset_version" FOREIGN KEY ("dataset_version_id") REFERENCES "dataset_versions"("id"))`,
    );
    await q.query(`CREATE FUNCTION model_evaluation_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' OR OLD.status IN ('passed', 'failed', 'error') THEN
          RAISE EXCEPTION 'a finished evaluation cannot change (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER model_evaluations_final BEFORE UPDATE OR DELETE ON model_evaluations FOR EACH ROW EXECUTE FUNCTION model_evaluation_guard()`,
    );

    await q.query(
      `CREATE TABLE "deployments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "registered_model_id" uuid NOT NULL, "model_version_id" uuid NOT NULL, "promotion_request_id" uuid, "site" text NOT NULL DEFAULT 'default', "mode" text NOT NULL DEFAULT 'clinical', "status" text NOT NULL DEFAULT 'active', "model_sha256" text NOT NULL, "started_by" uuid, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ended_at" TIMESTAMP WITH TIME ZONE, "ended_reason" text, CONSTRAINT "PK_deployments" PRIMARY KEY ("id"), CONSTRAINT "CHK_deployments_mode" CHECK (mode IN ('clinical', 'shadow')), CONSTRAINT "CHK_deployments_status" CHECK (status IN ('active', 'ended')), CONSTRAINT "CHK_deployments_ended" CHECK ((status = 'active') = (ended_at IS NULL)), CONSTRAINT "FK_deployments_model" FOREIGN KEY ("registered_model_id") REFERENCES "registered_models"("id"), CONSTRAINT "FK_deployments_version" FOREIGN KEY ("model_version_id") REFERENCES "model_versions"("id"), CONSTRAINT "FK_deployments_request" FOREIGN KEY ("promotion_request_id") REFERENCES "promotion_requests"("id"), CONSTRAINT "FK_deployments_user" FOREIGN KEY ("started_by") REFERENCES "users"("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_deployments_active" ON "deployments" ("registered_model_id", "site", "mode") WHERE status = 'active'`,
    );
    await q.query(`CREATE INDEX "IDX_deployments_version" ON "deployments" ("model_version_id")`);
    await q.query(
      `ALTER TABLE "promotion_requests" ADD CONSTRAINT "FK_promotion_requests_deployment" FOREIGN KEY ("deployment_id") REFERENCES "deployments"("id")`,
    );

    await q.query(
      `GRANT SELECT, INSERT, UPDATE ON promotion_policies, model_cards, promotion_requests, model_evaluations, deployments TO caliper_app`,
    );
    await q.query(`GRANT SELECT, INSERT ON promotion_signatures TO caliper_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "promotion_requests" DROP CONSTRAINT "FK_promotion_requests_deployment"`);
    await q.query(`DROP TABLE deployments, model_evaluations, promotion_signatures, promotion_requests, model_cards, promotion_policies`);
    await q.query(`DROP FUNCTION model_evaluation_guard()`);
    await q.query(`DROP FUNCTION promotion_signatures_refuse_change()`);
    await q.query(`DROP FUNCTION model_card_guard()`);
  }
}
