/**
 * QIDO-RS query building (PS3.18 8.3.4, 10.6): typed filters in, a checked path and query string
 * out. Everything is validated before a request is sent, so a bad date or a description that
 * would change meaning on the wire (a comma is list matching, a backslash a second value) is
 * refused with a message naming the field, and every query carries a limit no larger than the cap.
 */
import { PacsError } from './pacs-error';
import { TAGS, type TagKeyword } from './dicom-json';

/** YYYYMMDD bounds, both inclusive; either may be left open. */
export interface DateRange {
  from?: string;
  to?: string;
}

export interface PageQuery {
  /** Results per request: 1 up to the client's cap (default 100). */
  limit?: number;
  /** Results to skip (paging). */
  offset?: number;
  /** Extra attributes to return, by keyword of TAGS or as 8 hex digits; the records' own are always asked for. */
  includeFields?: string[];
}

export interface StudyQuery extends PageQuery {
  studyInstanceUid?: string | string[];
  patientId?: string;
  accessionNumber?: string;
  /** Studies with any of these modalities (ModalitiesInStudy). */
  modalities?: string[];
  studyDate?: DateRange;
  /** `*` matches any run of characters, `?` one character; matching is the server's (usually case-insensitive). */
  studyDescription?: string;
}

export interface SeriesQuery extends PageQuery {
  /** Scopes the query to one study (`/studies/{uid}/series`). */
  studyInstanceUid?: string;
  seriesInstanceUid?: string | string[];
  patientId?: string;
  modality?: string | string[];
  studyDate?: DateRange;
  studyDescription?: string;
  seriesDescription?: string;
  bodyPartExamined?: string;
}

export interface InstanceQuery extends PageQuery {
  /** Scopes the query to one study (and with `seriesInstanceUid`, to one series). */
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  sopInstanceUid?: string | string[];
  sopClassUid?: string;
  patientId?: string;
  modality?: string;
}

export const DEFAULT_LIMIT = 100;

/** Attributes each level's records read, asked for explicitly: servers return only a standard minimum (no descriptions). */
export const RECORD_FIELDS: Record<'studies' | 'series' | 'instances', TagKeyword[]> = {
  studies: [
    'StudyDescription',
    'ModalitiesInStudy',
    'NumberOfStudyRelatedSeries',
    'NumberOfStudyRelatedInstances',
    'PatientID',
    'StudyDate',
  ],
  series: ['StudyInstanceUID', 'PatientID', 'StudyDate', 'SeriesDescription', 'BodyPartExamined', 'NumberOfSeriesRelatedInstances'],
  instances: ['StudyInstanceUID', 'SeriesInstanceUID', 'PatientID', 'Modality', 'Rows', 'Columns', 'NumberOfFrames'],
};

export interface BuiltQuery {
  /** Relative to the DICOMweb root, e.g. `studies/1.2.3/series`. */
  path: string;
  params: URLSearchParams;
  limit: number;
  offset: number;
}

const UID = /^[0-9]+(\.[0-9]+)*$/;
const invalid = (field: string, problem: string) => new PacsError('INVALID_QUERY', `${field}: ${problem}`);

function uid(field: string, value: string): string {
  if (value.length > 64 || !UID.test(value)) throw invalid(field, `"${value}" is not a DICOM UID (digits and dots, at most 64 characters)`);
  return value;
}

/** One UID, or several as QIDO's UID list matching (comma-separated). */
function uidList(field: string, value: string | string[]): string {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw invalid(field, 'an empty list matches nothing; leave the filter out instead');
  return list.map((v) => uid(field, v)).join(',');
}

/** A date as DICOM writes it (DA): YYYYMMDD, and a real calendar day. */
export function checkDicomDate(field: string, value: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  const [, y, mo, d] = m ?? [];
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (!m || date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d))
    throw invalid(field, `"${value}" is not a date in the form YYYYMMDD`);
  return value;
}

/** `from-to`, `from-` or `-to` (range matching, PS3.4 C.2.2.2.5). */
export function dateRange(field: string, range: DateRange): string {
  const from = range.from === undefined ? '' : checkDicomDate(`${field}.from`, range.from);
  const to = range.to === undefined ? '' : checkDicomDate(`${field}.to`, range.to);
  if (!from && !to) throw invalid(field, 'give a start (from), an end (to) or both');
  if (from && to && from > to) throw invalid(field, `the start ${from} is after the end ${to}`);
  return from === to ? from : `${from}-${to}`;
}

/** Text matched with wildcards (`*`, `?`): one value, so no `\` (value separator) or `,` (list matching). */
function text(field: string, value: string, maxLength = 64): string {
  if (!value.trim()) throw invalid(field, 'empty; leave the filter out to match everything');
  if (value.length > maxLength) throw invalid(field, `longer than ${maxLength} characters`);
  if (/[\\,]/.test(value))
    throw invalid(field, 'must not contain "\\" or "," (QIDO reads them as several values); use "*" or "?" in their place');
  if (/[\u0000-\u001f\u007f]/.test(value)) throw invalid(field, 'contains control characters');
  return value;
}

/** Modality codes (CS): upper-case letters, digits, space, underscore; several as a list match. */
function modalities(field: string, value: string | string[]): string {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw invalid(field, 'an empty list matches nothing; leave the filter out instead');
  for (const m of list) if (!/^[A-Z0-9_ ]{1,16}$/.test(m)) throw invalid(field, `"${m}" is not a modality code (such as CT, MR, SEG)`);
  return list.join(',');
}

function includeField(value: string): string {
  if (value in TAGS) return TAGS[value as TagKeyword];
  if (/^[0-9A-Fa-f]{8}$/.test(value) || /^[A-Za-z][A-Za-z0-9]*$/.test(value)) return value;
  throw invalid('includeFields', `"${value}" is neither an attribute keyword nor a tag of 8 hex digits`);
}

function paging(q: PageQuery, maxLimit: number): { limit: number; offset: number } {
  const limit = q.limit ?? Math.min(DEFAULT_LIMIT, maxLimit);
  const offset = q.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit)
    throw invalid('limit', `${limit} is not a whole number from 1 to ${maxLimit}`);
  if (!Number.isInteger(offset) || offset < 0) throw invalid('offset', `${offset} is not a whole number of 0 or more`);
  return { limit, offset };
}

function finish(
  path: string,
  filters: Array<[string, string | undefined]>,
  q: PageQuery,
  level: keyof typeof RECORD_FIELDS,
  maxLimit: number,
): BuiltQuery {
  const { limit, offset } = paging(q, maxLimit);
  const params = new URLSearchParams();
  for (const [key, value] of filters) if (value !== undefined) params.set(key, value);
  const fields = new Set([...RECORD_FIELDS[level].map((k) => TAGS[k]), ...(q.includeFields ?? []).map(includeField)]);
  for (const f of fields) params.append('includefield', f);
  params.set('limit', String(limit));
  if (offset) params.set('offset', String(offset));
  return { path, params, limit, offset };
}

const seg = (v: string) => encodeURIComponent(v);

/**
 * The query string of a built query, spaces as %20 (RFC 3986) rather than URLSearchParams's `+`
 * (form encoding), which a DICOMweb server may read as a literal plus. Orthanc 1.10 matches no
 * value containing a space either way; `*` in its place matches there.
 */
export function queryString(q: BuiltQuery): string {
  return q.params.toString().replace(/\+/g, '%20');
}

export function buildStudyQuery(q: StudyQuery, maxLimit: number): BuiltQuery {
  return finish(
    'studies',
    [
      ['StudyInstanceUID', q.studyInstanceUid === undefined ? undefined : uidList('studyInstanceUid', q.studyInstanceUid)],
      ['PatientID', q.patientId === undefined ? undefined : text('patientId', q.patientId)],
      ['AccessionNumber', q.accessionNumber === undefined ? undefined : text('accessionNumber', q.accessionNumber, 16)],
      ['ModalitiesInStudy', q.modalities === undefined ? undefined : modalities('modalities', q.modalities)],
      ['StudyDate', q.studyDate === undefined ? undefined : dateRange('studyDate', q.studyDate)],
      ['StudyDescription', q.studyDescription === undefined ? undefined : text('studyDescription', q.studyDescription)],
    ],
    q,
    'studies',
    maxLimit,
  );
}

export function buildSeriesQuery(q: SeriesQuery, maxLimit: number): BuiltQuery {
  const path = q.studyInstanceUid === undefined ? 'series' : `studies/${seg(uid('studyInstanceUid', q.studyInstanceUid))}/series`;
  return finish(
    path,
    [
      ['SeriesInstanceUID', q.seriesInstanceUid === undefined ? undefined : uidList('seriesInstanceUid', q.seriesInstanceUid)],
      ['PatientID', q.patientId === undefined ? undefined : text('patientId', q.patientId)],
      ['Modality', q.modality === undefined ? undefined : modalities('modality', q.modality)],
      ['StudyDate', q.studyDate === undefined ? undefined : dateRange('studyDate', q.studyDate)],
      ['StudyDescription', q.studyDescription === undefined ? undefined : text('studyDescription', q.studyDescription)],
      ['SeriesDescription', q.seriesDescription === undefined ? undefined : text('seriesDescription', q.seriesDescription)],
      ['BodyPartExamined', q.bodyPartExamined === undefined ? undefined : text('bodyPartExamined', q.bodyPartExamined, 16)],
    ],
    q,
    'series',
    maxLimit,
  );
}

export function buildInstanceQuery(q: InstanceQuery, maxLimit: number): BuiltQuery {
  if (q.seriesInstanceUid !== undefined && q.studyInstanceUid === undefined)
    throw invalid('seriesInstanceUid', 'give studyInstanceUid too: instances are searched within a study or a series of one');
  const path =
    q.studyInstanceUid === undefined
      ? 'instances'
      : q.seriesInstanceUid === undefined
        ? `studies/${seg(uid('studyInstanceUid', q.studyInstanceUid))}/instances`
        : `studies/${seg(uid('studyInstanceUid', q.studyInstanceUid))}/series/${seg(uid('seriesInstanceUid', q.seriesInstanceUid))}/instances`;
  return finish(
    path,
    [
      ['SOPInstanceUID', q.sopInstanceUid === undefined ? undefined : uidList('sopInstanceUid', q.sopInstanceUid)],
      ['SOPClassUID', q.sopClassUid === undefined ? undefined : uid('sopClassUid', q.sopClassUid)],
      ['PatientID', q.patientId === undefined ? undefined : text('patientId', q.patientId)],
      ['Modality', q.modality === undefined ? undefined : modalities('modality', q.modality)],
    ],
    q,
    'instances',
    maxLimit,
  );
}

/** The path of one study (STOW-RS into it), its UID checked. */
export function studyPath(studyInstanceUid: string): string {
  return `studies/${seg(uid('studyInstanceUid', studyInstanceUid))}`;
}

/** The WADO-RS path of one series, its UIDs checked. */
export function seriesPath(ref: { studyInstanceUid: string; seriesInstanceUid: string }): string {
  return `${studyPath(ref.studyInstanceUid)}/series/${seg(uid('seriesInstanceUid', ref.seriesInstanceUid))}`;
}

/** The WADO-RS path of one instance, its UIDs checked. */
export function instancePath(ref: { studyInstanceUid: string; seriesInstanceUid: string; sopInstanceUid: string }): string {
  return `${seriesPath(ref)}/instances/${seg(uid('sopInstanceUid', ref.sopInstanceUid))}`;
}
