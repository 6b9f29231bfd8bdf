/**
 * Dataset rules (issue 13): patient-level splits, pseudonymous patient keys and the canonical
 * manifest of a sealed version. Framework-free; the api and the worker share them.
 */
import { createHash, createHmac } from 'node:crypto';
import { badInput } from './errors';

export const DATASET_SPLITS = ['train', 'val', 'test'] as const;
export type DatasetSplit = (typeof DATASET_SPLITS)[number];
export type SplitRatios = Record<DatasetSplit, number>;

export const DEFAULT_SPLIT_RATIOS: SplitRatios = { train: 0.7, val: 0.15, test: 0.15 };
export const MAX_DATASET_NAME = 100;
export const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isDatasetSplit(value: string): value is DatasetSplit {
  return (DATASET_SPLITS as readonly string[]).includes(value);
}

/** Ratios for train/val/test: each in [0, 1], summing to 1 (within 1e-9). */
export function checkSplitRatios(r: SplitRatios, field = 'splitRatios'): SplitRatios {
  for (const s of DATASET_SPLITS) {
    const v = r[s];
    if (!Number.isFinite(v) || v < 0 || v > 1) throw badInput(field, `${s} must be a number from 0 to 1 (got ${String(v)})`);
  }
  const sum = r.train + r.val + r.test;
  if (Math.abs(sum - 1) > 1e-9) throw badInput(field, `train + val + test must be 1 (got ${sum})`);
  return { train: r.train, val: r.val, test: r.test };
}

/**
 * The pseudonymous key of a patient: HMAC-SHA256 of the PatientID (trimmed) under the project's
 * secret, hex. The same patient gets the same key in every version of the project's datasets; the
 * PatientID itself is never stored.
 */
export function patientKey(secret: Buffer, patientId: string): string {
  const id = patientId.trim();
  if (!id) throw badInput('PatientID', 'is empty: every item needs a patient to be split by patient');
  return createHmac('sha256', secret).update(id, 'utf8').digest('hex');
}

/** A patient's position in [0, 1) for a seed: the first 52 bits of sha256(seed \0 key). */
export function splitPoint(seed: string, key: string): number {
  const h = createHash('sha256').update(seed, 'utf8').update('\0').update(key, 'utf8').digest();
  return (h.readUInt32BE(0) * 2 ** 20 + (h.readUInt32BE(4) >>> 12)) / 2 ** 52;
}

/** The split a point in [0, 1) falls in under the ratios (train first, then val, then test). */
export function splitAt(point: number, ratios: SplitRatios): DatasetSplit {
  if (point < ratios.train) return 'train';
  if (point < ratios.train + ratios.val) return 'val';
  return ratios.test > 0 ? 'test' : ratios.val > 0 ? 'val' : 'train';
}

export interface SplitPlan {
  seed: string;
  ratios: SplitRatios;
  /** Splits patients already had (in the parent version or an explicit list): kept as they are. */
  fixed?: ReadonlyMap<string, DatasetSplit>;
  /** A patient's stratum (e.g. its label): new patients are placed so each stratum follows the ratios. */
  stratumOf?: ReadonlyMap<string, string>;
}

/**
 * Assigns every patient one split. Patients with a fixed split keep it. Without strata, a new
 * patient's split depends only on the seed and its key, so it is the same in every version that
 * shares the seed. With strata, new patients of each stratum, in the order of their points, fill
 * each split up to its share of the stratum (counting fixed patients), largest remainder first.
 */
export function assignSplits(patients: Iterable<string>, plan: SplitPlan): Map<string, DatasetSplit> {
  const out = new Map<string, DatasetSplit>();
  const fresh: string[] = [];
  for (const p of new Set(patients)) {
    const f = plan.fixed?.get(p);
    if (f) out.set(p, f);
    else fresh.push(p);
  }
  if (!plan.stratumOf) {
    for (const p of fresh) out.set(p, splitAt(splitPoint(plan.seed, p), plan.ratios));
    return out;
  }
  const strata = new Map<string, { fresh: string[]; fixed: Record<DatasetSplit, number> }>();
  const stratum = (p: string) => {
    const s = plan.stratumOf?.get(p) ?? '';
    let g = strata.get(s);
    if (!g) strata.set(s, (g = { fresh: [], fixed: { train: 0, val: 0, test: 0 } }));
    return g;
  };
  for (const [p, s] of out) stratum(p).fixed[s]++;
  for (const p of fresh) stratum(p).fresh.push(p);
  for (const g of strata.values()) {
    const total = g.fresh.length + g.fixed.train + g.fixed.val + g.fixed.test;
    const quota = largestRemainder(total, plan.ratios);
    const need = DATASET_SPLITS.map((s) => Math.max(0, quota[s] - g.fixed[s]));
    const ordered = g.fresh.map((p) => ({ p, at: splitPoint(plan.seed, p) })).sort((a, b) => a.at - b.at || (a.p < b.p ? -1 : 1));
    let i = 0;
    for (const [k, s] of DATASET_SPLITS.entries()) {
      for (let n = 0; n < (need[k] ?? 0) && i < ordered.length; n++) out.set(ordered[i++]!.p, s);
    }
    // Fixed patients already over a split's share leave fewer places: the rest go by their point.
    for (; i < ordered.length; i++) out.set(ordered[i]!.p, splitAt(ordered[i]!.at, plan.ratios));
  }
  return out;
}

/** Whole numbers per split summing to `total`, each as close to ratio × total as possible. */
export function largestRemainder(total: number, ratios: SplitRatios): Record<DatasetSplit, number> {
  const exact = DATASET_SPLITS.map((s) => ratios[s] * total);
  const floors = exact.map(Math.floor);
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i]!++;
    left--;
  }
  return { train: floors[0]!, val: floors[1]!, test: floors[2]! };
}

/** One item as it appears in a manifest, in a fixed key order. */
export interface ManifestItem {
  itemKey: string;
  studyUid: string | null;
  seriesUid: string | null;
  sopUid: string | null;
  objectKey: string | null;
  modality: string | null;
  sha256: string;
  sizeBytes: number;
  patientKey: string;
  split: DatasetSplit | null;
  label: string | null;
  maskKey: string | null;
}

/** A manifest line: JSON with keys in this order, so the same items always hash the same. */
export function manifestLine(i: ManifestItem): string {
  return JSON.stringify({
    item: i.itemKey,
    study: i.studyUid,
    series: i.seriesUid,
    sop: i.sopUid,
    object: i.objectKey,
    modality: i.modality,
    sha256: i.sha256,
    size: i.sizeBytes,
    patient: i.patientKey,
    split: i.split,
    label: i.label,
    mask: i.maskKey,
  });
}
