import {
  bucketize,
  bucketOf,
  bucketStart,
  coverSteps,
  MAX_BUCKETS,
  planBuckets,
  pointPiece,
  referenceDownsample,
  TIER_LEVELS,
  type Piece,
} from '../downsample';

/** A tiny deterministic PRNG so failures reproduce. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** The element at `i`; a shorter list fails the test. */
function at<T>(list: readonly T[], i: number): T {
  const item = list.at(i);
  if (item === undefined) throw new Error(`no element at ${i} (length ${list.length})`);
  return item;
}

/** Tier rows the way the MetricTiers trigger computes them, from raw points. */
function tierPieces(
  points: { step: number; timestamp: number; value: number }[],
  level: number,
  fromBlock: number,
  toBlock: number,
): Piece[] {
  const blocks = new Map<number, Piece[]>();
  for (const p of points) {
    const b = Math.floor(p.step / 2 ** level);
    if (b < fromBlock || b >= toBlock) continue;
    if (!blocks.has(b)) blocks.set(b, []);
    blocks.get(b)!.push(pointPiece(p.step, p.timestamp, p.value));
  }
  return [...blocks].map(([b, ps]) => {
    const plan = { fromStep: b * 2 ** level, toStep: (b + 1) * 2 ** level - 1, width: 2 ** level, level, bucketCount: 1 };
    // Every block here holds points: one non-empty bucket.
    const s = bucketize(plan, ps);
    const last = at(s.last, 0);
    return {
      step: b * 2 ** level,
      n: at(s.counts, 0),
      nanN: at(s.nanCounts, 0),
      min: at(s.min, 0),
      max: at(s.max, 0),
      lastStep: last === null ? null : at(s.steps, 0),
      lastTs: at(s.timestamps, 0),
      last,
    };
  });
}

/** What the stored path does: cover the window with tier blocks and raw ends, then bucketize. */
function viaTiers(plan: ReturnType<typeof planBuckets>, points: { step: number; timestamp: number; value: number }[]) {
  const cover = coverSteps(plan.fromStep, plan.toStep + 1, plan.level);
  const pieces: Piece[] = cover.blocks.flatMap((r) => tierPieces(points, r.level, r.fromBlock, r.toBlock));
  for (const r of cover.raw)
    for (const p of points) if (p.step >= r.fromStep && p.step < r.toStep) pieces.push(pointPiece(p.step, p.timestamp, p.value));
  return bucketize(plan, pieces);
}

describe('planBuckets', () => {
  it('returns every step as its own bucket when the window has no more steps than the budget', () => {
    expect(planBuckets(10, 509, 500)).toEqual({ fromStep: 10, toStep: 509, width: 1, level: null, bucketCount: 500 });
  });

  it('picks the coarsest tier level that fits in a bucket and never exceeds the budget', () => {
    const plan = planBuckets(0, 999_999, 1000);
    expect(plan.level).toBe(10);
    expect(plan.width).toBe(2 ** 10);
    expect(plan.bucketCount).toBeLessThanOrEqual(1000);
    expect(plan.bucketCount).toBeGreaterThan(500);
    for (const [from, to, budget] of [
      [3, 1_234_567, 777],
      [-50_000, 50_000, 2000],
      [17, 20_000, 2],
      [0, 5000, 1000],
    ] as const) {
      const p = planBuckets(from, to, budget);
      expect(p.bucketCount).toBeLessThanOrEqual(budget);
      expect(bucketOf(p, from)).toBe(0);
      expect(bucketOf(p, to)).toBe(p.bucketCount - 1);
      if (p.level !== null) expect(p.width % 2 ** p.level).toBe(0);
      if (p.level !== null && p.level < 18) expect(p.width).toBe(2 ** p.level);
    }
  });

  it('reads raw points when buckets are narrower than the finest block', () => {
    expect(planBuckets(0, 4999, 1000).level).toBeNull();
  });

  it('puts the interior edges at multiples of the width and the first edge at the window start', () => {
    const plan = planBuckets(1000, 101_000, 100);
    expect(bucketStart(plan, 0)).toBe(1000);
    expect(bucketStart(plan, 1) % plan.width).toBe(0);
    expect(bucketOf(plan, bucketStart(plan, 1) - 1)).toBe(0);
    expect(bucketOf(plan, bucketStart(plan, 1))).toBe(1);
  });

  it('refuses windows that end before they start, non-integer steps and budgets below 2', () => {
    expect(() => planBuckets(10, 9, 100)).toThrow(/ends \(step 9\) before it starts \(step 10\)/);
    expect(() => planBuckets(0.5, 9, 100)).toThrow(/integers/);
    expect(() => planBuckets(0, 9, 1)).toThrow(/at least 2/);
    expect(MAX_BUCKETS).toBeGreaterThanOrEqual(1000);
  });
});

describe('coverSteps', () => {
  it('covers a window exactly once with whole blocks and at most one block per finer level per end', () => {
    const random = rng(7);
    for (let t = 0; t < 200; t++) {
      const from = Math.floor(random() * 1_000_000) - 300_000;
      const to = from + 1 + Math.floor(random() * 2_000_000);
      const level = at(TIER_LEVELS, Math.floor(random() * TIER_LEVELS.length));
      const cover = coverSteps(from, to, level);
      const spans = [
        ...cover.blocks.map((b) => [b.fromBlock * 2 ** b.level, b.toBlock * 2 ** b.level] as const),
        ...cover.raw.map((r) => [r.fromStep, r.toStep] as const),
      ].sort((a, b) => a[0] - b[0]);
      expect(spans[0]?.[0]).toBe(from);
      expect(spans.at(-1)?.[1]).toBe(to);
      for (let i = 1; i < spans.length; i++) expect(spans[i]?.[0]).toBe(spans[i - 1]?.[1]);
      // Below the coarsest level used, only the two ragged ends are read: at most one block each.
      const coarsest = Math.max(...cover.blocks.map((b) => b.level));
      for (const l of TIER_LEVELS.filter((x) => x < coarsest)) {
        expect(cover.blocks.filter((b) => b.level === l).reduce((n, b) => n + b.toBlock - b.fromBlock, 0)).toBeLessThanOrEqual(2);
      }
      expect(cover.raw.reduce((n, r) => n + r.toStep - r.fromStep, 0)).toBeLessThanOrEqual(30);
    }
  });
});

describe('bucketize and the tier path', () => {
  it('keeps a one-point spike as the max of its bucket and the last point of every bucket', () => {
    const points = Array.from({ length: 100_000 }, (_, i) => ({
      step: i,
      timestamp: 1_700_000_000_000 + i,
      value: i === 54_321 ? 1e6 : Math.sin(i / 1000),
    }));
    const plan = planBuckets(0, 99_999, 1000);
    const s = viaTiers(plan, points);
    const spike = s.max.indexOf(1e6);
    expect(spike).toBeGreaterThanOrEqual(0);
    expect(s.buckets[spike]).toBe(bucketOf(plan, 54_321));
    // The window's last point is the last bucket's last.
    expect(s.steps[s.steps.length - 1]).toBe(99_999);
    expect(s.last[s.last.length - 1]).toBe(Math.sin(99_999 / 1000));
    expect(s.counts.reduce((a, b) => a + b, 0)).toBe(100_000);
  });

  it('counts NaN and ±Infinity per bucket and leaves them out of min, max and last', () => {
    const plan = planBuckets(0, 9, 3);
    const s = referenceDownsample(plan, [
      { step: 0, timestamp: 1, value: 1 },
      { step: 1, timestamp: 1, value: NaN },
      { step: 2, timestamp: 1, value: Infinity },
      { step: 7, timestamp: 1, value: -Infinity },
      { step: 8, timestamp: 1, value: NaN },
      { step: 9, timestamp: 1, value: NaN },
    ]);
    expect(plan.bucketCount).toBe(2);
    expect(s.counts).toEqual([3, 3]);
    expect(s.nanCounts).toEqual([2, 3]);
    expect(s.min).toEqual([1, null]);
    expect(s.max).toEqual([1, null]);
    expect(s.last).toEqual([1, null]);
    // A bucket with no finite point is drawn at its start.
    expect(s.steps).toEqual([0, bucketStart(plan, 1)]);
  });

  it('takes the last point by step, then timestamp, then value, whatever order points arrive in', () => {
    const plan = planBuckets(0, 100, 2);
    const s = referenceDownsample(plan, [
      { step: 40, timestamp: 9, value: 1 },
      { step: 40, timestamp: 10, value: 2 },
      { step: 40, timestamp: 10, value: 3 },
      { step: 39, timestamp: 99, value: 4 },
    ]);
    expect(s.last).toEqual([3]);
    expect(s.timestamps).toEqual([10]);
  });

  it('matches the reference on random series with duplicate and out-of-order steps, windows and budgets', () => {
    const random = rng(42);
    for (let t = 0; t < 60; t++) {
      const n = 1 + Math.floor(random() * 5000);
      const start = Math.floor(random() * 2000) - 1000;
      const points = Array.from({ length: n }, () => {
        const r = random();
        const value = r < 0.03 ? NaN : r < 0.04 ? Infinity : r < 0.05 ? -Infinity : Math.round((random() - 0.5) * 1e6) / 100;
        return { step: start + Math.floor(random() * n * 3), timestamp: 1_700_000_000_000 + Math.floor(random() * 1000), value };
      });
      const steps = points.map((p) => p.step);
      const lo = Math.min(...steps);
      const hi = Math.max(...steps);
      const from = lo + Math.floor(random() * (hi - lo + 1) * 0.3);
      const to = Math.max(from, hi - Math.floor(random() * (hi - lo + 1) * 0.3));
      const plan = planBuckets(from, to, 2 + Math.floor(random() * 300));
      expect(viaTiers(plan, points)).toEqual(referenceDownsample(plan, points));
    }
  });
});
