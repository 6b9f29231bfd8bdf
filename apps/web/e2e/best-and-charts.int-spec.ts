/**
 * Issue 12's chart and table gaps in a real browser against the real API (built app, in-process
 * API, fresh database): each metric's best value and the step it was first reached at in the runs
 * table, exact for runs logged with known series (loss and hd95 better low, Dice better high by
 * their names), a direction changed in the table remembered across a reload and shown on the run
 * page; axis titles on the run page's charts (training and system) and the compare page's charts
 * and scatter; the compare legend still in the viewport after scrolling to the bottom of the
 * page; the scatter and parallel coordinates plotting the best instead of the latest; and several
 * metrics (dice_et, dice_tc, dice_wt) overlaid on one run-page chart with a legend naming them.
 * Fails on any console error, page error, or serious/critical axe violation.
 */
import type { Browser, Page } from 'playwright-core';
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
  type WebApi,
} from './harness';

/** Known series per run, one value a step from step 0: bests below are read off them. */
const SERIES: Record<string, Record<string, number[]>> = {
  'unet-a': {
    loss: [0.9, 0.5, 0.7, 0.3, 0.3, 0.4],
    dice_et: [0.2, 0.6, 0.5, 0.55, 0.6, 0.5],
    dice_tc: [0.3, 0.4, 0.5, 0.45, 0.4, 0.4],
    dice_wt: [0.5, 0.6, 0.7, 0.8, 0.75, 0.7],
    hd95: [12, 8, 9, 7.5, 10, 11],
  },
  'unet-b': {
    loss: [1, 0.6, 0.2, 0.25, 0.35, 0.35],
    dice_et: [0.1, 0.3, 0.7, 0.65, 0.6, 0.6],
    dice_tc: [0.2, 0.3, 0.35, 0.4, 0.45, 0.5],
    dice_wt: [0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
    hd95: [15, 11, 6, 6, 9, 9],
  },
};

describe('best values, axis titles, the sticky compare legend and overlaid metrics in Chromium', () => {
  const slug = 'best-e2e';
  let web: WebApi | undefined;
  let api: TestApi;
  let browser: Browser;
  let page: Page;
  let experimentId: string;
  const runIds: Record<string, string> = {};
  const onProblem = failOnPageProblems();

  beforeAll(async () => {
    web = await startWebApi();
    api = web.api;
    const { projectId, researcher, tracking, who } = await seedTrackingProject(web, slug);
    experimentId = (await tracking.createExperiment(who, projectId, 'brats-unet', [])).id;
    const t0 = Date.UTC(2026, 10, 20, 9, 0, 0);
    for (const [i, [name, series]] of Object.entries(SERIES).entries()) {
      const r = await tracking.createRun(who, { experimentId, name, startTime: t0 + i * 60_000 });
      runIds[name] = r.uuid;
      const metrics = Object.entries(series).flatMap(([key, values]) =>
        values.map((value, step) => ({ key, value, timestamp: t0 + step * 1000, step })),
      );
      // The first run has a system metric too (its chart's axis titles are checked).
      const system =
        i === 0
          ? Array.from({ length: 6 }, (_, s) => ({
              key: 'system/cpu_utilization_percentage',
              value: 30 + s,
              timestamp: t0 + s * 10_000,
              step: s,
            }))
          : [];
      // Two batches: the second's values are not all better, so the stored extremes must hold across them.
      await tracking.logBatch(who, r.uuid, {
        params: [{ key: 'lr', value: i === 0 ? '0.001' : '0.0003' }],
        metrics: metrics.filter((m) => m.step < 3),
      });
      await tracking.logBatch(who, r.uuid, { metrics: [...metrics.filter((m) => m.step >= 3), ...system] });
      await tracking.updateRun(who, r.uuid, { status: 'finished', endTime: t0 + 600_000 });
    }

    browser = await launchChromium();
    page = await openPage(browser, onProblem);
    await signIn(page, api.base, researcher, '/runs');
  }, 240000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  const table = () => page.getByRole('table', { name: /Runs of brats-unet/ });
  /** The cells of a run's row, trimmed. */
  const cellsOf = async (run: string) =>
    (await table().getByRole('row').filter({ hasText: run }).locator('td').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
  const tableUrl = () =>
    `${api.base}/experiments/${experimentId}?col=attributes.run_name&col=metrics.loss&col=metrics.dice_et&col=metrics.hd95&best=1`;

  it('shows each metric’s best and its step beside the latest, lowest for loss and hd95 and highest for Dice by default', async () => {
    await page.goto(tableUrl());
    await table().waitFor();
    await eventually(async () =>
      expect((await table().locator('thead th').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual([
        'Run',
        'latest loss',
        'best loss lowest (default)highest',
        'latest dice_et',
        'best dice_et lowesthighest (default)',
        'latest hd95',
        'best hd95 lowest (default)highest',
      ]),
    );
    // Cells: name, loss latest, loss best @ step, dice_et latest, best, hd95 latest, best.
    await eventually(async () => expect(await cellsOf('unet-a')).toEqual(['unet-a', '0.4', '0.3 @ 3', '0.5', '0.6 @ 1', '11', '7.5 @ 3']));
    await eventually(async () => expect(await cellsOf('unet-b')).toEqual(['unet-b', '0.35', '0.2 @ 2', '0.6', '0.7 @ 2', '9', '6 @ 2']));
    // The step is on hover too.
    const bestLoss = table().getByRole('row').filter({ hasText: 'unet-a' }).locator('td.rt-best').first();
    await eventually(async () => expect(await bestLoss.getAttribute('title')).toBe('loss: lowest value 0.3, first reached at step 3'));
    await expectAccessible(page, 'runs table with best values');
  }, 60000);

  it('takes a direction changed in the table, remembers it across a reload, and shows it on the run page', async () => {
    const lossDirection = page.getByRole('combobox', { name: /^Best of loss/ });
    await lossDirection.selectOption('MAX');
    await eventually(async () => expect(await cellsOf('unet-a')).toEqual(['unet-a', '0.4', '0.9 @ 0', '0.5', '0.6 @ 1', '11', '7.5 @ 3']));
    await eventually(async () => expect(await cellsOf('unet-b')).toEqual(['unet-b', '0.35', '1 @ 0', '0.6', '0.7 @ 2', '9', '6 @ 2']));

    await page.reload();
    await table().waitFor();
    await eventually(async () => expect(await page.getByRole('combobox', { name: /^Best of loss/ }).inputValue()).toBe('MAX'));
    await eventually(async () =>
      expect(await page.getByRole('combobox', { name: /^Best of loss/ }).getAttribute('aria-label')).toBe(
        'Best of loss: the highest value',
      ),
    );
    await eventually(async () => expect(await cellsOf('unet-a')).toEqual(['unet-a', '0.4', '0.9 @ 0', '0.5', '0.6 @ 1', '11', '7.5 @ 3']));

    // The run page's table reads the same direction.
    await page.goto(`${api.base}/runs/${runIds['unet-a']}`);
    const latest = page.getByRole('table', { name: 'Latest value of each metric' });
    const rowOf = async (key: string) =>
      (
        await latest
          .getByRole('row')
          .filter({ has: page.getByRole('cell', { name: key, exact: true }) })
          .locator('td')
          .allTextContents()
      ).map((t) => t.trim());
    await eventually(async () => expect(await rowOf('loss')).toEqual(['loss', '0.4', '5', '0.9 (highest)', '0']));
    await eventually(async () => expect(await rowOf('dice_wt')).toEqual(['dice_wt', '0.7', '5', '0.8 (highest)', '3']));
    await eventually(async () => expect(await rowOf('hd95')).toEqual(['hd95', '11', '5', '7.5 (lowest)', '3']));

    // Back to lowest for the rest of the file.
    await page.goto(tableUrl());
    await page.getByRole('combobox', { name: /^Best of loss/ }).selectOption('MIN');
    await eventually(async () => expect(await cellsOf('unet-a')).toEqual(['unet-a', '0.4', '0.3 @ 3', '0.5', '0.6 @ 1', '11', '7.5 @ 3']));
  }, 60000);

  it('titles the axes of the run page’s charts, training and system', async () => {
    await page.goto(`${api.base}/runs/${runIds['unet-a']}`);
    const lossChart = page.getByRole('figure', { name: 'loss' });
    await eventually(async () => expect(await lossChart.locator('.axis-title-x').textContent()).toBe('Step'));
    await eventually(async () => expect(await lossChart.locator('.axis-title-y').textContent()).toBe('loss'));
    const cpu = page.getByRole('region', { name: 'System metrics' }).getByRole('figure').first();
    await eventually(async () => expect(await cpu.locator('.axis-title-x').textContent()).toBe('Time since the run started (h:mm:ss)'));
    await eventually(async () => expect(await cpu.locator('.axis-title-y').textContent()).toMatch(/\(%\)$/));
    // Every chart card on the page has both titles.
    await eventually(async () => {
      const figures = page.locator('figure.chart-card');
      const n = await figures.count();
      expect(n).toBe(6);
      expect(await page.locator('figure.chart-card .axis-title-x').count()).toBe(n);
      expect(await page.locator('figure.chart-card .axis-title-y').count()).toBe(n);
    });
  }, 60000);

  it('overlays several metrics on one run-page chart, with a legend of the chosen ones, kept in the address', async () => {
    const overlay = page.getByRole('region', { name: 'Metrics overlaid' });
    await overlay.getByRole('button', { name: 'Overlay dice_* (3)' }).click();
    const legend = overlay.getByRole('list', { name: 'Legend: overlaid metrics' });
    await eventually(async () =>
      expect((await legend.getByRole('listitem').allTextContents()).map((t) => t.trim())).toEqual(['dice_et', 'dice_tc', 'dice_wt']),
    );
    await eventually(async () => expect(await overlay.locator('canvas').getAttribute('data-lines')).toBe('3'));
    await eventually(async () => expect(await overlay.locator('.axis-title-y').textContent()).toBe('dice_et, dice_tc, dice_wt'));
    await eventually(async () => expect(await overlay.locator('.axis-title-x').textContent()).toBe('Step'));
    await eventually(() => expect(new URL(page.url()).searchParams.get('overlay')).toBe('dice_et,dice_tc,dice_wt'));
    // Unchecking one takes it off the chart and the legend; hd95 can join.
    // The choice lives in the address: a box shows its new state once the navigation has rendered.
    await overlay.getByRole('checkbox', { name: 'dice_tc' }).click();
    await eventually(async () => expect(await overlay.getByRole('checkbox', { name: 'dice_tc' }).isChecked()).toBe(false));
    await overlay.getByRole('checkbox', { name: 'hd95' }).click();
    await eventually(async () => expect(await overlay.getByRole('checkbox', { name: 'hd95' }).isChecked()).toBe(true));
    await eventually(async () =>
      expect((await legend.getByRole('listitem').allTextContents()).map((t) => t.trim())).toEqual(['dice_et', 'dice_wt', 'hd95']),
    );
    await eventually(async () => expect(await overlay.locator('canvas').getAttribute('data-lines')).toBe('3'));
    await page.reload();
    await eventually(async () =>
      expect(
        (await page.getByRole('list', { name: 'Legend: overlaid metrics' }).getByRole('listitem').allTextContents()).map((t) => t.trim()),
      ).toEqual(['dice_et', 'dice_wt', 'hd95']),
    );
    await expectAccessible(page, 'run page with overlaid metrics');
  }, 60000);

  it('titles the compare charts’ axes by the x chosen, keeps the legend in view while scrolling, and plots the best in the scatter and parallel coordinates', async () => {
    await page.goto(`${api.base}/projects/${slug}/compare?runs=${runIds['unet-a']},${runIds['unet-b']}&metrics=loss,dice_et`);
    const lossChart = page.locator('figure[data-metric="loss"]');
    await eventually(async () => expect(await lossChart.locator('.axis-title-x').textContent()).toBe('Step'));
    await eventually(async () => expect(await lossChart.locator('.axis-title-y').textContent()).toBe('loss'));
    await page.getByLabel('x axis').selectOption('wall');
    await eventually(async () => expect(await lossChart.locator('.axis-title-x').textContent()).toBe('Wall time (UTC)'));
    await page.getByLabel('x axis').selectOption('relative');
    await eventually(async () =>
      expect(await lossChart.locator('.axis-title-x').textContent()).toBe('Time since the run started (h min s)'),
    );
    await page.getByLabel('y axis').selectOption('log');
    await eventually(async () => expect(await lossChart.locator('.axis-title-y').textContent()).toBe('loss, log scale'));

    // Scatter: lr against loss, latest then best.
    const scatter = page.getByRole('region', { name: 'Scatter' });
    await scatter.getByLabel('y', { exact: true }).selectOption('loss');
    await eventually(async () => expect(await scatter.locator('.axis-title-x').textContent()).toBe('param lr'));
    await eventually(async () => expect(await scatter.locator('.axis-title-y').textContent()).toBe('loss (latest)'));
    await scatter.getByLabel('Metric values').selectOption('best');
    await eventually(async () => expect(await scatter.locator('.axis-title-y').textContent()).toBe('loss (best: lowest)'));
    await eventually(() => expect(new URL(page.url()).searchParams.get('sv')).toBe('best'));

    // Parallel coordinates: the metric axis' ends are the runs' lowest and highest value of what is plotted.
    const parallel = page.getByRole('region', { name: 'Parallel coordinates' });
    await parallel.getByLabel('Metric', { exact: true }).selectOption('loss');
    const ends = async () => (await parallel.locator('svg g').last().locator('text').allTextContents()).map((t) => t.trim());
    await eventually(async () => expect(await ends()).toEqual(['loss (latest)', '0.4', '0.35']));
    await parallel.getByLabel('Metric values').selectOption('best');
    await eventually(async () => expect(await ends()).toEqual(['loss (best: lowest)', '0.3', '0.2']));
    await parallel.getByLabel('Metric', { exact: true }).selectOption('dice_et');
    await eventually(async () => expect(await ends()).toEqual(['dice_et (best: highest)', '0.7', '0.6']));

    // The legend stays in the viewport with the bottom of the page in view.
    const legend = page.getByRole('list', { name: 'Legend: compared runs' });
    await page.getByRole('region', { name: 'Saved views' }).scrollIntoViewIfNeeded();
    await eventually(async () => expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(600));
    await eventually(async () => {
      const box = (await legend.boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(900);
      // And it is on top there, not covered by what scrolled under it.
      const atLegend = await page.evaluate(
        ([x, y]) => document.elementFromPoint(x!, y!)?.closest('.cmp-legend') !== null,
        [box.x + 10, box.y + box.height / 2],
      );
      expect(atLegend).toBe(true);
    });
    await eventually(async () => expect(await legend.getByRole('link').allTextContents()).toEqual(['unet-a', 'unet-b']));
    await expectAccessible(page, 'compare page scrolled down');
  }, 90000);
});
