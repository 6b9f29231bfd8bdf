/**
 * The Runs area in a real browser against the real API: the built app is served by an API booted
 * in-process on a fresh test database (so runs are written through TrackingService, the one write
 * path) with artifacts uploaded over the native REST route. A researcher signs in, opens the
 * project's experiment, its run table and a run: params, a drawn metric chart, system metrics
 * (`system/…`) in their own section against time, artifacts with previews, logs. Fails on any console error, page error, or serious/critical axe violation.
 */
import { randomBytes } from 'node:crypto';
import { type Browser, type Locator, type Page } from 'playwright-core';
import {
  eventually,
  expectAccessible,
  loadHarness,
  loadTrackingService,
  type Principal,
  type TestApi,
  type Tracking,
  webBuild,
  launchChromium,
} from './harness';

/** A 4×4 PNG (opaque blue): small enough to inline, real enough for the browser to decode. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEklEQVR4nGNkYPjPwMDAxMAAAAkmAQf6S/dqAAAAAElFTkSuQmCC', 'base64');

/** What a chart's canvas says it drew (charts/CanvasPlot.tsx): points on its lines, the x of the first and last point, tick labels. */
async function drawn(figure: Locator): Promise<{ points: number; firstX: number; lastX: number; xTicks: string; yTicks: string }> {
  const canvas = figure.locator('canvas');
  const [points, firstX, lastX, xTicks, yTicks] = await Promise.all(
    ['data-drawn-points', 'data-first-x', 'data-last-x', 'data-x-ticks', 'data-y-ticks'].map((a) => canvas.getAttribute(a)),
  );
  return { points: Number(points), firstX: Number(firstX), lastX: Number(lastX), xTicks: xTicks ?? '', yTicks: yTicks ?? '' };
}

describe('the run page in Chromium (real API, PostgreSQL, S3)', () => {
  const project = { slug: 'kidney-e2e', name: 'Project kidney-e2e' };
  let outDir: string;
  let api: TestApi;
  let browser: Browser;
  let page: Page;
  let researcher: { id: string; username: string; password: string };
  let experimentId: string;
  let runId: string;
  let plainRunId: string;
  let problems: string[] = [];
  /** Every artifact listing the page asked for (GET …/artifacts?prefix=…), in order. */
  let artifactListings: string[] = [];
  /** Every GraphQL operation the page sent: its name, variables and when (ms since the epoch). */
  let operations: { name: string; variables: Record<string, unknown>; at: number }[] = [];
  let tracking: Tracking;
  let who: Principal;

  beforeAll(async () => {
    const [{ ADMIN, gqlOk, login, newProject, newUser, startTestApi }, TrackingService] = await Promise.all([
      loadHarness(),
      loadTrackingService(),
      webBuild().then((dir) => (outDir = dir)),
    ]);
    api = await startTestApi({ WEB_DIST_DIR: outDir });
    const admin = await login(api, ADMIN.username, ADMIN.password);
    const projectId = await newProject(api, admin, project.slug);
    const secondProjectId = await newProject(api, admin, 'kidney-second-e2e');
    researcher = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    await gqlOk(
      api,
      admin,
      `mutation($p: ID!, $u: String!) { addProjectMember(input: { projectId: $p, username: $u, roles: [VIEWER] }) { roles } }`,
      {
        p: secondProjectId,
        u: researcher.username,
      },
    );

    tracking = api.app.get(TrackingService);
    who = {
      method: 'session',
      sessionId: 'e2e',
      user: { id: researcher.id, username: researcher.username, displayName: researcher.username, globalRole: null },
    };
    const experiment = await tracking.createExperiment(who, projectId, 'kidney-unet', [
      { key: 'mlflow.note.content', value: 'Kidney tumour segmentation, 3D U-Net.' },
    ]);
    experimentId = experiment.id;
    const t0 = Date.UTC(2026, 10, 20, 9, 0, 0);
    for (const [i, lr] of ['0.01', '0.003'].entries()) {
      const r = await tracking.createRun(who, { experimentId, name: `sweep-${i}`, startTime: t0 - (i + 1) * 3600_000 });
      if (i === 0) plainRunId = r.uuid;
      await tracking.logBatch(who, r.uuid, {
        params: [{ key: 'lr', value: lr }],
        metrics: [{ key: 'loss', value: 0.9 - i / 10, timestamp: t0, step: 10 }],
      });
      await tracking.updateRun(who, r.uuid, { status: i === 0 ? 'failed' : 'finished', endTime: t0 - i * 3600_000 - 1800_000 });
    }
    const run = await tracking.createRun(who, {
      experimentId,
      name: 'unet-baseline',
      startTime: t0,
      gitCommit: '9f1c2e7',
      gitRepo: 'https://git.example.org/kidney',
      imageDigest: 'sha256:0b5e',
    });
    runId = run.uuid;
    const metrics = Array.from({ length: 40 }, (_, step) => [
      { key: 'loss', value: step === 7 ? NaN : 1 / (step + 1), timestamp: t0 + step * 1000, step },
      { key: 'dice', value: 0.5 + step / 100, timestamp: t0 + step * 1000, step },
    ]).flat();
    // System metrics as the SDKs log them: one sample every 10 s for two minutes, step = sample index.
    const system = Array.from({ length: 13 }, (_, step) =>
      Object.entries({
        'system/cpu_utilization_percentage': 20 + step * 5,
        'system/system_memory_usage_megabytes': 12000 + step * 100,
        'system/system_memory_usage_percentage': 40 + step,
        'system/gpu_0_utilization_percentage': step % 2 ? 95 : 10,
        'system/gpu_0_memory_usage_megabytes': 30000,
        'system/gpu_0_memory_usage_percentage': 36.6,
      }).map(([key, value]) => ({ key, value, timestamp: t0 + step * 10_000, step })),
    ).flat();
    await tracking.logBatch(who, runId, {
      params: [
        { key: 'lr', value: '0.001' },
        { key: 'batch_size', value: '2' },
        { key: 'optimizer', value: 'AdamW' },
      ],
      tags: [{ key: 'site', value: 'radiology-north' }],
      metrics: [...metrics, ...system],
    });
    await tracking.appendLogs(who, runId, [
      { ts: new Date(t0), stream: 'stdout', line: 'epoch 0 loss=1.0000' },
      { ts: new Date(t0 + 1000), stream: 'stderr', line: 'warning: <b>not html</b>' },
    ]);
    const uploads: [string, Uint8Array<ArrayBuffer> | string][] = [
      ['plots/loss.png', Uint8Array.from(PNG)],
      ['config.json', JSON.stringify({ lr: 0.001, note: '<script>alert(1)</script>' })],
      ['notes.txt', 'Trained on the kidney CT set, fold 0.'],
      ['report.html', '<h1>not previewed</h1>'],
    ];
    for (const [artifactPath, body] of uploads) {
      const res = await fetch(`${api.base}/api/v1/runs/${runId}/artifacts/${artifactPath}`, {
        method: 'PUT',
        headers: {
          authorization: `Basic ${Buffer.from(`${researcher.username}:${researcher.password}`).toString('base64')}`,
          'content-type': 'application/octet-stream',
        },
        body,
      });
      if (!res.ok) throw new Error(`uploading ${artifactPath} failed: ${res.status} ${await res.text()}`);
    }
    await tracking.updateRun(who, runId, { status: 'finished', endTime: t0 + 42 * 60_000 });

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
    page = await context.newPage();
    page.setDefaultTimeout(15000);
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (/^\/api\/v1\/runs\/[^/]+\/artifacts$/.test(url.pathname) && url.searchParams.has('prefix')) artifactListings.push(url.search);
      if (url.pathname === '/graphql' && req.method() === 'POST') {
        const body = JSON.parse(req.postData() ?? '{}') as { operationName?: string; variables?: Record<string, unknown> };
        operations.push({ name: body.operationName ?? '', variables: body.variables ?? {}, at: Date.now() });
      }
    });
  }, 240000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  beforeEach(() => {
    problems = [];
  });
  afterEach(() => {
    expect(problems).toEqual([]);
  });

  it('signs in and lists the experiments of the projects on the Runs page', async () => {
    await page.goto(`${api.base}/sign-in?next=%2Fruns`);
    await page.getByLabel('Username').fill(researcher.username);
    await page.getByLabel('Password').fill(researcher.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${api.base}/runs`);
    await page.getByRole('heading', { level: 1, name: 'Runs' }).waitFor();
    const section = page.getByRole('region', { name: project.name });
    await section.getByRole('link', { name: 'kidney-unet' }).waitFor();
    await eventually(async () => expect(await section.getByRole('row').filter({ hasText: 'kidney-unet' }).textContent()).toContain('3'));
    await expectAccessible(page, 'runs overview');
  }, 60000);

  it("opens the project's experiment from the project page and shows the run table", async () => {
    await page.goto(`${api.base}/projects/${project.slug}`);
    const experiments = page.getByRole('region', { name: 'Experiments' });
    await experiments.getByText('Your default project for MLflow').waitFor();
    await experiments.getByRole('link', { name: 'kidney-unet' }).click();
    await page.waitForURL(`${api.base}/experiments/${experimentId}`);
    await page.getByRole('heading', { level: 1, name: 'kidney-unet' }).waitFor();
    await page.getByText('Kidney tumour segmentation, 3D U-Net.').waitFor();
    const table = page.getByRole('table', { name: /Runs of kidney-unet/ });
    await table.waitFor();
    await eventually(async () => {
      const names = await table.locator('tbody tr td:nth-child(2)').allTextContents();
      expect(names).toEqual(['unet-baseline', 'sweep-0', 'sweep-1']);
    });
    await eventually(async () => {
      const headers = await table.locator('thead th').allTextContents();
      expect(headers).toEqual(expect.arrayContaining(['Status', 'Run', 'User', 'Started', 'Duration', 'metric loss', 'param lr']));
    });
    const baseline = table.getByRole('row').filter({ hasText: 'unet-baseline' });
    await eventually(async () => expect(await baseline.textContent()).toContain('Finished'));
    await eventually(async () => expect(await baseline.textContent()).toContain('42 min 00 s'));
    await eventually(async () => expect(await table.getByRole('row').filter({ hasText: 'sweep-0' }).textContent()).toContain('Failed'));
    await expectAccessible(page, 'experiment run table');
  }, 60000);

  it('opens a run: overview, params, a drawn metric chart with its NaN named, and logs as text', async () => {
    await page.getByRole('link', { name: 'unet-baseline' }).click();
    await page.waitForURL(`${api.base}/runs/${runId}`);
    await page.getByRole('heading', { level: 1, name: 'unet-baseline' }).waitFor();
    const overview = page.getByRole('region', { name: 'Overview' });
    for (const text of [runId, '9f1c2e7', 'https://git.example.org/kidney', 'sha256:0b5e', '42 min 00 s'])
      await overview.getByText(text).first().waitFor();

    const params = page.getByRole('table', { name: 'Parameters' });
    await eventually(async () => expect(await params.getByRole('row').filter({ hasText: 'optimizer' }).textContent()).toContain('AdamW'));
    await eventually(async () => expect(await params.getByRole('row').filter({ hasText: 'lr' }).textContent()).toContain('0.001'));
    await page.getByRole('table', { name: 'Tags' }).getByText('radiology-north').waitFor();

    const lossChart = page.getByRole('figure', { name: 'loss' });
    // 40 steps, the NaN at step 7 a gap: 39 points drawn, from step 0 to step 39.
    await eventually(async () => expect(await drawn(lossChart)).toMatchObject({ points: 39, firstX: 0, lastX: 39 }));
    await lossChart.getByText('1 value is not finite (gaps in the line): NaN at step 7.').waitFor();
    // Every point as a download, with the signed-in session: the CSV names the NaN as logged.
    const csvHref = await eventually(async () => {
      const href = await lossChart.getByRole('link', { name: 'CSV' }).getAttribute('href');
      expect(href).toBe(`/api/v1/runs/${runId}/metrics/loss/export?format=csv`);
      return href!;
    });
    const csv = await page.request.get(new URL(csvHref, page.url()).toString());
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-disposition']).toMatch(/^attachment; filename=".*-loss\.csv"$/);
    expect((await csv.text()).split('\r\n')[0]).toBe('step,timestamp,value');
    expect(await csv.text()).toMatch(/\r\n7,\d+,NaN\r\n/);
    await eventually(async () =>
      expect(await drawn(page.getByRole('figure', { name: 'dice' }))).toMatchObject({ points: 40, firstX: 0, lastX: 39 }),
    );

    const logs = page.getByRole('list', { name: /Log lines/ });
    await logs.getByText('epoch 0 loss=1.0000').waitFor();
    await eventually(async () => expect(await logs.getByText('warning: <b>not html</b>').count()).toBe(1));
    await expectAccessible(page, 'run page');
  }, 60000);

  it('shows system metrics in their own section against time since the start, and keeps them out of the training metrics', async () => {
    const training = page.getByRole('region', { name: 'Metrics', exact: true });
    const figureNames = async (region: typeof training) => (await region.getByRole('figure').locator('h3, h4').allTextContents()).sort();
    await eventually(async () => expect(await figureNames(training)).toEqual(['dice', 'loss']));
    await eventually(async () => {
      const latest = await training
        .getByRole('table', { name: 'Latest value of each metric' })
        .locator('tbody td:first-child')
        .allTextContents();
      expect(latest.sort()).toEqual(['dice', 'loss']);
    });

    const system = page.getByRole('region', { name: 'System metrics' });
    await eventually(async () =>
      expect(await system.getByRole('heading', { level: 3 }).allTextContents()).toEqual(['CPU and memory', 'GPU 0']),
    );
    const cpuAndMemory = system.getByRole('region', { name: 'CPU and memory' });
    const gpu = system.getByRole('region', { name: 'GPU 0' });
    await eventually(async () =>
      expect(await figureNames(cpuAndMemory)).toEqual(['CPU utilisation (%)', 'Memory in use (%)', 'Memory in use (MB)']),
    );
    await eventually(async () =>
      expect(await figureNames(gpu)).toEqual(['GPU 0 memory in use (%)', 'GPU 0 memory in use (MB)', 'GPU 0 utilisation (%)']),
    );
    // Every sample drawn, from the start to two minutes in.
    for (const figure of await system.getByRole('figure').all())
      await eventually(async () => expect(await drawn(figure)).toMatchObject({ points: 13, firstX: 0, lastX: 120000 }));

    const cpu = system.getByRole('figure', { name: 'CPU utilisation (%)' });
    await cpu.getByText('system/cpu_utilization_percentage').waitFor();
    await cpu.getByText('13 samples, 0:00–2:00; latest 80 %, from 20 % to 80 %.').waitFor();
    await eventually(async () => expect(await drawn(cpu)).toMatchObject({ xTicks: '0:00|0:30|1:00|1:30|2:00', yTicks: '0|25|50|75|100' }));
    await system.getByRole('figure', { name: 'Memory in use (MB)' }).getByText('latest 13200 MB, from 12000 MB to 13200 MB').waitFor();
    await expectAccessible(page, 'run page, system metrics');

    await page.goto(`${api.base}/runs/${plainRunId}`);
    await page.getByRole('heading', { level: 1, name: 'sweep-0' }).waitFor();
    await page.getByRole('region', { name: 'System metrics' }).getByText('No system metrics logged.').waitFor();
    await eventually(async () => expect(await page.getByRole('region', { name: 'System metrics' }).getByRole('figure').count()).toBe(0));
    await page
      .getByRole('region', { name: 'Metrics', exact: true })
      .getByRole('figure', { name: 'loss' })
      .getByText(/^1 point, steps 10–10/)
      .waitFor();
    await expectAccessible(page, 'run page without system metrics');
    await page.goto(`${api.base}/runs/${runId}`);
    await page.getByRole('heading', { level: 1, name: 'unet-baseline' }).waitFor();
  }, 60000);

  it('browses artifacts, previews JSON as text and an image, and offers no preview for HTML', async () => {
    const artifacts = page.getByRole('region', { name: 'Artifacts' });
    const table = artifacts.getByRole('table');
    await table.waitFor();
    await eventually(async () =>
      expect(await table.locator('tbody td:first-child').allTextContents()).toEqual(['config.json', 'notes.txt', 'plots/', 'report.html']),
    );
    await eventually(async () => expect(await artifacts.getByRole('button', { name: 'Preview report.html' }).count()).toBe(0));
    await eventually(async () =>
      expect(await artifacts.getByRole('link', { name: 'Download report.html' }).getAttribute('href')).toBe(
        `/api/v1/runs/${runId}/artifacts/report.html`,
      ),
    );

    await artifacts.getByRole('button', { name: 'Preview config.json' }).click();
    const json = artifacts.getByLabel('Contents of config.json');
    await json.waitFor();
    await eventually(async () => expect(await json.textContent()).toBe('{\n  "lr": 0.001,\n  "note": "<script>alert(1)</script>"\n}'));
    await eventually(async () => expect(await page.locator('script:text("alert(1)")').count()).toBe(0));
    await expectAccessible(page, 'run page, JSON preview');

    await artifacts.getByRole('button', { name: 'plots/' }).click();
    await artifacts.getByRole('button', { name: 'Preview loss.png' }).click();
    const image = artifacts.getByRole('img', { name: 'Artifact plots/loss.png' });
    await image.waitFor();
    await page.waitForFunction(
      () => (document.querySelector('img[alt="Artifact plots/loss.png"]') as HTMLImageElement | null)?.naturalWidth === 4,
    );
    await expectAccessible(page, 'run page, image preview');
    await artifacts.getByRole('button', { name: 'artifacts' }).click();
    await table.getByText('notes.txt').waitFor();
  }, 60000);

  it('lists the artifacts once when the run page opens, and once per folder opened', async () => {
    artifactListings = [];
    await page.goto(`${api.base}/runs/${runId}`);
    const table = page.getByRole('region', { name: 'Artifacts' }).getByRole('table');
    await eventually(async () =>
      expect(await table.locator('tbody td:first-child').allTextContents()).toEqual(['config.json', 'notes.txt', 'plots/', 'report.html']),
    );
    // Everything else the page loads (charts, logs, system metrics) has answered: no listing is still to come.
    await eventually(async () => expect((await drawn(page.getByRole('figure', { name: 'dice' }))).points).toBe(40));
    await page
      .getByRole('list', { name: /Log lines/ })
      .getByText('epoch 0 loss=1.0000')
      .waitFor();
    await page.waitForLoadState('networkidle');
    expect(artifactListings).toEqual(['?prefix=']);

    await page.getByRole('region', { name: 'Artifacts' }).getByRole('button', { name: 'plots/' }).click();
    await table.getByText('loss.png').waitFor();
    await page.waitForLoadState('networkidle');
    expect(artifactListings).toEqual(['?prefix=', '?prefix=plots']);

    // Reached from the run table of a freshly loaded page, before the app has fetched the run
    // page's code in the background: the page is drawn once its code arrives, and not again.
    await page.goto(`${api.base}/experiments/${experimentId}`);
    artifactListings = [];
    await page
      .getByRole('table', { name: /Runs of kidney-unet/ })
      .getByRole('link', { name: 'unet-baseline' })
      .click();
    await eventually(async () => expect(await table.locator('tbody td:first-child').allTextContents()).toContain('config.json'));
    await eventually(async () => expect((await drawn(page.getByRole('figure', { name: 'dice' }))).points).toBe(40));
    await page
      .getByRole('list', { name: /Log lines/ })
      .getByText('epoch 0 loss=1.0000')
      .waitFor();
    await page.waitForLoadState('networkidle');
    expect(artifactListings).toEqual(['?prefix=']);
    // Moving within the page (its section links) keeps what it has loaded.
    await page.getByRole('navigation', { name: 'Sections of this run' }).getByRole('link', { name: 'Artifacts' }).click();
    await page.waitForURL(/#artifacts$/);
    await eventually(async () => expect(await table.locator('tbody td:first-child').allTextContents()).toContain('config.json'));
    await page.waitForLoadState('networkidle');
    expect(artifactListings).toEqual(['?prefix=']);
  }, 60000);

  it('follows a running run without a reload: table, chart, status; then stops polling', async () => {
    const t0 = Date.now();
    const point = (step: number) => ({ key: 'loss', value: 1 / (step + 1), timestamp: t0 + step * 1000, step });
    const run = await tracking.createRun(who, { experimentId, name: 'live-run', startTime: t0 });
    await tracking.logBatch(who, run.uuid, { metrics: Array.from({ length: 15 }, (_, step) => point(step)) });
    await page.goto(`${api.base}/runs/${run.uuid}`);
    const latest = page.getByRole('table', { name: 'Latest value of each metric' }).getByRole('row').filter({ hasText: 'loss' });
    const chart = page.getByRole('figure', { name: 'loss' });
    const live = page.locator('.live-status');
    await eventually(async () => expect(await latest.locator('td').nth(2).textContent()).toBe('14'));
    await chart.getByText(/^15 points, steps 0–14/).waitFor();
    await live.getByText(/^Live: updated at \d\d:\d\d:\d\d\. /).waitFor();
    // Marks that a reload, or a chart drawn again from scratch, would lose.
    await page.evaluate(() => {
      (window as unknown as { stillThisPage?: boolean }).stillThisPage = true;
      document.querySelector('figure .chart-box')!.setAttribute('data-first-drawn', 'yes');
    });
    operations = [];

    // A point a second, as a training loop logs them.
    for (let step = 15; step < 20; step++) {
      await tracking.logBatch(who, run.uuid, { metrics: [point(step)] });
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await eventually(async () => expect(await latest.locator('td').nth(2).textContent()).toBe('19'), 15000);
    await chart.getByText(/^20 points, steps 0–19/).waitFor({ timeout: 15000 });
    await eventually(async () => expect(await drawn(chart)).toMatchObject({ points: 20, firstX: 0, lastX: 19 }));
    await eventually(async () =>
      expect(await page.evaluate(() => (window as unknown as { stillThisPage?: boolean }).stillThisPage)).toBe(true),
    );
    await eventually(async () => expect(await chart.locator('.chart-box').getAttribute('data-first-drawn')).toBe('yes'));
    // The run itself was never read again whole, and the chart read only the points after those it had.
    expect(operations.filter((o) => o.name === 'Run')).toEqual([]);
    const histories = operations.filter((o) => o.name === 'MetricHistory' && o.variables.key === 'loss');
    expect(histories.length).toBeGreaterThan(0);
    for (const h of histories) expect(typeof h.variables.after).toBe('string');
    await expectAccessible(page, 'run page, live');

    // Nothing new: the polls space out (2 s, then 1.5 times longer each time, up to 20 s).
    const idleFrom = Date.now();
    const polls = () => operations.filter((o) => o.name === 'RunLive' && o.at > idleFrom).map((o) => o.at);
    await eventually(() => expect(polls().length).toBeGreaterThanOrEqual(4), 30000, 250);
    const at = polls();
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(gaps.every((gap, i) => i === 0 || gap > gaps[i - 1]!)).toBe(true);
    expect(gaps.at(-1)!).toBeGreaterThan(4000);

    // Finished: the status and end time change on the page, the live line goes, and polling stops.
    await tracking.updateRun(who, run.uuid, { status: 'finished', endTime: Date.now() });
    const overview = page.getByRole('region', { name: 'Overview' });
    await overview.getByText('Finished').waitFor({ timeout: 25000 });
    await eventually(async () =>
      expect(
        await overview
          .locator('div', { hasText: /^Ended/ })
          .locator('dd time')
          .count(),
      ).toBe(1),
    );
    await live.waitFor({ state: 'detached' });
    const pollsAtEnd = operations.filter((o) => o.name === 'RunLive').length;
    // Absence takes waiting to see: longer than the 2 s the next poll would come after a change.
    await page.waitForTimeout(6000);
    expect(operations.filter((o) => o.name === 'RunLive').length).toBe(pollsAtEnd);
  }, 120000);

  it('makes another project the default for MLflow from its page', async () => {
    await page.goto(`${api.base}/projects/kidney-second-e2e`);
    const experiments = page.getByRole('region', { name: 'Experiments' });
    await experiments.getByText('No runs logged yet.').waitFor();
    await experiments.getByRole('button', { name: 'Make this my default project for MLflow' }).click();
    await experiments.getByText('Your default project for MLflow').waitFor();
    await expectAccessible(page, 'project page, default project set');
    await page.goto(`${api.base}/projects/${project.slug}`);
    await page
      .getByRole('region', { name: 'Experiments' })
      .getByRole('button', { name: 'Make this my default project for MLflow' })
      .waitFor();
  }, 60000);

  it('says so when a run does not exist', async () => {
    const missing = randomBytes(16).toString('hex');
    await page.goto(`${api.base}/runs/${missing}`);
    await page.getByRole('heading', { level: 1, name: 'Run not found' }).waitFor();
    await page.getByText(`There is no run ${missing} you can read.`).waitFor();
    await expectAccessible(page, 'run not found');
  }, 60000);
});
