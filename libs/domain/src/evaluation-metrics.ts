/**
 * The metrics a model version is judged by on a sealed test set (issue 14, the evaluation gate),
 * as pure arithmetic over what the worker counted: overlap counts per label for segmentation,
 * scores and true classes for classification. Conventions a signer may ask about:
 * - Dice and IoU of a label that is absent from both the prediction and the truth of an item are 1
 *   (nothing to find, nothing found); an item's Dice is the mean over its foreground labels, and
 *   the set's Dice the mean over items.
 * - AUC is the Mann-Whitney U statistic over the positive-class scores, ties counting one half;
 *   it is null when the test set lacks positives or negatives (it is then undefined, not 0.5).
 * - With more than two classes, AUC, sensitivity and specificity are macro averages of each class
 *   against the rest (classes without positives in the set are left out of AUC).
 */

/** Pixels of one label in one item: in both, only in the prediction, only in the truth. */
export interface OverlapCounts {
  tp: number;
  fp: number;
  fn: number;
}

/**
 * Overlap counts of labels 1..labelCount-1 (label 0 is background) between two label maps of the
 * same size: one entry per foreground label.
 */
export function overlapCounts(predicted: ArrayLike<number>, truth: ArrayLike<number>, labelCount: number): OverlapCounts[] {
  if (predicted.length !== truth.length)
    throw new RangeError(`The prediction has ${predicted.length} pixels but the truth ${truth.length}; they must be the same size.`);
  const counts = Array.from({ length: Math.max(0, labelCount - 1) }, () => ({ tp: 0, fp: 0, fn: 0 }));
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i]!;
    const t = truth[i]!;
    if (p === t) {
      if (p > 0 && p < labelCount) counts[p - 1]!.tp++;
      continue;
    }
    if (p > 0 && p < labelCount) counts[p - 1]!.fp++;
    if (t > 0 && t < labelCount) counts[t - 1]!.fn++;
  }
  return counts;
}

export function dice(c: OverlapCounts): number {
  const denominator = 2 * c.tp + c.fp + c.fn;
  return denominator === 0 ? 1 : (2 * c.tp) / denominator;
}

export function iou(c: OverlapCounts): number {
  const union = c.tp + c.fp + c.fn;
  return union === 0 ? 1 : c.tp / union;
}

const mean = (xs: readonly number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export interface SegmentationMetrics {
  dice: number | null;
  iou: number | null;
  /** Mean over items, for each foreground label by name. */
  perLabel: { label: string; dice: number | null; iou: number | null }[];
}

/**
 * Mean Dice and IoU over items (each item's value the mean over its foreground labels), and per
 * label; `labels` are the spec's labels, background first, and each item has one count per
 * foreground label.
 */
export function segmentationMetrics(items: readonly (readonly OverlapCounts[])[], labels: readonly string[]): SegmentationMetrics {
  const foreground = labels.slice(1);
  for (const [i, counts] of items.entries())
    if (counts.length !== foreground.length)
      throw new RangeError(`Item ${i} has counts for ${counts.length} labels; the spec has ${foreground.length} foreground labels.`);
  return {
    dice: mean(items.map((counts) => mean(counts.map(dice))!).filter((v) => v !== null)),
    iou: mean(items.map((counts) => mean(counts.map(iou))!).filter((v) => v !== null)),
    perLabel: foreground.map((label, l) => ({
      label,
      dice: mean(items.map((counts) => dice(counts[l]!))),
      iou: mean(items.map((counts) => iou(counts[l]!))),
    })),
  };
}

/**
 * Area under the ROC curve of `scores` for telling `positive` items from the others: the
 * probability that a random positive scores above a random negative, ties counting one half
 * (average ranks). Null without at least one positive and one negative.
 */
export function rocAuc(scores: readonly number[], positive: readonly boolean[]): number | null {
  if (scores.length !== positive.length) throw new RangeError(`${scores.length} scores but ${positive.length} truths.`);
  const order = scores.map((s, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const ranks = new Array<number>(scores.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]!] = rank;
    start = end + 1;
  }
  let nPos = 0;
  let rankSum = 0;
  for (let i = 0; i < positive.length; i++)
    if (positive[i]) {
      nPos++;
      rankSum += ranks[i]!;
    }
  const nNeg = positive.length - nPos;
  if (!nPos || !nNeg) return null;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export interface ClassificationMetrics {
  auc: number | null;
  sensitivity: number | null;
  specificity: number | null;
  accuracy: number | null;
  /** Per class against the rest: its AUC, sensitivity (recall) and specificity, and how many items are of it. */
  perClass: { label: string; count: number; auc: number | null; sensitivity: number | null; specificity: number | null }[];
  /** confusion[t][p]: items of true class t predicted as p. */
  confusion: number[][];
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/**
 * Metrics of a classifier from each item's class probabilities (summing to 1, one per label) and
 * its true class index. Binary (two labels): the positive class is labels[1], predicted when its
 * probability is at least `threshold`. More classes: the predicted class is the most probable one,
 * and AUC, sensitivity and specificity are macro averages over the classes.
 */
export function classificationMetrics(
  probabilities: readonly (readonly number[])[],
  truth: readonly number[],
  labels: readonly string[],
  threshold = 0.5,
): ClassificationMetrics {
  const k = labels.length;
  if (k < 2) throw new RangeError('A classifier needs at least two labels.');
  if (probabilities.length !== truth.length) throw new RangeError(`${probabilities.length} predictions but ${truth.length} truths.`);
  const predicted = probabilities.map((p, i) => {
    if (p.length !== k) throw new RangeError(`Item ${i} has ${p.length} probabilities; the spec has ${k} labels.`);
    if (k === 2) return p[1]! >= threshold ? 1 : 0;
    let best = 0;
    for (let c = 1; c < k; c++) if (p[c]! > p[best]!) best = c;
    return best;
  });
  const confusion = labels.map(() => labels.map(() => 0));
  truth.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 0 || t >= k) throw new RangeError(`Item ${i} has true class ${t}; the spec has ${k} labels.`);
    confusion[t]![predicted[i]!]!++;
  });
  const n = truth.length;
  const perClass = labels.map((label, c) => {
    const tp = confusion[c]![c]!;
    const positives = confusion[c]!.reduce((a, b) => a + b, 0);
    const predictedC = confusion.reduce((a, row) => a + row[c]!, 0);
    const fp = predictedC - tp;
    const negatives = n - positives;
    return {
      label,
      count: positives,
      auc: rocAuc(
        probabilities.map((p) => p[c]!),
        truth.map((t) => t === c),
      ),
      sensitivity: ratio(tp, positives),
      specificity: ratio(negatives - fp, negatives),
    };
  });
  const correct = confusion.reduce((a, row, c) => a + row[c]!, 0);
  if (k === 2) {
    const positive = perClass[1]!;
    return {
      auc: positive.auc,
      sensitivity: positive.sensitivity,
      specificity: positive.specificity,
      accuracy: ratio(correct, n),
      perClass,
      confusion,
    };
  }
  const macro = (pick: (c: (typeof perClass)[number]) => number | null) => {
    const values = perClass.map(pick).filter((v): v is number => v !== null);
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
  };
  return {
    auc: macro((c) => c.auc),
    sensitivity: macro((c) => c.sensitivity),
    specificity: macro((c) => c.specificity),
    accuracy: ratio(correct, n),
    perClass,
    confusion,
  };
}
