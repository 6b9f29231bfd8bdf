/**
 * Phase (d) of the compare benchmark: the compare page for 20 runs in headless Chromium, from
 * page.goto to the page's `data-charts-ready="true"` (every chart drawn), target ≤ 2 s.
 *
 * The web app is built for production (vite build) and served by its own API process
 * (WEB_DIST_DIR; a second scratch database, as the shared one serves phases without the app).
 * 20 runs × 4 metrics × 10,000 points are seeded through the ingest API. Each repetition opens
 * a fresh browser context (cold HTTP cache, signed in by cookie); a second series reuses one
 * context (warm cache, as a user moving between views). The same page with recharts' SVG
 * renderer (`&renderer=recharts`) is timed too: the reason the compare charts draw on a canvas.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { cycle, execFileAsync, fmt, median, percentile, ROOT, startBenchApi, type BenchApi } from '../harness';
import { createRun, seedSeries } from './seed';

const RUNS = 20;
const METRICS = ['loss', 'val_loss', 'dice', 'lr'];
const POINTS = 10_000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const line = (label: string, xs: number[], target?: string) =>
  console.log(
    `${label.padEnd(78)} median ${median(xs).toFixed(0).padStart(6)} ms   p95 ${percentile(xs, 95).toFixed(0).padStart(6)} ms${target ? `   (target ${target})` : ''}`,
  );

async function buildWeb(outDir: string): Promise<number> {
  const started = performance.now();
  await execFileAsync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'apps/web/vite.config.ts',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'error',
    ],
    { cwd: ROOT },
  );
  return performance.now() - started;
}

async function signedInContext(browser: Browser, api: BenchApi): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const [name = '', value = ''] = api.cookie.split('=');
  await context.addCookies([{ name, value: api.cookie.slice(name.length + 1) || value, url: api.base }]);
  return context;
}

interface Timing {
  ms: number;
  /** Server time of the MetricSeries request(s) as the browser saw them (request start to response end). */
  seriesMs: number;
}

async function openCompare(context: BrowserContext, url: string, timeoutMs: number): Promise<Timing> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  let seriesMs = 0;
  page.on('requestfinished', (req) => {
    if (req.postData()?.includes('"operationName":"MetricSeries"')) seriesMs = Math.max(seriesMs, req.timing().responseEnd);
  });
  try {
    const started = performance.now();
    await page.goto(url);
    await page.waitForSelector('.compare-page[data-charts-ready="true"]', { timeout: timeoutMs, state: 'attached' });
    const ms = performance.now() - started;
    if (errors.length) throw new Error(`the page reported errors: ${errors.join('; ')}`);
    return { ms, seriesMs };
  } finally {
    await page.close();
  }
}

export async function browserPhase(_shared: BenchApi, opts: { reps: number }): Promise<void> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'caliper-bench-web-'));
  let api: BenchApi | null = null;
  let browser: Browser | null = null;
  try {
    const buildMs = await buildWeb(outDir);
    console.log(`(d) production build of the web app: ${(buildMs / 1000).toFixed(1)} s`);
    api = await startBenchApi({ env: { WEB_DIST_DIR: outDir }, projectSlug: 'bench-browser' });
    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i++)
      runIds.push(await createRun(api, `sweep-${i}`, { lr: cycle([0.1, 0.03, 0.01, 0.003], i), batch_size: 2 << (i % 3), seed: i }));
    const specs = runIds.flatMap((runId, i) =>
      METRICS.map((key, k) => ({
        runId,
        key,
        points: POINTS,
        value: (s: number) =>
          k === 3 ? 0.1 * Math.pow(0.9995, s) : Math.exp(-s / (2000 + 300 * i)) + 0.05 * Math.sin(s / (7 + k)) + (s % 997 === 0 ? 0.5 : 0),
      })),
    );
    const rate = await seedSeries(api, specs);
    console.log(`(d) seeded ${RUNS} runs × ${METRICS.length} metrics × ${fmt(POINTS)} points through /api/v1 at ${fmt(rate)} points/s`);

    const url = `${api.base}/projects/${api.project.slug}/compare?runs=${runIds.join(',')}&metrics=${METRICS.join(',')}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    // One unmeasured visit warms the API (JIT, connection pool) as a running server would be.
    const warmup = await signedInContext(browser, api);
    await openCompare(warmup, url, 60_000);
    await warmup.close();

    const measure = async (label: string, pageUrl: string, target: string | undefined, timeoutMs: number) => {
      const cold: Timing[] = [];
      for (let r = 0; r < opts.reps; r++) {
        const context = await signedInContext(browser!, api!);
        try {
          cold.push(await openCompare(context, pageUrl, timeoutMs));
        } finally {
          await context.close();
        }
      }
      const context = await signedInContext(browser!, api!);
      const warm: Timing[] = [];
      try {
        await openCompare(context, pageUrl, timeoutMs);
        for (let r = 0; r < opts.reps; r++) warm.push(await openCompare(context, pageUrl, timeoutMs));
      } finally {
        await context.close();
      }
      line(
        `(d) ${label}, goto → charts drawn, cold cache`,
        cold.map((t) => t.ms),
        target,
      );
      line(
        `(d) ${label}, goto → charts drawn, warm cache`,
        warm.map((t) => t.ms),
        target,
      );
      line(
        `    of which the MetricSeries request (cold)`,
        cold.map((t) => t.seriesMs),
      );
    };
    await measure(`${RUNS} runs × ${METRICS.length} charts, canvas`, url, '≤ 2,000 ms', 30_000);
    await measure(`${RUNS} runs × ${METRICS.length} charts, recharts SVG`, `${url}&renderer=recharts`, undefined, 120_000);
  } finally {
    await browser?.close();
    await api?.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}
