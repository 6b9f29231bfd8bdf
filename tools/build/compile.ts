/**
 * SWC compilation of TypeScript source trees into a folder of CommonJS, with the same settings
 * tools/register.js applies at load time (so a build and the sources cannot behave differently),
 * shared by the server build (tools/build/server.ts) and the CLI's build (tools/build/cli.ts).
 *
 * Workspace imports (`@caliper/domain`, ...) resolve through <out>/node_modules/@caliper/*,
 * one-line shims pointing at the built index files; everything else resolves from the repository's
 * node_modules, exactly as at development time — so `out` must lie inside the repository.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { transform } from '@swc-node/core';
import { readDefaultTsConfig, tsCompilerOptionsToSwcConfig } from '@swc-node/register/read-default-tsconfig';

export const ROOT = path.resolve(__dirname, '../..');
/** Tests, specs and declarations stay out of every build. */
const SKIP = /(\.spec|\.int-spec|\.d)\.ts$|\/__tests__\//;

export function* tsFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (entry === 'node_modules') continue;
    if (statSync(full).isDirectory()) yield* tsFiles(full);
    else if (full.endsWith('.ts') && !SKIP.test(full)) yield full;
  }
}

/** `@caliper/<name>` → the built file its tsconfig path names, relative to the output root. */
function workspaceAliases(paths: Record<string, string[]>): [string, string][] {
  const aliases: [string, string][] = [];
  for (const [alias, [target]] of Object.entries(paths)) {
    if (target) aliases.push([alias, path.relative(ROOT, path.resolve(ROOT, target)).replace(/\.ts$/, '.js')]);
  }
  return aliases;
}

/** Compiles `files` (absolute paths inside the repository) into `out` at their relative paths; returns how many. */
export async function compileFiles(files: string[], out: string): Promise<number> {
  const tsconfig = readDefaultTsConfig(path.join(ROOT, 'tsconfig.base.json'));
  // SWC's own worker threads do the compiling; a few files in flight keep them busy.
  const queue = [...files];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        const rel = path.relative(ROOT, file);
        // Imports stay as written: workspace packages resolve through the shims below.
        const options = { ...tsCompilerOptionsToSwcConfig(tsconfig, file), sourcemap: true, paths: undefined, baseUrl: undefined };
        const built = await transform(readFileSync(file, 'utf8'), file, options);
        const target = path.join(out, rel.replace(/\.ts$/, '.js'));
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, `${built.code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
        if (built.map) writeFileSync(`${target}.map`, built.map);
      }
    }),
  );
  for (const [alias, target] of workspaceAliases(tsconfig.paths ?? {})) {
    const dir = path.join(out, 'node_modules', alias);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'index.js'), `module.exports = require(${JSON.stringify(path.relative(dir, path.join(out, target)))});\n`);
  }
  return files.length;
}
