/**
 * Datasets: named cohorts of a project, as numbered versions. A version is a draft while items are
 * added, removed, relabelled or resplit, then sealed: its canonical manifest goes to S3 with its
 * sha256, the de-identification attestation is recorded, and the database refuses any later change
 * (triggers, for every role). Splits are per patient: a child version keeps its parent's patients
 * where they were; new patients are placed by the seed (or stratified by label), or, once a split
 * file has set the version's splits explicitly, wait for a split file to place them.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  badInput,
  checkSplitRatios,
  DatasetSplit,
  DEFAULT_SPLIT_RATIOS,
  DomainError,
  manifestLine,
  MAX_DATASET_NAME,
  notFound,
  SplitRatios,
} from '@caliper/domain';
import {
  DatasetEntity,
  DatasetImportsRepository,
  DatasetItemEntity,
  DatasetItemsWriter,
  DatasetsRepository,
  DatasetVersionEntity,
  DatasetVersionSource,
  IdentifiedItem,
  VersionCounts,
} from '@caliper/datasets';
import { PacsError, readDicomIdentity } from '@caliper/pacs';
import { AuditRepository } from '@caliper/persistence';
import { actorOf, Principal } from '@caliper/server-kit';
import type { ObjectStore } from '@caliper/storage';
import { DataSource } from 'typeorm';
import './datasets.audit';

export const MAX_ITEM_CHANGES = 10000;
export const MAX_DICOM_UPLOAD_BYTES = 64 * 1024 * 1024;
export const MAX_DIFF_ROWS = 1000;
/** Unplaced items a refused seal names. */
const UNPLACED_SHOWN = 5;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9 ._-]*$/;

export interface DatasetsOptions {
  store: ObjectStore;
  bucket: string;
}

export interface CreateVersionCommand {
  datasetId: string;
  parentVersionId?: string | null;
  splitSeed?: string | null;
  splitRatios?: SplitRatios | null;
  stratifyByLabel?: boolean | null;
  /** Only with a parent: item keys to leave out, labels to change, and whether to place every patient afresh. */
  removeItemKeys?: string[];
  relabel?: { itemKey: string; label: string | null }[];
  resplit?: boolean;
}

export interface SealCommand {
  versionId: string;
  deidMethod: string;
  deidSummary: string;
}

export class DatasetsService {
  private bucketReady: Promise<void> | null = null;
  private readonly writer: DatasetItemsWriter;
  private readonly imports: DatasetImportsRepository;

  constructor(
    private readonly ds: DataSource,
    private readonly datasets: DatasetsRepository,
    private readonly audit: AuditRepository,
    private readonly opts: DatasetsOptions,
  ) {
    this.writer = new DatasetItemsWriter(datasets);
    this.imports = new DatasetImportsRepository(ds);
  }

  list(projectId: string): Promise<DatasetEntity[]> {
    return this.datasets.listDatasets(projectId);
  }

  versions(datasetId: string): Promise<DatasetVersionEntity[]> {
    return this.datasets.listVersions(datasetId);
  }

  counts(versionId: string): Promise<VersionCounts> {
    return this.datasets.counts(versionId);
  }

  items(versionId: string, opts: { after?: string | null; first: number; split?: DatasetSplit | null }): Promise<DatasetItemEntity[]> {
    return this.datasets.itemsPage(versionId, opts);
  }

  async create(principal: Principal, cmd: { projectId: string; name: string; description?: string | null }): Promise<DatasetEntity> {
    const name = cmd.name.trim();
    if (!name || name.length > MAX_DATASET_NAME || !NAME_RE.test(name))
      throw badInput(
        'name',
        `must be 1-${MAX_DATASET_NAME} letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit`,
      );
    return this.ds.transaction(async (m) => {
      if (await this.datasets.findDatasetByName(cmd.projectId, name, m))
        throw new DomainError('CONFLICT', `A dataset named "${name}" already exists in this project.`, { field: 'name' });
      const d = await this.datasets.createDataset(m, {
        projectId: cmd.projectId,
        name,
        description: (cmd.description ?? '').trim(),
        createdBy: principal.user.id,
      });
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'dataset.created',
        entityType: 'dataset',
        entityId: d.id,
        projectId: d.projectId,
        before: null,
        after: { name: d.name, description: d.description },
      });
      return d;
    });
  }

  /**
   * A new draft: empty, or a copy of a sealed parent with items removed or relabelled and, when
   * asked, every patient placed afresh. The parent's seed and ratios carry over unless given.
   */
  async createVersion(principal: Principal, dataset: DatasetEntity, cmd: CreateVersionCommand): Promise<DatasetVersionEntity> {
    const removes = [...new Set(cmd.removeItemKeys ?? [])];
    const relabel = cmd.relabel ?? [];
    if (removes.length + relabel.length > MAX_ITEM_CHANGES)
      throw badInput('removeItemKeys', `at most ${MAX_ITEM_CHANGES} item changes per version (got ${removes.length + relabel.length})`);
    if (new Set(relabel.map((r) => r.itemKey)).size !== relabel.length) throw badInput('relabel', 'names an item twice');
    const ratios = cmd.splitRatios ? checkSplitRatios(cmd.splitRatios) : null;
    const seed = cmd.splitSeed?.trim();
    if (cmd.splitSeed !== undefined && cmd.splitSeed !== null && (!seed || seed.length > 200))
      throw badInput('splitSeed', 'must be 1-200 characters');
    return this.ds.transaction(async (m) => {
      let parent: DatasetVersionEntity | null = null;
      if (cmd.parentVersionId) {
        parent = await this.datasets.findVersion(cmd.parentVersionId, m);
        if (!parent || parent.datasetId !== dataset.id)
          throw notFound(`Dataset version ${cmd.parentVersionId} of dataset "${dataset.name}"`);
        if (parent.state !== 'sealed')
          throw new DomainError('INVALID_STATE', `Version ${parent.number} is a draft: seal it before building on it.`, {
            field: 'parentVersionId',
          });
      } else if (removes.length || relabel.length || cmd.resplit) {
        throw badInput('parentVersionId', 'removeItemKeys, relabel and resplit change a parent version: name one');
      }
      const splitRatios = ratios ?? parent?.splitRatios ?? DEFAULT_SPLIT_RATIOS;
      const splitSeed = seed ?? parent?.splitSeed ?? randomBytes(8).toString('hex');
      const stratifyByLabel = cmd.stratifyByLabel ?? parent?.stratifyByLabel ?? false;
      // Patients keep the parent's splits (explicit ones included) unless placed afresh by the seed.
      const fresh =
        !!parent && (!!cmd.resplit || splitSeed !== parent.splitSeed || JSON.stringify(splitRatios) !== JSON.stringify(parent.splitRatios));
      const splitMode = parent && !fresh ? parent.splitMode : 'seed';
      const source: DatasetVersionSource = parent
        ? { kind: 'derived', parent: parent.id, removed: removes.length, relabelled: relabel.length, resplit: !!cmd.resplit }
        : { kind: 'empty' };
      const v = await this.datasets.createVersion(m, {
        datasetId: dataset.id,
        parentId: parent?.id ?? null,
        splitSeed,
        splitRatios,
        stratifyByLabel,
        splitMode,
        labelSet: parent?.labelSet ?? [],
        source,
        createdBy: principal.user.id,
      });
      if (parent) {
        const missing = [
          ...(await this.datasets.missingKeys(m, parent.id, removes)),
          ...(await this.datasets.missingKeys(
            m,
            parent.id,
            relabel.map((r) => r.itemKey),
          )),
        ];
        if (missing.length)
          throw badInput(
            missing.length && removes.includes(missing[0]!) ? 'removeItemKeys' : 'relabel',
            `version ${parent.number} has no item ${missing[0]}`,
          );
        await this.datasets.copyItems(m, parent.id, v.id, removes);
        await this.datasets.relabel(m, v.id, relabel);
        await this.writer.placePatients(m, v, { fresh });
      }
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'dataset_version.created',
        entityType: 'dataset_version',
        entityId: v.id,
        projectId: dataset.projectId,
        before: null,
        after: {
          dataset: dataset.name,
          number: v.number,
          parent: parent?.number ?? null,
          splitMode,
          splitSeed,
          splitRatios,
          stratifyByLabel,
          source,
        },
      });
      return v;
    });
  }

  /**
   * Adds items to a draft, pseudonymising PatientID with the project's secret, and places new
   * patients in splits. All or nothing: a key already in the version is a CONFLICT naming it.
   */
  async addItems(
    principal: Principal,
    version: DatasetVersionEntity,
    projectId: string,
    items: readonly IdentifiedItem[],
    how: Record<string, unknown>,
  ): Promise<number> {
    return this.ds.transaction(async (m) => {
      const locked = await this.writer.lockDraft(m, version.id);
      const count = await this.writer.write(m, locked, projectId, items);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'dataset_version.items_added',
        entityType: 'dataset_version',
        entityId: locked.id,
        projectId,
        before: null,
        after: { count, ...how },
      });
      return count;
    });
  }

  /**
   * One uploaded DICOM file into a draft: identified, stored under its sha256 in the datasets
   * bucket, added as the item of its SOP Instance UID. The same file again returns the same item.
   */
  async addUploadedDicom(
    principal: Principal,
    versionId: string,
    bytes: Buffer,
    sha256: string,
    opts: { label: string | null },
  ): Promise<{ item: DatasetItemEntity; created: boolean }> {
    let id;
    try {
      id = readDicomIdentity(bytes, 'The uploaded file');
    } catch (e) {
      if (e instanceof PacsError) throw new DomainError('BAD_USER_INPUT', `${e.message}. Nothing was stored.`, { field: 'body' });
      throw e;
    }
    if (!id.patientId?.trim())
      throw new DomainError(
        'BAD_USER_INPUT',
        'The uploaded file has no PatientID (0010,0020): items are split by patient. Nothing was stored.',
        {
          field: 'body',
        },
      );
    const label = opts.label?.trim() || null;
    if (label && label.length > 200) throw badInput('label', 'must be at most 200 characters');
    const v = await this.datasets.findVersion(versionId);
    if (!v) throw notFound(`Dataset version ${versionId}`);
    if (v.state !== 'draft') throw new DomainError('INVALID_STATE', `Version ${v.number} is sealed: build a new version from it instead.`);
    const existing = await this.datasets.findItem(v.id, id.sopInstanceUid);
    if (existing) {
      if (existing.sha256 === sha256) return { item: existing, created: false };
      throw new DomainError(
        'CONFLICT',
        `Version ${v.number} already has SOP Instance ${id.sopInstanceUid} with other content (sha256 ${existing.sha256}).`,
      );
    }
    const dataset = (await this.datasets.findDataset(v.datasetId))!;
    const objectKey = `datasets/${dataset.id}/objects/${sha256}.dcm`;
    await this.ensureBucket();
    await this.opts.store.putObject(this.opts.bucket, objectKey, bytes, { size: bytes.length, contentType: 'application/dicom' });
    await this.addItems(
      principal,
      v,
      dataset.projectId,
      [
        {
          itemKey: id.sopInstanceUid,
          studyUid: id.studyInstanceUid,
          seriesUid: id.seriesInstanceUid,
          sopUid: id.sopInstanceUid,
          objectKey,
          modality: id.modality ?? null,
          sha256,
          sizeBytes: bytes.length,
          patientId: id.patientId,
          label,
          maskKey: null,
        },
      ],
      { via: 'upload', sopInstanceUid: id.sopInstanceUid, sha256 },
    );
    return { item: (await this.datasets.findItem(v.id, id.sopInstanceUid))!, created: true };
  }

  /** Seals a draft: splits complete, one split per patient, manifest written with its sha256, attestation recorded. */
  async seal(principal: Principal, projectId: string, cmd: SealCommand): Promise<DatasetVersionEntity> {
    const method = cmd.deidMethod.trim();
    const summary = cmd.deidSummary.trim();
    if (!method)
      throw badInput('deidMethod', 'must say how the data was de-identified (e.g. "DICOM PS3.15 basic profile", "none: internal use")');
    if (!summary) throw badInput('deidSummary', 'must summarise what de-identification changed');
    return this.ds.transaction(async (m) => {
      const v = await this.writer.lockDraft(m, cmd.versionId);
      const dataset = (await this.datasets.findDataset(v.datasetId, m))!;
      if (await this.imports.unfinished(m, v.id))
        throw new DomainError(
          'INVALID_STATE',
          `Version ${v.number} has a PACS import still running: seal it once the import has finished.`,
        );
      await this.writer.placePatients(m, v, { fresh: false });
      if (v.splitMode === 'explicit') {
        const unplaced = await this.datasets.unplacedItems(m, v.id, UNPLACED_SHOWN);
        if (unplaced.count) {
          const more = unplaced.count > unplaced.keys.length ? `, and ${unplaced.count - unplaced.keys.length} more` : '';
          throw new DomainError(
            'INVALID_STATE',
            `Version ${v.number} takes its splits from split files, and ${unplaced.count} item${unplaced.count === 1 ? ' is' : 's are'} in no split (${unplaced.keys.join(', ')}${more}): upload a split file placing their patients, then seal.`,
          );
        }
      }
      const twice = await this.datasets.patientsInTwoSplits(m, v.id);
      if (twice.length) throw new DomainError('INVALID_STATE', `Patients in two splits: ${twice.join(', ')}`);
      const counts = await this.datasets.counts(v.id, m);
      if (counts.items === 0) throw new DomainError('INVALID_STATE', `Version ${v.number} has no items: add some before sealing it.`);
      const labelSet = counts.byLabel.flatMap((l) => (l.label === null ? [] : [l.label])).sort();
      const sealedAt = new Date();
      const header = JSON.stringify({
        format: 'caliper-dataset-manifest/1',
        dataset: { id: dataset.id, name: dataset.name, projectId },
        version: { id: v.id, number: v.number, parent: v.parentId },
        split: { mode: v.splitMode, seed: v.splitSeed, ratios: v.splitRatios, stratifyByLabel: v.stratifyByLabel },
        labelSet,
        items: counts.items,
        patients: counts.patients,
      });
      const chunks: Buffer[] = [Buffer.from(header + '\n')];
      for await (const page of this.datasets.allItems(m, v.id)) chunks.push(Buffer.from(page.map((i) => manifestLine(i) + '\n').join('')));
      const body = Buffer.concat(chunks);
      const sha256 = createHash('sha256').update(body).digest('hex');
      const manifestKey = `datasets/${dataset.id}/v${v.number}/manifest-${sha256}.jsonl`;
      await this.ensureBucket();
      await this.opts.store.putObject(this.opts.bucket, manifestKey, body, { size: body.length, contentType: 'application/x-ndjson' });
      await this.datasets.markSealed(m, v.id, {
        sealedBy: principal.user.id,
        sealedAt,
        manifestKey,
        manifestSha256: sha256,
        itemCount: counts.items,
        patientCount: counts.patients,
        deidAttestedBy: principal.user.id,
        deidMethod: method,
        deidAttestedAt: sealedAt,
        deidSummary: summary,
        labelSet,
      });
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'dataset_version.sealed',
        entityType: 'dataset_version',
        entityId: v.id,
        projectId,
        before: { state: 'draft' },
        after: {
          state: 'sealed',
          number: v.number,
          manifestKey,
          manifestSha256: sha256,
          items: counts.items,
          patients: counts.patients,
          deidMethod: method,
          deidSummary: summary,
        },
      });
      return (await this.datasets.findVersion(v.id, m))!;
    });
  }

  /** Deletes a draft and its items (a sealed version cannot be deleted). */
  async deleteDraft(principal: Principal, projectId: string, versionId: string): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const v = await this.writer.lockDraft(m, versionId);
      await this.datasets.deleteDraft(m, v.id);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'dataset_version.deleted',
        entityType: 'dataset_version',
        entityId: v.id,
        projectId,
        before: { number: v.number, state: 'draft' },
        after: null,
      });
      return true;
    });
  }

  diff(a: DatasetVersionEntity, b: DatasetVersionEntity, limit: number): ReturnType<DatasetsRepository['diff']> {
    if (a.datasetId !== b.datasetId) throw badInput('to', 'both versions must belong to the same dataset');
    if (limit < 0 || limit > MAX_DIFF_ROWS) throw badInput('first', `must be from 0 to ${MAX_DIFF_ROWS}`);
    return this.datasets.diff(a.id, b.id, limit);
  }

  private ensureBucket(): Promise<void> {
    this.bucketReady ??= this.opts.store.ensureBucket(this.opts.bucket).catch((err: unknown) => {
      this.bucketReady = null;
      throw err;
    });
    return this.bucketReady;
  }
}
