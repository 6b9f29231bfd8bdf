import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Datasets (issue 13): a dataset has numbered versions; a version is a draft until sealed, then
 * immutable. Triggers refuse any UPDATE or DELETE of a sealed version and any INSERT, UPDATE or
 * DELETE of its items, for every role (the app's included), and refuse a seal that would leave a
 * patient in two splits. PatientID is never stored: items carry an HMAC of it under a per-project
 * secret (dataset_patient_secrets), which only the app reads.
 */
export class Datasets1765100000000 implements MigrationInterface {
  name = 'Datasets1765100000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "datasets" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "name" text NOT NULL, "description" text NOT NULL DEFAULT '', "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_datasets_project_name" UNIQUE ("project_id", "name"), CONSTRAINT "PK_datasets" PRIMARY KEY ("id"))`,
    );
    await q.query(`ALTER TABLE "datasets" ADD CONSTRAINT "FK_datasets_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id")`);
    await q.query(`ALTER TABLE "datasets" ADD CONSTRAINT "FK_datasets_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id")`);

    await q.query(
      `CREATE TABLE "dataset_versions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "dataset_id" uuid NOT NULL, "number" integer NOT NULL, "parent_id" uuid, "state" text NOT NULL DEFAULT 'draft', "source" jsonb NOT NULL DEFAULT '{}', "label_set" jsonb NOT NULL DEFAULT '[]', "split_seed" text NOT NULL, "split_ratios" jsonb NOT NULL, "stratify_by_label" boolean NOT NULL DEFAULT false, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "sealed_by" uuid, "sealed_at" TIMESTAMP WITH TIME ZONE, "manifest_key" text, "manifest_sha256" text, "item_count" integer, "patient_count" integer, "deid_attested_by" uuid, "deid_method" text, "deid_attested_at" TIMESTAMP WITH TIME ZONE, "deid_summary" text, CONSTRAINT "UQ_dataset_versions_number" UNIQUE ("dataset_id", "number"), CONSTRAINT "CHK_dataset_versions_state" CHECK (state IN ('draft', 'sealed')), CONSTRAINT "CHK_dataset_versions_sealed" CHECK (state = 'draft' OR (sealed_at IS NOT NULL AND manifest_sha256 IS NOT NULL AND deid_method IS NOT NULL)), CONSTRAINT "PK_dataset_versions" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `ALTER TABLE "dataset_versions" ADD CONSTRAINT "FK_dataset_versions_dataset" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id")`,
    );
    await q.query(
      `ALTER TABLE "dataset_versions" ADD CONSTRAINT "FK_dataset_versions_parent" FOREIGN KEY ("parent_id") REFERENCES "dataset_versions"("id")`,
    );
    for (const col of ['created_by', 'sealed_by', 'deid_attested_by']) {
      await q.query(
        `ALTER TABLE "dataset_versions" ADD CONSTRAINT "FK_dataset_versions_${col}" FOREIGN KEY ("${col}") REFERENCES "users"("id")`,
      );
    }

    await q.query(
      `CREATE TABLE "dataset_items" ("version_id" uuid NOT NULL, "item_key" text NOT NULL, "study_uid" text, "series_uid" text, "sop_uid" text, "object_key" text, "modality" text, "sha256" text NOT NULL, "size_bytes" bigint NOT NULL, "patient_key" text NOT NULL, "split" text, "label" text, "mask_key" text, CONSTRAINT "CHK_dataset_items_split" CHECK (split IN ('train', 'val', 'test')), CONSTRAINT "CHK_dataset_items_sha256" CHECK (sha256 ~ '^[0-9a-f]{64}$'), CONSTRAINT "PK_dataset_items" PRIMARY KEY ("version_id", "item_key"))`,
    );
    await q.query(
      `ALTER TABLE "dataset_items" ADD CONSTRAINT "FK_dataset_items_version" FOREIGN KEY ("version_id") REFERENCES "dataset_versions"("id")`,
    );
    await q.query(`CREATE INDEX "IDX_dataset_items_patient" ON "dataset_items" ("version_id", "patient_key")`);

    await q.query(
      `CREATE TABLE "dataset_patient_secrets" ("project_id" uuid NOT NULL, "secret" bytea NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_dataset_patient_secrets" PRIMARY KEY ("project_id"))`,
    );
    await q.query(
      `ALTER TABLE "dataset_patient_secrets" ADD CONSTRAINT "FK_dataset_patient_secrets_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id")`,
    );

    await q.query(`
      CREATE FUNCTION dataset_version_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.state = 'sealed' THEN
          RAISE EXCEPTION 'dataset version % is sealed and cannot be changed', OLD.id USING ERRCODE = 'check_violation';
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.state = 'sealed' THEN
          IF EXISTS (SELECT 1 FROM dataset_items WHERE version_id = NEW.id GROUP BY patient_key HAVING count(DISTINCT split) > 1
                                                                             OR (count(split) > 0 AND count(split) < count(*))) THEN
            RAISE EXCEPTION 'dataset version % puts a patient in two splits', NEW.id USING ERRCODE = 'check_violation';
          END IF;
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER dataset_versions_immutable BEFORE UPDATE OR DELETE ON dataset_versions FOR EACH ROW EXECUTE FUNCTION dataset_version_guard()`,
    );
    // Statement-level, over transition tables: one check per statement, not one per row (a COPY
    // of 100,000 items or the copy of a parent's items is one statement).
    await q.query(`
      CREATE FUNCTION dataset_items_sealed_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE v uuid;
      BEGIN
        SELECT c.version_id INTO v FROM changed_rows c JOIN dataset_versions d ON d.id = c.version_id WHERE d.state = 'sealed' LIMIT 1;
        IF v IS NULL AND TG_OP = 'UPDATE' THEN
          SELECT c.version_id INTO v FROM changed_rows_new c JOIN dataset_versions d ON d.id = c.version_id WHERE d.state = 'sealed' LIMIT 1;
        END IF;
        IF v IS NOT NULL THEN
          RAISE EXCEPTION 'dataset version % is sealed: its items cannot be changed', v USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(
      `CREATE TRIGGER dataset_items_insert_guard AFTER INSERT ON dataset_items REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION dataset_items_sealed_guard()`,
    );
    await q.query(
      `CREATE TRIGGER dataset_items_update_guard AFTER UPDATE ON dataset_items REFERENCING OLD TABLE AS changed_rows NEW TABLE AS changed_rows_new FOR EACH STATEMENT EXECUTE FUNCTION dataset_items_sealed_guard()`,
    );
    await q.query(
      `CREATE TRIGGER dataset_items_delete_guard AFTER DELETE ON dataset_items REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION dataset_items_sealed_guard()`,
    );
    await q.query(`
      CREATE FUNCTION dataset_items_truncate_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM dataset_versions WHERE state = 'sealed') THEN
          RAISE EXCEPTION 'dataset_items holds items of sealed versions and cannot be truncated' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(
      `CREATE TRIGGER dataset_items_no_truncate BEFORE TRUNCATE ON dataset_items FOR EACH STATEMENT EXECUTE FUNCTION dataset_items_truncate_guard()`,
    );

    await q.query(`GRANT SELECT, INSERT, UPDATE ON datasets TO caliper_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON dataset_versions, dataset_items TO caliper_app`);
    await q.query(`GRANT SELECT, INSERT ON dataset_patient_secrets TO caliper_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dataset_items`);
    await q.query(`DROP TABLE dataset_versions`);
    await q.query(`DROP TABLE dataset_patient_secrets`);
    await q.query(`DROP TABLE datasets`);
    await q.query(`DROP FUNCTION dataset_items_sealed_guard()`);
    await q.query(`DROP FUNCTION dataset_items_truncate_guard()`);
    await q.query(`DROP FUNCTION dataset_version_guard()`);
  }
}
