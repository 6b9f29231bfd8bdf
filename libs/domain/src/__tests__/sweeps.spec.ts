import { DomainError, expandSweep, TemplateParameter } from '../index';

const params: TemplateParameter[] = [
  { name: 'lr', type: 'float', default: 0.001, min: 1e-6, max: 1 },
  { name: 'epochs', type: 'int', default: 10, min: 1, max: 500 },
  { name: 'amp', type: 'bool', default: true },
  { name: 'loss', type: 'choice', default: 'dice', choices: ['dice', 'dice_ce', 'focal'] },
];

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return (err as Error).message;
  }
  throw new Error('expected an error');
};

describe('grid sweeps', () => {
  it('launch every combination, in order', () => {
    expect(
      expandSweep(params, {
        method: 'grid',
        maxConcurrent: 2,
        dimensions: [
          { name: 'lr', values: ['0.01', '0.001'] },
          { name: 'loss', values: ['dice', 'focal'] },
        ],
      }),
    ).toEqual([
      [
        { name: 'lr', value: '0.01' },
        { name: 'loss', value: 'dice' },
      ],
      [
        { name: 'lr', value: '0.01' },
        { name: 'loss', value: 'focal' },
      ],
      [
        { name: 'lr', value: '0.001' },
        { name: 'loss', value: 'dice' },
      ],
      [
        { name: 'lr', value: '0.001' },
        { name: 'loss', value: 'focal' },
      ],
    ]);
  });

  it('name a bad value with its run, and every problem of the spec at once', () => {
    expect(
      messageOf(() => expandSweep(params, { method: 'grid', maxConcurrent: 1, dimensions: [{ name: 'epochs', values: ['10', '900'] }] })),
    ).toBe('The sweep is not valid: run 2 (epochs=900): The launch values are not valid: epochs: 900 is above the maximum 500.');
    expect(
      messageOf(() =>
        expandSweep(params, {
          method: 'grid',
          maxConcurrent: 0,
          runs: 3,
          dimensions: [{ name: 'batch', values: ['1'] }, { name: 'lr' }, { name: 'lr', values: ['1'], min: 0 }],
        }),
      ),
    ).toBe(
      'The sweep is not valid: maxConcurrent must be a whole number from 1 to 50. ' +
        "'batch' is not a parameter of this template. lr: a grid dimension needs its values. " +
        "'lr' is swept twice. lr: a grid dimension takes values, not a range. a grid sweep runs every combination: leave runs out.",
    );
    const many = Array.from({ length: 11 }, (_, i) => String(i + 1));
    expect(
      messageOf(() =>
        expandSweep(params, {
          method: 'grid',
          maxConcurrent: 1,
          dimensions: [
            { name: 'epochs', values: many },
            { name: 'lr', values: many.map((v) => `0.${v}`) },
          ],
        }),
      ),
    ).toBe('The sweep is not valid: the sweep would launch 121 runs; at most 100.');
  });
});

describe('random sweeps', () => {
  const spec = {
    method: 'random' as const,
    maxConcurrent: 3,
    runs: 20,
    seed: 'kidney-2026',
    dimensions: [
      { name: 'lr', min: 1e-5, max: 1e-1, log: true },
      { name: 'epochs', min: 5, max: 9 },
      { name: 'amp' },
      { name: 'loss', values: ['dice', 'focal'] },
    ],
  };

  it('draw within the ranges, the same runs for the same seed and other runs for another', () => {
    const runs = expandSweep(params, spec);
    expect(runs).toHaveLength(20);
    for (const r of runs) {
      const v = Object.fromEntries(r.map((x) => [x.name, x.value]));
      expect(Number(v.lr)).toBeGreaterThanOrEqual(1e-5);
      expect(Number(v.lr)).toBeLessThanOrEqual(1e-1);
      expect(Number.isInteger(Number(v.epochs))).toBe(true);
      expect(Number(v.epochs)).toBeGreaterThanOrEqual(5);
      expect(Number(v.epochs)).toBeLessThanOrEqual(9);
      expect(['true', 'false']).toContain(v.amp);
      expect(['dice', 'focal']).toContain(v.loss);
    }
    // Log space: about as many draws below 1e-3 as above (uniform would put almost all above).
    expect(runs.filter((r) => Number(r[0]!.value) < 1e-3).length).toBeGreaterThanOrEqual(5);
    expect(new Set(runs.map((r) => r[1]!.value)).size).toBeGreaterThan(2);
    expect(expandSweep(params, spec)).toEqual(runs);
    expect(expandSweep(params, { ...spec, seed: 'another' })).not.toEqual(runs);
  });

  it('refuse ranges outside the parameter, log ranges at 0, and sweeps without runs', () => {
    expect(
      messageOf(() =>
        expandSweep(params, {
          method: 'random',
          maxConcurrent: 1,
          dimensions: [
            { name: 'lr', min: 0, max: 2, log: true },
            { name: 'epochs', values: ['1'] },
            { name: 'amp', min: 0 },
          ],
        }),
      ),
    ).toBe(
      'The sweep is not valid: lr: a log-space range must be above 0. ' +
        'epochs: a random numeric dimension takes a range (min, max), not values. amp: only numeric parameters take a range. ' +
        'a random sweep needs runs (how many).',
    );
    expect(
      messageOf(() => expandSweep(params, { method: 'random', maxConcurrent: 1, runs: 2, dimensions: [{ name: 'lr', min: 0.5, max: 2 }] })),
    ).toBe("The sweep is not valid: lr: the range 0.5–2 leaves the parameter's bounds 0.000001–1.");
  });
});
