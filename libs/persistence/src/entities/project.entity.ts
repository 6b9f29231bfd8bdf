import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { ProjectRole } from '@caliper/domain';
import { UserEntity } from './user.entity';

const ROLE_SET_CHECK = `cardinality(roles) > 0 AND roles <@ ARRAY['viewer','researcher','pi','clinical_approver','qa']::text[]`;

@Entity('projects')
@Unique('UQ_projects_slug', ['slug'])
@Check('CHK_projects_slug', `slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'`)
export class ProjectEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_projects' }) id: string;
  @Column('text') slug: string;
  @Column('text') name: string;
  @Column('text', { default: '' }) description: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'archived_at', nullable: true }) archivedAt: Date | null;
}

@Entity('project_members')
@Check('CHK_project_members_roles', ROLE_SET_CHECK)
export class ProjectMemberEntity {
  @PrimaryColumn('uuid', { name: 'project_id', primaryKeyConstraintName: 'PK_project_members' }) projectId: string;
  @PrimaryColumn('uuid', { name: 'user_id', primaryKeyConstraintName: 'PK_project_members' }) userId: string;
  @ManyToOne(() => ProjectEntity)
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'FK_project_members_project' })
  project?: ProjectEntity;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_project_members_user' })
  user?: UserEntity;
  @Column('text', { array: true }) roles: ProjectRole[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}

@Entity('api_tokens')
@Check('CHK_api_tokens_roles', ROLE_SET_CHECK)
export class ApiTokenEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_api_tokens' }) id: string;
  @Column('uuid', { name: 'user_id' }) userId: string;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_api_tokens_user' })
  user?: UserEntity;
  @Column('uuid', { name: 'project_id' }) projectId: string;
  @ManyToOne(() => ProjectEntity)
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'FK_api_tokens_project' })
  project?: ProjectEntity;
  @Column('text') name: string;
  @Column('text', { array: true }) roles: ProjectRole[];
  @Column('text', { name: 'run_id', nullable: true }) runId: string | null;
  @Column('text', { name: 'secret_hash' }) secretHash: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt: Date | null;
}
