import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** Jobs written in the business transaction; the worker relays them to BullMQ (no lost or phantom jobs). */
@Entity('outbox')
@Unique('UQ_outbox_job_id', ['jobId'])
@Index('IDX_outbox_unrelayed', ['id'], { where: 'relayed_at IS NULL' })
export class OutboxEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_outbox' }) id: string;
  @Column('text', { name: 'job_name' }) jobName: string;
  @Column('text', { name: 'job_id' }) jobId: string;
  @Column('jsonb') payload: unknown;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'relayed_at', nullable: true }) relayedAt: Date | null;
  /** Earliest time the job may run; null: at once. */
  @Column('timestamptz', { name: 'run_after', nullable: true }) runAfter: Date | null;
}

/** Ledger of object uploads: a pending row whose upload never completed is swept with its object. */
@Entity('uploads')
@Unique('UQ_uploads_object', ['bucket', 'objectKey'])
@Check('CHK_uploads_status', `status IN ('pending', 'complete')`)
export class UploadEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_uploads' }) id: string;
  @Column('text') bucket: string;
  @Column('text', { name: 'object_key' }) objectKey: string;
  @Column('text', { default: 'pending' }) status: 'pending' | 'complete';
  @Column('bigint', { nullable: true }) size: string | null;
  @Column('text', { nullable: true }) sha256: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'completed_at', nullable: true }) completedAt: Date | null;
}
