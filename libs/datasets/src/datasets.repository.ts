/**
 * Datasets' SQL: datasets, versions and their items. Items go in by COPY (100,000 per version is a
 * normal size); a child version's items are copied from its parent in one INSERT … SELECT; a diff is
 * one full join on the items' primary key. Writes take the caller's transaction manager.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, EntityManager } from 'typeorm';
import type { DatasetSplit, ManifestItem, SplitRatios } from '@caliper/domain';
import { DatasetEntity, DatasetItemEntity, DatasetSplitMode, DatasetVersionEntity, DatasetVersionSource } from './dataset.entities';

export const MAX_DATASETS_LISTED = 500;
export const MAX_VERSIONS_LISTED = 500;

/** An item as written: the patient already pseudonymised. */
export type NewDatasetItem = Omit<ManifestItem, 'split'> & { split?: DatasetSplit | null };

export interface VersionCounts {
  items: number;
  patients: number;
  studies: number;
  series: number;
  bytes: number;
  bySplit: { split: DatasetSplit | null; items: number; patients: number; studies: number }[];
  byModality: { modality: string | null; items: number }[];
  byLabel: { label: string | null; items: number }[];
}

export type DiffKind = 'added' | 'removed' | 'changed' | 'relabelled' | 'moved';
export interface DiffRow {
  itemKey: string;
  kind: DiffKind;
  fromSplit: DatasetSplit | null;
  toSplit: DatasetSplit | null;
  fromLabel: string | null;
  toLabel: string | null;
}

/** COPY text format: backslash, tab, newline and carriage return escaped; null as \N. */
function copyField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  return String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

const ITEM_COLUMNS =
  'version_id, item_key, study_uid, series_uid, sop_uid, object_key, modality, sha256, size_bytes, patient_key, split, label, mask_key';

export class DatasetsRepository {
  constructor(private readonly ds: DataSource) {}

  /** The project's HMAC secret for patient keys, created on first use (32 random bytes). */
  async patientSecret(m: EntityManager, projectId: string): Promise<Buffer> {
    await m.query(`INSERT INTO dataset_patient_secrets (project_id, secret) VALUES ($1, $2) ON CONFLICT (project_id) DO NOTHING`, [
      projectId,
      randomBytes(32),
    ]);
    const rows: { secret: Buffer }[] = await m.query(`SELECT secret FROM dataset_patient_secrets WHERE project_id = $1`, [projectId]);
    return rows[0]!.secret;
  }

  createDataset(m: EntityManager, d: Pick<DatasetEntity, 'projectId' | 'name' | 'description' | 'createdBy'>): Promise<DatasetEntity> {
    return m.getRepository(DatasetEntity).save(m.getRepository(DatasetEntity).create(d));
  }

  findDataset(id: string, m: EntityManager = this.ds.manager): Promise<DatasetEntity | null> {
    return m.getRepository(DatasetEntity).findOne({ where: { id } });
  }

  findDatasetByName(projectId: string, name: string, m: EntityManager = this.ds.manager): Promise<DatasetEntity | null> {
    return m.getRepository(DatasetEntity).findOne({ where: { projectId, name } });
  }

  findDatasetsByIds(ids: readonly string[]): Promise<DatasetEntity[]> {
    return this.ds.getRepository(DatasetEntity).createQueryBuilder('d').where('d.id = ANY(:ids)', { ids }).getMany();
  }

  listDatasets(projectId: string): Promise<DatasetEntity[]> {
    return this.ds.getRepository(DatasetEntity).find({ where: { projectId }, order: { name: 'ASC' }, take: MAX_DATASETS_LISTED });
  }

  listVersions(datasetId: string): Promise<DatasetVersionEntity[]> {
    return this.ds.getRepository(DatasetVersionEntity).find({ where: { datasetId }, order: { number: 'DESC' }, take: MAX_VERSIONS_LISTED });
  }

  findVersion(id: string, m: EntityManager = this.ds.manager): Promise<DatasetVersionEntity | null> {
    return m.getRepository(DatasetVersionEntity).findOne({ where: { id } });
  }

  findVersionsByIds(ids: readonly string[]): Promise<DatasetVersionEntity[]> {
    return this.ds.getRepository(DatasetVersionEntity).createQueryBuilder('v').where('v.id = ANY(:ids)', { ids }).getMany();
  }

  findItem(versionId: string, itemKey: string, m: EntityManager = this.ds.manager): Promise<DatasetItemEntity | null> {
    return m.getRepository(DatasetItemEntity).findOne({ where: { versionId, itemKey } });
  }

  lockVersion(m: EntityManager, id: string): Promise<DatasetVersionEntity | null> {
    return m.getRepository(DatasetVersionEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** A new draft numbered after the dataset's last version (the dataset row is locked for the number). */
  async createVersion(
    m: EntityManager,
    v: {
      datasetId: string;
      parentId: string | null;
      splitSeed: string;
      splitRatios: SplitRatios;
      stratifyByLabel: boolean;
      /** 'seed' when not given. */
      splitMode?: DatasetSplitMode;
      labelSet: string[];
      source: DatasetVersionSource;
      createdBy: string;
    },
  ): Promise<DatasetVersionEntity> {
    await m.query(`SELECT id FROM datasets WHERE id = $1 FOR UPDATE`, [v.datasetId]);
    const [{ next }] = (await m.query(`SELECT coalesce(max(number), 0) + 1 AS next FROM dataset_versions WHERE dataset_id = $1`, [
      v.datasetId,
    ])) as [{ next: number }];
    const repo = m.getRepository(DatasetVersionEntity);
    return repo.save(repo.create({ ...v, number: next, state: 'draft' }));
  }

  /** Copies a version's items into another, leaving out `removeKeys`; returns how many were copied. */
  async copyItems(m: EntityManager, fromVersion: string, toVersion: string, removeKeys: readonly string[]): Promise<number> {
    const r: [unknown, number] = await m.query(
      `INSERT INTO dataset_items (${ITEM_COLUMNS})
       SELECT $2, item_key, study_uid, series_uid, sop_uid, object_key, modality, sha256, size_bytes, patient_key, split, label, mask_key
         FROM dataset_items WHERE version_id = $1 AND NOT (item_key = ANY($3::text[]))`,
      [fromVersion, toVersion, removeKeys],
    );
    return r[1];
  }

  /** Keys of `keys` that are not items of the version. */
  async missingKeys(m: EntityManager, versionId: string, keys: readonly string[]): Promise<string[]> {
    if (!keys.length) return [];
    const rows: { k: string }[] = await m.query(
      `SELECT k FROM unnest($2::text[]) k WHERE NOT EXISTS (SELECT 1 FROM dataset_items WHERE version_id = $1 AND item_key = k)`,
      [versionId, keys],
    );
    return rows.map((r) => r.k);
  }

  async relabel(m: EntityManager, versionId: string, labels: readonly { itemKey: string; label: string | null }[]): Promise<void> {
    if (!labels.length) return;
    await m.query(
      `UPDATE dataset_items i SET label = l.label FROM unnest($2::text[], $3::text[]) AS l(k, label) WHERE i.version_id = $1 AND i.item_key = l.k`,
      [versionId, labels.map((l) => l.itemKey), labels.map((l) => l.label)],
    );
  }

  /**
   * Writes items by COPY inside the caller's transaction. An item key already in the version is a
   * conflict the caller reports (PostgreSQL's unique violation, code 23505, names the key).
   */
  async insertItems(m: EntityManager, versionId: string, items: readonly NewDatasetItem[]): Promise<number> {
    const runner = m.queryRunner;
    if (!runner?.isTransactionActive) throw new Error('DatasetsRepository.insertItems must run inside a transaction');
    if (!items.length) return 0;
    const client = (await runner.connect()) as PoolClient;
    const lines = function* () {
      let chunk = '';
      for (const i of items) {
        chunk +=
          [
            versionId,
            i.itemKey,
            i.studyUid,
            i.seriesUid,
            i.sopUid,
            i.objectKey,
            i.modality,
            i.sha256,
            i.sizeBytes,
            i.patientKey,
            i.split ?? null,
            i.label,
            i.maskKey,
          ]
            .map(copyField)
            .join('\t') + '\n';
        if (chunk.length > 1 << 16) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    };
    await pipeline(Readable.from(lines()), client.query(copyFrom(`COPY dataset_items (${ITEM_COLUMNS}) FROM STDIN`)));
    return items.length;
  }

  /** Every patient of a version with its split (null when none of its items is placed), whether any item is unplaced, and its first label. */
  async patients(
    m: EntityManager,
    versionId: string,
    only?: readonly string[],
  ): Promise<{ patientKey: string; split: DatasetSplit | null; unplaced: boolean; label: string | null }[]> {
    const rows: { patient_key: string; split: DatasetSplit | null; unplaced: boolean; label: string | null }[] = await m.query(
      `SELECT patient_key, max(split) AS split, bool_or(split IS NULL) AS unplaced, min(label) AS label
         FROM dataset_items WHERE version_id = $1 ${only ? 'AND patient_key = ANY($2::text[])' : ''} GROUP BY patient_key`,
      only ? [versionId, only] : [versionId],
    );
    return rows.map((r) => ({ patientKey: r.patient_key, split: r.split, unplaced: r.unplaced, label: r.label }));
  }

  /** Places each listed patient's items in its split; returns how many items changed split. */
  async setSplits(m: EntityManager, versionId: string, splits: ReadonlyMap<string, DatasetSplit>): Promise<number> {
    if (!splits.size) return 0;
    const r: [unknown, number] = await m.query(
      `UPDATE dataset_items i SET split = s.split FROM unnest($2::text[], $3::text[]) AS s(k, split)
        WHERE i.version_id = $1 AND i.patient_key = s.k AND i.split IS DISTINCT FROM s.split`,
      [versionId, [...splits.keys()], [...splits.values()]],
    );
    return r[1];
  }

  async setSplitMode(m: EntityManager, versionId: string, mode: DatasetSplitMode): Promise<void> {
    await m.query(`UPDATE dataset_versions SET split_mode = $2 WHERE id = $1 AND split_mode <> $2`, [versionId, mode]);
  }

  /** How many items have no split, and the first `limit` of their keys in key order. */
  async unplacedItems(m: EntityManager, versionId: string, limit: number): Promise<{ count: number; keys: string[] }> {
    const [{ n }] = (await m.query(`SELECT count(*)::int AS n FROM dataset_items WHERE version_id = $1 AND split IS NULL`, [
      versionId,
    ])) as [{ n: number }];
    if (!n) return { count: 0, keys: [] };
    const rows: { item_key: string }[] = await m.query(
      `SELECT item_key FROM dataset_items WHERE version_id = $1 AND split IS NULL ORDER BY item_key LIMIT $2`,
      [versionId, limit],
    );
    return { count: n, keys: rows.map((r) => r.item_key) };
  }

  /** Patient keys whose items are in more than one split, or partly unplaced (at most 10). */
  async patientsInTwoSplits(m: EntityManager, versionId: string): Promise<string[]> {
    const rows: { patient_key: string }[] = await m.query(
      `SELECT patient_key FROM dataset_items WHERE version_id = $1 GROUP BY patient_key
        HAVING count(DISTINCT split) > 1 OR (count(split) > 0 AND count(split) < count(*)) LIMIT 10`,
      [versionId],
    );
    return rows.map((r) => r.patient_key);
  }

  async counts(versionId: string, m: EntityManager = this.ds.manager): Promise<VersionCounts> {
    const [totals] = (await m.query(
      `SELECT count(*)::int AS items, count(DISTINCT patient_key)::int AS patients, count(DISTINCT study_uid)::int AS studies,
              count(DISTINCT series_uid)::int AS series, coalesce(sum(size_bytes), 0)::float8 AS bytes
         FROM dataset_items WHERE version_id = $1`,
      [versionId],
    )) as [Omit<VersionCounts, 'bySplit' | 'byModality' | 'byLabel'>];
    const bySplit: VersionCounts['bySplit'] = await m.query(
      `SELECT split, count(*)::int AS items, count(DISTINCT patient_key)::int AS patients, count(DISTINCT study_uid)::int AS studies
         FROM dataset_items WHERE version_id = $1 GROUP BY split ORDER BY split NULLS LAST`,
      [versionId],
    );
    const byModality: VersionCounts['byModality'] = await m.query(
      `SELECT modality, count(*)::int AS items FROM dataset_items WHERE version_id = $1 GROUP BY modality ORDER BY 2 DESC, 1 LIMIT 50`,
      [versionId],
    );
    const byLabel: VersionCounts['byLabel'] = await m.query(
      `SELECT label, count(*)::int AS items FROM dataset_items WHERE version_id = $1 GROUP BY label ORDER BY 2 DESC, 1 LIMIT 100`,
      [versionId],
    );
    return { ...totals, bySplit, byModality, byLabel };
  }

  /** A page of items in key order, after `after` (keyset), optionally of one split. */
  itemsPage(versionId: string, opts: { after?: string | null; first: number; split?: DatasetSplit | null }): Promise<DatasetItemEntity[]> {
    const q = this.ds
      .getRepository(DatasetItemEntity)
      .createQueryBuilder('i')
      .where('i.versionId = :versionId', { versionId })
      .orderBy('i.itemKey', 'ASC')
      .take(opts.first);
    if (opts.after) q.andWhere('i.itemKey > :after', { after: opts.after });
    if (opts.split) q.andWhere('i.split = :split', { split: opts.split });
    return q.getMany();
  }

  /** Every item in key order, in pages of `pageSize` (keyset over the primary key, rows read raw): what a manifest is written from. */
  async *allItems(m: EntityManager, versionId: string, pageSize = 10000): AsyncGenerator<ManifestItem[]> {
    let after = '';
    for (;;) {
      const rows: ManifestItem[] = await m.query(
        `SELECT item_key AS "itemKey", study_uid AS "studyUid", series_uid AS "seriesUid", sop_uid AS "sopUid", object_key AS "objectKey",
                modality, sha256, size_bytes::float8 AS "sizeBytes", patient_key AS "patientKey", split, label, mask_key AS "maskKey"
           FROM dataset_items WHERE version_id = $1 AND item_key > $2 ORDER BY item_key LIMIT $3`,
        [versionId, after, pageSize],
      );
      if (!rows.length) return;
      yield rows;
      after = rows[rows.length - 1]!.itemKey;
      if (rows.length < pageSize) return;
    }
  }

  async markSealed(
    m: EntityManager,
    id: string,
    s: Pick<
      DatasetVersionEntity,
      | 'sealedBy'
      | 'sealedAt'
      | 'manifestKey'
      | 'manifestSha256'
      | 'itemCount'
      | 'patientCount'
      | 'deidAttestedBy'
      | 'deidMethod'
      | 'deidAttestedAt'
      | 'deidSummary'
      | 'labelSet'
    >,
  ): Promise<void> {
    await m.getRepository(DatasetVersionEntity).update({ id }, { ...s, state: 'sealed' });
  }

  async deleteDraft(m: EntityManager, id: string): Promise<void> {
    await m.query(`DELETE FROM dataset_items WHERE version_id = $1`, [id]);
    await m.query(`DELETE FROM dataset_versions WHERE id = $1 AND state = 'draft'`, [id]);
  }

  /** What changed from version `a` to version `b`: counts per kind and the first `limit` rows in key order. */
  async diff(a: string, b: string, limit: number): Promise<{ counts: Record<DiffKind, number>; unchanged: number; rows: DiffRow[] }> {
    const kinds = `CASE WHEN x.item_key IS NULL THEN 'added' WHEN y.item_key IS NULL THEN 'removed'
                        WHEN x.sha256 <> y.sha256 OR x.mask_key IS DISTINCT FROM y.mask_key THEN 'changed'
                        WHEN x.label IS DISTINCT FROM y.label THEN 'relabelled'
                        WHEN x.split IS DISTINCT FROM y.split THEN 'moved' END`;
    const from = `(SELECT * FROM dataset_items WHERE version_id = $1) x FULL JOIN (SELECT * FROM dataset_items WHERE version_id = $2) y USING (item_key)`;
    const countRows: { kind: DiffKind | null; n: number }[] = await this.ds.query(
      `SELECT ${kinds} AS kind, count(*)::int AS n FROM ${from} GROUP BY 1`,
      [a, b],
    );
    const counts: Record<DiffKind, number> = { added: 0, removed: 0, changed: 0, relabelled: 0, moved: 0 };
    let unchanged = 0;
    for (const r of countRows) {
      if (r.kind) counts[r.kind] = r.n;
      else unchanged = r.n;
    }
    const rows: {
      item_key: string;
      kind: DiffKind;
      from_split: DatasetSplit | null;
      to_split: DatasetSplit | null;
      from_label: string | null;
      to_label: string | null;
    }[] = await this.ds.query(
      `SELECT * FROM (SELECT item_key, ${kinds} AS kind, x.split AS from_split, y.split AS to_split, x.label AS from_label, y.label AS to_label
                          FROM ${from}) d
          WHERE kind IS NOT NULL ORDER BY item_key LIMIT $3`,
      [a, b, limit],
    );
    return {
      counts,
      unchanged,
      rows: rows.map((r) => ({
        itemKey: r.item_key,
        kind: r.kind,
        fromSplit: r.from_split,
        toSplit: r.to_split,
        fromLabel: r.from_label,
        toLabel: r.to_label,
      })),
    };
  }
}
