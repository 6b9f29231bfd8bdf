/**
 * Uploads into a draft dataset version: one DICOM Part-10 file per request (PUT, body
 * application/dicom). The file is size-checked before it is read, hashed, identified with dcmjs
 * (non-DICOM, truncated and UID-less files are refused naming what is wrong), stored in the
 * datasets bucket under its sha256, and added as an item keyed by its SOP Instance UID. A retry of
 * the same file is answered with the same item; another file with that SOP Instance UID is a conflict.
 */
import { createHash } from 'node:crypto';
import { DomainError } from '@caliper/domain';
import type { Principal } from '@caliper/server-kit';
import { Controller, HttpCode, Param, Put, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { expectedSha256 } from '../artifacts/artifact-http';
import { declaredLength } from '../artifacts/artifacts.controller';
import { Requires } from '../auth/locators';
import { Caller } from '../mlflow/mlflow-request';
import { projectOfDatasetVersion } from './datasets.locators';
import { DatasetsService, MAX_DICOM_UPLOAD_BYTES } from './datasets.service';

async function readBody(req: Request, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const tooLarge = () =>
  new DomainError(
    'PAYLOAD_TOO_LARGE',
    `A DICOM file can be at most ${MAX_DICOM_UPLOAD_BYTES / 1024 / 1024} MiB; upload larger series file by file.`,
  );

@Controller('api/v1/dataset-versions/:versionId')
export class DatasetUploadsController {
  constructor(private readonly datasets: DatasetsService) {}

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
    if (expected && expected !== sha256)
      throw new DomainError(
        'BAD_USER_INPUT',
        `The body's sha256 is ${sha256}, not the ${expected} the request declared: nothing was stored.`,
      );
    const { item, created } = await this.datasets.addUploadedDicom(p, versionId, bytes, sha256, { label: label ?? null });
    return { created, item };
  }
}
