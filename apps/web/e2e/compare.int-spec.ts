/**
 * The compare page in a real browser against the real API: the built app served by an API booted
 * in-process on a fresh test database. A researcher opens compare for three runs, sees the charts
 * drawn from the downsampled series, zooms by dragging (a refetch with the window, a narrower
 * range on screen), turns smoothing off, reads the param diff with its differences marked, saves
 * the view and reopens it; then, while the SDK's RunLogger logs to a running run, the chart grows
 * without a reload, and the polling stops once the run has finished. Fails on any console error,
 * page error, or serious/critical axe violation.
 */
import type { Browser, Page } from 'playwright-core';
import { CaliperClient, type RunLogger } from '@caliper/sdk';
import {
  eventually,
  expectAccessible,
  failOnPageProblems,
  launchChromium,
  openPage,
  seedTrackingProject,
  signIn,
  startWebApi,
  type TestApi,
  type User,
  type WebApi,
} from './harness';

/** Every chart has drawn the data of the view in the address bar (data-view is the query the page has rendered). */
const chartsReady = (page: Page) =>
  page.waitForFunction(
    () => {
      const root = document.querySelector<HTMLElement>('.compare-page');
      return root?.dataset.chartsReady === 'true' && root.dataset.view === new URLSearchParams(window.location.search).toString();
    },
    undefined,
    { timeout: 15000 },
  );
const pointsOf = async (page: Page, metric: string) =>
  Number(await page.locator(`figure[data-metric="${metric}"]`).getAttribute('data-points'));

describe('the compare page in Chromium (real API, PostgreSQL)', () => {
  const slug = 'compare-e2e';
  let web: WebApi | undefined;
  let api: TestApi;
  let browser: Browser;
  let page: Page;
  let researcher: User;
  const runIds: string[] = [];
  /** A run without a batch_size param (and a name long enough to widen the hover read-out). */
  let partialRunId: string;
  const partialRunName = 'lr-0.3, no batch size, resumed from the fold-2 checkpoint';
  let compareUrl: string;
  let metricRequests: { fromStep: unknown; toStep: unknown }[] = [];
  const onProblem = failOnPageProblems();

  beforeAll(async () => {
    web = await startWebApi();
    api = web.api;
    const seeded = await seedTrackingProject(web, slug);
    const { projectId, tracking, who } = seeded;
    researcher = seeded.researcher;
    const experiment = await tracking.createExperiment(who, projectId, 'lr-sweep', []);
    const t0 = Date.UTC(2026, 10, 20, 9, 0, 0);
    for (const [i, lr] of ['0.1', '0.01', '0.001'].entries()) {
      const r = await tracking.createRun(who, { experimentId: experiment.id, name: `lr-${lr}`, startTime: t0 });
      runIds.push(r.uuid);
      const metrics = Array.from({ length: 200 }, (_, step) => [
        // A spike at step 120 of the first run: the min–max band must keep it.
        { key: 'loss', value: i === 0 && step === 120 ? 5 : 2 / (step + 1 + i * 5) + (step % 7) / 100, timestamp: t0 + step * 1000, step },
        { key: 'dice', value: 0.4 + step / (400 + i * 100), timestamp: t0 + step * 1000, step },
      ]).flat();
      const system = Array.from({ length: 10 }, (_, s) => ({
        key: 'system/cpu_utilization_percentage',
        value: 20 + s * 3 + i,
        timestamp: t0 + s * 10_000,
        step: s,
      }));
      await tracking.logBatch(who, r.uuid, {
        params: [
          { key: 'lr', value: lr },
          { key: 'optimizer', value: 'adamw' },
          { key: 'batch_size', value: i === 2 ? '4' : '2' },
        ],
        tags: [{ key: 'site', value: 'radiology-north' }],
        metrics: [...metrics, ...system],
      });
      await tracking.updateRun(who, r.uuid, { status: 'finished', endTime: t0 + 600_000 });
    }
    const partial = await tracking.createRun(who, { experimentId: experiment.id, name: partialRunName, startTime: t0 });
    partialRunId = partial.uuid;
    await tracking.logBatch(who, partialRunId, {
      params: [
        { key: 'lr', value: '0.3' },
        { key: 'optimizer', value: 'adamw' },
      ],
      metrics: Array.from({ length: 200 }, (_, step) => ({
        key: 'loss',
        value: 3 / (step + 2) + 0.0123456,
        timestamp: t0 + step * 1000,
        step,
      })),
    });
    await tracking.updateRun(who, partialRunId, { status: 'finished', endTime: t0 + 600_000 });
    compareUrl = `${api.base}/projects/${slug}/compare?runs=${runIds.join(',')}`;

    browser = await launchChromium();
    page = await openPage(browser, onProblem);
    page.on('request', (req) => {
      const body = req.postData();
      if (!body || !body.includes('"operationName":"MetricSeries"')) return;
      const v = (JSON.parse(body) as { variables: { fromStep?: unknown; toStep?: unknown; keys: string[] } }).variables;
      if (!v.keys.some((k) => k.startsWith('system/'))) metricRequests.push({ fromStep: v.fromStep ?? null, toStep: v.toStep ?? null });
    });
  }, 240000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it('opens compare for three runs and draws every chart, system metrics apart', async () => {
    await signIn(page, api.base, researcher, compareUrl.slice(api.base.length));
    await page.getByRole('heading', { level: 1, name: 'Compare 3 runs' }).waitFor();
    await chartsReady(page);
    const charts = page.getByRole('region', { name: 'Metrics' });
    await eventually(async () =>
      expect(await charts.locator('figure h3').allTextContents()).toEqual(['dice', 'loss', 'cpu_utilization_percentage']),
    );
    // 200 steps fit the 1,000-bucket budget: every point of the three runs is drawn.
    await eventually(async () => expect(await pointsOf(page, 'loss')).toBe(600));
    await eventually(async () => expect(await pointsOf(page, 'cpu_utilization_percentage')).toBe(30));
    await charts.getByText('Window: steps 0–199, every point as logged').waitFor();
    const legend = page.getByRole('region', { name: 'Runs' });
    await eventually(async () => expect(await legend.getByRole('link').allTextContents()).toEqual(['lr-0.1', 'lr-0.01', 'lr-0.001']));
    // The canvas has something drawn on it.
    await eventually(async () => {
      const inked = await page.locator('figure[data-metric="loss"] canvas').evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        // Every fourth byte is a pixel's alpha.
        return d.reduce((n, byte, i) => (i % 4 === 3 && byte > 0 ? n + 1 : n), 0);
      });
      expect(inked).toBeGreaterThan(1000);
    });
    // Hover reads out every run's value at that x.
    const box = (await page.locator('figure[data-metric="loss"] canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const tooltip = page.locator('figure[data-metric="loss"] .chart-tooltip');
    await tooltip.waitFor();
    await eventually(async () =>
      expect(await tooltip.locator('.chart-tooltip-name').allTextContents()).toEqual(['lr-0.1', 'lr-0.01', 'lr-0.001']),
    );
    await page.mouse.move(0, 0);
    await expectAccessible(page, 'compare charts');
  }, 90000);

  it('zooms a chart by dragging: refetches the window and shows the narrower range, then resets', async () => {
    metricRequests = [];
    const box = (await page.locator('figure[data-metric="loss"] canvas').boundingBox())!;
    const plotLeft = box.x + 64;
    const plotWidth = box.width - 64 - 14;
    await page.mouse.move(plotLeft + plotWidth * 0.25, box.y + 100);
    await page.mouse.down();
    await page.mouse.move(plotLeft + plotWidth * 0.4, box.y + 110, { steps: 5 });
    await page.mouse.move(plotLeft + plotWidth * 0.5, box.y + 120, { steps: 5 });
    await page.mouse.up();
    await page.waitForURL(/[?&]from=\d+&to=\d+/);
    const [from, to] = await eventually(() => {
      const url = new URL(page.url());
      const zoomed: [number, number] = [Number(url.searchParams.get('from')), Number(url.searchParams.get('to'))];
      expect(zoomed[0]).toBeGreaterThanOrEqual(40);
      expect(zoomed[0]).toBeLessThanOrEqual(60);
      expect(zoomed[1]).toBeGreaterThanOrEqual(90);
      expect(zoomed[1]).toBeLessThanOrEqual(110);
      return zoomed;
    });
    await chartsReady(page);
    await eventually(() => expect(metricRequests).toContainEqual({ fromStep: from, toStep: to }));
    const windowNote = page.locator('.cmp-window');
    await page.getByText(`Window: steps ${from}–${to}, every point as logged`).waitFor();
    await eventually(async () => expect(Number(await windowNote.getAttribute('data-from'))).toBe(from));
    await eventually(async () => expect(await pointsOf(page, 'loss')).toBe(3 * (to - from + 1)));
    // The x axis no longer reaches the end of the series.
    await expectAccessible(page, 'compare zoomed');

    await page.getByRole('button', { name: 'Reset zoom' }).click();
    await page.waitForURL((u) => !u.searchParams.has('from'));
    await chartsReady(page);
    await eventually(async () => expect(await pointsOf(page, 'loss')).toBe(600));
  }, 60000);

  it('turns smoothing off and on from the slider, kept in the URL', async () => {
    const slider = page.getByLabel(/^Smoothing/);
    await slider.fill('0');
    await page.waitForURL(/[?&]smooth=0(&|$)/);
    await page.getByText('Smoothing 0.00').waitFor();
    await chartsReady(page);
    // Unsmoothed, the hover shows only the raw value (no bracketed raw value beside a smoothed one).
    const box = (await page.locator('figure[data-metric="loss"] canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const value = page.locator('figure[data-metric="loss"] .chart-tooltip-value').first();
    await value.waitFor();
    await eventually(async () => expect(await value.textContent()).not.toContain('('));
    await slider.fill('0.8');
    await page.waitForURL(/[?&]smooth=0\.8(&|$)/);
    await page.mouse.move(box.x + box.width / 2 + 5, box.y + box.height / 2);
    await page.waitForFunction(() => document.querySelector('figure[data-metric="loss"] .chart-tooltip-value')?.textContent?.includes('('));
    await page.mouse.move(0, 0);
    await page.getByText('Smoothing 0.80').waitFor();
  }, 60000);

  it('shows the param diff with the differing cells marked and identical rows hidden', async () => {
    const diff = page.getByRole('region', { name: 'Parameters and tags' });
    const table = diff.getByRole('table');
    await table.waitFor();
    await eventually(async () => expect(await table.locator('tbody th .code-value').allTextContents()).toEqual(['batch_size', 'lr']));
    await eventually(async () => expect(await table.locator('td[data-differs="true"]').count()).toBe(3)); // lr of runs 2 and 3, batch_size of run 3
    await diff.getByText('2 of 4 parameters and tags differ').waitFor();
    await diff.getByLabel('Hide identical rows').click();
    await page.waitForURL(/[?&]same=1/);
    await table.getByText('optimizer').waitFor();
    await eventually(async () =>
      expect(await table.locator('tbody th .code-value').allTextContents()).toEqual(['batch_size', 'lr', 'optimizer', 'site']),
    );
    await expectAccessible(page, 'compare param diff');
    await diff.getByLabel('Hide identical rows').click();
    await page.waitForURL((u) => !u.searchParams.has('same'));
  }, 60000);

  it('saves the view and reopens it from the list', async () => {
    await page.getByLabel('x axis').selectOption('relative');
    await page.waitForURL(/[?&]x=relative/);
    await chartsReady(page);
    const saved = page.getByRole('region', { name: 'Saved views' });
    await saved.getByLabel('View name').fill('lr sweep, relative time');
    await saved.getByRole('button', { name: 'Save view' }).click();
    await saved.getByText('Saved “lr sweep, relative time”').waitFor();
    const link = saved.getByRole('link', { name: 'lr sweep, relative time' });
    await link.waitFor();
    await expectAccessible(page, 'compare saved view');

    await page.goto(compareUrl);
    await chartsReady(page);
    await eventually(async () => expect(await page.getByLabel('x axis').inputValue()).toBe('step'));
    await page.getByRole('region', { name: 'Saved views' }).getByRole('link', { name: 'lr sweep, relative time' }).click();
    await page.waitForURL(/[?&]x=relative/);
    await eventually(() => {
      const url = new URL(page.url());
      expect(url.searchParams.get('runs')).toBe(runIds.join(','));
      expect(url.searchParams.get('smooth')).toBe('0.8');
    });
    await chartsReady(page);
    await eventually(async () => expect(await page.getByLabel('x axis').inputValue()).toBe('relative'));
  }, 60000);

  it('toggles a run in the legend, groups runs by a param, switches to a log axis, and plots scatter and parallel coordinates', async () => {
    await page.goto(compareUrl);
    await chartsReady(page);
    await page.getByLabel('Show lr-0.1').click();
    await page.waitForURL(/[?&]hide=/);
    await chartsReady(page);
    await eventually(async () => expect(await pointsOf(page, 'loss')).toBe(400));
    await page.getByLabel('Show lr-0.1').click();
    await page.waitForURL((u) => !u.searchParams.has('hide'));
    await chartsReady(page);

    // Runs 1 and 2 share batch_size 2: their group's line is their mean on the shared buckets.
    await page.getByLabel('Group runs by').selectOption('param:batch_size');
    await page.waitForURL(/[?&]group=param%3Abatch_size/);
    await chartsReady(page);
    await eventually(async () => expect(await pointsOf(page, 'loss')).toBe(400));
    const box = (await page.locator('figure[data-metric="loss"] canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const names = page.locator('figure[data-metric="loss"] .chart-tooltip-name');
    await names.first().waitFor();
    await eventually(async () => expect(await names.allTextContents()).toEqual(['batch_size = 2 (2 runs)', 'batch_size = 4 (1 run)']));
    await page.mouse.move(0, 0);
    await page.getByText('Grouped: each line is the mean of its runs').waitFor();
    await eventually(async () => {
      const groups = await page.getByRole('list', { name: 'Groups' }).getByRole('listitem').allTextContents();
      expect(groups.map((g) => g.trim())).toEqual(['batch_size = 2 (lr-0.1, lr-0.01)', 'batch_size = 4 (lr-0.001)']);
    });

    await page.getByLabel('y axis').selectOption('log');
    await page.waitForURL(/[?&]y=log/);
    await chartsReady(page);
    await eventually(async () =>
      expect(await page.locator('figure[data-metric="loss"] canvas').getAttribute('aria-label')).toMatch(/log scale/),
    );

    const scatter = page.getByRole('region', { name: 'Scatter' });
    await scatter.getByText('3 of 3 runs have both values.').waitFor();
    await eventually(async () => expect(await scatter.locator('.recharts-scatter-symbol').count()).toBe(3));
    const parallel = page.getByRole('region', { name: 'Parallel coordinates' });
    await eventually(async () => expect(await parallel.locator('svg polyline').count()).toBe(3));
    await eventually(async () => expect(await parallel.locator('svg g text').first().textContent()).toBe('batch_size'));
    await expectAccessible(page, 'compare grouped, log scale');
  }, 60000);

  it('says how many runs parallel coordinates draw, and which lack one of its axes', async () => {
    await page.goto(`${api.base}/projects/${slug}/compare?runs=${runIds[0]},${runIds[1]},${partialRunId}&pc=lr,batch_size&pm=loss`);
    await chartsReady(page);
    const parallel = page.getByRole('region', { name: 'Parallel coordinates' });
    await eventually(async () => expect(await parallel.locator('svg polyline').count()).toBe(2));
    await parallel.getByText('2 of 3 runs have all values.').waitFor();
    await parallel.getByText(`Not drawn: ${partialRunName} (no batch_size).`).waitFor();
    await eventually(async () =>
      expect(await parallel.getByRole('img').getAttribute('aria-label')).toBe(
        'Parallel coordinates of lr, batch_size against loss for 2 of 3 runs',
      ),
    );
    // Without the axis the third run lacks, every run is drawn again.
    await parallel.getByRole('checkbox', { name: 'batch_size' }).click();
    await page.waitForURL(/[?&]pc=lr(&|$)/);
    await eventually(async () => expect(await parallel.locator('svg polyline').count()).toBe(3));
    await parallel.getByText('3 of 3 runs have all values.').waitFor();
    await eventually(async () => expect(await parallel.getByText(/^Not drawn/).count()).toBe(0));
    await expectAccessible(page, 'compare parallel coordinates, a run without an axis');
  }, 60000);

  it('keeps both of two changes made in quick succession', async () => {
    await page.goto(compareUrl);
    await chartsReady(page);
    // Two choices within one task, before the page has re-rendered for the first: the second must
    // build on the first, not on the state the page last rendered.
    await page.evaluate(() => {
      for (const [id, value] of [
        ['cmp-y', 'log'],
        ['cmp-x', 'relative'],
      ] as const) {
        const select = document.getElementById(id) as HTMLSelectElement;
        select.value = value;
        select.dispatchEvent(new Event('change', { bubbles: true }));
      }
    });
    await eventually(() => {
      const url = new URL(page.url());
      expect([url.searchParams.get('y'), url.searchParams.get('x')]).toEqual(['log', 'relative']);
    });
    await chartsReady(page);
    await eventually(async () => expect(await page.getByLabel('y axis').inputValue()).toBe('log'));
    await eventually(async () => expect(await page.getByLabel('x axis').inputValue()).toBe('relative'));

    // The same for two runs switched off in the legend at once: both stay off.
    await page.evaluate(() => {
      for (const name of ['lr-0.1', 'lr-0.01']) document.querySelector<HTMLInputElement>(`input[aria-label="Show ${name}"]`)!.click();
    });
    await eventually(() => expect(new URL(page.url()).searchParams.get('hide')?.split(',').sort()).toEqual([runIds[0], runIds[1]].sort()));
    await chartsReady(page);
    await eventually(async () => expect(await pointsOf(page, 'loss')).toBe(200));
    await eventually(async () => expect(await page.getByLabel('Show lr-0.01').isChecked()).toBe(false));
  }, 60000);

  it('keeps the hover read-out inside its chart card wherever the pointer is', async () => {
    await page.goto(`${api.base}/projects/${slug}/compare?runs=${runIds.join(',')},${partialRunId}&metrics=loss`);
    await chartsReady(page);
    const figure = page.locator('figure[data-metric="loss"]');
    const card = (await figure.boundingBox())!;
    const plot = (await figure.locator('canvas').boundingBox())!;
    const tooltip = figure.locator('.chart-tooltip');
    for (const at of [0.02, 0.3, 0.45, 0.5, 0.55, 0.7, 0.98]) {
      await page.mouse.move(plot.x + 64 + (plot.width - 64 - 14) * at, plot.y + plot.height / 2);
      await eventually(async () => {
        expect(await tooltip.locator('.chart-tooltip-name').count()).toBe(4);
        const box = await tooltip.boundingBox();
        expect(box).not.toBeNull();
        const where = `pointer at ${at}: tooltip ${JSON.stringify(box)}, card ${JSON.stringify(card)}`;
        expect({ where, inside: box!.x >= card.x && box!.x + box!.width <= card.x + card.width }).toEqual({ where, inside: true });
        expect({ where, inside: box!.y >= card.y && box!.y + box!.height <= card.y + card.height }).toEqual({ where, inside: true });
      });
    }
    await page.mouse.move(0, 0);
  }, 60000);

  it('updates the chart of a running run while the SDK logs to it, and stops polling once it has finished', async () => {
    const client = new CaliperClient({ baseUrl: api.base, username: researcher.username, password: researcher.password });
    const logger: RunLogger = await client.startRun({
      project: slug,
      experiment: 'lr-sweep',
      name: 'live',
      params: { lr: '0.05' },
      logger: { flushIntervalMs: 200, heartbeatIntervalMs: 0 },
    });
    const polls: { name: string; at: number }[] = [];
    const onRequest = (req: { url(): string; postData(): string | null }) => {
      const name = /"operationName":"(\w+)"/.exec(req.postData() ?? '')?.[1];
      if (new URL(req.url()).pathname === '/graphql' && (name === 'CompareRuns' || name === 'MetricSeries'))
        polls.push({ name, at: Date.now() });
    };
    page.on('request', onRequest);
    try {
      try {
        for (let step = 0; step < 10; step++) await logger.logMetric('loss', 1 / (step + 1), step);
        await logger.flush();
        await page.goto(`${api.base}/projects/${slug}/compare?runs=${logger.runId},${runIds[0]}&metrics=loss`);
        await chartsReady(page);
        await page
          .locator('.live-status')
          .getByText(/^Live: updated at \d\d:\d\d:\d\d\. /)
          .waitFor();
        await eventually(async () => expect(await pointsOf(page, 'loss')).toBe(10 + 200));
        // Polls that find nothing new read the runs alone (one request), not the series again.
        const quietFrom = Date.now();
        await eventually(
          () => expect(polls.filter((p) => p.name === 'CompareRuns' && p.at > quietFrom).length).toBeGreaterThanOrEqual(2),
          15000,
          250,
        );
        expect(polls.filter((p) => p.name === 'MetricSeries' && p.at > quietFrom)).toEqual([]);

        for (let step = 10; step < 40; step++) await logger.logMetric('loss', 1 / (step + 1), step);
        await logger.flush();
        await page.waitForFunction(
          () => document.querySelector('figure[data-metric="loss"]')?.getAttribute('data-points') === '240',
          undefined,
          { timeout: 25000 },
        );
        await expectAccessible(page, 'compare live');
      } finally {
        await logger.finish();
      }
      // Once the run has finished, the page stops polling.
      await page.locator('.live-status').waitFor({ state: 'detached', timeout: 25000 });
      const pollsAtEnd = polls.length;
      // Absence takes waiting to see: longer than the 2 s the next poll would come after a change.
      await page.waitForTimeout(6000);
      expect(polls.length).toBe(pollsAtEnd);
    } finally {
      page.off('request', onRequest);
    }
  }, 90000);
});
