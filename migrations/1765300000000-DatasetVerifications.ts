import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Re-verification of dataset versions (issue 13): a verification re-fetches every item of a
 * version (from the PACS by WADO-RS, or from the datasets bucket), re-hashes it and records what
 * drifted. Reports are history: a finished verification cannot change (trigger), its drift rows
 * can only be added (no UPDATE or DELETE granted), and at most one verification per version is
 * queued or running at a time (partial unique index), so a retried request finds the running one.
 * Deleting a draft deletes its verifications.
 */
export class DatasetVerifications1765300000000 implements MigrationInterface {
  name = 'DatasetVerifications1765300000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "dataset_verifications" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "version_id" uuid NOT NULL, "status" text NOT NULL DEFAULT 'queued', "total" integer, "checked" integer NOT NULL DEFAULT 0, "ok" integer NOT NULL DEFAULT 0, "changed" integer NOT NULL DEFAULT 0, "missing" integer NOT NULL DEFAULT 0, "errors" integer NOT NULL DEFAULT 0, "last_key" text, "error" text, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_dataset_verifications_status" CHECK (status IN ('queued', 'running', 'done', 'failed')), CONSTRAINT "PK_dataset_verifications" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `ALTER TABLE "dataset_verifications" ADD CONSTRAINT "FK_dataset_verifications_version" FOREIGN KEY ("version_id") REFERENCES "dataset_versions"("id") ON DELETE CASCADE`,
    );
    await q.query(
      `ALTER TABLE "dataset_verifications" ADD CONSTRAINT "FK_dataset_verifications_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id")`,
    );
    await q.query(`CREATE INDEX "IDX_dataset_verifications_version" ON "dataset_verifications" ("version_id", "created_at")`);
    await q.query(
      `CREATE UNIQUE INDEX "UQ_dataset_verifications_unfinished" ON "dataset_verifications" ("version_id") WHERE status IN ('queued', 'running')`,
    );
    await q.query(
      `CREATE TABLE "dataset_verification_drifts" ("verification_id" uuid NOT NULL, "item_key" text NOT NULL, "kind" text NOT NULL, "sop_uid" text, "object_key" text, "expected_sha256" text NOT NULL, "actual_sha256" text, "reason" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_dataset_verification_drifts_kind" CHECK (kind IN ('changed', 'missing', 'error')), CONSTRAINT "PK_dataset_verification_drifts" PRIMARY KEY ("verification_id", "item_key"))`,
    );
    await q.query(
      `ALTER TABLE "dataset_verification_drifts" ADD CONSTRAINT "FK_dataset_verification_drifts_verification" FOREIGN KEY ("verification_id") REFERENCES "dataset_verifications"("id") ON DELETE CASCADE`,
    );
    await q.query(`
      CREATE FUNCTION dataset_verification_finished_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.status IN ('done', 'failed') THEN
          RAISE EXCEPTION 'dataset verification % is finished (%): its report cannot change', OLD.id, OLD.status USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER dataset_verifications_finished BEFORE UPDATE ON dataset_verifications FOR EACH ROW EXECUTE FUNCTION dataset_verification_finished_guard()`,
    );
    await q.query(`GRANT SELECT, INSERT, UPDATE ON dataset_verifications TO caliper_app`);
    await q.query(`GRANT SELECT, INSERT ON dataset_verification_drifts TO caliper_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "dataset_verification_drifts"`);
    await q.query(`DROP TABLE "dataset_verifications"`);
    await q.query(`DROP FUNCTION dataset_verification_finished_guard()`);
  }
}
