import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ONNX validation of registered model versions (issue 14). Registering a version writes one
 * 'pending' row here, with the task type and pre/post-processing spec given at registration, and
 * enqueues 'registry.validate-version' in the same transaction; the worker loads the model with
 * onnxruntime-node, runs a smoke input and records the outcome: 'valid' or 'invalid' with its
 * reason, the sha256 it computed from the bytes it read, the opset and the input/output signature.
 *
 * A version is immutable once validated: the trigger refuses any UPDATE of a finished row, and
 * DELETE is not granted, so the evidence a promotion will rely on cannot be rewritten. What a
 * version is (its model, number, source, run, pinned path and digest, who registered it and when)
 * never changes after registration either: a trigger on model_versions refuses it, and the files
 * a version pinned can be neither changed nor removed (UPDATE and DELETE revoked).
 */
export class ModelVersionValidations1765700000000 implements MigrationInterface {
  name = 'ModelVersionValidations1765700000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "model_version_validations" ("model_version_id" uuid NOT NULL, "status" text NOT NULL DEFAULT 'pending', "task_type" text, "spec" jsonb, "file_path" text, "sha256" text, "opset" integer, "inputs" jsonb, "outputs" jsonb, "reason" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "validated_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_model_version_validations_status" CHECK (status IN ('pending', 'valid', 'invalid')), CONSTRAINT "CHK_model_version_validations_task_type" CHECK (task_type IN ('segmentation', 'classification', 'detection')), CONSTRAINT "CHK_model_version_validations_finished" CHECK ((status = 'pending') = (validated_at IS NULL)), CONSTRAINT "CHK_model_version_validations_reason" CHECK (status <> 'invalid' OR reason IS NOT NULL), CONSTRAINT "PK_model_version_validations" PRIMARY KEY ("model_version_id"))`,
    );
    await q.query(
      `ALTER TABLE "model_version_validations" ADD CONSTRAINT "FK_model_version_validations_version" FOREIGN KEY ("model_version_id") REFERENCES "model_versions"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await q.query(`
      CREATE FUNCTION model_version_validation_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.status <> 'pending' THEN
          RAISE EXCEPTION 'model version % is validated (%): its validation cannot change', OLD.model_version_id, OLD.status USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.model_version_id IS DISTINCT FROM OLD.model_version_id OR NEW.task_type IS DISTINCT FROM OLD.task_type OR NEW.spec IS DISTINCT FROM OLD.spec OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
          RAISE EXCEPTION 'model version %: the task type and spec given at registration cannot change', OLD.model_version_id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER model_version_validations_immutable BEFORE UPDATE ON model_version_validations FOR EACH ROW EXECUTE FUNCTION model_version_validation_guard()`,
    );
    await q.query(`GRANT SELECT, INSERT, UPDATE ON model_version_validations TO caliper_app`);
    await q.query(`
      CREATE FUNCTION model_version_identity_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.registered_model_id IS DISTINCT FROM OLD.registered_model_id OR NEW.version IS DISTINCT FROM OLD.version
          OR NEW.source IS DISTINCT FROM OLD.source OR NEW.run_id IS DISTINCT FROM OLD.run_id
          OR NEW.artifact_path IS DISTINCT FROM OLD.artifact_path OR NEW.artifact_digest IS DISTINCT FROM OLD.artifact_digest
          OR NEW.user_id IS DISTINCT FROM OLD.user_id OR NEW.creation_time IS DISTINCT FROM OLD.creation_time THEN
          RAISE EXCEPTION 'model version % is immutable: its model, number, source, run, artifact and digest cannot change', OLD.id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER model_versions_identity BEFORE UPDATE ON model_versions FOR EACH ROW EXECUTE FUNCTION model_version_identity_guard()`,
    );
    await q.query(`REVOKE UPDATE, DELETE ON model_version_files FROM caliper_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`GRANT UPDATE, DELETE ON model_version_files TO caliper_app`);
    await q.query(`DROP TRIGGER model_versions_identity ON model_versions`);
    await q.query(`DROP FUNCTION model_version_identity_guard()`);
    await q.query(`DROP TABLE "model_version_validations"`);
    await q.query(`DROP FUNCTION model_version_validation_guard()`);
  }
}
