import {
  describeUploadProgress,
  formatRatios,
  itemKeysOf,
  optionalRatioPercents,
  parseRatioPercents,
  splitLabel,
  uploadAll,
  visibleWindow,
} from './dataset-helpers';

describe('split names and ratios', () => {
  it('names splits, and items not yet placed', () => {
    expect([splitLabel('TRAIN'), splitLabel('VAL'), splitLabel('TEST'), splitLabel(null)]).toEqual([
      'Train',
      'Validation',
      'Test',
      'Not placed',
    ]);
  });

  it('shows ratios as percentages', () => {
    expect(formatRatios({ train: 0.7, val: 0.15, test: 0.15 })).toBe('70 / 15 / 15 % (train / validation / test)');
    expect(formatRatios({ train: 0.8, val: 0.1, test: 0.1 })).toBe('80 / 10 / 10 % (train / validation / test)');
  });

  it('reads percentages into fractions that sum to 1', () => {
    expect(parseRatioPercents({ train: '70', val: '15', test: '15' })).toEqual({ ratios: { train: 0.7, val: 0.15, test: 0.15 } });
    expect(parseRatioPercents({ train: ' 80 ', val: '20', test: '0' })).toEqual({ ratios: { train: 0.8, val: 0.2, test: 0 } });
  });

  it('refuses percentages that are not numbers, out of range, not summing to 100, or leave no training data', () => {
    expect(parseRatioPercents({ train: '', val: '15', test: '15' })).toEqual({ error: 'Train must be a percentage from 0 to 100.' });
    expect(parseRatioPercents({ train: '70', val: 'x', test: '15' })).toEqual({ error: 'Validation must be a percentage from 0 to 100.' });
    expect(parseRatioPercents({ train: '70', val: '15', test: '-1' })).toEqual({ error: 'Test must be a percentage from 0 to 100.' });
    expect(parseRatioPercents({ train: '70', val: '20', test: '15' })).toEqual({ error: 'The percentages add up to 105, not 100.' });
    expect(parseRatioPercents({ train: '0', val: '50', test: '50' })).toEqual({ error: 'Train must be more than 0 %.' });
  });

  it('reads three empty fields as no ratios, and checks any one filled in as all three', () => {
    expect(optionalRatioPercents({ train: '', val: ' ', test: '' })).toEqual({ ratios: undefined });
    expect(optionalRatioPercents({ train: '80', val: '10', test: '10' })).toEqual({ ratios: { train: 0.8, val: 0.1, test: 0.1 } });
    expect(optionalRatioPercents({ train: '', val: '', test: '10' })).toEqual({ error: 'Train must be a percentage from 0 to 100.' });
  });
});

describe('item keys typed by hand', () => {
  it('splits on lines, commas and spaces, dropping blanks and repeats', () => {
    expect(itemKeysOf('1.2.3\n 1.2.4 , 1.2.5;1.2.3\n\n')).toEqual(['1.2.3', '1.2.4', '1.2.5']);
    expect(itemKeysOf('   ')).toEqual([]);
  });
});

describe('the windowed item table', () => {
  const at = (scrollTop: number, total: number) => visibleWindow({ scrollTop, rowHeight: 33, viewportRows: 15, overscan: 10, total });

  it('renders the rows in view and a few either side, never the whole list', () => {
    expect(at(0, 100_000)).toEqual({ first: 0, last: 25 });
    expect(at(33 * 50_000, 100_000)).toEqual({ first: 49_990, last: 50_025 });
    const { first, last } = at(33 * 99_990, 100_000);
    expect([first, last]).toEqual([99_980, 100_000]);
  });

  it('stays inside short lists and past-the-end scroll positions', () => {
    expect(at(0, 3)).toEqual({ first: 0, last: 3 });
    expect(at(33 * 500, 3)).toEqual({ first: 3, last: 3 });
    expect(at(0, 0)).toEqual({ first: 0, last: 0 });
  });
});

describe('uploading many files', () => {
  it('reports "n of m" as each file finishes and keeps going past a refused file', async () => {
    const seen: string[] = [];
    const final = await uploadAll(
      [{ name: 'a.dcm' }, { name: 'b.dcm' }, { name: 'c.dcm' }],
      async (f) => {
        if (f.name === 'b.dcm') throw new Error('Not a DICOM Part-10 file: no DICM prefix.');
      },
      (p) => seen.push(describeUploadProgress(p)),
      1,
    );
    expect(seen).toEqual(['0 of 3 uploaded…', '1 of 3 uploaded…', '1 of 3 uploaded, 1 failed…', '2 of 3 uploaded, 1 failed.']);
    expect(final).toEqual({
      total: 3,
      done: 3,
      running: false,
      failed: [{ name: 'b.dcm', message: 'Not a DICOM Part-10 file: no DICM prefix.' }],
    });
  });

  it('keeps at most `concurrency` uploads in flight and uploads each file once', async () => {
    let inFlight = 0;
    let most = 0;
    const uploaded: string[] = [];
    const files = Array.from({ length: 10 }, (_, i) => ({ name: `f${i}.dcm` }));
    const final = await uploadAll(
      files,
      async (f) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        uploaded.push(f.name);
        inFlight -= 1;
      },
      () => undefined,
      3,
    );
    expect(most).toBe(3);
    expect(uploaded.sort()).toEqual(files.map((f) => f.name).sort());
    expect(final.done).toBe(10);
  });

  it('finishes at once with nothing to upload', async () => {
    expect(
      await uploadAll(
        [],
        async () => undefined,
        () => undefined,
      ),
    ).toEqual({ total: 0, done: 0, failed: [], running: false });
  });
});
