/**
 * Reading an uploaded zip of DICOM files without trusting it (issue 13): the central directory is
 * checked before anything is inflated (entry count, declared sizes per entry and in all, compression
 * ratio, names, encryption, nested archives), then each entry is inflated with its actual byte count
 * enforced (yauzl refuses an entry that inflates to more or less than it declares, and the reader
 * stops at the per-file cap whatever the header says). Every refusal names the entry and why.
 */
import { createHash } from 'node:crypto';
import { DomainError } from '@caliper/domain';
import { DicomIdentity, PacsError, readDicomIdentity } from '@caliper/pacs';
import * as yauzl from 'yauzl';

export interface ZipLimits {
  /** Entries in the central directory, directories and skipped files included. */
  maxEntries: number;
  /** Uncompressed bytes of one entry (a DICOM file uploaded alone has the same cap). */
  maxEntryBytes: number;
  /** Uncompressed bytes of all entries together. */
  maxTotalBytes: number;
  /** Largest uncompressed/compressed ratio of an entry over `ratioFloorBytes`: real images compress far less. */
  maxRatio: number;
  ratioFloorBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 50_000,
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 16 * 1024 * 1024 * 1024,
  maxRatio: 100,
  ratioFloorBytes: 1024 * 1024,
};

/** A file of the zip that is not a dataset item, and why. */
export interface ZipSkipped {
  name: string;
  reason: string;
}

/** An entry that holds DICOM, identified. */
export interface ZipDicomFile {
  name: string;
  identity: DicomIdentity & { patientId: string };
  sha256: string;
  size: number;
}

const mib = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;
const ARCHIVE_NAME = /\.(zip|jar|7z|rar|tar|tgz|gz|bz2|xz|zst)$/i;
const ZIP_MAGIC = Buffer.from('PK\u0003\u0004', 'latin1');

/** Files that archivers and operating systems add beside the data: skipped, and said so. */
function ignorable(name: string): string | null {
  const parts = name.split('/');
  const base = parts[parts.length - 1]!;
  if (parts.some((p) => p === '__MACOSX')) return 'macOS resource fork folder (__MACOSX)';
  if (base === '.DS_Store') return 'macOS folder settings (.DS_Store)';
  if (base.startsWith('._')) return 'macOS resource fork (._ file)';
  if (base === 'Thumbs.db' || base.toLowerCase() === 'desktop.ini') return 'Windows folder settings';
  if (base.toUpperCase() === 'DICOMDIR') return 'DICOMDIR: a media index, not an image';
  return null;
}

export function zipRefused(entry: string | null, reason: string): DomainError {
  const where = entry === null ? 'The zip' : `Entry "${entry}" of the zip`;
  return new DomainError('BAD_USER_INPUT', `${where} ${reason}. Nothing was stored.`, { field: 'body' });
}

/** An uploaded zip opened for reading: its entries checked, then read one by one. */
export class DicomZip {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly limits: ZipLimits,
    readonly files: { name: string; entry: yauzl.Entry }[],
    readonly skipped: ZipSkipped[],
  ) {}

  /** Opens the zip at `path` and checks its central directory: refused whole on the first bad entry. */
  static async open(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<DicomZip> {
    let zip: yauzl.ZipFile;
    try {
      zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true });
    } catch (e) {
      throw zipRefused(null, `cannot be read as a zip archive (it may be cut short or not be a zip at all: ${(e as Error).message})`);
    }
    try {
      if (zip.entryCount > limits.maxEntries)
        throw zipRefused(null, `has ${zip.entryCount} entries, more than the ${limits.maxEntries} one upload may hold: split it`);
      const files: { name: string; entry: yauzl.Entry }[] = [];
      const skipped: ZipSkipped[] = [];
      let total = 0;
      for (const entry of await readCentralDirectory(zip)) {
        const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
        const bad = yauzl.validateFileName(name);
        if (bad || /[\u0000-\u001f]/.test(name))
          throw zipRefused(name, `has a path that could escape its folder (${bad ?? 'a control character'}): only relative paths`);
        if (name.endsWith('/')) continue;
        const skip = ignorable(name);
        if (skip) {
          skipped.push({ name, reason: skip });
          continue;
        }
        if (entry.isEncrypted()) throw zipRefused(name, 'is encrypted: zip the files without a password');
        if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)
          throw zipRefused(name, `uses compression method ${entry.compressionMethod}: only stored or deflated entries can be read`);
        if (ARCHIVE_NAME.test(name))
          throw zipRefused(name, 'is itself an archive: nested archives are not unpacked, zip the files directly');
        if (entry.uncompressedSize > limits.maxEntryBytes)
          throw zipRefused(
            name,
            `declares ${mib(entry.uncompressedSize)} uncompressed, more than the ${mib(limits.maxEntryBytes)} allowed per file`,
          );
        if (entry.uncompressedSize > limits.ratioFloorBytes && entry.uncompressedSize / Math.max(1, entry.compressedSize) > limits.maxRatio)
          throw zipRefused(
            name,
            `inflates ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))} times (${mib(entry.uncompressedSize)} from ${entry.compressedSize} bytes), more than the ${limits.maxRatio}× a DICOM file compresses: a zip bomb?`,
          );
        total += entry.uncompressedSize;
        if (total > limits.maxTotalBytes)
          throw zipRefused(
            null,
            `declares more than ${mib(limits.maxTotalBytes)} uncompressed in all (reached at entry "${name}"): split it`,
          );
        files.push({ name, entry });
      }
      if (!files.length) throw zipRefused(null, 'holds no files (only folders or skipped system files)');
      return new DicomZip(zip, limits, files, skipped);
    } catch (e) {
      zip.close();
      throw e;
    }
  }

  /** The inflated bytes of a file, at most its declared size and the per-file cap. */
  async bytes(file: { name: string; entry: yauzl.Entry }): Promise<Buffer> {
    const cap = Math.min(file.entry.uncompressedSize, this.limits.maxEntryBytes);
    let stream: NodeJS.ReadableStream & { destroy(): void };
    try {
      stream = (await this.zip.openReadStreamPromise(file.entry)) as typeof stream;
    } catch (e) {
      throw zipRefused(file.name, `cannot be read: ${(e as Error).message}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > cap) {
          stream.destroy();
          throw zipRefused(file.name, `inflates to more than the ${file.entry.uncompressedSize} bytes it declares: its header lies`);
        }
        chunks.push(chunk);
      }
    } catch (e) {
      if (e instanceof DomainError) throw e;
      const message = (e as Error).message;
      if (/too many bytes/.test(message))
        throw zipRefused(file.name, `inflates to more than the ${file.entry.uncompressedSize} bytes it declares: its header lies`);
      if (/not enough bytes/.test(message))
        throw zipRefused(file.name, `inflates to fewer than the ${file.entry.uncompressedSize} bytes it declares: it is cut short`);
      throw zipRefused(file.name, `is corrupt and cannot be inflated (${message})`);
    }
    return Buffer.concat(chunks, size);
  }

  /** Inflates and identifies a file: refused naming the entry when it is not DICOM, cut short, without UIDs or without a PatientID. */
  async identify(file: { name: string; entry: yauzl.Entry }): Promise<ZipDicomFile> {
    const bytes = await this.bytes(file);
    if (bytes.subarray(0, 4).equals(ZIP_MAGIC)) throw zipRefused(file.name, 'is itself a zip: nested archives are not unpacked');
    let identity: DicomIdentity;
    try {
      identity = readDicomIdentity(bytes, 'it');
    } catch (e) {
      if (e instanceof PacsError) throw zipRefused(file.name, `is refused: ${e.message}`);
      throw e;
    }
    const patientId = identity.patientId?.trim();
    if (!patientId) throw zipRefused(file.name, 'has no PatientID (0010,0020): items are split by patient');
    return {
      name: file.name,
      identity: { ...identity, patientId },
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
    };
  }

  close(): void {
    this.zip.close();
  }
}

function readCentralDirectory(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      entries.push(e);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', (e: Error) => reject(zipRefused(null, `has a malformed central directory: ${e.message}`)));
    zip.readEntry();
  });
}
