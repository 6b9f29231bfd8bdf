/**
 * Generated DICOM for tests: a real sample file with new patient, study, series and SOP Instance
 * identifiers (and optionally a pixel change), written back by dcmjs. Multi-patient cohorts are
 * built from pydicom's single-patient samples this way.
 */
import { randomBytes } from 'node:crypto';
import { dcmjs, type DicomElement } from '../dcmjs';

interface WritableDict {
  meta: Record<string, DicomElement>;
  dict: Record<string, DicomElement>;
  write(): ArrayBuffer;
}

/** A UID under the 2.25 root (UUID-derived), unique per call. */
export function newUid(): string {
  return `2.25.${BigInt('0x' + randomBytes(16).toString('hex')).toString()}`;
}

export interface Variant {
  patientId: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  /** Sets (0008,103E) SeriesDescription. */
  seriesDescription?: string;
}

/** The sample's bytes with the given identifiers (new UIDs where not given). */
export function dicomVariant(sample: Buffer, v: Variant): Buffer {
  const ab = sample.buffer.slice(sample.byteOffset, sample.byteOffset + sample.byteLength) as ArrayBuffer;
  const d = dcmjs.data.DicomMessage.readFile(ab) as unknown as WritableDict;
  const sop = v.sopInstanceUid ?? newUid();
  const set = (tag: string, vr: string, value: string) => (d.dict[tag] = { vr, Value: [value] });
  set('00100020', 'LO', v.patientId);
  set('00100010', 'PN', `Test^${v.patientId}`);
  set('0020000D', 'UI', v.studyInstanceUid ?? newUid());
  set('0020000E', 'UI', v.seriesInstanceUid ?? newUid());
  set('00080018', 'UI', sop);
  if (v.seriesDescription) set('0008103E', 'LO', v.seriesDescription);
  d.meta['00020003'] = { vr: 'UI', Value: [sop] };
  return Buffer.from(d.write());
}
