/**
 * Whether a build of the CLI (tools/build/cli.ts, into dist/cli) is of the current sources, checked
 * by bin.js before every command, so in plain JavaScript and in a few milliseconds: the build
 * records each input it read — every source file and folder of the trees it compiles, the
 * tsconfig, the build scripts and the compiler's version — with its size and modification time,
 * and the build counts only while every one is unchanged. An edited, added, removed or renamed
 * source changes a file's or its folder's time, so a stale build is never run.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const STAMP = 'build-stamp.json';
const STAMP_VERSION = 1;

/** Where the CLI is built: CALIPER_CLI_BUILD_DIR (relative to the repository), else dist/cli. */
function buildDir(env = process.env) {
  return path.resolve(ROOT, env.CALIPER_CLI_BUILD_DIR || 'dist/cli');
}

/** [path relative to root, size, mtimeMs] of an input, or null when it is gone. */
function fingerprint(root, rel) {
  try {
    const st = fs.statSync(path.join(root, rel));
    return [rel, st.isDirectory() ? 0 : st.size, st.mtimeMs];
  } catch {
    return null;
  }
}

/**
 * Whether the build in `dir` is of its inputs as they are now: its stamp lists every input with
 * the size and time it had when the build read it, and each is still so. Else false, with the
 * reason in `why.reason`. (The web app's build for `npm start` is checked the same way.)
 */
function stampIsCurrent(dir, root = ROOT, why = {}) {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(path.join(dir, STAMP), 'utf8'));
  } catch {
    why.reason = 'no build';
    return false;
  }
  if (!stamp || stamp.version !== STAMP_VERSION || !Array.isArray(stamp.inputs) || stamp.inputs.length === 0) {
    why.reason = 'not a build stamp of this version';
    return false;
  }
  for (const input of stamp.inputs) {
    const now = Array.isArray(input) && typeof input[0] === 'string' ? fingerprint(root, input[0]) : null;
    if (!now || now[1] !== input[1] || now[2] !== input[2]) {
      why.reason = `${Array.isArray(input) ? input[0] : 'an input'} changed since the build`;
      return false;
    }
  }
  return true;
}

/**
 * The built entry (…/tools/cli/main.js) when `dir` holds a complete build whose every input is as
 * it was built, else null with the reason in `why.reason` (for CALIPER_CLI_TRACE).
 */
function currentBuild(dir, root = ROOT, why = {}) {
  if (!stampIsCurrent(dir, root, why)) return null;
  const entry = path.join(dir, 'tools/cli/main.js');
  if (!fs.existsSync(entry)) {
    why.reason = 'the build has no tools/cli/main.js';
    return null;
  }
  return entry;
}

module.exports = { ROOT, STAMP, STAMP_VERSION, buildDir, fingerprint, stampIsCurrent, currentBuild };
