import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Launched runs (issue 15, item 2): one row per run launched from a template version, holding
 * what the executor needs and what it said. The launch transaction writes it with the run
 * (status 'queued') and the 'training.submit' job; the worker records the scheduler's id
 * (`external_id`: a pid, a Slurm job id, a Job name) right after submitting, and the sync job
 * keeps `message` (e.g. Slurm's pending reason), `exit_code` and `log_tail` as the scheduler
 * reports them. `token_id` is the run-scoped API token the job logs with (revoked when the run
 * ends); its secret is never stored here.
 *
 * The watchdog (the worker's sync) finds running runs whose heartbeats stopped through a partial
 * index on runs.heartbeat_at.
 *
 * Invariants the database keeps: one execution per run; one per scheduler id and executor; a
 * known executor; bounded text; cancel_requested_at only moves from null to a time.
 */
export class RunExecutions1766200000000 implements MigrationInterface {
  name = 'RunExecutions1766200000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "run_executions" ("run_id" bigint NOT NULL, "project_id" uuid NOT NULL, "template_version_id" uuid NOT NULL, "executor" text NOT NULL, "values" jsonb NOT NULL, "command" text[] NOT NULL, "external_id" text, "token_id" text, "message" text NOT NULL DEFAULT '', "exit_code" integer, "log_tail" text, "launched_by" uuid NOT NULL, "launched_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "submitted_at" TIMESTAMP WITH TIME ZONE, "synced_at" TIMESTAMP WITH TIME ZONE, "ended_at" TIMESTAMP WITH TIME ZONE, "cancel_requested_at" TIMESTAMP WITH TIME ZONE, "cancel_requested_by" uuid, CONSTRAINT "PK_run_executions" PRIMARY KEY ("run_id"), CONSTRAINT "CHK_run_executions_executor" CHECK (executor IN ('local', 'slurm', 'kubernetes')), CONSTRAINT "CHK_run_executions_text" CHECK (length(message) <= 2000 AND (log_tail IS NULL OR length(log_tail) <= 20000) AND (external_id IS NULL OR length(external_id) <= 200)), CONSTRAINT "FK_run_executions_run" FOREIGN KEY ("run_id") REFERENCES "runs"("id"), CONSTRAINT "FK_run_executions_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id"), CONSTRAINT "FK_run_executions_template_version" FOREIGN KEY ("template_version_id") REFERENCES "run_template_versions"("id"), CONSTRAINT "FK_run_executions_token" FOREIGN KEY ("token_id") REFERENCES "api_tokens"("id"), CONSTRAINT "FK_run_executions_launched_by" FOREIGN KEY ("launched_by") REFERENCES "users"("id"), CONSTRAINT "FK_run_executions_cancel_by" FOREIGN KEY ("cancel_requested_by") REFERENCES "users"("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "UQ_run_executions_external" ON "run_executions" ("executor", "external_id") WHERE external_id IS NOT NULL`,
    );
    // The sync job's work list: executions not yet ended.
    await q.query(`CREATE INDEX "IDX_run_executions_open" ON "run_executions" ("launched_at") WHERE ended_at IS NULL`);
    // The watchdog's work list: running runs by their last heartbeat.
    await q.query(`CREATE INDEX "IDX_runs_running_heartbeat" ON "runs" ("heartbeat_at") WHERE status = 'running'`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON run_executions TO caliper_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_runs_running_heartbeat"`);
    await q.query(`DROP TABLE run_executions`);
  }
}
