/** The evaluation's pixel handling on real files: DICOM written by dcmjs, PNG masks, the preprocessing arithmetic. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PYDICOM_TEST_FILES, sampleBytes } from '@caliper/pacs/testing';
import {
  decodeDicomSlice,
  decodeDicomSliceWithDcmjs,
  decodePngMask,
  EvaluationInputError,
  preprocessSlice,
  readUncompressedPixelHeader,
  resampleNearest,
} from './evaluate-version.pixels';
import { ctSlice, pngMask } from '@caliper/datasets/testing';

describe('decodeDicomSlice', () => {
  it('gives modality values (stored × slope + intercept) row by row', () => {
    const file = ctSlice(3, 2, (x, y) => -1000 + 10 * x + 100 * y);
    const s = decodeDicomSlice(file, 'slice.dcm');
    expect({ width: s.width, height: s.height }).toEqual({ width: 3, height: 2 });
    expect(Array.from(s.values)).toEqual([-1000, -990, -980, -900, -890, -880]);
  });

  it("reads pydicom's CT_small.dcm as pydicom does (pixel_array × 1 - 1024)", () => {
    const s = decodeDicomSlice(sampleBytes('CT_small.dcm'), 'CT_small.dcm');
    expect({ width: s.width, height: s.height }).toEqual({ width: 128, height: 128 });
    // pydicom: pixel_array[0, 0] = 175, [64, 64] = 1928, mean 904.926…
    expect(s.values[0]).toBe(175 - 1024);
    expect(s.values[64 * 128 + 64]).toBe(1928 - 1024);
    expect(s.values.reduce((a, b) => a + b, 0) / s.values.length).toBeCloseTo(904.9261474609375 - 1024, 4);
  });

  it('refuses a compressed transfer syntax, naming it', () => {
    expect(() => decodeDicomSlice(sampleBytes('JPEG2000.dcm'), 'JPEG2000.dcm')).toThrow(
      new EvaluationInputError(
        'JPEG2000.dcm is stored as JPEG 2000 (1.2.840.10008.1.2.4.91); the evaluation reads uncompressed little-endian pixel data only (Implicit or Explicit VR Little Endian).',
      ),
    );
    // A file whose meta information says RLE over native pixel data (same UID length, so offsets hold): the syntax is the reason given.
    const patched = Buffer.from(
      ctSlice(2, 2, () => 0)
        .toString('latin1')
        .replace('1.2.840.10008.1.2.1\0', '1.2.840.10008.1.2.5\0'),
      'latin1',
    );
    expect(() => decodeDicomSlice(patched, 'slice.dcm')).toThrow('slice.dcm is stored as RLE Lossless (1.2.840.10008.1.2.5)');
  });

  it('refuses bytes that are not DICOM', () => {
    expect(() => decodeDicomSlice(Buffer.alloc(200), 'x.dcm')).toThrow(/x\.dcm is not a DICOM Part-10 file/);
  });
});

/** The slice, or the refusal's message. */
function outcome(read: () => { width: number; height: number; values: Float32Array }): unknown {
  try {
    const s = read();
    return { width: s.width, height: s.height, values: Buffer.from(s.values.buffer, s.values.byteOffset, s.values.byteLength) };
  } catch (err) {
    if (err instanceof EvaluationInputError) return { refused: err.message };
    throw err;
  }
}

describe('decodeDicomSlice reads in place what dcmjs reads', () => {
  // Every file pydicom ships (Debian's python3-pydicom): implicit and explicit VR, big endian, deflated, encapsulated, cut short…
  const corpus = (readdirSync(PYDICOM_TEST_FILES, { recursive: true }) as string[])
    .filter((f) => statSync(path.join(PYDICOM_TEST_FILES, f)).isFile())
    .sort();

  it('gives the same values or the same refusal as a full dcmjs parse on every pydicom file, reading many in place', () => {
    expect(corpus.length).toBeGreaterThan(150);
    let inPlace = 0;
    for (const file of corpus) {
      const bytes = readFileSync(path.join(PYDICOM_TEST_FILES, file));
      if (readUncompressedPixelHeader(bytes)?.pixels) inPlace++;
      expect({ file, read: outcome(() => decodeDicomSlice(bytes, file)) }).toEqual({
        file,
        read: outcome(() => decodeDicomSliceWithDcmjs(bytes, file)),
      });
    }
    expect(inPlace).toBeGreaterThan(20);
  });

  it('reads CT_small and the generated CT slices in place, at any byte offset', () => {
    const ct = sampleBytes('CT_small.dcm');
    expect(readUncompressedPixelHeader(ct)).toMatchObject({ rows: 128, columns: 128, bits: 16, signed: true, slope: 1, intercept: -1024 });
    const slice = ctSlice(7, 5, (x, y) => -1000 + 37 * x - 11 * y);
    expect(readUncompressedPixelHeader(slice)).toMatchObject({ rows: 5, columns: 7, bits: 16 });
    // The same bytes one past an aligned start: the 16-bit samples are copied rather than viewed.
    const shifted = new Uint8Array(slice.length + 1).subarray(1);
    shifted.set(slice);
    for (const [bytes, name] of [
      [ct, 'CT_small.dcm'],
      [slice, 'slice.dcm'],
      [shifted, 'shifted.dcm'],
    ] as const)
      expect(outcome(() => decodeDicomSlice(bytes, name))).toEqual(outcome(() => decodeDicomSliceWithDcmjs(bytes, name)));
  });
});

describe('decodePngMask', () => {
  it('reads the grey values back', () => {
    const m = decodePngMask(
      pngMask(4, 3, (x, y) => (x === y ? 255 : x)),
      'm.png',
    );
    expect({ width: m.width, height: m.height }).toEqual({ width: 4, height: 3 });
    expect(Array.from(m.values)).toEqual([255, 1, 2, 3, 0, 255, 2, 3, 0, 1, 255, 3]);
  });
  it('refuses what is not a PNG or is cut short', () => {
    expect(() => decodePngMask(Buffer.from('not a png at all'), 'm.png')).toThrow('m.png is not a PNG (no PNG signature).');
    const png = pngMask(8, 8, () => 1);
    expect(() => decodePngMask(png.subarray(0, 40), 'm.png')).toThrow('m.png is cut short: it does not end with its IEND chunk.');
  });
});

describe('preprocessSlice', () => {
  it('maps the window to [0, 1] (clamped) and then normalises', () => {
    const slice = { width: 4, height: 1, values: Float32Array.from([-500, -160, 40, 1000]) };
    const out = new Float32Array(4);
    preprocessSlice(slice, { window: { center: 40, width: 400 } }, 4, 1, out);
    expect(Array.from(out)).toEqual([0, 0, 0.5, 1]);
    preprocessSlice(slice, { window: { center: 40, width: 400 }, normalisation: { kind: 'zscore', mean: 0.5, std: 0.25 } }, 4, 1, out);
    expect(Array.from(out)).toEqual([-2, -2, 0, 2]);
    preprocessSlice(slice, { normalisation: { kind: 'minmax', min: -1000, max: 1000 } }, 4, 1, out);
    expect(Array.from(out)).toEqual([0.25, 0.42, 0.52, 1].map((v) => expect.closeTo(v, 6)));
  });

  it('resizes bilinearly with pixel centres aligned: halving averages 2×2 blocks', () => {
    const slice = { width: 4, height: 2, values: Float32Array.from([0, 2, 4, 8, 2, 4, 6, 10]) };
    const out = new Float32Array(2);
    preprocessSlice(slice, {}, 2, 1, out);
    expect(Array.from(out)).toEqual([2, 7]);
  });
});

describe('resampleNearest', () => {
  it('never blends labels', () => {
    const up = resampleNearest({ width: 2, height: 1, values: Uint8Array.from([0, 1]) }, 4, 2);
    expect(Array.from(up)).toEqual([0, 0, 1, 1, 0, 0, 1, 1]);
  });
});
