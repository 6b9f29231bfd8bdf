import { groupItems, groupValue, NO_VALUE } from './groups';

const run = (name: string, batch: string | null, site?: string) => ({
  name,
  params: batch === null ? [] : [{ key: 'batch size', value: batch }],
  tags: site ? [{ key: 'site', value: site }] : [],
});
const headers = (items: ReturnType<typeof groupItems>) =>
  items.flatMap((i) => (i.kind === 'group' ? [`${i.value}: ${i.count}/${i.loaded}${i.collapsed ? ' collapsed' : ''}`] : []));
const rows = (items: ReturnType<typeof groupItems<ReturnType<typeof run>>>) => items.flatMap((i) => (i.kind === 'run' ? [i.run.name] : []));

describe('runs table groups', () => {
  it('reads a param or tag value, null when missing or for other columns', () => {
    expect(groupValue(run('a', '8', 'north'), 'params.batch size')).toBe('8');
    expect(groupValue(run('a', '8', 'north'), 'tags.site')).toBe('north');
    expect(groupValue(run('a', null), 'params.batch size')).toBeNull();
    expect(groupValue(run('a', '8'), 'metrics.loss')).toBeNull();
  });

  it("heads each group with the server's count and how many are loaded, groups not loaded yet included, in the server's order", () => {
    const loaded = [run('a', '2'), run('b', '2'), run('c', '16')];
    const items = groupItems(
      loaded,
      'params.batch size',
      [
        { value: '2', count: 2 },
        { value: '16', count: 40 },
        { value: '32', count: 7 },
        { value: null, count: 3 },
      ],
      new Set(),
    );
    expect(headers(items)).toEqual(['2: 2/2', '16: 40/1', '32: 7/0', `${NO_VALUE}: 3/0`]);
    expect(rows(items)).toEqual(['a', 'b', 'c']);
  });

  it('follows with values the server did not list, and never counts fewer than loaded', () => {
    const items = groupItems(
      [run('a', '2'), run('b', '2'), run('c', '64'), run('d', null)],
      'params.batch size',
      [{ value: '2', count: 1 }],
      new Set(),
    );
    expect(headers(items)).toEqual(['2: 2/2', '64: 1/1', `${NO_VALUE}: 1/1`]);
  });

  it('groups by loaded rows alone before the counts arrive, and hides the rows of collapsed groups', () => {
    const items = groupItems([run('a', '8', 'x'), run('b', '4', 'y'), run('c', '8', 'x')], 'tags.site', undefined, new Set(['x']));
    expect(headers(items)).toEqual(['x: 2/2 collapsed', 'y: 1/1']);
    expect(rows(items)).toEqual(['b']);
  });
});
