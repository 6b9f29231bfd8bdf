import { createHmac, randomBytes } from 'node:crypto';
import {
  assignSplits,
  checkSplitRatios,
  DATASET_SPLITS,
  DatasetSplit,
  DEFAULT_SPLIT_RATIOS,
  largestRemainder,
  manifestLine,
  patientKey,
  splitAt,
  splitPoint,
} from '../datasets';

const patients = (n: number, prefix = 'p') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const counts = (m: Map<string, DatasetSplit>) => {
  const c = { train: 0, val: 0, test: 0 };
  for (const s of m.values()) c[s]++;
  return c;
};

describe('dataset splits', () => {
  it('places every patient in exactly one split, the same for the same seed, near the ratios', () => {
    const ps = patients(10000);
    const a = assignSplits(ps, { seed: 's1', ratios: DEFAULT_SPLIT_RATIOS });
    const b = assignSplits([...ps].reverse(), { seed: 's1', ratios: DEFAULT_SPLIT_RATIOS });
    expect(a.size).toBe(10000);
    expect(ps.filter((p) => a.get(p) !== b.get(p))).toEqual([]);
    const c = counts(a);
    expect(c.train / 10000).toBeCloseTo(0.7, 1);
    expect(c.val / 10000).toBeCloseTo(0.15, 1);
    expect(c.test / 10000).toBeCloseTo(0.15, 1);
    // Another seed moves patients.
    const other = assignSplits(ps, { seed: 's2', ratios: DEFAULT_SPLIT_RATIOS });
    expect(ps.filter((p) => other.get(p) !== a.get(p)).length).toBeGreaterThan(1000);
  });

  it('keeps every patient of a parent in its split when patients are added (property, 50 random cohorts)', () => {
    for (let trial = 0; trial < 50; trial++) {
      const seed = randomBytes(4).toString('hex');
      const parent = patients(50 + trial * 7, `t${trial}-`);
      const before = assignSplits(parent, { seed, ratios: DEFAULT_SPLIT_RATIOS });
      const added = [...parent.slice(5), ...patients(30, `new${trial}-`)];
      // Unstratified: a patient's split is a function of (seed, key) alone.
      const after = assignSplits(added, { seed, ratios: DEFAULT_SPLIT_RATIOS });
      for (const p of parent.slice(5)) expect(after.get(p)).toBe(before.get(p));
      // Stratified with the parent's splits fixed: still kept.
      const stratumOf = new Map(added.map((p, i) => [p, i % 3 === 0 ? 'tumour' : 'normal']));
      const strat = assignSplits(added, { seed, ratios: DEFAULT_SPLIT_RATIOS, fixed: before, stratumOf });
      for (const p of parent.slice(5)) expect(strat.get(p)).toBe(before.get(p));
      expect(strat.size).toBe(new Set(added).size);
    }
  });

  it('balances each stratum to the ratios when stratifying', () => {
    const ps = patients(200);
    const stratumOf = new Map(ps.map((p, i) => [p, i < 20 ? 'rare' : 'common']));
    const m = assignSplits(ps, { seed: 'x', ratios: DEFAULT_SPLIT_RATIOS, stratumOf });
    const rare = new Map([...m].filter(([p]) => stratumOf.get(p) === 'rare'));
    expect(counts(rare)).toEqual({ train: 14, val: 3, test: 3 });
    const common = new Map([...m].filter(([p]) => stratumOf.get(p) === 'common'));
    expect(counts(common)).toEqual({ train: 126, val: 27, test: 27 });
  });

  it('splits whole numbers by largest remainder and points by ratio', () => {
    expect(largestRemainder(10, DEFAULT_SPLIT_RATIOS)).toEqual({ train: 7, val: 2, test: 1 });
    expect(largestRemainder(1, { train: 0.5, val: 0.5, test: 0 })).toEqual({ train: 1, val: 0, test: 0 });
    for (let n = 0; n < 100; n++) {
      const q = largestRemainder(n, DEFAULT_SPLIT_RATIOS);
      expect(q.train + q.val + q.test).toBe(n);
    }
    expect(splitAt(0, DEFAULT_SPLIT_RATIOS)).toBe('train');
    expect(splitAt(0.7, DEFAULT_SPLIT_RATIOS)).toBe('val');
    expect(splitAt(0.99999, DEFAULT_SPLIT_RATIOS)).toBe('test');
    expect(splitAt(0.99, { train: 1, val: 0, test: 0 })).toBe('train');
    const pt = splitPoint('seed', 'key');
    expect(pt).toBeGreaterThanOrEqual(0);
    expect(pt).toBeLessThan(1);
    expect(splitPoint('seed', 'key')).toBe(pt);
  });

  it('refuses ratios that are not three shares summing to 1, naming the field', () => {
    expect(() => checkSplitRatios({ train: 0.8, val: 0.1, test: 0.2 })).toThrow('splitRatios: train + val + test must be 1');
    expect(() => checkSplitRatios({ train: -0.1, val: 0.6, test: 0.5 })).toThrow('splitRatios: train must be a number from 0 to 1');
    expect(() => checkSplitRatios({ train: NaN, val: 0.5, test: 0.5 })).toThrow('train must be a number');
    expect(checkSplitRatios({ train: 0.6, val: 0.2, test: 0.2 })).toEqual({ train: 0.6, val: 0.2, test: 0.2 });
    expect(DATASET_SPLITS).toEqual(['train', 'val', 'test']);
  });
});

describe('patient keys and manifest lines', () => {
  it('is the HMAC-SHA256 of the trimmed PatientID under the project secret, and refuses an empty one', () => {
    const secret = randomBytes(32);
    expect(patientKey(secret, ' PAT-1 ')).toBe(createHmac('sha256', secret).update('PAT-1').digest('hex'));
    expect(patientKey(randomBytes(32), 'PAT-1')).not.toBe(patientKey(secret, 'PAT-1'));
    expect(() => patientKey(secret, '  ')).toThrow('PatientID: is empty');
  });

  it('writes manifest lines with a fixed key order', () => {
    const line = manifestLine({
      itemKey: '1.2.3',
      studyUid: '1',
      seriesUid: '1.2',
      sopUid: '1.2.3',
      objectKey: null,
      modality: 'CT',
      sha256: 'a'.repeat(64),
      sizeBytes: 10,
      patientKey: 'k',
      split: 'train',
      label: null,
      maskKey: null,
    });
    expect(Object.keys(JSON.parse(line) as object)).toEqual([
      'item',
      'study',
      'series',
      'sop',
      'object',
      'modality',
      'sha256',
      'size',
      'patient',
      'split',
      'label',
      'mask',
    ]);
  });
});
