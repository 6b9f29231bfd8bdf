/**
 * What the rows of a split file mean for a draft's patients: each row names a study or an instance,
 * which places the patient (or patients) of its items in the row's split. Splits are per patient, so
 * rows that would put one patient in two splits are refused, each naming both rows; so are rows
 * naming nothing the version has.
 */
import type { DatasetSplit } from '@caliper/domain';
import type { ItemRef } from '@caliper/datasets';
import { fileRefused, SplitKey, SplitRow } from './dataset-item-files';

/** Where a patient's split came from: the first row placing it. */
export interface PatientPlacement {
  split: DatasetSplit;
  at: string;
  key: string;
}

const FILE = 'split file';

/** A patient key as shown in a message: its first 12 hex characters (it is an HMAC, shown in full by the items' patientKey). */
export const shortPatient = (key: string) => `${key.slice(0, 12)}…`;

/**
 * Each patient the rows place, with its split and the row that placed it. `items` are the version's
 * items the rows name (by SOP Instance UID, the item key, or by Study Instance UID).
 */
export function patientSplitsFromRows(
  by: SplitKey,
  rows: readonly SplitRow[],
  items: readonly ItemRef[],
  versionNumber: number,
): Map<string, PatientPlacement> {
  const what = by === 'study_instance_uid' ? 'study' : 'instance';
  const problems: string[] = [];
  const byKey = new Map<string, SplitRow>();
  for (const r of rows) {
    const first = byKey.get(r.key);
    if (!first) byKey.set(r.key, r);
    else if (first.split !== r.split)
      problems.push(`${r.at} puts ${what} ${r.key} in ${r.split}, but ${first.at} put it in ${first.split}`);
  }
  const itemsOf = new Map<string, ItemRef[]>();
  for (const i of items) {
    const k = by === 'study_instance_uid' ? i.studyUid : i.itemKey;
    if (k === null) continue;
    const list = itemsOf.get(k);
    if (list) list.push(i);
    else itemsOf.set(k, [i]);
  }
  const placed = new Map<string, PatientPlacement>();
  for (const r of byKey.values()) {
    const named = itemsOf.get(r.key);
    if (!named) {
      problems.push(`${r.at}: version ${versionNumber} has no ${by === 'study_instance_uid' ? 'study' : 'item'} ${r.key}`);
      continue;
    }
    for (const patient of new Set(named.map((i) => i.patientKey))) {
      const p = placed.get(patient);
      if (!p) placed.set(patient, { split: r.split, at: r.at, key: r.key });
      else if (p.split !== r.split)
        problems.push(
          `${r.at} puts ${what} ${r.key} in ${r.split}, but ${p.at} put ${what} ${p.key} in ${p.split}: both are of patient ${shortPatient(patient)}, and a patient is in one split only`,
        );
    }
  }
  if (problems.length) throw fileRefused(FILE, problems);
  return placed;
}
