import { commonKeys, formatBytes, formatDuration, formatMetric, nonFiniteSummary, runDurationMs, thinForChart } from './format';

describe('run formatting', () => {
  it('formats durations from milliseconds to days', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(192_000)).toBe('3 min 12 s');
    expect(formatDuration(2 * 3600_000 + 5 * 60_000)).toBe('2 h 05 min');
    expect(formatDuration(76 * 3600_000)).toBe('3 d 4 h');
    expect(formatDuration(null)).toBe('—');
  });

  it('counts a running run up to now and leaves a queued one without a duration', () => {
    const start = '2026-11-27T08:00:00.000Z';
    expect(runDurationMs({ status: 'RUNNING', startTime: start, endTime: null, durationMs: null }, Date.parse(start) + 5000)).toBe(5000);
    expect(runDurationMs({ status: 'QUEUED', startTime: start, endTime: null, durationMs: null }, Date.parse(start) + 5000)).toBeNull();
    expect(runDurationMs({ status: 'FINISHED', startTime: start, endTime: null, durationMs: 90_000 }, 0)).toBe(90_000);
  });

  it('shows non-finite metric markers instead of an empty cell', () => {
    expect(formatMetric(null, 'NaN')).toBe('NaN');
    expect(formatMetric(null, '-Infinity')).toBe('-Infinity');
    expect(formatMetric(0.912345678)).toBe('0.91235');
    expect(formatMetric(3)).toBe('3');
    expect(formatMetric(0.00001234)).toBe('1.234e-5');
    expect(formatMetric(null)).toBe('—');
  });

  it('picks the keys most rows share as columns', () => {
    expect(commonKeys([[{ key: 'loss' }, { key: 'dice' }], [{ key: 'loss' }], [{ key: 'acc' }]], 2)).toEqual(['loss', 'acc']);
  });

  it('thins long histories but keeps spikes and gaps', () => {
    const steps = Array.from({ length: 1000 }, (_, i) => i);
    const values: (number | null)[] = steps.map(() => 1);
    values[500] = 99;
    values[700] = null;
    const thin = thinForChart(steps, values, 100);
    expect(thin.length).toBeLessThanOrEqual(150);
    expect(thin).toContainEqual({ step: 500, value: 99 });
    expect(thin).toContainEqual({ step: 700, value: null });
    expect(thinForChart([1, 2], [3, null], 100)).toEqual([
      { step: 1, value: 3 },
      { step: 2, value: null },
    ]);
  });

  it('always draws the first and last point of a thinned history, whatever their values', () => {
    // 4,000 steps drawn from 1,500 points: the last bucket is steps 3996–3999, and with a wave its
    // lowest and highest values fall inside it, so keeping only those dropped the latest value.
    const steps = Array.from({ length: 4000 }, (_, i) => i);
    const values = steps.map((s) => Math.sin(s));
    const thin = thinForChart(steps, values, 1500);
    expect(thin[0]).toEqual({ step: 0, value: 0 });
    expect(thin[thin.length - 1]).toEqual({ step: 3999, value: Math.sin(3999) });
    expect(thin.length).toBeLessThanOrEqual(1502);
    // Steps stay in order and appear once, the end points included.
    expect(thin.map((p) => p.step)).toEqual([...new Set(thin.map((p) => p.step))].sort((a, b) => a - b));
  });

  it('keeps a non-finite last point as the gap it is, after another gap in its stretch', () => {
    const steps = Array.from({ length: 300 }, (_, i) => i);
    const values: (number | null)[] = steps.map((s) => Math.cos(s));
    values[297] = null;
    values[299] = null;
    expect(thinForChart(steps, values, 100).at(-1)).toEqual({ step: 299, value: null });
  });

  it('summarises where a history is not finite', () => {
    expect(nonFiniteSummary([0, 1, 2, 3], [null, 'NaN', null, 'Infinity'])).toEqual({
      count: 2,
      examples: ['NaN at step 1', 'Infinity at step 3'],
    });
  });

  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MB');
  });
});
