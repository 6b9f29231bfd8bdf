/**
 * CI guard: the committed GraphQL types (apps/web/src/gql) must be exactly what codegen produces
 * now from the API's schema and the app's operations. Fix a failure with `npx nx run web:codegen`.
 * The codegen CLI is ESM-only, so it runs as a child process rather than inside Jest.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generatedDir, schemaPath } from '../../codegen';

const repoRoot = path.resolve(__dirname, '../../../..');
const codegenBin = path.join(repoRoot, 'node_modules/@graphql-codegen/cli/esm/bin.js');

function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, full), readFileSync(full, 'utf8'));
  }
  return files;
}

describe('GraphQL codegen drift', () => {
  let outDir: string;
  beforeAll(() => {
    outDir = mkdtempSync(path.join(tmpdir(), 'caliper-web-codegen-'));
  });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it(`committed src/gql matches a fresh run against ${path.relative(repoRoot, schemaPath)}`, async () => {
    await promisify(execFile)(process.execPath, [codegenBin, '--config', 'apps/web/codegen.ts'], {
      cwd: repoRoot,
      env: { ...process.env, CALIPER_CODEGEN_OUT_DIR: outDir },
    });
    const fresh = readTree(outDir);
    const committed = readTree(generatedDir);
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
    const drifted = [...fresh].filter(([name, content]) => committed.get(name) !== content).map(([name]) => name);
    expect(drifted).toEqual([]);
  }, 60000);
});
