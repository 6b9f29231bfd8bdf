/**
 * Segmentation masks attached to a dataset item, checked before they are stored: a DICOM SEG must
 * be Modality SEG of the item's study and reference the item's instance or series; a NIfTI-1/2 file
 * (.nii, or gzipped .nii.gz, inflated with a cap) must have a sound header and hold the voxels it
 * declares; a PNG must have its signature, a valid IHDR (with its CRC) and end with IEND.
 */
import { Readable } from 'node:stream';
import { crc32, createGunzip } from 'node:zlib';
import { DomainError } from '@caliper/domain';
import type { ItemRef } from '@caliper/datasets';
import { PacsError, readSegReferences } from '@caliper/pacs';

export const MAX_MASK_BYTES = 256 * 1024 * 1024;
/** A gzipped NIfTI is inflated (and counted) up to this many bytes. */
export const MAX_MASK_INFLATED_BYTES = 2 * 1024 * 1024 * 1024;

export type MaskFormat = 'dicom-seg' | 'nifti' | 'png';
export interface CheckedMask {
  format: MaskFormat;
  /** File extension of the stored object. */
  ext: 'dcm' | 'nii' | 'nii.gz' | 'png';
}

export const maskRefused = (reason: string) =>
  new DomainError('BAD_USER_INPUT', `The mask is refused: ${reason}. Nothing was stored.`, { field: 'body' });

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_IEND = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
const PNG_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

export async function checkMask(bytes: Buffer, item: ItemRef): Promise<CheckedMask> {
  if (bytes.length >= 132 && bytes.toString('latin1', 128, 132) === 'DICM') {
    checkSeg(bytes, item);
    return { format: 'dicom-seg', ext: 'dcm' };
  }
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    checkPng(bytes);
    return { format: 'png', ext: 'png' };
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const { head, size } = await gunzipCounted(bytes);
    checkNifti(head, size, 'the gzipped file');
    return { format: 'nifti', ext: 'nii.gz' };
  }
  if (niftiVersion(bytes)) {
    checkNifti(bytes, bytes.length, 'the file');
    return { format: 'nifti', ext: 'nii' };
  }
  throw maskRefused('it is neither a DICOM SEG, a NIfTI file (.nii, .nii.gz) nor a PNG');
}

function checkSeg(bytes: Buffer, item: ItemRef): void {
  let refs;
  try {
    refs = readSegReferences(bytes, 'it');
  } catch (e) {
    if (e instanceof PacsError) throw maskRefused(e.message);
    throw e;
  }
  if (refs.identity.modality !== 'SEG')
    throw maskRefused(`it is a DICOM ${refs.identity.modality ?? 'file without Modality'}, not a segmentation (Modality SEG)`);
  if (refs.identity.studyInstanceUid !== item.studyUid)
    throw maskRefused(
      `the segmentation is of study ${refs.identity.studyInstanceUid}, but item ${item.itemKey} is of study ${item.studyUid}`,
    );
  const ofItem = (item.sopUid && refs.instances.includes(item.sopUid)) || (item.seriesUid && refs.series.includes(item.seriesUid));
  if (!ofItem)
    throw maskRefused(
      `the segmentation references neither SOP Instance ${item.sopUid} nor series ${item.seriesUid} of item ${item.itemKey} (it references ${refs.instances.length} instances of ${refs.series.length} series)`,
    );
}

function checkPng(bytes: Buffer): void {
  if (bytes.length < 8 + 25 + 12) throw maskRefused('the PNG is cut short: it ends before its header chunk');
  if (bytes.readUInt32BE(8) !== 13 || bytes.toString('latin1', 12, 16) !== 'IHDR')
    throw maskRefused('the PNG does not start with its IHDR chunk');
  if (crc32(bytes.subarray(12, 29)) !== bytes.readUInt32BE(29))
    throw maskRefused('the PNG header chunk (IHDR) fails its CRC: the file is corrupt');
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const [depth, colour, compression, filter, interlace] = [24, 25, 26, 27, 28].map((i) => bytes[i]!);
  if (!width || !height || width > 0x7fffffff || height > 0x7fffffff) throw maskRefused(`the PNG is ${width}×${height} pixels`);
  if (!PNG_DEPTHS[colour!]?.includes(depth!) || compression !== 0 || filter !== 0 || interlace! > 1)
    throw maskRefused(`the PNG header is invalid (bit depth ${depth}, colour type ${colour})`);
  if (!bytes.subarray(bytes.length - 12).equals(PNG_IEND)) throw maskRefused('the PNG is cut short: it does not end with its IEND chunk');
}

/** 1 or 2 by sizeof_hdr (348 or 540, either byte order), else null. */
function niftiVersion(b: Buffer): { version: 1 | 2; little: boolean } | null {
  if (b.length < 4) return null;
  for (const little of [true, false]) {
    const size = little ? b.readInt32LE(0) : b.readInt32BE(0);
    if (size === 348) return { version: 1, little };
    if (size === 540) return { version: 2, little };
  }
  return null;
}

function checkNifti(head: Buffer, total: number, what: string): void {
  const v = niftiVersion(head);
  if (!v) throw maskRefused(`${what} is not NIfTI: its first four bytes are not sizeof_hdr 348 or 540`);
  const headerBytes = v.version === 1 ? 348 : 540;
  if (head.length < headerBytes) throw maskRefused(`${what} is cut short: it ends inside its ${headerBytes}-byte NIfTI header`);
  const i16 = (at: number) => (v.little ? head.readInt16LE(at) : head.readInt16BE(at));
  const i64 = (at: number) => Number(v.little ? head.readBigInt64LE(at) : head.readBigInt64BE(at));
  const f32 = (at: number) => (v.little ? head.readFloatLE(at) : head.readFloatBE(at));
  let dims: number[];
  let bitpix: number;
  let voxOffset: number;
  if (v.version === 1) {
    const magic = head.toString('latin1', 344, 348);
    if (magic === 'ni1\0') throw maskRefused('it is the header of a NIfTI pair (.hdr/.img): upload a single-file .nii or .nii.gz');
    if (magic !== 'n+1\0') throw maskRefused(`${what} has no NIfTI-1 magic "n+1" at byte 344`);
    dims = Array.from({ length: 8 }, (_, k) => i16(40 + 2 * k));
    bitpix = i16(72);
    voxOffset = f32(108);
  } else {
    if (head.toString('latin1', 4, 12) !== 'n+2\0\r\n\u001a\n') throw maskRefused(`${what} has no NIfTI-2 magic "n+2" at byte 4`);
    dims = Array.from({ length: 8 }, (_, k) => i64(16 + 8 * k));
    bitpix = i16(14);
    voxOffset = i64(168);
  }
  const rank = dims[0]!;
  const extent = dims.slice(1, 1 + rank);
  if (rank < 1 || rank > 7 || extent.some((d) => !Number.isInteger(d) || d < 1))
    throw maskRefused(`the NIfTI header has invalid dimensions (dim = [${dims.join(', ')}])`);
  if (![1, 8, 16, 24, 32, 64, 128].includes(bitpix)) throw maskRefused(`the NIfTI header has an invalid bitpix ${bitpix}`);
  if (!Number.isFinite(voxOffset) || voxOffset < headerBytes + 4)
    throw maskRefused(`the NIfTI header has an invalid vox_offset ${voxOffset}`);
  const voxels = extent.reduce((a, b) => a * b, 1);
  const expected = Math.floor(voxOffset) + Math.ceil((voxels * bitpix) / 8);
  if (total < expected)
    throw maskRefused(
      `the NIfTI image is cut short: its header declares ${extent.join('×')} voxels of ${bitpix} bits from byte ${voxOffset} (${expected} bytes), but ${what} holds ${total}`,
    );
}

/** Inflates a gzip body, counting its bytes (refused past the cap) and keeping its first 544. */
async function gunzipCounted(bytes: Buffer): Promise<{ head: Buffer; size: number }> {
  const head: Buffer[] = [];
  let kept = 0;
  let size = 0;
  const gunzip = createGunzip();
  try {
    for await (const chunk of Readable.from([bytes]).pipe(gunzip) as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_MASK_INFLATED_BYTES) {
        gunzip.destroy();
        throw maskRefused(`the gzipped file inflates past ${MAX_MASK_INFLATED_BYTES / 1024 / 1024 / 1024} GiB`);
      }
      if (kept < 544) {
        head.push(chunk.subarray(0, 544 - kept));
        kept += Math.min(chunk.length, 544 - kept);
      }
    }
  } catch (e) {
    if (e instanceof DomainError) throw e;
    throw maskRefused(`the gzipped file cannot be inflated (${(e as Error).message}): it is corrupt or cut short`);
  }
  return { head: Buffer.concat(head), size };
}
