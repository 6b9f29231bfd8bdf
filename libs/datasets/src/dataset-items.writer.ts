/**
 * Writing items into a draft, shared by the API (uploads) and the worker (PACS imports): lock the
 * draft, pseudonymise PatientID with the project's HMAC secret, COPY the items in, and place new
 * patients in splits (by the seed, unless the version's splits are explicit). Runs in the caller's
 * transaction.
 */
import { assignSplits, DatasetSplit, DomainError, notFound, patientKey } from '@caliper/domain';
import type { EntityManager } from 'typeorm';
import type { DatasetVersionEntity } from './dataset.entities';
import { DatasetsRepository, NewDatasetItem } from './datasets.repository';

const UNIQUE_VIOLATION = '23505';

/** An item as identified from its DICOM, before its patient is pseudonymised. */
export type IdentifiedItem = Omit<NewDatasetItem, 'patientKey' | 'split'> & { patientId: string };

export class DatasetItemsWriter {
  constructor(private readonly datasets: DatasetsRepository) {}

  /** The version, locked for this transaction; NOT_FOUND, or INVALID_STATE when it is sealed. */
  async lockDraft(m: EntityManager, versionId: string): Promise<DatasetVersionEntity> {
    const v = await this.datasets.lockVersion(m, versionId);
    if (!v) throw notFound(`Dataset version ${versionId}`);
    if (v.state !== 'draft') throw new DomainError('INVALID_STATE', `Version ${v.number} is sealed: build a new version from it instead.`);
    return v;
  }

  /**
   * Adds items to a locked draft and places their patients. All or nothing: a key already in the
   * version is a CONFLICT naming it.
   */
  async write(m: EntityManager, version: DatasetVersionEntity, projectId: string, items: readonly IdentifiedItem[]): Promise<number> {
    const secret = await this.datasets.patientSecret(m, projectId);
    const rows: NewDatasetItem[] = items.map(({ patientId, ...i }) => ({ ...i, patientKey: patientKey(secret, patientId), split: null }));
    const explicit = version.splitMode === 'explicit';
    // Unstratified, a patient's split depends on the patient alone: placed here, for the patients of
    // these items only (a patient already in the version keeps its split). Stratified placement
    // needs the whole version's strata, so it runs over the version after the insert. Explicit
    // splits never come from the seed: an item of a placed patient joins it, a new patient waits
    // for a split file.
    if (explicit || !version.stratifyByLabel) {
      const keys = [...new Set(rows.map((r) => r.patientKey))];
      const known = await this.datasets.patients(m, version.id, keys);
      const fixed = new Map<string, DatasetSplit>();
      for (const p of known) if (p.split) fixed.set(p.patientKey, p.split);
      const placed = explicit ? fixed : assignSplits(keys, { seed: version.splitSeed, ratios: version.splitRatios, fixed });
      for (const r of rows) r.split = placed.get(r.patientKey) ?? null;
    }
    try {
      await this.datasets.insertItems(m, version.id, rows);
    } catch (e) {
      if ((e as { code?: string }).code === UNIQUE_VIOLATION)
        throw new DomainError(
          'CONFLICT',
          `Version ${version.number} already has an item with one of these keys: ${(e as { detail?: string }).detail ?? ''}`,
        );
      throw e;
    }
    if (!explicit && version.stratifyByLabel) await this.placePatients(m, version, { fresh: false });
    return rows.length;
  }

  /**
   * Places patients without a split (or all of them when `fresh`): patients the parent had keep the
   * parent's split unless `fresh`; the rest by the version's seed and ratios, by label strata if asked.
   * An explicit version's patients are never placed by the seed (`fresh` does not apply): only an
   * unplaced item of a placed patient joins its patient's split.
   */
  async placePatients(m: EntityManager, v: DatasetVersionEntity, opts: { fresh: boolean }): Promise<void> {
    const patients = await this.datasets.patients(m, v.id);
    if (v.splitMode === 'explicit') {
      const joining = new Map<string, DatasetSplit>();
      for (const p of patients) if (p.split && p.unplaced) joining.set(p.patientKey, p.split);
      await this.datasets.setSplits(m, v.id, joining);
      return;
    }
    const fixed = new Map<string, DatasetSplit>();
    if (!opts.fresh) for (const p of patients) if (p.split) fixed.set(p.patientKey, p.split);
    const stratumOf = v.stratifyByLabel ? new Map(patients.map((p) => [p.patientKey, p.label ?? ''])) : undefined;
    const placed = assignSplits(
      patients.map((p) => p.patientKey),
      { seed: v.splitSeed, ratios: v.splitRatios, fixed, stratumOf },
    );
    const changed = new Map<string, DatasetSplit>();
    for (const p of patients) {
      const s = placed.get(p.patientKey);
      if (s && (s !== p.split || p.unplaced)) changed.set(p.patientKey, s);
    }
    await this.datasets.setSplits(m, v.id, changed);
  }
}
