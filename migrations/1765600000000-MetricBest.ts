import { MigrationInterface, QueryRunner } from 'typeorm';

const FINITE = `value NOT IN ('NaN', 'Infinity', '-Infinity')`;

/**
 * The best value of every series beside its latest (issue 12): latest_metrics, which ingest
 * already keeps up to date in the same statement as the latest point, also keeps the lowest and
 * the highest finite value and the step each was first reached at (the earliest step among equal
 * values, then the earliest timestamp). Which of the two is "best" is the project's choice per
 * metric key, read at query time: metric_directions holds the keys whose direction a user set
 * (the rest follow a default from the key's name, libs/domain), so changing it rewrites nothing.
 * Both extremes stay NULL while a series has no finite point.
 */
export class MetricBest1765600000000 implements MigrationInterface {
  name = 'MetricBest1765600000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "latest_metrics" ADD "min_value" double precision, ADD "min_step" bigint, ADD "max_value" double precision, ADD "max_step" bigint`,
    );
    await q.query(
      `ALTER TABLE "latest_metrics" ADD CONSTRAINT "CHK_latest_metrics_extremes" CHECK ((min_value IS NULL) = (min_step IS NULL) AND (max_value IS NULL) = (max_step IS NULL))`,
    );
    // The series already stored: each extreme's first point by (value, step, ts), from the points' primary key order.
    await q.query(`UPDATE latest_metrics l SET min_value = e.value, min_step = e.step
      FROM (SELECT DISTINCT ON (run_id, key_id) run_id, key_id, value, step FROM metric_points WHERE ${FINITE}
            ORDER BY run_id, key_id, value, step, ts) e
      WHERE l.run_id = e.run_id AND l.key_id = e.key_id`);
    await q.query(`UPDATE latest_metrics l SET max_value = e.value, max_step = e.step
      FROM (SELECT DISTINCT ON (run_id, key_id) run_id, key_id, value, step FROM metric_points WHERE ${FINITE}
            ORDER BY run_id, key_id, value DESC, step, ts) e
      WHERE l.run_id = e.run_id AND l.key_id = e.key_id`);

    await q.query(
      `CREATE TABLE "metric_directions" ("project_id" uuid NOT NULL, "key" text NOT NULL, "direction" text NOT NULL, "updated_by" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_metric_directions_direction" CHECK (direction IN ('min', 'max')), CONSTRAINT "PK_metric_directions" PRIMARY KEY ("project_id", "key"))`,
    );
    await q.query(
      `ALTER TABLE "metric_directions" ADD CONSTRAINT "FK_metric_directions_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "metric_directions" ADD CONSTRAINT "FK_metric_directions_updated_by" FOREIGN KEY ("updated_by") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON metric_directions TO caliper_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE metric_directions`);
    await q.query(`ALTER TABLE "latest_metrics" DROP CONSTRAINT "CHK_latest_metrics_extremes"`);
    await q.query(
      `ALTER TABLE "latest_metrics" DROP COLUMN "min_value", DROP COLUMN "min_step", DROP COLUMN "max_value", DROP COLUMN "max_step"`,
    );
  }
}
