/**
 * 'datasets.import-pacs': builds a draft dataset version from a PACS query. Lists the matched
 * series by QIDO-RS (paging), then every instance of each (series in parallel); retrieves each
 * instance by WADO-RS, streaming it through sha256 (kept in memory up to 8 MiB, spilled to a
 * temporary file beyond, so memory stays bounded),
 * reads its identity, pseudonymises the patient, and either references it (UIDs, no object key)
 * or copies it into the datasets bucket under its sha256, de-identified first when the import asks
 * (PS3.15 basic profile, @caliper/pacs deidentifyDicom: UIDs replaced by hash-based ones keyed with
 * the project's secret, so a re-run maps each instance to the same item; PatientID by the patient
 * key, computed from the original PatientID so splits stay patient-level; the item's sha256 is the
 * stored bytes'). Items go in by COPY in batches, each
 * batch in one transaction with the import's progress (written while the next batch is fetched),
 * so a re-run (retry, or a crashed worker's job picked up again) skips what is written and resumes. An instance that cannot be retrieved
 * or read is a recorded failure; a PACS that cannot be queried fails the import at once, before
 * anything is written.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { Inject, Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import type { Config } from '@caliper/config';
import {
  DatasetImportEntity,
  DatasetImportFailure,
  DatasetImportsRepository,
  DatasetItemsWriter,
  DatasetsRepository,
  DeidentificationTotals,
  IdentifiedItem,
  instancesOfSeries,
  matchedSeries,
} from '@caliper/datasets';
import { DomainError, patientKey } from '@caliper/domain';
import { JobPayloads } from '@caliper/jobs';
import {
  DEIDENTIFICATION_METHOD,
  deidentifyDicom,
  DicomWebClient,
  type DeidentificationCounts,
  type InstanceRecord,
  PacsError,
  readDicomIdentity,
} from '@caliper/pacs';
import { AuditRepository } from '@caliper/persistence';
import { ObjectStore } from '@caliper/storage';
import { JobAttempt, JobProcessor, JobResult, ProcessesJob } from '../jobs/job-processor';
import { CONFIG } from '../worker.options';

/** WADO-RS requests at a time. */
export const IMPORT_CONCURRENCY = 4;
/** Items per COPY and progress update. */
export const IMPORT_BATCH = 64;
/** Instances up to this size are parsed whole for their identity; larger ones take it from QIDO (bounded memory). */
const PARSE_LIMIT_BYTES = 8 * 1024 * 1024;
/** De-identification rewrites an instance in memory: larger ones are recorded as failures. */
export const DEIDENTIFY_LIMIT_BYTES = 256 * 1024 * 1024;

/** De-identification of one import: the project's secret keys both the new UIDs and the patient pseudonym. */
interface Deidentifier {
  newUid(original: string): string;
  pseudonym(patientId: string): string;
}

/** A UID under the 2.25 root from the first 128 bits of HMAC-SHA256(secret, original): one original, one new UID, per project. */
export function deidentifiedUid(secret: Buffer, original: string): string {
  return `2.25.${BigInt('0x' + createHmac('sha256', secret).update(`uid\0${original}`, 'utf8').digest('hex').slice(0, 32)).toString()}`;
}

type Payload = JobPayloads['datasets.import-pacs'];

/** Ends the import as failed, with a message for the person who asked for it. */
class ImportFailed extends Error {}

@Injectable()
@ProcessesJob('datasets.import-pacs')
export class ImportPacsJob implements JobProcessor<'datasets.import-pacs'> {
  private readonly writer: DatasetItemsWriter;
  private readonly pacsUrl: string | undefined;
  private readonly bucket: string;

  constructor(
    private readonly ds: DataSource,
    private readonly datasets: DatasetsRepository,
    private readonly imports: DatasetImportsRepository,
    private readonly audit: AuditRepository,
    private readonly store: ObjectStore,
    @Inject(CONFIG) config: Pick<Config, 'PACS_DICOMWEB_URL' | 'S3_BUCKET_DATASETS'>,
  ) {
    this.writer = new DatasetItemsWriter(datasets);
    this.pacsUrl = config.PACS_DICOMWEB_URL;
    this.bucket = config.S3_BUCKET_DATASETS;
  }

  async run(data: Payload, attempt: JobAttempt = { attempt: 1, attempts: 1 }): Promise<JobResult> {
    const imp = await this.imports.find(data.importId);
    if (!imp) return { outcome: 'skipped', detail: { reason: 'no such import (its draft was deleted)', importId: data.importId } };
    if (imp.status === 'done' || imp.status === 'failed')
      return { outcome: 'skipped', detail: { reason: `import already ${imp.status}`, importId: imp.id } };
    try {
      return await this.importAll(imp);
    } catch (err) {
      const final = err instanceof ImportFailed || attempt.attempt >= attempt.attempts;
      const message = err instanceof ImportFailed ? err.message : `The import stopped: ${(err as Error).message}`;
      if (final) {
        await this.ds.transaction((m) => this.imports.finish(m, imp.id, { status: 'failed', error: message }));
        throw new UnrecoverableError(message);
      }
      await this.ds.query(`UPDATE dataset_imports SET error = $2 WHERE id = $1`, [
        imp.id,
        `${message} (attempt ${attempt.attempt} of ${attempt.attempts}; retrying)`,
      ]);
      throw err;
    }
  }

  private async importAll(imp: DatasetImportEntity): Promise<JobResult> {
    if (!this.pacsUrl)
      throw new ImportFailed(
        'No PACS is configured: PACS_DICOMWEB_URL is not set for the worker. Set it to the DICOMweb root (e.g. http://orthanc:8042/dicom-web) and import again.',
      );
    const version = await this.datasets.findVersion(imp.versionId);
    if (!version) throw new ImportFailed(`Dataset version ${imp.versionId} was not found.`);
    if (version.state !== 'draft') throw new ImportFailed(`Version ${version.number} is sealed: import into a new draft instead.`);
    const dataset = (await this.datasets.findDataset(version.datasetId))!;
    const client = new DicomWebClient({ baseUrl: this.pacsUrl });

    let refs: InstanceRecord[];
    try {
      const { series } = await matchedSeries(client, imp.query);
      // Each series' instances, IMPORT_CONCURRENCY series at a time, merged in the series' order.
      const perSeries: InstanceRecord[][] = new Array(series.length);
      await forEachLimited([...series.keys()], IMPORT_CONCURRENCY, async (i) => {
        perSeries[i] = await instancesOfSeries(client, series[i]!);
      });
      const bySop = new Map<string, InstanceRecord>();
      for (const list of perSeries) for (const i of list) bySop.set(i.sopInstanceUid, i);
      refs = [...bySop.values()];
    } catch (err) {
      if (err instanceof PacsError)
        throw new ImportFailed(`The PACS could not be queried (${err.code}): ${err.message}. Nothing was imported.`);
      throw err;
    }
    let deid: Deidentifier | null = null;
    if (imp.deidentify) {
      const secret = await this.ds.transaction((m) => this.datasets.patientSecret(m, dataset.projectId));
      deid = { newUid: (uid) => deidentifiedUid(secret, uid), pseudonym: (id) => patientKey(secret, id) };
    }
    // A de-identified instance's item key is its new SOP Instance UID, a function of the original.
    const keyOf = (r: InstanceRecord) => (deid ? deid.newUid(r.sopInstanceUid) : r.sopInstanceUid);
    const existing = await this.imports.existingKeys(version.id, refs.map(keyOf));
    const todo = refs.filter((r) => !existing.has(keyOf(r)));
    await this.imports.start(imp.id, refs.length, refs.length - todo.length);
    if (imp.copy && todo.length) await this.store.ensureBucket(this.bucket);

    let written = 0;
    let failed = 0;
    // Batch k is written (one transaction) while batch k + 1 is fetched: the PACS is never left
    // idle waiting for the database. Writes stay in order; the first failed write stops the import.
    let writing: Promise<void> = Promise.resolve();
    let writeError: unknown = null;
    for (let at = 0; at < todo.length; at += IMPORT_BATCH) {
      const batch = todo.slice(at, at + IMPORT_BATCH);
      const items: IdentifiedItem[] = [];
      const failures: DatasetImportFailure[] = [];
      const deidentified: DeidentificationTotals = { instances: 0, emptied: 0, replaced: 0, privateRemoved: 0, uidsReplaced: 0 };
      await forEachLimited(batch, IMPORT_CONCURRENCY, async (ref) => {
        try {
          const { item, counts } = await this.fetch(client, ref, imp.copy ? `datasets/${dataset.id}/objects` : null, deid);
          items.push(item);
          if (counts) {
            deidentified.instances += 1;
            for (const k of ['emptied', 'replaced', 'privateRemoved', 'uidsReplaced'] as const) deidentified[k] += counts[k];
          }
        } catch (err) {
          failures.push({ sopInstanceUid: ref.sopInstanceUid, error: (err as Error).message });
        }
      });
      await writing;
      if (writeError) throw writeError;
      if (items.length === 0 && failures.length === batch.length && failures.every((f) => /UNREACHABLE|failed: connect/.test(f.error)))
        throw new ImportFailed(`The PACS stopped answering: ${failures[0]!.error}`);
      writing = this.ds
        .transaction(async (m) => {
          let locked;
          try {
            locked = await this.writer.lockDraft(m, version.id);
          } catch (err) {
            if (err instanceof DomainError) throw new ImportFailed(err.message);
            throw err;
          }
          // A crashed run of this job may have written some of them since the listing.
          const again = await this.imports.existingKeys(
            version.id,
            items.map((i) => i.itemKey),
            m,
          );
          const fresh = items.filter((i) => !again.has(i.itemKey));
          await this.writer.write(m, locked, dataset.projectId, fresh);
          await this.imports.progress(m, imp.id, { done: items.length, failures, ...(deid ? { deidentified } : {}) });
        })
        .then(
          () => {
            written += items.length;
            failed += failures.length;
          },
          (err: unknown) => {
            writeError = err;
          },
        );
    }
    await writing;
    if (writeError) throw writeError;

    await this.ds.transaction(async (m) => {
      if (deid) await this.recordDeidentification(m, version.id, imp.id);
      await this.imports.finish(m, imp.id, { status: 'done' });
      const [user] = (await m.query(`SELECT username FROM users WHERE id = $1`, [imp.createdBy])) as { username: string }[];
      await this.audit.append(m, {
        actorId: imp.createdBy,
        actorLabel: user?.username ?? 'caliper-worker',
        action: 'dataset_import.finished',
        entityType: 'dataset_version',
        entityId: version.id,
        projectId: dataset.projectId,
        before: null,
        after: {
          importId: imp.id,
          query: imp.query as Record<string, string | string[]>,
          copy: imp.copy,
          deidentify: imp.deidentify,
          total: refs.length,
          written,
          alreadyPresent: refs.length - todo.length,
          failed,
        },
      });
    });
    return { outcome: 'done', detail: { importId: imp.id, total: refs.length, written, failed } };
  }

  /**
   * The version's source says how its instances were de-identified, summed over its de-identifying
   * imports, for the seal's attestation (the draft only: a version sealed meanwhile keeps its own).
   */
  private async recordDeidentification(m: EntityManager, versionId: string, importId: string): Promise<void> {
    const t = await this.imports.deidentifiedTotals(m, versionId, importId);
    const summary =
      `Applied to ${t.instances} instances copied from the PACS: ${t.emptied} attributes emptied (dcmjs anonymizer list), ` +
      `${t.replaced} PatientID/PatientName values replaced by the pseudonymous patient key, ${t.privateRemoved} private attributes removed, ` +
      `${t.uidsReplaced} UIDs replaced by hash-based UIDs under 2.25 (keyed per project, consistent across instances); ` +
      `PatientIdentityRemoved YES and DeidentificationMethod set in each instance.`;
    await m.query(
      `UPDATE dataset_versions SET source = source || jsonb_build_object('deidMethod', $2::text, 'deidSummary', $3::text) WHERE id = $1 AND state = 'draft'`,
      [versionId, DEIDENTIFICATION_METHOD, summary],
    );
  }

  /**
   * One instance's bytes streamed through sha256: kept in memory up to PARSE_LIMIT_BYTES (most
   * instances: no file written and read back), spilled to `tmp` beyond, so memory stays bounded.
   */
  private async receive(
    client: DicomWebClient,
    ref: InstanceRecord,
    tmp: string,
  ): Promise<{ sha256: string; size: number; bytes: Buffer | null }> {
    const retrieved = await client.retrieveInstance(ref);
    const hash = createHash('sha256');
    let size = 0;
    const chunks: Buffer[] = [];
    let file: WriteStream | null = null;
    try {
      for await (const chunk of retrieved.body as AsyncIterable<Buffer>) {
        hash.update(chunk);
        size += chunk.length;
        if (file) {
          if (!file.write(chunk)) await once(file, 'drain');
          continue;
        }
        chunks.push(chunk);
        if (size > PARSE_LIMIT_BYTES) {
          file = createWriteStream(tmp);
          for (const c of chunks.splice(0)) file.write(c);
        }
      }
    } finally {
      const open = file;
      if (open) await new Promise<void>((resolve, reject) => open.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
    return { sha256: hash.digest('hex'), size, bytes: file ? null : Buffer.concat(chunks, size) };
  }

  /**
   * One instance: received (see receive), identified, copied when `objectPrefix` is given
   * (de-identified first when `deid` is given, then hashed again).
   */
  private async fetch(
    client: DicomWebClient,
    ref: InstanceRecord,
    objectPrefix: string | null,
    deid: Deidentifier | null,
  ): Promise<{ item: IdentifiedItem; counts: DeidentificationCounts | null }> {
    const tmp = path.join(tmpdir(), `caliper-import-${randomUUID()}.dcm`);
    let spilled = false;
    try {
      const { sha256, size, bytes } = await this.receive(client, ref, tmp);
      spilled = bytes === null;
      if (deid && objectPrefix)
        return await this.deidentified(() => (bytes ? Promise.resolve(bytes) : readFile(tmp)), size, ref, objectPrefix, deid);
      let id: { studyInstanceUid: string; seriesInstanceUid: string; sopInstanceUid: string; modality?: string; patientId?: string } = ref;
      if (bytes) {
        id = readDicomIdentity(bytes, `SOP Instance ${ref.sopInstanceUid}`);
        if (id.sopInstanceUid !== ref.sopInstanceUid)
          throw new Error(`the PACS returned SOP Instance ${id.sopInstanceUid} when asked for ${ref.sopInstanceUid}`);
      }
      if (!id.patientId?.trim()) throw new Error('no PatientID (0010,0020): items are split by patient');
      let objectKey: string | null = null;
      if (objectPrefix) {
        objectKey = `${objectPrefix}/${sha256}.dcm`;
        await this.store.putObject(this.bucket, objectKey, bytes ?? createReadStream(tmp), { size, contentType: 'application/dicom' });
      }
      return {
        item: {
          itemKey: id.sopInstanceUid,
          studyUid: id.studyInstanceUid,
          seriesUid: id.seriesInstanceUid,
          sopUid: id.sopInstanceUid,
          objectKey,
          modality: id.modality ?? null,
          sha256,
          sizeBytes: size,
          patientId: id.patientId,
          label: null,
          maskKey: null,
        },
        counts: null,
      };
    } finally {
      if (spilled) await rm(tmp, { force: true });
    }
  }

  /** A retrieved instance de-identified and stored under the sha256 of the de-identified bytes. */
  private async deidentified(
    load: () => Promise<Buffer>,
    size: number,
    ref: InstanceRecord,
    objectPrefix: string,
    deid: Deidentifier,
  ): Promise<{ item: IdentifiedItem; counts: DeidentificationCounts }> {
    if (size > DEIDENTIFY_LIMIT_BYTES)
      throw new Error(`${size} bytes: larger than the ${DEIDENTIFY_LIMIT_BYTES} bytes an instance may have to be de-identified`);
    const name = `SOP Instance ${ref.sopInstanceUid}`;
    const original = await load();
    const id = readDicomIdentity(original, name);
    if (id.sopInstanceUid !== ref.sopInstanceUid)
      throw new Error(`the PACS returned SOP Instance ${id.sopInstanceUid} when asked for ${ref.sopInstanceUid}`);
    if (!id.patientId?.trim()) throw new Error('no PatientID (0010,0020): items are split by patient');
    const out = deidentifyDicom(original, { newUid: deid.newUid, pseudonym: deid.pseudonym(id.patientId) }, name);
    const sha256 = createHash('sha256').update(out.bytes).digest('hex');
    const objectKey = `${objectPrefix}/${sha256}.dcm`;
    await this.store.putObject(this.bucket, objectKey, out.bytes, { size: out.bytes.length, contentType: 'application/dicom' });
    return {
      item: {
        itemKey: out.sopInstanceUid,
        studyUid: out.studyInstanceUid,
        seriesUid: out.seriesInstanceUid,
        sopUid: out.sopInstanceUid,
        objectKey,
        modality: id.modality ?? null,
        sha256,
        sizeBytes: out.bytes.length,
        // The original PatientID: the writer keys the patient from it, the same key the file now holds.
        patientId: id.patientId,
        label: null,
        maskKey: null,
      },
      counts: out.counts,
    };
  }
}

/** Runs `fn` over `items`, at most `limit` at a time. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
