/**
 * The production build works under its Content-Security-Policy: the API serves the build
 * (WEB_DIST_DIR) with the same headers as the web image's nginx, and an admin walks sign-in, the
 * projects, an experiment's runs table, a run with its charts, compare, the audit log and user
 * administration in Chromium. Every CSP violation is caught (a `securitypolicyviolation` listener
 * installed before any page script, and the console), and the test fails on any; a deliberate
 * inline script at the end shows the detector does catch one.
 */
import { type Browser, type Page } from 'playwright-core';
import {
  webBuild,
  eventually,
  expectAccessible,
  loadHarness,
  loadTrackingService,
  type Principal,
  type TestApi,
  launchChromium,
} from './harness';

describe('the web app under its Content-Security-Policy in Chromium', () => {
  const slug = 'csp-e2e';
  let outDir: string;
  let api: TestApi;
  let browser: Browser;
  let page: Page;
  let experimentId: string;
  const runIds: string[] = [];
  let admin: { username: string; password: string };
  const violations: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    const [{ ADMIN, login, newProject, startTestApi }, TrackingService] = await Promise.all([
      loadHarness(),
      loadTrackingService(),
      webBuild().then((dir) => (outDir = dir)),
    ]);
    admin = ADMIN;
    api = await startTestApi({ WEB_DIST_DIR: outDir });
    const adminAuth = await login(api, ADMIN.username, ADMIN.password);
    const projectId = await newProject(api, adminAuth, slug);
    const me = (await (
      await fetch(`${api.base}/api/v1/auth/me`, { headers: 'cookie' in adminAuth ? { cookie: adminAuth.cookie } : {} })
    ).json()) as { user: { id: string } };
    const tracking = api.app.get(TrackingService);
    const who: Principal = {
      method: 'session',
      sessionId: 'e2e',
      user: { id: me.user.id, username: ADMIN.username, displayName: 'Administrator', globalRole: null },
    };
    experimentId = (await tracking.createExperiment(who, projectId, 'csp-sweep', [])).id;
    const t0 = Date.UTC(2026, 10, 20, 9, 0, 0);
    for (let i = 0; i < 2; i++) {
      const run = await tracking.createRun(who, { experimentId, name: `trial-${i}`, startTime: t0 });
      runIds.push(run.uuid);
      const metrics = Array.from({ length: 50 }, (_, s) => [
        { key: 'loss', value: 1 / (s + 1 + i), timestamp: t0 + s * 1000, step: s },
        { key: 'dice', value: s / 60 + i / 100, timestamp: t0 + s * 1000, step: s },
      ]).flat();
      await tracking.logBatch(who, run.uuid, { params: [{ key: 'lr', value: String(10 ** -(i + 2)) }], metrics });
      await tracking.updateRun(who, run.uuid, { status: 'finished', endTime: t0 + 60_000 });
    }

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
    // Runs before any script of the page, and is not itself subject to the page's CSP.
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
      });
    });
    page = await context.newPage();
    page.setDefaultTimeout(15000);
    page.on('console', (msg) => {
      const text = msg.text();
      if (/Content Security Policy|CSP violation/i.test(text)) violations.push(text);
      else if (msg.type() === 'error') errors.push(`console error: ${text} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  }, 300000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  }, 30000);

  it('is served with the policy, and every page works without a violation', async () => {
    const first = await page.goto(`${api.base}/sign-in`);
    expect(first?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    await page.getByLabel('Username').fill(admin.username);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${api.base}/projects`);
    await page
      .getByRole('link', { name: /csp-e2e|Project csp-e2e/ })
      .first()
      .waitFor();

    await page.goto(`${api.base}/experiments/${experimentId}`);
    await page.getByRole('table', { name: /Runs of csp-sweep/ }).waitFor();

    await page.goto(`${api.base}/runs/${runIds[0]}`);
    await page.getByRole('heading', { level: 1, name: /trial-0/ }).waitFor();
    await page.waitForFunction(() => Number(document.querySelector('figure.chart-card canvas')?.getAttribute('data-drawn-points')) > 0);

    await page.goto(`${api.base}/projects/${slug}/compare?runs=${runIds.join(',')}`);
    await page.getByRole('heading', { level: 1, name: 'Compare 2 runs' }).waitFor();
    // Compare draws on canvas; each chart reports how many points it drew.
    await page.waitForFunction(
      () => Number(document.querySelector('figure[data-metric="loss"]')?.getAttribute('data-points')) > 0,
      undefined,
      { timeout: 15000 },
    );

    await page.goto(`${api.base}/audit`);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.goto(`${api.base}/admin`);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.waitForLoadState('networkidle');

    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  }, 120000);

  it("follows a dark OS preference; the top bar's theme choice wins, is remembered, and dark pages stay accessible (issue 12)", async () => {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const LIGHT = 'rgb(245, 246, 248)';
    const DARK = 'rgb(17, 21, 27)';
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${api.base}/projects`);
    await page.getByLabel('Theme').waitFor();
    await eventually(async () => expect(await background()).toBe(DARK));
    await expectAccessible(page, 'projects, dark');
    await page.goto(`${api.base}/runs/${runIds[0]}`);
    await page.waitForFunction(() => Number(document.querySelector('figure.chart-card canvas')?.getAttribute('data-drawn-points')) > 0);
    await eventually(async () => expect(await background()).toBe(DARK));
    // The charts draw with the dark palette too: grid lines and tick labels.
    await eventually(async () => expect(await page.locator('figure.chart-card canvas').first().getAttribute('data-grid')).toBe('#2c3541'));
    await eventually(async () => expect(await page.locator('figure.chart-card canvas').first().getAttribute('data-text')).toBe('#a4aebc'));
    await expectAccessible(page, 'run page, dark');

    // The reader's choice wins over the OS, and survives a reload.
    await page.getByLabel('Theme').selectOption('light');
    await eventually(async () => expect(await background()).toBe(LIGHT));
    await page.reload();
    await page.getByLabel('Theme').waitFor();
    await eventually(async () => expect(await page.getByLabel('Theme').inputValue()).toBe('light'));
    await eventually(async () => expect(await background()).toBe(LIGHT));
    // Dark chosen under a light OS; then back to following the OS.
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByLabel('Theme').selectOption('dark');
    await eventually(async () => expect(await background()).toBe(DARK));
    await page.getByLabel('Theme').selectOption('system');
    await eventually(async () => expect(await background()).toBe(LIGHT));
    expect(errors).toEqual([]);
  }, 90000);

  it('writes every date one way: recent ones relative with the exact instant on hover, older ones absolute (issue 12)', async () => {
    await page.goto(`${api.base}/audit`);
    const firstTime = page
      .getByRole('table', { name: /Audit events/ })
      .locator('tbody time')
      .first();
    await eventually(async () => expect(await firstTime.textContent()).toMatch(/^(just now|\d+ min ago)$/));
    await eventually(async () =>
      expect(await firstTime.getAttribute('title')).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}:\d{2} UTC$/),
    );
    // The run started on 20 Nov 2026 09:00 UTC, more than a week before: absolute, same format.
    await page.goto(`${api.base}/runs/${runIds[0]}`);
    const started = page.locator('time[datetime="2026-11-20T09:00:00.000Z"]').first();
    await eventually(async () => expect(await started.textContent()).toBe('20 Nov 2026, 09:00'));
    await eventually(async () => expect(await started.getAttribute('title')).toBe('20 Nov 2026, 09:00:00 UTC'));
  }, 60000);

  it('would notice a violation: an inline script is blocked and reported', async () => {
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.body.appendChild(s);
    });
    // Waits for the report rather than a fixed time; once the script is blocked it can no longer run.
    await eventually(() => expect(violations.join('\n')).toMatch(/script-src/));
    await eventually(async () =>
      expect(await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan)).toBeUndefined(),
    );
  });
});
