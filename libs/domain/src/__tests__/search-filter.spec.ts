import {
  decodeOffsetToken,
  encodeOffsetToken,
  likeMatches,
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseOrderBy,
  parseRunFilter,
  parseTableOrderBy,
  searchMaxResults,
} from '../search-filter';
import { TrackingError } from '../tracking';

const refused = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TrackingError);
    expect((e as TrackingError).code).toBe('INVALID_PARAMETER');
    return (e as TrackingError).message;
  }
  throw new Error('expected the input to be refused');
};

describe('MLflow run filter grammar', () => {
  it('reads an empty filter as no condition', () => {
    expect(parseRunFilter('')).toEqual([]);
    expect(parseRunFilter('   ')).toEqual([]);
    expect(parseRunFilter(undefined)).toEqual([]);
  });

  it('parses an AND of metric, param, tag and attribute comparisons', () => {
    expect(
      parseRunFilter("metrics.loss < 0.5 and params.lr = '0.01' AND tags.stage != \"dev\" and attributes.status = 'FINISHED'"),
    ).toEqual([
      { entity: 'metric', key: 'loss', comparator: '<', value: 0.5 },
      { entity: 'param', key: 'lr', comparator: '=', value: '0.01' },
      { entity: 'tag', key: 'stage', comparator: '!=', value: 'dev' },
      { entity: 'attribute', key: 'status', comparator: '=', value: 'FINISHED' },
    ]);
  });

  it('accepts backticked and double-quoted keys, dotted keys and entity synonyms', () => {
    expect(parseRunFilter('metrics.`val loss` >= -1e-3')).toEqual([{ entity: 'metric', key: 'val loss', comparator: '>=', value: -0.001 }]);
    expect(parseRunFilter('params."batch size" = \'32\'')).toEqual([{ entity: 'param', key: 'batch size', comparator: '=', value: '32' }]);
    expect(parseRunFilter('metric.train.loss > 1')).toEqual([{ entity: 'metric', key: 'train.loss', comparator: '>', value: 1 }]);
    expect(parseRunFilter("tag.`mlflow.runName` LIKE 'abc%'")).toEqual([
      { entity: 'tag', key: 'mlflow.runName', comparator: 'LIKE', value: 'abc%' },
    ]);
    expect(parseRunFilter("run_name ILIKE '%x%'")).toEqual([{ entity: 'attribute', key: 'run_name', comparator: 'ILIKE', value: '%x%' }]);
    expect(parseRunFilter('attr.start_time >= 1700000000000')).toEqual([
      { entity: 'attribute', key: 'start_time', comparator: '>=', value: 1700000000000 },
    ]);
  });

  it('parses run_id IN / NOT IN lists', () => {
    expect(parseRunFilter('attributes.run_id IN (\'a\', "b")')).toEqual([
      { entity: 'attribute', key: 'run_id', comparator: 'IN', value: ['a', 'b'] },
    ]);
    expect(parseRunFilter("run_id not in ('a')")).toEqual([{ entity: 'attribute', key: 'run_id', comparator: 'NOT IN', value: ['a'] }]);
    refused(() => parseRunFilter("params.lr IN ('a')"));
    refused(() => parseRunFilter("run_id IN ('a'"));
  });

  it('refuses comparators that do not fit the entity', () => {
    expect(refused(() => parseRunFilter("params.lr > '1'"))).toContain("comparator '>' is not valid for 'params.lr'");
    refused(() => parseRunFilter("metrics.loss LIKE '1%'"));
    refused(() => parseRunFilter("metrics.loss = 'abc'"));
    refused(() => parseRunFilter('params.lr = 1'));
    refused(() => parseRunFilter("start_time = 'yesterday'"));
  });

  it('refuses OR, unknown entities and attributes, and dangling input', () => {
    expect(refused(() => parseRunFilter('metrics.a > 1 OR metrics.b > 1'))).toContain('only AND is supported');
    refused(() => parseRunFilter("inputs.name = 'x'"));
    refused(() => parseRunFilter("attributes.secret = 'x'"));
    refused(() => parseRunFilter('metrics.loss <'));
    refused(() => parseRunFilter('metrics.loss < 1 and'));
    refused(() => parseRunFilter("tags.a = 'unterminated"));
  });

  it('refuses SQL injection attempts instead of passing them on', () => {
    refused(() => parseRunFilter("params.lr = '1'; DROP TABLE runs; --"));
    refused(() => parseRunFilter('metrics.loss < 1 OR 1=1'));
    refused(() => parseRunFilter("params.lr = '1' UNION SELECT password_hash FROM users"));
    refused(() => parseRunFilter('metrics.loss < (SELECT 1)'));
    // Quotes inside a value stay part of the value (it is bound as a parameter, never spliced).
    expect(parseRunFilter(`tags.x = "it's'; DROP TABLE runs; --"`)).toEqual([
      { entity: 'tag', key: 'x', comparator: '=', value: "it's'; DROP TABLE runs; --" },
    ]);
    expect(parseRunFilter("params.`lr\"; DROP TABLE runs; --` = '1'")[0]).toMatchObject({
      entity: 'param',
      key: 'lr"; DROP TABLE runs; --',
    });
  });
});

describe('dataset filters (MLflow 2.10: datasets.name, datasets.digest, datasets.context)', () => {
  it('parses every comparator MLflow allows for datasets, with the entity spelled dataset or datasets', () => {
    expect(
      parseRunFilter(
        "datasets.name = 'mnist' and dataset.digest != \"a5357541\" and datasets.context LIKE 'train%' and datasets.name ILIKE 'MN%'",
      ),
    ).toEqual([
      { entity: 'dataset', key: 'name', comparator: '=', value: 'mnist' },
      { entity: 'dataset', key: 'digest', comparator: '!=', value: 'a5357541' },
      { entity: 'dataset', key: 'context', comparator: 'LIKE', value: 'train%' },
      { entity: 'dataset', key: 'name', comparator: 'ILIKE', value: 'MN%' },
    ]);
    expect(parseRunFilter("datasets.context IN ('training', 'eval') AND datasets.`digest` NOT IN ('x')")).toEqual([
      { entity: 'dataset', key: 'context', comparator: 'IN', value: ['training', 'eval'] },
      { entity: 'dataset', key: 'digest', comparator: 'NOT IN', value: ['x'] },
    ]);
    expect(parseRunFilter('datasets."name" <> \'a\'')).toEqual([{ entity: 'dataset', key: 'name', comparator: '!=', value: 'a' }]);
  });

  it("refuses comparators outside MLflow's VALID_DATASET_COMPARATORS, naming the comparator and the key", () => {
    for (const op of ['>', '>=', '<', '<=']) {
      const message = refused(() => parseRunFilter(`datasets.name ${op} 'a'`));
      expect(message).toBe(
        `Invalid filter string 'datasets.name ${op} 'a'': comparator '${op}' is not valid for 'datasets.name'; use one of =, !=, LIKE, ILIKE, IN, NOT IN.`,
      );
    }
  });

  it('refuses unknown dataset keys, unquoted or numeric values, malformed lists and ordering by datasets', () => {
    expect(refused(() => parseRunFilter("datasets.source = 'x'"))).toContain(
      "invalid dataset key 'source'; valid dataset keys are name, digest, context",
    );
    refused(() => parseRunFilter("datasets.Name = 'x'"));
    refused(() => parseRunFilter("datasets.name.first = 'x'"));
    refused(() => parseRunFilter('datasets.digest = 123'));
    refused(() => parseRunFilter('datasets.name = mnist'));
    refused(() => parseRunFilter('datasets.name = `mnist`'));
    refused(() => parseRunFilter("datasets.name IN 'mnist'"));
    refused(() => parseRunFilter('datasets.name IN ()'));
    refused(() => parseRunFilter("datasets.name IN ('a', 1)"));
    refused(() => parseRunFilter("datasets.name NOT IN ('a'"));
    refused(() => parseRunFilter("datasets.name = ('a')"));
    expect(refused(() => parseOrderBy(['datasets.name ASC']))).toContain('runs cannot be ordered by dataset fields');
    refused(() => parseExperimentFilter("datasets.name = 'x'"));
  });

  it('keeps injection attempts inside the bound value or refuses them', () => {
    expect(parseRunFilter(`datasets.name = 'x''; DROP TABLE run_inputs; --'`)).toEqual([
      { entity: 'dataset', key: 'name', comparator: '=', value: "x'; DROP TABLE run_inputs; --" },
    ]);
    expect(parseRunFilter(`datasets.context IN ('a'') OR 1=1 --')`)).toEqual([
      { entity: 'dataset', key: 'context', comparator: 'IN', value: ["a') OR 1=1 --"] },
    ]);
    refused(() => parseRunFilter("datasets.name = 'x' OR 1=1"));
    refused(() => parseRunFilter("datasets.name = 'x'; DELETE FROM runs"));
    refused(() => parseRunFilter("datasets.`name' OR '1'='1` = 'x'"));
    refused(() => parseRunFilter('datasets.name IN (SELECT name FROM run_inputs)'));
  });
});

describe('order_by', () => {
  it('parses entity, key and direction, ASC by default', () => {
    expect(parseOrderBy(['metrics.loss ASC', 'params.`lr` DESC', 'start_time', 'attributes.run_name desc'])).toEqual([
      { entity: 'metric', key: 'loss', ascending: true },
      { entity: 'param', key: 'lr', ascending: false },
      { entity: 'attribute', key: 'start_time', ascending: true },
      { entity: 'attribute', key: 'run_name', ascending: false },
    ]);
    expect(parseOrderBy(undefined)).toEqual([]);
  });

  it('refuses unknown directions and trailing tokens', () => {
    refused(() => parseOrderBy(['metrics.loss UP']));
    refused(() => parseOrderBy(['metrics.loss ASC; DROP TABLE runs']));
    refused(() => parseOrderBy(['bogus_attribute']));
  });

  it("orders the runs table also by duration and by a metric's best value, which takes no direction", () => {
    expect(parseTableOrderBy(['best.loss', 'BEST.`val loss`', 'best.val.dice', 'attributes.duration DESC'])).toEqual([
      { entity: 'best', key: 'loss' },
      { entity: 'best', key: 'val loss' },
      { entity: 'best', key: 'val.dice' },
      { entity: 'attribute', key: 'duration', ascending: false },
    ]);
    expect(refused(() => parseTableOrderBy(['best.loss DESC']))).toBe(
      "Invalid order_by clause 'best.loss DESC': a best value sorts best first, the lowest or highest by the metric's direction in the project: nothing may follow the key, found 'DESC'.",
    );
    expect(refused(() => parseTableOrderBy(['best.']))).toBe("Invalid order_by clause 'best.': it ends too early.");
    refused(() => parseTableOrderBy(["best.'loss'"]));
    // MLflow's own order_by knows no best values.
    refused(() => parseOrderBy(['best.loss']));
  });

  it('orders experiments only by their attributes', () => {
    expect(parseExperimentOrderBy(['name DESC', 'creation_time'])).toEqual([
      { entity: 'attribute', key: 'name', ascending: false },
      { entity: 'attribute', key: 'creation_time', ascending: true },
    ]);
    refused(() => parseExperimentOrderBy(['metrics.loss']));
    refused(() => parseExperimentOrderBy(['start_time']));
  });
});

describe('experiment filters', () => {
  it('parses name and tag comparisons', () => {
    expect(parseExperimentFilter("name = 'client-check-7ce0b919'")).toEqual([
      { entity: 'attribute', key: 'name', comparator: '=', value: 'client-check-7ce0b919' },
    ]);
    expect(parseExperimentFilter("tags.team ILIKE 'ML%' and creation_time > 5")).toEqual([
      { entity: 'tag', key: 'team', comparator: 'ILIKE', value: 'ML%' },
      { entity: 'attribute', key: 'creation_time', comparator: '>', value: 5 },
    ]);
    refused(() => parseExperimentFilter('metrics.loss > 1'));
    refused(() => parseExperimentFilter("owner = 'x'"));
  });

  it('matches LIKE patterns like SQL', () => {
    expect(likeMatches('srch-alpha', 'srch-%', false)).toBe(true);
    expect(likeMatches('SRCH-alpha', 'srch-%', false)).toBe(false);
    expect(likeMatches('SRCH-alpha', 'srch-%', true)).toBe(true);
    expect(likeMatches('a.c', 'a_c', false)).toBe(true);
    expect(likeMatches('abc', 'a.c', false)).toBe(false);
  });
});

describe('paging', () => {
  it('writes MLflow-compatible offset tokens and refuses foreign ones', () => {
    expect(encodeOffsetToken(2)).toBe('eyJvZmZzZXQiOjJ9');
    expect(decodeOffsetToken('eyJvZmZzZXQiOiAyfQ==')).toBe(2); // as MLflow 2.10.2 wrote it in the reference transcript
    expect(decodeOffsetToken(null)).toBe(0);
    refused(() => decodeOffsetToken('not base64 at all!'));
    refused(() => decodeOffsetToken(encodeOffsetToken(-1)));
  });

  it('checks max_results against MLflow limits', () => {
    expect(searchMaxResults(undefined)).toBe(1000);
    expect(searchMaxResults(50000)).toBe(50000);
    expect(refused(() => searchMaxResults(50001))).toContain('It must be at most 50000, but got value 50001');
    refused(() => searchMaxResults(0));
  });
});

describe('quoted strings', () => {
  it('reads doubled and backslash-escaped quotes as the quote character', () => {
    expect(parseRunFilter("tags.x = 'it''s'")[0]).toMatchObject({ value: "it's" });
    expect(parseRunFilter("tags.x = 'it\\'s'")[0]).toMatchObject({ value: "it's" });
    expect(parseRunFilter("tags.x = ''")[0]).toMatchObject({ value: '' });
    refused(() => parseRunFilter("tags.x = 'it''"));
  });

  it('ends quoted text where MLflow does: a backslash before the last quote, and any backslash in a backticked key, stays', () => {
    expect(parseRunFilter("params.data_dir = 'C:\\data\\'")).toEqual([
      { entity: 'param', key: 'data_dir', comparator: '=', value: 'C:\\data\\' },
    ]);
    expect(parseRunFilter('params.`a\\` = \'1\' and tags.`x``y` = "say ""hi"""')).toEqual([
      { entity: 'param', key: 'a\\', comparator: '=', value: '1' },
      { entity: 'tag', key: 'x`y', comparator: '=', value: 'say "hi"' },
    ]);
    expect(refused(() => parseRunFilter('params.`a\\`b` = 1'))).toContain('unterminated quoted string starting at position 12');
  });

  it('refuses text the database cannot hold in a filter or an order_by item', () => {
    expect(refused(() => parseRunFilter("tags.x = 'a\u0000'"))).toBe(
      'Invalid filter string: it holds U+0000 (NUL) at character 11, which text in the database cannot hold; remove that character.',
    );
    expect(refused(() => parseOrderBy(['params.`lr\u0000` DESC']))).toContain('Invalid order_by clause: it holds U+0000 (NUL)');
    expect(refused(() => parseExperimentFilter("name = '\ud800'"))).toContain('lone UTF-16 surrogate U+D800');
  });
});
