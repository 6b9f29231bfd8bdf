/**
 * Uploads into a draft dataset version: one DICOM Part-10 file per request (PUT, body
 * application/dicom). The file is size-checked before it is read, hashed, identified with dcmjs
 * (non-DICOM, truncated and UID-less files are refused naming what is wrong), stored in the
 * datasets bucket under its sha256, and added as an item keyed by its SOP Instance UID. A retry of
 * the same file is answered with the same item; another file with that SOP Instance UID is a conflict.
 * A zip of DICOM files (application/zip) is streamed to a temporary file, hashed on the way, and
 * added all or nothing (DatasetUploadsService.addZip). Label files (text/csv or application/json)
 * and split files (text/csv) are parsed and checked at the edge, then applied all or nothing.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '@caliper/domain';
import type { Principal } from '@caliper/server-kit';
import { Controller, HttpCode, Param, Put, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { expectedSha256 } from '../artifacts/artifact-http';
import { declaredLength } from '../artifacts/artifacts.controller';
import { Requires } from '../auth/locators';
import { Caller } from '../mlflow/mlflow-request';
import { projectOfDatasetVersion } from './datasets.locators';
import { MAX_FILE_BYTES, parseLabelsCsv, parseLabelsJson, parseSplitsCsv } from './dataset-item-files';
import { MAX_MASK_BYTES } from './dataset-masks';
import { DatasetUploadsService } from './dataset-uploads.service';
import { DatasetsService, MAX_DICOM_UPLOAD_BYTES } from './datasets.service';

async function readBody(req: Request, max: number, refuse: () => Error = tooLarge): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw refuse();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const tooLarge = () =>
  new DomainError(
    'PAYLOAD_TOO_LARGE',
    `A DICOM file can be at most ${MAX_DICOM_UPLOAD_BYTES / 1024 / 1024} MiB; upload larger series file by file.`,
  );

const mib = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;

const zipTooLarge = (max: number) =>
  new DomainError('PAYLOAD_TOO_LARGE', `A zip can be at most ${mib(max)} (DATASET_ZIP_MAX_MB): split it. Nothing was stored.`);

/** Streams the body to `path`, hashing it, refusing it past `max` bytes. */
async function bodyToFile(req: Request, path: string, max: number): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(
    req,
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > max) return done(zipTooLarge(max));
        hash.update(chunk);
        done(null, chunk);
      },
    }),
    createWriteStream(path),
  );
  return { sha256: hash.digest('hex'), size };
}

/** The media type of the body, lowercased, without parameters. */
function mediaType(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** A CSV body as text: at most MAX_FILE_BYTES, UTF-8. */
async function csvBody(req: Request, file: string): Promise<{ text: string; sha256: string }> {
  const declared = declaredLength(req);
  const tooBig = () =>
    new DomainError('PAYLOAD_TOO_LARGE', `A ${file} can be at most ${mib(MAX_FILE_BYTES)}: split it. Nothing was stored.`);
  if (declared !== null && declared > MAX_FILE_BYTES) throw tooBig();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FILE_BYTES) throw tooBig();
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), sha256: createHash('sha256').update(bytes).digest('hex') };
  } catch {
    throw new DomainError('BAD_USER_INPUT', `The ${file} is refused: it is not UTF-8 text. Nothing was stored.`, { field: 'body' });
  }
}

const unsupported = (file: string, types: string) =>
  new DomainError('BAD_USER_INPUT', `Send the ${file} as ${types} (Content-Type). Nothing was stored.`, { field: 'body' });

function checkDigest(expected: string | null, sha256: string): void {
  if (expected && expected !== sha256)
    throw new DomainError(
      'BAD_USER_INPUT',
      `The body's sha256 is ${sha256}, not the ${expected} the request declared: nothing was stored.`,
    );
}

@Controller('api/v1/dataset-versions/:versionId')
export class DatasetUploadsController {
  constructor(
    private readonly datasets: DatasetsService,
    private readonly uploads: DatasetUploadsService,
  ) {}

  @Put('dicom')
  @HttpCode(200)
  @Requires('dataset.write', projectOfDatasetVersion('versionId'))
  async uploadDicom(
    @Caller() p: Principal,
    @Param('versionId') versionId: string,
    @Query('label') label: string | undefined,
    @Req() req: Request,
  ) {
    const declared = declaredLength(req);
    if (declared !== null && declared > MAX_DICOM_UPLOAD_BYTES) throw tooLarge();
    const expected = expectedSha256(req.headers);
    const bytes = await readBody(req, MAX_DICOM_UPLOAD_BYTES);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    checkDigest(expected, sha256);
    const { item, created } = await this.datasets.addUploadedDicom(p, versionId, bytes, sha256, { label: label ?? null });
    return { created, item };
  }

  /** A zip of DICOM files: `{ files, created, unchanged, skipped: [{ name, reason }] }`; any bad entry refuses the whole zip. */
  @Put('zip')
  @HttpCode(200)
  @Requires('dataset.write', projectOfDatasetVersion('versionId'))
  async uploadZip(@Caller() p: Principal, @Param('versionId') versionId: string, @Req() req: Request) {
    const max = this.uploads.maxZipBytes;
    const declared = declaredLength(req);
    if (declared !== null && declared > max) throw zipTooLarge(max);
    const expected = expectedSha256(req.headers);
    await this.uploads.draft(versionId);
    const dir = await mkdtemp(join(tmpdir(), 'caliper-zip-'));
    try {
      const path = join(dir, 'upload.zip');
      const zip = await bodyToFile(req, path, max);
      checkDigest(expected, zip.sha256);
      return { zip, ...(await this.uploads.addZip(p, versionId, path, zip)) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * Classification labels, one per item: text/csv with a header `sop_instance_uid,label` (or
   * `item_key,label`), or application/json `[{ "sopInstanceUid", "label" }]` or `{ "<uid>": "<label>" }`.
   */
  @Put('labels')
  @HttpCode(200)
  @Requires('dataset.write', projectOfDatasetVersion('versionId'))
  async uploadLabels(@Caller() p: Principal, @Param('versionId') versionId: string, @Req() req: Request) {
    await this.uploads.draft(versionId);
    const type = mediaType(req);
    if (type === 'application/json') {
      const body: unknown = req.body;
      const sha256 = createHash('sha256').update(JSON.stringify(body)).digest('hex');
      return this.uploads.setLabels(p, versionId, parseLabelsJson(body), { format: 'json', sha256 });
    }
    if (type !== 'text/csv') throw unsupported('labels file', 'text/csv or application/json');
    const { text, sha256 } = await csvBody(req, 'labels file');
    return this.uploads.setLabels(p, versionId, parseLabelsCsv(text), { format: 'csv', sha256 });
  }

  /**
   * Explicit patient-level splits: text/csv with a header `sop_instance_uid,split` or
   * `study_instance_uid,split`, split one of train, val, test (DatasetUploadsService.setSplits).
   */
  @Put('splits')
  @HttpCode(200)
  @Requires('dataset.write', projectOfDatasetVersion('versionId'))
  async uploadSplits(@Caller() p: Principal, @Param('versionId') versionId: string, @Req() req: Request) {
    await this.uploads.draft(versionId);
    if (mediaType(req) !== 'text/csv') throw unsupported('split file', 'text/csv');
    const { text, sha256 } = await csvBody(req, 'split file');
    return this.uploads.setSplits(p, versionId, { ...parseSplitsCsv(text), sha256 });
  }

  /** A segmentation mask for one item (its SOP Instance UID): DICOM SEG, NIfTI (.nii, .nii.gz) or PNG, told apart by content. */
  @Put('items/:sopInstanceUid/mask')
  @HttpCode(200)
  @Requires('dataset.write', projectOfDatasetVersion('versionId'))
  async uploadMask(
    @Caller() p: Principal,
    @Param('versionId') versionId: string,
    @Param('sopInstanceUid') sopInstanceUid: string,
    @Req() req: Request,
  ) {
    const maskTooLarge = () => new DomainError('PAYLOAD_TOO_LARGE', `A mask can be at most ${mib(MAX_MASK_BYTES)}. Nothing was stored.`);
    const declared = declaredLength(req);
    if (declared !== null && declared > MAX_MASK_BYTES) throw maskTooLarge();
    const expected = expectedSha256(req.headers);
    await this.uploads.draft(versionId);
    const bytes = await readBody(req, MAX_MASK_BYTES, maskTooLarge);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    checkDigest(expected, sha256);
    return this.uploads.setMask(p, versionId, sopInstanceUid, bytes, sha256);
  }
}
