/**
 * Model registry: registered models → model versions with tags and aliases, and the run artifact
 * objects a version pins at registration (model_version_files). Deletes are soft (deleted_time).
 */
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { ModelSpec, ModelStage, ModelTaskType } from '@caliper/domain';
import { ProjectEntity } from './project.entity';
import { RunEntity } from './tracking.entity';
import { UserEntity } from './user.entity';

const bigintNumber = { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

@Entity('registered_models')
@Index('UQ_registered_models_project_name', ['projectId', 'name'], { unique: true, where: '"deleted_time" IS NULL' })
export class RegisteredModelEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_registered_models' }) id: string;
  @Column('uuid', { name: 'project_id' }) projectId: string;
  @ManyToOne(() => ProjectEntity)
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'FK_registered_models_project' })
  project?: ProjectEntity;
  @Column('text') name: string;
  /** Null until set; MLflow leaves the field out of its JSON then. */
  @Column('text', { nullable: true }) description: string | null;
  @Column('bigint', { name: 'creation_time', transformer: bigintNumber }) creationTime: number;
  @Column('bigint', { name: 'last_updated_time', transformer: bigintNumber }) lastUpdatedTime: number;
  @Column('bigint', { name: 'deleted_time', nullable: true, transformer: bigintNumber }) deletedTime: number | null;
}

@Entity('registered_model_tags')
export class RegisteredModelTagEntity {
  @PrimaryColumn('uuid', { name: 'registered_model_id', primaryKeyConstraintName: 'PK_registered_model_tags' }) registeredModelId: string;
  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_registered_model_tags' }) key: string;
  @ManyToOne(() => RegisteredModelEntity)
  @JoinColumn({ name: 'registered_model_id', foreignKeyConstraintName: 'FK_registered_model_tags_model' })
  registeredModel?: RegisteredModelEntity;
  @Column('text') value: string;
}

export const MODEL_VERSION_STATUSES = ['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY'] as const;

@Entity('model_versions')
@Unique('UQ_model_versions_model_version', ['registeredModelId', 'version'])
@Index('IDX_model_versions_run', ['runId'])
@Check('CHK_model_versions_version', `version > 0`)
@Check('CHK_model_versions_status', `status IN ('PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY')`)
@Check('CHK_model_versions_stage', `current_stage IN ('none', 'staging', 'clinical', 'retired')`)
export class ModelVersionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_model_versions' }) id: string;
  @Column('uuid', { name: 'registered_model_id' }) registeredModelId: string;
  @ManyToOne(() => RegisteredModelEntity)
  @JoinColumn({ name: 'registered_model_id', foreignKeyConstraintName: 'FK_model_versions_model' })
  registeredModel?: RegisteredModelEntity;
  /** Sequential per model from 1, never reused (deleted versions keep their number). */
  @Column('integer') version: number;
  /** The artifact URI the client registered, as sent. */
  @Column('text') source: string;
  /** The run the version came from (null when the source is not a run artifact and no run was named). */
  @Column('bigint', { name: 'run_id', nullable: true }) runId: string | null;
  @ManyToOne(() => RunEntity)
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'FK_model_versions_run' })
  run?: RunEntity;
  /** The path inside the run's artifacts that was pinned ('' = the whole artifact root); null when nothing was pinned. */
  @Column('text', { name: 'artifact_path', nullable: true }) artifactPath: string | null;
  /** sha256 over the pinned manifest (see manifestDigest in @caliper/domain): one value that names the exact files. */
  @Column('text', { name: 'artifact_digest', nullable: true }) artifactDigest: string | null;
  @Column('text', { default: 'READY' }) status: (typeof MODEL_VERSION_STATUSES)[number];
  @Column('text', { name: 'current_stage', default: 'none' }) currentStage: ModelStage;
  @Column('text', { default: '' }) description: string;
  @Column('text', { name: 'run_link', default: '' }) runLink: string;
  @Column('uuid', { name: 'user_id', nullable: true }) userId: string | null;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_model_versions_user' })
  user?: UserEntity;
  @Column('bigint', { name: 'creation_time', transformer: bigintNumber }) creationTime: number;
  @Column('bigint', { name: 'last_updated_time', transformer: bigintNumber }) lastUpdatedTime: number;
  @Column('bigint', { name: 'deleted_time', nullable: true, transformer: bigintNumber }) deletedTime: number | null;
}

@Entity('model_version_tags')
export class ModelVersionTagEntity {
  @PrimaryColumn('uuid', { name: 'model_version_id', primaryKeyConstraintName: 'PK_model_version_tags' }) modelVersionId: string;
  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_model_version_tags' }) key: string;
  @ManyToOne(() => ModelVersionEntity)
  @JoinColumn({ name: 'model_version_id', foreignKeyConstraintName: 'FK_model_version_tags_version' })
  modelVersion?: ModelVersionEntity;
  @Column('text') value: string;
}

/** One object a version pinned at registration, copied from the run's artifacts map. */
@Entity('model_version_files')
@Index('IDX_model_version_files_object', ['bucket', 'objectKey'])
export class ModelVersionFileEntity {
  @PrimaryColumn('uuid', { name: 'model_version_id', primaryKeyConstraintName: 'PK_model_version_files' }) modelVersionId: string;
  /** The artifact path inside the run (e.g. model/MLmodel). */
  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_model_version_files' }) path: string;
  @ManyToOne(() => ModelVersionEntity)
  @JoinColumn({ name: 'model_version_id', foreignKeyConstraintName: 'FK_model_version_files_version' })
  modelVersion?: ModelVersionEntity;
  @Column('text') bucket: string;
  @Column('text', { name: 'object_key' }) objectKey: string;
  @Column('bigint', { transformer: bigintNumber }) size: number;
  @Column('text') sha256: string;
}

@Entity('registered_model_aliases')
export class RegisteredModelAliasEntity {
  @PrimaryColumn('uuid', { name: 'registered_model_id', primaryKeyConstraintName: 'PK_registered_model_aliases' })
  registeredModelId: string;
  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_registered_model_aliases' }) alias: string;
  @ManyToOne(() => RegisteredModelEntity)
  @JoinColumn({ name: 'registered_model_id', foreignKeyConstraintName: 'FK_registered_model_aliases_model' })
  registeredModel?: RegisteredModelEntity;
  @Column('uuid', { name: 'model_version_id' }) modelVersionId: string;
  @ManyToOne(() => ModelVersionEntity)
  @JoinColumn({ name: 'model_version_id', foreignKeyConstraintName: 'FK_registered_model_aliases_version' })
  modelVersion?: ModelVersionEntity;
}

export const MODEL_VALIDATION_STATUSES = ['pending', 'valid', 'invalid'] as const;
export type ModelValidationStatus = (typeof MODEL_VALIDATION_STATUSES)[number];

/** One tensor of the validated model's signature; a dynamic dimension is its symbolic name (or null). */
export type TensorSignatureRow = {
  name: string;
  dtype: string;
  shape: (number | string | null)[];
};

/**
 * The ONNX validation of a model version: written 'pending' at registration (with the task type and
 * spec given then), finished once by the worker, then immutable (trigger).
 */
@Entity('model_version_validations')
@Check('CHK_model_version_validations_status', `status IN ('pending', 'valid', 'invalid')`)
@Check('CHK_model_version_validations_task_type', `task_type IN ('segmentation', 'classification', 'detection')`)
@Check('CHK_model_version_validations_finished', `(status = 'pending') = (validated_at IS NULL)`)
@Check('CHK_model_version_validations_reason', `status <> 'invalid' OR reason IS NOT NULL`)
export class ModelVersionValidationEntity {
  @PrimaryColumn('uuid', { name: 'model_version_id', primaryKeyConstraintName: 'PK_model_version_validations' }) modelVersionId: string;
  @ManyToOne(() => ModelVersionEntity)
  @JoinColumn({ name: 'model_version_id', foreignKeyConstraintName: 'FK_model_version_validations_version' })
  modelVersion?: ModelVersionEntity;
  @Column('text', { default: 'pending' }) status: ModelValidationStatus;
  @Column('text', { name: 'task_type', nullable: true }) taskType: ModelTaskType | null;
  /** { preprocessing, postprocessing } as given at registration, checked by modelSpecSchema. */
  @Column('jsonb', { nullable: true }) spec: Pick<ModelSpec, 'preprocessing' | 'postprocessing'> | null;
  /** The artifact path of the ONNX file that was validated. */
  @Column('text', { name: 'file_path', nullable: true }) filePath: string | null;
  /** sha256 of the bytes the worker read and loaded. */
  @Column('text', { nullable: true }) sha256: string | null;
  @Column('integer', { nullable: true }) opset: number | null;
  @Column('jsonb', { nullable: true }) inputs: TensorSignatureRow[] | null;
  @Column('jsonb', { nullable: true }) outputs: TensorSignatureRow[] | null;
  @Column('text', { nullable: true }) reason: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'validated_at', nullable: true }) validatedAt: Date | null;
}
