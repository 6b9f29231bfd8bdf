import { diffSnapshots, formatValue } from './audit-diff';

describe('diffSnapshots', () => {
  it('marks added, removed, changed and unchanged fields by dotted path', () => {
    const rows = diffSnapshots(
      { name: 'Liver', roles: ['viewer'], settings: { public: false, owner: 'ana' }, gone: 1 },
      { name: 'Liver seg', roles: ['viewer'], settings: { public: true, owner: 'ana' }, added: 'x' },
    );
    expect(rows).toEqual([
      { path: 'added', kind: 'added', after: 'x' },
      { path: 'gone', kind: 'removed', before: 1 },
      { path: 'name', kind: 'changed', before: 'Liver', after: 'Liver seg' },
      { path: 'roles', kind: 'unchanged', before: ['viewer'], after: ['viewer'] },
      { path: 'settings.owner', kind: 'unchanged', before: 'ana', after: 'ana' },
      { path: 'settings.public', kind: 'changed', before: false, after: true },
    ]);
  });

  it('treats a missing before as a creation and a missing after as a deletion', () => {
    expect(diffSnapshots(null, { slug: 'p' })).toEqual([{ path: 'slug', kind: 'added', after: 'p' }]);
    expect(diffSnapshots({ slug: 'p' }, null)).toEqual([{ path: 'slug', kind: 'removed', before: 'p' }]);
    expect(diffSnapshots(null, null)).toEqual([]);
  });

  it('compares arrays and scalars as whole values', () => {
    expect(diffSnapshots(['a'], ['a', 'b'])).toEqual([{ path: '(value)', kind: 'changed', before: ['a'], after: ['a', 'b'] }]);
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
    expect(formatValue('text')).toBe('text');
  });
});
