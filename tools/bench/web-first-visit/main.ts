/**
 * First-visit benchmark of the web app as `npm start` serves it (prints figures; not a test):
 * `npm run bench:first-visit [-- --reps 5]`.
 *
 * Issue 12 measured a first page visit at 2-5.6 s: `npm start` served the web app from the Vite
 * dev server, which compiles and serves each module on request. It now serves the production
 * build (dist/web) from the API; `npm start -- --dev` keeps the dev server. In the same run, this
 * starts Caliper twice exactly as `npm start` does (tools/dev/launcher.ts, on a scratch database,
 * a local S3 server, a test Orthanc, free ports and its own data folder): with the production
 * build, then with --dev. Once, through the first launch's API, it logs two runs of 4 metrics ×
 * 5,000 steps. For each launch it opens, in headless Chromium, signed in by cookie, each in a new
 * tab of an open window with the HTTP cache emptied first (a cold visit, checked; see Visitor): the
 * run page, timed from the navigation's start to the
 * frame in which every metric's chart has drawn its line, and the compare page of the two runs to
 * the frame in which it says data-charts-ready="true". The page times itself (a script installed
 * before the app's notes that frame), so the measuring adds no work of its own to the page's main
 * thread while it loads (Playwright's locator.waitFor runs its injected script there, and timing
 * from Node added the round trips of page.goto and the wait).
 * It prints the first visit after the start, then median and p95 of --reps cold visits (after
 * one unmeasured visit of each page), and the target: production median ≤ 1,000 ms to charts.
 * --detail prints, for each visit, its requests (start, duration, response size), the main
 * thread's long frames (≥ 50 ms) before the charts were drawn with the scripts that ran in them
 * (module evaluation of each chunk, promise callbacks such as Apollo's answers, React's scheduler
 * tasks) and their style and layout, and the sum of each. --profile DIR writes each measured
 * visit's main-thread CPU profile (DevTools' .cpuprofile, from navigation to the charts) into DIR,
 * and prints the self time of the app's functions in it, read back through the build's source maps.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { chromium, type Browser, type BrowserContext, type CDPSession } from 'playwright-core';
import { dropDatabase, recreateDatabase, withDatabase } from '@caliper/persistence';
import { appUrlFor, TEST_PG_URL } from '@caliper/persistence/testing';
import { startTestObjectStore } from '@caliper/storage/testing';
import { startTestOrthanc } from '@caliper/pacs/testing';
import { CaliperClient } from '@caliper/sdk';
import { freePort } from '../../testing/processes';
import { fmt, median, percentile, REGISTER, ROOT } from '../harness';

const { values: flags } = parseArgs({
  options: {
    reps: { type: 'string', default: '5' },
    detail: { type: 'boolean', default: false },
    /** Only the production build (the target's figure): skips the dev server's launch and visits. */
    'production-only': { type: 'boolean', default: false },
    /** A production build to serve instead of dist/web (WEB_DIST_DIR), e.g. a copy of the build before a change. */
    'web-dist': { type: 'string' },
    /** A folder for each measured visit's CPU profile; their summary is printed. */
    profile: { type: 'string' },
    /** Each visit in a new browser context, i.e. a new window, as before (see Visitor). */
    'window-per-visit': { type: 'boolean', default: false },
  },
});
const REPS = Number(flags.reps);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN = { username: 'bench-admin', password: 'bench-admin-password' };
const METRICS = ['loss', 'val_loss', 'dice', 'lr'];
const STEPS = 5000;
const TARGET_MS = 1000;

interface Launch {
  web: string;
  api: string;
  startedMs: number;
  stop(): Promise<void>;
}

/** `npm start` (or `npm start -- --dev`) as a child, once it says Caliper is up. */
async function launch(args: string[], env: NodeJS.ProcessEnv): Promise<Launch> {
  const started = performance.now();
  const proc: ChildProcess = spawn(process.execPath, ['-r', REGISTER, path.join(ROOT, 'tools/dev/launcher.ts'), ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (d) => (output = (output + d).slice(-50_000)));
  proc.stderr!.on('data', (d) => (output = (output + d).slice(-50_000)));
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGINT');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };
  const until = Date.now() + 240_000;
  // The addresses are printed just after "Caliper is up", possibly in a later chunk of output.
  const address = (name: string) => new RegExp(`\\[caliper\\]\\s+${name}\\s+(http://[^/\\s]+/?)`).exec(output)?.[1];
  while (!/Caliper is up/.test(output) || !address('web') || !address('api')) {
    if (proc.exitCode !== null || /did not start completely/.test(output) || Date.now() > until) {
      await stop();
      throw new Error(`npm start ${args.join(' ')} did not come up with its web and api addresses:\n${output.slice(-20000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const web = address('web')!;
  const api = address('api')!.replace(/\/$/, '');
  for (const line of output.split('\n').filter((l) => /\[caliper\]\s+web/.test(l))) console.log(`  ${line.trim()}`);
  return { web: web.replace(/\/$/, ''), api, startedMs: performance.now() - started, stop };
}

/** Two runs of METRICS × STEPS points through the native API, as a training job logs them. */
async function seed(api: string): Promise<{ runIds: string[]; cookie: string }> {
  const admin = new CaliperClient({ baseUrl: api, username: ADMIN.username, password: ADMIN.password });
  const slug = 'first-visit';
  const created = await admin.graphql<{ createProject: { id: string } }>(
    `mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }`,
    { i: { slug, name: 'First visit benchmark' } },
  );
  await admin.graphql(`mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { roles } }`, {
    i: { projectId: created.createProject.id, username: ADMIN.username, roles: ['RESEARCHER'] },
  });
  const client = new CaliperClient({ baseUrl: api, token: await admin.createApiToken(slug, { name: 'bench', roles: ['researcher'] }) });
  const runIds: string[] = [];
  const t0 = Date.now() - STEPS * 1000;
  for (const [i, name] of ['baseline', 'wider'].entries()) {
    const run = await client.runs.create({ project: slug, experiment: 'first-visit', name, params: { lr: String(0.001 * (i + 1)) } });
    const logger = await client.resumeRun(run.id);
    for (let step = 0; step < STEPS; step++) {
      const values = Object.fromEntries(
        METRICS.map((key, k) => [key, Math.exp(-step / (1500 + 500 * i)) + 0.03 * Math.sin(step / (5 + k))]),
      );
      await logger.logMetrics(values, step, t0 + step * 1000);
    }
    await logger.finish('finished');
    runIds.push(run.id);
  }
  const login = await fetch(`${api}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  if (!login.ok) throw new Error(`signing in answered ${login.status}: ${await login.text()}`);
  const [cookie = ''] = (login.headers.get('set-cookie') ?? '').split(';');
  return { runIds, cookie };
}

/** A long animation frame of the page's main thread (≥ 50 ms), as the page's PerformanceObserver saw it. */
interface LongFrame {
  start: number;
  duration: number;
  /** Style and layout at the frame's end. */
  styleAndLayout: number;
  scripts: { type: string; src: string; duration: number; forcedLayout: number }[];
}

/** What `watchPage` leaves on the page's window. */
interface Watch {
  /** performance.now() of the frame in which the charts were first all in the page. */
  drawn: Promise<number>;
  /** The long frames so far, once the frames in progress have ended (a frame is reported after it). */
  frames(): Promise<LongFrame[]>;
}

/**
 * Runs in the page before its own scripts (an init script: the app's CSP does not apply to it).
 * Notes when the `count`-th element matching `drawn` is in the page, checked once a frame after
 * the page changes (a selector: no polling from here, whose script would compete with the page's),
 * and every long animation frame with the scripts that ran in it. Browser globals are typed here,
 * as tools compile without the DOM's types.
 */
function watchPage({ drawn, count }: { drawn: string; count: number }): void {
  interface Entry {
    startTime: number;
    duration: number;
    styleAndLayoutStart: number;
    scripts: { invokerType: string; sourceURL: string; duration: number; forcedStyleAndLayoutDuration: number }[];
  }
  interface Observer {
    observe(target: unknown, options?: object): void;
    disconnect(): void;
  }
  const page = globalThis as unknown as {
    document: { querySelectorAll(selector: string): { length: number } };
    requestAnimationFrame(callback: () => void): number;
    setTimeout(callback: () => void, ms: number): number;
    MutationObserver: new (callback: () => void) => Observer;
    PerformanceObserver: new (callback: (list: { getEntries(): Entry[] }) => void) => Observer & { takeRecords(): Entry[] };
    __benchWatch?: Watch;
  };
  const frames: LongFrame[] = [];
  const note = (entries: Entry[]) => {
    for (const e of entries)
      frames.push({
        start: e.startTime,
        duration: e.duration,
        styleAndLayout: e.styleAndLayoutStart ? e.startTime + e.duration - e.styleAndLayoutStart : 0,
        scripts: e.scripts.map((s) => ({
          type: s.invokerType,
          src: s.sourceURL,
          duration: s.duration,
          forcedLayout: s.forcedStyleAndLayoutDuration,
        })),
      });
  };
  const longFrames = new page.PerformanceObserver((list) => note(list.getEntries()));
  longFrames.observe({ type: 'long-animation-frame', buffered: true });
  const framesSoFar = () =>
    new Promise<LongFrame[]>((resolve) =>
      page.requestAnimationFrame(() =>
        page.requestAnimationFrame(() =>
          page.setTimeout(() => {
            note(longFrames.takeRecords());
            resolve(frames);
          }, 50),
        ),
      ),
    );
  const drawnAt = new Promise<number>((resolve) => {
    let scheduled = false;
    const observer = new page.MutationObserver(() => {
      if (scheduled) return;
      scheduled = true;
      page.requestAnimationFrame(() => {
        scheduled = false;
        if (page.document.querySelectorAll(drawn).length < count) return;
        observer.disconnect();
        resolve(performance.now());
      });
    });
    observer.observe(page.document, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['d', 'data-charts-ready', 'data-drawn-points'],
    });
  });
  page.__benchWatch = { drawn: drawnAt, frames: framesSoFar };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
const file = (url: string) => url.replace(/^.*\//, '') || url;

/** --detail: what a visit's time went on, from its navigation start. */
function describeVisit(
  requests: { start: number; end: number; bytes: number; name: string }[],
  frames: LongFrame[],
  drawn: number,
): string {
  const lines = ['requests (start +duration ms, response body):'];
  for (const r of requests.sort((a, b) => a.start - b.start))
    lines.push(`  ${fmt(r.start).padStart(6)} +${fmt(r.end - r.start).padStart(5)}  ${kb(r.bytes).padStart(9)}  ${r.name}`);
  const before = frames.filter((f) => f.start < drawn).sort((a, b) => a.start - b.start);
  lines.push('long frames of the main thread before the charts were drawn (≥ 50 ms; start +duration ms: what ran):');
  const busy = new Map<string, number>();
  const add = (what: string, ms: number) => busy.set(what, (busy.get(what) ?? 0) + ms);
  for (const f of before) {
    const scripts = f.scripts.filter((s) => s.duration >= 1);
    for (const s of scripts)
      add(s.type === 'module-script' ? `evaluating ${file(s.src)}` : `${s.type} (${file(s.src) || 'browser'})`, s.duration);
    add('style and layout', f.styleAndLayout + f.scripts.reduce((sum, s) => sum + s.forcedLayout, 0));
    const what = scripts.map((s) => `${s.type} ${file(s.src)} ${fmt(s.duration)}`).join(', ');
    lines.push(
      `  ${fmt(f.start).padStart(6)} +${fmt(f.duration).padStart(5)}  ${what || 'no script'}; style and layout ${fmt(f.styleAndLayout)}`,
    );
  }
  const total = before.reduce((sum, f) => sum + f.duration, 0);
  const parts = [...busy].sort((a, b) => b[1] - a[1]).filter(([, ms]) => ms >= 5);
  lines.push(
    `main thread in those frames: ${fmt(total)} ms of ${fmt(drawn)}: ${parts.map(([what, ms]) => `${what} ${fmt(ms)}`).join('; ')}`,
  );
  return lines.join('\n    ');
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}
let profiles = 0;
const profiled: { page: string; profile: CpuProfile }[] = [];

/**
 * --profile: the self time (ms, summed over a page's visits and divided by their number) of each
 * function, named by its original source (the build's source maps) where it is the app's or a
 * bundled library's, else by its script; the top entries of each page.
 */
async function printProfiles(distDir: string): Promise<void> {
  const { TraceMap, originalPositionFor } = await import('@jridgewell/trace-mapping');
  const maps = new Map<string, InstanceType<typeof TraceMap> | null>();
  const mapOf = async (url: string) => {
    if (!maps.has(url)) {
      let map: InstanceType<typeof TraceMap> | null = null;
      try {
        const { pathname } = new URL(url);
        if (pathname.startsWith('/assets/')) map = new TraceMap(readFileSync(path.join(distDir, `${pathname}.map`), 'utf8'));
      } catch {
        /* not the app's script, or no map */
      }
      maps.set(url, map);
    }
    return maps.get(url)!;
  };
  for (const pageName of [...new Set(profiled.map((p) => p.page))]) {
    const of = profiled.filter((p) => p.page === pageName);
    const self = new Map<string, number>();
    for (const { profile } of of) {
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      for (let i = 0; i < profile.samples.length; i++) {
        const f = byId.get(profile.samples[i]!)!.callFrame;
        let label = f.functionName || '(anonymous)';
        if (f.url) {
          const map = await mapOf(f.url);
          const o = map ? originalPositionFor(map, { line: f.lineNumber + 1, column: f.columnNumber }) : null;
          label = o?.source
            ? `${o.name ?? f.functionName ?? '(anonymous)'} ${o.source.replace(/^.*node_modules\//, '').replace(/^(\.\.\/)+/, '')}:${o.line}`
            : `${label} ${file(f.url)}`;
        }
        self.set(label, (self.get(label) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
      }
    }
    const top = [...self].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]);
    const total = top.reduce((s, [, ms]) => s + ms, 0) / of.length;
    console.log(`\n${pageName}: main thread busy ${fmt(total)} ms a visit (${of.length} visits); self time a visit:`);
    for (const [k, ms] of top.slice(0, 30)) console.log(`  ${(ms / of.length).toFixed(1).padStart(7)} ms  ${k}`);
  }
}

/** The machine's CPU time so far: busy and total jiffies over all cores (/proc/stat). */
function cpuTimes(): { busy: number; total: number } {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const n = fields.map(Number);
  const idle = (n[3] ?? 0) + (n[4] ?? 0);
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * After seeding (10,000 requests, 40,000 rows), waits until the machine is quiet, so the visits
 * do not share the cores with its aftermath (PostgreSQL's checkpoint and autovacuum, the kernel
 * writing back): a checkpoint and a sync now, then until two seconds in a row are at most 25 %
 * busy, for at most a minute. Says how long it waited and how busy the last second was.
 */
async function settle(ownerUrl: string): Promise<void> {
  const started = performance.now();
  const pg = new Client({ connectionString: ownerUrl });
  await pg.connect();
  try {
    await pg.query('CHECKPOINT');
  } finally {
    await pg.end();
  }
  await new Promise<void>((resolve) => spawn('sync').once('exit', () => resolve()));
  let quiet = 0;
  let busy = 1;
  while (quiet < 2 && performance.now() - started < 60_000) {
    const a = cpuTimes();
    await sleep(1000);
    const b = cpuTimes();
    busy = (b.busy - a.busy) / Math.max(1, b.total - a.total);
    quiet = busy <= 0.25 ? quiet + 1 : 0;
  }
  console.log(
    `settled after seeding in ${((performance.now() - started) / 1000).toFixed(1)} s (last second ${Math.round(busy * 100)} % busy)`,
  );
}

/**
 * The browser a visitor already has open: one context (signed in by cookie, the page's timing
 * script installed) and one window, kept open by a blank tab. Each visit opens a new tab in it
 * after emptying the browser's HTTP cache (V8's code cache lives there too), and closes it after.
 *
 * Not a new context per visit: in full Chromium each context is a new window, and each new window
 * loads its omnibox popups (two chrome://omnibox-popup.top-chrome/ pages), about a second of
 * browser work on these two cores that ran beside the visit it was opened for and slowed it
 * by a third (run page 1,556 → 931 ms, measured with chromium-headless-shell, which has no
 * windows). A visitor's window is open before they visit. `--window-per-visit` measures the old way.
 */
interface Visitor {
  context: BrowserContext;
  /** The blank tab that keeps the window open; its DevTools session empties the cache. */
  home: CDPSession;
  close(): Promise<void>;
}

async function openVisitor(browser: Browser, web: string, cookie: string, target: Target): Promise<Visitor> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const at = cookie.indexOf('=');
  await context.addCookies([{ name: cookie.slice(0, at), value: cookie.slice(at + 1), url: web }]);
  await context.addInitScript(watchPage, { drawn: target.drawn, count: target.count });
  const home = await context.newCDPSession(await context.newPage());
  return { context, home, close: () => context.close() };
}

interface Target {
  path: string;
  drawn: string;
  count: number;
}

/** One cold visit: ms from the navigation's start to the frame in which the page's charts are drawn. */
async function visit(browser: Browser, web: string, cookie: string, target: Target, shared: Visitor | null): Promise<number> {
  const visitor = flags['window-per-visit'] || !shared ? await openVisitor(browser, web, cookie, target) : shared;
  // Cold: nothing of an earlier visit in the HTTP cache, nor its compiled scripts (checked below).
  await visitor.home.send('Network.clearBrowserCache');
  const page = await visitor.context.newPage();
  try {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // --detail: each request of the visit (epoch ms) and its response's size.
    const finished: Promise<{ start: number; end: number; bytes: number; name: string }>[] = [];
    if (flags.detail)
      page.on('requestfinished', (req) => {
        const t = req.timing();
        const op = /"operationName":"(\w+)"/.exec(req.postData() ?? '')?.[1];
        const url = new URL(req.url());
        const name = `${url.pathname}${op ? ` ${op}` : ''}`;
        // A request that ends as the page closes has no sizes to read any more.
        const bytes = req.sizes().then(
          (s) => s.responseBodySize,
          () => 0,
        );
        finished.push(bytes.then((b) => ({ start: t.startTime, end: t.startTime + t.responseEnd, bytes: b, name })));
      });
    const cdp = flags.profile ? await visitor.context.newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    await page.goto(`${web}${target.path}`);
    let timer: NodeJS.Timeout | undefined;
    const ms = await Promise.race([
      page.evaluate(() => (globalThis as unknown as { __benchWatch: Watch }).__benchWatch.drawn),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${target.path}: no charts drawn after 60 s`)), 60_000);
      }),
    ]).finally(() => clearTimeout(timer));
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop');
      mkdirSync(flags.profile!, { recursive: true });
      const name = `${target.path.split('/')[target.path.startsWith('/runs/') ? 1 : 3]!.replace(/\?.*/, '')}-${++profiles}.cpuprofile`;
      writeFileSync(path.join(flags.profile!, name), JSON.stringify(profile));
      profiled.push({ page: name.replace(/-\d+\.cpuprofile$/, ''), profile: profile as CpuProfile });
    }
    // Every script and style sheet came over the network: a transfer size of 0 is the HTTP cache's.
    const cached = await page.evaluate(() =>
      (performance.getEntriesByType('resource') as unknown as { name: string; initiatorType: string; transferSize: number }[])
        .filter((e) => /\/assets\/.*\.(js|css)$/.test(new URL(e.name).pathname) && e.transferSize === 0)
        .map((e) => e.name),
    );
    if (cached.length) throw new Error(`${target.path}: not a cold visit; from the browser's cache: ${cached.join(', ')}`);
    if (flags.detail) {
      const [frames, origin] = await page.evaluate(
        async () => [await (globalThis as unknown as { __benchWatch: Watch }).__benchWatch.frames(), performance.timeOrigin] as const,
      );
      const requests = (await Promise.all(finished)).map((r) => ({ ...r, start: r.start - origin, end: r.end - origin }));
      console.log(`  ${target.path.slice(0, 40)}: ${fmt(ms)} ms to charts drawn\n    ${describeVisit(requests, frames, ms)}`);
    }
    if (errors.length) throw new Error(`${target.path} reported errors: ${errors.join('; ')}`);
    return ms;
  } finally {
    await page.close();
    if (visitor !== shared) await visitor.close();
  }
}

async function main(): Promise<void> {
  if (!Number.isInteger(REPS) || REPS < 5) throw new Error(`--reps must be an integer of at least 5, not ${flags.reps}`);
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(`${os.cpus().length} CPU cores; load average at start ${load()}`);
  const dbName = `caliper_bench_${randomBytes(4).toString('hex')}`;
  const ownerUrl = withDatabase(TEST_PG_URL, dbName);
  await recreateDatabase(ownerUrl);
  const objects = await startTestObjectStore();
  const orthanc = await startTestOrthanc();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'caliper-first-visit-'));
  let browser: Browser | null = null;
  let running: Launch | null = null;
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...objects.config,
      NODE_ENV: 'development',
      DATABASE_OWNER_URL: ownerUrl,
      DATABASE_URL: appUrlFor(ownerUrl),
      REDIS_PREFIX: dbName,
      PACS_DICOMWEB_URL: orthanc.dicomWebUrl,
      CALIPER_DATA_DIR: dataDir,
      API_PORT: String(await freePort()),
      WORKER_PORT: String(await freePort()),
      INFERENCE_PORT: String(await freePort()),
      WEB_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    };
    delete env.WEB_DIST_DIR;
    if (flags['web-dist']) {
      env.WEB_DIST_DIR = path.resolve(flags['web-dist']);
      // Express's static files refuse paths through dot-folders: the page would load no scripts.
      if (env.WEB_DIST_DIR.split(path.sep).some((part) => part.startsWith('.')))
        throw new Error(`--web-dist ${env.WEB_DIST_DIR}: copy the build to a folder whose path has no dot-folder (e.g. /tmp/web-before)`);
    }
    delete env.CALIPER_WEB_DEV;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    let seeded: { runIds: string[]; cookie: string } | null = null;
    const visitors: Visitor[] = [];
    const results: { mode: string; startedMs: number; first: number; run: number[]; compare: number[] }[] = [];
    const modes = flags['production-only'] ? ['production build'] : ['production build', 'dev server (--dev)'];
    for (const mode of modes) {
      running = await launch(mode.startsWith('dev') ? ['--dev'] : [], env);
      console.log(`npm start${mode.startsWith('dev') ? ' -- --dev' : ''}: up in ${(running.startedMs / 1000).toFixed(1)} s`);
      if (!seeded) {
        seeded = await seed(running.api);
        await settle(ownerUrl);
      }
      const { runIds, cookie } = seeded;
      const runPage = {
        path: `/runs/${runIds[0]}`,
        // A canvas chart says what it drew (charts/CanvasPlot.tsx); recharts' line is a path (a build from before the canvas, --web-dist).
        drawn:
          'figure.chart-card canvas[data-drawn-points]:not([data-drawn-points="0"]), figure.chart-card svg path.recharts-curve[d^="M"]',
        count: METRICS.length,
      };
      const comparePage = {
        path: `/projects/first-visit/compare?runs=${runIds.join(',')}&metrics=${METRICS.join(',')}`,
        drawn: '.compare-page[data-charts-ready="true"]',
        count: 1,
      };
      // A window for each page (its timing script waits for that page's charts), open and settled before the visits.
      const runVisitor = await openVisitor(browser, running.web, cookie, runPage);
      const compareVisitor = await openVisitor(browser, running.web, cookie, comparePage);
      visitors.push(runVisitor, compareVisitor);
      await new Promise((r) => setTimeout(r, 3000));
      const first = await visit(browser, running.web, cookie, runPage, runVisitor);
      await visit(browser, running.web, cookie, comparePage, compareVisitor);
      const run: number[] = [];
      const compare: number[] = [];
      for (let r = 0; r < REPS; r++) {
        run.push(await visit(browser, running.web, cookie, runPage, runVisitor));
        compare.push(await visit(browser, running.web, cookie, comparePage, compareVisitor));
      }
      for (const v of visitors.splice(0)) await v.close();
      results.push({ mode, startedMs: running.startedMs, first, run, compare });
      await running.stop();
      running = null;
    }
    console.log(`\n${''.padEnd(22)}${'first visit'.padStart(13)}${'run page'.padStart(20)}${'compare page'.padStart(20)}`);
    console.log(`${''.padEnd(22)}${'(run page)'.padStart(13)}${'median / p95'.padStart(20)}${'median / p95'.padStart(20)}`);
    for (const r of results) {
      const cell = (xs: number[]) => `${fmt(median(xs))} / ${fmt(percentile(xs, 95))} ms`.padStart(20);
      console.log(`${r.mode.padEnd(22)}${`${fmt(r.first)} ms`.padStart(13)}${cell(r.run)}${cell(r.compare)}`);
    }
    const [prod, dev] = results as [(typeof results)[0], (typeof results)[0] | undefined];
    console.log('');
    for (const [label, key] of [
      ['run page', 'run'],
      ['compare page', 'compare'],
    ] as const) {
      const p = median(prod[key]);
      const d = dev ? median(dev[key]) : null;
      const versus = d === null ? '' : `${fmt(d)} ms (dev server) → `;
      const faster = d === null ? '' : `, ${(d / p).toFixed(1)}× faster`;
      console.log(
        `${label}: ${versus}${fmt(p)} ms (production build)${faster}; ${p <= TARGET_MS ? 'meets' : 'MISSES'} the ${fmt(TARGET_MS)} ms target`,
      );
    }
    console.log(`first visit after the start: ${dev ? `${fmt(dev.first)} ms → ` : ''}${fmt(prod.first)} ms`);
    console.log(`load average at end ${load()}`);
    if (profiled.length) await printProfiles(path.resolve(flags['web-dist'] ?? path.join(ROOT, 'dist/web')));
  } finally {
    await running?.stop();
    await browser?.close();
    await orthanc.stop();
    await objects.close();
    await dropDatabase(ownerUrl);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(`bench:first-visit failed: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
