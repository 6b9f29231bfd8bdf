/** The evaluation's pixel handling on real files: DICOM written by dcmjs, PNG masks, the preprocessing arithmetic. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import path from 'node:path';
import { PYDICOM_TEST_FILES, sampleBytes } from '@caliper/pacs/testing';
import {
  decodeDicomSlice,
  decodeDicomSliceWithDcmjs,
  decodePngMask,
  EvaluationInputError,
  preprocessSlice,
  readDicomSlice,
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
  /**
   * A PNG of the given unfiltered scanlines, each row filtered with its own type as an encoder does
   * (filters[y], the five of the PNG spec), so the decoder is checked against the rows it must give
   * back. The CRCs are not read by the decoder and are left zero.
   */
  function filteredPng(width: number, depth: number, colour: number, rows: Uint8Array[], filters: number[]): Buffer {
    const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colour]!;
    const bpp = Math.max(1, (channels * depth) / 8);
    const stride = rows[0]!.length;
    const body: number[] = [];
    rows.forEach((line, y) => {
      const prev = y ? rows[y - 1]! : new Uint8Array(stride);
      body.push(filters[y]!);
      for (let i = 0; i < stride; i++) {
        const a = i >= bpp ? line[i - bpp]! : 0;
        const b = prev[i]!;
        const c = i >= bpp ? prev[i - bpp]! : 0;
        const p = a + b - c;
        const paeth =
          Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
        const predictor = [0, a, b, (a + b) >> 1, paeth][filters[y]!]!;
        body.push((line[i]! - predictor) & 0xff);
      }
    });
    const chunk = (type: string, data: Buffer) => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(data.length, 0);
      head.write(type, 4, 'latin1');
      return Buffer.concat([head, data, Buffer.alloc(4)]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(rows.length, 4);
    ihdr[8] = depth;
    ihdr[9] = colour;
    return Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(Buffer.from(body))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
  }
  /** Scanlines of pseudo-random bytes (a fixed sequence: the same image on every run). */
  function scanlines(height: number, stride: number): Uint8Array[] {
    let state = 7;
    return Array.from({ length: height }, () =>
      Uint8Array.from({ length: stride }, () => {
        state = (state * 1103515245 + 12345) & 0x7fffffff;
        return state >> 16;
      }),
    );
  }
  const EVERY_FILTER = [0, 1, 2, 3, 4, 4, 3, 2, 1, 0, 3, 4];

  it('undoes each of the five row filters (8-bit grey, rows of every type in turn)', () => {
    const rows = scanlines(12, 9);
    const m = decodePngMask(filteredPng(9, 8, 0, rows, EVERY_FILTER), 'm.png');
    expect({ width: m.width, height: m.height }).toEqual({ width: 9, height: 12 });
    expect(Array.from(m.values)).toEqual(rows.flatMap((r) => Array.from(r)));
  });

  it('takes the first channel of RGB and RGBA, the high byte of 16-bit samples, and packed 1-, 2- and 4-bit greys', () => {
    for (const [colour, depth, channels] of [
      [2, 8, 3],
      [6, 8, 4],
      [4, 8, 2],
      [0, 16, 1],
      [6, 16, 4],
    ] as const) {
      const step = channels * (depth / 8);
      const rows = scanlines(12, 5 * step);
      const m = decodePngMask(filteredPng(5, depth, colour, rows, EVERY_FILTER), `m-${colour}-${depth}.png`);
      expect({ colour, depth, values: Array.from(m.values) }).toEqual({
        colour,
        depth,
        values: rows.flatMap((r) => Array.from({ length: 5 }, (_, x) => r[x * step]!)),
      });
    }
    for (const depth of [1, 2, 4]) {
      const width = 11;
      const rows = scanlines(12, Math.ceil((width * depth) / 8));
      const m = decodePngMask(filteredPng(width, depth, 0, rows, EVERY_FILTER), `m-${depth}.png`);
      const expected = rows.flatMap((r) =>
        Array.from({ length: width }, (_, x) => (r[(x * depth) >> 3]! >> (8 - depth - ((x * depth) & 7))) & ((1 << depth) - 1)),
      );
      expect({ depth, values: Array.from(m.values) }).toEqual({ depth, values: expected });
    }
  });

  it('names a row with an unknown filter type', () => {
    const png = filteredPng(3, 8, 0, scanlines(2, 3), [0, 0]);
    // The second row's filter byte, inside the deflated data: rewrite the image data with a bad type.
    const rows = Buffer.from([0, 1, 2, 3, 7, 4, 5, 6]);
    const idat = deflateSync(rows);
    const at = png.indexOf('IDAT') - 4;
    const head = Buffer.alloc(8);
    head.writeUInt32BE(idat.length, 0);
    head.write('IDAT', 4, 'latin1');
    const end = png.indexOf('IEND') - 4;
    const bad = Buffer.concat([png.subarray(0, at), head, idat, Buffer.alloc(4), png.subarray(end)]);
    expect(() => decodePngMask(bad, 'm.png')).toThrow('m.png has an invalid PNG filter type 7 on row 1.');
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

  it('maps a stored slice (readDicomSlice) in one pass to the very floats of decodeDicomSlice then preprocessSlice', () => {
    const specs = [
      { window: { center: 40, width: 400 } },
      { window: { center: -600, width: 1500 }, normalisation: { kind: 'zscore' as const, mean: 0.3, std: 0.2 } },
      { normalisation: { kind: 'minmax' as const, min: -1024, max: 3071 } },
      {},
    ];
    const files = [
      ['CT_small.dcm', sampleBytes('CT_small.dcm')],
      ['ct.dcm', ctSlice(37, 23, (x, y) => -1000 + 37 * x + 61 * y)],
    ] as const;
    for (const [name, bytes] of files)
      for (const spec of specs) {
        const stored = readDicomSlice(bytes, name);
        const { width, height } = stored;
        // The model's size (the one pass), and another (resized from modalityValues: the dispatch is checked).
        for (const [w, h] of [
          [width, height],
          [16, 12],
        ] as const) {
          const once = new Float32Array(w * h);
          const twice = new Float32Array(w * h);
          preprocessSlice(stored, spec, w, h, once);
          preprocessSlice(decodeDicomSlice(bytes, name), spec, w, h, twice);
          expect({ name, spec, w, equal: Buffer.compare(Buffer.from(once.buffer), Buffer.from(twice.buffer)) === 0 }).toEqual({
            name,
            spec,
            w,
            equal: true,
          });
        }
      }
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
