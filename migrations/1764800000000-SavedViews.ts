import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Saved views: a named URL query state of the compare page or the runs table, per project. A name
 * is unique per (project, kind); saving under an existing name overwrites it (updated_at moves).
 */
export class SavedViews1764800000000 implements MigrationInterface {
  name = 'SavedViews1764800000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "saved_views" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "name" text NOT NULL, "kind" text NOT NULL, "state" jsonb NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_saved_views_project_kind_name" UNIQUE ("project_id", "kind", "name"), CONSTRAINT "CHK_saved_views_kind" CHECK (kind IN ('compare', 'runs-table')), CONSTRAINT "PK_saved_views" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `ALTER TABLE "saved_views" ADD CONSTRAINT "FK_saved_views_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "saved_views" ADD CONSTRAINT "FK_saved_views_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON saved_views TO caliper_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE saved_views`);
  }
}
