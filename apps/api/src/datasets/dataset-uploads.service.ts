/**
 * Files uploaded into a draft dataset version beyond single DICOM files: zips of DICOM files, label
 * files, split files and segmentation masks. Each is validated whole before anything is written,
 * then applied in one transaction (all or nothing); the same file again changes nothing.
 */
import { DATASET_SPLITS, DatasetSplit, DomainError, notFound } from '@caliper/domain';
import {
  DatasetItemEditsRepository,
  DatasetItemsWriter,
  DatasetsRepository,
  DatasetVersionEntity,
  IdentifiedItem,
} from '@caliper/datasets';
import { AuditRepository } from '@caliper/persistence';
import { actorOf, type Principal } from '@caliper/server-kit';
import type { ObjectStore } from '@caliper/storage';
import { DataSource, EntityManager } from 'typeorm';
import { fileRefused, LabelRow, SplitKey, SplitRow } from './dataset-item-files';
import { patientSplitsFromRows, shortPatient } from './dataset-split-files';
import { checkMask, MaskFormat } from './dataset-masks';
import { DatasetsService } from './datasets.service';
import { DEFAULT_ZIP_LIMITS, DicomZip, ZipDicomFile, ZipLimits, zipRefused, ZipSkipped } from './dicom-zip';

export interface DatasetUploadsOptions {
  store: ObjectStore;
  bucket: string;
  /** Largest zip body accepted (DATASET_ZIP_MAX_MB). */
  maxZipBytes: number;
  zipLimits?: ZipLimits;
}

export interface ZipUploadResult {
  files: number;
  created: number;
  unchanged: number;
  /** Files of the zip that are not items (system files, a DICOMDIR, a second copy of a file). */
  skipped: ZipSkipped[];
}

export interface SplitFileResult {
  rows: number;
  /** Patients the file placed. */
  patients: number;
  /** Items whose split changed (a patient's items not named in the file move with it). */
  changed: number;
  splitMode: 'explicit';
  /** The version's patients and items per split afterwards. */
  splits: Record<DatasetSplit, { patients: number; items: number }>;
  /** Patients and items in no split yet (new patients of an explicit version wait for a split file). */
  unplaced: { patients: number; items: number };
}

/** Patients a refused first split file names as missing. */
const MISSING_SHOWN = 5;

/** Objects stored at once while a zip's new files go to S3. */
const PUT_CONCURRENCY = 4;

export class DatasetUploadsService {
  private bucketReady: Promise<void> | null = null;
  private readonly edits = new DatasetItemEditsRepository();
  private readonly writer: DatasetItemsWriter;

  constructor(
    private readonly ds: DataSource,
    private readonly datasets: DatasetsRepository,
    private readonly audit: AuditRepository,
    private readonly service: DatasetsService,
    private readonly opts: DatasetUploadsOptions,
  ) {
    this.writer = new DatasetItemsWriter(datasets);
  }

  get maxZipBytes(): number {
    return this.opts.maxZipBytes;
  }

  /** The version when it is a draft: NOT_FOUND, or INVALID_STATE for a sealed one (checked again under lock when writing). */
  async draft(versionId: string): Promise<DatasetVersionEntity> {
    const v = await this.datasets.findVersion(versionId);
    if (!v) throw notFound(`Dataset version ${versionId}`);
    if (v.state !== 'draft') throw new DomainError('INVALID_STATE', `Version ${v.number} is sealed: build a new version from it instead.`);
    return v;
  }

  /**
   * A zip of DICOM files into a draft: every entry is checked and identified first (any refusal
   * names the entry and stores nothing), then the new files go to S3 under their sha256 and their
   * items are written in one transaction. Files already in the version with the same content are
   * counted unchanged; a SOP Instance UID the version or the zip holds with other content is refused.
   */
  async addZip(principal: Principal, versionId: string, zipPath: string, zip: { sha256: string; size: number }): Promise<ZipUploadResult> {
    const v = await this.draft(versionId);
    const archive = await DicomZip.open(zipPath, this.opts.zipLimits ?? DEFAULT_ZIP_LIMITS);
    try {
      const skipped = [...archive.skipped];
      const bySop = new Map<string, ZipDicomFile & { index: number }>();
      for (const [index, f] of archive.files.entries()) {
        const file = await archive.identify(f);
        const seen = bySop.get(file.identity.sopInstanceUid);
        if (seen && seen.sha256 !== file.sha256)
          throw zipRefused(
            file.name,
            `has SOP Instance UID ${file.identity.sopInstanceUid}, as "${seen.name}" has, with other content: one SOP Instance, one file`,
          );
        if (seen) skipped.push({ name: file.name, reason: `the same file as "${seen.name}"` });
        else bySop.set(file.identity.sopInstanceUid, { ...file, index });
      }
      const existing = new Map(
        (await this.edits.itemsByKeys(this.ds.manager, v.id, [...bySop.keys()])).map((i) => [i.itemKey, i.sha256] as const),
      );
      const fresh: (ZipDicomFile & { index: number })[] = [];
      for (const [sop, file] of bySop) {
        const sha = existing.get(sop);
        if (sha === undefined) fresh.push(file);
        else if (sha !== file.sha256)
          throw zipRefused(
            file.name,
            `has SOP Instance UID ${sop}, which version ${v.number} already holds with other content (sha256 ${sha})`,
          );
      }
      const result = { files: archive.files.length, created: fresh.length, unchanged: bySop.size - fresh.length, skipped };
      if (!fresh.length) return result;
      const dataset = (await this.datasets.findDataset(v.datasetId))!;
      const objectKey = (sha256: string) => `datasets/${dataset.id}/objects/${sha256}.dcm`;
      await this.ensureBucket();
      // Content-addressed: an object stored here and then not referenced (the write below failed)
      // holds exactly what its key says, and a retry stores the same bytes under the same key.
      for (let i = 0; i < fresh.length; i += PUT_CONCURRENCY) {
        await Promise.all(
          fresh.slice(i, i + PUT_CONCURRENCY).map(async (file) => {
            const bytes = await archive.bytes(archive.files[file.index]!);
            await this.opts.store.putObject(this.opts.bucket, objectKey(file.sha256), bytes, {
              size: bytes.length,
              contentType: 'application/dicom',
            });
          }),
        );
      }
      const items: IdentifiedItem[] = fresh.map((f) => ({
        itemKey: f.identity.sopInstanceUid,
        studyUid: f.identity.studyInstanceUid,
        seriesUid: f.identity.seriesInstanceUid,
        sopUid: f.identity.sopInstanceUid,
        objectKey: objectKey(f.sha256),
        modality: f.identity.modality ?? null,
        sha256: f.sha256,
        sizeBytes: f.size,
        patientId: f.identity.patientId,
        label: null,
        maskKey: null,
      }));
      await this.service.addItems(principal, v, dataset.projectId, items, {
        via: 'zip',
        zipSha256: zip.sha256,
        zipBytes: zip.size,
        files: result.files,
        unchanged: result.unchanged,
        skipped: skipped.length,
      });
      return result;
    } finally {
      archive.close();
    }
  }

  /**
   * Classification labels from a file, one per item by key: every key must be an item of the draft,
   * and a key listed twice must carry the same label. Applied in one transaction; items whose label
   * is already that one are counted unchanged.
   */
  async setLabels(
    principal: Principal,
    versionId: string,
    rows: readonly LabelRow[],
    file: { format: 'csv' | 'json'; sha256: string },
  ): Promise<{ rows: number; labelled: number; unchanged: number }> {
    const byKey = new Map<string, LabelRow>();
    const problems: string[] = [];
    for (const r of rows) {
      const first = byKey.get(r.itemKey);
      if (!first) byKey.set(r.itemKey, r);
      else if (first.label !== r.label)
        problems.push(`${r.at} labels ${r.itemKey} "${r.label ?? ''}", but ${first.at} labelled it "${first.label ?? ''}"`);
    }
    if (problems.length) throw fileRefused('labels file', problems);
    return this.ds.transaction(async (m) => {
      const v = await this.writer.lockDraft(m, versionId);
      const found = new Set((await this.edits.itemsByKeys(m, v.id, [...byKey.keys()])).map((i) => i.itemKey));
      const unknown = [...byKey.values()].filter((r) => !found.has(r.itemKey));
      if (unknown.length)
        throw fileRefused(
          'labels file',
          unknown.map((r) => `${r.at}: version ${v.number} has no item ${r.itemKey}`),
        );
      const labelled = await this.edits.setLabels(
        m,
        v.id,
        [...byKey.values()].map((r) => ({ itemKey: r.itemKey, label: r.label })),
      );
      const result = { rows: rows.length, labelled, unchanged: byKey.size - labelled };
      if (labelled)
        await this.audit.append(m, {
          ...actorOf(principal),
          action: 'dataset_version.labels_set',
          entityType: 'dataset_version',
          entityId: v.id,
          projectId: await this.projectOf(v),
          before: null,
          after: { ...result, format: file.format, sha256: file.sha256 },
        });
      return result;
    });
  }

  /**
   * Explicit splits from a file: each row places the patient of its study or instance (every item of
   * that patient, named in the file or not) in its split; the version's splits are explicit from
   * then on (patients are no longer placed by the seed). Refused whole, naming the rows: unknown
   * studies or instances, one patient in two splits, and a first file (the version was split by its
   * seed) that leaves some patients out. Applied in one transaction; the same file again changes nothing.
   */
  async setSplits(
    principal: Principal,
    versionId: string,
    file: { by: SplitKey; rows: readonly SplitRow[]; sha256: string },
  ): Promise<SplitFileResult> {
    return this.ds.transaction(async (m) => {
      const v = await this.writer.lockDraft(m, versionId);
      const keys = [...new Set(file.rows.map((r) => r.key))];
      const items =
        file.by === 'study_instance_uid' ? await this.edits.itemsByStudies(m, v.id, keys) : await this.edits.itemsByKeys(m, v.id, keys);
      const placed = patientSplitsFromRows(file.by, file.rows, items, v.number);
      if (v.splitMode === 'seed') await this.refuseMissingPatients(m, v, placed, file.by);
      const changed = await this.datasets.setSplits(m, v.id, new Map([...placed].map(([patient, p]) => [patient, p.split])));
      await this.datasets.setSplitMode(m, v.id, 'explicit');
      const counts = await this.datasets.counts(v.id, m);
      const of = (split: DatasetSplit | null) => {
        const c = counts.bySplit.find((b) => b.split === split);
        return { patients: c?.patients ?? 0, items: c?.items ?? 0 };
      };
      const result: SplitFileResult = {
        rows: file.rows.length,
        patients: placed.size,
        changed,
        splitMode: 'explicit',
        splits: { train: of('train'), val: of('val'), test: of('test') },
        unplaced: of(null),
      };
      if (changed || v.splitMode !== 'explicit')
        await this.audit.append(m, {
          ...actorOf(principal),
          action: 'dataset_version.splits_set',
          entityType: 'dataset_version',
          entityId: v.id,
          projectId: await this.projectOf(v),
          before: { splitMode: v.splitMode },
          after: {
            splitMode: 'explicit',
            by: file.by,
            rows: result.rows,
            patients: result.patients,
            changed,
            sha256: file.sha256,
            ...Object.fromEntries(DATASET_SPLITS.map((s) => [s, result.splits[s].patients])),
          },
        });
      return result;
    });
  }

  /** A version split by its seed takes its first split file only when the file places every patient. */
  private async refuseMissingPatients(
    m: EntityManager,
    v: DatasetVersionEntity,
    placed: ReadonlyMap<string, unknown>,
    by: SplitKey,
  ): Promise<void> {
    const patients = await this.datasets.patients(m, v.id);
    const missing = patients
      .map((p) => p.patientKey)
      .filter((p) => !placed.has(p))
      .sort();
    if (!missing.length) return;
    const shown = missing.slice(0, MISSING_SHOWN);
    const example = new Map<string, string>();
    for (const i of await this.edits.itemsOfPatients(m, v.id, shown)) {
      const named = by === 'study_instance_uid' ? `study ${i.studyUid}` : `instance ${i.itemKey}`;
      const was = example.get(i.patientKey);
      if (!was || named < was) example.set(i.patientKey, named);
    }
    const more = missing.length > shown.length ? `, and ${missing.length - shown.length} more` : '';
    throw fileRefused('split file', [
      `version ${v.number} is split by its seed, so a first split file must place every one of its ${patients.length} patients, and it leaves out ${missing.length}: ${shown
        .map((p) => `patient ${shortPatient(p)} (${example.get(p)})`)
        .join(', ')}${more}; add a row for a ${by === 'study_instance_uid' ? 'study' : 'instance'} of each`,
    ]);
  }

  /**
   * A segmentation mask (DICOM SEG, NIfTI or PNG) for one item of a draft: checked against the
   * item, stored in the datasets bucket under its sha256, and set as the item's mask_key. The same
   * mask again changes nothing; another replaces it (audited with both keys).
   */
  async setMask(
    principal: Principal,
    versionId: string,
    itemKey: string,
    bytes: Buffer,
    sha256: string,
  ): Promise<{ itemKey: string; maskKey: string; format: MaskFormat; sha256: string; size: number; changed: boolean }> {
    const v = await this.draft(versionId);
    const [item] = await this.edits.itemsByKeys(this.ds.manager, v.id, [itemKey]);
    if (!item) throw notFound(`Item ${itemKey} of version ${v.number}`);
    const mask = await checkMask(bytes, item);
    const dataset = (await this.datasets.findDataset(v.datasetId))!;
    const maskKey = `datasets/${dataset.id}/masks/${sha256}.${mask.ext}`;
    const result = { itemKey, maskKey, format: mask.format, sha256, size: bytes.length };
    if (item.maskKey === maskKey) return { ...result, changed: false };
    await this.ensureBucket();
    await this.opts.store.putObject(this.opts.bucket, maskKey, bytes, { size: bytes.length, contentType: 'application/octet-stream' });
    await this.ds.transaction(async (m) => {
      const locked = await this.writer.lockDraft(m, v.id);
      await this.edits.setMask(m, locked.id, itemKey, maskKey);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'dataset_version.mask_set',
        entityType: 'dataset_version',
        entityId: locked.id,
        projectId: dataset.projectId,
        before: { item: itemKey, mask: item.maskKey },
        after: { item: itemKey, mask: maskKey, format: mask.format, sha256, size: bytes.length },
      });
    });
    return { ...result, changed: true };
  }

  private async projectOf(v: DatasetVersionEntity): Promise<string> {
    return (await this.datasets.findDataset(v.datasetId))!.projectId;
  }

  private ensureBucket(): Promise<void> {
    this.bucketReady ??= this.opts.store.ensureBucket(this.opts.bucket).catch((err: unknown) => {
      this.bucketReady = null;
      throw err;
    });
    return this.bucketReady;
  }
}
