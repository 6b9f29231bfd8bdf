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
 * 5,000 steps. For each launch it opens, in headless Chromium, signed in by cookie, each in a fresh
 * browser context (a cold HTTP cache): the run page, from page.goto until every metric's chart has
 * drawn its line, and the compare page of the two runs until it says data-charts-ready="true".
 * It prints the first visit after the start, then median and p95 of --reps cold visits (after
 * one unmeasured visit of each page), and the target: production median ≤ 1,000 ms to charts.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { dropDatabase, recreateDatabase, withDatabase } from '@caliper/persistence';
import { appUrlFor, TEST_PG_URL } from '@caliper/persistence/testing';
import { startTestObjectStore } from '@caliper/storage/testing';
import { startTestOrthanc } from '@caliper/pacs/testing';
import { CaliperClient } from '@caliper/sdk';
import { freePort } from '../../testing/processes';
import { fmt, median, percentile, REGISTER, ROOT } from '../harness';

const { values: flags } = parseArgs({ options: { reps: { type: 'string', default: '5' }, detail: { type: 'boolean', default: false } } });
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
  while (!/Caliper is up/.test(output)) {
    if (proc.exitCode !== null || /did not start completely/.test(output) || Date.now() > until) {
      await stop();
      throw new Error(`npm start ${args.join(' ')} did not come up:\n${output.slice(-5000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const web = /\[caliper\]\s+web\s+(http:\/\/\S+)/.exec(output)?.[1];
  const api = /\[caliper\]\s+api\s+(http:\/\/[^/\s]+)/.exec(output)?.[1];
  if (!web || !api) throw new Error(`npm start printed no web or api address:\n${output}`);
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

/** One visit in a fresh context: ms from page.goto to the page's charts drawn. */
async function visit(
  browser: Browser,
  web: string,
  cookie: string,
  target: { path: string; drawn: string; count: number },
): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  try {
    const at = cookie.indexOf('=');
    await context.addCookies([{ name: cookie.slice(0, at), value: cookie.slice(at + 1), url: web }]);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // --detail: each request of the visit, from navigation start (what the time went on).
    const requests: string[] = [];
    if (flags.detail)
      page.on('requestfinished', (req) => {
        const t = req.timing();
        const op = /"operationName":"(\w+)"/.exec(req.postData() ?? '')?.[1];
        const name = `${new URL(req.url()).pathname}${op ? ` ${op}` : ''}`;
        requests.push(`${String(Math.round(t.startTime - nav)).padStart(6)} +${String(Math.round(t.responseEnd)).padStart(5)} ms  ${name}`);
      });
    let nav = 0;
    const started = performance.now();
    nav = Date.now();
    await page.goto(`${web}${target.path}`);
    // The `count`-th element matching `drawn` is in the page (a selector: the app's CSP forbids evaluating strings).
    await page
      .locator(target.drawn)
      .nth(target.count - 1)
      .waitFor({ state: 'attached', timeout: 60_000 });
    const ms = performance.now() - started;
    if (flags.detail) console.log(`  ${target.path.slice(0, 40)}: ${fmt(ms)} ms\n    ${requests.sort().join('\n    ')}`);
    if (errors.length) throw new Error(`${target.path} reported errors: ${errors.join('; ')}`);
    return ms;
  } finally {
    await context.close();
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
    delete env.CALIPER_WEB_DEV;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    let seeded: { runIds: string[]; cookie: string } | null = null;
    const results: { mode: string; startedMs: number; first: number; run: number[]; compare: number[] }[] = [];
    for (const mode of ['production build', 'dev server (--dev)']) {
      running = await launch(mode.startsWith('dev') ? ['--dev'] : [], env);
      console.log(`npm start${mode.startsWith('dev') ? ' -- --dev' : ''}: up in ${(running.startedMs / 1000).toFixed(1)} s`);
      seeded ??= await seed(running.api);
      const { runIds, cookie } = seeded;
      const runPage = {
        path: `/runs/${runIds[0]}`,
        drawn: 'figure.chart-card svg path.recharts-curve[d^="M"]',
        count: METRICS.length,
      };
      const comparePage = {
        path: `/projects/first-visit/compare?runs=${runIds.join(',')}&metrics=${METRICS.join(',')}`,
        drawn: '.compare-page[data-charts-ready="true"]',
        count: 1,
      };
      const first = await visit(browser, running.web, cookie, runPage);
      await visit(browser, running.web, cookie, comparePage);
      const run: number[] = [];
      const compare: number[] = [];
      for (let r = 0; r < REPS; r++) {
        run.push(await visit(browser, running.web, cookie, runPage));
        compare.push(await visit(browser, running.web, cookie, comparePage));
      }
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
    const [prod, dev] = results as [(typeof results)[0], (typeof results)[0]];
    console.log('');
    for (const [label, key] of [
      ['run page', 'run'],
      ['compare page', 'compare'],
    ] as const) {
      const p = median(prod[key]);
      const d = median(dev[key]);
      console.log(
        `${label}: ${fmt(d)} ms (dev server) → ${fmt(p)} ms (production build), ${(d / p).toFixed(1)}× faster; ${p <= TARGET_MS ? 'meets' : 'MISSES'} the ${fmt(TARGET_MS)} ms target`,
      );
    }
    console.log(`first visit after the start: ${fmt(dev.first)} ms → ${fmt(prod.first)} ms`);
    console.log(`load average at end ${load()}`);
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
