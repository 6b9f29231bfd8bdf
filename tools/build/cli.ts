/**
 * The `caliper` command's ahead-of-time build, into dist/cli (CALIPER_CLI_BUILD_DIR): the CLI, the
 * libs it loads, the migrations and the API's admin CLI (which `caliper admin create` starts),
 * compiled as tools/build/compile.ts compiles the server. tools/cli/bin.js runs it while it is of
 * the current sources (tools/cli/prebuilt.js) and builds it when it is missing or stale, so a fresh
 * checkout needs no step; `npm run build:cli` (run by `npm run setup`) builds it ahead.
 *
 * Why: compiling TypeScript on load costs about a second before any command runs; the built CLI
 * answers `--help` in about a fifth of that (npm run bench:cli).
 *
 * The build is written beside the folder and renamed into place with its stamp, so a command never
 * sees half a build, and two commands building at once both end with a complete one.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compileFiles, ROOT, tsFiles } from './compile';
import { buildDir, Fingerprint, fingerprint, STAMP, STAMP_VERSION } from '../cli/prebuilt';

/** The trees the CLI loads from source (apps/api/src for admin-cli.ts). */
const SOURCES = ['tools/cli', 'libs', 'migrations', 'apps/api/src'];
/** Besides the sources, what decides the output: compiler settings, these scripts, SWC's versions. */
const SETTINGS = [
  'tsconfig.base.json',
  'tools/build/cli.ts',
  'tools/build/compile.ts',
  'node_modules/@swc/core/package.json',
  'node_modules/@swc-node/core/package.json',
  'node_modules/@swc-node/register/package.json',
];

/** Folders whose files the build may compile (tests' folders hold none; their changes do not count). */
function* folders(dir: string): Generator<string> {
  yield dir;
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (entry !== 'node_modules' && entry !== '__tests__' && statSync(full).isDirectory()) yield* folders(full);
  }
}

/** Every input with its fingerprint, taken before any file is read: a file changed during the build makes the build stale. */
function inputs(): { files: string[]; stamp: Fingerprint[] } {
  const trees = SOURCES.map((s) => path.join(ROOT, s)).filter((s) => existsSync(s));
  const files = trees.flatMap((t) => [...tsFiles(t)]);
  const rels = [...SETTINGS, ...trees.flatMap((t) => [...folders(t)]), ...files].map((f) => path.relative(ROOT, path.resolve(ROOT, f)));
  const stamp = rels.map((rel) => {
    const print = fingerprint(ROOT, rel);
    if (!print) throw new Error(`${rel} is missing`);
    return print;
  });
  return { files, stamp };
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Folders left by builds that were killed half-way (`<name>.<pid>.tmp|old` of a process that is gone). */
function removeLeftovers(out: string): void {
  const name = path.basename(out);
  for (const entry of readdirSync(path.dirname(out))) {
    const m = /^(.+)\.(\d+)\.(tmp|old)$/.exec(entry);
    if (m && m[1] === name && !isRunning(Number(m[2]))) rmSync(path.join(path.dirname(out), entry), { recursive: true, force: true });
  }
}

export async function buildCli(out: string = buildDir()): Promise<{ files: number; ms: number }> {
  const started = performance.now();
  if (path.relative(ROOT, out).startsWith('..')) throw new Error(`${out} is outside the repository, where node_modules would not resolve`);
  mkdirSync(path.dirname(out), { recursive: true });
  removeLeftovers(out);
  const tmp = `${out}.${process.pid}.tmp`;
  const old = `${out}.${process.pid}.old`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    const { files, stamp } = inputs();
    await compileFiles(files, tmp);
    writeFileSync(
      path.join(tmp, STAMP),
      `${JSON.stringify({ version: STAMP_VERSION, builtAt: new Date().toISOString(), inputs: stamp })}\n`,
    );
    try {
      renameSync(out, old);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    try {
      renameSync(tmp, out);
    } catch (err) {
      // Another command's build took the place between the two renames: it is as current as this one.
      if (!['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
    return { files: files.length, ms: Math.round(performance.now() - started) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
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
