/**
 * Ahead-of-time build of the server code (api, worker, inference, their libs, migrations and the
 * CLI) into dist/server, with the same SWC settings tools/register.js applies at load time, so
 * the two cannot drift: `npm run build:server`, then `node dist/server/apps/api/src/main.js`
 * (the CLI: `node dist/server/tools/cli/bin.js <command>`).
 *
 * Why: compiling on load keeps SWC, its per-file source maps and the TypeScript compiler API
 * (read for tsconfig) in the process — measured at ~230 MB of the API's resident memory under
 * ingest load (tools/bench/ingest reports the API's peak RSS). Production images and the
 * benchmark run the built output; tests and `npm start` keep compiling on load (the `caliper`
 * command builds its own copy, dist/cli: tools/build/cli.ts). How files are compiled and workspace
 * imports resolved: tools/build/compile.ts.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compileFiles, ROOT, tsFiles } from './compile';

/** Output folder: dist/server, or `--out <dir>` (inside the repository, so node_modules resolve). */
const OUT = outDir();
/** Source trees of the server processes; tests, specs and browser code stay out. */
const SOURCES = ['apps/api/src', 'apps/worker/src', 'apps/inference/src', 'libs', 'migrations', 'tools/cli'];

function outDir(): string {
  const flag = process.argv.indexOf('--out');
  if (flag <= 0) return path.join(ROOT, 'dist/server');
  const dir = process.argv[flag + 1];
  if (!dir) throw new Error('--out needs a folder inside the repository, e.g. --out dist/server-test');
  return path.resolve(ROOT, dir);
}

async function main(): Promise<void> {
  const started = performance.now();
  rmSync(OUT, { recursive: true, force: true });
  // A container image copies only the trees its app needs: build those that are there.
  const files = SOURCES.filter((s) => existsSync(path.join(ROOT, s))).flatMap((s) => [...tsFiles(path.join(ROOT, s))]);
  await compileFiles(files, OUT);
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
