import { parseModelSpec, specFromTags, specSignatureProblem, TrackingError, type ModelSpec } from '../index';

const seg: ModelSpec = {
  taskType: 'segmentation',
  preprocessing: {
    window: { center: 40, width: 400 },
    spacing: [1, 1],
    size: [64, 64],
    normalisation: { kind: 'zscore', mean: 0, std: 1 },
  },
  postprocessing: { threshold: 0.5, labels: ['background', 'lesion'] },
};

describe('model spec', () => {
  it('accepts a full segmentation spec and a minimal classifier one', () => {
    expect(parseModelSpec(seg)).toEqual({ ok: true, spec: seg });
    expect(parseModelSpec({ taskType: 'classification', preprocessing: {}, postprocessing: { labels: ['no', 'yes'] } }).ok).toBe(true);
  });

  it('names every problem with its field', () => {
    const r = parseModelSpec({
      taskType: 'regression',
      preprocessing: { window: { center: 0, width: -1 }, normalisation: { kind: 'minmax', min: 1, max: 0 }, extra: 1 },
      postprocessing: { threshold: 2, labels: ['a', 'a'] },
    });
    expect(r.ok).toBe(false);
    const problem = (r as { problem: string }).problem;
    for (const part of [
      'taskType',
      'preprocessing.window.width',
      'preprocessing.normalisation.max',
      'preprocessing',
      'postprocessing.threshold',
      'labels must be unique',
    ])
      expect(problem).toContain(part);
  });

  it('reads the spec from caliper.* tags, refusing bad JSON', () => {
    expect(specFromTags([{ key: 'other', value: 'x' }])).toBeNull();
    expect(
      specFromTags([
        { key: 'caliper.task_type', value: 'segmentation' },
        { key: 'caliper.preprocessing', value: JSON.stringify(seg.preprocessing) },
        { key: 'caliper.postprocessing', value: JSON.stringify(seg.postprocessing) },
      ]),
    ).toEqual(seg);
    expect(() =>
      specFromTags([
        { key: 'caliper.task_type', value: 'segmentation' },
        { key: 'caliper.postprocessing', value: '{' },
      ]),
    ).toThrow(new TrackingError('INVALID_PARAMETER', 'Tag caliper.postprocessing must be a JSON object.'));
    expect(() => specFromTags([{ key: 'caliper.task_type', value: 'segmentation' }])).toThrow(
      'Invalid model spec: postprocessing: Invalid input: expected object, received undefined.',
    );
  });

  it('checks the spec against the smoke outputs and the input size', () => {
    const input = [{ name: 'image', dtype: 'float32', shape: ['batch', 1, 64, 64] }];
    expect(specSignatureProblem(seg, input, [{ name: 'logits', dtype: 'float32', shape: [1, 2, 64, 64] }])).toBeNull();
    expect(specSignatureProblem(seg, input, [{ name: 'logits', dtype: 'float32', shape: [1, 3, 64, 64] }])).toMatch(/3 channel/);
    expect(specSignatureProblem(seg, input, [{ name: 'logits', dtype: 'float32', shape: [1, 2] }])).toMatch(/must be \[N, C, H, W\]/);
    expect(
      specSignatureProblem({ ...seg, preprocessing: { size: [128, 128] } }, input, [
        { name: 'logits', dtype: 'float32', shape: [1, 2, 64, 64] },
      ]),
    ).toMatch(/preprocessing.size is \[128, 128\]/);
    const cls: ModelSpec = { taskType: 'classification', preprocessing: {}, postprocessing: { labels: ['a', 'b', 'c'] } };
    expect(specSignatureProblem(cls, input, [{ name: 'logits', dtype: 'float32', shape: [1, 3] }])).toBeNull();
    expect(specSignatureProblem(cls, input, [{ name: 'logits', dtype: 'float32', shape: [1, 2] }])).toMatch(/2 score/);
  });
});
