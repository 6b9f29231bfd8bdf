import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Experiment tracking: experiments (one Default per project, MLflow's experiment "0"), runs
 * (status with `lost` for later executor sync), write-once params with a numeric shadow for
 * sorting, tags, inputs, logs, artifacts and idempotency records.
 *
 * metric_points is hand-written and not an entity: narrow rows keyed by bigint surrogates,
 * and MLflow's identity rule as the primary key — a point equal in (run, key, step, timestamp,
 * value) to a stored one is stored once, so a retried batch never duplicates points. PostgreSQL
 * treats NaN as equal to NaN in the key, so repeated NaN points deduplicate too.
 */
export class Tracking1764400000000 implements MigrationInterface {
  name = 'Tracking1764400000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "experiments" ("id" BIGSERIAL NOT NULL, "project_id" uuid NOT NULL, "name" text NOT NULL, "artifact_location" text NOT NULL, "lifecycle_stage" text NOT NULL DEFAULT 'active', "is_default" boolean NOT NULL DEFAULT false, "creation_time" bigint NOT NULL, "last_update_time" bigint NOT NULL, CONSTRAINT "UQ_experiments_project_name" UNIQUE ("project_id", "name"), CONSTRAINT "CHK_experiments_lifecycle" CHECK (lifecycle_stage IN ('active', 'deleted')), CONSTRAINT "PK_experiments" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "UQ_experiments_project_default" ON "experiments" ("project_id") WHERE "is_default"`);
    await q.query(
      `CREATE TABLE "experiment_tags" ("experiment_id" bigint NOT NULL, "key" text NOT NULL, "value" text NOT NULL, CONSTRAINT "PK_experiment_tags" PRIMARY KEY ("experiment_id", "key"))`,
    );
    await q.query(
      `CREATE TABLE "runs" ("id" BIGSERIAL NOT NULL, "uuid" text NOT NULL, "experiment_id" bigint NOT NULL, "project_id" uuid NOT NULL, "name" text NOT NULL, "status" text NOT NULL, "start_time" bigint, "end_time" bigint, "lifecycle_stage" text NOT NULL DEFAULT 'active', "deleted_time" bigint, "user_id" uuid, "artifact_uri" text NOT NULL, "parent_run_id" bigint, "git_commit" text, "git_repo" text, "image_digest" text, "heartbeat_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_runs_uuid" UNIQUE ("uuid"), CONSTRAINT "CHK_runs_uuid" CHECK (uuid ~ '^[0-9a-f]{32}$'), CONSTRAINT "CHK_runs_lifecycle" CHECK (lifecycle_stage IN ('active', 'deleted')), CONSTRAINT "CHK_runs_status" CHECK (status IN ('queued', 'starting', 'running', 'finished', 'failed', 'killed', 'lost')), CONSTRAINT "PK_runs" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_runs_experiment_start" ON "runs" ("experiment_id", "start_time")`);
    await q.query(
      `CREATE TABLE "run_params" ("run_id" bigint NOT NULL, "key" text NOT NULL, "value" text NOT NULL, "value_num" double precision, CONSTRAINT "PK_run_params" PRIMARY KEY ("run_id", "key"))`,
    );
    await q.query(`CREATE INDEX "IDX_run_params_key_num" ON "run_params" ("key", "value_num")`);
    await q.query(
      `CREATE TABLE "run_tags" ("run_id" bigint NOT NULL, "key" text NOT NULL, "value" text NOT NULL, CONSTRAINT "PK_run_tags" PRIMARY KEY ("run_id", "key"))`,
    );
    await q.query(
      `CREATE TABLE "metric_keys" ("id" BIGSERIAL NOT NULL, "name" text NOT NULL, CONSTRAINT "UQ_metric_keys_name" UNIQUE ("name"), CONSTRAINT "PK_metric_keys" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE TABLE "latest_metrics" ("run_id" bigint NOT NULL, "key_id" bigint NOT NULL, "step" bigint NOT NULL, "ts" bigint NOT NULL, "value" double precision NOT NULL, CONSTRAINT "PK_latest_metrics" PRIMARY KEY ("run_id", "key_id"))`,
    );
    await q.query(
      `CREATE TABLE "run_inputs" ("id" BIGSERIAL NOT NULL, "run_id" bigint NOT NULL, "kind" text NOT NULL, "name" text NOT NULL, "digest" text NOT NULL, "dataset_version_id" uuid, "model_version_id" uuid, "descriptor" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_run_inputs_identity" UNIQUE ("run_id", "kind", "name", "digest"), CONSTRAINT "CHK_run_inputs_kind" CHECK (kind IN ('dataset', 'model')), CONSTRAINT "PK_run_inputs" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE TABLE "run_logs" ("id" BIGSERIAL NOT NULL, "run_id" bigint NOT NULL, "ts" TIMESTAMP WITH TIME ZONE NOT NULL, "stream" text NOT NULL DEFAULT 'stdout', "line" text NOT NULL, CONSTRAINT "PK_run_logs" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_run_logs_run" ON "run_logs" ("run_id", "id")`);
    await q.query(
      `CREATE TABLE "artifacts" ("run_id" bigint NOT NULL, "path" text NOT NULL, "bucket" text NOT NULL, "object_key" text NOT NULL, "size" bigint NOT NULL, "sha256" text NOT NULL, "content_type" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_artifacts" PRIMARY KEY ("run_id", "path"))`,
    );
    await q.query(
      `CREATE TABLE "idempotency_records" ("user_id" uuid NOT NULL, "key" text NOT NULL, "request_hash" text NOT NULL, "status_code" integer NOT NULL, "response" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_idempotency_records" PRIMARY KEY ("user_id", "key"))`,
    );
    await q.query(`ALTER TABLE "users" ADD "default_project_id" uuid`);
    for (const [table, name, column, ref] of [
      ['experiments', 'FK_experiments_project', 'project_id', 'projects'],
      ['experiment_tags', 'FK_experiment_tags_experiment', 'experiment_id', 'experiments'],
      ['runs', 'FK_runs_experiment', 'experiment_id', 'experiments'],
      ['runs', 'FK_runs_project', 'project_id', 'projects'],
      ['runs', 'FK_runs_user', 'user_id', 'users'],
      ['runs', 'FK_runs_parent', 'parent_run_id', 'runs'],
      ['run_params', 'FK_run_params_run', 'run_id', 'runs'],
      ['run_tags', 'FK_run_tags_run', 'run_id', 'runs'],
      ['latest_metrics', 'FK_latest_metrics_run', 'run_id', 'runs'],
      ['latest_metrics', 'FK_latest_metrics_key', 'key_id', 'metric_keys'],
      ['run_inputs', 'FK_run_inputs_run', 'run_id', 'runs'],
      ['run_logs', 'FK_run_logs_run', 'run_id', 'runs'],
      ['artifacts', 'FK_artifacts_run', 'run_id', 'runs'],
    ]) {
      await q.query(
        `ALTER TABLE "${table}" ADD CONSTRAINT "${name}" FOREIGN KEY ("${column}") REFERENCES "${ref}"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
      );
    }

    // Hand-written: see the class comment. No foreign keys on the hot path (runs are never deleted, only marked).
    await q.query(`CREATE TABLE metric_points (
      run_id bigint NOT NULL,
      key_id bigint NOT NULL,
      step bigint NOT NULL,
      ts bigint NOT NULL,
      value double precision NOT NULL,
      CONSTRAINT "PK_metric_points" PRIMARY KEY (run_id, key_id, step, ts, value))`);

    // Every project gets its Default experiment (MLflow's "0").
    await q.query(`INSERT INTO experiments (project_id, name, artifact_location, is_default, creation_time, last_update_time)
      SELECT id, 'Default', '', true, (extract(epoch from now()) * 1000)::bigint, (extract(epoch from now()) * 1000)::bigint FROM projects`);
    await q.query(`UPDATE experiments SET artifact_location = 'mlflow-artifacts:/' || id`);

    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON experiments, experiment_tags, runs, run_params, run_tags, metric_keys, latest_metrics,
      run_inputs, run_logs, artifacts, idempotency_records, metric_points TO caliper_app`);
    await q.query(
      `GRANT USAGE, SELECT ON SEQUENCE experiments_id_seq, runs_id_seq, metric_keys_id_seq, run_inputs_id_seq, run_logs_id_seq TO caliper_app`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP TABLE metric_points, idempotency_records, artifacts, run_logs, run_inputs, latest_metrics, metric_keys, run_tags, run_params, runs, experiment_tags, experiments`,
    );
    await q.query(`ALTER TABLE "users" DROP COLUMN "default_project_id"`);
  }
}
