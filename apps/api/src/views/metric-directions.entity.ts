/**
 * A project's choice of whether a metric key is better low or high (migrations/1765600000000-MetricBest.ts).
 * Keys without a row follow defaultMetricDirection (libs/domain).
 */
import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ProjectEntity, UserEntity } from '@caliper/persistence';
import type { MetricDirection } from '@caliper/domain';

@Entity('metric_directions')
@Check('CHK_metric_directions_direction', `direction IN ('min', 'max')`)
export class MetricDirectionEntity {
  @PrimaryColumn('uuid', { name: 'project_id', primaryKeyConstraintName: 'PK_metric_directions' }) projectId: string;
  @ManyToOne(() => ProjectEntity)
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'FK_metric_directions_project' })
  project?: ProjectEntity;
  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_metric_directions' }) key: string;
  @Column('text') direction: MetricDirection;
  @Column('uuid', { name: 'updated_by', nullable: true }) updatedBy: string | null;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'updated_by', foreignKeyConstraintName: 'FK_metric_directions_updated_by' })
  updater?: UserEntity;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}
