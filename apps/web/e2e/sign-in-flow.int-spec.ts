/**
 * The web app in a real browser against the real API: the built app is served by the API
 * (WEB_DIST_DIR) on a fresh test database, Redis and a local S3 server. It walks sign-in,
 * project creation, user creation, membership, an API token and the audit log, and fails on
 * any console error, page error, or serious/critical accessibility violation (axe) on any page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { type Browser, type ConsoleMessage, type Page, type Route } from 'playwright-core';
// The browser test drives the real server, so it sets up server-side test infrastructure.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestDatabase, type TestDatabase } from '@caliper/persistence/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startTestObjectStore, type TestObjectStore } from '@caliper/storage/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { freePort, waitUntilLive } from '../../../tools/testing/processes';
import { eventually, expectAccessible, repoRoot, webBuild, launchChromium } from './harness';

const LOGIN_MAX_FAILURES = 3;

function startApi(env: Record<string, string>): { proc: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = '';
  const proc = spawn(process.execPath, ['-r', path.join(repoRoot, 'tools/register.js'), path.join(repoRoot, 'apps/api/src/main.ts')], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

describe('web app sign-in flow in Chromium (real API, PostgreSQL, Redis, S3)', () => {
  const adminPassword = `e2e-${randomBytes(16).toString('hex')}`;
  const member = {
    username: `ana.ruiz-${randomBytes(3).toString('hex')}`,
    displayName: 'Dr Ana Ruiz',
    password: `pw-${randomBytes(12).toString('hex')}`,
  };
  const project = { name: 'Liver segmentation (e2e)', slug: 'liver-segmentation-e2e' };
  let outDir: string;
  let db: TestDatabase;
  let objects: TestObjectStore;
  let api: ReturnType<typeof startApi>;
  let base: string;
  let browser: Browser;
  let page: Page;
  /** Console errors and page errors seen during the current test, minus the ones it expects. */
  let problems: string[] = [];
  let expectedConsoleError: ((msg: ConsoleMessage) => boolean) | null = null;

  beforeAll(async () => {
    [db, objects, outDir] = await Promise.all([createTestDatabase(), startTestObjectStore(), webBuild()]);
    await objects.store.ensureBucket('caliper-audit');
    await objects.store.ensureBucket('caliper-artifacts');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = startApi({
      ...objects.config,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      API_PORT: String(port),
      DATABASE_URL: db.appUrl,
      WEB_DIST_DIR: outDir,
      BOOTSTRAP_ADMIN_USERNAME: 'admin',
      BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
      LOGIN_MAX_FAILURES: String(LOGIN_MAX_FAILURES),
      // Its own namespace for login limits: other test files' failed sign-ins from 127.0.0.1 must not lock this one out.
      REDIS_PREFIX: `e2e-${process.pid}`,
    });
    await waitUntilLive(base, api.proc, api.output);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    page = await context.newPage();
    page.setDefaultTimeout(15000);
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      if (expectedConsoleError?.(msg)) return;
      problems.push(`console error: ${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  }, 180000);

  afterAll(async () => {
    await browser?.close();
    if (api) {
      api.proc.kill('SIGTERM');
      await api.exited;
    }
    await objects?.close();
    await db?.drop();
  });

  beforeEach(() => {
    problems = [];
    expectedConsoleError = null;
  });
  afterEach(() => {
    expect(problems).toEqual([]);
  });

  /** Chromium logs every 4xx response as a console error; a refused sign-in is expected in these tests. */
  const refusedSignIn = (msg: ConsoleMessage) =>
    /status of (401|429)/.test(msg.text()) && msg.location().url.endsWith('/api/v1/auth/login');

  it('sends a visitor without a session to sign-in, and shows the server message for a wrong password', async () => {
    expectedConsoleError = refusedSignIn;
    await page.goto(`${base}/projects`);
    await page.waitForURL(/\/sign-in\?next=%2Fprojects$/);
    await eventually(async () => expect(await page.getByRole('heading', { level: 1, name: 'Sign in' }).isVisible()).toBe(true));
    await expectAccessible(page, 'sign-in');

    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect(response.status()).toBe(401);
    const { message } = (await response.json()) as { message: string };
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await eventually(async () => expect(await alert.textContent()).toContain(message));
    await eventually(() => expect(page.url()).toContain('/sign-in'));
    await expectAccessible(page, 'sign-in with error');
  }, 60000);

  it('shows the lockout message and the Retry-After wait after too many failures', async () => {
    expectedConsoleError = refusedSignIn;
    const stranger = `nobody-${randomBytes(4).toString('hex')}`;
    let last = 0;
    for (let i = 0; i <= LOGIN_MAX_FAILURES; i++) {
      await page.getByLabel('Username').fill(stranger);
      await page.getByLabel('Password').fill('wrong-password');
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      last = response.status();
      if (last === 429) {
        expect(Number(response.headers()['retry-after'])).toBeGreaterThan(0);
        const { message } = (await response.json()) as { message: string };
        await page.getByRole('alert').filter({ hasText: message }).waitFor();
        break;
      }
    }
    expect(last).toBe(429);
    await eventually(async () => {
      const alertText = (await page.getByRole('alert').textContent()) ?? '';
      expect(alertText).toMatch(/You can try again in \d+ (min|s)/);
    });
    await eventually(async () => expect(await page.getByRole('button', { name: 'Sign in' }).isDisabled()).toBe(true));
  }, 60000);

  it('signs in as the admin and lands on the projects page', async () => {
    await page.goto(`${base}/sign-in?next=%2Fprojects`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/projects`);
    await page.getByRole('heading', { level: 1, name: 'Projects' }).waitFor();
    await eventually(async () => expect(await page.locator('.topbar').textContent()).toContain('admin'));
    await page.getByText('No projects yet').waitFor();
    await page.keyboard.press('Tab');
    await eventually(async () => expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to main content'));
    await page.keyboard.press('Enter');
    await eventually(async () => expect(await page.evaluate(() => document.activeElement?.id)).toBe('main'));
    for (const item of ['Projects', 'Runs', 'Models', 'Datasets', 'Audit', 'Admin']) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: item, exact: true }).waitFor();
    }
    await expectAccessible(page, 'projects (empty)');
  }, 60000);

  it('shows the models and datasets pages, empty before any project', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Models', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Models' }).waitFor();
    await page.getByText('Models belong to a project.', { exact: false }).waitFor();
    await page.getByText('Not available yet').waitFor({ state: 'detached' });
    await expectAccessible(page, 'models');
    await nav.getByRole('link', { name: 'Datasets', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Datasets' }).waitFor();
    await page.getByText('Not available yet').waitFor({ state: 'detached' });
    await expectAccessible(page, 'datasets');
  }, 60000);

  it('creates a project', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects', exact: true }).click();
    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByLabel('Name', { exact: true }).fill(project.name);
    await eventually(async () => expect(await page.getByLabel('Short name (slug)').inputValue()).toBe(project.slug));
    await page.getByLabel('Description').fill('Segments the liver for transplant planning.');
    await expectAccessible(page, 'new project form');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL(`${base}/projects/${project.slug}`);
    await page.getByRole('heading', { level: 1, name: project.name }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Members' }).waitFor();
    await expectAccessible(page, 'project page');
  }, 60000);

  it('creates a user on the Admin page', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Admin' }).waitFor();
    await page.getByRole('button', { name: 'New user' }).click();
    await page.getByLabel('Username').fill(member.username);
    await page.getByLabel('Display name').fill(member.displayName);
    await page.getByLabel('Initial password').fill(member.password);
    await page.getByRole('button', { name: 'Create user' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `The account ${member.username} was created` })
      .waitFor();
    await page.getByRole('row').filter({ hasText: member.displayName }).waitFor();
    await expectAccessible(page, 'admin');
  }, 60000);

  it('adds the user to the project with roles and changes the roles', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects', exact: true }).click();
    await page.getByRole('link', { name: project.name }).click();
    await page.getByRole('heading', { level: 1, name: project.name }).waitFor();

    const addForm = page.getByRole('form', { name: 'Add a member' });
    await addForm.getByLabel('Username').fill(member.username);
    await addForm.getByRole('checkbox', { name: /^PI/ }).check();
    await addForm.getByRole('button', { name: 'Add member' }).click();
    const row = page.getByRole('row').filter({ hasText: member.displayName });
    await row.waitFor();
    await eventually(async () => expect(await row.getByRole('listitem').allTextContents()).toEqual(['Researcher', 'PI']));

    await row.getByRole('button', { name: `Change roles of ${member.displayName}` }).click();
    await row.getByRole('checkbox', { name: /^PI/ }).uncheck();
    await row.getByRole('checkbox', { name: /^QA/ }).check();
    await expectAccessible(page, 'project page, editing roles');
    // The saved roles show from the mutation's own answer, not only once the refetched project
    // arrives: hold every Project query back until they are on screen.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let heldProjectQueries = 0;
    const holdProjectQueries = async (route: Route) => {
      if ((route.request().postDataJSON() as { operationName?: string } | null)?.operationName === 'Project') {
        heldProjectQueries++;
        await released;
      }
      await route.fallback();
    };
    await page.route('**/graphql', holdProjectQueries);
    const refetched = page.waitForResponse((r) => r.url().endsWith('/graphql') && r.request().postDataJSON()?.operationName === 'Project');
    try {
      await row.getByRole('button', { name: 'Save roles' }).click();
      await row.getByRole('button', { name: `Change roles of ${member.displayName}` }).waitFor();
      await eventually(async () => expect(await row.getByRole('listitem').allTextContents()).toEqual(['Researcher', 'QA']), 5000);
      await eventually(() => expect(heldProjectQueries).toBeGreaterThan(0), 5000); // the refetch was sent, and is still held
    } finally {
      release();
      await page.unroute('**/graphql', holdProjectQueries);
    }
    // And the refetched project, once let through, agrees.
    await refetched;
    await eventually(async () => expect(await row.getByRole('listitem').allTextContents()).toEqual(['Researcher', 'QA']));
  }, 60000);

  it('shows project.created and member.added in the audit log with an intact chain', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await page.getByText('Chain intact').waitFor();
    const events = page.getByRole('table', { name: /Audit events/ });
    await events.waitFor();
    for (const action of ['auth.login', 'project.created', 'user.created', 'member.added', 'member.roles_changed']) {
      await events
        .locator('code.action', { hasText: new RegExp(`^${action.replace('.', '\\.')}$`) })
        .first()
        .waitFor();
    }
    await expectAccessible(page, 'audit log');

    await page.getByLabel('Action').fill('member.');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/action=member\./);
    await events.locator('code.action', { hasText: 'project.created' }).waitFor({ state: 'detached' });
    await events.locator('code.action', { hasText: /^member\.added$/ }).waitFor();
    await eventually(async () =>
      expect((await events.locator('code.action').allTextContents()).sort()).toEqual(['member.added', 'member.roles_changed']),
    );

    const added = page.getByRole('row').filter({ has: page.locator('code.action', { hasText: /^member\.added$/ }) });
    await added.getByRole('button', { name: /Details/ }).click();
    const diff = page.getByRole('table', { name: /Changes/ });
    await diff.waitFor();
    await eventually(async () => expect(await diff.textContent()).toContain('added'));
    await expectAccessible(page, 'audit log, event details');
  }, 60000);

  it('signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}/sign-in`);
    await page.getByText('You have signed out.').waitFor();
    await page.goto(`${base}/audit`);
    await page.waitForURL(/\/sign-in\?next=%2Faudit$/);
    await expectAccessible(page, 'sign-in after sign-out');
  }, 60000);

  it('lets the new member sign in, create an API token shown once, and read the project audit log', async () => {
    await page.getByLabel('Username').fill(member.username);
    await page.getByLabel('Password').fill(member.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/audit`);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Audit', exact: true }).waitFor();
    await eventually(async () => expect(await nav.getByRole('link', { name: 'Admin', exact: true }).count()).toBe(0));

    await nav.getByRole('link', { name: 'Projects', exact: true }).click();
    await page.getByRole('link', { name: project.name }).click();
    await page.getByRole('heading', { level: 1, name: project.name }).waitFor();
    await eventually(async () => expect(await page.getByRole('form', { name: 'Add a member' }).count()).toBe(0));

    const tokenForm = page.getByRole('form', { name: 'Create a token' });
    await tokenForm.getByLabel('Name', { exact: true }).fill('slurm training jobs');
    await tokenForm.getByRole('button', { name: 'Create token' }).click();
    const reveal = page.getByRole('region', { name: /Copy the token/ });
    await reveal.waitFor();
    const token = await eventually(async () => {
      const value = await reveal.getByLabel('New API token').inputValue();
      expect(value).toMatch(/^clp_/);
      return value;
    });
    await reveal.getByRole('button', { name: 'Copy token' }).click();
    await reveal.getByRole('button', { name: 'Copied' }).waitFor();
    await eventually(async () => expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token));
    await expectAccessible(page, 'project page, token shown once');
    await reveal.getByRole('button', { name: 'I have stored the token' }).click();
    await reveal.waitFor({ state: 'detached' });
    await eventually(async () => expect(await page.locator('input[value^="clp_"]').count()).toBe(0));
    const tokenRow = page.getByRole('row').filter({ hasText: 'slurm training jobs' });
    await tokenRow.getByText('Active').waitFor();
    await eventually(async () => expect(await tokenRow.textContent()).toContain('Never'));

    await nav.getByRole('link', { name: 'Audit', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await eventually(async () => expect(await page.getByLabel('Project').inputValue()).not.toBe(''));
    await page
      .getByRole('table', { name: /Audit events/ })
      .locator('code.action', { hasText: /^token\.created$/ })
      .waitFor();
    await expectAccessible(page, 'audit log, project scope');
  }, 60000);

  it('lets the admin deactivate the member with a reason', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}/sign-in`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/projects`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin', exact: true }).click();
    await page.getByRole('button', { name: `Deactivate ${member.username}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Deactivate user' });
    await dialog.getByLabel('Reason').fill('Left the liver transplant study.');
    await expectAccessible(page, 'admin, deactivate dialog');
    await dialog.getByRole('button', { name: 'Deactivate user' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('row').filter({ hasText: member.displayName }).getByText('Deactivated').waitFor();
  }, 60000);

  it('lets the admin reactivate the member, grant a global role and set a new password they can sign in with', async () => {
    await page.getByRole('button', { name: `Reactivate ${member.username}` }).click();
    const reactivate = page.getByRole('dialog', { name: 'Reactivate user' });
    await reactivate.getByLabel('Reason').fill('Rejoined the study.');
    await reactivate.getByRole('button', { name: 'Reactivate user' }).click();
    await reactivate.waitFor({ state: 'hidden' });
    const row = page.getByRole('row').filter({ hasText: member.displayName });
    await row.getByText('Active').waitFor();

    await page.getByRole('button', { name: `Change the global role of ${member.username}` }).click();
    const roleDialog = page.getByRole('dialog', { name: 'Change global role' });
    await roleDialog.getByLabel('Global role').selectOption('AUDITOR');
    await roleDialog.getByLabel('Reason').fill('Quarterly audit.');
    await expectAccessible(page, 'admin, global role dialog');
    await roleDialog.getByRole('button', { name: 'Change global role' }).click();
    await roleDialog.waitFor({ state: 'hidden' });
    await row.getByText('Auditor').waitFor();

    await page.getByRole('button', { name: `Set a new password for ${member.username}` }).click();
    const passwordDialog = page.getByRole('dialog', { name: 'Set a new password' });
    await passwordDialog.getByLabel('New password').fill('a-brand-new-password-7');
    await passwordDialog.getByRole('button', { name: 'Set a new password' }).click();
    await passwordDialog.getByText('Password set').waitFor();
    await passwordDialog.getByRole('button', { name: 'Close' }).click();

    await eventually(async () => {
      const res = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: member.username, password: 'a-brand-new-password-7' }),
      });
      expect(res.status).toBe(200);
    });
  }, 60000);

  it('lets the member change their own password on the account page, re-entering the current one', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}/sign-in`);
    await page.getByLabel('Username').fill(member.username);
    await page.getByLabel('Password').fill('a-brand-new-password-7');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/projects`);
    await page.getByRole('link', { name: /Your account/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    await page.getByLabel('Current password').fill('not-the-current-one');
    await page.getByLabel('New password', { exact: true }).fill('my-own-password-42');
    await page.getByLabel('New password again').fill('my-own-password-42');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText(/current password is not correct/).waitFor();
    await page.getByLabel('Current password').fill('a-brand-new-password-7');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed').waitFor();
    await expectAccessible(page, 'account page');
    await eventually(async () => {
      const res = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: member.username, password: 'my-own-password-42' }),
      });
      expect(res.status).toBe(200);
    });
  }, 60000);
});
