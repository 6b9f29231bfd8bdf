/** readDicomIdentity against real files (Debian's python3-pydicom samples) and cut or foreign bytes. */
import { readDicomIdentity } from '../dicom-file';
import { PacsError, type PacsErrorCode } from '../pacs-error';
import { SAMPLES, sampleBytes } from '../testing';

function refusal(bytes: Uint8Array, name?: string): { code: PacsErrorCode; message: string } {
  try {
    readDicomIdentity(bytes, name);
  } catch (err) {
    if (!(err instanceof PacsError)) throw err;
    return { code: err.code, message: err.message };
  }
  throw new Error('the file was accepted');
}

describe('readDicomIdentity (dcmjs)', () => {
  it.each(Object.values(SAMPLES))('reads what identifies $file, as pydicom does', (sample) => {
    const { file, ...expected } = sample;
    expect(readDicomIdentity(sampleBytes(file), file)).toMatchObject(expected);
  });

  it('keeps the transfer syntax, frames and instance number, and leaves absent attributes out', () => {
    expect(readDicomIdentity(sampleBytes(SAMPLES.nmJpeg2000.file))).toMatchObject({
      transferSyntaxUid: '1.2.840.10008.1.2.4.91',
      numberOfFrames: 1,
    });
    const dose = readDicomIdentity(sampleBytes(SAMPLES.rtDose.file));
    expect(dose).toMatchObject({ transferSyntaxUid: '1.2.840.10008.1.2', numberOfFrames: 15 });
    expect(dose).not.toHaveProperty('studyDescription');
    const bigEndian = readDicomIdentity(sampleBytes('MR_small_bigendian.dcm'));
    expect(bigEndian).toMatchObject({
      sopInstanceUid: SAMPLES.mr.sopInstanceUid,
      rows: 64,
      columns: 64,
      transferSyntaxUid: '1.2.840.10008.1.2.2',
    });
  });

  it('refuses files that are not DICOM Part-10: text, a dataset without preamble, nothing', () => {
    expect(refusal(sampleBytes('README.txt'), 'README.txt')).toEqual({
      code: 'NOT_DICOM',
      message: 'README.txt is not a DICOM Part-10 file: no "DICM" after the 128-byte preamble',
    });
    expect(refusal(sampleBytes('no_meta.dcm'))).toMatchObject({ code: 'NOT_DICOM' });
    expect(refusal(new Uint8Array(0), 'empty.dcm')).toEqual({
      code: 'NOT_DICOM',
      message: 'empty.dcm is not a DICOM Part-10 file: 0 bytes, shorter than the 128-byte preamble and "DICM"',
    });
  });

  it('refuses truncated files: pydicom’s own, and cuts inside the pixel data, inside a string value and inside an element header', () => {
    expect(refusal(sampleBytes('MR_truncated.dcm'), 'MR_truncated.dcm')).toEqual({
      code: 'TRUNCATED',
      message: 'MR_truncated.dcm is cut short: a OW value declares 8192 bytes but only 8130 are available (9630 bytes in all)',
    });
    expect(refusal(sampleBytes('rtplan_truncated.dcm'))).toMatchObject({ code: 'TRUNCATED' });
    const ct = sampleBytes(SAMPLES.ct.file);
    expect(refusal(ct.subarray(0, ct.length - 1))).toMatchObject({ code: 'TRUNCATED' });
    expect(refusal(ct.subarray(0, 20000))).toMatchObject({
      code: 'TRUNCATED',
      message: expect.stringMatching(/declares 32768 bytes but only 13700 are available/),
    });
    // Inside a string value (ImagePositionPatient, DS): dcmjs alone would quietly keep its first characters.
    const position = ct.indexOf(Buffer.from('2000320044530000', 'hex').subarray(0, 6));
    expect(position).toBeGreaterThan(132);
    expect(refusal(ct.subarray(0, position + 8 + 10))).toMatchObject({
      code: 'TRUNCATED',
      message: expect.stringMatching(/a string value declares \d+ bytes but only 10 are available/),
    });
    // Inside the StudyInstanceUID's characters, and inside the 8-byte header of the element after it.
    const studyUid = ct.indexOf(SAMPLES.ct.studyInstanceUid);
    expect(studyUid).toBeGreaterThan(132);
    expect(refusal(ct.subarray(0, studyUid + 20))).toMatchObject({ code: 'TRUNCATED' });
    expect(refusal(ct.subarray(0, studyUid + ct.readUInt16LE(studyUid - 2) + 3))).toMatchObject({ code: 'TRUNCATED' });
  });

  it('refuses an image cut exactly before its pixel data (a clean element boundary)', () => {
    const ct = sampleBytes(SAMPLES.ct.file);
    // (7FE0,0010) OW in explicit VR little endian.
    const pixelData = ct.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57]));
    expect(pixelData).toBeGreaterThan(0);
    expect(refusal(ct.subarray(0, pixelData))).toEqual({
      code: 'TRUNCATED',
      message: 'the file is an image (128×128) without Pixel Data (7FE0,0010): the file is cut short',
    });
  });

  it('refuses a file without a UID it needs, naming the attribute', () => {
    const ct = sampleBytes(SAMPLES.ct.file);
    // Cut right after the dataset's SOPInstanceUID (past the file meta information's copy): study and series UIDs come later.
    const sop = ct.indexOf(SAMPLES.ct.sopInstanceUid, 132 + 12 + ct.readUInt32LE(140));
    expect(sop).toBeGreaterThan(300);
    expect(refusal(ct.subarray(0, sop + ct.readUInt16LE(sop - 2)), 'cut.dcm')).toEqual({
      code: 'MISSING_ATTRIBUTE',
      message: 'cut.dcm has no StudyInstanceUID (0020,000D)',
    });
  });
});
