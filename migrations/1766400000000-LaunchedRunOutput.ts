import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Launched runs' live output and the training queue (issue 15, item 6).
 *
 * `log_offset`: how many bytes of the job's output (the local process's or the Slurm job's output
 * file, the Kubernetes pod's log) the worker's sync has copied into the run's log stream
 * (run_logs). Each sync copies what follows it, a bounded amount at a time, and moves it forward in
 * the same transaction as the lines it wrote, only from the value it read: a sync that raced
 * another copies nothing twice. It only grows.
 *
 * The queue page lists a project's executions not ended yet in launch order, and the few that ended
 * last: one partial index each.
 */
export class LaunchedRunOutput1766400000000 implements MigrationInterface {
  name = 'LaunchedRunOutput1766400000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "run_executions" ADD "log_offset" bigint NOT NULL DEFAULT 0, ADD CONSTRAINT "CHK_run_executions_log_offset" CHECK (log_offset >= 0)`,
    );
    await q.query(`CREATE INDEX "IDX_run_executions_project_open" ON "run_executions" ("project_id", "run_id") WHERE ended_at IS NULL`);
    await q.query(
      `CREATE INDEX "IDX_run_executions_project_ended" ON "run_executions" ("project_id", "ended_at") WHERE ended_at IS NOT NULL`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_run_executions_project_ended"`);
    await q.query(`DROP INDEX "IDX_run_executions_project_open"`);
    await q.query(`ALTER TABLE "run_executions" DROP CONSTRAINT "CHK_run_executions_log_offset", DROP COLUMN "log_offset"`);
  }
}
