/**
 * Onboarding in a real browser against the real API (issue 12): an admin creating a project leads
 * it as PI unless they pick someone else from the suggestions; adding a member picks an existing
 * account as one types (by display name or username; members already in are not offered); a new
 * API token is shown with ready-to-paste set-ups for the MLflow client, the Python client and the
 * CLI, with this server's address — and each set-up, run as pasted, works. Fails on any console
 * error, page error, or serious/critical axe violation.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Browser, type Page } from 'playwright-core';
import {
  eventually,
  expectAccessible,
  loadHarness,
  repoRoot,
  webBuild,
  type Auth,
  type Harness,
  type TestApi,
  launchChromium,
} from './harness';

const run = promisify(execFile);

describe('onboarding in Chromium (real API, PostgreSQL)', () => {
  const tag = String(process.pid);
  const marta = { username: `marta.kowalska-${tag}`, displayName: 'Dr Marta Kowalska' };
  const marek = { username: `marek.nowak-${tag}`, displayName: 'Marek Nowak' };
  const anna = { username: `anna.k-${tag}`, displayName: 'Anna Kowalczyk' };
  let outDir: string;
  let api: TestApi;
  let harness: Harness;
  let admin: Auth;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];

  const membersTable = () => page.getByRole('table', { name: /Members of/ });
  /** The suggestions of the one picker on the page. */
  const options = (_field: string) => page.getByRole('listbox', { name: 'Matching accounts' }).getByRole('option');

  beforeAll(async () => {
    [harness, outDir] = await Promise.all([loadHarness(), webBuild()]);
    api = await harness.startTestApi({ WEB_DIST_DIR: outDir });
    admin = await harness.login(api, harness.ADMIN.username, harness.ADMIN.password);
    for (const u of [marta, marek, anna])
      await harness.gqlOk(api, admin, `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
        i: { ...u, password: `password-of-${u.username}` },
      });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: api.base });
    page = await context.newPage();
    page.setDefaultTimeout(15000);
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    await page.goto(`${api.base}/sign-in?next=%2Fprojects`);
    await page.getByLabel('Username').fill(harness.ADMIN.username);
    await page.getByLabel('Password').fill(harness.ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Projects' }).waitFor();
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

  async function newProject(name: string, pi?: { type: string; pick: string }) {
    await page.goto(`${api.base}/projects`);
    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByLabel('Name', { exact: true }).fill(name);
    const piField = page.getByRole('combobox', { name: 'Principal investigator (PI)' });
    // The creator leads the project unless they pick someone else. Suggestions: display names containing it, by username.
    await eventually(async () => expect(await piField.inputValue()).toBe(harness.ADMIN.username));
    await page.getByText('You, unless you pick someone else.').waitFor();
    if (pi) {
      await piField.fill(pi.type);
      await eventually(async () =>
        expect(await options('Principal investigator (PI)').allTextContents()).toEqual([
          `${anna.displayName} ${anna.username}`,
          `${marta.displayName} ${marta.username}`,
        ]),
      );
      await expectAccessible(page, 'new project form, PI suggestions');
      await options('Principal investigator (PI)').filter({ hasText: pi.pick }).click();
      await eventually(async () => expect(await piField.inputValue()).toBe(marta.username));
      await eventually(async () => expect(await options('Principal investigator (PI)').count()).toBe(0));
    }
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
  }

  it('makes the admin who creates a project its PI, or the person they pick', async () => {
    await newProject('Kidney onboarding');
    await eventually(async () =>
      expect(
        await membersTable().getByRole('row').filter({ hasText: harness.ADMIN.username }).getByRole('listitem').allTextContents(),
      ).toEqual(['PI']),
    );
    await expectAccessible(page, 'project led by its creator');

    await newProject('Lung onboarding', { type: 'kowal', pick: marta.displayName });
    await eventually(async () => expect(await membersTable().getByRole('row').count()).toBe(2)); // header + Marta
    await eventually(async () =>
      expect(await membersTable().getByRole('row').filter({ hasText: marta.displayName }).getByRole('listitem').allTextContents()).toEqual([
        'PI',
      ]),
    );
    await eventually(async () => expect(await membersTable().getByRole('row').filter({ hasText: harness.ADMIN.username }).count()).toBe(0));
  }, 90000);

  it('adds a member picked from the existing accounts, by display name, with the keyboard', async () => {
    await page.goto(`${api.base}/projects/kidney-onboarding`);
    const form = page.getByRole('form', { name: 'Add a member' });
    const field = form.getByRole('combobox', { name: 'Username' });
    await field.fill('NOWAK');
    await eventually(async () => expect(await options('Username').allTextContents()).toEqual([`${marek.displayName} ${marek.username}`]));
    await eventually(async () => expect(await field.getAttribute('aria-expanded')).toBe('true'));
    await field.press('ArrowDown');
    await eventually(async () =>
      expect(await field.getAttribute('aria-activedescendant')).toBe(await options('Username').first().getAttribute('id')),
    );
    await expectAccessible(page, 'add member suggestions');
    await field.press('Enter'); // picks; does not submit
    await eventually(async () => expect(await field.inputValue()).toBe(marek.username));
    await eventually(async () => expect(await field.getAttribute('aria-expanded')).toBe('false'));
    await form.getByRole('button', { name: 'Add member' }).click();
    const row = membersTable().getByRole('row').filter({ hasText: marek.displayName });
    await eventually(async () => expect(await row.getByRole('listitem').allTextContents()).toEqual(['Researcher']));

    // Members are not offered again; others still are.
    await field.fill('marek');
    await field.fill('kowal');
    await eventually(async () =>
      expect(await options('Username').allTextContents()).toEqual([
        `${anna.displayName} ${anna.username}`,
        `${marta.displayName} ${marta.username}`,
      ]),
    );
    await field.fill('nowak');
    await eventually(async () => expect(await field.getAttribute('aria-expanded')).toBe('false'));
    await eventually(async () => expect(await options('Username').count()).toBe(0));
    await field.fill('');
  }, 60000);

  it('shows a new token with set-ups for MLflow, the Python client and the CLI that work as pasted', async () => {
    await page.goto(`${api.base}/projects/kidney-onboarding`);
    const tokenForm = page.getByRole('form', { name: 'Create a token' });
    await tokenForm.getByLabel('Name', { exact: true }).fill('workstation');
    await tokenForm.getByRole('button', { name: 'Create token' }).click();
    const reveal = page.getByRole('region', { name: /Copy the token/ });
    const token = await eventually(async () => {
      const value = await reveal.getByLabel('New API token').inputValue();
      expect(value).toMatch(/^clp_[0-9a-f]{16}_[0-9a-f]{64}$/);
      return value;
    });
    const snippet = (name: string) => reveal.getByRole('region', { name }).locator('pre');
    const mlflow = `export MLFLOW_TRACKING_URI=${api.base}\nexport MLFLOW_TRACKING_TOKEN=${token}`;
    const python = [
      `export CALIPER_URL=${api.base}`,
      `export CALIPER_TOKEN=${token}`,
      `python3 - <<'PY'`,
      'import caliper_client  # tools/python/caliper_client.py',
      'run = caliper_client.start_run("kidney-onboarding", experiment="first-steps")',
      'run.log_metric("loss", 0.5, 0)',
      'run.finish()',
      'PY',
    ].join('\n');
    const cli = [
      `export CALIPER_URL=${api.base}`,
      `export CALIPER_TOKEN=${token}`,
      'printenv CALIPER_TOKEN | caliper login --url "$CALIPER_URL" --token -',
      'caliper runs ls kidney-onboarding',
    ].join('\n');
    await eventually(async () => expect(await snippet('MLflow client (mlflow, MONAI)').textContent()).toBe(mlflow));
    await eventually(async () => expect(await snippet('Caliper Python client').textContent()).toBe(python));
    await eventually(async () => expect(await snippet('Caliper CLI').textContent()).toBe(cli));
    await reveal.getByRole('button', { name: 'Copy CLI set-up' }).click();
    await eventually(async () => expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(cli));
    await expectAccessible(page, 'token shown with its set-ups');

    // As pasted: the MLflow settings reach the MLflow API as the token's project.
    const sh = async (script: string, env: Record<string, string> = {}) =>
      run('bash', ['-euo', 'pipefail', '-c', script], { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 60_000 });
    const mlflowCheck = await sh(
      `${mlflow}\ncurl -sf -H "Authorization: Bearer $MLFLOW_TRACKING_TOKEN" "$MLFLOW_TRACKING_URI/api/2.0/mlflow/experiments/get-by-name?experiment_name=Default"`,
    );
    expect(JSON.parse(mlflowCheck.stdout)).toMatchObject({ experiment: { name: 'Default', lifecycle_stage: 'active' } });
    // The Python client logs a run; the CLI (as `caliper`, in a fresh home) logs in and lists it.
    await sh(python, { PYTHONPATH: path.join(repoRoot, 'tools/python') });
    const home = mkdtempSync(path.join(tmpdir(), 'caliper-onboarding-home-'));
    try {
      const listed = await sh(`caliper() { node ${path.join(repoRoot, 'tools/cli/bin.js')} "$@"; }\n${cli}`, {
        HOME: home,
        XDG_CONFIG_HOME: path.join(home, '.config'),
        CALIPER_DATA_DIR: path.join(home, 'no-launcher'),
      });
      const lines = listed.stdout.trim().split('\n');
      expect(lines[0]).toBe(
        `logged in to ${api.base} as ${harness.ADMIN.username}; credentials saved in ${path.join(home, '.config/caliper/credentials.json')}`,
      );
      expect(lines[1]).toMatch(/^RUN ID\s+NAME\s+STATUS\s+STARTED\s+METRICS$/);
      expect(lines.slice(2)).toEqual([
        expect.stringMatching(/^[0-9a-f]{32}\s+\S+\s+finished\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+loss=0\.5$/),
      ]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 120000);
});
