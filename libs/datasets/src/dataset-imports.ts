/**
 * PACS imports into a draft version (issue 13, item 3a): the query a version is built from, the
 * import row (status, progress, per-instance failures) the API creates with its outbox job and the
 * worker advances, and the DICOMweb walk both share (matched series, then their instances).
 */
import { badInput, defineAuditActions } from '@caliper/domain';
import { buildSeriesQuery, DicomWebClient, PacsError, type InstanceRecord, type SeriesQuery, type SeriesRecord } from '@caliper/pacs';
import { ProjectEntity, UserEntity } from '@caliper/persistence';
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
  PrimaryGeneratedColumn,
} from 'typeorm';
import { DatasetVersionEntity } from './dataset.entities';

declare module '@caliper/domain' {
  interface FeatureAuditActions {
    'dataset_import.finished': true;
  }
}
/** Written by the worker when an import ends (the API writes 'dataset_import.requested'). */
export const DATASET_IMPORT_AUDIT_ACTIONS = defineAuditActions(['dataset_import.finished']);

/** A series-level QIDO-RS query: every filter optional, at least one given. Dates are YYYYMMDD, inclusive. */
export interface PacsImportQuery {
  modalities?: string[] | null;
  studyDateFrom?: string | null;
  studyDateTo?: string | null;
  studyDescription?: string | null;
  seriesDescription?: string | null;
  bodyPartExamined?: string | null;
}

/** Series are listed this many per QIDO request. */
export const PACS_PAGE_SIZE = 200;
/** Per-instance failures kept on the import row (the count is exact). */
export const MAX_FAILURES_KEPT = 100;

/** The query without empty filters, checked as QIDO-RS would send it; a query with no filter is refused (it would import the whole PACS). */
export function normalisePacsQuery(q: PacsImportQuery): PacsImportQuery {
  const t = (s: string | null | undefined) => (s?.trim() ? s.trim() : undefined);
  const out: PacsImportQuery = {};
  const modalities = (q.modalities ?? []).map((m) => m.trim().toUpperCase()).filter(Boolean);
  if (modalities.length) out.modalities = [...new Set(modalities)].sort();
  for (const k of ['studyDateFrom', 'studyDateTo', 'studyDescription', 'seriesDescription', 'bodyPartExamined'] as const) {
    const v = t(q[k]);
    if (v !== undefined) out[k] = v;
  }
  if (!Object.keys(out).length)
    throw badInput(
      'query',
      'give at least one filter (modalities, study dates, descriptions or body part): an empty query matches the whole PACS',
    );
  try {
    buildSeriesQuery(seriesQueryOf(out, 0, 1), 1);
  } catch (e) {
    if (e instanceof PacsError) throw badInput('query', e.message);
    throw e;
  }
  return out;
}

function seriesQueryOf(q: PacsImportQuery, offset: number, limit: number): SeriesQuery {
  return {
    offset,
    limit,
    ...(q.modalities?.length ? { modality: q.modalities } : {}),
    ...(q.studyDateFrom || q.studyDateTo
      ? { studyDate: { ...(q.studyDateFrom ? { from: q.studyDateFrom } : {}), ...(q.studyDateTo ? { to: q.studyDateTo } : {}) } }
      : {}),
    ...(q.studyDescription ? { studyDescription: q.studyDescription } : {}),
    ...(q.seriesDescription ? { seriesDescription: q.seriesDescription } : {}),
    ...(q.bodyPartExamined ? { bodyPartExamined: q.bodyPartExamined } : {}),
  };
}

/** Every series the query matches, page after page; stops after `max` (returning whether more were left). */
export async function matchedSeries(
  client: DicomWebClient,
  q: PacsImportQuery,
  max = Infinity,
): Promise<{ series: SeriesRecord[]; more: boolean }> {
  const series: SeriesRecord[] = [];
  for (let offset = 0; ; offset += PACS_PAGE_SIZE) {
    const page = await client.searchSeries({
      ...seriesQueryOf(q, offset, PACS_PAGE_SIZE),
      includeFields: ['Modality', 'StudyDescription'],
    });
    for (const s of page.items) {
      if (series.length >= max) return { series, more: true };
      series.push(s);
    }
    if (!page.mayHaveMore) return { series, more: false };
  }
}

/** Every instance of one series, page after page. */
export async function instancesOfSeries(
  client: DicomWebClient,
  s: Pick<SeriesRecord, 'studyInstanceUid' | 'seriesInstanceUid'>,
): Promise<InstanceRecord[]> {
  const out: InstanceRecord[] = [];
  for (let offset = 0; ; offset += PACS_PAGE_SIZE) {
    const page = await client.searchInstances({
      studyInstanceUid: s.studyInstanceUid,
      seriesInstanceUid: s.seriesInstanceUid,
      offset,
      limit: PACS_PAGE_SIZE,
    });
    out.push(...page.items);
    if (!page.mayHaveMore) return out;
  }
}

export type DatasetImportStatus = 'queued' | 'running' | 'done' | 'failed';
/** De-identification counts summed over an import's instances (see @caliper/pacs DeidentificationCounts). */
export interface DeidentificationTotals {
  instances: number;
  emptied: number;
  replaced: number;
  privateRemoved: number;
  uidsReplaced: number;
}
export interface DatasetImportFailure {
  sopInstanceUid: string;
  error: string;
}

@Entity({ name: 'dataset_imports' })
@Check('CHK_dataset_imports_status', `status IN ('queued', 'running', 'done', 'failed')`)
@Check('CHK_dataset_imports_deidentify', `NOT deidentify OR copy`)
@Index('IDX_dataset_imports_version', ['versionId', 'createdAt'])
export class DatasetImportEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_dataset_imports' }) id!: string;
  @Column('uuid', { name: 'version_id' }) versionId!: string;
  @ManyToOne(() => DatasetVersionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'version_id', foreignKeyConstraintName: 'FK_dataset_imports_version' })
  version?: DatasetVersionEntity;
  @Column('jsonb') query!: PacsImportQuery;
  @Column('boolean') copy!: boolean;
  /** De-identify each instance (PS3.15 basic profile) before copying it; only with `copy`. */
  @Column('boolean', { default: false }) deidentify!: boolean;
  /** What de-identification changed so far, summed over the instances written (null unless `deidentify`). */
  @Column('jsonb', { name: 'deid_summary', nullable: true }) deidSummary!: DeidentificationTotals | null;
  @Column('text', { default: 'queued' }) status!: DatasetImportStatus;
  /** Instances the query matched (null until listed). */
  @Column('integer', { nullable: true }) total!: number | null;
  /** Instances handled: written, or already in the version. */
  @Column('integer', { default: 0 }) done!: number;
  /** Of `done`, those already in the version (a re-run, or an earlier upload). */
  @Column('integer', { default: 0 }) skipped!: number;
  @Column('integer', { default: 0 }) failed!: number;
  @Column('jsonb', { default: [] }) failures!: DatasetImportFailure[];
  @Column('text', { nullable: true }) error!: string | null;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'FK_dataset_imports_created_by' })
  creator?: UserEntity;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt!: Date | null;
}

/** Import rows: created with the job, advanced by the worker. */
export class DatasetImportsRepository {
  constructor(private readonly ds: DataSource) {}

  create(
    m: EntityManager,
    i: Pick<DatasetImportEntity, 'versionId' | 'query' | 'copy' | 'createdBy'> & { deidentify?: boolean },
  ): Promise<DatasetImportEntity> {
    const repo = m.getRepository(DatasetImportEntity);
    return repo.save(repo.create({ deidentify: false, ...i, status: 'queued' }));
  }

  find(id: string, m: EntityManager = this.ds.manager): Promise<DatasetImportEntity | null> {
    return m.getRepository(DatasetImportEntity).findOne({ where: { id } });
  }

  findByIds(ids: readonly string[]): Promise<DatasetImportEntity[]> {
    return this.ds.getRepository(DatasetImportEntity).createQueryBuilder('i').where('i.id = ANY(:ids)', { ids }).getMany();
  }

  /** A version's imports, newest first. */
  ofVersion(versionId: string, limit = 50): Promise<DatasetImportEntity[]> {
    return this.ds.getRepository(DatasetImportEntity).find({ where: { versionId }, order: { createdAt: 'DESC' }, take: limit });
  }

  /** Whether the version has an import still queued or running (a seal waits for it). */
  async unfinished(m: EntityManager, versionId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM dataset_imports WHERE version_id = $1 AND status IN ('queued', 'running') LIMIT 1`,
      [versionId],
    );
    return rows.length > 0;
  }

  /** `total`: what the PACS said the series hold, null when it did not say (set to the instances handled when the import ends). */
  async start(id: string, total: number | null, alreadyDone: number): Promise<void> {
    await this.ds.query(
      `UPDATE dataset_imports SET status = 'running', started_at = coalesce(started_at, now()), total = $2, done = $3, skipped = $3, failed = 0, failures = '[]', error = NULL WHERE id = $1`,
      [id, total, alreadyDone],
    );
  }

  /** Adds progress in the caller's transaction (with the items it wrote). */
  async progress(
    m: EntityManager,
    id: string,
    p: { done: number; skipped?: number; failures: DatasetImportFailure[]; deidentified?: DeidentificationTotals },
  ): Promise<void> {
    await m.query(
      `UPDATE dataset_imports SET done = done + $2, skipped = skipped + $7, failed = failed + $3,
              failures = CASE WHEN jsonb_array_length(failures) >= $5 THEN failures
                              ELSE failures || (SELECT coalesce(jsonb_agg(f), '[]') FROM (SELECT f FROM jsonb_array_elements($4::jsonb) f LIMIT $5 - jsonb_array_length(failures)) x) END,
              deid_summary = CASE WHEN $6::jsonb IS NULL THEN deid_summary
                                  ELSE (SELECT jsonb_object_agg(e.key, coalesce((deid_summary ->> e.key)::int, 0) + e.value::int) FROM jsonb_each_text($6::jsonb) e) END
        WHERE id = $1`,
      [
        id,
        p.done,
        p.failures.length,
        JSON.stringify(p.failures),
        MAX_FAILURES_KEPT,
        p.deidentified ? JSON.stringify(p.deidentified) : null,
        p.skipped ?? 0,
      ],
    );
  }

  /** De-identification counts summed over the version's de-identifying imports that are done, and `importId`. */
  async deidentifiedTotals(m: EntityManager, versionId: string, importId: string): Promise<DeidentificationTotals> {
    const [row] = (await m.query(
      `SELECT coalesce(sum((deid_summary ->> 'instances')::int), 0)::int AS instances, coalesce(sum((deid_summary ->> 'emptied')::int), 0)::int AS emptied,
              coalesce(sum((deid_summary ->> 'replaced')::int), 0)::int AS replaced, coalesce(sum((deid_summary ->> 'privateRemoved')::int), 0)::int AS "privateRemoved",
              coalesce(sum((deid_summary ->> 'uidsReplaced')::int), 0)::int AS "uidsReplaced"
         FROM dataset_imports WHERE version_id = $1 AND deidentify AND (status = 'done' OR id = $2)`,
      [versionId, importId],
    )) as [DeidentificationTotals];
    return row;
  }

  /** Ends the import; one that is done counts as its total the instances it handled (the PACS's count was an estimate). */
  async finish(m: EntityManager, id: string, outcome: { status: 'done' } | { status: 'failed'; error: string }): Promise<void> {
    await m.query(
      `UPDATE dataset_imports SET status = $2, error = $3, finished_at = now(), total = CASE WHEN $2 = 'done' THEN done + failed ELSE total END WHERE id = $1`,
      [id, outcome.status, outcome.status === 'failed' ? outcome.error : null],
    );
  }

  /** Which of `seriesUids` the version already has items of. */
  async seriesWithItems(versionId: string, seriesUids: readonly string[]): Promise<Set<string>> {
    if (!seriesUids.length) return new Set();
    const rows: { series_uid: string }[] = await this.ds.query(
      `SELECT DISTINCT series_uid FROM dataset_items WHERE version_id = $1 AND series_uid = ANY($2::text[])`,
      [versionId, seriesUids],
    );
    return new Set(rows.map((r) => r.series_uid));
  }

  /** Which of `keys` the version already has. */
  async existingKeys(versionId: string, keys: readonly string[], m: EntityManager = this.ds.manager): Promise<Set<string>> {
    if (!keys.length) return new Set();
    const rows: { item_key: string }[] = await m.query(
      `SELECT item_key FROM dataset_items WHERE version_id = $1 AND item_key = ANY($2::text[])`,
      [versionId, keys],
    );
    return new Set(rows.map((r) => r.item_key));
  }

  /** The project a version belongs to. */
  async projectOfVersion(versionId: string): Promise<ProjectEntity['id'] | null> {
    const rows: { project_id: string }[] = await this.ds.query(
      `SELECT d.project_id FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id WHERE v.id = $1`,
      [versionId],
    );
    return rows[0]?.project_id ?? null;
  }
}
