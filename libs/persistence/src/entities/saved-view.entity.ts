/**
 * Saved views (migrations/1764800000000-SavedViews.ts): a named URL query state of the compare
 * page or the runs table, per project; the name is unique per (project, kind).
 */
import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ProjectEntity } from './project.entity';
import { UserEntity } from './user.entity';

export const SAVED_VIEW_KINDS = ['compare', 'runs-table'] as const;
export type SavedViewKind = (typeof SAVED_VIEW_KINDS)[number];

@Entity('saved_views')
@Unique('UQ_saved_views_project_kind_name', ['projectId', 'kind', 'name'])
@Check('CHK_saved_views_kind', `kind IN ('compare', 'runs-table')`)
export class SavedViewEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_saved_views' }) id: string;
  @Column('uuid', { name: 'project_id' }) projectId: string;
  @ManyToOne(() => ProjectEntity)
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'FK_saved_views_project' })
  project?: ProjectEntity;
  @Column('text') name: string;
  @Column('text') kind: SavedViewKind;
  /** The page's URL query state: parameter name → value. */
  @Column('jsonb') state: Record<string, string>;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy: string | null;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'FK_saved_views_created_by' })
  creator?: UserEntity;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}
