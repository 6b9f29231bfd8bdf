import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Model registry: registered models (name unique per project among live models), their tags and
 * aliases, model versions (version numbers sequential per model and never reused, stage as
 * Caliper names it: none, staging, clinical, retired), version tags, and the files a version
 * pins at registration.
 *
 * model_version_files copies (bucket, object_key, size, sha256) from the run's `artifacts` rows
 * under the registered path: a later re-upload moves the run's mapping to a new object, while the
 * version keeps the object it was registered with. The (bucket, object_key) index serves the
 * artifact code's "is this object pinned?" check.
 *
 * Deletes are soft (deleted_time): audit events, inference results and promotions keep pointing
 * at real rows, and version numbers are never reused (MLflow's rule).
 */
export class Registry1764500000000 implements MigrationInterface {
  name = 'Registry1764500000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "registered_models" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "name" text NOT NULL, "description" text, "creation_time" bigint NOT NULL, "last_updated_time" bigint NOT NULL, "deleted_time" bigint, CONSTRAINT "PK_registered_models" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_registered_models_project_name" ON "registered_models" ("project_id", "name") WHERE "deleted_time" IS NULL`,
    );
    await q.query(
      `CREATE TABLE "registered_model_tags" ("registered_model_id" uuid NOT NULL, "key" text NOT NULL, "value" text NOT NULL, CONSTRAINT "PK_registered_model_tags" PRIMARY KEY ("registered_model_id", "key"))`,
    );
    await q.query(
      `CREATE TABLE "model_versions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "registered_model_id" uuid NOT NULL, "version" integer NOT NULL, "source" text NOT NULL, "run_id" bigint, "artifact_path" text, "artifact_digest" text, "status" text NOT NULL DEFAULT 'READY', "current_stage" text NOT NULL DEFAULT 'none', "description" text NOT NULL DEFAULT '', "run_link" text NOT NULL DEFAULT '', "user_id" uuid, "creation_time" bigint NOT NULL, "last_updated_time" bigint NOT NULL, "deleted_time" bigint, CONSTRAINT "UQ_model_versions_model_version" UNIQUE ("registered_model_id", "version"), CONSTRAINT "CHK_model_versions_version" CHECK (version > 0), CONSTRAINT "CHK_model_versions_status" CHECK (status IN ('PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY')), CONSTRAINT "CHK_model_versions_stage" CHECK (current_stage IN ('none', 'staging', 'clinical', 'retired')), CONSTRAINT "PK_model_versions" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_model_versions_run" ON "model_versions" ("run_id")`);
    await q.query(
      `CREATE TABLE "model_version_tags" ("model_version_id" uuid NOT NULL, "key" text NOT NULL, "value" text NOT NULL, CONSTRAINT "PK_model_version_tags" PRIMARY KEY ("model_version_id", "key"))`,
    );
    await q.query(
      `CREATE TABLE "model_version_files" ("model_version_id" uuid NOT NULL, "path" text NOT NULL, "bucket" text NOT NULL, "object_key" text NOT NULL, "size" bigint NOT NULL, "sha256" text NOT NULL, CONSTRAINT "PK_model_version_files" PRIMARY KEY ("model_version_id", "path"))`,
    );
    await q.query(`CREATE INDEX "IDX_model_version_files_object" ON "model_version_files" ("bucket", "object_key")`);
    await q.query(
      `CREATE TABLE "registered_model_aliases" ("registered_model_id" uuid NOT NULL, "alias" text NOT NULL, "model_version_id" uuid NOT NULL, CONSTRAINT "PK_registered_model_aliases" PRIMARY KEY ("registered_model_id", "alias"))`,
    );
    for (const [table, name, column, ref] of [
      ['registered_models', 'FK_registered_models_project', 'project_id', 'projects'],
      ['registered_model_tags', 'FK_registered_model_tags_model', 'registered_model_id', 'registered_models'],
      ['model_versions', 'FK_model_versions_model', 'registered_model_id', 'registered_models'],
      ['model_versions', 'FK_model_versions_run', 'run_id', 'runs'],
      ['model_versions', 'FK_model_versions_user', 'user_id', 'users'],
      ['model_version_tags', 'FK_model_version_tags_version', 'model_version_id', 'model_versions'],
      ['model_version_files', 'FK_model_version_files_version', 'model_version_id', 'model_versions'],
      ['registered_model_aliases', 'FK_registered_model_aliases_model', 'registered_model_id', 'registered_models'],
      ['registered_model_aliases', 'FK_registered_model_aliases_version', 'model_version_id', 'model_versions'],
    ]) {
      await q.query(
        `ALTER TABLE "${table}" ADD CONSTRAINT "${name}" FOREIGN KEY ("${column}") REFERENCES "${ref}"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
      );
    }
    await q.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON registered_models, registered_model_tags, registered_model_aliases, model_versions, model_version_tags, model_version_files TO caliper_app`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP TABLE registered_model_aliases, model_version_files, model_version_tags, model_versions, registered_model_tags, registered_models`,
    );
  }
}
