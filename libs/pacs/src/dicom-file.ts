/**
 * What identifies a DICOM Part-10 file (its UIDs, modality, patient, dates, descriptions, image
 * size), read with dcmjs, for uploads and for checking what a PACS returned. A file that is not
 * DICOM, is cut short, cannot be read or lacks a UID is refused with a PacsError saying which.
 */
import { dcmjs, type DcmjsBufferStream, type DicomDict, type DicomElement } from './dcmjs';
import { PacsError } from './pacs-error';

export interface DicomIdentity {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
  /** From the file meta information (0002,0010). */
  transferSyntaxUid: string;
  modality?: string;
  patientId?: string;
  /** YYYYMMDD as stored. */
  studyDate?: string;
  studyDescription?: string;
  seriesDescription?: string;
  bodyPartExamined?: string;
  seriesNumber?: number;
  instanceNumber?: number;
  rows?: number;
  columns?: number;
  numberOfFrames?: number;
}

const REQUIRED_UIDS = [
  ['studyInstanceUid', 'StudyInstanceUID', '0020000D'],
  ['seriesInstanceUid', 'SeriesInstanceUID', '0020000E'],
  ['sopInstanceUid', 'SOPInstanceUID', '00080018'],
  ['sopClassUid', 'SOPClassUID', '00080016'],
] as const;

const tagName = (tag: string) => `(${tag.slice(0, 4)},${tag.slice(4)})`;
/** dcmjs's report of a value longer than what is left of the file (it then reads what is there). */
const CUT_SHORT = /declares (\d+) bytes but only (\d+) are available/;
/** How dcmjs's buffer reads fail when the data ends inside an element header or value. */
const READ_PAST_END = /past end|outside the bounds|more than currently allocated|out of range|Item tag not found/i;

function first(element: DicomElement | undefined): unknown {
  return element && Array.isArray(element.Value) ? element.Value[0] : undefined;
}

function text(dict: Record<string, DicomElement>, tag: string): string | undefined {
  const v = first(dict[tag]);
  if (typeof v === 'string') return v.replace(/\0/g, '').trim() || undefined;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function integer(dict: Record<string, DicomElement>, tag: string): number | undefined {
  const v = first(dict[tag]);
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v.trim()) : undefined;
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

/**
 * Runs `read` while recording every value dcmjs finds cut short by the end of the data: it reads
 * what is there of a binary value (and warns on its "validation.dcmjs" logger) and of a string
 * (silently, in readAsciiString/readEncodedString), where Caliper must refuse the file. The hooks
 * are removed before this returns; parsing is synchronous, so nothing else runs meanwhile.
 */
function recordingCutValues<T>(read: () => T): { result: T; cutShort: string[] } {
  const cutShort: string[] = [];
  const validation = dcmjs.log.getLogger('validation.dcmjs');
  const { warn, error } = validation;
  validation.warn = (...message: unknown[]) => {
    const line = message.map(String).join(' ');
    if (CUT_SHORT.test(line)) cutShort.push(line.replace(/ - reading the available bytes$/, ''));
    else warn.apply(validation, message);
  };
  // "Invalid vr type ox - using OW": implicit VR pixel data, whose VR the dictionary leaves open; expected, not news.
  validation.error = (...message: unknown[]) => {
    if (!/^Invalid vr type/.test(String(message[0]))) error.apply(validation, message);
  };
  const streams = Object.getPrototypeOf(dcmjs.data.ReadBufferStream.prototype) as DcmjsBufferStream;
  const strings = (['readAsciiString', 'readEncodedString'] as const).map((method) => {
    const owner = Object.prototype.hasOwnProperty.call(streams, method) ? streams : dcmjs.data.ReadBufferStream.prototype;
    const original = owner[method];
    owner[method] = function (this: DcmjsBufferStream, length: number) {
      const available = this.view.byteLength - this.offset;
      if (length > available) cutShort.push(`string value declares ${length} bytes but only ${Math.max(0, available)} are available`);
      return original.call(this, length);
    };
    return () => (owner[method] = original);
  });
  try {
    return { result: read(), cutShort };
  } finally {
    validation.warn = warn;
    validation.error = error;
    for (const restore of strings) restore();
  }
}

/**
 * dcmjs's parse of the whole file, pixel data included (a cut is most likely there); with
 * `untilPixelData`, of the attributes before it only (for a file's start).
 */
export function parseDicomFile(bytes: Uint8Array, name: string, options: { untilPixelData?: boolean } = {}): DicomDict {
  let parsed: { result: DicomDict; cutShort: string[] };
  try {
    // dcmjs reads an ArrayBuffer from its start: hand it exactly these bytes.
    const own = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    parsed = recordingCutValues(() => dcmjs.data.DicomMessage.readFile(own, options.untilPixelData ? { untilTag: '7FE00010' } : undefined));
  } catch (err) {
    const message = typeof (err as { message?: unknown })?.message === 'string' ? (err as { message: string }).message : String(err);
    if (/expected header is missing/.test(message))
      throw new PacsError('NOT_DICOM', `${name} is not a DICOM Part-10 file: no "DICM" after the 128-byte preamble`, { cause: err });
    if (READ_PAST_END.test(message))
      throw new PacsError(
        'TRUNCATED',
        `${name} is cut short: it ends inside an element (${bytes.byteLength} bytes in all; dcmjs: ${message})`,
        {
          cause: err,
        },
      );
    throw new PacsError('MALFORMED', `${name} cannot be read as DICOM: ${message}`, { cause: err });
  }
  const [cut] = parsed.cutShort;
  if (cut !== undefined) throw new PacsError('TRUNCATED', `${name} is cut short: a ${cut} (${bytes.byteLength} bytes in all)`);
  return parsed.result;
}

/**
 * The identifying attributes of a Part-10 file (preamble, "DICM", file meta information, then the
 * dataset). `name` (a file name) goes into error messages. With `untilPixelData`, `bytes` may be
 * the file's start: the parse stops at the pixel data (scanDicomIdentity reads large files so).
 */
export function readDicomIdentity(bytes: Uint8Array, name = 'the file', options: { untilPixelData?: boolean } = {}): DicomIdentity {
  if (bytes.byteLength < 132)
    throw new PacsError(
      'NOT_DICOM',
      `${name} is not a DICOM Part-10 file: ${bytes.byteLength} bytes, shorter than the 128-byte preamble and "DICM"`,
    );
  const { meta, dict } = parseDicomFile(bytes, name, options);
  const transferSyntaxUid = text(meta, '00020010');
  if (!transferSyntaxUid)
    throw new PacsError('MISSING_ATTRIBUTE', `${name} has no TransferSyntaxUID ${tagName('00020010')} in its file meta information`);
  const uids = {} as Record<(typeof REQUIRED_UIDS)[number][0], string>;
  for (const [field, keyword, tag] of REQUIRED_UIDS) {
    const value = text(dict, tag);
    if (!value) throw new PacsError('MISSING_ATTRIBUTE', `${name} has no ${keyword} ${tagName(tag)}`);
    if (value.length > 64 || !/^[0-9]+(\.[0-9]+)*$/.test(value))
      throw new PacsError(
        'MISSING_ATTRIBUTE',
        `${name} has an invalid ${keyword} ${tagName(tag)}: "${value.slice(0, 80)}" (digits and dots, at most 64 characters)`,
      );
    uids[field] = value;
  }
  const rows = integer(dict, '00280010');
  const columns = integer(dict, '00280011');
  // A file cut exactly between two elements reads cleanly; an image without its pixels is one.
  if (rows !== undefined && columns !== undefined && !dict['7FE00010'] && !dict['7FE00008'] && !dict['7FE00009'])
    throw new PacsError(
      'TRUNCATED',
      `${name} is an image (${rows}×${columns}) without Pixel Data ${tagName('7FE00010')}: the file is cut short`,
    );
  const identity: DicomIdentity = {
    ...uids,
    transferSyntaxUid,
    modality: text(dict, '00080060'),
    patientId: text(dict, '00100020'),
    studyDate: text(dict, '00080020'),
    studyDescription: text(dict, '00081030'),
    seriesDescription: text(dict, '0008103E'),
    bodyPartExamined: text(dict, '00180015'),
    seriesNumber: integer(dict, '00200011'),
    instanceNumber: integer(dict, '00200013'),
    rows,
    columns,
    numberOfFrames: integer(dict, '00280008'),
  };
  return Object.fromEntries(Object.entries(identity).filter(([, v]) => v !== undefined)) as DicomIdentity;
}
