/**
 * What the browser tests share: the API's test harness and write path loaded by path (the web
 * project's type-check, isolatedModules, cannot compile the API's decorated sources, so the few
 * members used are typed here), the production build of the app, and the axe check.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

export const repoRoot = path.resolve(__dirname, '../../..');

export interface TestApi {
  app: { get<T>(token: abstract new (...args: never[]) => T): T };
  base: string;
  close(): Promise<void>;
}
export type Auth = { cookie: string } | { basic: [string, string] };
export interface Harness {
  ADMIN: { username: string; password: string };
  startTestApi(env: Record<string, string>): Promise<TestApi>;
  login(api: TestApi, username: string, password: string): Promise<Auth>;
  newProject(api: TestApi, admin: Auth, slug: string): Promise<string>;
  newUser(
    api: TestApi,
    admin: Auth,
    opts: { projectId: string; roles: string[] },
  ): Promise<{ id: string; username: string; password: string }>;
  gqlOk(api: TestApi, auth: Auth, query: string, variables: Record<string, unknown>): Promise<unknown>;
}
export interface Principal {
  method: 'session';
  sessionId: string;
  user: { id: string; username: string; displayName: string; globalRole: null };
}
export type KeyValue = { key: string; value: string };
export interface Tracking {
  createExperiment(p: Principal, projectId: string, name: string, tags: KeyValue[]): Promise<{ id: string }>;
  createRun(
    p: Principal,
    cmd: { experimentId: string; name: string; startTime: number; gitCommit?: string; gitRepo?: string; imageDigest?: string },
  ): Promise<{ uuid: string }>;
  logBatch(
    p: Principal,
    runId: string,
    batch: { params?: KeyValue[]; tags?: KeyValue[]; metrics?: { key: string; value: number; timestamp: number; step: number }[] },
  ): Promise<unknown>;
  appendLogs(p: Principal, runId: string, lines: { ts: Date; stream: string; line: string }[]): Promise<void>;
  updateRun(p: Principal, runId: string, changes: { status: string; endTime: number }): Promise<unknown>;
}
export const loadHarness = (): Promise<Harness> => import(path.join(repoRoot, 'apps/api/src/testing/api-harness'));
export const loadTrackingService = async (): Promise<abstract new (...args: never[]) => Tracking> =>
  (
    (await import(path.join(repoRoot, 'apps/api/src/tracking/tracking.service'))) as {
      TrackingService: abstract new (...args: never[]) => Tracking;
    }
  ).TrackingService;

/** The production build of the web app into `outDir`, as the API serves it with WEB_DIST_DIR. */
export async function buildWebApp(outDir: string): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [
      path.join(repoRoot, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'apps/web/vite.config.ts',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'error',
    ],
    // Jest runs with NODE_ENV=test, which Vite would build into the bundle: React's development
    // build, with StrictMode's double effects (every request of a page sent twice). The browser
    // tests check what users get.
    { cwd: repoRoot, env: { ...process.env, NODE_ENV: 'production' } },
  );
}

/**
 * Runs `assertion` until it passes, or fails with its last error once `timeoutMs` has passed: what
 * a page shows settles after requests and re-renders, so a test reads it this way, never once.
 * Returns what the assertion returns (a value read from the page, once it is right).
 */
export async function eventually<T>(assertion: () => Promise<T> | T, timeoutMs = 10_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Set CALIPER_E2E_SCREENSHOTS to a folder to keep a screenshot of every page checked. */
const screenshotDir = process.env.CALIPER_E2E_SCREENSHOTS;
let screenshotCount = 0;

/**
 * No serious or critical axe violation on the page (`where` names it in the failure, and the
 * screenshot). Checked again until `timeoutMs` has passed, like any other reading of the page: a
 * violation that lasts fails the test, one the page's next render clears does not.
 */
export async function expectAccessible(page: Page, where: string, timeoutMs = 10_000): Promise<void> {
  if (screenshotDir) {
    const prefix = path.basename(expect.getState().testPath ?? 'page', '.int-spec.ts');
    const name = `${prefix}-${String(++screenshotCount).padStart(2, '0')}-${where.replace(/[^a-z0-9]+/gi, '-')}.png`;
    await page.screenshot({ path: path.join(screenshotDir, name), fullPage: true });
  }
  await eventually(
    async () => {
      const results = await new AxeBuilder({ page }).analyze();
      const serious = results.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${where}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      expect(serious).toEqual([]);
    },
    timeoutMs,
    250,
  );
}
