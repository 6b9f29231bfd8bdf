import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PACS imports into a draft dataset version (issue 13, item 3a): one row per import with its
 * DICOMweb query, mode (reference or copy), status and progress, written by the API in the same
 * transaction as the outbox job, then by the worker as it runs. Deleting a draft deletes its imports.
 */
export class DatasetImports1765200000000 implements MigrationInterface {
  name = 'DatasetImports1765200000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "dataset_imports" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "version_id" uuid NOT NULL, "query" jsonb NOT NULL, "copy" boolean NOT NULL, "status" text NOT NULL DEFAULT 'queued', "total" integer, "done" integer NOT NULL DEFAULT 0, "skipped" integer NOT NULL DEFAULT 0, "failed" integer NOT NULL DEFAULT 0, "failures" jsonb NOT NULL DEFAULT '[]', "error" text, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_dataset_imports_status" CHECK (status IN ('queued', 'running', 'done', 'failed')), CONSTRAINT "PK_dataset_imports" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `ALTER TABLE "dataset_imports" ADD CONSTRAINT "FK_dataset_imports_version" FOREIGN KEY ("version_id") REFERENCES "dataset_versions"("id") ON DELETE CASCADE`,
    );
    await q.query(
      `ALTER TABLE "dataset_imports" ADD CONSTRAINT "FK_dataset_imports_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id")`,
    );
    await q.query(`CREATE INDEX "IDX_dataset_imports_version" ON "dataset_imports" ("version_id", "created_at")`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON dataset_imports TO caliper_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "dataset_imports"`);
  }
}
