/**
 * SQL for changing a draft's items in bulk from uploaded files (zips, label files, masks, split
 * files): look items up by key or study, set labels and masks. Writes take the caller's transaction.
 */
import type { DatasetSplit } from '@caliper/domain';
import type { EntityManager } from 'typeorm';

/** What a label, mask or split file needs to know of an item. */
export interface ItemRef {
  itemKey: string;
  studyUid: string | null;
  seriesUid: string | null;
  sopUid: string | null;
  patientKey: string;
  sha256: string;
  label: string | null;
  split: DatasetSplit | null;
  maskKey: string | null;
}

const ITEM_REF = `item_key AS "itemKey", study_uid AS "studyUid", series_uid AS "seriesUid", sop_uid AS "sopUid",
  patient_key AS "patientKey", sha256, label, split, mask_key AS "maskKey"`;

export class DatasetItemEditsRepository {
  /** The version's items with these keys (any order; unknown keys are left out). */
  itemsByKeys(m: EntityManager, versionId: string, keys: readonly string[]): Promise<ItemRef[]> {
    if (!keys.length) return Promise.resolve([]);
    return m.query(`SELECT ${ITEM_REF} FROM dataset_items WHERE version_id = $1 AND item_key = ANY($2::text[])`, [versionId, keys]);
  }

  /** The version's items of these studies. */
  itemsByStudies(m: EntityManager, versionId: string, studyUids: readonly string[]): Promise<ItemRef[]> {
    if (!studyUids.length) return Promise.resolve([]);
    return m.query(`SELECT ${ITEM_REF} FROM dataset_items WHERE version_id = $1 AND study_uid = ANY($2::text[])`, [versionId, studyUids]);
  }

  /** Items of the given patients (keys), to check a split file covers whole patients. */
  itemsOfPatients(m: EntityManager, versionId: string, patientKeys: readonly string[]): Promise<ItemRef[]> {
    if (!patientKeys.length) return Promise.resolve([]);
    return m.query(`SELECT ${ITEM_REF} FROM dataset_items WHERE version_id = $1 AND patient_key = ANY($2::text[])`, [
      versionId,
      patientKeys,
    ]);
  }

  /** Sets labels (null clears one); returns how many items changed. */
  async setLabels(m: EntityManager, versionId: string, labels: readonly { itemKey: string; label: string | null }[]): Promise<number> {
    if (!labels.length) return 0;
    const r: [unknown, number] = await m.query(
      `UPDATE dataset_items i SET label = l.label FROM unnest($2::text[], $3::text[]) AS l(k, label)
        WHERE i.version_id = $1 AND i.item_key = l.k AND i.label IS DISTINCT FROM l.label`,
      [versionId, labels.map((l) => l.itemKey), labels.map((l) => l.label)],
    );
    return r[1];
  }

  async setMask(m: EntityManager, versionId: string, itemKey: string, maskKey: string): Promise<void> {
    await m.query(`UPDATE dataset_items SET mask_key = $3 WHERE version_id = $1 AND item_key = $2`, [versionId, itemKey, maskKey]);
  }
}
