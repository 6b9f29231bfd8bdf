/** Pure helpers of the datasets pages: split names and ratios, the item table's window, upload progress. */
import type { DatasetSplit } from '../gql/graphql';

export const SPLITS: readonly DatasetSplit[] = ['TRAIN', 'VAL', 'TEST'];

const SPLIT_LABELS: Record<DatasetSplit, string> = { TRAIN: 'Train', VAL: 'Validation', TEST: 'Test' };

/** A split as people read it; null is an item not yet placed (a draft before its patients are split). */
export function splitLabel(split: DatasetSplit | null | undefined): string {
  return split ? SPLIT_LABELS[split] : 'Not placed';
}

export interface SplitRatios {
  train: number;
  val: number;
  test: number;
}

const percent = (x: number) => `${Math.round(x * 1000) / 10}`;

/** "70 / 15 / 15 % (train / validation / test)". */
export function formatRatios(r: SplitRatios): string {
  return `${percent(r.train)} / ${percent(r.val)} / ${percent(r.test)} % (train / validation / test)`;
}

/** Split ratios as typed, in percent. */
export interface RatioPercents {
  train: string;
  val: string;
  test: string;
}

export const NO_RATIO_PERCENTS: RatioPercents = { train: '', val: '', test: '' };

/**
 * Ratios typed as percentages, as the API takes them (fractions summing to 1), or what is wrong
 * with them in words a user can act on.
 */
export function parseRatioPercents(input: RatioPercents): { ratios: SplitRatios } | { error: string } {
  const values: number[] = [];
  for (const [name, text] of [
    ['Train', input.train],
    ['Validation', input.val],
    ['Test', input.test],
  ] as const) {
    const trimmed = text.trim();
    const n = Number(trimmed);
    if (trimmed === '' || !Number.isFinite(n) || n < 0 || n > 100) return { error: `${name} must be a percentage from 0 to 100.` };
    values.push(n);
  }
  const [train = 0, val = 0, test = 0] = values;
  const sum = train + val + test;
  if (Math.abs(sum - 100) > 1e-6) return { error: `The percentages add up to ${Math.round(sum * 100) / 100}, not 100.` };
  if (train === 0) return { error: 'Train must be more than 0 %.' };
  return { ratios: { train: train / 100, val: val / 100, test: test / 100 } };
}

/** As parseRatioPercents, but with all three left empty there are no ratios (the default or the parent's apply). */
export function optionalRatioPercents(input: RatioPercents): { ratios: SplitRatios | undefined } | { error: string } {
  if (!input.train.trim() && !input.val.trim() && !input.test.trim()) return { ratios: undefined };
  return parseRatioPercents(input);
}

/** Rows [first, last) of a windowed list at `scrollTop`, with `overscan` rows either side of the viewport. */
export function visibleWindow(opts: { scrollTop: number; rowHeight: number; viewportRows: number; overscan: number; total: number }): {
  first: number;
  last: number;
} {
  const { scrollTop, rowHeight, viewportRows, overscan, total } = opts;
  const top = Math.max(0, Math.floor(scrollTop / rowHeight));
  const first = Math.min(total, Math.max(0, top - overscan));
  const last = Math.min(total, top + viewportRows + overscan);
  return { first, last: Math.max(first, last) };
}

export interface UploadFailure {
  name: string;
  message: string;
}

export interface UploadProgress {
  total: number;
  done: number;
  failed: UploadFailure[];
  running: boolean;
}

/** "12 of 40 uploaded, 1 failed". */
export function describeUploadProgress(p: UploadProgress): string {
  const uploaded = p.done - p.failed.length;
  const failed = p.failed.length ? `, ${p.failed.length} failed` : '';
  return `${uploaded} of ${p.total} uploaded${failed}${p.running ? '…' : '.'}`;
}

/**
 * Uploads `files` with at most `concurrency` in flight, reporting progress after each; a failed file
 * is recorded with its message and the others go on. Resolves with the final progress.
 */
export async function uploadAll<F extends { name: string }>(
  files: readonly F[],
  upload: (file: F) => Promise<void>,
  onProgress: (p: UploadProgress) => void,
  concurrency = 3,
): Promise<UploadProgress> {
  const progress: UploadProgress = { total: files.length, done: 0, failed: [], running: files.length > 0 };
  onProgress({ ...progress });
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++];
      if (!file) break;
      try {
        await upload(file);
      } catch (err) {
        progress.failed = [...progress.failed, { name: file.name, message: err instanceof Error ? err.message : String(err) }];
      }
      progress.done += 1;
      progress.running = progress.done < progress.total;
      onProgress({ ...progress, failed: [...progress.failed] });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  return { ...progress, running: false };
}

/** Item keys typed or pasted one per line, or separated by commas or spaces; blanks and repeats dropped. */
export function itemKeysOf(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).filter((k) => k !== ''))];
}
