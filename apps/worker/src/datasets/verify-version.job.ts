/**
 * 'datasets.verify-version': re-fetches every item of a dataset version and re-hashes it, to find
 * what drifted since the version was built. Items copied into the datasets bucket are read from
 * it; items that reference the PACS are retrieved by WADO-RS in their stored transfer syntax (as
 * the import hashed them), streamed through sha256 and never held whole. Items go in key order,
 * a batch at a time, a few requests at once; each batch's drift rows and counts are written in one
 * transaction with the key it ended at, so a retried or resumed job carries on after the last
 * batch written. The version is only read: a sealed one stays as it is. A verification that
 * found drift is audited as 'dataset_version.drift_detected'.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import type { Config } from '@caliper/config';
import { DatasetsRepository, DatasetVerificationEntity, DatasetVerificationsRepository, Drift, ItemToVerify } from '@caliper/datasets';
import { JobPayloads } from '@caliper/jobs';
import { DicomWebClient, PacsError } from '@caliper/pacs';
import { AuditRepository } from '@caliper/persistence';
import { ObjectNotFoundError, ObjectStore } from '@caliper/storage';
import { JobAttempt, JobProcessor, JobResult, ProcessesJob } from '../jobs/job-processor';
import { CONFIG } from '../worker.options';
import { forEachLimited } from './import-pacs.job';

/** Items fetched at a time (as many as an import retrieves). */
export const VERIFY_CONCURRENCY = 4;
/** Items per transaction of drift rows and progress. */
export const VERIFY_BATCH = 64;
/** Drift rows the completion audit event lists (the counts are exact). */
const AUDITED_DRIFTS = 20;

type Payload = JobPayloads['datasets.verify-version'];

/** Ends the verification as failed, with a message for the person who asked for it. */
class VerificationFailed extends Error {}

/** An item's fate: as recorded, or a drift. */
type Outcome = { ok: true } | { ok: false; drift: Drift };

@Injectable()
@ProcessesJob('datasets.verify-version')
export class VerifyVersionJob implements JobProcessor<'datasets.verify-version'> {
  private readonly pacsUrl: string | undefined;
  private readonly bucket: string;

  constructor(
    private readonly ds: DataSource,
    private readonly datasets: DatasetsRepository,
    private readonly verifications: DatasetVerificationsRepository,
    private readonly audit: AuditRepository,
    private readonly store: ObjectStore,
    @Inject(CONFIG) config: Pick<Config, 'PACS_DICOMWEB_URL' | 'S3_BUCKET_DATASETS'>,
  ) {
    this.pacsUrl = config.PACS_DICOMWEB_URL;
    this.bucket = config.S3_BUCKET_DATASETS;
  }

  async run(data: Payload, attempt: JobAttempt = { attempt: 1, attempts: 1 }): Promise<JobResult> {
    const ver = await this.verifications.find(data.verificationId);
    if (!ver)
      return {
        outcome: 'skipped',
        detail: { reason: 'no such verification (its draft was deleted)', verificationId: data.verificationId },
      };
    if (ver.status === 'done' || ver.status === 'failed')
      return { outcome: 'skipped', detail: { reason: `verification already ${ver.status}`, verificationId: ver.id } };
    try {
      return await this.verifyAll(ver);
    } catch (err) {
      const final = err instanceof VerificationFailed || attempt.attempt >= attempt.attempts;
      const message = err instanceof VerificationFailed ? err.message : `The verification stopped: ${(err as Error).message}`;
      if (final) {
        await this.ds.transaction((m) => this.verifications.finish(m, ver.id, { status: 'failed', error: message }));
        throw new UnrecoverableError(message);
      }
      await this.verifications.noteRetry(ver.id, `${message} (attempt ${attempt.attempt} of ${attempt.attempts}; retrying)`);
      throw err;
    }
  }

  private async verifyAll(ver: DatasetVerificationEntity): Promise<JobResult> {
    const version = await this.datasets.findVersion(ver.versionId);
    if (!version) throw new VerificationFailed(`Dataset version ${ver.versionId} was not found.`);
    const dataset = (await this.datasets.findDataset(version.datasetId))!;
    await this.verifications.start(ver.id, await this.verifications.countItems(version.id));
    const client = this.pacsUrl ? new DicomWebClient({ baseUrl: this.pacsUrl }) : null;

    let after = ver.lastKey;
    for (;;) {
      const batch = await this.verifications.itemsAfter(version.id, after, VERIFY_BATCH);
      if (!batch.length) break;
      const outcomes = new Map<string, Outcome>();
      await forEachLimited(batch, VERIFY_CONCURRENCY, async (item) => {
        outcomes.set(item.itemKey, await this.check(client, item));
      });
      const drifts = batch.flatMap((i) => {
        const o = outcomes.get(i.itemKey)!;
        return o.ok ? [] : [o.drift];
      });
      const pacsDown = drifts.filter((d) => d.kind === 'error' && /UNREACHABLE|TIMEOUT/.test(d.reason ?? ''));
      if (pacsDown.length && pacsDown.length === batch.filter((i) => !i.objectKey).length)
        throw new Error(`The PACS stopped answering: ${pacsDown[0]!.reason}`);
      after = batch[batch.length - 1]!.itemKey;
      const lastKey = after;
      await this.ds.transaction((m) => this.verifications.recordBatch(m, ver.id, { lastKey, ok: batch.length - drifts.length, drifts }));
      if (batch.length < VERIFY_BATCH) break;
    }

    const done = await this.ds.transaction(async (m) => {
      await this.verifications.finish(m, ver.id, { status: 'done' });
      const r = (await this.verifications.find(ver.id, m))!;
      const drift = r.changed + r.missing + r.errors;
      if (drift > 0) {
        const [user] = (await m.query(`SELECT username FROM users WHERE id = $1`, [ver.createdBy])) as { username: string }[];
        const first = await this.verifications.drifts(ver.id, { first: AUDITED_DRIFTS });
        await this.audit.append(m, {
          actorId: ver.createdBy,
          actorLabel: user?.username ?? 'caliper-worker',
          action: 'dataset_version.drift_detected',
          entityType: 'dataset_version',
          entityId: version.id,
          projectId: dataset.projectId,
          before: null,
          after: {
            verificationId: ver.id,
            number: version.number,
            state: version.state,
            checked: r.checked,
            ok: r.ok,
            changed: r.changed,
            missing: r.missing,
            errors: r.errors,
            drifts: first.map((d) => ({ itemKey: d.itemKey, kind: d.kind })),
          },
        });
      }
      return r;
    });
    return {
      outcome: 'done',
      detail: {
        verificationId: ver.id,
        checked: done.checked,
        ok: done.ok,
        changed: done.changed,
        missing: done.missing,
        errors: done.errors,
      },
    };
  }

  /** Re-fetches one item and compares its sha256 with the recorded one. */
  private async check(client: DicomWebClient | null, item: ItemToVerify): Promise<Outcome> {
    const drift = (kind: Drift['kind'], actualSha256: string | null, reason: string | null): Outcome => ({
      ok: false,
      drift: {
        itemKey: item.itemKey,
        kind,
        sopUid: item.sopUid,
        objectKey: item.objectKey,
        expectedSha256: item.sha256,
        actualSha256,
        reason,
      },
    });
    let body: Readable;
    try {
      if (item.objectKey) {
        body = await this.store.read(this.bucket, item.objectKey);
      } else {
        if (!item.studyUid || !item.seriesUid || !item.sopUid)
          return drift('error', null, 'the item has neither an object key nor its study, series and SOP Instance UIDs');
        if (!client)
          throw new VerificationFailed(
            'No PACS is configured: PACS_DICOMWEB_URL is not set for the worker, and this version references instances in the PACS. Set it to the DICOMweb root (e.g. http://orthanc:8042/dicom-web) and verify again.',
          );
        body = (
          await client.retrieveInstance({ studyInstanceUid: item.studyUid, seriesInstanceUid: item.seriesUid, sopInstanceUid: item.sopUid })
        ).body;
      }
    } catch (err) {
      if (err instanceof VerificationFailed) throw err;
      if (err instanceof ObjectNotFoundError)
        return drift('missing', null, `the object ${item.objectKey} is gone from the datasets bucket`);
      if (err instanceof PacsError && err.code === 'NOT_FOUND')
        return drift('missing', null, `the PACS has no such instance: ${err.message}`);
      return drift('error', null, describe(err));
    }
    try {
      const hash = createHash('sha256');
      for await (const chunk of body) hash.update(chunk as Buffer);
      const actual = hash.digest('hex');
      return actual === item.sha256 ? { ok: true } : drift('changed', actual, null);
    } catch (err) {
      return drift('error', null, describe(err));
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof PacsError) return `${err.code}: ${err.message}`;
  return (err as Error)?.message ?? String(err);
}
