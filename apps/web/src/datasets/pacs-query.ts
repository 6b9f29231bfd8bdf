/** Pure helpers of "New version from PACS": the query form as the API takes it, and an import's progress in words. */
import type { DatasetImportStatus, PacsQueryInput } from '../gql/graphql';

export interface PacsQueryForm {
  /** Modality codes separated by commas or spaces ("CT, MR"). */
  modalities: string;
  /** As an <input type="date"> holds them: YYYY-MM-DD, or empty. */
  studyDateFrom: string;
  studyDateTo: string;
  studyDescription: string;
  seriesDescription: string;
  bodyPartExamined: string;
}

export const EMPTY_PACS_QUERY: PacsQueryForm = {
  modalities: '',
  studyDateFrom: '',
  studyDateTo: '',
  studyDescription: '',
  seriesDescription: '',
  bodyPartExamined: '',
};

export type PacsQueryProblem = { field: keyof PacsQueryForm | null; error: string };

const MODALITY_RE = /^[A-Z0-9]{1,16}$/;
const MAX_MODALITIES = 20;

function dicomDate(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  return m ? `${m[1]}${m[2]}${m[3]}` : null;
}

/** The form as a PacsQueryInput (only the filters given), or the first thing wrong with it, in words a user can act on. */
export function pacsQueryOf(form: PacsQueryForm): { query: PacsQueryInput } | PacsQueryProblem {
  const query: PacsQueryInput = {};
  const modalities = [
    ...new Set(
      form.modalities
        .split(/[\s,]+/)
        .map((m) => m.trim().toUpperCase())
        .filter(Boolean),
    ),
  ];
  const bad = modalities.find((m) => !MODALITY_RE.test(m));
  if (bad) return { field: 'modalities', error: `“${bad}” is not a DICOM modality code (such as CT, MR or CR).` };
  if (modalities.length > MAX_MODALITIES) return { field: 'modalities', error: `At most ${MAX_MODALITIES} modalities.` };
  if (modalities.length) query.modalities = modalities;

  for (const field of ['studyDateFrom', 'studyDateTo'] as const) {
    if (!form[field].trim()) continue;
    const date = dicomDate(form[field]);
    if (!date) return { field, error: 'Enter a date as YYYY-MM-DD.' };
    query[field] = date;
  }
  if (query.studyDateFrom && query.studyDateTo && query.studyDateFrom > query.studyDateTo)
    return { field: 'studyDateTo', error: 'The end of the date range is before its start.' };

  for (const [field, max] of [
    ['studyDescription', 64],
    ['seriesDescription', 64],
    ['bodyPartExamined', 16],
  ] as const) {
    const value = form[field].trim();
    if (!value) continue;
    if (value.length > max) return { field, error: `At most ${max} characters.` };
    query[field] = field === 'bodyPartExamined' ? value.toUpperCase() : value;
  }
  if (Object.keys(query).length === 0)
    return { field: null, error: 'Give at least one filter: a query that matches the whole PACS is refused.' };
  return { query };
}

export interface ImportProgress {
  status: DatasetImportStatus;
  total?: number | null;
  done: number;
  skipped: number;
  failed: number;
  error?: string | null;
}

const n = (x: number) => x.toLocaleString('en-GB');

/** "Importing: 12 of 30 instances." and the like. */
export function describeImport(p: ImportProgress): string {
  switch (p.status) {
    case 'QUEUED':
      return 'Queued: waiting for a worker to start the import.';
    case 'RUNNING':
      return p.total == null ? 'Listing the matched instances…' : `Importing: ${n(p.done)} of ${n(p.total)} instances.`;
    case 'DONE': {
      const notes = [p.skipped ? `${n(p.skipped)} already in the version` : null, p.failed ? `${n(p.failed)} failed` : null].filter(
        Boolean,
      );
      return `Import finished: ${n(p.done - p.skipped)} instances imported${notes.length ? ` (${notes.join(', ')})` : ''}.`;
    }
    case 'FAILED':
      return `The import failed: ${p.error ?? 'no reason was given'}`;
  }
}
