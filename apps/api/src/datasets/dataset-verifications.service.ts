/**
 * Re-verification of a dataset version against its sources: recorded as a verification row and
 * enqueued through the outbox in one transaction; the worker ('datasets.verify-version') re-fetches
 * and re-hashes. A request while one is queued or running answers that one (a retry never starts
 * a second). Sealed and draft versions alike: the version is only read.
 */
import {
  DatasetVerificationDriftEntity,
  DatasetVerificationEntity,
  DatasetVerificationsRepository,
  DatasetVersionEntity,
  MAX_DRIFTS_PAGE,
  MAX_VERIFICATIONS_LISTED,
} from '@caliper/datasets';
import { badInput, DomainError, notFound } from '@caliper/domain';
import { parseJob } from '@caliper/jobs';
import { AuditRepository, OutboxRepository } from '@caliper/persistence';
import { actorOf, Principal } from '@caliper/server-kit';
import { DataSource } from 'typeorm';

const FOREIGN_KEY_VIOLATION = '23503';

export class DatasetVerificationsService {
  constructor(
    private readonly ds: DataSource,
    private readonly verifications: DatasetVerificationsRepository,
    private readonly outbox: OutboxRepository,
    private readonly audit: AuditRepository,
    private readonly pacsUrl: string | undefined,
  ) {}

  /** A new verification with its job and audit event, or the one already queued or running. */
  async request(principal: Principal, version: DatasetVersionEntity, projectId: string): Promise<DatasetVerificationEntity> {
    if (!this.pacsUrl && (await this.referencesPacs(version.id)))
      throw new DomainError(
        'INVALID_STATE',
        `Version ${version.number} references instances in the PACS, and no PACS is configured: set PACS_DICOMWEB_URL (the DICOMweb root, e.g. http://orthanc:8042/dicom-web) for the API and the worker.`,
      );
    try {
      return await this.ds.transaction(async (m) => {
        const { verification, created } = await this.verifications.createOrRunning(m, {
          versionId: version.id,
          createdBy: principal.user.id,
        });
        if (!created) return verification;
        await this.outbox.enqueue(m, parseJob('datasets.verify-version', { v: 1, verificationId: verification.id }));
        await this.audit.append(m, {
          ...actorOf(principal),
          action: 'dataset_version.verification_requested',
          entityType: 'dataset_version',
          entityId: version.id,
          projectId,
          before: null,
          after: { verificationId: verification.id, number: version.number, state: version.state },
        });
        return verification;
      });
    } catch (e) {
      // The draft was deleted since the request resolved it.
      if ((e as { code?: string }).code === FOREIGN_KEY_VIOLATION) throw notFound(`Dataset version ${version.id}`);
      throw e;
    }
  }

  ofVersion(versionId: string, first: number): Promise<DatasetVerificationEntity[]> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_VERIFICATIONS_LISTED)
      throw badInput('first', `must be from 1 to ${MAX_VERIFICATIONS_LISTED}`);
    return this.verifications.ofVersion(versionId, first);
  }

  /** A page of drift rows in item-key order, and the cursor of the next one. */
  async drifts(
    verificationId: string,
    first: number,
    after: string | null,
  ): Promise<{ drifts: DatasetVerificationDriftEntity[]; next: string | null }> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_DRIFTS_PAGE) throw badInput('first', `must be from 1 to ${MAX_DRIFTS_PAGE}`);
    const rows = await this.verifications.drifts(verificationId, { first: first + 1, after });
    const page = rows.slice(0, first);
    return { drifts: page, next: rows.length > first ? (page[page.length - 1]?.itemKey ?? null) : null };
  }

  private async referencesPacs(versionId: string): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(`SELECT 1 FROM dataset_items WHERE version_id = $1 AND object_key IS NULL LIMIT 1`, [
      versionId,
    ]);
    return rows.length > 0;
  }
}
