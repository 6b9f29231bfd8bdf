/**
 * What the browser tests share: the API's test harness and write path loaded by path (the web
 * project's type-check, isolatedModules, cannot compile the API's decorated sources, so the few
 * members used are typed here), the production build of the app served by an API, a project with
 * its members or with runs to seed, Chromium with pages that fail a test on any console or page
 * error, sign-in, and the axe check.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContextOptions, type ConsoleMessage, type Page } from 'playwright-core';

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
export interface User {
  id: string;
  username: string;
  password: string;
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
async function buildWebAppInto(outDir: string): Promise<void> {
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

const BUILD_WAIT_MS = 10 * 60_000;

/**
 * The folder holding the web app's production build for this test run, built once by the first
 * test file that asks (in any Jest worker) and shared, read-only, by every other: the suite's
 * global setup names the folder (CALIPER_TEST_WEB_DIST) and its teardown removes it. The first
 * caller takes `<dir>.lock` (mkdir is atomic), builds into `<dir>.partial` and renames it into
 * place; the others wait for the folder, or for `<dir>.failed` with the build's error.
 */
export async function webBuild(): Promise<string> {
  const dir = process.env.CALIPER_TEST_WEB_DIST;
  if (!dir)
    throw new Error(
      'CALIPER_TEST_WEB_DIST is unset: the browser tests run in the integration project (its global setup names the build folder)',
    );
  const failed = `${dir}.failed`;
  let builder = false;
  try {
    mkdirSync(`${dir}.lock`);
    builder = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (builder) {
    const partial = `${dir}.partial`;
    try {
      await buildWebAppInto(partial);
      renameSync(partial, dir);
    } catch (err) {
      writeFileSync(failed, String((err as Error).stack ?? err));
      throw err;
    }
    return dir;
  }
  for (const deadline = Date.now() + BUILD_WAIT_MS; Date.now() < deadline;) {
    if (existsSync(dir)) return dir;
    if (existsSync(failed)) throw new Error(`the shared web build failed in another test file:\n${readFileSync(failed, 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the shared web build ${dir} did not appear within ${BUILD_WAIT_MS / 60_000} min`);
}

export interface WebApi<Api extends TestApi = TestApi> {
  api: Api;
  harness: Harness;
  /** The bootstrap admin, signed in. */
  admin: Auth;
  /** Closes the API. */
  close(): Promise<void>;
}

/**
 * The production build of the app (webBuild) served (WEB_DIST_DIR) by an API booted in-process on
 * a fresh test database, with these settings besides; the harness loads while the app builds.
 */
export async function startWebApi<Api extends TestApi = TestApi>(env: Record<string, string> = {}): Promise<WebApi<Api>> {
  let api: Api | undefined;
  try {
    const [harness, outDir] = await Promise.all([loadHarness(), webBuild()]);
    api = (await harness.startTestApi({ WEB_DIST_DIR: outDir, ...env })) as Api;
    const admin = await harness.login(api, harness.ADMIN.username, harness.ADMIN.password);
    const started = api;
    return {
      api: started,
      harness,
      admin,
      close: () => started.close(),
    };
  } catch (err) {
    await api?.close().catch(() => undefined);
    throw err;
  }
}

/** A new project (`slug`) with one new member per role given, in that order. */
export async function newProjectWith<const Roles extends readonly string[]>(
  web: WebApi,
  slug: string,
  roles: Roles,
): Promise<{ projectId: string; members: { -readonly [I in keyof Roles]: User } }> {
  const projectId = await web.harness.newProject(web.api, web.admin, slug);
  const members: User[] = [];
  for (const role of roles) members.push(await web.harness.newUser(web.api, web.admin, { projectId, roles: [role] }));
  return { projectId, members: members as { -readonly [I in keyof Roles]: User } };
}

export interface TrackingSeed {
  projectId: string;
  researcher: User;
  /** TrackingService of the API: runs are seeded through the API's own write path. */
  tracking: Tracking;
  /** The researcher, as the service takes them. */
  who: Principal;
}

/** A new project (`slug`) with a researcher, and the API's TrackingService to write runs as them. */
export async function seedTrackingProject(web: WebApi, slug: string): Promise<TrackingSeed> {
  const [TrackingService, { projectId, members }] = await Promise.all([loadTrackingService(), newProjectWith(web, slug, ['RESEARCHER'])]);
  const [researcher] = members;
  const who: Principal = {
    method: 'session',
    sessionId: 'e2e',
    user: { id: researcher.id, username: researcher.username, displayName: researcher.username, globalRole: null },
  };
  return { projectId, researcher, tracking: web.api.app.get(TrackingService), who };
}

const HEADLESS_SHELL = '/usr/bin/chromium-headless-shell';

/**
 * The browser the tests drive: CHROMIUM_PATH, else Debian's chromium-headless-shell when installed
 * (.ci/run installs it), else its Chromium. The shell is the same Blink and V8 without a browser
 * window: in full Chromium each new context opens a window that loads two omnibox-popup pages,
 * about a second of CPU beside the test on two cores (runs-table suite 78 → 68 s).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? (existsSync(HEADLESS_SHELL) ? HEADLESS_SHELL : '/usr/bin/chromium'),
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/**
 * Registers, in the describe block it is called in, that each test starts with no page problems and
 * fails if it ends with any; returns what a page reports its problems to (openPage's `onProblem`).
 */
export function failOnPageProblems(): (problem: string) => void {
  let problems: string[] = [];
  beforeEach(() => {
    problems = [];
  });
  afterEach(() => {
    expect(problems).toEqual([]);
  });
  return (problem) => problems.push(problem);
}

/**
 * A page in a new context (1360x900, en-GB, UTC unless `context` says otherwise) whose console
 * errors and page errors go to `onProblem`, but for console errors `expected` says the test causes
 * on purpose (a refused upload, whose reason the page shows).
 */
export async function openPage(
  browser: Browser,
  onProblem: (problem: string) => void,
  opts: { context?: BrowserContextOptions; expected?: (msg: ConsoleMessage) => boolean } = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-GB', timezoneId: 'UTC', ...opts.context });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !opts.expected?.(msg)) onProblem(`console error: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => onProblem(`page error: ${err.message}`));
  return page;
}

/** Signs in through the sign-in page and waits to be taken on to `next` (a path). */
export async function signIn(page: Page, base: string, user: { username: string; password: string }, next: string): Promise<void> {
  await page.goto(`${base}/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}${next}`);
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

/** The worker as its own process (apps/api/src/testing/worker-process.ts), as the browser tests use it. */
export interface WorkerProcess {
  /** The last 20 kB of its output, for failure messages. */
  output(): string;
  close(): Promise<void>;
}

/**
 * Starts the worker as `npm start` runs it, on the database and object store of the web test's API
 * and with `env` besides (e.g. the training settings), for flows that run through its jobs.
 */
export async function startWorkerNextTo(api: TestApi, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const { startWorker } = (await import(path.join(repoRoot, 'apps/api/src/testing/worker-process'))) as {
    startWorker(api: TestApi, env: Record<string, string>): Promise<WorkerProcess>;
  };
  return startWorker(api, env);
}
