import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for run search over thousands of runs (docs/compare-design.md, "Run search and the
 * runs table"): a filter on a metric, param or tag is a range or equality scan of its (key,
 * value) index, an order by a metric reads latest_metrics by (key_id, value), and the default
 * listing (newest first, ties by run id) follows the runs listing indexes.
 *
 * Param and tag values may be far longer than a B-tree entry allows (6000 and 5000 characters),
 * so their indexes keep the first 200 characters; equality compares that prefix and the value.
 * The listing indexes carry the run's id and scope, so a search joining runs to the rows its
 * filters found reads them index-only (counts too) instead of scanning the table.
 * The entities declare these indexes with `synchronize: false` (expression and DESC columns).
 */
export class RunSearchIndexes1764700000000 implements MigrationInterface {
  name = 'RunSearchIndexes1764700000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "IDX_latest_metrics_key_value" ON latest_metrics (key_id, value) INCLUDE (run_id)`);
    await q.query(`CREATE INDEX "IDX_run_params_key_value" ON run_params (key, left(value, 200))`);
    await q.query(`CREATE INDEX "IDX_run_tags_key_value" ON run_tags (key, left(value, 200))`);
    // Which values go with which key (lr = '0.01' is common, site = '0.01' is not): without these
    // the planner multiplies the two frequencies and expects a handful of rows for a common pair.
    await q.query(`CREATE STATISTICS "STX_run_params_key_value" (mcv) ON key, left(value, 200) FROM run_params`);
    await q.query(`CREATE STATISTICS "STX_run_tags_key_value" (mcv) ON key, left(value, 200) FROM run_tags`);
    await q.query(
      `CREATE INDEX "IDX_runs_experiment_listing" ON runs (experiment_id, lifecycle_stage, start_time DESC NULLS LAST, uuid) INCLUDE (id, project_id)`,
    );
    // Narrow, for counting the active runs of experiments (the table's total) index-only.
    await q.query(`CREATE INDEX "IDX_runs_experiment_scope" ON runs (experiment_id, lifecycle_stage, project_id)`);
    await q.query(
      `CREATE INDEX "IDX_runs_project_listing" ON runs (project_id, lifecycle_stage, start_time DESC NULLS LAST, uuid) INCLUDE (id, experiment_id)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP STATISTICS "STX_run_tags_key_value", "STX_run_params_key_value"`);
    await q.query(
      `DROP INDEX "IDX_runs_project_listing", "IDX_runs_experiment_scope", "IDX_runs_experiment_listing", "IDX_run_tags_key_value", "IDX_run_params_key_value", "IDX_latest_metrics_key_value"`,
    );
  }
}
