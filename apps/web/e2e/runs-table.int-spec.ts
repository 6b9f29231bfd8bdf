/**
 * The runs table in a real browser against the real API (booted in-process on a fresh test
 * database, runs written through TrackingService): a researcher filters with the grammar (key
 * autocomplete), sorts by a metric and by a metric's best value (best first, by the direction
 * chosen in the table), adds a column, groups by a param, selects runs and opens the
 * compare page, reloads the address and finds the same table, exports it as CSV, and scrolls to
 * load the next page while only the rows in view are in the DOM. Fails on any console error,
 * page error, or serious/critical axe violation.
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
  type Principal,
  type TestApi,
  type Tracking,
  type WebApi,
} from './harness';

const RUNS = 150;
const LRS = ['0.1', '0.01', '0.001', '0.0001'] as const;
const SITES = ['north', 'south', 'east', 'west', 'central'] as const;
/** The entry of a list at i, counting round past its end. */
const cycle = <T>(list: readonly [T, ...T[]], i: number): T => list[i % list.length] ?? list[0];
/** Run i of the seed: what the table must show. */
const seed = (i: number) => ({
  name: `trial-${String(i).padStart(3, '0')}`,
  lr: cycle(LRS, i),
  batch: String(2 ** ((i % 3) + 1)),
  loss: ((i * 37) % 100) / 100,
  acc: ((i * 53) % 100) / 100,
  site: cycle(SITES, i),
});

describe('the runs table in Chromium (real API, PostgreSQL)', () => {
  const slug = 'runs-table-e2e';
  let web: WebApi | undefined;
  let api: TestApi;
  let browser: Browser;
  let page: Page;
  let experimentId: string;
  const uuids: string[] = [];
  const onProblem = failOnPageProblems();
  let tracking: Tracking;
  let who: Principal;
  /** An experiment whose runs log a param, a metric and a tag all named lr. */
  let sameNamesId: string;
  /** An experiment whose runs' best val_loss (lowest or highest) is in another order than their latest. */
  let bestSortId: string;

  beforeAll(async () => {
    web = await startWebApi();
    api = web.api;
    const seeded = await seedTrackingProject(web, slug);
    ({ tracking, who } = seeded);
    const { projectId, researcher } = seeded;
    experimentId = (await tracking.createExperiment(who, projectId, 'lr-sweep', [])).id;
    const t0 = Date.UTC(2026, 10, 20, 9, 0, 0);
    for (let i = 0; i < RUNS; i++) {
      const s = seed(i);
      const run = await tracking.createRun(who, { experimentId, name: s.name, startTime: t0 + i * 60_000 });
      uuids.push(run.uuid);
      await tracking.logBatch(who, run.uuid, {
        params: [
          { key: 'lr', value: s.lr },
          { key: 'batch_size', value: s.batch },
        ],
        tags: [{ key: 'site', value: s.site }],
        metrics: [
          { key: 'loss', value: s.loss, timestamp: t0, step: 10 },
          { key: 'acc', value: s.acc, timestamp: t0, step: 10 },
          { key: 'system/cpu_utilization_percentage', value: 40, timestamp: t0, step: 0 },
        ],
      });
      await tracking.updateRun(who, run.uuid, { status: i % 7 === 0 ? 'failed' : 'finished', endTime: t0 + i * 60_000 + 30_000 });
    }
    sameNamesId = (await tracking.createExperiment(who, projectId, 'same-names', [])).id;
    for (const [i, [param, metric, tag]] of [
      ['0.01', 0.005, 'cosine'],
      ['0.1', 0.05, null],
    ].entries()) {
      const run = await tracking.createRun(who, { experimentId: sameNamesId, name: `schedule-${i}`, startTime: t0 + i * 60_000 });
      await tracking.logBatch(who, run.uuid, {
        params: [{ key: 'lr', value: String(param) }],
        tags: tag ? [{ key: 'lr', value: String(tag) }] : [],
        metrics: [{ key: 'lr', value: Number(metric), timestamp: t0, step: 100 }],
      });
      await tracking.updateRun(who, run.uuid, { status: 'finished', endTime: t0 + i * 60_000 + 30_000 });
    }

    bestSortId = (await tracking.createExperiment(who, projectId, 'best-sort', [])).id;
    // val_loss latest: fold-2 .45 < fold-1 .6 < fold-3 .8; lowest: fold-3 .2 < fold-1 .3 < fold-2 .4; highest: fold-1 .9 > fold-3 .8 > fold-2 .5.
    for (const [i, values] of [
      [0.9, 0.3, 0.6],
      [0.5, 0.4, 0.45],
      [0.7, 0.2, 0.8],
    ].entries()) {
      const run = await tracking.createRun(who, { experimentId: bestSortId, name: `fold-${i + 1}`, startTime: t0 + i * 60_000 });
      await tracking.logBatch(who, run.uuid, { metrics: values.map((value, step) => ({ key: 'val_loss', value, timestamp: t0, step })) });
      await tracking.updateRun(who, run.uuid, { status: 'finished', endTime: t0 + i * 60_000 + 30_000 });
    }

    browser = await launchChromium();
    page = await openPage(browser, onProblem, { context: { acceptDownloads: true } });
    await signIn(page, api.base, researcher, `/experiments/${experimentId}`);
  }, 300000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  }, 30000);

  const table = () => page.getByRole('table', { name: /Runs of lr-sweep/ });
  const headers = async () => (await table().locator('thead th').allTextContents()).map((t) => t.trim());
  const names = async () => table().locator('tbody tr:not(.rt-spacer):not(.rt-group) td.rt-name').allTextContents();
  const count = () => page.locator('.rt-count');

  const matching = Array.from({ length: RUNS }, (_, i) => seed(i)).filter((s) => s.loss < 0.3 && s.lr === '0.01');
  /** Ties (equal loss) break by run id, as the server orders them. */
  const uuidOf = (name: string) => {
    const uuid = uuids[Number(name.slice(6))];
    if (uuid === undefined) throw new Error(`no run was seeded as ${name}`);
    return uuid;
  };
  const byLoss = (descending: boolean) =>
    [...matching].sort((a, b) => (descending ? b.loss - a.loss : a.loss - b.loss) || (uuidOf(a.name) < uuidOf(b.name) ? -1 : 1));

  it('shows the default columns (no system metrics) with only the rows in view in the DOM, and loads more on scroll', async () => {
    await table().waitFor();
    await count().getByText(`${RUNS} runs; 100 loaded, newest first.`).waitFor();
    await eventually(async () =>
      expect(await headers()).toEqual([
        'Status',
        'Run',
        'User',
        'Started',
        'Duration',
        'metric acc',
        'metric loss',
        'param batch_size',
        'param lr',
      ]),
    );
    await eventually(async () => expect((await names())[0]).toBe(seed(RUNS - 1).name));
    await eventually(async () => {
      const rendered = await table().locator('tbody tr:not(.rt-spacer)').count();
      expect(rendered).toBeLessThan(60);
    });
    await expectAccessible(page, 'runs table');
    await page.getByRole('region', { name: 'Runs of lr-sweep, scrollable' }).evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await count().getByText(`${RUNS} runs; ${RUNS} loaded, newest first.`).waitFor();
    await page.getByRole('region', { name: 'Runs of lr-sweep, scrollable' }).evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await table()
      .getByRole('link', { name: seed(0).name })
      .waitFor();
    await eventually(() => expect(page.url()).toContain('pages=2'));
    await page.getByRole('region', { name: 'Runs of lr-sweep, scrollable' }).evaluate((el) => el.scrollTo(0, 0));
  }, 60000);

  it('filters with the grammar, completing a key, and sorts by a metric from its header', async () => {
    const box = page.getByRole('combobox', { name: 'Filter', exact: true });
    await box.fill('metrics.lo');
    await page.getByRole('listbox', { name: 'Keys' }).getByRole('option', { name: 'metrics.loss' }).waitFor();
    await expectAccessible(page, 'filter suggestions');
    await box.press('Enter');
    await eventually(async () => expect(await box.inputValue()).toBe('metrics.loss '));
    await box.pressSequentially("< 0.3 and params.lr = '0.01'");
    await box.press('Enter');
    await count().getByText(`${matching.length} runs match; ${matching.length} loaded, newest first.`).waitFor();
    await eventually(async () => expect(await names()).toEqual([...matching].reverse().map((s) => s.name)));

    await table()
      .getByRole('button', { name: /^Metric loss: sort ascending/ })
      .click();
    await count()
      .getByText(/sorted by Metric loss, ascending/)
      .waitFor();
    await eventually(async () => expect(await table().locator('th[aria-sort="ascending"]').textContent()).toBe('metric loss'));
    await eventually(async () => expect(await names()).toEqual(byLoss(false).map((s) => s.name)));
    await table()
      .getByRole('button', { name: /^Metric loss: sort descending/ })
      .click();
    await count()
      .getByText(/sorted by Metric loss, descending/)
      .waitFor();
    await eventually(async () => {
      const shownLoss = await table().locator('tbody tr:not(.rt-spacer) td.metric:nth-child(7)').allTextContents();
      expect(shownLoss.map(Number)).toEqual([...matching].map((s) => s.loss).sort((a, b) => b - a));
    });
    await expectAccessible(page, 'filtered and sorted');
  }, 60000);

  it('adds a column from the chooser and groups by a param, groups collapsing', async () => {
    await page.getByRole('button', { name: 'Columns' }).click();
    const chooser = page.getByRole('region', { name: 'Columns' });
    await chooser.getByPlaceholder('Search columns').fill('site');
    // The column list lives in the address, so the box turns checked once the router has moved: click, then wait.
    await chooser.getByRole('checkbox', { name: 'Tag site' }).click();
    await table()
      .locator('thead th')
      .filter({ hasText: /^tag site$/ })
      .waitFor();
    await eventually(async () => expect(await chooser.getByRole('checkbox', { name: 'Tag site' }).isChecked()).toBe(true));
    await expectAccessible(page, 'column chooser');
    await chooser.getByRole('button', { name: 'Done' }).click();
    await eventually(async () =>
      expect(await headers()).toEqual([
        'Status',
        'Run',
        'User',
        'Started',
        'Duration',
        'metric acc',
        'metric loss',
        'param batch_size',
        'param lr',
        'tag site',
      ]),
    );

    await page.getByLabel('Group by').selectOption('params.batch_size');
    const groups = table().locator('tr.rt-group');
    const groupTexts = async () => (await groups.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    await groups.first().waitFor();
    // Groups in the key's numeric order (2 < 4 < 8), each group's rows together and still sorted by loss within it.
    const expectedGroups = new Map<string, number>();
    for (const s of [...matching].sort((a, b) => Number(a.batch) - Number(b.batch)))
      expectedGroups.set(s.batch, (expectedGroups.get(s.batch) ?? 0) + 1);
    const expectedTexts = [...expectedGroups].map(([v, n]) => `Param batch_size = ${v} (${n} ${n === 1 ? 'run' : 'runs'})`);
    // The headers settle once both the group counts and the rows have arrived (either may come first).
    await eventually(async () => expect(await groupTexts()).toEqual(expectedTexts));
    await eventually(async () =>
      expect(await names()).toEqual(
        [...expectedGroups.keys()].flatMap((b) =>
          byLoss(true)
            .filter((s) => s.batch === b)
            .map((s) => s.name),
        ),
      ),
    );
    const [firstGroupSize = 0] = expectedGroups.values();
    await groups.first().getByRole('button').click();
    await eventually(async () => expect(await groups.first().getByRole('button').getAttribute('aria-expanded')).toBe('false'));
    await eventually(async () => expect((await names()).length).toBe(matching.length - firstGroupSize));
    await groups.first().getByRole('button').click();
    await expectAccessible(page, 'grouped');

    // Unfiltered: 150 runs, 100 loaded. The headers count every run of their group (the server's
    // counts); collapsing the first two brings the third into view, which then loads.
    const filtered = page.url();
    await page.goto(`${api.base}/experiments/${experimentId}?group=params.batch_size`);
    await page.getByText('Param batch_size = 2 (50 runs)', { exact: true }).waitFor();
    await groups.first().getByRole('button').click();
    await page.getByText('Param batch_size = 4 (50 runs)', { exact: true }).waitFor();
    await groups.nth(1).getByRole('button').click();
    await page.getByText('Param batch_size = 8 (50 runs)', { exact: true }).waitFor();
    await eventually(async () =>
      expect(await groupTexts()).toEqual([
        'Param batch_size = 2 (50 runs)',
        'Param batch_size = 4 (50 runs)',
        'Param batch_size = 8 (50 runs)',
      ]),
    );
    await eventually(async () =>
      expect(await names()).toEqual(
        Array.from({ length: RUNS }, (_, i) => seed(i))
          .filter((s) => s.batch === '8')
          .map((s) => s.name)
          .reverse()
          .slice(0, (await names()).length),
      ),
    );
    await page.goto(filtered);
    await table().locator('tr.rt-group').first().waitFor();
  }, 60000);

  it('keeps the state in the address: a reload shows the same table', async () => {
    await eventually(() => {
      const url = page.url();
      expect(url).toContain('group=params.batch_size');
      expect(url).toContain('sort=metrics.loss%3Adesc');
    });
    await page.reload();
    await table().waitFor();
    await count().getByText(`${matching.length} runs match; ${matching.length} loaded, sorted by Metric loss, descending.`).waitFor();
    await eventually(async () =>
      expect(await page.getByRole('combobox', { name: 'Filter', exact: true }).inputValue()).toBe(
        "metrics.loss < 0.3 and params.lr = '0.01'",
      ),
    );
    await eventually(async () => expect(await headers()).toContain('tag site'));
    await eventually(async () => expect(await table().locator('th[aria-sort="descending"]').textContent()).toBe('metric loss'));
    await table().locator('tr.rt-group').first().waitFor();
  }, 60000);

  it('exports the table as shown as CSV', async () => {
    await eventually(async () => {
      const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
      expect(href).toMatch(/^\/api\/v1\/projects\/runs-table-e2e\/runs\.csv\?/);
    });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const file = await download.path();
    const text = (await import('node:fs')).readFileSync(file, 'utf8');
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'attributes.run_id,attributes.status,attributes.run_name,attributes.user,attributes.start_time,attributes.duration,metrics.acc,metrics.loss,params.batch_size,params.lr,tags.site',
    );
    expect(lines).toHaveLength(matching.length + 1);
    // As shown: grouped by batch_size (2, 4, 8), by loss within each group.
    const shown = ['2', '4', '8'].flatMap((b) => byLoss(true).filter((s) => s.batch === b));
    expect(lines.slice(1).map((l) => l.split(',')[2])).toEqual(shown.map((s) => s.name));
    const firstRow = lines[1]?.split(',') ?? [];
    const s = shown[0];
    expect([firstRow[2], firstRow[5], firstRow[9], firstRow[10]]).toEqual([s?.name, '30000', s?.lr, s?.site]);
  }, 60000);

  it('exports every attribute, param, metric and tag when asked, not only the columns shown', async () => {
    const link = page.getByRole('link', { name: 'Export CSV' });
    await page.getByLabel('Every param, metric and tag').check();
    await eventually(async () => expect(await link.getAttribute('href')).toMatch(/[?&]all=1(&|$)/));
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const text = (await import('node:fs')).readFileSync(await download.path(), 'utf8');
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      [
        'attributes.run_id',
        'attributes.run_name',
        'attributes.status',
        'attributes.user',
        'attributes.start_time',
        'attributes.end_time',
        'attributes.duration',
        'attributes.experiment_id',
        'metrics.acc',
        'metrics.loss',
        'metrics.system/cpu_utilization_percentage',
        'params.batch_size',
        'params.lr',
        // MLflow's own tags too: every tag means every tag.
        'tags.mlflow.runName',
        'tags.site',
      ].join(','),
    );
    // The same runs in the same order as the table shows them, each with every value.
    const shown = ['2', '4', '8'].flatMap((b) => byLoss(true).filter((s) => s.batch === b));
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(shown.map((s) => s.name));
    const s = shown[0];
    expect(lines[1]?.split(',').slice(8)).toEqual([String(s?.acc), String(s?.loss), '40', s?.batch, s?.lr, s?.name, s?.site]);
    await page.getByLabel('Every param, metric and tag').uncheck();
    await eventually(async () => expect(await link.getAttribute('href')).not.toMatch(/[?&]all=/));
  }, 60000);

  it('selects runs and opens the compare page with them', async () => {
    const rows = table().locator('tbody tr:not(.rt-spacer):not(.rt-group)');
    // The table as the previous tests left it: grouped by batch_size (2, 4, 8), by loss within each group.
    const shown = ['2', '4', '8'].flatMap((b) => byLoss(true).filter((s) => s.batch === b)).map((s) => s.name);
    const picked = await eventually(async () => {
      const rowNames = await names();
      expect(rowNames).toEqual(shown);
      // The first and third rows, whose boxes are checked below.
      return rowNames.filter((_, i) => i === 0 || i === 2);
    });
    await rows.nth(0).getByRole('checkbox').check();
    await rows.nth(2).getByRole('checkbox').check();
    const compare = page.getByRole('button', { name: 'Compare (2)' });
    await expectAccessible(page, 'runs selected');
    await compare.click();
    await page.waitForURL(/\/projects\/runs-table-e2e\/compare\?runs=/);
    await eventually(() => expect(new URL(page.url()).searchParams.get('runs')?.split(',')).toEqual(picked.map(uuidOf)));
  }, 60000);

  it('says what is wrong with a filter the grammar refuses', async () => {
    await page.goto(`${api.base}/experiments/${experimentId}`);
    await table().waitFor();
    const box = page.getByRole('combobox', { name: 'Filter', exact: true });
    await box.fill('metrics.loss < 0.3 or params.lr = 1');
    await box.press('Enter');
    const alert = page.getByRole('alert');
    await alert.getByText(/^filter: .*only AND is supported/).waitFor();
    await eventually(async () => expect(await box.getAttribute('aria-invalid')).toBe('true'));
    await expectAccessible(page, 'bad filter');
    await page.getByRole('button', { name: 'Clear' }).click();
    await count().getByText(`${RUNS} runs; 100 loaded, newest first.`).waitFor();
    await eventually(async () => expect(await page.getByRole('alert').count()).toBe(0));
  }, 60000);

  it('tells a metric, a param and a tag of the same name apart in columns, sort and the address', async () => {
    const sameNames = () => page.getByRole('table', { name: /Runs of same-names/ });
    const sameHeaders = async () => (await sameNames().locator('thead th').allTextContents()).map((t) => t.trim());
    const cellsOf = async (run: string) =>
      (await sameNames().getByRole('row').filter({ hasText: run }).locator('td').allTextContents()).map((t) => t.trim());
    await page.goto(`${api.base}/experiments/${sameNamesId}`);
    await sameNames().waitFor();
    // Both columns named lr are shown by default, each saying what it is, each with its own values.
    await eventually(async () =>
      expect(await sameHeaders()).toEqual(['Status', 'Run', 'User', 'Started', 'Duration', 'metric lr', 'param lr']),
    );
    await eventually(async () => expect((await cellsOf('schedule-0')).slice(5)).toEqual(['0.005', '0.01']));

    // Sorting by the param sorts by the param, and the address names it as one.
    await sameNames().getByRole('button', { name: 'Param lr: sort ascending' }).click();
    await page.waitForURL(/[?&]sort=params\.lr%3Aasc/);
    await eventually(async () => expect(await sameNames().locator('th[aria-sort="ascending"]').textContent()).toBe('param lr'));
    await eventually(async () => expect(await sameNames().locator('th[aria-sort="none"]').allTextContents()).toContain('metric lr'));

    // The tag of the same name is a third column of its own.
    await page.getByRole('button', { name: 'Columns' }).click();
    const chooser = page.getByRole('region', { name: 'Columns' });
    await chooser.getByPlaceholder('Search columns').fill('lr');
    await chooser.getByRole('checkbox', { name: 'Tag lr' }).click();
    await eventually(async () => expect(await chooser.getByRole('checkbox', { name: 'Tag lr' }).isChecked()).toBe(true));
    await chooser.getByRole('button', { name: 'Done' }).click();
    await eventually(async () =>
      expect(await sameHeaders()).toEqual(['Status', 'Run', 'User', 'Started', 'Duration', 'metric lr', 'param lr', 'tag lr']),
    );
    await eventually(async () => expect((await cellsOf('schedule-0')).slice(5)).toEqual(['0.005', '0.01', 'cosine']));
    await expectAccessible(page, 'same-named columns');

    // An address from before columns said their kind names bare keys: each still shows what it
    // named, as every column of that name, and the sort as the metric; the address is rewritten.
    await page.goto(`${api.base}/experiments/${sameNamesId}?col=lr&sort=lr%3Adesc`);
    await eventually(async () => expect(await sameHeaders()).toEqual(['Run', 'metric lr', 'param lr', 'tag lr']));
    await eventually(async () => expect(await sameNames().locator('th[aria-sort="descending"]').textContent()).toBe('metric lr'));
    await eventually(() => {
      const url = new URL(page.url());
      expect(url.searchParams.getAll('col')).toEqual(['metrics.lr', 'params.lr', 'tags.lr']);
      expect(url.searchParams.get('sort')).toBe('metrics.lr:desc');
    });
  }, 60000);

  it("sorts by a metric's best value from its header, best first by the direction chosen there, on the server", async () => {
    const bestTable = () => page.getByRole('table', { name: /Runs of best-sort/ });
    const folds = () => bestTable().locator('tbody tr:not(.rt-spacer):not(.rt-group) td.rt-name').allTextContents();
    await page.goto(`${api.base}/experiments/${bestSortId}?best=1`);
    await bestTable().waitFor();
    await eventually(async () => expect(await folds()).toEqual(['fold-3', 'fold-2', 'fold-1']));
    await bestTable()
      .getByRole('button', { name: /^Metric val_loss: sort ascending/ })
      .click();
    await eventually(async () => expect(await folds()).toEqual(['fold-2', 'fold-1', 'fold-3']));

    // The best (lowest, by default for a loss) first: another order than the latest values'.
    await bestTable().getByRole('button', { name: 'Best val_loss: sort best first (lowest first)' }).click();
    await page.waitForURL(/[?&]sort=best\.val_loss%3Aasc/);
    await count()
      .getByText(/sorted by the best val_loss, lowest first\./)
      .waitFor();
    await eventually(async () => expect(await folds()).toEqual(['fold-3', 'fold-1', 'fold-2']));
    await eventually(async () =>
      expect((await bestTable().locator('th[aria-sort="ascending"]').textContent())?.replace(/\s+/g, ' ').trim()).toMatch(/^best val_loss/),
    );
    await expectAccessible(page, 'sorted by a best value');

    // Better high: the best is now the highest, and the server sorts the runs by it, highest first.
    await bestTable()
      .getByRole('combobox', { name: /^Best of val_loss/ })
      .selectOption('MAX');
    await count()
      .getByText(/sorted by the best val_loss, highest first\./)
      .waitFor();
    await eventually(async () => expect(await folds()).toEqual(['fold-1', 'fold-3', 'fold-2']));
    await eventually(async () =>
      expect((await bestTable().locator('th[aria-sort="descending"]').textContent())?.replace(/\s+/g, ' ').trim()).toMatch(
        /^best val_loss/,
      ),
    );
    // The address keeps the sort, the project the direction.
    await page.reload();
    await eventually(async () => expect(await folds()).toEqual(['fold-1', 'fold-3', 'fold-2']));
  }, 60000);

  it('keeps both of two columns switched on in quick succession', async () => {
    await page.goto(`${api.base}/experiments/${experimentId}`);
    await eventually(async () => expect(await headers()).toContain('param lr'));
    await page.getByRole('button', { name: 'Columns' }).click();
    const chooser = page.getByRole('region', { name: 'Columns' });
    await chooser.getByRole('checkbox', { name: 'Tag site' }).waitFor();
    // Two boxes within one task, before the table has re-rendered for the first: the second must
    // build on the first, not on the columns the table last rendered.
    await page.evaluate(() => {
      for (const name of ['Tag site', 'Ended']) {
        const label = [...document.querySelectorAll('ul[aria-label="Available columns"] label')].find(
          (l) => l.textContent?.trim() === name,
        );
        label!.querySelector('input')!.click();
      }
    });
    await eventually(() =>
      expect(new URL(page.url()).searchParams.getAll('col')).toEqual(expect.arrayContaining(['tags.site', 'attributes.end_time'])),
    );
    await eventually(async () => expect(await headers()).toEqual(expect.arrayContaining(['tag site', 'Ended'])));
    await eventually(async () => expect(await chooser.getByRole('checkbox', { name: 'Tag site' }).isChecked()).toBe(true));
    await eventually(async () => expect(await chooser.getByRole('checkbox', { name: 'Ended' }).isChecked()).toBe(true));
    await chooser.getByRole('button', { name: 'Done' }).click();
  }, 60000);

  it("updates a running run's row while it logs, without a reload, and stops polling once it has finished", async () => {
    const run = await tracking.createRun(who, { experimentId, name: 'live-run', startTime: Date.now() });
    await tracking.logBatch(who, run.uuid, { metrics: [{ key: 'loss', value: 0.9, timestamp: Date.now(), step: 1 }] });
    const livePolls: number[] = [];
    const onRequest = (req: { url(): string; postData(): string | null }) => {
      if (new URL(req.url()).pathname === '/graphql' && req.postData()?.includes('attributes.run_id IN')) livePolls.push(Date.now());
    };
    page.on('request', onRequest);
    try {
      await page.goto(`${api.base}/experiments/${experimentId}?filter=${encodeURIComponent("attributes.run_name = 'live-run'")}`);
      const row = table().locator('tbody tr:not(.rt-spacer):not(.rt-group)').filter({ hasText: 'live-run' });
      await row.locator('td.metric', { hasText: /^0\.9$/ }).waitFor();
      await page
        .locator('.live-status')
        .getByText(/^Live: updated at \d\d:\d\d:\d\d\. /)
        .waitFor();
      await page.evaluate(() => ((window as unknown as { stillThisPage?: boolean }).stillThisPage = true));
      await tracking.logBatch(who, run.uuid, { metrics: [{ key: 'loss', value: 0.25, timestamp: Date.now(), step: 2 }] });
      await row.locator('td.metric', { hasText: /^0\.25$/ }).waitFor({ timeout: 25000 });
      // Finishing moves the status too, and then the polling stops (nothing left running).
      await tracking.updateRun(who, run.uuid, { status: 'finished', endTime: Date.now() });
      await row.getByText('Finished').waitFor({ timeout: 25000 });
      await page.locator('.live-status').waitFor({ state: 'detached' });
      await eventually(async () =>
        expect(await page.evaluate(() => (window as unknown as { stillThisPage?: boolean }).stillThisPage)).toBe(true),
      );
      const pollsAtEnd = livePolls.length;
      // Absence takes waiting to see: longer than the 2 s the next poll would come after a change.
      await page.waitForTimeout(6000);
      expect(livePolls.length).toBe(pollsAtEnd);
    } finally {
      page.off('request', onRequest);
    }
  }, 90000);
});
