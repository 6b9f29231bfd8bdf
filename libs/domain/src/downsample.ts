/**
 * Downsampling of metric series for charts: buckets over step, shared by every series of one
 * request, each holding the count, the non-finite count, and over the finite points the min, the
 * max and the last point in (step, timestamp, value) order. Never a sample, never an average.
 *
 * The store keeps summaries of blocks of 2^level steps (levels TIER_LEVELS; see the MetricTiers
 * migration). A read makes the bucket width a power of two, so one block of that level is one
 * bucket, aligns the interior bucket edges to multiples of the width, and covers the window
 * exactly: whole blocks of that level in the interior, at most one block of each finer level and
 * then fewer than 16 raw steps at each of the window's ragged ends. Its cost follows the pixel budget, not the length
 * of the series. Everything here is pure; the SQL that reads the pieces is in the persistence
 * layer, and `referenceDownsample` is the specification the stored path is tested against.
 */

/** Levels of metric_tiers, coarsest last: block sizes 16, 32, …, 262,144 steps. */
export const TIER_LEVELS = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18] as const;
const FINEST_LEVEL = TIER_LEVELS[0];
const COARSEST_LEVEL = Math.max(...TIER_LEVELS);

/** The most buckets one request may ask for per series. */
export const MAX_BUCKETS = 2000;

/** The bucket layout of one request: every series is bucketed on the same edges. */
export interface BucketPlan {
  /** First and last step of the window (inclusive). */
  fromStep: number;
  toStep: number;
  /** Steps per bucket; 1 means every point is returned as it was logged (one bucket per step). */
  width: number;
  /** The tier level read for whole blocks, or null when the window is read from raw points. */
  level: number | null;
  /** Number of buckets the window spans. */
  bucketCount: number;
}

/**
 * Plans buckets for the window [fromStep, toStep] at `budget` buckets. Interior edges are the
 * multiples of the width, so a bucket's index is floor(step / width) − floor(fromStep / width),
 * and bucketCount never exceeds the budget.
 */
export function planBuckets(fromStep: number, toStep: number, budget: number): BucketPlan {
  if (!Number.isSafeInteger(fromStep) || !Number.isSafeInteger(toStep)) throw new RangeError('window steps must be integers');
  if (toStep < fromStep) throw new RangeError(`the window ends (step ${toStep}) before it starts (step ${fromStep})`);
  if (!Number.isInteger(budget) || budget < 2) throw new RangeError('the bucket budget must be an integer of at least 2');
  const span = toStep - fromStep + 1;
  if (span <= budget) return { fromStep, toStep, width: 1, level: null, bucketCount: span };
  // Aligned interior edges can add one bucket at each end: budget − 1 widths leave room for it.
  const minWidth = Math.ceil(span / (budget - 1));
  const finest = 2 ** FINEST_LEVEL;
  let width: number;
  let level: number | null;
  if (minWidth < finest) {
    // Narrower buckets than the finest block: read the raw points (fewer than 16 per bucket).
    width = minWidth;
    level = null;
  } else if (minWidth <= 2 ** COARSEST_LEVEL) {
    // A power of two: one block of that level is one bucket (so between budget/2 and budget buckets).
    level = Math.ceil(Math.log2(minWidth));
    width = 2 ** level;
  } else {
    level = COARSEST_LEVEL;
    width = Math.ceil(minWidth / 2 ** COARSEST_LEVEL) * 2 ** COARSEST_LEVEL;
  }
  const bucketCount = Math.floor(toStep / width) - Math.floor(fromStep / width) + 1;
  return { fromStep, toStep, width, level, bucketCount };
}

/** Index of the bucket holding `step` (which must lie in the plan's window). */
export function bucketOf(plan: BucketPlan, step: number): number {
  return Math.floor(step / plan.width) - Math.floor(plan.fromStep / plan.width);
}

/** First step of bucket `i` (the window's start for bucket 0). */
export function bucketStart(plan: BucketPlan, i: number): number {
  return i === 0 ? plan.fromStep : (Math.floor(plan.fromStep / plan.width) + i) * plan.width;
}

/** A run of whole blocks [fromBlock, toBlock) of one level: steps [fromBlock · 2^level, toBlock · 2^level). */
export interface BlockRange {
  level: number;
  fromBlock: number;
  toBlock: number;
}

/** What to read to cover a window exactly: block ranges of the tiers, and raw step ranges [from, to). */
export interface Cover {
  blocks: BlockRange[];
  raw: { fromStep: number; toStep: number }[];
}

/**
 * Covers the steps [from, to) (to exclusive) with whole blocks of `level` and below: the aligned
 * middle at `level`, the ragged ends with the next level down, and so on to raw steps (fewer than
 * 16 at each end). At most one block per finer level per end is read, so the ends cost O(levels).
 */
export function coverSteps(from: number, to: number, level: number | null): Cover {
  const cover: Cover = { blocks: [], raw: [] };
  const walk = (lo: number, hi: number, levelIndex: number) => {
    if (lo >= hi) return;
    // Below the finest level (index −1) there are only raw steps.
    const l = TIER_LEVELS[levelIndex];
    if (l === undefined) {
      cover.raw.push({ fromStep: lo, toStep: hi });
      return;
    }
    const size = 2 ** l;
    const first = Math.ceil(lo / size);
    const last = Math.floor(hi / size);
    if (first >= last) {
      walk(lo, hi, levelIndex - 1);
      return;
    }
    cover.blocks.push({ level: l, fromBlock: first, toBlock: last });
    walk(lo, first * size, levelIndex - 1);
    walk(last * size, hi, levelIndex - 1);
  };
  walk(from, to, level === null ? -1 : TIER_LEVELS.indexOf(level as (typeof TIER_LEVELS)[number]));
  // Raw ranges in step order, merged where they touch, so the reader issues few range scans.
  cover.raw.sort((a, b) => a.fromStep - b.fromStep);
  const merged: Cover['raw'] = [];
  for (const r of cover.raw) {
    const prev = merged[merged.length - 1];
    if (prev && prev.toStep >= r.fromStep) prev.toStep = Math.max(prev.toStep, r.toStep);
    else merged.push({ ...r });
  }
  cover.raw = merged;
  return cover;
}

/** The summary of some points of one series: a tier row, or one raw point. */
export interface Piece {
  /** First step the piece covers (a block's start, or the point's step). */
  step: number;
  n: number;
  nanN: number;
  min: number | null;
  max: number | null;
  lastStep: number | null;
  lastTs: number | null;
  last: number | null;
}

/** One series bucketed on a plan, as parallel lists holding only the non-empty buckets. */
export interface BucketedSeries {
  /** Bucket index of each entry (into the plan's buckets). */
  buckets: number[];
  /** Step of the entry's last finite point: where its value is drawn (the bucket's start when it has none). */
  steps: number[];
  /** Timestamp (epoch ms) of that point, for wall-time axes; null when the bucket has no finite point. */
  timestamps: (number | null)[];
  last: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
  counts: number[];
  nanCounts: number[];
}

/** (step, timestamp, value) order as PostgreSQL sorts it; finite values only here. */
function isAfter(step: number, ts: number, value: number, bStep: number, bTs: number, bValue: number): boolean {
  if (step !== bStep) return step > bStep;
  if (ts !== bTs) return ts > bTs;
  return value > bValue;
}

/** Merges pieces into the plan's buckets. Pieces may come in any order. */
export function bucketize(plan: BucketPlan, pieces: Iterable<Piece>): BucketedSeries {
  const slots = new Map<
    number,
    { n: number; nanN: number; min: number | null; max: number | null; lastStep: number | null; lastTs: number | null; last: number | null }
  >();
  for (const p of pieces) {
    const i = bucketOf(plan, p.step);
    const s = slots.get(i);
    if (!s) {
      slots.set(i, { n: p.n, nanN: p.nanN, min: p.min, max: p.max, lastStep: p.lastStep, lastTs: p.lastTs, last: p.last });
      continue;
    }
    s.n += p.n;
    s.nanN += p.nanN;
    if (p.min !== null && (s.min === null || p.min < s.min)) s.min = p.min;
    if (p.max !== null && (s.max === null || p.max > s.max)) s.max = p.max;
    if (p.lastStep !== null && (s.lastStep === null || isAfter(p.lastStep, p.lastTs!, p.last!, s.lastStep, s.lastTs!, s.last!))) {
      s.lastStep = p.lastStep;
      s.lastTs = p.lastTs;
      s.last = p.last;
    }
  }
  const order = [...slots.keys()].sort((a, b) => a - b);
  const out: BucketedSeries = { buckets: [], steps: [], timestamps: [], last: [], min: [], max: [], counts: [], nanCounts: [] };
  for (const i of order) {
    const s = slots.get(i)!;
    out.buckets.push(i);
    out.steps.push(s.lastStep ?? bucketStart(plan, i));
    out.timestamps.push(s.lastTs);
    out.last.push(s.last);
    out.min.push(s.min);
    out.max.push(s.max);
    out.counts.push(s.n);
    out.nanCounts.push(s.nanN);
  }
  return out;
}

/** A raw point as a piece of its own. */
export function pointPiece(step: number, timestamp: number, value: number): Piece {
  const finite = Number.isFinite(value);
  return {
    step,
    n: 1,
    nanN: finite ? 0 : 1,
    min: finite ? value : null,
    max: finite ? value : null,
    lastStep: finite ? step : null,
    lastTs: finite ? timestamp : null,
    last: finite ? value : null,
  };
}

/**
 * The specification: bucket raw points directly (those outside the window are ignored). The
 * stored path (tiers + raw ends) must give exactly this for any input.
 */
export function referenceDownsample(
  plan: BucketPlan,
  points: Iterable<{ step: number; timestamp: number; value: number }>,
): BucketedSeries {
  const inWindow: Piece[] = [];
  for (const p of points) if (p.step >= plan.fromStep && p.step <= plan.toStep) inWindow.push(pointPiece(p.step, p.timestamp, p.value));
  return bucketize(plan, inWindow);
}
