/**
 * Label and split files into a draft version over REST (PUT /api/v1/dataset-versions/:id/labels and
 * /splits): the media type a chosen file goes as, and the server's answer in words. The server
 * checks the whole file and applies it all or nothing; a refusal is thrown with its own message.
 */
import { putFile } from './dicom-upload';

/** What PUT …/labels answers: rows read, items whose label changed, items already so labelled. */
export interface LabelsFileResult {
  rows: number;
  labelled: number;
  unchanged: number;
}

interface SplitCount {
  patients: number;
  items: number;
}

/** What PUT …/splits answers: the version's patients and items per split after the file. */
export interface SplitsFileResult {
  rows: number;
  patients: number;
  changed: number;
  splits: { train: SplitCount; val: SplitCount; test: SplitCount };
  unplaced: SplitCount;
}

/** A labels file goes as JSON when it is one (by its type or name), as CSV otherwise. */
export function labelsContentType(file: { name: string; type: string }): 'application/json' | 'text/csv' {
  return file.type === 'application/json' || /\.json$/i.test(file.name) ? 'application/json' : 'text/csv';
}

const itemFileUrl = (versionId: string, file: 'labels' | 'splits') => `/api/v1/dataset-versions/${encodeURIComponent(versionId)}/${file}`;

export async function uploadLabelsFile(versionId: string, file: File): Promise<LabelsFileResult> {
  return (await putFile(itemFileUrl(versionId, 'labels'), labelsContentType(file), file)) as LabelsFileResult;
}

export async function uploadSplitsFile(versionId: string, file: File): Promise<SplitsFileResult> {
  return (await putFile(itemFileUrl(versionId, 'splits'), 'text/csv', file)) as SplitsFileResult;
}

const count = (n: number, one: string, many: string) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

/** "6 items labelled, 0 unchanged (6 rows)." */
export function describeLabelsResult(r: LabelsFileResult): string {
  return `${count(r.labelled, 'item', 'items')} labelled, ${r.unchanged.toLocaleString('en-GB')} unchanged (${count(r.rows, 'row', 'rows')}).`;
}

/** "3 patients placed, 4 items moved to another split (6 rows)." */
export function describeSplitsResult(r: SplitsFileResult): string {
  return `${count(r.patients, 'patient', 'patients')} placed, ${count(r.changed, 'item', 'items')} moved to another split (${count(r.rows, 'row', 'rows')}).`;
}

/** The version's counts per split after a split file, one line each: "Train: 1 patient, 2 items"; "Not placed" only when some are. */
export function splitsResultLines(r: SplitsFileResult): string[] {
  const line = (name: string, c: SplitCount) => `${name}: ${count(c.patients, 'patient', 'patients')}, ${count(c.items, 'item', 'items')}`;
  return [
    line('Train', r.splits.train),
    line('Validation', r.splits.val),
    line('Test', r.splits.test),
    ...(r.unplaced.items ? [line('Not placed', r.unplaced)] : []),
  ];
}
