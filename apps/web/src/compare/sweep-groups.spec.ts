import { runColors } from './series';
import {
  groupVisibility,
  shade,
  sweepRunColors,
  sweepSections,
  sweptParameterKeys,
  sweptValues,
  toggleGroup,
  type SweepInfo,
} from './sweep-groups';

const lrGrid: SweepInfo = { id: 's1', name: 'lr grid', parentRunId: 'p1', sweptParameters: ['lr', 'sleep'], runIds: ['a', 'b', 'c'] };
const seeds: SweepInfo = { id: 's2', name: 'seeds', parentRunId: 'p2', sweptParameters: ['seed'], runIds: ['x', 'y'] };

describe('sweep groups of the compare page', () => {
  it("puts a sweep's compared runs in one section at its first run's place, parent first and children in launch order; other runs alone", () => {
    const sections = sweepSections([
      { runId: 'solo', sweep: null },
      { runId: 'c', sweep: lrGrid },
      { runId: 'y', sweep: seeds },
      { runId: 'a', sweep: lrGrid },
      { runId: 'p1', sweep: lrGrid },
      { runId: 'other' },
    ]);
    expect(sections.map((s) => [s.sweep?.name ?? null, s.runIds])).toEqual([
      [null, ['solo']],
      ['lr grid', ['p1', 'a', 'c']],
      ['seeds', ['y']],
      [null, ['other']],
    ]);
    expect(sections.map((s) => s.color)).toEqual([null, '#1f77b4', '#d62728', null]);
  });

  it("colours a sweep's runs as shades of its colour, darker to lighter, and the other runs from the slots left", () => {
    const sections = sweepSections([
      { runId: 'a', sweep: lrGrid },
      { runId: 'b', sweep: lrGrid },
      { runId: 'c', sweep: lrGrid },
      { runId: 'solo' },
    ]);
    const colors = sweepRunColors(sections);
    expect([colors.get('a'), colors.get('b'), colors.get('c')]).toEqual([shade('#1f77b4', -0.45), '#1f77b4', shade('#1f77b4', 0.45)]);
    expect(new Set(colors.values()).size).toBe(4);
    expect(colors.get('solo')).not.toBe('#1f77b4');
    // Without sweeps, a run keeps the colour it has on a compare page of no sweep.
    expect(sweepRunColors(sweepSections([{ runId: 'solo' }, { runId: 'two' }]))).toEqual(runColors(['solo', 'two']));
    // One compared run of a sweep: the sweep's colour itself.
    expect(sweepRunColors(sweepSections([{ runId: 'x', sweep: seeds }])).get('x')).toBe('#1f77b4');
  });

  it('mixes a colour towards black or white', () => {
    expect(shade('#808080', 0)).toBe('#808080');
    expect(shade('#808080', -1)).toBe('#000000');
    expect(shade('#808080', 1)).toBe('#ffffff');
    expect(shade('#204060', -0.5)).toBe('#102030');
  });

  it('switches a whole group on and off, and tells all, some or none shown', () => {
    expect(groupVisibility(['a', 'b'], [])).toBe('all');
    expect(groupVisibility(['a', 'b'], ['b', 'z'])).toBe('some');
    expect(groupVisibility(['a', 'b'], ['a', 'b'])).toBe('none');
    expect(toggleGroup(['a', 'b'], ['b', 'z'], false)).toEqual(['b', 'z', 'a']);
    expect(toggleGroup(['a', 'b'], ['b', 'z', 'a'], true)).toEqual(['z']);
  });

  it("names the swept parameters of every compared sweep, and a run's values of them", () => {
    expect([...sweptParameterKeys([{ runId: 'a', sweep: lrGrid }, { runId: 'x', sweep: seeds }, { runId: 'solo' }])]).toEqual([
      'lr',
      'sleep',
      'seed',
    ]);
    expect(
      sweptValues(lrGrid, [
        { key: 'exit_code', value: '0' },
        { key: 'lr', value: '0.01' },
        { key: 'sleep', value: '1' },
      ]),
    ).toBe('lr = 0.01, sleep = 1');
    expect(sweptValues(lrGrid, [])).toBe('');
  });
});
