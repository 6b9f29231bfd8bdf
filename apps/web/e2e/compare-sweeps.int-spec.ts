/**
 * A sweep in the compare page, in Chromium against the real API (issue 15): a researcher launches
 * a grid sweep over a template's lr (launchSweep: child runs of one parent run), the runs log
 * their loss, and from the parent run's page one click opens compare with the sweep's runs. There
 * they are one group, "sweep lr grid (3 runs)" with the swept parameter named and each run's value
 * of it, in shades of one colour apart from a run of no sweep compared beside them; the group's
 * switch hides and shows all of its runs in the charts; the diff table lists the swept parameter
 * first and marks it. No worker runs: the sweep's runs stay as the launch wrote them and the test
 * logs and ends them through the API's own write path. Fails on any console or page error, or a
 * serious/critical axe violation.
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
  type User,
  type WebApi,
} from './harness';

const CREATE = `mutation($i: CreateRunTemplateInput!) { createRunTemplate(input: $i) { latestVersion { id } } }`;
const SWEEP = `mutation($i: LaunchSweepInput!) { launchSweep(input: $i) { parentRunId runIds } }`;

describe('a sweep in the compare page (Chromium, real API)', () => {
  const slug = 'sweep-compare-e2e';
  let web: WebApi | undefined;
  let api: TestApi;
  let browser: Browser;
  let page: Page;
  let researcher: User;
  let parentRunId: string;
  let childIds: string[];
  let soloId: string;
  const onProblem = failOnPageProblems();

  beforeAll(async () => {
    web = await startWebApi();
    api = web.api;
    const seeded = await seedTrackingProject(web, slug);
    const { projectId, tracking, who } = seeded;
    researcher = seeded.researcher;
    const auth = await web.harness.login(api, researcher.username, researcher.password);
    const created = (await web.harness.gqlOk(api, auth, CREATE, {
      i: {
        projectId,
        name: 'UNet lr',
        definition: {
          architecture: 'UNet',
          executor: 'LOCAL',
          resources: { gpus: 0, cpus: 1, memoryGb: 1, wallTimeMinutes: 10 },
          parameters: [
            { name: 'lr', type: 'FLOAT', default: '0.001', min: 0, max: 1 },
            { name: 'epochs', type: 'INT', default: '5', min: 1, max: 100 },
          ],
          command: ['python3', 'train.py', '--lr', '{lr}', '--epochs', '{epochs}'],
        },
      },
    })) as { createRunTemplate: { latestVersion: { id: string } } };
    const sweep = (await web.harness.gqlOk(api, auth, SWEEP, {
      i: {
        templateVersionId: created.createRunTemplate.latestVersion.id,
        method: 'GRID',
        maxConcurrent: 3,
        name: 'lr grid',
        dimensions: [{ name: 'lr', values: ['0.1', '0.01', '0.001'] }],
      },
    })) as { launchSweep: { parentRunId: string; runIds: string[] } };
    parentRunId = sweep.launchSweep.parentRunId;
    childIds = sweep.launchSweep.runIds;
    const t0 = Date.UTC(2026, 10, 21, 9, 0, 0);
    const loss = (i: number) =>
      Array.from({ length: 50 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1 + i), timestamp: t0 + step * 1000, step }));
    for (const [i, id] of childIds.entries()) {
      await tracking.logBatch(who, id, { metrics: loss(i) });
      await tracking.updateRun(who, id, { status: 'finished', endTime: t0 + 60_000 });
    }
    // A run of no sweep in the same project, compared beside the sweep's.
    const experiment = await tracking.createExperiment(who, projectId, 'baseline', []);
    soloId = (await tracking.createRun(who, { experimentId: experiment.id, name: 'baseline', startTime: t0 })).uuid;
    await tracking.logBatch(who, soloId, { params: [{ key: 'lr', value: '0.05' }], metrics: loss(5) });
    await tracking.updateRun(who, soloId, { status: 'finished', endTime: t0 + 60_000 });

    browser = await launchChromium();
    page = await openPage(browser, onProblem);
  }, 240000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it("opens compare with the sweep's runs from its parent run, as one group with its swept parameter", async () => {
    await signIn(page, api.base, researcher, `/runs/${parentRunId}`);
    await page.getByRole('heading', { level: 1, name: 'lr grid' }).waitFor();
    await page.getByRole('link', { name: "Compare this sweep's 3 runs" }).click();
    await page.getByRole('heading', { level: 1, name: 'Compare 3 runs' }).waitFor();
    await eventually(() => expect(new URL(page.url()).searchParams.get('runs')).toBe(childIds.join(',')));

    const group = page.getByRole('group', { name: 'sweep lr grid (3 runs)' });
    await group.waitFor();
    await group.getByText('swept: lr').waitFor();
    const runs = group.getByRole('list', { name: 'Runs of sweep lr grid' });
    await eventually(async () =>
      expect(await runs.getByRole('listitem').allTextContents()).toEqual([
        expect.stringContaining('lr grid #1lr = 0.1'),
        expect.stringContaining('lr grid #2lr = 0.01'),
        expect.stringContaining('lr grid #3lr = 0.001'),
      ]),
    );
    await eventually(async () => expect(await page.locator('figure[data-metric="loss"]').getAttribute('data-points')).toBe('150'));
    await expectAccessible(page, 'compare with a sweep group');
  });

  it("colours the sweep's runs as shades of one colour, apart from a run of no sweep", async () => {
    await page.goto(`${api.base}/projects/${slug}/compare?runs=${[...childIds, soloId].join(',')}`);
    const group = page.getByRole('group', { name: 'sweep lr grid (3 runs)' });
    await group.waitFor();
    const swatches = async (where: ReturnType<Page['locator']>) =>
      where.locator('li .swatch').evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
    const rgb = (c: string) => c.match(/\d+/g)!.slice(0, 3).map(Number);
    await eventually(async () => {
      const sweepColors = (await swatches(group)).map(rgb);
      expect(sweepColors).toHaveLength(3);
      // Shades of one colour: darker to lighter, each channel in the same order.
      for (const ch of [0, 1, 2]) {
        expect(sweepColors[0]![ch]!).toBeLessThanOrEqual(sweepColors[1]![ch]!);
        expect(sweepColors[1]![ch]!).toBeLessThanOrEqual(sweepColors[2]![ch]!);
      }
      const solo = await swatches(page.getByRole('list', { name: 'Legend: compared runs' }));
      expect(solo).toHaveLength(1);
      expect(sweepColors.map((c) => c.join(','))).not.toContain(rgb(solo[0]!).join(','));
    });
  });

  it('switches the whole group off and on, and lists the swept parameter first in the diff, marked', async () => {
    const group = page.getByRole('group', { name: 'sweep lr grid (3 runs)' });
    const groupSwitch = group.getByRole('checkbox', { name: 'Show all runs of sweep lr grid' });
    await eventually(async () => expect(await page.locator('figure[data-metric="loss"]').getAttribute('data-points')).toBe('200'));
    await groupSwitch.click();
    await eventually(async () => expect(new URL(page.url()).searchParams.get('hide')?.split(',').sort()).toEqual([...childIds].sort()));
    await eventually(async () => expect(await page.locator('figure[data-metric="loss"]').getAttribute('data-points')).toBe('50'));
    await eventually(async () => {
      for (const box of await group.getByRole('listitem').getByRole('checkbox').all()) expect(await box.isChecked()).toBe(false);
    });

    // One run back: the group's switch reads "some" (indeterminate); then the whole group back.
    await group.getByRole('checkbox', { name: 'Show lr grid #2' }).click();
    await eventually(async () => expect(await groupSwitch.evaluate((el: HTMLInputElement) => el.indeterminate)).toBe(true));
    await groupSwitch.click();
    await eventually(async () => expect(new URL(page.url()).searchParams.get('hide')).toBeNull());
    await eventually(async () => expect(await page.locator('figure[data-metric="loss"]').getAttribute('data-points')).toBe('200'));

    const diff = page.getByRole('region', { name: 'Parameters and tags' });
    const firstRow = diff.locator('tbody tr').first();
    await eventually(async () => expect(await firstRow.getAttribute('data-swept')).toBe('true'));
    await eventually(async () => expect(await firstRow.locator('th').textContent()).toBe('param lrswept'));
  });
});
