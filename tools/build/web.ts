/**
 * The web app's production build for `npm start`, into dist/web: `vite build` as the web image
 * and the browser tests build it, kept while it is of the current sources (its stamp lists every
 * file and folder under apps/web/src and apps/web/public, the HTML page, the Vite and TypeScript
 * settings and package-lock.json; tools/build/stamp.ts), rebuilt otherwise (about 20 s here).
 * `npm run build:web` builds it ahead; `npm run build:web -- --check` says whether it is current.
 *
 * Why: the Vite dev server compiles and serves each module on request, hundreds for a page, so
 * a first visit took 2-5.6 s to charts; the build is a few chunks (npm run bench:first-visit).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { stampIsCurrent } from '../cli/prebuilt';
import { buildInPlace, fingerprints, folders, ROOT } from './stamp';

export const WEB_BUILD_DIR = path.join(ROOT, 'dist/web');
const TREES = ['apps/web/src', 'apps/web/public'];
const FILES = [
  'apps/web/index.html',
  'apps/web/vite.config.ts',
  'apps/web/tsconfig.json',
  'apps/web/package.json',
  'tsconfig.base.json',
  'package-lock.json',
  'tools/build/web.ts',
  'tools/build/stamp.ts',
];

/** Whether `out` holds a build of the web app's sources as they are now; else why not. */
export function webBuildStatus(out = WEB_BUILD_DIR): { current: boolean; reason?: string } {
  const why: { reason?: string } = {};
  if (!stampIsCurrent(out, ROOT, why)) return { current: false, reason: why.reason };
  if (!existsSync(path.join(out, 'index.html'))) return { current: false, reason: 'the build has no index.html' };
  return { current: true };
}

/** Runs `vite build` into `out` (beside it, then renamed into place with its stamp). */
export async function buildWeb(out = WEB_BUILD_DIR): Promise<{ ms: number }> {
  const started = performance.now();
  const inputs = fingerprints([...TREES.flatMap((t) => [...folders(path.join(ROOT, t), ['__tests__'])]), ...FILES]);
  // A file's size and time are taken above, its folder's too; vite reads only files under these.
  await buildInPlace(
    out,
    inputs,
    (tmp) =>
      new Promise<void>((resolve, reject) => {
        execFile(
          process.execPath,
          [
            path.join(ROOT, 'node_modules/vite/bin/vite.js'),
            'build',
            '--config',
            'apps/web/vite.config.ts',
            '--outDir',
            tmp,
            '--emptyOutDir',
            '--logLevel',
            'warn',
          ],
          // NODE_ENV=test or development in the caller's shell would build React's development
          // bundle into the app: the build is the production one whatever the shell says.
          { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' }, maxBuffer: 16 << 20 },
          (err, stdout, stderr) =>
            err ? reject(new Error(`vite build failed: ${`${stdout}${stderr}`.trim() || err.message}`)) : resolve(),
        );
      }),
  );
  return { ms: Math.round(performance.now() - started) };
}

/** The current build, built first when missing or stale; says which through `log`. */
export async function ensureWebBuild(log: (line: string) => void, out = WEB_BUILD_DIR): Promise<string> {
  const status = webBuildStatus(out);
  if (status.current) {
    log(`web: production build ${path.relative(ROOT, out)} is current`);
    return out;
  }
  log(`web: building the production build into ${path.relative(ROOT, out)} (${status.reason}; about 20 s, once per change)`);
  const { ms } = await buildWeb(out);
  log(`web: built in ${(ms / 1000).toFixed(1)} s`);
  return out;
}

if (require.main === module) {
  const run = async () => {
    if (process.argv.includes('--check')) {
      const status = webBuildStatus();
      console.log(
        status.current ? `${path.relative(ROOT, WEB_BUILD_DIR)} is current` : `${path.relative(ROOT, WEB_BUILD_DIR)}: ${status.reason}`,
      );
      process.exitCode = status.current ? 0 : 1;
      return;
    }
    const { ms } = await buildWeb();
    console.log(`built the web app into ${path.relative(ROOT, WEB_BUILD_DIR)} in ${(ms / 1000).toFixed(1)} s`);
  };
  run().catch((err: Error) => {
    console.error(`build:web failed: ${err.message}`);
    process.exitCode = 1;
  });
}
