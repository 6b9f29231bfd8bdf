import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Run templates (issue 15, item 1): a template is a name in a project; its numbered versions are
 * the definitions a training run is launched from (architecture, initial model version, dataset
 * version, typed parameters, resources, executor and image, command). A version, once written,
 * is what runs launched from it were launched from, so it never changes: a trigger refuses any
 * UPDATE or DELETE of a version, and a change is a new version.
 *
 * Invariants the database keeps besides: one name per project (case-insensitive); versions
 * numbered from 1 without sharing a number; a known executor; a non-empty command of bounded
 * size; parameters a JSON array and resources a JSON object. The typed rules (bounds, defaults,
 * placeholders) are the domain's (libs/domain run-templates.ts), checked before every write.
 */
export class RunTemplates1766100000000 implements MigrationInterface {
  name = 'RunTemplates1766100000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "run_templates" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "name" text NOT NULL, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_run_templates" PRIMARY KEY ("id"), CONSTRAINT "CHK_run_templates_name" CHECK (length(name) BETWEEN 1 AND 100), CONSTRAINT "FK_run_templates_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id"), CONSTRAINT "FK_run_templates_user" FOREIGN KEY ("created_by") REFERENCES "users"("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "UQ_run_templates_name" ON "run_templates" ("project_id", lower(name))`);

    await q.query(
      `CREATE TABLE "run_template_versions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "template_id" uuid NOT NULL, "version" integer NOT NULL, "description" text NOT NULL DEFAULT '', "architecture" text NOT NULL, "initial_model_version_id" uuid, "dataset_version_id" uuid, "parameters" jsonb NOT NULL, "resources" jsonb NOT NULL, "executor" text NOT NULL, "image" text, "command" text[] NOT NULL, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_run_template_versions" PRIMARY KEY ("id"), CONSTRAINT "UQ_run_template_versions_number" UNIQUE ("template_id", "version"), CONSTRAINT "CHK_run_template_versions_version" CHECK (version >= 1), CONSTRAINT "CHK_run_template_versions_executor" CHECK (executor IN ('local', 'slurm', 'kubernetes')), CONSTRAINT "CHK_run_template_versions_command" CHECK (cardinality(command) BETWEEN 1 AND 100), CONSTRAINT "CHK_run_template_versions_parameters" CHECK (jsonb_typeof(parameters) = 'array' AND jsonb_array_length(parameters) <= 50), CONSTRAINT "CHK_run_template_versions_resources" CHECK (jsonb_typeof(resources) = 'object'), CONSTRAINT "CHK_run_template_versions_text" CHECK (length(description) <= 4000 AND length(architecture) BETWEEN 1 AND 200 AND (image IS NULL OR length(image) <= 500)), CONSTRAINT "FK_run_template_versions_template" FOREIGN KEY ("template_id") REFERENCES "run_templates"("id"), CONSTRAINT "FK_run_template_versions_model_version" FOREIGN KEY ("initial_model_version_id") REFERENCES "model_versions"("id"), CONSTRAINT "FK_run_template_versions_dataset_version" FOREIGN KEY ("dataset_version_id") REFERENCES "dataset_versions"("id"), CONSTRAINT "FK_run_template_versions_user" FOREIGN KEY ("created_by") REFERENCES "users"("id"))`,
    );
    await q.query(`CREATE FUNCTION run_template_versions_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'run template version % is immutable: add a new version instead', OLD.version USING ERRCODE = 'check_violation';
      END $$`);
    await q.query(
      `CREATE TRIGGER run_template_versions_immutable BEFORE UPDATE OR DELETE ON run_template_versions FOR EACH ROW EXECUTE FUNCTION run_template_versions_refuse_change()`,
    );
    // UPDATE on run_templates for the row lock a new version is numbered under (SELECT … FOR UPDATE needs it).
    await q.query(`GRANT SELECT, INSERT, UPDATE ON run_templates TO caliper_app`);
    await q.query(`GRANT SELECT, INSERT ON run_template_versions TO caliper_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE run_template_versions, run_templates`);
    await q.query(`DROP FUNCTION run_template_versions_refuse_change()`);
  }
}
