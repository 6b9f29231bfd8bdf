/**
 * scanDicomIdentity against readDicomIdentity (dcmjs) on every file pydicom ships (Debian's
 * python3-pydicom: explicit and implicit VR, big endian, deflated, encapsulated pixel data,
 * sequences of defined and undefined length, private and UN sequences, DICOMDIRs, files cut short
 * or malformed on purpose), whole, cut at many points, and given as their first bytes only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { dcmjs } from '../dcmjs';
import { readDicomIdentity } from '../dicom-file';
import { scanDicomIdentity } from '../dicom-scan';
import { PacsError } from '../pacs-error';
import { dicomVariant, newUid, PYDICOM_TEST_FILES, SAMPLES, sampleBytes } from '../testing';

/** Every file under pydicom's test files (DICOM or not), by its path there. */
const corpus = (readdirSync(PYDICOM_TEST_FILES, { recursive: true }) as string[])
  .filter((f) => statSync(path.join(PYDICOM_TEST_FILES, f)).isFile())
  .sort()
  .map((f) => ({ file: f, bytes: readFileSync(path.join(PYDICOM_TEST_FILES, f)) }));

/** The identity (keys in order) or the refusal's code and message. */
function outcome(read: () => unknown): unknown {
  try {
    return Object.fromEntries(Object.entries(read() as Record<string, unknown>).sort());
  } catch (err) {
    if (err instanceof PacsError) return { code: err.code, message: err.message };
    throw err;
  }
}

/** How many times dcmjs parsed a file while `read` ran. */
function dcmjsParses(read: () => unknown): number {
  const spy = jest.spyOn(dcmjs.data.DicomMessage, 'readFile');
  try {
    outcome(read);
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

describe('scanDicomIdentity', () => {
  it('holds the files it is checked against', () => {
    expect(corpus.length).toBeGreaterThan(150);
  });

  it('answers as readDicomIdentity does for every file, and reads most of them without dcmjs', () => {
    let walked = 0;
    for (const { file, bytes } of corpus) {
      expect({ file, scan: outcome(() => scanDicomIdentity(bytes, file)) }).toEqual({
        file,
        scan: outcome(() => readDicomIdentity(bytes, file)),
      });
      if (dcmjsParses(() => scanDicomIdentity(bytes, file)) === 0) walked++;
    }
    // Big endian, deflated and refused files go to dcmjs; the rest are walked.
    expect(walked).toBeGreaterThan(100);
  });

  it('walks the common cases itself: explicit and implicit VR, encapsulated pixel data, sequences (and leaves deflate to dcmjs)', () => {
    for (const name of ['CT_small.dcm', 'MR_small.dcm', 'rtplan.dcm', 'JPEG2000.dcm', 'MR_small_RLE.dcm', 'MR_small_implicit.dcm'])
      expect({ name, parses: dcmjsParses(() => scanDicomIdentity(sampleBytes(name), name)) }).toEqual({ name, parses: 0 });
    // A generated instance (as the import tests store them) is walked too.
    expect(dcmjsParses(() => scanDicomIdentity(sampleBytes('image_dfl.dcm')))).toBe(1);
    const variant = dicomVariant(sampleBytes(SAMPLES.ct.file), { patientId: 'P-1', sopInstanceUid: newUid() });
    expect(dcmjsParses(() => scanDicomIdentity(variant))).toBe(0);
    expect(scanDicomIdentity(variant)).toEqual(readDicomIdentity(variant));
  });

  it('answers as readDicomIdentity does for files cut anywhere', () => {
    for (const { file, bytes } of corpus.filter((c) => c.bytes.length < 100_000)) {
      const step = Math.max(1, Math.floor(bytes.length / 40));
      for (let cut = 0; cut < bytes.length; cut += step) {
        const part = bytes.subarray(0, cut);
        expect({ file, cut, scan: outcome(() => scanDicomIdentity(part, file)) }).toEqual({
          file,
          cut,
          scan: outcome(() => readDicomIdentity(part, file)),
        });
      }
    }
  });

  it('reads a large file from its first bytes (fileSize), as readDicomIdentity reads it whole', () => {
    let checked = 0;
    for (const { file, bytes } of corpus) {
      const whole = outcome(() => readDicomIdentity(bytes, file));
      // The last place the pixel data's tag appears: its start, or a point inside it.
      const pixels = bytes.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
      if ('code' in (whole as object) || pixels < 0) continue;
      for (const into of [4, 12, 13, 100, 1000].filter((n) => pixels + n < bytes.length)) {
        const start = bytes.subarray(0, pixels + into);
        expect({ file, into, scan: outcome(() => scanDicomIdentity(start, file, { fileSize: bytes.length })) }).toEqual({
          file,
          into,
          scan: whole,
        });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('reads the start of a file up to what it is given, refusing one whose elements run past its size or whose attributes do not fit', () => {
    const ct = sampleBytes(SAMPLES.ct.file);
    // Explicit VR: the pixel data's tag, then OW, two reserved bytes and its 32-bit length (32768 here).
    const pixels = ct.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57]));
    expect(ct.readUInt32LE(pixels + 8)).toBe(32768);
    const cutAt = pixels + 12 + 32768 - 1;
    expect(outcome(() => scanDicomIdentity(ct.subarray(0, pixels + 100), 'big.dcm', { fileSize: cutAt }))).toEqual({
      code: 'TRUNCATED',
      message: 'big.dcm is cut short: its pixel data declares 32768 bytes but only 32767 follow',
    });
    expect(outcome(() => scanDicomIdentity(ct.subarray(0, pixels + 100), 'big.dcm', { fileSize: cutAt + 1 }))).toEqual(
      outcome(() => readDicomIdentity(ct)),
    );
    // Elements after the pixel data (here 1 MiB of Data Set Trailing Padding) are walked as far as the bytes given go.
    const padding = Buffer.alloc(12 + 1024 * 1024);
    padding.write('\xfc\xff\xfc\xffOB', 0, 'latin1');
    padding.writeUInt32LE(1024 * 1024, 8);
    const padded = Buffer.concat([ct, padding]);
    const start = padded.subarray(0, ct.length + 5000);
    expect(dcmjsParses(() => scanDicomIdentity(start, 'padded.dcm', { fileSize: padded.length }))).toBe(0);
    expect(outcome(() => scanDicomIdentity(start, 'padded.dcm', { fileSize: padded.length }))).toEqual(
      outcome(() => readDicomIdentity(padded)),
    );
    expect(outcome(() => scanDicomIdentity(start, 'padded.dcm', { fileSize: padded.length - 1 }))).toEqual({
      code: 'TRUNCATED',
      message: `padded.dcm is cut short: an element after its pixel data runs past its ${padded.length - 1} bytes`,
    });
    expect(outcome(() => scanDicomIdentity(ct.subarray(0, 900), 'big.dcm', { fileSize: ct.length }))).toEqual({
      code: 'MALFORMED',
      message: `big.dcm: its attributes before the pixel data take more than the first 900 bytes read (${ct.length} bytes in all)`,
    });
  });
});
