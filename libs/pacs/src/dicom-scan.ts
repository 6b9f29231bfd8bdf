/**
 * readDicomIdentity's answer without decoding the file: a walk over the element headers (each
 * value skipped by its length, sequences item by item, encapsulated pixel data fragment by
 * fragment) that decodes only the values an identity holds. dcmjs builds an object for every
 * element it reads (about 1 ms for a CT slice of 260 elements); the walk takes a few
 * microseconds, which matters where every instance of a PACS import is identified. Whatever the
 * walk does not read itself (big-endian or deflated transfer syntaxes, character sets other than
 * the ASCII-compatible defaults, values outside printable ASCII, a structure it finds broken or
 * cut short) is read by readDicomIdentity instead, so the answer and the refusals stay dcmjs's.
 */
import { readDicomIdentity, type DicomIdentity } from './dicom-file';
import { PacsError } from './pacs-error';
import { dcmjs } from './dcmjs';

/** The walk met something it leaves to dcmjs. */
class ReadWithDcmjs extends Error {}

const UNDEFINED_LENGTH = 0xffffffff;
const PIXEL_DATA = 0x7fe00010;
const PIXEL_DATA_TAGS = new Set([0x7fe00008, 0x7fe00009, PIXEL_DATA]);
const SPECIFIC_CHARACTER_SET = 0x00080005;
const ITEM = 0xfffee000;
const ITEM_DELIMITATION = 0xfffee00d;
const SEQUENCE_DELIMITATION = 0xfffee0dd;
const IMPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2';
/** Read by dcmjs: big endian, deflated. */
const OTHER_SYNTAXES = new Set(['1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99']);
/** VRs with a 32-bit length in explicit VR (PS3.5 7.1.2). */
const LONG_VRS = ['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV'];
const SHORT_VRS = [
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FD',
  'FL',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'SL',
  'SS',
  'ST',
  'TM',
  'UI',
  'UL',
  'US',
];
/** A VR's two characters as one number, as read from the file (no string made per element). */
const vrCode = (vr: string) => (vr.charCodeAt(0) << 8) | vr.charCodeAt(1);
/** VR code → VR, and whether its length is 32-bit. */
const VRS = new Map<number, { vr: string; long: boolean }>([
  ...LONG_VRS.map((vr) => [vrCode(vr), { vr, long: true }] as const),
  ...SHORT_VRS.map((vr) => [vrCode(vr), { vr, long: false }] as const),
]);
/** Character sets (0008,0005) under which printable ASCII reads as itself in dcmjs (its decoder for each). */
const ASCII_CHARACTER_SETS = new Set(['', 'iso-ir-6', 'iso-ir-100', 'iso-ir-192']);
const MAX_DEPTH = 32;

type Kind = 'uid' | 'text' | 'integer' | 'us';
/** The identity's attributes: field, VR, how dcmjs formats it (readDicomIdentity then takes the first value). */
const WANTED = new Map<number, { field: keyof DicomIdentity; vr: string; kind: Kind }>([
  [0x00080016, { field: 'sopClassUid', vr: 'UI', kind: 'uid' }],
  [0x00080018, { field: 'sopInstanceUid', vr: 'UI', kind: 'uid' }],
  [0x00080020, { field: 'studyDate', vr: 'DA', kind: 'text' }],
  [0x00080060, { field: 'modality', vr: 'CS', kind: 'text' }],
  [0x00081030, { field: 'studyDescription', vr: 'LO', kind: 'text' }],
  [0x0008103e, { field: 'seriesDescription', vr: 'LO', kind: 'text' }],
  [0x00100020, { field: 'patientId', vr: 'LO', kind: 'text' }],
  [0x00180015, { field: 'bodyPartExamined', vr: 'CS', kind: 'text' }],
  [0x0020000d, { field: 'studyInstanceUid', vr: 'UI', kind: 'uid' }],
  [0x0020000e, { field: 'seriesInstanceUid', vr: 'UI', kind: 'uid' }],
  [0x00200011, { field: 'seriesNumber', vr: 'IS', kind: 'integer' }],
  [0x00200013, { field: 'instanceNumber', vr: 'IS', kind: 'integer' }],
  [0x00280008, { field: 'numberOfFrames', vr: 'IS', kind: 'integer' }],
  [0x00280010, { field: 'rows', vr: 'US', kind: 'us' }],
  [0x00280011, { field: 'columns', vr: 'US', kind: 'us' }],
]);
const REQUIRED: (keyof DicomIdentity)[] = ['studyInstanceUid', 'seriesInstanceUid', 'sopInstanceUid', 'sopClassUid'];

const dictionaryVrs = new Map<number, string | null>();
/** The VR dcmjs's dictionary gives a tag (what it reads an implicit VR element as), null for a tag it does not know. */
function dictionaryVr(tag: number): string | null {
  let vr = dictionaryVrs.get(tag);
  if (vr === undefined) {
    const hex = tag.toString(16).toUpperCase().padStart(8, '0');
    vr = dcmjs.data.DicomMetaDictionary.dictionary[`(${hex.slice(0, 4)},${hex.slice(4)})`]?.vr ?? null;
    if (dictionaryVrs.size < 10_000) dictionaryVrs.set(tag, vr);
  }
  return vr;
}

/** A value as dcmjs's readAsciiString reads it, when it is printable ASCII (NUL padding allowed). */
function ascii(buf: Buffer, from: number, to: number): string {
  for (let i = from; i < to; i++) {
    const c = buf[i]!;
    if ((c < 0x20 || c > 0x7e) && c !== 0) throw new ReadWithDcmjs();
  }
  return buf.toString('latin1', from, to);
}

/** The first value as readDicomIdentity takes it from dcmjs's formatting of the VR. */
function decode(kind: Kind, buf: Buffer, from: number, length: number): string | number | undefined {
  if (kind === 'us') {
    if (length !== 2) throw new ReadWithDcmjs();
    return buf.readUInt16LE(from);
  }
  const value = ascii(buf, from, from + length).split('\\')[0]!;
  if (kind === 'uid') {
    // dcmjs keeps digits and dots only; padding is all the walk accepts besides them.
    const uid = value.replace(/[\0 ]+$/, '');
    if (!/^[0-9.]*$/.test(uid)) throw new ReadWithDcmjs();
    return uid || undefined;
  }
  if (kind === 'integer') {
    const trimmed = value.trim();
    if (!/^[+-]?\d+$/.test(trimmed)) return undefined;
    const n = Number(trimmed);
    return Number.isFinite(n) ? n : undefined;
  }
  return value.replace(/\0/g, '').trim() || undefined;
}

interface Walk {
  buf: Buffer;
  implicit: boolean;
  /** The file's length; more than buf's when buf holds only its start. */
  fileSize: number;
  found: Map<keyof DicomIdentity, string | number | undefined>;
  pixelData: boolean;
  /** Set when buf, the start of a file given in part, ends in or after its pixel data: the walk stops there. */
  stoppedEarly: boolean;
}

/**
 * The elements of one dataset from `at` up to `end` (or, for an item of undefined length, up to
 * its delimitation, whose end is returned).
 */
function walkDataset(w: Walk, at: number, end: number, depth: number, untilDelimiter: boolean): number {
  const { buf } = w;
  if (depth > MAX_DEPTH) throw new ReadWithDcmjs();
  // Past the pixel data of a file given in part, an element running past the bytes given ends the walk; past the file's size, the file is cut.
  const stopsHere = (to: number) => {
    if (!(depth === 0 && w.pixelData && w.fileSize > buf.length)) return false;
    if (to > w.fileSize)
      throw new PacsError('TRUNCATED', `is cut short: an element after its pixel data runs past its ${w.fileSize} bytes`);
    return true;
  };
  while (at < end) {
    if (at + 8 > end) {
      if (stopsHere(at + 8)) return stop(w);
      throw new ReadWithDcmjs();
    }
    const tag = ((buf.readUInt16LE(at) << 16) | buf.readUInt16LE(at + 2)) >>> 0;
    if (tag === ITEM_DELIMITATION && untilDelimiter) return at + 8;
    if (tag >>> 16 === 0xfffe) throw new ReadWithDcmjs();
    let vr: string | null = null;
    let length: number;
    let valueAt: number;
    if (w.implicit) {
      length = buf.readUInt32LE(at + 4);
      valueAt = at + 8;
    } else {
      const known = VRS.get((buf[at + 4]! << 8) | buf[at + 5]!);
      if (!known) throw new ReadWithDcmjs();
      vr = known.vr;
      if (known.long) {
        if (at + 12 > end) {
          if (stopsHere(at + 12)) return stop(w);
          throw new ReadWithDcmjs();
        }
        length = buf.readUInt32LE(at + 8);
        valueAt = at + 12;
      } else {
        length = buf.readUInt16LE(at + 6);
        valueAt = at + 8;
      }
    }
    if (depth === 0 && PIXEL_DATA_TAGS.has(tag)) w.pixelData = true;
    if (depth === 0 && tag === PIXEL_DATA) {
      const after = walkPixelData(w, vr, valueAt, length);
      if (after === null) return w.buf.length;
      at = after;
      continue;
    }
    // dcmjs reads an implicit VR element of undefined length as a sequence when its dictionary says SQ or knows nothing of it.
    if (length === UNDEFINED_LENGTH) {
      if (!(vr === 'SQ' || (w.implicit && (dictionaryVr(tag) ?? 'SQ') === 'SQ'))) throw new ReadWithDcmjs();
      at = walkSequence(w, valueAt, end, depth, true);
      continue;
    }
    const valueEnd = valueAt + length;
    if (valueEnd > end) {
      if (stopsHere(valueEnd)) return stop(w);
      throw new ReadWithDcmjs();
    }
    if (vr === 'SQ' || (w.implicit && dictionaryVr(tag) === 'SQ')) walkSequence(w, valueAt, valueEnd, depth, false);
    else if (tag === SPECIFIC_CHARACTER_SET) {
      const name = ascii(buf, valueAt, valueEnd).replace(/\0/g, '').trim();
      if (name.includes('\\') || !ASCII_CHARACTER_SETS.has(name.replace(/[_ ]/g, '-').toLowerCase())) throw new ReadWithDcmjs();
    } else if (depth === 0) {
      const wanted = WANTED.get(tag);
      if (wanted) {
        if (vr !== null && vr !== wanted.vr) throw new ReadWithDcmjs();
        w.found.set(wanted.field, decode(wanted.kind, buf, valueAt, length));
      }
    }
    at = valueEnd;
  }
  if (untilDelimiter || at !== end) throw new ReadWithDcmjs();
  return at;
}

/** Ends the walk of a file given in part at the end of the bytes given. */
function stop(w: Walk): number {
  w.stoppedEarly = true;
  return w.buf.length;
}

/** A sequence's items, up to `end` (defined length) or its delimitation (undefined); returns where it ends. */
function walkSequence(w: Walk, at: number, end: number, depth: number, undefinedLength: boolean): number {
  const { buf } = w;
  const limit = undefinedLength ? buf.length : end;
  for (;;) {
    if (!undefinedLength && at === end) return at;
    if (at + 8 > limit) throw new ReadWithDcmjs();
    const tag = ((buf.readUInt16LE(at) << 16) | buf.readUInt16LE(at + 2)) >>> 0;
    const length = buf.readUInt32LE(at + 4);
    if (tag === SEQUENCE_DELIMITATION && undefinedLength) return at + 8;
    if (tag !== ITEM) throw new ReadWithDcmjs();
    if (length === UNDEFINED_LENGTH) at = walkDataset(w, at + 8, limit, depth + 1, true);
    else {
      if (at + 8 + length > limit) throw new ReadWithDcmjs();
      at = walkDataset(w, at + 8, at + 8 + length, depth + 1, false);
    }
  }
}

/**
 * Pixel data: native (a length) or encapsulated (fragments up to the sequence delimitation).
 * Returns where it ends; null when `buf` holds only the file's start and ends inside it (the
 * walk stops there: the rest was checked as it streamed, by its length).
 */
function walkPixelData(w: Walk, vr: string | null, at: number, length: number): number | null {
  const { buf } = w;
  const partial = w.fileSize > buf.length;
  if (vr !== null && vr !== 'OB' && vr !== 'OW') throw new ReadWithDcmjs();
  if (length !== UNDEFINED_LENGTH) {
    if (at + length <= buf.length) return at + length;
    if (!partial) throw new ReadWithDcmjs();
    if (at + length > w.fileSize)
      throw new PacsError('TRUNCATED', `is cut short: its pixel data declares ${length} bytes but only ${w.fileSize - at} follow`);
    w.stoppedEarly = true;
    return null;
  }
  if (vr === null) throw new ReadWithDcmjs();
  for (;;) {
    if (at + 8 > buf.length) {
      if (!partial) throw new ReadWithDcmjs();
      w.stoppedEarly = true;
      return null;
    }
    const tag = ((buf.readUInt16LE(at) << 16) | buf.readUInt16LE(at + 2)) >>> 0;
    const fragment = buf.readUInt32LE(at + 4);
    if (tag === SEQUENCE_DELIMITATION) return at + 8;
    if (tag !== ITEM || fragment === UNDEFINED_LENGTH) throw new ReadWithDcmjs();
    at += 8 + fragment;
  }
}

/**
 * The identity of a Part-10 file, as readDicomIdentity reads it (the same fields, values and
 * refusals), found by walking its element headers. `bytes` is the whole file; or, with
 * `fileSize` larger than it, the file's start (for a file too large to hold in memory): the walk
 * then stops in the pixel data, having checked that the file is long enough for it, and the
 * attributes before the pixel data must all lie within `bytes`.
 */
export function scanDicomIdentity(bytes: Uint8Array, name = 'the file', options: { fileSize?: number } = {}): DicomIdentity {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fileSize = Math.max(options.fileSize ?? buf.length, buf.length);
  const partial = fileSize > buf.length;
  const byDcmjs = () => {
    try {
      return readDicomIdentity(bytes, name, { untilPixelData: partial });
    } catch (err) {
      // dcmjs read only the start: "cut short" there says the attributes run past it.
      if (partial && err instanceof PacsError && err.code === 'TRUNCATED')
        throw new PacsError(
          'MALFORMED',
          `${name}: its attributes before the pixel data take more than the first ${buf.length} bytes read (${fileSize} bytes in all)`,
          { cause: err },
        );
      throw err;
    }
  };
  try {
    if (buf.length < 144 || buf.toString('latin1', 128, 132) !== 'DICM') throw new ReadWithDcmjs();
    // File meta information: explicit VR little endian, led by its group length.
    if (buf.readUInt32LE(132) !== 0x00000002 || buf.toString('latin1', 136, 138) !== 'UL' || buf.readUInt16LE(138) !== 4)
      throw new ReadWithDcmjs();
    const metaEnd = 144 + buf.readUInt32LE(140);
    if (metaEnd > buf.length) throw new ReadWithDcmjs();
    let transferSyntaxUid: string | undefined;
    for (let at = 144; at < metaEnd;) {
      if (at + 8 > metaEnd) throw new ReadWithDcmjs();
      const tag = ((buf.readUInt16LE(at) << 16) | buf.readUInt16LE(at + 2)) >>> 0;
      const known = VRS.get((buf[at + 4]! << 8) | buf[at + 5]!);
      if (!known || known.vr === 'SQ') throw new ReadWithDcmjs();
      let length: number;
      let valueAt: number;
      if (known.long) {
        if (at + 12 > metaEnd) throw new ReadWithDcmjs();
        length = buf.readUInt32LE(at + 8);
        valueAt = at + 12;
      } else {
        length = buf.readUInt16LE(at + 6);
        valueAt = at + 8;
      }
      if (valueAt + length > metaEnd) throw new ReadWithDcmjs();
      if (tag === 0x00020010) {
        if (known.vr !== 'UI') throw new ReadWithDcmjs();
        transferSyntaxUid = decode('uid', buf, valueAt, length) as string | undefined;
      }
      at = valueAt + length;
    }
    if (!transferSyntaxUid || OTHER_SYNTAXES.has(transferSyntaxUid)) throw new ReadWithDcmjs();
    const w: Walk = {
      buf,
      implicit: transferSyntaxUid === IMPLICIT_LITTLE_ENDIAN,
      fileSize,
      found: new Map(),
      pixelData: false,
      stoppedEarly: false,
    };
    try {
      walkDataset(w, metaEnd, buf.length, 0, false);
    } catch (err) {
      if (err instanceof PacsError) throw new PacsError(err.code, `${name} ${err.message}`);
      throw err;
    }
    if (partial && !w.stoppedEarly) throw new ReadWithDcmjs();
    const fields: Record<string, string | number> = { transferSyntaxUid };
    for (const [field, value] of w.found) if (value !== undefined) fields[field] = value;
    const identity = fields as unknown as DicomIdentity;
    // Whatever readDicomIdentity refuses, it refuses in its own words.
    for (const field of REQUIRED) {
      const uid = fields[field];
      if (typeof uid !== 'string' || uid.length > 64 || !/^[0-9]+(\.[0-9]+)*$/.test(uid)) throw new ReadWithDcmjs();
    }
    if (identity.rows !== undefined && identity.columns !== undefined && !w.pixelData) throw new ReadWithDcmjs();
    return identity;
  } catch (err) {
    if (err instanceof ReadWithDcmjs) return byDcmjs();
    throw err;
  }
}
