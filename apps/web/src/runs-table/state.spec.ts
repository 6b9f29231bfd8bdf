import {
  bestSortColumn,
  bestSortKey,
  columnKind,
  compareHref,
  csvHref,
  DEFAULT_STATE,
  defaultColumns,
  filterOf,
  groupByKey,
  hasBareKeys,
  keyForFilter,
  orderByOf,
  parseColumn,
  parseState,
  resolveBareKeys,
  RunsTableState,
  serialiseState,
  suggestions,
} from './state';

const full: RunsTableState = {
  filter: "metrics.loss < 0.5 and params.lr = '0.01'",
  status: 'FINISHED',
  user: 'ana',
  tag: { key: 'site=x', value: "north's" },
  sort: { column: 'metrics.val loss', descending: true },
  columns: ['attributes.status', 'attributes.run_name', 'metrics.val loss', 'params.a,b'],
  groupBy: 'params.lr',
  pages: 3,
  best: true,
};

describe('runs table state in the URL', () => {
  it('round-trips every field through the query string, odd characters included', () => {
    const url = serialiseState(full).toString();
    expect(parseState(new URLSearchParams(url))).toEqual(full);
  });

  it('leaves the defaults out of the URL and reads an empty query as the defaults', () => {
    expect(serialiseState(DEFAULT_STATE).toString()).toBe('');
    expect(parseState(new URLSearchParams(''))).toEqual(DEFAULT_STATE);
    expect(parseState(serialiseState({ ...DEFAULT_STATE, columns: [] }))).toEqual({ ...DEFAULT_STATE, columns: [] });
  });

  it('falls back to defaults for malformed values instead of failing', () => {
    const s = parseState(
      new URLSearchParams('status=nope&sort=metrics.loss&col=attributes.bogus&col=metrics.&group=metrics.loss&pages=-2&tag=novalue'),
    );
    expect(s).toEqual(DEFAULT_STATE);
    expect(parseState(new URLSearchParams('pages=100000')).pages).toBe(50);
    expect(parseState(new URLSearchParams('status=failed')).status).toBe('FAILED');
  });
});

describe('columns of one key and different kinds', () => {
  const keys = { metrics: ['lr', 'loss'], params: ['lr', 'batch_size'], tags: ['lr', 'site'] };

  it('says the kind of a key column, and keeps the kind in every id', () => {
    expect(['metrics.lr', 'params.lr', 'tags.lr', 'attributes.status'].map(columnKind)).toEqual(['metric', 'param', 'tag', null]);
    const state = { ...DEFAULT_STATE, columns: ['metrics.lr', 'params.lr'], sort: { column: 'params.lr', descending: false } };
    expect(parseState(serialiseState(state))).toEqual(state);
    expect(orderByOf(state)).toEqual(['params.`lr` ASC']);
  });

  it('reads bare keys of older addresses as every column of that key, a sort as the metric, a grouping as the param', () => {
    const old = parseState(new URLSearchParams('col=lr&col=site&col=gone&sort=lr:desc&group=lr'));
    expect(hasBareKeys(old)).toBe(true);
    const resolved = resolveBareKeys(old, keys);
    expect(resolved).toEqual({
      ...DEFAULT_STATE,
      columns: ['metrics.lr', 'params.lr', 'tags.lr', 'tags.site'],
      sort: { column: 'metrics.lr', descending: true },
      groupBy: 'params.lr',
    });
    expect(hasBareKeys(resolved)).toBe(false);
    // Only unknown keys: the default columns, no sort.
    expect(resolveBareKeys(parseState(new URLSearchParams('col=gone&sort=gone:asc')), keys)).toEqual(DEFAULT_STATE);
    expect(hasBareKeys(full)).toBe(false);
  });
});

describe('runs table state for the API', () => {
  it('ANDs the quick filters onto the typed filter, quoting values and keys', () => {
    expect(filterOf(full)).toBe(
      "metrics.loss < 0.5 and params.lr = '0.01' and attributes.status = 'FINISHED' and attributes.user_id = 'ana' and tags.`site=x` = 'north''s'",
    );
    expect(filterOf(DEFAULT_STATE)).toBe('');
    expect(filterOf({ ...DEFAULT_STATE, status: 'RUNNING' })).toBe("attributes.status = 'RUNNING'");
  });

  it('turns the sort into an order item (backticked keys, attribute names as the grammar spells them), after the group key when grouped', () => {
    expect(orderByOf(full)).toEqual(['params.`lr` ASC', 'metrics.`val loss` DESC']);
    expect(orderByOf({ ...full, groupBy: null })).toEqual(['metrics.`val loss` DESC']);
    expect(orderByOf({ sort: null, groupBy: 'tags.site`x' })).toEqual(['tags.`site``x` ASC', 'attributes.start_time DESC']);
    expect(groupByKey('params.batch size')).toBe('params.`batch size`');
    expect(groupByKey('metrics.loss')).toBeNull();
    expect(orderByOf({ sort: { column: 'attributes.user', descending: false } })).toEqual(['attributes.user_id ASC']);
    expect(orderByOf({ sort: { column: 'attributes.duration', descending: true } })).toEqual(['attributes.duration DESC']);
    expect(orderByOf({ sort: null })).toEqual([]);
  });

  it("sorts by a metric's best value as the grammar's best item, best first, which the address keeps", () => {
    const state: RunsTableState = { ...DEFAULT_STATE, best: true, sort: { column: bestSortColumn('val loss'), descending: false } };
    expect(bestSortKey(state.sort?.column)).toBe('val loss');
    expect(['metrics.loss', 'best.', null].map(bestSortKey)).toEqual([null, null, null]);
    expect(orderByOf(state)).toEqual(['best.`val loss`']);
    expect(orderByOf({ ...state, groupBy: 'params.lr' })).toEqual(['params.`lr` ASC', 'best.`val loss`']);
    expect(serialiseState(state).get('sort')).toBe('best.val loss:asc');
    expect(parseState(serialiseState(state))).toEqual(state);
    // Not a bare key of an older address: the sort stays as it is.
    expect(hasBareKeys(state)).toBe(false);
    expect(parseState(new URLSearchParams('sort=best.loss:desc')).sort).toEqual({ column: 'best.loss', descending: false });
    const url = new URL(csvHref('kidney', '7', state, ['attributes.run_name']), 'http://x');
    expect(url.searchParams.getAll('orderBy')).toEqual(['best.`val loss`']);
  });

  it('builds the CSV and compare links from the same state', () => {
    const href = csvHref('kidney', '7', full, ['attributes.run_name', 'metrics.val loss']);
    const url = new URL(href, 'http://x');
    expect(url.pathname).toBe('/api/v1/projects/kidney/runs.csv');
    expect(url.searchParams.get('experimentId')).toBe('7');
    expect(url.searchParams.get('filter')).toBe(filterOf(full));
    expect(url.searchParams.getAll('orderBy')).toEqual(['params.`lr` ASC', 'metrics.`val loss` DESC']);
    expect(url.searchParams.getAll('columns')).toEqual(['attributes.run_name', 'metrics.val loss']);
    expect(compareHref('kidney', ['a1', 'b2'])).toBe('/projects/kidney/compare?runs=a1,b2');
  });

  it('defaults to attribute columns, then the first metrics without system metrics, then params', () => {
    expect(defaultColumns({ metrics: ['system/cpu', 'acc', 'loss'], params: ['lr'] }, 4)).toEqual([
      'attributes.status',
      'attributes.run_name',
      'attributes.user',
      'attributes.start_time',
      'attributes.duration',
      'metrics.acc',
      'metrics.loss',
      'params.lr',
    ]);
    expect(parseColumn('metrics.val.loss')).toEqual({ kind: 'metrics', key: 'val.loss' });
    expect(parseColumn('attributes.password')).toBeNull();
  });
});

describe('filter autocomplete', () => {
  const keys = { metrics: ['loss', 'val loss', 'system/gpu'], params: ['lr', 'layers'], tags: ['site'] };
  it('suggests keys of the entity being typed, and full keys for a bare word', () => {
    expect(suggestions('metrics.lo', keys)).toEqual({ start: 0, items: ['metrics.loss'] });
    expect(suggestions('metrics.loss < 1 and params.l', keys)).toEqual({ start: 21, items: ['params.lr', 'params.layers'] });
    expect(suggestions('si', keys)?.items).toEqual(['tags.site']);
    expect(suggestions("params.lr = '0", keys)).toBeNull();
    expect(suggestions('metrics.loss < 1 and', keys)).toBeNull();
    expect(suggestions('', keys)).toBeNull();
  });

  it('backticks keys the grammar cannot take bare', () => {
    expect(keyForFilter('metrics.val loss')).toBe('metrics.`val loss`');
    expect(keyForFilter('metrics.system/gpu')).toBe('metrics.system/gpu');
    expect(keyForFilter('attributes.user_id')).toBe('attributes.user_id');
  });
});
