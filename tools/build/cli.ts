/**
 * The `caliper` command's ahead-of-time build, into dist/cli (CALIPER_CLI_BUILD_DIR): the CLI, the
 * libs it loads, the migrations and the API's admin CLI (which `caliper admin create` starts),
 * compiled as tools/build/compile.ts compiles the server. tools/cli/bin.js runs it while it is of
 * the current sources (tools/cli/prebuilt.js) and builds it when it is missing or stale, so a fresh
 * checkout needs no step; `npm run build:cli` (run by `npm run setup`) builds it ahead.
 *
 * Why: compiling TypeScript on load costs about a second before any command runs; the built CLI
 * answers `--help` in about a fifth of that (npm run bench:cli).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { compileFiles, tsFiles } from './compile';
import { buildInPlace, fingerprints, folders, ROOT } from './stamp';
import { buildDir } from '../cli/prebuilt';

/** The trees the CLI loads from source (apps/api/src for admin-cli.ts). */
const SOURCES = ['tools/cli', 'libs', 'migrations', 'apps/api/src'];
/** Besides the sources, what decides the output: compiler settings, these scripts, SWC's versions. */
const SETTINGS = [
  'tsconfig.base.json',
  'tools/build/cli.ts',
  'tools/build/compile.ts',
  'tools/build/stamp.ts',
  'node_modules/@swc/core/package.json',
  'node_modules/@swc-node/core/package.json',
  'node_modules/@swc-node/register/package.json',
];

export async function buildCli(out: string = buildDir()): Promise<{ files: number; ms: number }> {
  const started = performance.now();
  const trees = SOURCES.map((s) => path.join(ROOT, s)).filter((s) => existsSync(s));
  const files = trees.flatMap((t) => [...tsFiles(t)]);
  // Fingerprints before any file is read: one changed during the build leaves the build stale.
  const inputs = fingerprints([...SETTINGS, ...trees.flatMap((t) => [...folders(t, ['__tests__'])]), ...files]);
  await buildInPlace(out, inputs, (tmp) => compileFiles(files, tmp));
  return { files: files.length, ms: Math.round(performance.now() - started) };
}

if (require.main === module) {
  buildCli().then(
    ({ files, ms }) => console.log(`built ${files} files into ${path.relative(ROOT, buildDir())} in ${ms} ms`),
    (err: Error) => {
      console.error(`build:cli failed: ${err.stack ?? err.message}`);
      process.exitCode = 1;
    },
  );
}
