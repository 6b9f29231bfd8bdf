/**
 * De-identification of a DICOM Part-10 file with the DICOM PS3.15 Annex E Basic Application Level
 * Confidentiality Profile, as dcmjs's anonymizer implements it: the attributes of its list
 * (`anonymizer.getTagsNameToEmpty`, derived from the profile via RSNA's CTP) are emptied by
 * `anonymizer.cleanTags`, PatientID and PatientName become the pseudonymous patient key, private
 * attributes are removed, and every instance UID (any UID outside the standard's own
 * 1.2.840.10008 root, in sequences too, and the file meta's MediaStorageSOPInstanceUID) is
 * replaced by the caller's mapping, so one original UID always becomes the same new UID. The file
 * then says so: PatientIdentityRemoved YES, DeidentificationMethod and its code (DCM 113100).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dcmjs, type DicomElement } from './dcmjs';
import { parseDicomFile } from './dicom-file';
import { PacsError } from './pacs-error';

/** The dcmjs that de-identifies (its version goes into the method recorded). */
export const DCMJS_VERSION = (
  JSON.parse(readFileSync(path.join(path.dirname(require.resolve('dcmjs')), '..', 'package.json'), 'utf8')) as { version: string }
).version;

/** How a de-identified version was de-identified, as the version's source and the seal's attestation record it. */
export const DEIDENTIFICATION_METHOD = `DICOM PS3.15 Basic Application Level Confidentiality Profile (dcmjs ${DCMJS_VERSION})`;

/** UIDs under the standard's root name SOP classes, transfer syntaxes and coding schemes: never an instance. */
const STANDARD_UID_ROOT = '1.2.840.10008.';
const PATIENT_NAME = '00100010';
const PATIENT_ID = '00100020';

export interface DeidentifyOptions {
  /** The new UID for an original one; the same original must always map to the same new UID. */
  newUid(original: string): string;
  /** What PatientID and PatientName become (the pseudonymous patient key). */
  pseudonym: string;
}

/** What de-identifying one file changed. */
export interface DeidentificationCounts {
  /** Attributes of dcmjs's list that held a value and were emptied. */
  emptied: number;
  /** PatientID and PatientName replaced by the pseudonym. */
  replaced: number;
  /** Private attributes removed. */
  privateRemoved: number;
  /** UID values replaced. */
  uidsReplaced: number;
}

export interface DeidentifiedFile {
  bytes: Buffer;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  counts: DeidentificationCounts;
}

interface WritableDicom {
  meta: Record<string, DicomElement>;
  dict: Record<string, DicomElement>;
  write(): ArrayBuffer;
}
interface DcmjsAnonymizer {
  anonymizer: {
    cleanTags(dict: Record<string, DicomElement>, replace?: Record<string, string>, empty?: string[]): void;
    getTagsNameToEmpty(): string[];
  };
  data: { DicomMetaDictionary: { nameMap: Record<string, { tag: string; version?: string } | undefined> } };
}
const anonymizing = dcmjs as unknown as DcmjsAnonymizer;

const hasValue = (e: DicomElement | undefined) =>
  !!e && Array.isArray(e.Value) && e.Value.some((v) => v !== null && v !== undefined && v !== '');

/** Removes private attributes and replaces instance UIDs, in this dataset and every sequence item in it. */
function walk(dataset: Record<string, DicomElement>, opts: DeidentifyOptions, counts: DeidentificationCounts): void {
  for (const [tag, element] of Object.entries(dataset)) {
    if (parseInt(tag.slice(0, 4), 16) % 2 === 1) {
      delete dataset[tag];
      counts.privateRemoved += 1;
      continue;
    }
    if (element.vr === 'UI' && Array.isArray(element.Value)) {
      element.Value = element.Value.map((v) => {
        if (typeof v !== 'string') return v;
        const uid = v.replace(/\0/g, '').trim();
        if (!uid || uid.startsWith(STANDARD_UID_ROOT)) return v;
        counts.uidsReplaced += 1;
        return opts.newUid(uid);
      });
    } else if (element.vr === 'SQ' && Array.isArray(element.Value)) {
      for (const item of element.Value) if (item && typeof item === 'object') walk(item as Record<string, DicomElement>, opts, counts);
    }
  }
}

const text = (e: DicomElement | undefined) => (e && Array.isArray(e.Value) && typeof e.Value[0] === 'string' ? e.Value[0] : '');

/** The file de-identified (see the module's comment); `name` goes into error messages. */
export function deidentifyDicom(bytes: Uint8Array, opts: DeidentifyOptions, name = 'the file'): DeidentifiedFile {
  const parsed = parseDicomFile(bytes, name) as unknown as WritableDicom;
  const { dict, meta } = parsed;
  const counts: DeidentificationCounts = { emptied: 0, replaced: 0, privateRemoved: 0, uidsReplaced: 0 };

  const listed = anonymizing.anonymizer
    .getTagsNameToEmpty()
    .map((keyword) => anonymizing.data.DicomMetaDictionary.nameMap[keyword])
    .filter((info) => info && info.version !== 'PrivateTag')
    .map((info) => info!.tag.replace(/[(),]/g, '').toUpperCase());
  for (const tag of listed) if (tag !== PATIENT_ID && tag !== PATIENT_NAME && hasValue(dict[tag])) counts.emptied += 1;
  counts.replaced = [PATIENT_ID, PATIENT_NAME].filter((t) => dict[t]).length;
  anonymizing.anonymizer.cleanTags(dict, { [PATIENT_NAME]: opts.pseudonym, [PATIENT_ID]: opts.pseudonym });
  // cleanTags replaces only attributes present; a file without them gets them, so none keeps an identity by omission.
  if (!dict[PATIENT_ID]) dict[PATIENT_ID] = { vr: 'LO', Value: [opts.pseudonym] };
  if (!dict[PATIENT_NAME]) dict[PATIENT_NAME] = { vr: 'PN', Value: [{ Alphabetic: opts.pseudonym }] };

  walk(dict, opts, counts);
  const sop = text(dict['00080018']);
  if (meta['00020003']) meta['00020003'] = { vr: 'UI', Value: [sop] };

  dict['00120062'] = { vr: 'CS', Value: ['YES'] };
  // LO holds at most 64 characters a value: the method in two values.
  dict['00120063'] = { vr: 'LO', Value: ['DICOM PS3.15 Basic Application Level Confidentiality Profile', `dcmjs ${DCMJS_VERSION}`] };
  dict['00120064'] = {
    vr: 'SQ',
    Value: [
      {
        '00080100': { vr: 'SH', Value: ['113100'] },
        '00080102': { vr: 'SH', Value: ['DCM'] },
        '00080104': { vr: 'LO', Value: ['Basic Application Confidentiality Profile'] },
      },
    ],
  };

  let written: ArrayBuffer;
  try {
    written = parsed.write();
  } catch (err) {
    throw new PacsError('MALFORMED', `${name} could not be written back after de-identification: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return {
    bytes: Buffer.from(written),
    studyInstanceUid: text(dict['0020000D']),
    seriesInstanceUid: text(dict['0020000E']),
    sopInstanceUid: sop,
    counts,
  };
}
