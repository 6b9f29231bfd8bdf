/**
 * Versions built from the PACS: a preview of what a QIDO-RS query matches (studies with counts,
 * never a patient identifier), and an import into a draft, recorded as a row and enqueued through
 * the outbox in one transaction; the worker ('datasets.import-pacs') does the retrieval.
 */
import {
  DatasetImportEntity,
  DatasetImportsRepository,
  DatasetItemsWriter,
  DatasetsRepository,
  DatasetVersionEntity,
  matchedSeries,
  normalisePacsQuery,
  PacsImportQuery,
} from '@caliper/datasets';
import { badInput, DomainError } from '@caliper/domain';
import { parseJob } from '@caliper/jobs';
import { DicomWebClient, PacsError } from '@caliper/pacs';
import { AuditRepository, OutboxRepository } from '@caliper/persistence';
import { actorOf, Principal } from '@caliper/server-kit';
import { DataSource } from 'typeorm';

/** Series a preview reads at most. */
export const MAX_PREVIEW_SERIES = 5000;
export const MAX_PREVIEW_STUDIES = 500;

export interface PacsPreview {
  patients: number;
  studies: number;
  series: number;
  instances: number;
  truncated: boolean;
  studyList: {
    studyInstanceUid: string;
    studyDate: string | null;
    modalities: string[];
    seriesDescriptions: string[];
    bodyParts: string[];
    series: number;
    instances: number;
  }[];
}

export class DatasetImportsService {
  private readonly writer: DatasetItemsWriter;

  constructor(
    private readonly ds: DataSource,
    datasets: DatasetsRepository,
    private readonly imports: DatasetImportsRepository,
    private readonly outbox: OutboxRepository,
    private readonly audit: AuditRepository,
    private readonly pacsUrl: string | undefined,
  ) {
    this.writer = new DatasetItemsWriter(datasets);
  }

  async preview(query: PacsImportQuery, limit: number): Promise<PacsPreview> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PREVIEW_STUDIES)
      throw badInput('limit', `must be from 1 to ${MAX_PREVIEW_STUDIES}`);
    const q = normalisePacsQuery(query);
    let found;
    try {
      found = await matchedSeries(this.client(), q, MAX_PREVIEW_SERIES);
    } catch (e) {
      throw pacsProblem(e);
    }
    const studies = new Map<string, PacsPreview['studyList'][number] & { sets: [Set<string>, Set<string>, Set<string>] }>();
    const patients = new Set<string>();
    let instances = 0;
    for (const s of found.series) {
      if (s.patientId) patients.add(s.patientId);
      let st = studies.get(s.studyInstanceUid);
      if (!st) {
        st = {
          studyInstanceUid: s.studyInstanceUid,
          studyDate: s.studyDate ?? null,
          modalities: [],
          seriesDescriptions: [],
          bodyParts: [],
          series: 0,
          instances: 0,
          sets: [new Set(), new Set(), new Set()],
        };
        studies.set(s.studyInstanceUid, st);
      }
      st.series += 1;
      st.instances += s.numberOfInstances ?? 0;
      instances += s.numberOfInstances ?? 0;
      if (s.modality) st.sets[0].add(s.modality);
      if (s.seriesDescription) st.sets[1].add(s.seriesDescription);
      if (s.bodyPartExamined) st.sets[2].add(s.bodyPartExamined);
    }
    const studyList = [...studies.values()]
      .sort((a, b) => (a.studyDate ?? '').localeCompare(b.studyDate ?? '') || a.studyInstanceUid.localeCompare(b.studyInstanceUid))
      .slice(0, limit)
      .map(({ sets, ...st }) => ({
        ...st,
        modalities: [...sets[0]].sort(),
        seriesDescriptions: [...sets[1]].sort(),
        bodyParts: [...sets[2]].sort(),
      }));
    return { patients: patients.size, studies: studies.size, series: found.series.length, instances, truncated: found.more, studyList };
  }

  /** Records an import into a draft and enqueues its job, in one transaction. */
  async requestImport(
    principal: Principal,
    version: DatasetVersionEntity,
    projectId: string,
    cmd: { query: PacsImportQuery; copy: boolean; deidentify: boolean },
  ): Promise<DatasetImportEntity> {
    if (cmd.deidentify && !cmd.copy)
      throw badInput(
        'deidentify',
        'only instances copied into the datasets bucket can be de-identified: set copy to true, or deidentify to false (a reference leaves the instances in the PACS as they are)',
      );
    this.client();
    const query = normalisePacsQuery(cmd.query);
    return this.ds.transaction(async (m) => {
      const locked = await this.writer.lockDraft(m, version.id);
      const imp = await this.imports.create(m, {
        versionId: locked.id,
        query,
        copy: cmd.copy,
        deidentify: cmd.deidentify,
        createdBy: principal.user.id,
      });
      await this.outbox.enqueue(m, parseJob('datasets.import-pacs', { v: 1, importId: imp.id }));
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'dataset_import.requested',
        entityType: 'dataset_version',
        entityId: locked.id,
        projectId,
        before: null,
        after: {
          importId: imp.id,
          number: locked.number,
          query: query as Record<string, string | string[]>,
          copy: cmd.copy,
          deidentify: cmd.deidentify,
        },
      });
      return imp;
    });
  }

  find(id: string): Promise<DatasetImportEntity | null> {
    return this.imports.find(id);
  }

  ofVersion(versionId: string): Promise<DatasetImportEntity[]> {
    return this.imports.ofVersion(versionId);
  }

  private client(): DicomWebClient {
    if (!this.pacsUrl)
      throw new DomainError(
        'INVALID_STATE',
        'No PACS is configured: set PACS_DICOMWEB_URL (the DICOMweb root, e.g. http://orthanc:8042/dicom-web) for the API and the worker.',
      );
    return new DicomWebClient({ baseUrl: this.pacsUrl });
  }
}

function pacsProblem(e: unknown): unknown {
  if (!(e instanceof PacsError)) return e;
  if (e.code === 'INVALID_QUERY') return badInput('query', e.message);
  return new DomainError('INVALID_STATE', `The PACS could not be queried (${e.code}): ${e.message}`);
}
