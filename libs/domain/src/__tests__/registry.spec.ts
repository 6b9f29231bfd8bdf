import {
  aliasProblem,
  archiveExistingProblem,
  deletionProblem,
  fromMlflowStage,
  latestVersionsPerStage,
  manifestDigest,
  MODEL_STAGES,
  ModelStage,
  parseModelSource,
  parseModelVersion,
  parseModelVersionFilter,
  parseModelVersionOrder,
  parseRegisteredModelFilter,
  parseRegisteredModelOrder,
  registryMaxResults,
  toMlflowStage,
  transitionProblem,
} from '../registry';

describe('stage mapping', () => {
  it('maps Caliper stages to MLflow names and back', () => {
    expect(MODEL_STAGES.map(toMlflowStage)).toEqual(['None', 'Staging', 'Production', 'Archived']);
    expect(['None', 'Staging', 'Production', 'Archived'].map(fromMlflowStage)).toEqual(['none', 'staging', 'clinical', 'retired']);
  });

  it('reads MLflow stage names case-insensitively and names the valid ones for anything else', () => {
    expect(fromMlflowStage('production')).toBe('clinical');
    expect(fromMlflowStage('ARCHIVED')).toBe('retired');
    expect(() => fromMlflowStage('Clinical')).toThrow(
      'Invalid Model Version stage: Clinical. Value must be one of None, Staging, Production, Archived.',
    );
    expect(() => fromMlflowStage(undefined)).toThrow(/Invalid Model Version stage/);
  });
});

describe('transition rules', () => {
  const stages: ModelStage[] = ['none', 'staging', 'retired'];

  it('lets the MLflow API move versions among none, staging and retired', () => {
    for (const from of stages) for (const to of stages) expect(transitionProblem(from, to, 'mlflow')).toBeNull();
  });

  it('refuses a move into clinical use through the MLflow API: it needs a signed promotion request', () => {
    for (const from of MODEL_STAGES) {
      const problem = transitionProblem(from, 'clinical', 'mlflow');
      expect(problem?.code).toBe('INVALID_STATE');
      expect(problem?.message).toContain('requires a signed promotion request');
    }
  });

  it('refuses a move out of clinical use through the MLflow API', () => {
    for (const to of stages) expect(transitionProblem('clinical', to, 'mlflow')?.code).toBe('INVALID_STATE');
  });

  it('leaves every move to the signed promotion path', () => {
    for (const from of MODEL_STAGES) for (const to of MODEL_STAGES) expect(transitionProblem(from, to, 'signed-promotion')).toBeNull();
  });

  it('archives existing versions only for active targets, as MLflow does', () => {
    expect(archiveExistingProblem('staging', true)).toBeNull();
    expect(archiveExistingProblem('none', false)).toBeNull();
    expect(archiveExistingProblem('retired', true)?.message).toMatch(/'Archived' is not an Active stage/);
    expect(archiveExistingProblem('none', true)?.code).toBe('INVALID_PARAMETER');
  });

  it('refuses deleting a version in clinical use', () => {
    expect(deletionProblem('clinical', 'Version 3')?.code).toBe('INVALID_STATE');
    expect(deletionProblem('retired', 'Version 3')).toBeNull();
  });
});

describe('names, versions and aliases', () => {
  it('parses versions as MLflow does', () => {
    expect(parseModelVersion('7')).toBe(7);
    expect(parseModelVersion(3)).toBe(3);
    expect(() => parseModelVersion('v1')).toThrow("Model version must be an integer, got 'v1'");
  });

  it('checks alias names with MLflow rules', () => {
    expect(aliasProblem('champion')).toBeNull();
    expect(aliasProblem('')?.message).toBe('Registered model alias name cannot be empty.');
    expect(aliasProblem('a b')?.message).toMatch(/Invalid alias name: 'a b'/);
    expect(aliasProblem('Latest')?.message).toMatch(/reserved/);
    expect(aliasProblem('v12')?.message).toBe(`Version alias name 'v12' is reserved.`);
  });
});

describe('model sources', () => {
  it('reads run artifact URIs in both forms and leaves other URIs external', () => {
    expect(parseModelSource('mlflow-artifacts:/1/fee8af5479b3445cadcaff1e41c30fe0/artifacts/model')).toEqual({
      kind: 'run-artifact',
      experimentId: '1',
      runUuid: 'fee8af5479b3445cadcaff1e41c30fe0',
      path: 'model',
    });
    expect(parseModelSource('runs:/fee8af5479b3445cadcaff1e41c30fe0/model/./onnx/')).toEqual({
      kind: 'run-artifact',
      experimentId: null,
      runUuid: 'fee8af5479b3445cadcaff1e41c30fe0',
      path: 'model/onnx',
    });
    expect(parseModelSource('mlflow-artifacts:/1/fee8af5479b3445cadcaff1e41c30fe0/artifacts')).toMatchObject({ path: '' });
    expect(parseModelSource('s3://bucket/model')).toEqual({ kind: 'external' });
    expect(() => parseModelSource('runs:/fee8af5479b3445cadcaff1e41c30fe0/../other')).toThrow(/may not contain '..'/);
  });

  it('digests a manifest independently of file order, and any change of content changes it', () => {
    const a = { path: 'model/MLmodel', size: 10, sha256: 'a'.repeat(64) };
    const b = { path: 'model/model.onnx', size: 20, sha256: 'b'.repeat(64) };
    expect(manifestDigest([a, b])).toBe(manifestDigest([b, a]));
    expect(manifestDigest([a, b])).not.toBe(manifestDigest([a, { ...b, sha256: 'c'.repeat(64) }]));
    expect(manifestDigest([a, b])).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('latest versions per stage', () => {
  it('keeps the highest version of each stage, stages ordered by their lowest version', () => {
    const v = (version: number, currentStage: ModelStage) => ({ version, currentStage });
    expect(latestVersionsPerStage([v(2, 'none'), v(1, 'none')])).toEqual([v(2, 'none')]);
    expect(latestVersionsPerStage([v(1, 'staging'), v(2, 'none')])).toEqual([v(1, 'staging'), v(2, 'none')]);
    expect(latestVersionsPerStage([v(1, 'none'), v(2, 'staging'), v(3, 'none')])).toEqual([v(3, 'none'), v(2, 'staging')]);
  });
});

describe('registry search grammar', () => {
  it('parses name, tag, run_id, source_path and version_number comparisons joined by AND', () => {
    expect(parseRegisteredModelFilter(`name = 'unet'`)).toEqual([{ entity: 'attribute', key: 'name', comparator: '=', value: 'unet' }]);
    expect(parseRegisteredModelFilter(`name ILIKE '%Seg%' and tags.\`team.name\` != 'x'`)).toEqual([
      { entity: 'attribute', key: 'name', comparator: 'ILIKE', value: '%Seg%' },
      { entity: 'tag', key: 'team.name', comparator: '!=', value: 'x' },
    ]);
    expect(
      parseModelVersionFilter(`run_id IN ('a', 'b') AND version_number >= 2 AND source_path LIKE 'mlflow-artifacts:/%' AND tags.k = 'v'`),
    ).toEqual([
      { entity: 'attribute', key: 'run_id', comparator: 'IN', value: ['a', 'b'] },
      { entity: 'attribute', key: 'version_number', comparator: '>=', value: 2 },
      { entity: 'attribute', key: 'source_path', comparator: 'LIKE', value: 'mlflow-artifacts:/%' },
      { entity: 'tag', key: 'k', comparator: '=', value: 'v' },
    ]);
    expect(parseModelVersionFilter('')).toEqual([]);
  });

  it('refuses what is outside the grammar with a message naming the problem', () => {
    expect(() => parseRegisteredModelFilter(`run_id = 'x'`)).toThrow('Invalid attribute name: run_id. Valid attributes are name.');
    expect(() => parseRegisteredModelFilter(`name > 'x'`)).toThrow('Invalid comparator for attribute: >');
    expect(() => parseModelVersionFilter(`name IN ('x')`)).toThrow(/only run_id supports IN/);
    expect(() => parseModelVersionFilter(`name = 'a' OR name = 'b'`)).toThrow(/only AND is supported/);
    expect(() => parseModelVersionFilter(`name = 'a`)).toThrow(/unterminated/);
    expect(() => parseModelVersionFilter(`name = x`)).toThrow(/expected a single-quoted value/);
  });

  it('reads quotes with the run search tokenizer: escapes inside strings and keys, where MLflow ends them', () => {
    expect(parseModelVersionFilter("name = 'it''s' and tags.`a``b` = 'x\\'y' and source_path = 'C:\\models\\'")).toEqual([
      { entity: 'attribute', key: 'name', comparator: '=', value: "it's" },
      { entity: 'tag', key: 'a`b', comparator: '=', value: "x'y" },
      { entity: 'attribute', key: 'source_path', comparator: '=', value: 'C:\\models\\' },
    ]);
    expect(parseModelVersionFilter(`run_id IN ('a'') OR 1=1 --')`)).toEqual([
      { entity: 'attribute', key: 'run_id', comparator: 'IN', value: ["a') OR 1=1 --"] },
    ]);
    // Unquoted tag keys take -, / and : as run search keys do.
    expect(parseRegisteredModelFilter(`tags.team/owner-id:v2 = 'x'`)).toEqual([
      { entity: 'tag', key: 'team/owner-id:v2', comparator: '=', value: 'x' },
    ]);
  });

  it('refuses a quoted parenthesis or comma in place of punctuation, malformed version numbers and unstorable text', () => {
    expect(() => parseModelVersionFilter(`run_id IN ('a' ')'`)).toThrow(`expected ',' or ')' in the IN list, found ')'`);
    expect(() => parseModelVersionFilter(`run_id IN ')' 'a')`)).toThrow(`expected '(' after IN`);
    for (const bad of ['1e2', '1.0', '+3', "'1.5'"])
      expect(() => parseModelVersionFilter(`version_number = ${bad}`)).toThrow(/expected an integer for version_number/);
    expect(parseModelVersionFilter(`version_number != '-3'`)).toEqual([
      { entity: 'attribute', key: 'version_number', comparator: '!=', value: -3 },
    ]);
    expect(() => parseModelVersionFilter(`name = 'a`)).toThrow(
      `Invalid filter 'name = 'a': unterminated quoted string starting at position 7 (close it with '; inside it, write ' as '').`,
    );
    expect(() => parseRegisteredModelFilter("name = 'u\u0000net'")).toThrow(
      'Invalid filter: it holds U+0000 (NUL) at character 9, which text in the database cannot hold; remove that character.',
    );
  });

  it('orders as MLflow does by default and refuses unknown or repeated keys', () => {
    expect(parseModelVersionOrder([])).toEqual([
      { key: 'last_updated_timestamp', ascending: false },
      { key: 'name', ascending: true },
      { key: 'version_number', ascending: false },
    ]);
    expect(parseRegisteredModelOrder(['timestamp DESC'])).toEqual([
      { key: 'last_updated_timestamp', ascending: false },
      { key: 'name', ascending: true },
    ]);
    expect(() => parseRegisteredModelOrder(['version_number'])).toThrow(/Invalid order by key/);
    expect(() => parseModelVersionOrder(['name', 'name DESC'])).toThrow(/duplicate fields/);
    // Names of Object's own properties are not columns (they once read Object.prototype).
    for (const item of ['constructor DESC', '__proto__', 'attributes.toString', 'hasOwnProperty ASC']) {
      expect(() => parseRegisteredModelOrder([item])).toThrow(/Invalid order by key/);
      expect(() => parseModelVersionOrder([item])).toThrow(/Invalid order by key/);
    }
  });

  it('checks max_results against MLflow limits', () => {
    expect(registryMaxResults(null, 'models')).toBe(100);
    expect(registryMaxResults(null, 'versions')).toBe(10000);
    expect(() => registryMaxResults(1001, 'models')).toThrow('It must be at most 1000, but got value 1001');
    expect(() => registryMaxResults(0, 'versions')).toThrow(/positive integer/);
  });
});
