/**
 * Pixels in and out of the evaluation gate: a DICOM slice's modality values (uncompressed transfer
 * syntaxes only), a PNG mask's label map, the version's preprocessing (window to [0, 1], then
 * normalisation, then a bilinear resize to the model's size) and a nearest-neighbour resample of
 * label maps. Every refusal is an EvaluationInputError whose message names the file and the reason.
 */
import { inflateSync } from 'node:zlib';
import type { PreprocessingSpec } from '@caliper/domain';
import { parseDicomFile, PacsError } from '@caliper/pacs';

export class EvaluationInputError extends Error {}

/** One slice: row-major values, width (columns) × height (rows). */
export interface Slice<T extends ArrayLike<number> = Float32Array> {
  width: number;
  height: number;
  values: T;
}

/** A greyscale image's samples as stored. */
export type StoredSamples = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/**
 * A slice as its file stores it: the samples and the rescale that makes them modality values
 * (value = sample × slope + intercept, held as a float32 as decodeDicomSlice holds it).
 */
export interface StoredSlice {
  width: number;
  height: number;
  samples: StoredSamples;
  slope: number;
  intercept: number;
}

function samplesOf(buffer: ArrayBufferLike, offset: number, n: number, bits: 8 | 16 | 32, signed: boolean): StoredSamples {
  if (bits === 8) return signed ? new Int8Array(buffer, offset, n) : new Uint8Array(buffer, offset, n);
  if (bits === 16) return signed ? new Int16Array(buffer, offset, n) : new Uint16Array(buffer, offset, n);
  return signed ? new Int32Array(buffer, offset, n) : new Uint32Array(buffer, offset, n);
}

/** The slice's modality values (sample × slope + intercept) as float32s. */
export function modalityValues(slice: StoredSlice): Slice {
  const { samples, slope, intercept } = slice;
  const values = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) values[i] = samples[i]! * slope + intercept;
  return { width: slice.width, height: slice.height, values };
}

/** Transfer syntaxes whose pixel data is stored as plain little-endian samples. */
const UNCOMPRESSED: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
};
const KNOWN_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian (retired)',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

function first(dict: Record<string, { Value?: unknown[] }>, tag: string): unknown {
  const v = dict[tag]?.Value;
  return Array.isArray(v) ? v[0] : undefined;
}
function numberAt(dict: Record<string, { Value?: unknown[] }>, tag: string): number | undefined {
  const v = first(dict, tag);
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v.trim()) : undefined;
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

function refuseSyntax(meta: Record<string, { Value?: unknown[] }>, name: string): void {
  const syntax = String(first(meta, '00020010') ?? '')
    .replace(/\0/g, '')
    .trim();
  if (!UNCOMPRESSED[syntax])
    throw new EvaluationInputError(
      `${name} is stored as ${KNOWN_SYNTAXES[syntax] ?? 'an unknown transfer syntax'} (${syntax || 'none given'}); the evaluation reads uncompressed little-endian pixel data only (Implicit or Explicit VR Little Endian).`,
    );
}

/** VRs whose explicit-VR element header has a 4-byte length (after two reserved bytes). */
const LONG_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/** What the fast path reads of an image: the attributes decodeDicomSlice uses and where the pixel data lies. */
interface PixelHeader {
  rows?: number;
  columns?: number;
  bits?: number;
  signed: boolean;
  samples?: number;
  slope?: number;
  intercept?: number;
  pixels?: { offset: number; length: number };
}

/** A copy in an ArrayBuffer of its own (a Buffer's slice is a view on the same memory). */
function copyOf(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.byteLength);
  out.set(bytes);
  return out;
}

/** The first value of a DS/IS string, as dcmjs reads it (a number, or none when empty). */
function decimal(bytes: Uint8Array, at: number, length: number): number | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + at, length)
    .toString('latin1')
    .split('\\')[0]!
    .replace(/\0/g, '')
    .trim();
  if (!text) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The image attributes and the pixel data's place in an uncompressed little-endian Part-10 file,
 * read by walking the top-level elements (no dcmjs parse, no copy of the file). Null for anything
 * it does not read plainly (another transfer syntax, an element of undefined length before the
 * pixel data, a length past the end): decodeDicomSlice then parses with dcmjs, which gives the
 * reason when the file is refused.
 */
export function readUncompressedPixelHeader(bytes: Uint8Array): PixelHeader | null {
  if (bytes.length < 132 || bytes[128] !== 0x44 || bytes[129] !== 0x49 || bytes[130] !== 0x43 || bytes[131] !== 0x4d) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 132;
  let syntax = '';
  // File meta information: explicit VR little endian, group 0002.
  while (pos + 8 <= bytes.length && view.getUint16(pos, true) === 0x0002) {
    const element = view.getUint16(pos + 2, true);
    const vr = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!);
    const long = LONG_VRS.has(vr);
    if (long && pos + 12 > bytes.length) return null;
    const length = long ? view.getUint32(pos + 8, true) : view.getUint16(pos + 6, true);
    const at = pos + (long ? 12 : 8);
    if (length === 0xffffffff || at + length > bytes.length) return null;
    if (element === 0x0010)
      syntax = Buffer.from(bytes.buffer, bytes.byteOffset + at, length)
        .toString('latin1')
        .replace(/\0/g, '')
        .trim();
    pos = at + length;
  }
  if (!UNCOMPRESSED[syntax]) return null;
  const explicit = syntax === '1.2.840.10008.1.2.1';
  const header: PixelHeader = { signed: false };
  while (pos + 8 <= bytes.length) {
    const group = view.getUint16(pos, true);
    const element = view.getUint16(pos + 2, true);
    let length: number;
    let at: number;
    if (explicit) {
      const long = LONG_VRS.has(String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!));
      if (long && pos + 12 > bytes.length) return null;
      length = long ? view.getUint32(pos + 8, true) : view.getUint16(pos + 6, true);
      at = pos + (long ? 12 : 8);
    } else {
      length = view.getUint32(pos + 4, true);
      at = pos + 8;
    }
    if (length === 0xffffffff || at + length > bytes.length) return null;
    if (group === 0x7fe0 && element === 0x0010) {
      header.pixels = { offset: at, length };
      return header;
    }
    if (group === 0x0028) {
      const us = length === 2 ? view.getUint16(at, true) : undefined;
      if (element === 0x0002) header.samples = us;
      else if (element === 0x0010) header.rows = us;
      else if (element === 0x0011) header.columns = us;
      else if (element === 0x0100) header.bits = us;
      else if (element === 0x0103) header.signed = us === 1;
      else if (element === 0x1052) header.intercept = decimal(bytes, at, length);
      else if (element === 0x1053) header.slope = decimal(bytes, at, length);
    }
    pos = at + length;
  }
  return header;
}

/**
 * The first frame of a single-sample DICOM image as modality values (stored value × slope +
 * intercept). Uncompressed little-endian files are read in place (readUncompressedPixelHeader);
 * any other, and any refusal's reason, through dcmjs.
 */
export function decodeDicomSlice(bytes: Uint8Array, name: string): Slice {
  return modalityValues(readDicomSlice(bytes, name));
}

/**
 * decodeDicomSlice's slice as stored (samples and rescale), for preprocessSlice to map in one pass:
 * the samples are a view of `bytes` when the pixel data is aligned for it, a copy otherwise.
 */
export function readDicomSlice(bytes: Uint8Array, name: string): StoredSlice {
  const header = readUncompressedPixelHeader(bytes);
  const { rows, columns, bits, pixels } = header ?? {};
  if (
    header &&
    rows &&
    columns &&
    (header.samples ?? 1) === 1 &&
    (bits === 8 || bits === 16 || bits === 32) &&
    pixels &&
    pixels.length >= rows * columns * (bits / 8)
  ) {
    const n = rows * columns;
    const start = bytes.byteOffset + pixels.offset;
    // A typed view in place when the pixel data is aligned for it, a copy otherwise.
    const source = start % (bits / 8) === 0 ? bytes.buffer : copyOf(bytes.subarray(pixels.offset, pixels.offset + n * (bits / 8))).buffer;
    const offset = source === bytes.buffer ? start : 0;
    const samples = samplesOf(source, offset, n, bits, header.signed ?? false);
    return { width: columns, height: rows, samples, slope: header.slope ?? 1, intercept: header.intercept ?? 0 };
  }
  return readDicomSliceWithDcmjs(bytes, name);
}

/** decodeDicomSlice through a full dcmjs parse: every file it reads, and the reason for each it refuses. */
export function decodeDicomSliceWithDcmjs(bytes: Uint8Array, name: string): Slice {
  return modalityValues(readDicomSliceWithDcmjs(bytes, name));
}

function readDicomSliceWithDcmjs(bytes: Uint8Array, name: string): StoredSlice {
  let parsed;
  try {
    parsed = parseDicomFile(bytes, name);
  } catch (err) {
    if (!(err instanceof PacsError)) throw err;
    // Pixel data that does not read as its syntax says: the syntax, when it is one refused anyway, is the clearer reason.
    let head;
    try {
      head = parseDicomFile(bytes, name, { untilPixelData: true });
    } catch {
      throw new EvaluationInputError(err.message);
    }
    refuseSyntax(head.meta, name);
    throw new EvaluationInputError(err.message);
  }
  refuseSyntax(parsed.meta, name);
  const d = parsed.dict;
  const rows = numberAt(d, '00280010');
  const columns = numberAt(d, '00280011');
  const bits = numberAt(d, '00280100');
  const signed = numberAt(d, '00280103') === 1;
  const perPixel = numberAt(d, '00280002') ?? 1;
  if (!rows || !columns) throw new EvaluationInputError(`${name} has no Rows/Columns: it is not an image.`);
  if (perPixel !== 1) throw new EvaluationInputError(`${name} has ${perPixel} samples per pixel; the evaluation reads greyscale images.`);
  if (bits !== 8 && bits !== 16 && bits !== 32)
    throw new EvaluationInputError(`${name} has ${bits ?? 'no'} bits allocated per pixel; the evaluation reads 8, 16 or 32.`);
  const raw = first(d, '7FE00010');
  const buffer =
    raw instanceof ArrayBuffer
      ? new Uint8Array(raw)
      : ArrayBuffer.isView(raw)
        ? new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)
        : null;
  if (!buffer) throw new EvaluationInputError(`${name} has no pixel data.`);
  const n = rows * columns;
  const bytesPer = bits / 8;
  if (buffer.byteLength < n * bytesPer)
    throw new EvaluationInputError(
      `${name}'s pixel data holds ${buffer.byteLength} bytes, fewer than ${rows}×${columns} pixels of ${bits} bits.`,
    );
  // A copy aligned for the typed view (dcmjs's buffer may start at any offset).
  const aligned = buffer.slice(0, n * bytesPer).buffer;
  const samples = samplesOf(aligned, 0, n, bits, signed);
  return { width: columns, height: rows, samples, slope: numberAt(d, '00281053') ?? 1, intercept: numberAt(d, '00281052') ?? 0 };
}

/**
 * The version's preprocessing of a slice into `out` (width × height floats, row-major): window
 * center/width mapped linearly to [0, 1] and clamped, then the normalisation, then a bilinear
 * resize (pixel centres aligned) when the model's size differs from the image's. A stored slice
 * (readDicomSlice) of the model's size is mapped from its samples in one pass, to the same floats.
 */
export function preprocessSlice(
  slice: Slice | StoredSlice,
  spec: PreprocessingSpec,
  width: number,
  height: number,
  out: Float32Array,
): void {
  let scale = 1;
  let offset = 0;
  let clamp = false;
  if (spec.window) {
    const low = spec.window.center - spec.window.width / 2;
    scale = 1 / spec.window.width;
    offset = -low / spec.window.width;
    clamp = true;
  }
  const norm = spec.normalisation ?? { kind: 'none' as const };
  let nScale = 1;
  let nOffset = 0;
  if (norm.kind === 'zscore') {
    nScale = 1 / norm.std;
    nOffset = -norm.mean / norm.std;
  } else if (norm.kind === 'minmax') {
    nScale = 1 / (norm.max - norm.min);
    nOffset = -norm.min / (norm.max - norm.min);
  }
  if ('samples' in slice) {
    if (slice.width !== width || slice.height !== height) return preprocessSlice(modalityValues(slice), spec, width, height, out);
    // The modality value rounded to a float32 as modalityValues stores it, then mapped as below.
    const { samples, slope, intercept } = slice;
    for (let i = 0; i < samples.length; i++) {
      let x = Math.fround(samples[i]! * slope + intercept) * scale + offset;
      if (clamp) x = x < 0 ? 0 : x > 1 ? 1 : x;
      out[i] = x * nScale + nOffset;
    }
    return;
  }
  const { values } = slice;
  const map = (v: number) => {
    let x = v * scale + offset;
    if (clamp) x = x < 0 ? 0 : x > 1 ? 1 : x;
    return x * nScale + nOffset;
  };
  if (slice.width === width && slice.height === height) {
    for (let i = 0; i < values.length; i++) out[i] = map(values[i]!);
    return;
  }
  const sx = slice.width / width;
  const sy = slice.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), slice.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, slice.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), slice.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, slice.width - 1);
      const wx = fx - x0;
      const top = values[y0 * slice.width + x0]! * (1 - wx) + values[y0 * slice.width + x1]! * wx;
      const bottom = values[y1 * slice.width + x0]! * (1 - wx) + values[y1 * slice.width + x1]! * wx;
      out[y * width + x] = map(top * (1 - wy) + bottom * wy);
    }
  }
}

/** A label map resampled to width × height by nearest neighbour (labels are never blended). */
export function resampleNearest(slice: Slice<Uint8Array>, width: number, height: number): Uint8Array {
  if (slice.width === width && slice.height === height) return slice.values;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.floor(((y + 0.5) * slice.height) / height), slice.height - 1);
    for (let x = 0; x < width; x++) {
      const sx = Math.min(Math.floor(((x + 0.5) * slice.width) / width), slice.width - 1);
      out[y * width + x] = slice.values[sy * slice.width + sx]!;
    }
  }
  return out;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * A PNG mask's first channel (grey, red, or the palette index) as one value per pixel.
 * Non-interlaced PNGs of any colour type and bit depth; 16-bit samples keep their high byte.
 */
export function decodePngMask(bytes: Buffer, name: string): Slice<Uint8Array> {
  if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) throw new EvaluationInputError(`${name} is not a PNG (no PNG signature).`);
  let pos = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let colour = 0;
  let interlace = 0;
  const data: Buffer[] = [];
  let ended = false;
  while (pos + 8 <= bytes.length) {
    const length = bytes.readUInt32BE(pos);
    const type = bytes.toString('latin1', pos + 4, pos + 8);
    const body = bytes.subarray(pos + 8, pos + 8 + length);
    if (body.length < length) throw new EvaluationInputError(`${name} is cut short inside its ${type} chunk.`);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      depth = body[8]!;
      colour = body[9]!;
      interlace = body[12]!;
    } else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') {
      ended = true;
      break;
    }
    pos += 12 + length;
  }
  if (!ended) throw new EvaluationInputError(`${name} is cut short: it does not end with its IEND chunk.`);
  const channels = CHANNELS[colour];
  if (!width || !height || !channels || ![1, 2, 4, 8, 16].includes(depth))
    throw new EvaluationInputError(`${name} has an invalid PNG header (${width}×${height}, colour type ${colour}, bit depth ${depth}).`);
  if (interlace) throw new EvaluationInputError(`${name} is an interlaced PNG; save the mask without interlacing.`);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(data));
  } catch (err) {
    throw new EvaluationInputError(`${name}'s image data does not inflate: ${(err as Error).message}.`);
  }
  const bpp = Math.max(1, (channels * depth) / 8);
  const stride = Math.ceil((width * channels * depth) / 8);
  if (raw.length < height * (stride + 1))
    throw new EvaluationInputError(`${name} holds ${raw.length} bytes of image data, fewer than ${width}×${height} pixels need.`);
  let line = new Uint8Array(stride);
  let prev = new Uint8Array(stride);
  const out = new Uint8Array(width * height);
  // One loop per filter type (the type is per row), so the inner loops carry no switch; the first
  // bpp bytes of a row have no left neighbour (a = c = 0).
  for (let y = 0; y < height; y++) {
    const at = y * (stride + 1) + 1;
    const filter = raw[at - 1]!;
    const head = Math.min(bpp, stride);
    switch (filter) {
      case 0:
        line.set(raw.subarray(at, at + stride));
        break;
      case 1:
        for (let i = 0; i < head; i++) line[i] = raw[at + i]!;
        for (let i = head; i < stride; i++) line[i] = (raw[at + i]! + line[i - bpp]!) & 0xff;
        break;
      case 2:
        for (let i = 0; i < stride; i++) line[i] = (raw[at + i]! + prev[i]!) & 0xff;
        break;
      case 3:
        for (let i = 0; i < head; i++) line[i] = (raw[at + i]! + (prev[i]! >> 1)) & 0xff;
        for (let i = head; i < stride; i++) line[i] = (raw[at + i]! + ((line[i - bpp]! + prev[i]!) >> 1)) & 0xff;
        break;
      case 4:
        // Paeth with a = c = 0 picks b.
        for (let i = 0; i < head; i++) line[i] = (raw[at + i]! + prev[i]!) & 0xff;
        for (let i = head; i < stride; i++) {
          const a = line[i - bpp]!;
          const b = prev[i]!;
          const c = prev[i - bpp]!;
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          line[i] = (raw[at + i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
        }
        break;
      default:
        throw new EvaluationInputError(`${name} has an invalid PNG filter type ${filter} on row ${y}.`);
    }
    const row = y * width;
    if (depth === 8 && channels === 1) out.set(line.subarray(0, width), row);
    else if (depth >= 8) {
      const step = channels * (depth / 8);
      for (let x = 0; x < width; x++) out[row + x] = line[x * step]!;
    } else
      for (let x = 0; x < width; x++) {
        const bit = x * depth;
        out[row + x] = (line[bit >> 3]! >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
      }
    [line, prev] = [prev, line];
  }
  return { width, height, values: out };
}
