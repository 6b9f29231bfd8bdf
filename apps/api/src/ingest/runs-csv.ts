/**
 * The runs table as CSV (RFC 4180): the columns the web table shows, named by the same ids
 * (`attributes.status`, `metrics.loss`, `params.lr`, `tags.site`). Cells are quoted when they
 * hold a comma, a quote or a line break; text that a spreadsheet would run as a formula (a cell
 * starting with =, +, -, @, tab or carriage return) gets a leading apostrophe, as OWASP's CSV
 * injection guidance says, unless it is a plain number (a negative learning rate stays -0.01).
 */
import type { RunView } from '../tracking/tracking.service';

export const ATTRIBUTE_COLUMNS = ['run_id', 'run_name', 'status', 'user', 'start_time', 'end_time', 'duration', 'experiment_id'] as const;
export type AttributeColumn = (typeof ATTRIBUTE_COLUMNS)[number];

export type CsvColumn = { kind: 'attributes'; key: AttributeColumn } | { kind: 'metrics' | 'params' | 'tags'; key: string };

/** Most columns one export may ask for. */
export const MAX_CSV_COLUMNS = 500;

/** `metrics.loss` → { kind: 'metrics', key: 'loss' }; the key is everything after the first dot. */
export function parseCsvColumn(id: string): CsvColumn | string {
  const dot = id.indexOf('.');
  const kind = dot < 0 ? '' : id.slice(0, dot);
  const key = dot < 0 ? '' : id.slice(dot + 1);
  if (!key) return `'${id}' is not a column id such as metrics.loss, params.lr, tags.site or attributes.status`;
  if (kind === 'attributes') {
    if (!(ATTRIBUTE_COLUMNS as readonly string[]).includes(key))
      return `unknown attribute column '${key}'; use one of ${ATTRIBUTE_COLUMNS.join(', ')}`;
    return { kind, key: key as AttributeColumn };
  }
  if (kind === 'metrics' || kind === 'params' || kind === 'tags') return { kind, key };
  return `'${id}' is not a column id such as metrics.loss, params.lr, tags.site or attributes.status`;
}

const PLAIN_NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** One CSV field: formula-guarded, then quoted when needed. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'number' ? (Number.isNaN(value) ? 'NaN' : String(value)) : value;
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: (string | number | null | undefined)[]): string => cells.map(csvCell).join(',') + '\r\n';

/** The header cell of a column: its id, as the table and the filter grammar name it. */
export const columnHeader = (c: CsvColumn): string => `${c.kind}.${c.key}`;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The cells of one run for the columns; `users` maps user ids to usernames. */
export function runCells(view: RunView, columns: CsvColumn[], users: ReadonlyMap<string, string>): (string | number | null)[] {
  const r = view.run;
  return columns.map((c) => {
    switch (c.kind) {
      case 'metrics':
        return view.latestMetrics.find((m) => m.key === c.key)?.value ?? null;
      case 'params':
        return view.params.find((p) => p.key === c.key)?.value ?? null;
      case 'tags':
        return view.tags.find((t) => t.key === c.key)?.value ?? null;
      case 'attributes':
        switch (c.key) {
          case 'run_id':
            return r.uuid;
          case 'run_name':
            return r.name;
          case 'status':
            return r.status;
          case 'user':
            return r.userId ? (users.get(r.userId) ?? null) : null;
          case 'start_time':
            return iso(r.startTime);
          case 'end_time':
            return iso(r.endTime);
          case 'duration':
            return r.startTime !== null && r.endTime !== null ? r.endTime - r.startTime : null;
          case 'experiment_id':
            return r.experimentId;
        }
    }
  });
}
