/**
 * Re-verification of a dataset version (issue 13): the API records a verification with its outbox
 * job; the worker re-fetches every item (by WADO-RS from the PACS for referenced items, from the
 * datasets bucket for copied ones), re-hashes it and records, batch by batch, what drifted: the
 * item changed (another sha256), is missing (gone from the PACS or the bucket), or could not be
 * checked (an error, with its reason). Reports are history: the version itself is never written,
 * a finished report never changes, and drift rows are only ever added.
 */
import { defineAuditActions } from '@caliper/domain';
import { UserEntity } from '@caliper/persistence';
import {
  Check,
  Column,
  CreateDateColumn,
  DataSource,
  Entity,
  EntityManager,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { DatasetVersionEntity } from './dataset.entities';

declare module '@caliper/domain' {
  interface FeatureAuditActions {
    'dataset_version.verification_requested': true;
    'dataset_version.drift_detected': true;
  }
}
/** The API writes 'dataset_version.verification_requested'; the worker 'dataset_version.drift_detected' when a verification finds drift. */
export const DATASET_VERIFICATION_AUDIT_ACTIONS = defineAuditActions([
  'dataset_version.verification_requested',
  'dataset_version.drift_detected',
]);

export type DatasetVerificationStatus = 'queued' | 'running' | 'done' | 'failed';
export type DriftKind = 'changed' | 'missing' | 'error';

/** A version's verifications are listed at most this many at a time. */
export const MAX_VERIFICATIONS_LISTED = 50;
/** Drift rows are read at most this many a page. */
export const MAX_DRIFTS_PAGE = 500;

@Entity({ name: 'dataset_verifications' })
@Check('CHK_dataset_verifications_status', `status IN ('queued', 'running', 'done', 'failed')`)
@Index('IDX_dataset_verifications_version', ['versionId', 'createdAt'])
@Index('UQ_dataset_verifications_unfinished', ['versionId'], { unique: true, where: `status IN ('queued', 'running')` })
export class DatasetVerificationEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_dataset_verifications' }) id!: string;
  @Column('uuid', { name: 'version_id' }) versionId!: string;
  @ManyToOne(() => DatasetVersionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'version_id', foreignKeyConstraintName: 'FK_dataset_verifications_version' })
  version?: DatasetVersionEntity;
  @Column('text', { default: 'queued' }) status!: DatasetVerificationStatus;
  /** Items the version had when the verification started (null until then). */
  @Column('integer', { nullable: true }) total!: number | null;
  /** Items re-fetched and compared so far; `ok` + `changed` + `missing` + `errors`. */
  @Column('integer', { default: 0 }) checked!: number;
  @Column('integer', { default: 0 }) ok!: number;
  @Column('integer', { default: 0 }) changed!: number;
  @Column('integer', { default: 0 }) missing!: number;
  @Column('integer', { default: 0 }) errors!: number;
  /** The last item key checked (items go in key order): where a resumed job carries on. */
  @Column('text', { name: 'last_key', nullable: true }) lastKey!: string | null;
  @Column('text', { nullable: true }) error!: string | null;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'FK_dataset_verifications_created_by' })
  creator?: UserEntity;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt!: Date | null;
}

@Entity({ name: 'dataset_verification_drifts' })
@Check('CHK_dataset_verification_drifts_kind', `kind IN ('changed', 'missing', 'error')`)
export class DatasetVerificationDriftEntity {
  @PrimaryColumn('uuid', { name: 'verification_id', primaryKeyConstraintName: 'PK_dataset_verification_drifts' }) verificationId!: string;
  @ManyToOne(() => DatasetVerificationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'verification_id', foreignKeyConstraintName: 'FK_dataset_verification_drifts_verification' })
  verification?: DatasetVerificationEntity;
  @PrimaryColumn('text', { name: 'item_key', primaryKeyConstraintName: 'PK_dataset_verification_drifts' }) itemKey!: string;
  @Column('text') kind!: DriftKind;
  @Column('text', { name: 'sop_uid', nullable: true }) sopUid!: string | null;
  @Column('text', { name: 'object_key', nullable: true }) objectKey!: string | null;
  @Column('text', { name: 'expected_sha256' }) expectedSha256!: string;
  /** The sha256 of what was fetched (changed only). */
  @Column('text', { name: 'actual_sha256', nullable: true }) actualSha256!: string | null;
  /** Why the item is missing or could not be checked. */
  @Column('text', { nullable: true }) reason!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

export const DATASET_VERIFICATION_ENTITIES = [DatasetVerificationEntity, DatasetVerificationDriftEntity];

/** What a verification compares: where an item is and the sha256 the version recorded. */
export interface ItemToVerify {
  itemKey: string;
  studyUid: string | null;
  seriesUid: string | null;
  sopUid: string | null;
  objectKey: string | null;
  sha256: string;
}

export type Drift = Pick<
  DatasetVerificationDriftEntity,
  'itemKey' | 'kind' | 'sopUid' | 'objectKey' | 'expectedSha256' | 'actualSha256' | 'reason'
>;

/** Verification rows and their drift, created by the API with the job and advanced by the worker. */
export class DatasetVerificationsRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * A new queued verification of the version, or the one already queued or running (`created`
   * false): the partial unique index makes this hold under concurrent requests too.
   */
  async createOrRunning(
    m: EntityManager,
    v: { versionId: string; createdBy: string | null },
  ): Promise<{ verification: DatasetVerificationEntity; created: boolean }> {
    const inserted: { id: string }[] = await m.query(
      `INSERT INTO dataset_verifications (version_id, created_by) VALUES ($1, $2)
       ON CONFLICT (version_id) WHERE status IN ('queued', 'running') DO NOTHING RETURNING id`,
      [v.versionId, v.createdBy],
    );
    if (inserted[0]) return { verification: (await this.find(inserted[0].id, m))!, created: true };
    const running = await m
      .getRepository(DatasetVerificationEntity)
      .createQueryBuilder('v')
      .where(`v.versionId = :versionId AND v.status IN ('queued', 'running')`, { versionId: v.versionId })
      .getOne();
    // Finished between the insert and this read: a new one may be queued now.
    if (!running) return this.createOrRunning(m, v);
    return { verification: running, created: false };
  }

  find(id: string, m: EntityManager = this.ds.manager): Promise<DatasetVerificationEntity | null> {
    return m.getRepository(DatasetVerificationEntity).findOne({ where: { id } });
  }

  /** A version's verifications, newest first. */
  ofVersion(versionId: string, limit: number): Promise<DatasetVerificationEntity[]> {
    return this.ds
      .getRepository(DatasetVerificationEntity)
      .find({ where: { versionId }, order: { createdAt: 'DESC', id: 'DESC' }, take: Math.min(limit, MAX_VERIFICATIONS_LISTED) });
  }

  /** Marks it running with the version's item count; what earlier runs of the job recorded stays (resume). */
  async start(id: string, total: number): Promise<void> {
    await this.ds.query(
      `UPDATE dataset_verifications SET status = 'running', started_at = coalesce(started_at, now()), total = $2, error = NULL WHERE id = $1`,
      [id, total],
    );
  }

  /** The version's items after `afterKey`, in key order. */
  itemsAfter(versionId: string, afterKey: string | null, limit: number): Promise<ItemToVerify[]> {
    return this.ds.query(
      `SELECT item_key AS "itemKey", study_uid AS "studyUid", series_uid AS "seriesUid", sop_uid AS "sopUid", object_key AS "objectKey", sha256
         FROM dataset_items WHERE version_id = $1 AND item_key > $2 ORDER BY item_key LIMIT $3`,
      [versionId, afterKey ?? '', limit],
    );
  }

  async countItems(versionId: string): Promise<number> {
    const [row] = (await this.ds.query(`SELECT count(*)::int AS n FROM dataset_items WHERE version_id = $1`, [versionId])) as [
      { n: number },
    ];
    return row.n;
  }

  /** One checked batch in the caller's transaction: its drift rows, the counts, and where the next batch starts. */
  async recordBatch(m: EntityManager, id: string, b: { lastKey: string; ok: number; drifts: readonly Drift[] }): Promise<void> {
    const count = (k: Drift['kind']) => b.drifts.filter((d) => d.kind === k).length;
    if (b.drifts.length)
      await m.query(
        `INSERT INTO dataset_verification_drifts (verification_id, item_key, kind, sop_uid, object_key, expected_sha256, actual_sha256, reason)
         SELECT $1, d.item_key, d.kind, d.sop_uid, d.object_key, d.expected_sha256, d.actual_sha256, d.reason
           FROM jsonb_to_recordset($2::jsonb) AS d(item_key text, kind text, sop_uid text, object_key text, expected_sha256 text, actual_sha256 text, reason text)`,
        [
          id,
          JSON.stringify(
            b.drifts.map((d) => ({
              item_key: d.itemKey,
              kind: d.kind,
              sop_uid: d.sopUid,
              object_key: d.objectKey,
              expected_sha256: d.expectedSha256,
              actual_sha256: d.actualSha256,
              reason: d.reason,
            })),
          ),
        ],
      );
    await m.query(
      `UPDATE dataset_verifications SET checked = checked + $2, ok = ok + $3, changed = changed + $4, missing = missing + $5, errors = errors + $6, last_key = $7
        WHERE id = $1`,
      [id, b.ok + b.drifts.length, b.ok, count('changed'), count('missing'), count('error'), b.lastKey],
    );
  }

  async finish(m: EntityManager, id: string, outcome: { status: 'done' } | { status: 'failed'; error: string }): Promise<void> {
    await m.query(`UPDATE dataset_verifications SET status = $2, error = $3, finished_at = now() WHERE id = $1`, [
      id,
      outcome.status,
      outcome.status === 'failed' ? outcome.error : null,
    ]);
  }

  /** Notes a failed attempt that will be retried (the verification stays running). */
  async noteRetry(id: string, message: string): Promise<void> {
    await this.ds.query(`UPDATE dataset_verifications SET error = $2 WHERE id = $1`, [id, message]);
  }

  /** Drift rows of a verification in key order, after `after` (keyset). */
  drifts(verificationId: string, opts: { after?: string | null; first: number }): Promise<DatasetVerificationDriftEntity[]> {
    const q = this.ds
      .getRepository(DatasetVerificationDriftEntity)
      .createQueryBuilder('d')
      .where('d.verificationId = :verificationId', { verificationId })
      .orderBy('d.itemKey', 'ASC')
      .take(opts.first);
    if (opts.after) q.andWhere('d.itemKey > :after', { after: opts.after });
    return q.getMany();
  }
}
