/** Datasets' tables (migrations/1765100000000-Datasets.ts), registered by PersistenceModule.forFeature where used. */
import { ProjectEntity, UserEntity } from '@caliper/persistence';
import type { DatasetSplit, SplitRatios } from '@caliper/domain';
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

const bigintNumber = { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

@Entity({ name: 'datasets' })
@Unique('UQ_datasets_project_name', ['projectId', 'name'])
export class DatasetEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_datasets' }) id!: string;
  @Column('uuid', { name: 'project_id' }) projectId!: string;
  @ManyToOne(() => ProjectEntity)
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'FK_datasets_project' })
  project?: ProjectEntity;
  @Column('text') name!: string;
  @Column('text', { default: '' }) description!: string;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'FK_datasets_created_by' })
  creator?: UserEntity;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

export type DatasetVersionState = 'draft' | 'sealed';

/** How a version's patients get their splits: by the seed and ratios, or from split files (explicit). */
export type DatasetSplitMode = 'seed' | 'explicit';
export const DATASET_SPLIT_MODES: readonly DatasetSplitMode[] = ['seed', 'explicit'];

/** How a version was built: from a PACS query, an upload, or another version with changes. */
export type DatasetVersionSource = { kind?: 'pacs' | 'upload' | 'derived' | 'empty' } & Record<string, string | number | boolean | null>;

@Entity({ name: 'dataset_versions' })
@Unique('UQ_dataset_versions_number', ['datasetId', 'number'])
@Check('CHK_dataset_versions_state', `state IN ('draft', 'sealed')`)
@Check('CHK_dataset_versions_split_mode', `split_mode IN ('seed', 'explicit')`)
@Check(
  'CHK_dataset_versions_sealed',
  `state = 'draft' OR (sealed_at IS NOT NULL AND manifest_sha256 IS NOT NULL AND deid_method IS NOT NULL)`,
)
export class DatasetVersionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_dataset_versions' }) id!: string;
  @Column('uuid', { name: 'dataset_id' }) datasetId!: string;
  @ManyToOne(() => DatasetEntity)
  @JoinColumn({ name: 'dataset_id', foreignKeyConstraintName: 'FK_dataset_versions_dataset' })
  dataset?: DatasetEntity;
  @Column('integer') number!: number;
  @Column('uuid', { name: 'parent_id', nullable: true }) parentId!: string | null;
  @ManyToOne(() => DatasetVersionEntity)
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'FK_dataset_versions_parent' })
  parent?: DatasetVersionEntity;
  @Column('text', { default: 'draft' }) state!: DatasetVersionState;
  @Column('jsonb', { default: {} }) source!: DatasetVersionSource;
  @Column('jsonb', { name: 'label_set', default: [] }) labelSet!: string[];
  @Column('text', { name: 'split_seed' }) splitSeed!: string;
  @Column('jsonb', { name: 'split_ratios' }) splitRatios!: SplitRatios;
  @Column('boolean', { name: 'stratify_by_label', default: false }) stratifyByLabel!: boolean;
  /** migrations/1765400000000-DatasetSplitMode.ts */
  @Column('text', { name: 'split_mode', default: 'seed' }) splitMode!: DatasetSplitMode;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'FK_dataset_versions_created_by' })
  creator?: UserEntity;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('uuid', { name: 'sealed_by', nullable: true }) sealedBy!: string | null;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'sealed_by', foreignKeyConstraintName: 'FK_dataset_versions_sealed_by' })
  sealer?: UserEntity;
  @Column('timestamptz', { name: 'sealed_at', nullable: true }) sealedAt!: Date | null;
  @Column('text', { name: 'manifest_key', nullable: true }) manifestKey!: string | null;
  @Column('text', { name: 'manifest_sha256', nullable: true }) manifestSha256!: string | null;
  @Column('integer', { name: 'item_count', nullable: true }) itemCount!: number | null;
  @Column('integer', { name: 'patient_count', nullable: true }) patientCount!: number | null;
  @Column('uuid', { name: 'deid_attested_by', nullable: true }) deidAttestedBy!: string | null;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'deid_attested_by', foreignKeyConstraintName: 'FK_dataset_versions_deid_attested_by' })
  deidAttester?: UserEntity;
  @Column('text', { name: 'deid_method', nullable: true }) deidMethod!: string | null;
  @Column('timestamptz', { name: 'deid_attested_at', nullable: true }) deidAttestedAt!: Date | null;
  @Column('text', { name: 'deid_summary', nullable: true }) deidSummary!: string | null;
}

@Entity({ name: 'dataset_items' })
@Check('CHK_dataset_items_split', `split IN ('train', 'val', 'test')`)
@Check('CHK_dataset_items_sha256', `sha256 ~ '^[0-9a-f]{64}$'`)
@Index('IDX_dataset_items_patient', ['versionId', 'patientKey'])
export class DatasetItemEntity {
  @PrimaryColumn('uuid', { name: 'version_id', primaryKeyConstraintName: 'PK_dataset_items' }) versionId!: string;
  @ManyToOne(() => DatasetVersionEntity)
  @JoinColumn({ name: 'version_id', foreignKeyConstraintName: 'FK_dataset_items_version' })
  version?: DatasetVersionEntity;
  @PrimaryColumn('text', { name: 'item_key', primaryKeyConstraintName: 'PK_dataset_items' }) itemKey!: string;
  @Column('text', { name: 'study_uid', nullable: true }) studyUid!: string | null;
  @Column('text', { name: 'series_uid', nullable: true }) seriesUid!: string | null;
  @Column('text', { name: 'sop_uid', nullable: true }) sopUid!: string | null;
  @Column('text', { name: 'object_key', nullable: true }) objectKey!: string | null;
  @Column('text', { nullable: true }) modality!: string | null;
  @Column('text') sha256!: string;
  @Column('bigint', { name: 'size_bytes', transformer: bigintNumber }) sizeBytes!: number;
  @Column('text', { name: 'patient_key' }) patientKey!: string;
  @Column('text', { nullable: true }) split!: DatasetSplit | null;
  @Column('text', { nullable: true }) label!: string | null;
  @Column('text', { name: 'mask_key', nullable: true }) maskKey!: string | null;
}

@Entity({ name: 'dataset_patient_secrets' })
export class DatasetPatientSecretEntity {
  @PrimaryColumn('uuid', { name: 'project_id', primaryKeyConstraintName: 'PK_dataset_patient_secrets' }) projectId!: string;
  @ManyToOne(() => ProjectEntity)
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'FK_dataset_patient_secrets_project' })
  project?: ProjectEntity;
  @Column('bytea') secret!: Buffer;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

export const DATASET_ENTITIES = [DatasetEntity, DatasetVersionEntity, DatasetItemEntity, DatasetPatientSecretEntity];
