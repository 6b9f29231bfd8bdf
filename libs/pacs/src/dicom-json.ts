/**
 * Decoding of the DICOM JSON model (PS3.18 F.2) that QIDO-RS and STOW-RS answer with: an array of
 * datasets keyed by 8-hex-digit tags, each attribute `{ vr, Value?: [...] }`, person names as
 * `{ Alphabetic }` objects, numbers (IS/DS/US...) as JSON numbers or, from some servers, strings.
 * Into typed records of what Caliper uses to pick and identify studies, series and instances.
 */
import { PacsError } from './pacs-error';

/** One attribute of the JSON model. Bulk data (InlineBinary, BulkDataURI) is never read here. */
export interface DicomJsonAttribute {
  vr: string;
  Value?: unknown[];
}
export type DicomJsonDataset = Record<string, DicomJsonAttribute | undefined>;

/** Tags by keyword, for the attributes this library reads or asks for (PS3.6). */
export const TAGS = {
  SpecificCharacterSet: '00080005',
  SOPClassUID: '00080016',
  SOPInstanceUID: '00080018',
  StudyDate: '00080020',
  SeriesDate: '00080021',
  StudyTime: '00080030',
  AccessionNumber: '00080050',
  Modality: '00080060',
  ModalitiesInStudy: '00080061',
  StudyDescription: '00081030',
  SeriesDescription: '0008103E',
  FailureReason: '00081197',
  FailedSOPSequence: '00081198',
  ReferencedSOPSequence: '00081199',
  ReferencedSOPClassUID: '00081150',
  ReferencedSOPInstanceUID: '00081155',
  RetrieveURL: '00081190',
  PatientName: '00100010',
  PatientID: '00100020',
  BodyPartExamined: '00180015',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  StudyID: '00200010',
  SeriesNumber: '00200011',
  InstanceNumber: '00200013',
  NumberOfStudyRelatedSeries: '00201206',
  NumberOfStudyRelatedInstances: '00201208',
  NumberOfSeriesRelatedInstances: '00201209',
  NumberOfFrames: '00280008',
  Rows: '00280010',
  Columns: '00280011',
} as const;
export type TagKeyword = keyof typeof TAGS;

export interface StudyRecord {
  studyInstanceUid: string;
  patientId?: string;
  patientName?: string;
  /** YYYYMMDD as stored (DA). */
  studyDate?: string;
  studyTime?: string;
  accessionNumber?: string;
  studyId?: string;
  studyDescription?: string;
  modalitiesInStudy: string[];
  numberOfSeries?: number;
  numberOfInstances?: number;
  retrieveUrl?: string;
}

export interface SeriesRecord {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  patientId?: string;
  studyDate?: string;
  modality?: string;
  seriesNumber?: number;
  seriesDescription?: string;
  bodyPartExamined?: string;
  numberOfInstances?: number;
  retrieveUrl?: string;
}

export interface InstanceRecord {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  sopClassUid?: string;
  patientId?: string;
  modality?: string;
  instanceNumber?: number;
  rows?: number;
  columns?: number;
  numberOfFrames?: number;
  retrieveUrl?: string;
}

/** What STOW-RS says it stored and refused (PS3.18 10.5.3). */
export interface StoreResult {
  stored: Array<{ sopClassUid?: string; sopInstanceUid: string; retrieveUrl?: string }>;
  failed: Array<{ sopClassUid?: string; sopInstanceUid?: string; failureReason?: number }>;
}

const where = (context: string) => (context ? ` (${context})` : '');

function values(ds: DicomJsonDataset, tag: string): unknown[] {
  const attr = ds[tag];
  return attr && Array.isArray(attr.Value) ? attr.Value : [];
}

/** The first value as text (person names by their alphabetic form); undefined when absent or empty. */
export function stringValue(ds: DicomJsonDataset, tag: string): string | undefined {
  const [first] = values(ds, tag);
  if (typeof first === 'string') return first.trim() || undefined;
  if (typeof first === 'number') return String(first);
  if (first && typeof first === 'object' && 'Alphabetic' in first && typeof first.Alphabetic === 'string')
    return first.Alphabetic.trim() || undefined;
  return undefined;
}

/** Every non-empty value as text (multi-valued CS such as ModalitiesInStudy). */
export function stringValues(ds: DicomJsonDataset, tag: string): string[] {
  return values(ds, tag)
    .map((v) => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : ''))
    .filter(Boolean);
}

/** The first value as a finite number: IS/DS/US may come as JSON numbers or as numeric strings. */
export function numberValue(ds: DicomJsonDataset, tag: string, context = ''): number | undefined {
  const [first] = values(ds, tag);
  if (first === undefined || first === null || first === '') return undefined;
  const n = typeof first === 'number' ? first : typeof first === 'string' ? Number(first.trim()) : NaN;
  if (!Number.isFinite(n))
    throw new PacsError('BAD_RESPONSE', `attribute ${tag} is not a number: ${JSON.stringify(first)}${where(context)}`);
  return n;
}

function requiredString(ds: DicomJsonDataset, keyword: TagKeyword, context: string, fallback?: string): string {
  const v = stringValue(ds, TAGS[keyword]) ?? fallback;
  if (!v) throw new PacsError('BAD_RESPONSE', `the PACS answered a dataset without ${keyword} (${TAGS[keyword]})${where(context)}`);
  return v;
}

/** Drops undefined fields, so records compare and print without noise. */
function compact<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}

/** Checks the body is an array of datasets (the JSON model); names `context` (the URL) when it is not. */
export function asDatasets(body: unknown, context = ''): DicomJsonDataset[] {
  if (!Array.isArray(body)) throw new PacsError('BAD_RESPONSE', `expected a JSON array of DICOM datasets${where(context)}`);
  for (const [i, ds] of body.entries()) {
    if (!ds || typeof ds !== 'object' || Array.isArray(ds))
      throw new PacsError('BAD_RESPONSE', `dataset ${i} is not a JSON object${where(context)}`);
    for (const [tag, attr] of Object.entries(ds as Record<string, unknown>)) {
      if (!/^[0-9A-Fa-f]{8}$/.test(tag))
        throw new PacsError('BAD_RESPONSE', `dataset ${i} has a key that is not a tag: "${tag}"${where(context)}`);
      if (!attr || typeof attr !== 'object' || typeof (attr as { vr?: unknown }).vr !== 'string')
        throw new PacsError('BAD_RESPONSE', `dataset ${i} attribute ${tag} has no VR${where(context)}`);
    }
  }
  // Servers differ in the case of hex digits (Orthanc writes 0020000D, others 0020000d): one form.
  return (body as Array<Record<string, DicomJsonAttribute>>).map((ds) =>
    Object.fromEntries(Object.entries(ds).map(([tag, attr]) => [tag.toUpperCase(), attr])),
  );
}

export function decodeStudy(ds: DicomJsonDataset, context = ''): StudyRecord {
  return compact({
    studyInstanceUid: requiredString(ds, 'StudyInstanceUID', context),
    patientId: stringValue(ds, TAGS.PatientID),
    patientName: stringValue(ds, TAGS.PatientName),
    studyDate: stringValue(ds, TAGS.StudyDate),
    studyTime: stringValue(ds, TAGS.StudyTime),
    accessionNumber: stringValue(ds, TAGS.AccessionNumber),
    studyId: stringValue(ds, TAGS.StudyID),
    studyDescription: stringValue(ds, TAGS.StudyDescription),
    modalitiesInStudy: stringValues(ds, TAGS.ModalitiesInStudy),
    numberOfSeries: numberValue(ds, TAGS.NumberOfStudyRelatedSeries, context),
    numberOfInstances: numberValue(ds, TAGS.NumberOfStudyRelatedInstances, context),
    retrieveUrl: stringValue(ds, TAGS.RetrieveURL),
  });
}

/** `studyInstanceUid`: the study the query was scoped to, for servers that leave it out of series results. */
export function decodeSeries(ds: DicomJsonDataset, context = '', studyInstanceUid?: string): SeriesRecord {
  return compact({
    studyInstanceUid: requiredString(ds, 'StudyInstanceUID', context, studyInstanceUid),
    seriesInstanceUid: requiredString(ds, 'SeriesInstanceUID', context),
    patientId: stringValue(ds, TAGS.PatientID),
    studyDate: stringValue(ds, TAGS.StudyDate),
    modality: stringValue(ds, TAGS.Modality),
    seriesNumber: numberValue(ds, TAGS.SeriesNumber, context),
    seriesDescription: stringValue(ds, TAGS.SeriesDescription),
    bodyPartExamined: stringValue(ds, TAGS.BodyPartExamined),
    numberOfInstances: numberValue(ds, TAGS.NumberOfSeriesRelatedInstances, context),
    retrieveUrl: stringValue(ds, TAGS.RetrieveURL),
  });
}

export function decodeInstance(
  ds: DicomJsonDataset,
  context = '',
  scope: { studyInstanceUid?: string; seriesInstanceUid?: string } = {},
): InstanceRecord {
  return compact({
    studyInstanceUid: requiredString(ds, 'StudyInstanceUID', context, scope.studyInstanceUid),
    seriesInstanceUid: requiredString(ds, 'SeriesInstanceUID', context, scope.seriesInstanceUid),
    sopInstanceUid: requiredString(ds, 'SOPInstanceUID', context),
    sopClassUid: stringValue(ds, TAGS.SOPClassUID),
    patientId: stringValue(ds, TAGS.PatientID),
    modality: stringValue(ds, TAGS.Modality),
    instanceNumber: numberValue(ds, TAGS.InstanceNumber, context),
    rows: numberValue(ds, TAGS.Rows, context),
    columns: numberValue(ds, TAGS.Columns, context),
    numberOfFrames: numberValue(ds, TAGS.NumberOfFrames, context),
    retrieveUrl: stringValue(ds, TAGS.RetrieveURL),
  });
}

/** Items of a sequence attribute, each checked as a dataset. */
function sequenceItems(ds: DicomJsonDataset, tag: string, context: string): DicomJsonDataset[] {
  const items = values(ds, tag);
  return items.length ? asDatasets(items, context) : [];
}

/** The STOW-RS response dataset: instances stored (ReferencedSOPSequence) and refused (FailedSOPSequence). */
export function decodeStoreResponse(ds: DicomJsonDataset, context = ''): StoreResult {
  return {
    stored: sequenceItems(ds, TAGS.ReferencedSOPSequence, context).map((item) =>
      compact({
        sopClassUid: stringValue(item, TAGS.ReferencedSOPClassUID),
        sopInstanceUid: requiredString(item, 'ReferencedSOPInstanceUID', context),
        retrieveUrl: stringValue(item, TAGS.RetrieveURL),
      }),
    ),
    failed: sequenceItems(ds, TAGS.FailedSOPSequence, context).map((item) =>
      compact({
        sopClassUid: stringValue(item, TAGS.ReferencedSOPClassUID),
        sopInstanceUid: stringValue(item, TAGS.ReferencedSOPInstanceUID),
        failureReason: numberValue(item, TAGS.FailureReason, context),
      }),
    ),
  };
}
