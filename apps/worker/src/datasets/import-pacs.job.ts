/**
 * 'datasets.import-pacs': builds a draft dataset version from a PACS query. Lists the matched
 * series by QIDO-RS (paging), then retrieves each whole series by WADO-RS (IMPORT_CONCURRENCY
 * series at a time, one multipart answer each: no instance-level QIDO, no request per instance),
 * streaming each instance through sha256 (whole in memory up to 8 MiB, spilled to a temporary
 * file beyond, so memory stays bounded) and taking its identity (UIDs, patient, frames) from its
 * own bytes (@caliper/pacs scanDicomIdentity: a walk over the element headers, not a full parse).
 * It pseudonymises the patient, and either references the instance (UIDs, no object key)
 * or copies it into the datasets bucket under its sha256, de-identified first when the import asks
 * (PS3.15 basic profile, @caliper/pacs deidentifyDicom: UIDs replaced by hash-based ones keyed with
 * the project's secret, so a re-run maps each instance to the same item; PatientID by the patient
 * key, computed from the original PatientID so splits stay patient-level; the item's sha256 is the
 * stored bytes'). Items go in by COPY in batches, each batch in one transaction with the import's
 * progress (written while the next instances are fetched), so a re-run (retry, or a crashed
 * worker's job picked up again) skips what is written and resumes: a series the version already
 * has items of is listed instance by instance (QIDO-RS) and only its missing instances are
 * retrieved, one by one. So is a series whose retrieve fails part-way or holds an instance that
 * cannot be identified: what it delivered is kept, the rest is retrieved alone, and an instance
 * that cannot be retrieved or read is a recorded failure. A PACS that cannot be queried fails the
 * import at once, before anything is written; one that stops answering mid-import fails it with
 * what was written kept for the re-run.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
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
  DatasetVersionEntity,
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
  type DicomIdentity,
  type InstanceRecord,
  PacsError,
  type RetrievedPart,
  scanDicomIdentity,
  type SeriesRecord,
} from '@caliper/pacs';
import { AuditRepository } from '@caliper/persistence';
import { ObjectStore } from '@caliper/storage';
import { JobAttempt, JobProcessor, JobResult, ProcessesJob } from '../jobs/job-processor';
import { CONFIG } from '../worker.options';

/** Series retrieved at a time; also the instances handled at a time (each up to PARSE_LIMIT_BYTES in memory). */
export const IMPORT_CONCURRENCY = 4;
/** Items (and failures, and instances found already there) per COPY and progress update. */
export const IMPORT_BATCH = 64;
/** Instances up to this size are held whole in memory; larger ones are spilled to a file and identified from their first bytes. */
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

    let series: SeriesRecord[];
    try {
      ({ series } = await matchedSeries(client, imp.query));
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
    // A de-identified item's series UID is a function of the original, as its key is.
    const seriesKey = (uid: string) => (deid ? deid.newUid(uid) : uid);
    const begun = await this.imports.seriesWithItems(
      version.id,
      series.map((s) => seriesKey(s.seriesInstanceUid)),
    );
    // The total the PACS gives (series-level QIDO's NumberOfSeriesRelatedInstances), when it gives it for every series.
    const expected = series.every((s) => s.numberOfInstances !== undefined)
      ? series.reduce((sum, s) => sum + s.numberOfInstances!, 0)
      : null;
    await this.imports.start(imp.id, expected, 0);
    if (imp.copy && series.length) await this.store.ensureBucket(this.bucket);

    const batches = new ImportBatches((b) => this.writeBatch(b, version, dataset.projectId, imp.id, deid !== null));
    const run = new ImportRun(client, batches, {
      deid,
      objectPrefix: imp.copy ? `datasets/${dataset.id}/objects` : null,
      existingKeys: (keys) => this.imports.existingKeys(version.id, keys),
      put: (key, body, size) => this.store.putObject(this.bucket, key, body, { size, contentType: 'application/dicom' }),
    });
    await forEachLimited(series, IMPORT_CONCURRENCY, async (s) => {
      if (run.fatal) return;
      try {
        await (begun.has(seriesKey(s.seriesInstanceUid)) ? run.listed(s) : run.retrieved(s));
      } catch (err) {
        run.fatal ??= err;
      }
    });
    if (run.fatal) {
      await batches.close().catch(() => undefined);
      throw run.fatal;
    }
    await batches.close();
    const { written, skipped, failed } = batches;
    const total = written + skipped + failed;

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
          total,
          written,
          alreadyPresent: skipped,
          failed,
        },
      });
    });
    return { outcome: 'done', detail: { importId: imp.id, total, written, failed } };
  }

  /**
   * One batch in one transaction: its items (less any a crashed run of this job wrote since they
   * were checked), the import's progress with them. Returns how many items it wrote.
   */
  private async writeBatch(
    b: Batch,
    version: DatasetVersionEntity,
    projectId: string,
    importId: string,
    deidentifying: boolean,
  ): Promise<number> {
    return this.ds.transaction(async (m) => {
      let locked: DatasetVersionEntity;
      try {
        locked = await this.writer.lockDraft(m, version.id);
      } catch (err) {
        if (err instanceof DomainError) throw new ImportFailed(err.message);
        throw err;
      }
      const again = await this.imports.existingKeys(
        version.id,
        b.items.map((i) => i.itemKey),
        m,
      );
      const fresh = b.items.filter((i) => !again.has(i.itemKey));
      await this.writer.write(m, locked, projectId, fresh);
      const skipped = b.skipped + b.items.length - fresh.length;
      await this.imports.progress(m, importId, {
        done: fresh.length + skipped,
        skipped,
        failures: b.failures,
        ...(deidentifying ? { deidentified: b.deidentified } : {}),
      });
      return fresh.length;
    });
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
}

/** What one batch carries to the database. */
interface Batch {
  items: IdentifiedItem[];
  failures: DatasetImportFailure[];
  /** Instances found already in the version (not retrieved). */
  skipped: number;
  deidentified: DeidentificationTotals;
}

const emptyBatch = (): Batch => ({
  items: [],
  failures: [],
  skipped: 0,
  deidentified: { instances: 0, emptied: 0, replaced: 0, privateRemoved: 0, uidsReplaced: 0 },
});

/**
 * Gathers what the import finds into batches of IMPORT_BATCH and writes them in order, one at a
 * time, while the fetching goes on: whoever fills a batch waits only for the batch before it to be
 * written, so the PACS is not left idle waiting for the database, and the batches held stay few
 * (one waiting per instance being handled, at most). The first failed write is thrown to every
 * later caller, and by close().
 */
class ImportBatches {
  written = 0;
  skipped = 0;
  failed = 0;
  private pending = emptyBatch();
  private size = 0;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly write: (b: Batch) => Promise<number>) {}

  async item(item: IdentifiedItem, counts: DeidentificationCounts | null): Promise<void> {
    this.pending.items.push(item);
    if (counts) {
      const d = this.pending.deidentified;
      d.instances += 1;
      for (const k of ['emptied', 'replaced', 'privateRemoved', 'uidsReplaced'] as const) d[k] += counts[k];
    }
    await this.added();
  }

  async failure(f: DatasetImportFailure): Promise<void> {
    this.pending.failures.push(f);
    await this.added();
  }

  async alreadyThere(n: number): Promise<void> {
    this.pending.skipped += n;
    await this.added(n);
  }

  private async added(n = 1): Promise<void> {
    this.size += n;
    if (this.size >= IMPORT_BATCH) await this.flush();
  }

  /** Starts writing what is pending, once the batch before it is written (awaited: the caller waits for that one). */
  private async flush(): Promise<void> {
    if (this.size === 0) return;
    const batch = this.pending;
    this.pending = emptyBatch();
    this.size = 0;
    const before = this.writing;
    this.writing = before.then(async () => {
      const written = await this.write(batch);
      this.written += written;
      this.skipped += batch.skipped + batch.items.length - written;
      this.failed += batch.failures.length;
    });
    this.writing.catch(() => undefined); // awaited by the next flush or by close()
    await before;
  }

  /** Writes what is left; throws the first failed write. */
  async close(): Promise<void> {
    await this.flush();
    await this.writing;
  }
}

/** A retrieved instance received: its hash, size, and bytes (all of them, or the first ones when spilled to a file). */
interface Received {
  sha256: string;
  size: number;
  /** The whole instance; null when it was spilled to the temporary file. */
  bytes: Buffer | null;
  /** Its first bytes (at least PARSE_LIMIT_BYTES when spilled): where its identity is read. */
  head: Buffer;
}

/** How one instance went, for its series: handed to the batches (imported or a recorded failure), not identified (to retrieve alone), or not reached. */
type InstanceOutcome = 'handled' | 'unidentified' | 'unreachable';

/** At most `n` at a time. */
class Slots {
  private readonly waiting: (() => void)[] = [];
  constructor(private free: number) {}
  async take(): Promise<void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/** One run of an import: the series it retrieves, the instances it has handled, what it hands to the batches. */
class ImportRun {
  /** The error that stops the run (the PACS gone, a failed write): every series stops at its next instance. */
  fatal: unknown = null;
  /** Original SOP Instance UIDs handled in this run (retrieved, found already there, or failed): each once, across series. */
  private readonly handled = new Set<string>();
  /** Instances being received or handled: each holds up to PARSE_LIMIT_BYTES. */
  private readonly slots = new Slots(IMPORT_CONCURRENCY);

  constructor(
    private readonly client: DicomWebClient,
    private readonly batches: ImportBatches,
    private readonly o: {
      deid: Deidentifier | null;
      /** Where copies go; null for references only. */
      objectPrefix: string | null;
      existingKeys: (keys: string[]) => Promise<Set<string>>;
      put: (key: string, body: Buffer | Readable, size: number) => Promise<unknown>;
    },
  ) {}

  private keyOf(sopInstanceUid: string): string {
    return this.o.deid ? this.o.deid.newUid(sopInstanceUid) : sopInstanceUid;
  }

  /**
   * A whole series in one WADO-RS answer, each instance handled as it arrives (a whole one while
   * the next is read, within the slots; a streamed one before the answer goes on). When the answer
   * fails part-way, or holds an instance that cannot be identified, the series is then listed and
   * what is missing retrieved alone.
   */
  async retrieved(s: SeriesRecord): Promise<void> {
    const working = new Set<Promise<void>>();
    let unidentified = false;
    let broken: unknown = null;
    const parts = this.client.retrieveSeries(s);
    const check = (id: DicomIdentity) =>
      id.studyInstanceUid === s.studyInstanceUid && id.seriesInstanceUid === s.seriesInstanceUid
        ? null
        : `the PACS returned SOP Instance ${id.sopInstanceUid} of series ${id.seriesInstanceUid} when asked for series ${s.seriesInstanceUid}`;
    try {
      for (;;) {
        await this.slots.take();
        let next: IteratorResult<RetrievedPart> | null = null;
        try {
          if (!this.fatal) next = await parts.next();
        } catch (err) {
          broken = err;
        }
        if (!next || next.done) {
          this.slots.give();
          break;
        }
        const { body } = next.value;
        const work = this.instance(async () => body, `an instance of series ${s.seriesInstanceUid}`, check, null)
          .then(
            (outcome) => {
              if (outcome === 'unidentified') unidentified = true;
            },
            (err: unknown) => {
              this.fatal ??= err;
            },
          )
          .finally(() => this.slots.give());
        if (Buffer.isBuffer(body)) {
          working.add(work);
          void work.then(() => working.delete(work));
        } else await work;
      }
    } finally {
      await parts.return(undefined);
      await Promise.all(working);
    }
    if (!this.fatal && (broken || unidentified)) await this.listed(s, broken);
  }

  /**
   * A series instance by instance: listed by QIDO-RS; instances already in the version are
   * counted and skipped, the others not yet handled in this run retrieved one by one. `broken`:
   * the error that ended the series' retrieve, when that is why it is listed.
   */
  async listed(s: SeriesRecord, broken: unknown = null): Promise<void> {
    let refs: InstanceRecord[];
    try {
      refs = (await instancesOfSeries(this.client, s)).filter((r) => !this.handled.has(r.sopInstanceUid));
    } catch (err) {
      if (!(err instanceof PacsError)) throw err;
      const before = broken instanceof Error ? `its retrieve failed (${broken.message}), then ` : '';
      throw new ImportFailed(
        `The PACS stopped answering while series ${s.seriesInstanceUid} was imported: ${before}listing its instances failed (${err.code}): ${err.message}`,
      );
    }
    for (const r of refs) this.handled.add(r.sopInstanceUid);
    const there = await this.o.existingKeys(refs.map((r) => this.keyOf(r.sopInstanceUid)));
    const todo = refs.filter((r) => !there.has(this.keyOf(r.sopInstanceUid)));
    if (refs.length > todo.length) await this.batches.alreadyThere(refs.length - todo.length);
    let unreachable = 0;
    await forEachLimited(todo, IMPORT_CONCURRENCY, async (ref) => {
      if (this.fatal) return;
      await this.slots.take();
      try {
        const outcome = await this.instance(
          async () => (await this.client.retrieveInstance(ref)).body,
          `SOP Instance ${ref.sopInstanceUid}`,
          (id) =>
            id.sopInstanceUid === ref.sopInstanceUid
              ? null
              : `the PACS returned SOP Instance ${id.sopInstanceUid} when asked for ${ref.sopInstanceUid}`,
          ref.sopInstanceUid,
        );
        if (outcome === 'unreachable') unreachable++;
      } catch (err) {
        this.fatal ??= err;
      } finally {
        this.slots.give();
      }
    });
    if (!this.fatal && todo.length > 0 && unreachable === todo.length)
      throw new ImportFailed(
        `The PACS stopped answering: none of the ${todo.length} instances of series ${s.seriesInstanceUid} could be retrieved`,
      );
  }

  /**
   * One instance: received (see receive), identified from its bytes and checked (`check` says
   * what is wrong, or null), then imported (see imported). A failure is recorded under its SOP
   * Instance UID (`sopInstanceUid` when known beforehand, else the one read); without either it is
   * 'unidentified'. Throws only what stops the run (a failed write).
   */
  private async instance(
    retrieve: () => Promise<Buffer | Readable>,
    name: string,
    check: (id: DicomIdentity) => string | null,
    sopInstanceUid: string | null,
  ): Promise<InstanceOutcome> {
    const tmp = path.join(tmpdir(), `caliper-import-${randomUUID()}.dcm`);
    let spilled = false;
    let id: DicomIdentity | null = null;
    try {
      let imported: { item: IdentifiedItem; counts: DeidentificationCounts | null };
      try {
        const received = await this.receive(await retrieve(), tmp);
        spilled = received.bytes === null;
        id = scanDicomIdentity(received.bytes ?? received.head, name, received.bytes ? {} : { fileSize: received.size });
        const wrong = check(id);
        if (wrong) throw new Error(wrong);
        if (sopInstanceUid === null) {
          // Within a series retrieve, an instance met before (in another series) is not imported twice.
          if (this.handled.has(id.sopInstanceUid)) return 'handled';
          this.handled.add(id.sopInstanceUid);
        }
        imported = await this.imported(received, id, tmp);
      } catch (err) {
        const sop = sopInstanceUid ?? id?.sopInstanceUid;
        if (sop === undefined) return 'unidentified';
        await this.batches.failure({ sopInstanceUid: sop, error: (err as Error).message });
        return err instanceof PacsError && err.code === 'UNREACHABLE' ? 'unreachable' : 'handled';
      }
      await this.batches.item(imported.item, imported.counts);
      return 'handled';
    } finally {
      if (spilled) await rm(tmp, { force: true });
    }
  }

  /**
   * An instance's bytes streamed through sha256: a whole one as it is; a stream kept in memory up
   * to PARSE_LIMIT_BYTES (most instances: no file written and read back), spilled to `tmp` beyond
   * with its first bytes kept, so memory stays bounded.
   */
  private async receive(body: Buffer | Readable, tmp: string): Promise<Received> {
    if (Buffer.isBuffer(body))
      return { sha256: createHash('sha256').update(body).digest('hex'), size: body.length, bytes: body, head: body };
    const hash = createHash('sha256');
    let size = 0;
    const chunks: Buffer[] = [];
    let head: Buffer | null = null;
    let file: WriteStream | null = null;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        hash.update(chunk);
        size += chunk.length;
        if (file) {
          if (!file.write(chunk)) await once(file, 'drain');
          continue;
        }
        chunks.push(chunk);
        if (size > PARSE_LIMIT_BYTES) {
          head = Buffer.concat(chunks.splice(0), size);
          file = createWriteStream(tmp);
          file.write(head);
        }
      }
    } finally {
      const open = file;
      if (open) await new Promise<void>((resolve, reject) => open.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
    const bytes = head ? null : Buffer.concat(chunks, size);
    return { sha256: hash.digest('hex'), size, bytes, head: head ?? bytes! };
  }

  /** An identified instance as an item: referenced, or copied (de-identified first when the import asks, then hashed again). */
  private async imported(
    r: Received,
    id: DicomIdentity,
    tmp: string,
  ): Promise<{ item: IdentifiedItem; counts: DeidentificationCounts | null }> {
    const patientId = id.patientId?.trim() ? id.patientId : null;
    if (!patientId) throw new Error('no PatientID (0010,0020): items are split by patient');
    const { deid, objectPrefix } = this.o;
    if (deid && objectPrefix)
      return this.deidentified(() => (r.bytes ? Promise.resolve(r.bytes) : readFile(tmp)), r.size, id, patientId, objectPrefix, deid);
    let objectKey: string | null = null;
    if (objectPrefix) {
      objectKey = `${objectPrefix}/${r.sha256}.dcm`;
      await this.o.put(objectKey, r.bytes ?? createReadStream(tmp), r.size);
    }
    return {
      item: {
        itemKey: id.sopInstanceUid,
        studyUid: id.studyInstanceUid,
        seriesUid: id.seriesInstanceUid,
        sopUid: id.sopInstanceUid,
        objectKey,
        modality: id.modality ?? null,
        sha256: r.sha256,
        sizeBytes: r.size,
        patientId,
        label: null,
        maskKey: null,
      },
      counts: null,
    };
  }

  /** A retrieved instance de-identified and stored under the sha256 of the de-identified bytes. */
  private async deidentified(
    load: () => Promise<Buffer>,
    size: number,
    id: DicomIdentity,
    patientId: string,
    objectPrefix: string,
    deid: Deidentifier,
  ): Promise<{ item: IdentifiedItem; counts: DeidentificationCounts }> {
    if (size > DEIDENTIFY_LIMIT_BYTES)
      throw new Error(`${size} bytes: larger than the ${DEIDENTIFY_LIMIT_BYTES} bytes an instance may have to be de-identified`);
    const out = deidentifyDicom(
      await load(),
      { newUid: deid.newUid, pseudonym: deid.pseudonym(patientId) },
      `SOP Instance ${id.sopInstanceUid}`,
    );
    const sha256 = createHash('sha256').update(out.bytes).digest('hex');
    const objectKey = `${objectPrefix}/${sha256}.dcm`;
    await this.o.put(objectKey, out.bytes, out.bytes.length);
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
        patientId,
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
