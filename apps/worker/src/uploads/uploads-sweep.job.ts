/**
 * 'uploads.sweep': uploads still pending UPLOAD_ORPHAN_AFTER_SECONDS after they began were
 * abandoned; their object, and any multipart upload left unfinished, are removed, then the row.
 * Completed uploads are never touched.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Config } from '@caliper/config';
import { UploadsRepository } from '@caliper/persistence';
import { ObjectStore } from '@caliper/storage';
import { JobResult, ProcessesJob, ScheduledJobProcessor } from '../jobs/job-processor';
import { CONFIG } from '../worker.options';

const BATCH = 100;

@Injectable()
@ProcessesJob('uploads.sweep')
export class UploadsSweepJob implements ScheduledJobProcessor<'uploads.sweep'> {
  readonly everyMs = 3600_000;
  private readonly orphanAfterSeconds: number;

  constructor(
    private readonly uploads: UploadsRepository,
    private readonly store: ObjectStore,
    @Inject(CONFIG) config: Pick<Config, 'UPLOAD_ORPHAN_AFTER_SECONDS'>,
  ) {
    this.orphanAfterSeconds = config.UPLOAD_ORPHAN_AFTER_SECONDS;
  }

  async run(): Promise<JobResult> {
    let swept = 0;
    let abortedParts = 0;
    for (;;) {
      const batch = await this.uploads.sweepOrphans(this.orphanAfterSeconds, BATCH, async (upload) => {
        abortedParts += await this.store.abortIncompleteUploads(upload.bucket, upload.objectKey);
        await this.store.remove(upload.bucket, upload.objectKey);
      });
      swept += batch.length;
      if (batch.length < BATCH) break;
    }
    if (swept === 0) return { outcome: 'skipped', detail: { reason: 'no abandoned upload' } };
    return { outcome: 'done', detail: { swept, abortedMultipartUploads: abortedParts } };
  }
}
