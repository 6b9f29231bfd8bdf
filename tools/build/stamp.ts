/**
 * Builds that know their inputs (the CLI's dist/cli, the web app's dist/web): each records, in
 * its folder's build-stamp.json, every input it read — files, and the folders they lie in, so an
 * added or removed file counts too — with its size and modification time, taken before reading;
 * tools/cli/prebuilt.js's stampIsCurrent checks them. A build is written beside its folder and
 * renamed into place with its stamp, so a reader never sees half a build, and two builds racing
 * both end with a complete one.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Fingerprint, fingerprint, STAMP, STAMP_VERSION } from '../cli/prebuilt';

export const ROOT = path.resolve(__dirname, '../..');

/** A tree's folders, less node_modules and the given names (tests' folders, whose files no build reads). */
export function* folders(dir: string, skip: readonly string[] = []): Generator<string> {
  yield dir;
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (entry !== 'node_modules' && !skip.includes(entry) && statSync(full).isDirectory()) yield* folders(full, skip);
  }
}

/** Fingerprints of `paths` (absolute or relative to the repository); every one must exist. */
export function fingerprints(paths: string[]): Fingerprint[] {
  return paths.map((p) => {
    const rel = path.relative(ROOT, path.resolve(ROOT, p));
    const print = fingerprint(ROOT, rel);
    if (!print) throw new Error(`${rel} is missing`);
    return print;
  });
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

/**
 * Runs `build(tmp)` into a folder beside `out`, writes the stamp of `inputs` (fingerprinted by the
 * caller before the build read them) and renames it into place.
 */
export async function buildInPlace<T>(out: string, inputs: Fingerprint[], build: (tmp: string) => Promise<T>): Promise<T> {
  if (path.relative(ROOT, out).startsWith('..')) throw new Error(`${out} is outside the repository, where node_modules would not resolve`);
  mkdirSync(path.dirname(out), { recursive: true });
  removeLeftovers(out);
  const tmp = `${out}.${process.pid}.tmp`;
  const old = `${out}.${process.pid}.old`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    const result = await build(tmp);
    if (!existsSync(tmp)) throw new Error(`the build wrote nothing into ${tmp}`);
    writeFileSync(path.join(tmp, STAMP), `${JSON.stringify({ version: STAMP_VERSION, builtAt: new Date().toISOString(), inputs })}\n`);
    try {
      renameSync(out, old);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    try {
      renameSync(tmp, out);
    } catch (err) {
      // Another build took the place between the two renames: it is as current as this one.
      if (!['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
    return result;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}
