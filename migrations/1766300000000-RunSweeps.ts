import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sweeps (issue 15, item 5): grid or random search over a template version's parameters, launched
 * as child runs of one parent run (MLflow's nested runs, so the compare page and any MLflow client
 * group them). At most `max_concurrent` children are submitted at once: `submit_queued_at` on an
 * execution says its submit job was queued (at launch, or by the worker's sync when a slot freed).
 * The sweep's spec (method, dimensions, seed) is kept as given, so a random sweep can be redrawn.
 */
export class RunSweeps1766300000000 implements MigrationInterface {
  name = 'RunSweeps1766300000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "run_sweeps" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "template_version_id" uuid NOT NULL, "parent_run_id" bigint NOT NULL, "spec" jsonb NOT NULL, "max_concurrent" integer NOT NULL, "run_count" integer NOT NULL, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_run_sweeps" PRIMARY KEY ("id"), CONSTRAINT "UQ_run_sweeps_parent" UNIQUE ("parent_run_id"), CONSTRAINT "CHK_run_sweeps_counts" CHECK (max_concurrent BETWEEN 1 AND 50 AND run_count BETWEEN 1 AND 100), CONSTRAINT "CHK_run_sweeps_spec" CHECK (jsonb_typeof(spec) = 'object' AND octet_length(spec::text) <= 65536), CONSTRAINT "FK_run_sweeps_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id"), CONSTRAINT "FK_run_sweeps_template_version" FOREIGN KEY ("template_version_id") REFERENCES "run_template_versions"("id"), CONSTRAINT "FK_run_sweeps_parent" FOREIGN KEY ("parent_run_id") REFERENCES "runs"("id"), CONSTRAINT "FK_run_sweeps_user" FOREIGN KEY ("created_by") REFERENCES "users"("id"))`,
    );
    await q.query(`ALTER TABLE "run_executions" ADD "sweep_id" uuid, ADD "submit_queued_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`UPDATE "run_executions" SET submit_queued_at = launched_at`);
    await q.query(
      `ALTER TABLE "run_executions" ADD CONSTRAINT "FK_run_executions_sweep" FOREIGN KEY ("sweep_id") REFERENCES "run_sweeps"("id")`,
    );
    // The sync's look for free slots: a sweep's children not ended yet.
    await q.query(
      `CREATE INDEX "IDX_run_executions_sweep_open" ON "run_executions" ("sweep_id", "run_id") WHERE ended_at IS NULL AND sweep_id IS NOT NULL`,
    );
    // UPDATE for the row lock the sync takes while it fills a sweep's free slots.
    await q.query(`GRANT SELECT, INSERT, UPDATE ON run_sweeps TO caliper_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "run_executions" DROP COLUMN "submit_queued_at", DROP COLUMN "sweep_id"`);
    await q.query(`DROP TABLE run_sweeps`);
  }
}
