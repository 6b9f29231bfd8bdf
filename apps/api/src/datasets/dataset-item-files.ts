/**
 * Label files (CSV or JSON) and split files (CSV) as uploaded into a draft: parsed and checked row
 * by row at the edge (csv-parse, zod), each problem named with its line, before anything is looked
 * up or written. What the rows mean for the version's items is the service's business.
 */
import { DATASET_SPLITS, DatasetSplit, DomainError } from '@caliper/domain';
import { CsvError, parse } from 'csv-parse/sync';
import { z } from 'zod';

/** Bytes of one CSV file. */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;
/** Rows of one file; more are refused (a version of 100,000 items fits). */
export const MAX_FILE_ROWS = 200_000;
export const MAX_LABEL = 200;
/** Problems listed in one refusal. */
const SHOWN_PROBLEMS = 5;

export interface LabelRow {
  /** Where the row is: "line 3" of a CSV, "entry 2" or "key …" of JSON. */
  at: string;
  itemKey: string;
  label: string | null;
}

export type SplitKey = 'sop_instance_uid' | 'study_instance_uid';

export interface SplitRow {
  at: string;
  key: string;
  split: DatasetSplit;
}

/** One refusal listing the first few problems, each with where it is. */
export function fileRefused(file: string, problems: readonly string[]): DomainError {
  const shown = problems.slice(0, SHOWN_PROBLEMS).join('; ');
  const more = problems.length > SHOWN_PROBLEMS ? ` (and ${problems.length - SHOWN_PROBLEMS} more)` : '';
  return new DomainError('BAD_USER_INPUT', `The ${file} is refused: ${shown}${more}. Nothing was stored.`, { field: 'body' });
}

const itemKey = z.string().trim().min(1, 'is empty').max(200, 'is longer than 200 characters');
const label = z
  .string()
  .trim()
  .max(MAX_LABEL, `is longer than ${MAX_LABEL} characters`)
  .transform((l) => l || null);

function issue(e: z.ZodError): string {
  const first = e.issues[0]!;
  return `${first.path.length ? `${first.path.join('.')} ` : ''}${first.message}`;
}

/** CSV rows with their line numbers; the header is normalised (case, spaces) and must name `wanted` columns. */
function csvRows(
  text: string,
  file: string,
  columnsOf: (header: string[]) => string | null,
): { line: number; row: Record<string, string> }[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      columns: (header: string[]) => {
        const names = header.map((h) =>
          h
            .trim()
            .toLowerCase()
            .replace(/[\s-]+/g, '_'),
        );
        const problem = columnsOf(names);
        if (problem) throw fileRefused(file, [`line 1 (the header) ${problem}`]);
        return names;
      },
      skip_empty_lines: true,
      trim: true,
      info: true,
      to: MAX_FILE_ROWS + 1,
    }) as typeof records;
  } catch (e) {
    if (e instanceof DomainError) throw e;
    if (e instanceof CsvError) throw fileRefused(file, [`it is not valid CSV: ${e.message}`]);
    throw e;
  }
  if (!records.length) throw fileRefused(file, ['it has a header but no rows']);
  if (records.length > MAX_FILE_ROWS) throw fileRefused(file, [`it has more than ${MAX_FILE_ROWS} rows: split it`]);
  return records.map((r) => ({ line: r.info.lines, row: r.record }));
}

function headerNeeds(keys: readonly string[], value: string): (names: string[]) => string | null {
  return (names) => {
    const present = keys.filter((k) => names.includes(k));
    if (present.length !== 1 || !names.includes(value))
      return `must name ${keys.join(' or ')} and ${value} (e.g. "${keys[0]},${value}"); it has "${names.join(',')}"`;
    return null;
  };
}

/** `sop_instance_uid,label` (or `item_key,label`); an empty label clears the item's label. */
export function parseLabelsCsv(text: string): LabelRow[] {
  const keys = ['sop_instance_uid', 'item_key'];
  const rows = csvRows(text, 'labels file', headerNeeds(keys, 'label'));
  const keyColumn = keys.find((k) => k in rows[0]!.row)!;
  const problems: string[] = [];
  const out: LabelRow[] = [];
  const shape = z.object({ [keyColumn]: itemKey, label });
  for (const { line, row } of rows) {
    const r = shape.safeParse(row);
    if (!r.success) problems.push(`line ${line}: ${issue(r.error)}`);
    else out.push({ at: `line ${line}`, itemKey: r.data[keyColumn] as string, label: r.data.label as string | null });
  }
  if (problems.length) throw fileRefused('labels file', problems);
  return out;
}

const labelEntry = z.union([
  z.object({ sopInstanceUid: itemKey, label: label.nullable() }).strict(),
  z.object({ itemKey, label: label.nullable() }).strict(),
]);
const labelList = z.array(z.unknown()).min(1, 'has no entries').max(MAX_FILE_ROWS, `has more than ${MAX_FILE_ROWS} entries`);
const labelMap = z.record(z.string(), z.union([z.string(), z.null()]));
const JSON_SHAPE = 'send [{"sopInstanceUid": "…", "label": "…"}] or {"<SOP Instance UID>": "<label>"}';

/** `[{ "sopInstanceUid": "…", "label": "…" }]` (or `itemKey`), or `{ "<uid>": "<label>" }`; null or "" clears a label. */
export function parseLabelsJson(body: unknown): LabelRow[] {
  const problems: string[] = [];
  const out: LabelRow[] = [];
  const add = (at: string, entry: unknown) => {
    const r = labelEntry.safeParse(entry);
    if (!r.success) {
      const i = r.error.issues[0]!;
      const detail = i.code === 'invalid_union' ? JSON_SHAPE : issue(r.error);
      problems.push(`${at}: ${detail}`);
    } else out.push({ at, itemKey: 'sopInstanceUid' in r.data ? r.data.sopInstanceUid : r.data.itemKey, label: r.data.label ?? null });
  };
  if (Array.isArray(body)) {
    const list = labelList.safeParse(body);
    if (!list.success) throw fileRefused('labels file', [`the list ${issue(list.error)}`]);
    list.data.forEach((e, i) => add(`entry ${i + 1}`, e));
  } else if (labelMap.safeParse(body).success) {
    const entries = Object.entries(body as Record<string, string | null>);
    if (!entries.length) throw fileRefused('labels file', ['it has no entries']);
    if (entries.length > MAX_FILE_ROWS) throw fileRefused('labels file', [`it has more than ${MAX_FILE_ROWS} entries: split it`]);
    for (const [k, l] of entries) add(`key "${k}"`, { sopInstanceUid: k, label: l });
  } else {
    throw fileRefused('labels file', [`the body is neither a list nor a map of labels: ${JSON_SHAPE}`]);
  }
  if (problems.length) throw fileRefused('labels file', problems);
  return out;
}

/** `sop_instance_uid,split` or `study_instance_uid,split`, split one of train, val, test. */
export function parseSplitsCsv(text: string): { by: SplitKey; rows: SplitRow[] } {
  const keys: SplitKey[] = ['sop_instance_uid', 'study_instance_uid'];
  const rows = csvRows(text, 'split file', headerNeeds(keys, 'split'));
  const by = keys.find((k) => k in rows[0]!.row)!;
  const shape = z.object({
    [by]: itemKey,
    split: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(DATASET_SPLITS, { error: `must be one of ${DATASET_SPLITS.join(', ')}` })),
  });
  const problems: string[] = [];
  const out: SplitRow[] = [];
  for (const { line, row } of rows) {
    const r = shape.safeParse(row);
    if (!r.success) {
      const got = r.error.issues[0]!.path[0] === 'split' ? ` (got "${row.split}")` : '';
      problems.push(`line ${line}: ${issue(r.error)}${got}`);
    } else out.push({ at: `line ${line}`, key: r.data[by] as string, split: r.data.split as DatasetSplit });
  }
  if (problems.length) throw fileRefused('split file', problems);
  return { by, rows: out };
}
