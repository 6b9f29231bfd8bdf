/**
 * Ahead-of-time build of the server code (api, worker, inference, their libs, migrations and the
 * CLI) into dist/server, with the same SWC settings tools/register.js applies at load time, so
 * the two cannot drift: `npm run build:server`, then `node dist/server/apps/api/src/main.js`
 * (the CLI: `node dist/server/tools/cli/bin.js <command>`).
 *
 * Why: compiling on load keeps SWC, its per-file source maps and the TypeScript compiler API
 * (read for tsconfig) in the process — measured at ~230 MB of the API's resident memory under
 * ingest load (tools/bench/ingest reports the API's peak RSS). Production images and the
 * benchmark run the built output; tests and `npm start` keep compiling on load.
 *
 * Workspace imports (`@caliper/domain`, ...) resolve through dist/server/node_modules/@caliper/*,
 * one-line shims pointing at the built index files; everything else resolves from the repository's
 * node_modules, one directory up, exactly as at development time.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { transform } from '@swc-node/core';
import { readDefaultTsConfig, tsCompilerOptionsToSwcConfig } from '@swc-node/register/read-default-tsconfig';

const ROOT = path.resolve(__dirname, '../..');
/** Output folder: dist/server, or `--out <dir>` (inside the repository, so node_modules resolve). */
const OUT = outDir();
/** Source trees of the server processes; tests, specs and browser code stay out. */
const SOURCES = ['apps/api/src', 'apps/worker/src', 'apps/inference/src', 'libs', 'migrations', 'tools/cli'];
const SKIP = /(\.spec|\.int-spec|\.d)\.ts$|\/__tests__\//;

function outDir(): string {
  const flag = process.argv.indexOf('--out');
  if (flag <= 0) return path.join(ROOT, 'dist/server');
  const dir = process.argv[flag + 1];
  if (!dir) throw new Error('--out needs a folder inside the repository, e.g. --out dist/server-test');
  return path.resolve(ROOT, dir);
}

function* tsFiles(dir: string): Generator<string> {
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

async function main(): Promise<void> {
  const started = performance.now();
  const tsconfig = readDefaultTsConfig(path.join(ROOT, 'tsconfig.base.json'));
  rmSync(OUT, { recursive: true, force: true });
  // A container image copies only the trees its app needs: build those that are there.
  const files = SOURCES.filter((s) => existsSync(path.join(ROOT, s))).flatMap((s) => [...tsFiles(path.join(ROOT, s))]);
  // SWC's own worker threads do the compiling; a few files in flight keep them busy.
  const queue = [...files];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        const rel = path.relative(ROOT, file);
        // Imports stay as written: workspace packages resolve through the shims below.
        const options = { ...tsCompilerOptionsToSwcConfig(tsconfig, file), sourcemap: true, paths: undefined, baseUrl: undefined };
        const out = await transform(readFileSync(file, 'utf8'), file, options);
        const target = path.join(OUT, rel.replace(/\.ts$/, '.js'));
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, `${out.code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
        if (out.map) writeFileSync(`${target}.map`, out.map);
      }
    }),
  );
  for (const [alias, target] of workspaceAliases(tsconfig.paths ?? {})) {
    const dir = path.join(OUT, 'node_modules', alias);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'index.js'), `module.exports = require(${JSON.stringify(path.relative(dir, path.join(OUT, target)))});\n`);
  }
  // The built CLI's entry, as tools/cli/bin.js is for the sources: `node dist/server/tools/cli/bin.js <command>`.
  if (existsSync(path.join(OUT, 'tools/cli/main.js'))) {
    writeFileSync(path.join(OUT, 'tools/cli/bin.js'), `#!/usr/bin/env node\nrequire('reflect-metadata');\nrequire('./main.js');\n`, {
      mode: 0o755,
    });
  }
  console.log(`built ${files.length} files into ${path.relative(ROOT, OUT)} in ${Math.round(performance.now() - started)} ms`);
}

main().catch((err: Error) => {
  console.error(`build:server failed: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
