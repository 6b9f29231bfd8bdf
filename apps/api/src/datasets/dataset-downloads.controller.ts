/**
 * Reading a sealed dataset version out, as training code does (the Python client's
 * download_dataset): the version's summary, its canonical manifest exactly as sealed (the bytes its
 * manifest sha256 was computed over), and each item's bytes — from the datasets bucket when the
 * item was copied or uploaded, else from the PACS by WADO-RS in the stored transfer syntax — and
 * each item's mask. Every answer carries the sha256 it must hash to (X-Checksum-Sha256); the client
 * verifies, so drift in the PACS or the bucket is caught where the data is used. Needs project.read.
 */
import type { Config } from '@caliper/config';
import { DatasetsRepository } from '@caliper/datasets';
import { DomainError, notFound } from '@caliper/domain';
import { DicomWebClient, PacsError } from '@caliper/pacs';
import { CONFIG } from '@caliper/server-kit';
import { ObjectNotFoundError, objectStoreFromConfig, type ObjectStore } from '@caliper/storage';
import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Requires } from '../auth/locators';
import { projectOfDatasetVersion } from './datasets.locators';

const byVersion = projectOfDatasetVersion('versionId');
/** Where the upload path stores a mask: under its sha256, with its format's extension. */
const MASK_KEY = /\/masks\/([0-9a-f]{64})\.(png|nii|nii\.gz|dcm)$/;

@Controller('api/v1/dataset-versions/:versionId')
export class DatasetDownloadsController {
  private readonly store: ObjectStore;
  private readonly bucket: string;
  private readonly pacs: DicomWebClient | null;

  constructor(
    private readonly datasets: DatasetsRepository,
    @Inject(CONFIG) config: Config,
  ) {
    this.store = objectStoreFromConfig(config);
    this.bucket = config.S3_BUCKET_DATASETS;
    this.pacs = config.PACS_DICOMWEB_URL ? new DicomWebClient({ baseUrl: config.PACS_DICOMWEB_URL }) : null;
  }

  /** The version's identity and seal: what a download checks before it trusts the manifest. */
  @Get()
  @Requires('project.read', byVersion)
  async describe(@Param('versionId') versionId: string) {
    const v = (await this.datasets.findVersion(versionId))!;
    const d = (await this.datasets.findDataset(v.datasetId))!;
    return {
      id: v.id,
      dataset: { id: d.id, name: d.name },
      number: v.number,
      state: v.state,
      parentId: v.parentId,
      sealedAt: v.sealedAt?.toISOString() ?? null,
      manifestSha256: v.manifestSha256,
      itemCount: v.itemCount,
      patientCount: v.patientCount,
      labelSet: v.labelSet,
      split: { mode: v.splitMode, seed: v.splitSeed, ratios: v.splitRatios, stratifyByLabel: v.stratifyByLabel },
    };
  }

  /** The sealed manifest (JSON lines: a header, then one line per item in key order), byte for byte. */
  @Get('manifest')
  @Requires('project.read', byVersion)
  async manifest(@Param('versionId') versionId: string, @Res() res: Response) {
    const v = (await this.datasets.findVersion(versionId))!;
    if (v.state !== 'sealed' || !v.manifestKey || !v.manifestSha256)
      throw new DomainError('INVALID_STATE', `Version ${v.number} is a draft: only a sealed version has a manifest to download.`);
    const body = await this.open(v.manifestKey, `the manifest of version ${v.number}`);
    await send(res, body, { type: 'application/x-ndjson', sha256: v.manifestSha256, size: null, name: `manifest-v${v.number}.jsonl` });
  }

  /** One item's bytes: copied items from the bucket, PACS-referenced ones by WADO-RS. */
  @Get('items/:itemKey/content')
  @Requires('project.read', byVersion)
  async content(@Param('versionId') versionId: string, @Param('itemKey') itemKey: string, @Res() res: Response) {
    const item = await this.datasets.findItem(versionId, itemKey);
    if (!item) throw notFound(`Item ${itemKey} of dataset version ${versionId}`);
    let body: Readable;
    if (item.objectKey) {
      body = await this.open(item.objectKey, `item ${itemKey}`);
    } else {
      if (!item.studyUid || !item.seriesUid || !item.sopUid)
        throw new DomainError('INVALID_STATE', `Item ${itemKey} has neither an object nor the UIDs to fetch it from the PACS.`);
      if (!this.pacs)
        throw new DomainError(
          'INVALID_STATE',
          `Item ${itemKey} is referenced in the PACS, and no PACS is configured (PACS_DICOMWEB_URL): it cannot be served.`,
        );
      try {
        body = (
          await this.pacs.retrieveInstance({
            studyInstanceUid: item.studyUid,
            seriesInstanceUid: item.seriesUid,
            sopInstanceUid: item.sopUid,
          })
        ).body;
      } catch (err) {
        if (err instanceof PacsError && err.code === 'NOT_FOUND')
          throw new DomainError('NOT_FOUND', `Item ${itemKey} is no longer in the PACS (WADO-RS answered 404).`);
        if (err instanceof PacsError) throw new DomainError('UNAVAILABLE', `The PACS could not serve item ${itemKey}: ${err.message}`);
        throw err;
      }
    }
    await send(res, body, { type: 'application/dicom', sha256: item.sha256, size: item.sizeBytes, name: `${itemKey}.dcm` });
  }

  /**
   * One item's segmentation mask, as it was set (PNG, NIfTI or DICOM SEG). A mask is stored under its
   * own sha256 (`…/masks/<sha256>.<ext>`), and that key is in the sealed manifest: the sha256 sent is
   * the one the key names, so a mask is checked against the seal like the item itself.
   */
  @Get('items/:sopInstanceUid/mask') // the name the upload's PUT of the same path uses: an item's key is its SOP Instance UID
  @Requires('project.read', byVersion)
  async mask(@Param('versionId') versionId: string, @Param('sopInstanceUid') itemKey: string, @Res() res: Response) {
    const item = await this.datasets.findItem(versionId, itemKey);
    if (!item) throw notFound(`Item ${itemKey} of dataset version ${versionId}`);
    if (!item.maskKey) throw new DomainError('NOT_FOUND', `Item ${itemKey} of dataset version ${versionId} has no mask.`);
    const named = MASK_KEY.exec(item.maskKey);
    if (!named) throw new DomainError('INVALID_STATE', `The mask of item ${itemKey} is not stored under its sha256 (${item.maskKey}).`);
    const body = await this.open(item.maskKey, `the mask of item ${itemKey}`);
    await send(res, body, { type: 'application/octet-stream', sha256: named[1]!, size: null, name: `${itemKey}.mask.${named[2]}` });
  }

  private async open(key: string, what: string): Promise<Readable> {
    try {
      return await this.store.read(this.bucket, key);
    } catch (err) {
      if (err instanceof ObjectNotFoundError) throw new DomainError('NOT_FOUND', `The stored object of ${what} is missing (${key}).`);
      throw err;
    }
  }
}

async function send(res: Response, body: Readable, o: { type: string; sha256: string; size: number | null; name: string }) {
  res.status(200);
  res.set('Content-Type', o.type);
  res.set('Content-Disposition', `attachment; filename="${o.name.replace(/[^\w.-]/g, '_')}"`);
  res.set('X-Checksum-Sha256', o.sha256);
  res.set('ETag', `"${o.sha256}"`);
  // The size the bytes had when recorded, as a header (not Content-Length): bytes that drifted
  // still arrive whole, and the client reports the sha256 mismatch rather than a cut-off body.
  if (o.size !== null) res.set('X-Expected-Size', String(o.size));
  // A source failing mid-body ends the response early; the client's sha256 check catches it.
  await pipeline(body, res).catch(() => res.destroy());
}
