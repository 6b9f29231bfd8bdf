import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  OneToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
  Check,
} from 'typeorm';

@Entity('users')
@Unique('UQ_users_username', ['username'])
@Check('CHK_users_kind', `kind IN ('human', 'service')`)
@Check('CHK_users_global_role', `global_role IS NULL OR global_role IN ('system_admin', 'auditor')`)
export class UserEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_users' }) id: string;
  @Column('text') username: string;
  @Column('text', { name: 'display_name' }) displayName: string;
  @Column('text', { nullable: true }) email: string | null;
  @Column('text', { default: 'human' }) kind: 'human' | 'service';
  @Column('text', { name: 'global_role', nullable: true }) globalRole: 'system_admin' | 'auditor' | null;
  @Column('boolean', { name: 'is_active', default: true }) isActive: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'deactivated_at', nullable: true }) deactivatedAt: Date | null;
  /** Where Basic-auth clients (the mlflow client) log when an experiment name carries no `project-slug/`. */
  @Column('uuid', { name: 'default_project_id', nullable: true }) defaultProjectId: string | null;
}

/** Credentials live apart from users so re-authentication (e-signatures) and OIDC can be added. */
@Entity('user_credentials')
export class UserCredentialEntity {
  @PrimaryColumn('uuid', { name: 'user_id', primaryKeyConstraintName: 'PK_user_credentials' }) userId: string;
  @OneToOne(() => UserEntity)
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_user_credentials_user' })
  user?: UserEntity;
  @Column('text', { name: 'password_hash' }) passwordHash: string;
  @Column('timestamptz', { name: 'changed_at', default: () => 'now()' }) changedAt: Date;
}

@Entity('sessions')
export class SessionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_sessions' }) id: string;
  @Column('uuid', { name: 'user_id' }) userId: string;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_sessions_user' })
  user?: UserEntity;
  @Column('text', { name: 'secret_hash' }) secretHash: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  @Column('text', { nullable: true }) ip: string | null;
}
