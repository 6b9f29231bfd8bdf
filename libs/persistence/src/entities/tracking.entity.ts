/**
 * Experiment tracking: projects → experiments → runs with params, tags, inputs, logs and
 * artifacts. Metric points (metric_points) are hand-written SQL, not an entity: an append-heavy
 * table with a composite identity key, written in batches by MetricsRepository.
 */
import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { ProjectEntity } from './project.entity';
import { UserEntity } from './user.entity';

const bigintNumber = { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

@Entity('experiments')
@Unique('UQ_experiments_project_name', ['projectId', 'name'])
@Index('UQ_experiments_project_default', ['projectId'], { unique: true, where: '"is_default"' })
@Check('CHK_experiments_lifecycle', `lifecycle_stage IN ('active', 'deleted')`)
export class ExperimentEntity {
  /** MLflow's experiment_id (a decimal string on the wire). */
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_experiments' }) id: string;
  @Column('uuid', { name: 'project_id' }) projectId: string;
  @ManyToOne(() => ProjectEntity)
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'FK_experiments_project' })
  project?: ProjectEntity;
  @Column('text') name: string;
  @Column('text', { name: 'artifact_location' }) artifactLocation: string;
  @Column('text', { name: 'lifecycle_stage', default: 'active' }) lifecycleStage: 'active' | 'deleted';
  /** The project's Default experiment, which MLflow's experiment "0" maps to. */
  @Column('boolean', { name: 'is_default', default: false }) isDefault: boolean;
  @Column('bigint', { name: 'creation_time', transformer: bigintNumber }) creationTime: number;
  @Column('bigint', { name: 'last_update_time', transformer: bigintNumber }) lastUpdateTime: number;
}

@Entity('experiment_tags')
export class ExperimentTagEntity {
  @PrimaryColumn('bigint', { name: 'experiment_id', primaryKeyConstraintName: 'PK_experiment_tags' }) experimentId: string;
  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_experiment_tags' }) key: string;
  @ManyToOne(() => ExperimentEntity)
  @JoinColumn({ name: 'experiment_id', foreignKeyConstraintName: 'FK_experiment_tags_experiment' })
  experiment?: ExperimentEntity;
  @Column('text') value: string;
}

export const RUN_STATUSES = ['queued', 'starting', 'running', 'finished', 'failed', 'killed', 'lost'] as const;

@Entity('runs')
@Unique('UQ_runs_uuid', ['uuid'])
@Index('IDX_runs_experiment_start', ['experimentId', 'startTime'])
// Run search (migration RunSearchIndexes): DESC columns TypeORM cannot describe, so not synchronised.
@Index('IDX_runs_experiment_listing', { synchronize: false })
@Index('IDX_runs_project_listing', { synchronize: false })
@Index('IDX_runs_experiment_scope', { synchronize: false })
// The training watchdog's work list (migration RunExecutions): running runs by their last heartbeat.
@Index('IDX_runs_running_heartbeat', ['heartbeatAt'], { where: `status = 'running'` })
@Check('CHK_runs_status', `status IN ('queued', 'starting', 'running', 'finished', 'failed', 'killed', 'lost')`)
@Check('CHK_runs_lifecycle', `lifecycle_stage IN ('active', 'deleted')`)
@Check('CHK_runs_uuid', `uuid ~ '^[0-9a-f]{32}$'`)
export class RunEntity {
  /** Surrogate key used by the metric tables (bigint, never shown). */
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_runs' }) id: string;
  /** MLflow's run_id: 32 hex characters. */
  @Column('text') uuid: string;
  @Column('bigint', { name: 'experiment_id' }) experimentId: string;
  @ManyToOne(() => ExperimentEntity)
  @JoinColumn({ name: 'experiment_id', foreignKeyConstraintName: 'FK_runs_experiment' })
  experiment?: ExperimentEntity;
  @Column('uuid', { name: 'project_id' }) projectId: string;
  @ManyToOne(() => ProjectEntity)
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'FK_runs_project' })
  project?: ProjectEntity;
  @Column('text') name: string;
  @Column('text') status: (typeof RUN_STATUSES)[number];
  @Column('bigint', { name: 'start_time', nullable: true, transformer: bigintNumber }) startTime: number | null;
  @Column('bigint', { name: 'end_time', nullable: true, transformer: bigintNumber }) endTime: number | null;
  @Column('text', { name: 'lifecycle_stage', default: 'active' }) lifecycleStage: 'active' | 'deleted';
  @Column('bigint', { name: 'deleted_time', nullable: true, transformer: bigintNumber }) deletedTime: number | null;
  @Column('uuid', { name: 'user_id', nullable: true }) userId: string | null;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_runs_user' })
  user?: UserEntity;
  @Column('text', { name: 'artifact_uri' }) artifactUri: string;
  @Column('bigint', { name: 'parent_run_id', nullable: true }) parentRunId: string | null;
  @ManyToOne(() => RunEntity)
  @JoinColumn({ name: 'parent_run_id', foreignKeyConstraintName: 'FK_runs_parent' })
  parent?: RunEntity;
  @Column('text', { name: 'git_commit', nullable: true }) gitCommit: string | null;
  @Column('text', { name: 'git_repo', nullable: true }) gitRepo: string | null;
  @Column('text', { name: 'image_digest', nullable: true }) imageDigest: string | null;
  @Column('timestamptz', { name: 'heartbeat_at', nullable: true }) heartbeatAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('run_params')
@Index('IDX_run_params_key_num', ['key', 'valueNum'])
@Index('IDX_run_params_key_value', { synchronize: false })
export class RunParamEntity {
  @PrimaryColumn('bigint', { name: 'run_id', primaryKeyConstraintName: 'PK_run_params' }) runId: string;
  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_run_params' }) key: string;
  @ManyToOne(() => RunEntity)
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'FK_run_params_run' })
  run?: RunEntity;
  @Column('text') value: string;
  /** The value parsed as a number when it is one, for sorting and scatter plots. */
  @Column('double precision', { name: 'value_num', nullable: true }) valueNum: number | null;
}

@Entity('run_tags')
@Index('IDX_run_tags_key_value', { synchronize: false })
export class RunTagEntity {
  @PrimaryColumn('bigint', { name: 'run_id', primaryKeyConstraintName: 'PK_run_tags' }) runId: string;
  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_run_tags' }) key: string;
  @ManyToOne(() => RunEntity)
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'FK_run_tags_run' })
  run?: RunEntity;
  @Column('text') value: string;
}

/** Metric names get bigint surrogate keys so the points table stays narrow. */
@Entity('metric_keys')
@Unique('UQ_metric_keys_name', ['name'])
export class MetricKeyEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_metric_keys' }) id: string;
  @Column('text') name: string;
}

/**
 * The latest point per (run, metric) by MLflow's rule (max step, then timestamp, then value): fast
 * run tables. Beside it, the lowest and highest finite value and the step each was first reached at
 * (migrations/1765600000000-MetricBest.ts): a metric's best is one of them, by its direction.
 */
@Entity('latest_metrics')
@Index('IDX_latest_metrics_key_value', { synchronize: false })
@Check('CHK_latest_metrics_extremes', `(min_value IS NULL) = (min_step IS NULL) AND (max_value IS NULL) = (max_step IS NULL)`)
export class LatestMetricEntity {
  @PrimaryColumn('bigint', { name: 'run_id', primaryKeyConstraintName: 'PK_latest_metrics' }) runId: string;
  @PrimaryColumn('bigint', { name: 'key_id', primaryKeyConstraintName: 'PK_latest_metrics' }) keyId: string;
  @ManyToOne(() => RunEntity)
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'FK_latest_metrics_run' })
  run?: RunEntity;
  @ManyToOne(() => MetricKeyEntity)
  @JoinColumn({ name: 'key_id', foreignKeyConstraintName: 'FK_latest_metrics_key' })
  metricKey?: MetricKeyEntity;
  @Column('bigint', { transformer: bigintNumber }) step: number;
  @Column('bigint', { transformer: bigintNumber }) ts: number;
  @Column('double precision') value: number;
  @Column('double precision', { name: 'min_value', nullable: true }) minValue: number | null;
  @Column('bigint', { name: 'min_step', nullable: true, transformer: bigintNumber }) minStep: number | null;
  @Column('double precision', { name: 'max_value', nullable: true }) maxValue: number | null;
  @Column('bigint', { name: 'max_step', nullable: true, transformer: bigintNumber }) maxStep: number | null;
}

/** A run's inputs: datasets (later: links to dataset versions) and initial weights (model versions). */
@Entity('run_inputs')
@Unique('UQ_run_inputs_identity', ['runId', 'kind', 'name', 'digest'])
@Check('CHK_run_inputs_kind', `kind IN ('dataset', 'model')`)
@Index('IDX_run_inputs_dataset_version', ['datasetVersionId', 'runId'], { where: 'dataset_version_id IS NOT NULL' })
export class RunInputEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_run_inputs' }) id: string;
  @Column('bigint', { name: 'run_id' }) runId: string;
  @ManyToOne(() => RunEntity)
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'FK_run_inputs_run' })
  run?: RunEntity;
  @Column('text') kind: 'dataset' | 'model';
  @Column('text') name: string;
  @Column('text') digest: string;
  @Column('uuid', { name: 'dataset_version_id', nullable: true }) datasetVersionId: string | null;
  @Column('uuid', { name: 'model_version_id', nullable: true }) modelVersionId: string | null;
  /** The external descriptor as sent (MLflow: source_type, source, schema, profile; and input tags). */
  @Column('jsonb') descriptor: Record<string, unknown>;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('run_logs')
@Index('IDX_run_logs_run', ['runId', 'id'])
export class RunLogEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_run_logs' }) id: string;
  @Column('bigint', { name: 'run_id' }) runId: string;
  @ManyToOne(() => RunEntity)
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'FK_run_logs_run' })
  run?: RunEntity;
  @Column('timestamptz') ts: Date;
  @Column('text', { default: 'stdout' }) stream: string;
  @Column('text') line: string;
}

/**
 * (run, path) → an opaque write-once object. A re-upload writes a new object and moves the
 * mapping; objects a model version pins are never touched.
 */
@Entity('artifacts')
export class ArtifactEntity {
  @PrimaryColumn('bigint', { name: 'run_id', primaryKeyConstraintName: 'PK_artifacts' }) runId: string;
  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_artifacts' }) path: string;
  @ManyToOne(() => RunEntity)
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'FK_artifacts_run' })
  run?: RunEntity;
  @Column('text') bucket: string;
  @Column('text', { name: 'object_key' }) objectKey: string;
  @Column('bigint', { transformer: bigintNumber }) size: number;
  @Column('text') sha256: string;
  @Column('text', { name: 'content_type', nullable: true }) contentType: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/** Responses of idempotent requests (native batches' Idempotency-Key), kept 24 h. */
@Entity('idempotency_records')
export class IdempotencyRecordEntity {
  @PrimaryColumn('uuid', { name: 'user_id', primaryKeyConstraintName: 'PK_idempotency_records' }) userId: string;
  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_idempotency_records' }) key: string;
  @Column('text', { name: 'request_hash' }) requestHash: string;
  @Column('integer', { name: 'status_code' }) statusCode: number;
  @Column('jsonb') response: unknown;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
