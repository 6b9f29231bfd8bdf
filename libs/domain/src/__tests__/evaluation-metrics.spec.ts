/** The evaluation gate's metrics against values worked out by hand (each case shows the arithmetic). */
import { classificationMetrics, dice, iou, overlapCounts, rocAuc, segmentationMetrics } from '../evaluation-metrics';

describe('overlap, Dice and IoU', () => {
  it('counts one foreground label: 2 shared pixels, 1 only predicted, 1 only true', () => {
    const [c] = overlapCounts([0, 1, 1, 0, 1], [0, 1, 0, 1, 1], 2);
    expect(c).toEqual({ tp: 2, fp: 1, fn: 1 });
    expect(dice(c!)).toBeCloseTo(4 / 6, 12); // 2·2 / (2·2 + 1 + 1)
    expect(iou(c!)).toBeCloseTo(2 / 4, 12); // 2 / (2 + 1 + 1)
  });

  it('counts each label of a multi-label map; a pixel of the wrong label is a false positive of one and a miss of the other', () => {
    // background, liver, tumour
    const [liver, tumour] = overlapCounts([1, 1, 2, 0, 2, 2], [1, 2, 2, 0, 0, 2], 3);
    expect(liver).toEqual({ tp: 1, fp: 1, fn: 0 });
    expect(tumour).toEqual({ tp: 2, fp: 1, fn: 1 });
    expect(dice(liver!)).toBeCloseTo(2 / 3, 12);
    expect(iou(tumour!)).toBeCloseTo(0.5, 12);
  });

  it('scores a label absent from both prediction and truth as 1, and one found nowhere it is as 0', () => {
    expect(dice({ tp: 0, fp: 0, fn: 0 })).toBe(1);
    expect(iou({ tp: 0, fp: 0, fn: 0 })).toBe(1);
    expect(dice({ tp: 0, fp: 3, fn: 0 })).toBe(0);
    expect(iou({ tp: 0, fp: 0, fn: 5 })).toBe(0);
  });

  it('refuses maps of different sizes', () => {
    expect(() => overlapCounts([0, 1], [0, 1, 1], 2)).toThrow('The prediction has 2 pixels but the truth 3');
  });

  it('averages over items, and per label', () => {
    const m = segmentationMetrics(
      [
        [
          { tp: 2, fp: 1, fn: 1 },
          { tp: 1, fp: 0, fn: 1 },
        ],
        [
          { tp: 0, fp: 0, fn: 0 },
          { tp: 0, fp: 2, fn: 0 },
        ],
      ],
      ['background', 'liver', 'tumour'],
    );
    // item 1: Dice (2/3 + 2/3) / 2 = 2/3, IoU (1/2 + 1/2) / 2 = 1/2; item 2: Dice (1 + 0) / 2, IoU (1 + 0) / 2
    expect(m.dice).toBeCloseTo((2 / 3 + 1 / 2) / 2, 12);
    expect(m.iou).toBeCloseTo((1 / 2 + 1 / 2) / 2, 12);
    expect(m.perLabel).toEqual([
      { label: 'liver', dice: expect.closeTo((2 / 3 + 1) / 2, 12), iou: expect.closeTo((1 / 2 + 1) / 2, 12) },
      { label: 'tumour', dice: expect.closeTo(2 / 3 / 2, 12), iou: expect.closeTo(1 / 2 / 2, 12) },
    ]);
    expect(segmentationMetrics([], ['background', 'lesion'])).toEqual({
      dice: null,
      iou: null,
      perLabel: [{ label: 'lesion', dice: null, iou: null }],
    });
    expect(() => segmentationMetrics([[{ tp: 1, fp: 0, fn: 0 }]], ['background', 'a', 'b'])).toThrow('Item 0 has counts for 1 labels');
  });
});

describe('ROC AUC (Mann-Whitney)', () => {
  it('is the share of positive/negative pairs ordered right', () => {
    // positives 0.35, 0.8; negatives 0.1, 0.4: 0.35 beats 0.1 only, 0.8 beats both: 3 of 4
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBeCloseTo(0.75, 12);
  });
  it('counts a tie as one half', () => {
    // positives 0.5, 0.9; negatives 0.5, 0.5: 0.5 ties both (1), 0.9 beats both (2): 3 of 4
    expect(rocAuc([0.5, 0.5, 0.5, 0.9], [false, true, false, true])).toBeCloseTo(0.75, 12);
    expect(rocAuc([0.3, 0.3, 0.3], [true, false, false])).toBeCloseTo(0.5, 12);
  });
  it('is 1 for a perfect ranking, 0 for an inverted one, and null without both classes', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
    expect(rocAuc([0.2, 0.4], [true, true])).toBeNull();
    expect(rocAuc([], [])).toBeNull();
  });
});

describe('classification metrics', () => {
  const binary = [0.9, 0.6, 0.4, 0.2, 0.7].map((p) => [1 - p, p]);
  const truth = [1, 1, 1, 0, 0];

  it('binary: positive class labels[1] at the threshold, AUC over its probability', () => {
    const m = classificationMetrics(binary, truth, ['normal', 'malignant']);
    // predicted [1, 1, 0, 0, 1]: TP 2, FN 1, TN 1, FP 1
    expect(m.sensitivity).toBeCloseTo(2 / 3, 12);
    expect(m.specificity).toBeCloseTo(1 / 2, 12);
    expect(m.accuracy).toBeCloseTo(3 / 5, 12);
    // positives 0.9 (beats 0.2, 0.7), 0.6 (beats 0.2), 0.4 (beats 0.2): 4 of 6
    expect(m.auc).toBeCloseTo(4 / 6, 12);
    expect(m.confusion).toEqual([
      [1, 1],
      [1, 2],
    ]);
  });

  it('binary with another threshold moves sensitivity and accuracy, not AUC', () => {
    const m = classificationMetrics(binary, truth, ['normal', 'malignant'], 0.65);
    // predicted [1, 0, 0, 0, 1]
    expect(m).toMatchObject({ sensitivity: 1 / 3, specificity: 1 / 2, accuracy: 2 / 5 });
    expect(m.auc).toBeCloseTo(4 / 6, 12);
  });

  it('more classes: argmax, and macro averages of one class against the rest', () => {
    const m = classificationMetrics(
      [
        [0.7, 0.2, 0.1],
        [0.2, 0.5, 0.3],
        [0.1, 0.3, 0.6],
        [0.3, 0.4, 0.3],
      ],
      [0, 1, 2, 2],
      ['normal', 'benign', 'malignant'],
    );
    expect(m.accuracy).toBeCloseTo(3 / 4, 12);
    // sensitivity per class 1, 1, 1/2; specificity 1, 2/3, 1
    expect(m.sensitivity).toBeCloseTo((1 + 1 + 0.5) / 3, 12);
    expect(m.specificity).toBeCloseTo((1 + 2 / 3 + 1) / 3, 12);
    // AUC per class 1, 1, and for malignant: 0.6 beats 0.1 and 0.3, 0.3 beats 0.1 and ties 0.3: 3.5 of 4
    expect(m.auc).toBeCloseTo((1 + 1 + 0.875) / 3, 12);
    expect(m.perClass.map((c) => c.count)).toEqual([1, 1, 2]);
  });

  it('refuses predictions that do not match the labels', () => {
    expect(() => classificationMetrics([[0.5, 0.5]], [0], ['a', 'b', 'c'])).toThrow('Item 0 has 2 probabilities; the spec has 3 labels.');
    expect(() => classificationMetrics([[0.5, 0.5]], [2], ['a', 'b'])).toThrow('Item 0 has true class 2');
  });
});
