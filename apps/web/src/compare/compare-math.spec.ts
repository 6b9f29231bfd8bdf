import { axisCoverage, axisOf, axisPosition, diffRows, fieldValue, groupRuns, type RunFacts } from './analysis';
import {
  emaSmooth,
  groupLine,
  linearTicks,
  logTicks,
  nearestIndex,
  PALETTE,
  prepareLine,
  runColor,
  runColors,
  stepWindow,
  valueExtent,
  type SeriesColumns,
} from './series';
import { compareSearch, defaultMetrics, parseCompareState, searchOfEntries } from './url-state';

const cols = (runId: string, steps: number[], last: (number | null)[], extra: Partial<SeriesColumns> = {}): SeriesColumns => ({
  runId,
  key: 'loss',
  buckets: steps.map((_, i) => i),
  steps,
  timestamps: steps.map((s) => 1000 + s * 10),
  last,
  min: last,
  max: last,
  ...extra,
});

describe('EMA smoothing', () => {
  it('is debiased like TensorBoard: the first point is kept, a constant stays constant', () => {
    expect(emaSmooth([5, 5, 5], 0.9)).toEqual([5, 5, 5].map((v) => expect.closeTo(v, 10)));
    const s = emaSmooth([1, 0], 0.5);
    expect(s[0]).toBeCloseTo(1);
    // (0.5·0.5·1 + 0.5·0) / (1 − 0.25) = 1/3
    expect(s[1]).toBeCloseTo(1 / 3);
  });
  it('leaves gaps as gaps without advancing, and weight 0 is the raw series', () => {
    expect(emaSmooth([2, null, 2], 0.6)).toEqual([expect.closeTo(2, 10), null, expect.closeTo(2, 10)]);
    expect(emaSmooth([1, 3, 2], 0)).toEqual([1, 3, 2]);
  });
});

describe('lines and groups', () => {
  it('puts x on steps, wall time or time since the run started, and drops non-positive values on a log axis', () => {
    const c = cols('a', [0, 5, 10], [1, 0, 2]);
    const base = { startMs: 900, smoothing: 0, logY: false, label: 'a', color: 'red' };
    expect(prepareLine(c, { ...base, xMode: 'step' }).x).toEqual([0, 5, 10]);
    expect(prepareLine(c, { ...base, xMode: 'wall' }).x).toEqual([1000, 1050, 1100]);
    expect(prepareLine(c, { ...base, xMode: 'relative' }).x).toEqual([100, 150, 200]);
    expect(prepareLine(c, { ...base, startMs: null, xMode: 'relative' }).x).toEqual([0, 50, 100]);
    expect(prepareLine(c, { ...base, xMode: 'step', logY: true }).raw).toEqual([1, null, 2]);
  });
  it('averages a group per shared bucket with the min–max band across its runs', () => {
    const opts = { xMode: 'step' as const, startMs: null, smoothing: 0, logY: false, color: 'x' };
    const a = prepareLine(cols('a', [0, 10, 20], [1, 2, 3]), { ...opts, label: 'a' });
    const b = prepareLine(cols('b', [0, 10], [3, 6], { buckets: [0, 1] }), { ...opts, label: 'b' });
    const g = groupLine([a, b], { id: 'g', label: 'g', color: 'x', smoothing: 0 });
    expect(g.buckets).toEqual([0, 1, 2]);
    expect(g.raw).toEqual([2, 4, 3]);
    expect(g.lo).toEqual([1, 2, 3]);
    expect(g.hi).toEqual([3, 6, 3]);
  });
  it('finds the nearest point and the step window behind an x range', () => {
    expect(nearestIndex([0, 10, 20], 14)).toBe(1);
    expect(nearestIndex([0, 10, 20], 16)).toBe(2);
    expect(nearestIndex([], 1)).toBe(-1);
    const l = prepareLine(cols('a', [0, 5, 10, 15], [1, 2, 3, 4]), {
      xMode: 'wall',
      startMs: null,
      smoothing: 0,
      logY: false,
      label: 'a',
      color: 'x',
    });
    expect(stepWindow([l], 1040, 1120)).toEqual([5, 10]);
    expect(stepWindow([l], 2000, 3000)).toBeNull();
  });
});

describe('axes and colours', () => {
  it('picks round ticks', () => {
    expect(linearTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(logTicks(0.01, 10)).toEqual([0.01, 0.1, 1, 10]);
    expect(valueExtent([[3, null, -1], [7]], false)).toEqual([-1, 7]);
    expect(valueExtent([[3, null, -1], [7]], true)).toEqual([3, 7]);
  });
  it('gives a run the same colour whatever it is compared with', () => {
    expect(runColor('0123456789abcdef0123456789abcdef')).toBe(runColor('0123456789abcdef0123456789abcdef'));
    expect(runColor('0123456789abcdef0123456789abcdef')).not.toBe(runColor('fedcba9876543210fedcba9876543210'));
    const ids = Array.from({ length: 25 }, (_, i) => `run-${i}`);
    const twenty = runColors(ids.slice(0, 20));
    expect(new Set(twenty.values()).size).toBe(20);
    expect([...twenty.values()].every((c) => PALETTE.includes(c))).toBe(true);
    // The first run of a list keeps its hashed slot whatever follows it.
    expect(runColors(['run-3', 'run-7']).get('run-3')).toBe(runColors(['run-3', 'run-1', 'run-9']).get('run-3'));
    expect(runColors(ids).get('run-24')).toMatch(/^hsl\(/);
  });
});

describe('URL state', () => {
  it('round-trips and leaves defaults out', () => {
    const s = parseCompareState(
      new URLSearchParams('runs=a,b,a&metrics=loss,system/cpu&x=wall&y=log&smooth=0.3&from=20&to=10&hide=b&group=param:lr&same=1'),
    );
    expect(s).toMatchObject({
      runs: ['a', 'b'],
      metrics: ['loss', 'system/cpu'],
      x: 'wall',
      y: 'log',
      smooth: 0.3,
      from: 10,
      to: 20,
      hide: ['b'],
      group: 'param:lr',
      same: true,
    });
    expect(parseCompareState(compareSearch(s))).toEqual(s);
    expect(compareSearch(parseCompareState(new URLSearchParams('runs=a&x=bogus&smooth=7'))).toString()).toBe('runs=a&smooth=0.99');
    expect(
      searchOfEntries([
        { key: 'runs', value: 'a' },
        { key: 'evil', value: '1' },
        { key: 'x', value: 'relative' },
      ]),
    ).toBe('runs=a&x=relative');
  });
  it('defaults to training metrics first, then a few system ones', () => {
    expect(defaultMetrics(['loss', 'system/a', 'dice', 'system/b'])).toEqual(['loss', 'dice', 'system/a', 'system/b']);
  });
});

describe('diff, fields and groups', () => {
  const run = (runId: string, lr: string | null, tag: string, loss: number): RunFacts => ({
    runId,
    name: runId,
    color: 'x',
    params: [...(lr === null ? [] : [{ key: 'lr', value: lr }]), { key: 'bs', value: '2' }],
    tags: [
      { key: 'site', value: tag },
      { key: 'mlflow.user', value: runId },
    ],
    latestMetrics: [{ key: 'loss', value: loss }],
  });
  const runA = run('a', '0.1', 'n', 1);
  const runs = [runA, run('b', '0.01', 'n', 2), run('c', null, 'n', 3)];
  it('marks rows whose values differ and leaves out MLflow tags', () => {
    expect(diffRows(runs)).toEqual([
      { kind: 'param', key: 'bs', values: ['2', '2', '2'], differs: false },
      { kind: 'param', key: 'lr', values: ['0.1', '0.01', null], differs: true },
      { kind: 'tag', key: 'site', values: ['n', 'n', 'n'], differs: false },
    ]);
  });
  it('reads fields, builds numeric or categorical axes, and groups runs', () => {
    expect(fieldValue(runA, 'metric:loss')).toBe(1);
    expect(fieldValue(runA, 'tag:site')).toBe('n');
    const ax = axisOf(runs.map((r) => fieldValue(r, 'param:lr')));
    expect(ax).toEqual({ numeric: true, lo: 0.01, hi: 0.1 });
    expect(axisPosition(ax, '0.1')).toBe(1);
    const cat = axisOf(['adam', 'sgd', null, 'adam']);
    expect(cat).toEqual({ numeric: false, categories: ['adam', 'sgd'] });
    expect(axisPosition(cat, 'sgd')).toBe(1);
    expect(groupRuns(runs, 'param:lr').map((g) => [g.value, g.runs.map((r) => r.runId)])).toEqual([
      ['(none)', ['c']],
      ['0.01', ['b']],
      ['0.1', ['a']],
    ]);
  });
  it('places runs on every axis, or names the axes a run has no value on', () => {
    const fields = ['param:lr', 'param:bs', 'metric:loss'];
    const axes = fields.map((f) => ({ f, axis: axisOf(runs.map((r) => fieldValue(r, f))) }));
    const { complete, incomplete } = axisCoverage(runs, axes);
    expect(complete.map(({ run, positions }) => [run.runId, positions])).toEqual([
      ['a', [1, 0.5, 0]],
      ['b', [0, 0.5, 0.5]],
    ]);
    expect(incomplete.map(({ run, missing }) => [run.runId, missing])).toEqual([['c', ['param:lr']]]);
  });
});
