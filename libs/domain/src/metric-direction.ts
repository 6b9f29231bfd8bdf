/**
 * Whether a metric is better low or high, for its "best" value (issue 12). A project can set it per
 * key (metric_directions); a key nobody set follows its name: the words of the key (split at
 * anything but letters and digits, lower-cased) are looked at, an error-like word first, since
 * `dice_loss` is a loss, then a score-like one; a name with neither is taken as a loss.
 */
export const METRIC_DIRECTIONS = ['min', 'max'] as const;
export type MetricDirection = (typeof METRIC_DIRECTIONS)[number];

/** Words (or their beginnings) of metrics that are better low. */
const LOWER_IS_BETTER = [
  'loss',
  'err',
  'mae',
  'mse',
  'rmse',
  'hd',
  'hausdorff',
  'nll',
  'perplexity',
  'ece',
  'fpr',
  'fnr',
  'wer',
  'cer',
  'assd',
  'asd',
];
/** Words (or their beginnings) of metrics that are better high. */
const HIGHER_IS_BETTER = [
  'dice',
  'acc',
  'auc',
  'auroc',
  'iou',
  'miou',
  'f1',
  'fbeta',
  'precision',
  'recall',
  'sensitivity',
  'specificity',
  'tpr',
  'tnr',
  'ppv',
  'npv',
  'jaccard',
  'kappa',
  'psnr',
  'ssim',
  'map',
  'r2',
  'bleu',
  'score',
];

const matches = (word: string, stems: readonly string[]) => stems.some((s) => word === s || word.startsWith(s));

/** The direction a key has when its project has not set one: `val_loss`, `hd95_et` → min; `dice_wt`, `val/accuracy` → max. */
export function defaultMetricDirection(key: string): MetricDirection {
  const words = key
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (words.some((w) => matches(w, LOWER_IS_BETTER))) return 'min';
  if (words.some((w) => matches(w, HIGHER_IS_BETTER))) return 'max';
  return 'min';
}

export const isMetricDirection = (v: string): v is MetricDirection => (METRIC_DIRECTIONS as readonly string[]).includes(v);
