/**
 * 'uploads.sweep': uploads still pending UPLOAD_ORPHAN_AFTER_SECONDS after they began were
 * abandoned; their object, and any multipart upload left unfinished, are removed, then the row.
 * Completed uploads are never touched.
 */
import { UploadsRepository } from '@caliper/persistence';
import { ObjectStore } from '@caliper/storage';
import { JobResult } from '../jobs/job-dispatcher';

const BATCH = 100;

export class UploadsSweepJob {
  constructor(
    private readonly uploads: UploadsRepository,
    private readonly store: ObjectStore,
    private readonly orphanAfterSeconds: number,
  ) {}

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
