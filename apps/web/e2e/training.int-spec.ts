/**
 * Launching training runs from the web (issue 15's must-show for the browser): the built app
 * served by an API booted in-process on a fresh test database, and the worker as its own process
 * with the local-process executor, so a launch runs a real job (apps/api/src/training/testing/
 * job-script.js logs `loss` = lr × 100 to its run with the token the worker passes). A researcher
 * opens Templates and the template, types a value out of bounds and sees the API's message, fixes
 * it, launches, watches the run finish on its page (job id, exit code 0, loss 2), opens it in
 * compare, and runs it again with changes from a form prefilled with its values; a second launch
 * that sleeps is cancelled from its page and ends killed. A third, which prints a line a second,
 * has its output followed live by its page's log while it runs, is in the project's training
 * queue with its state, and is cancelled from its row there (then listed as ended, killed). Fails
 * on any console error, page error, or serious/critical axe violation.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import {
  eventually,
  expectAccessible,
  failOnPageProblems,
  launchChromium,
  newProjectWith,
  openPage,
  repoRoot,
  signIn,
  startWebApi,
  startWorkerNextTo,
  type User,
  type WebApi,
  type WorkerProcess,
} from './harness';

const JOB_SCRIPT = path.join(repoRoot, 'apps/api/src/training/testing/job-script.js');
const CREATE = `mutation($i: CreateRunTemplateInput!) { createRunTemplate(input: $i) { id } }`;
/** The run page polls with backoff from 2 s; a job that ends at once is shown ended well within this. */
const RUN_SETTLES_MS = 45_000;

/** The element's text, its whitespace (a table's tabs and line breaks) made single spaces, matches `re` within `timeoutMs`. */
const expectText = (locator: Locator, re: RegExp, timeoutMs = 10_000) =>
  eventually(async () => expect((await locator.innerText()).replace(/\s+/g, ' ').trim()).toMatch(re), timeoutMs);
const expectValue = (locator: Locator, value: string) => eventually(async () => expect(await locator.inputValue()).toBe(value));
const expectAttribute = (locator: Locator, name: string, value: string | null) =>
  eventually(async () => expect(await locator.getAttribute(name)).toBe(value));
/** The value beside a term of a details list (`<dt>term</dt><dd>value</dd>`). */
const detail = (within: Locator, term: string) =>
  within.locator('div', { has: within.page().locator('dt', { hasText: term }) }).locator('dd');

describe('launching a training run from the web (Chromium, real API, worker process, local executor)', () => {
  const slug = 'training-e2e';
  let web: WebApi | undefined;
  let worker: WorkerProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let researcher: User;
  let templateId: string;
  let finishedRunId: string;
  const onProblem = failOnPageProblems();

  beforeAll(async () => {
    web = await startWebApi();
    const { projectId, members } = await newProjectWith(web, slug, ['RESEARCHER']);
    [researcher] = members;
    const auth = await web.harness.login(web.api, researcher.username, researcher.password);
    const created = (await web.harness.gqlOk(web.api, auth, CREATE, {
      i: {
        projectId,
        name: 'Smoke job',
        definition: {
          architecture: 'none (a node script)',
          description: 'Logs loss = lr × 100, sleeps, exits as told.',
          executor: 'LOCAL',
          resources: { gpus: 0, cpus: 1, memoryGb: 1, wallTimeMinutes: 10 },
          parameters: [
            { name: 'exit_code', type: 'INT', default: '0', min: 0, max: 255 },
            { name: 'sleep', type: 'INT', default: '0', min: 0, max: 120 },
            { name: 'lr', type: 'FLOAT', default: '0.001', min: 0, max: 1 },
          ],
          command: [process.execPath, JOB_SCRIPT, '{exit_code}', '{sleep}', '{lr}'],
        },
      },
    })) as { createRunTemplate: { id: string } };
    templateId = created.createRunTemplate.id;
    const workDir = mkdtempSync(path.join(tmpdir(), 'caliper-training-e2e-'));
    [worker, browser] = await Promise.all([
      startWorkerNextTo(web.api, {
        TRAINING_TRACKING_URL: web.api.base,
        TRAINING_SYNC_INTERVAL_MS: '300',
        TRAINING_WORK_DIR: workDir,
      }),
      launchChromium(),
    ]);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await web?.close();
  });

  beforeEach(async () => {
    page = await openPage(browser!, onProblem);
  });

  afterEach(async () => {
    await page.context().close();
  });

  /** Fails with the worker's output besides the assertion's, for a run that does not get there. */
  async function withWorkerOutput(assertion: () => Promise<void>): Promise<void> {
    try {
      await assertion();
    } catch (err) {
      throw new Error(`${(err as Error).message}\nworker output:\n${worker?.output() ?? ''}`);
    }
  }

  it('launches from the template form, watches the run finish, opens it in compare, and runs it again with changes', async () => {
    const base = web!.api.base;
    await signIn(page, base, researcher, '/projects');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
    await page.waitForURL(`${base}/templates`);
    const templates = page.getByRole('table', { name: `Run templates of Project ${slug}` });
    await expectText(
      templates.getByRole('row', { name: /Smoke job/ }),
      /^Smoke job Version 1 Local process none \(a node script\) None None \(from scratch\)$/,
    );
    await expectAccessible(page, 'templates');

    await page.getByRole('link', { name: 'Smoke job' }).click();
    await page.waitForURL(`${base}/templates/${templateId}`);
    await page.getByRole('heading', { level: 1, name: 'Smoke job' }).waitFor();
    const parameters = page.getByRole('table', { name: 'Parameters of version 1' });
    await expectText(parameters.getByRole('row', { name: /^lr/ }), /^lr float 0\.001 0 to 1/);
    const form = page.getByRole('form', { name: 'Launch a run from Smoke job' });
    const lr = form.getByRole('spinbutton', { name: 'lr' });
    await expectValue(lr, '0.001');
    await expectValue(form.getByRole('spinbutton', { name: 'exit_code' }), '0');
    const preview = form.getByLabel('Command the run will execute');
    await expectText(preview, new RegExp(`job-script\\.js 0 0 0\\.001$`));

    await lr.fill('2');
    await form.getByText('lr: 2 is above the maximum 1').waitFor();
    await expectAttribute(lr, 'aria-invalid', 'true');
    await expectAttribute(form.getByRole('spinbutton', { name: 'sleep' }), 'aria-invalid', null);
    await expectAccessible(page, 'template with a bad value');

    await lr.fill('0.02');
    await expectText(preview, /job-script\.js 0 0 0\.02$/);
    await expectAttribute(lr, 'aria-invalid', null);
    await form.getByRole('textbox', { name: 'Run name' }).fill('web launch 1');
    await expectAccessible(page, 'template');
    await form.getByRole('button', { name: 'Launch' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f]{32}$/);
    finishedRunId = new URL(page.url()).pathname.split('/').pop()!;
    await page.getByRole('heading', { level: 1, name: 'web launch 1' }).waitFor();

    const execution = page.getByRole('region', { name: 'Execution' });
    await withWorkerOutput(async () => {
      await page.locator('.page-header .status-chip', { hasText: 'Finished' }).waitFor({ timeout: RUN_SETTLES_MS });
      await expectText(detail(execution, 'Exit code'), /^0$/, RUN_SETTLES_MS);
    });
    await expectText(detail(execution, 'Process id'), /^[1-9]\d*$/);
    await expectText(detail(execution, 'Executor'), /^Local process$/);
    await expectText(detail(execution, 'Scheduler says'), /^exited with code 0$/);
    await expectText(execution.getByLabel("End of the job's output"), /own run: 200/);
    await expectText(
      page.getByRole('region', { name: 'Metrics', exact: true }).getByRole('row', { name: /^loss/ }),
      /^loss 2 /,
      RUN_SETTLES_MS,
    );
    await expectText(page.getByRole('region', { name: 'Parameters', exact: true }), /lr 0\.02/);
    await expectAccessible(page, 'launched run, finished');

    await page.goto(`${base}/projects/${slug}/compare?runs=${finishedRunId}`);
    await expectText(
      page.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'web launch 1', exact: true }) }),
      /^web launch 1 Finished · Smoke job$/,
    );
    await page.locator('figure[data-metric="loss"]').waitFor();
    await expectAccessible(page, 'compare with the launched run');

    await page.goto(`${base}/runs/${finishedRunId}`);
    await page.getByRole('region', { name: 'Execution' }).getByRole('link', { name: 'Run again with changes' }).click();
    await page.waitForURL(new RegExp(`/templates/${templateId}\\?version=`));
    const again = page.getByRole('form', { name: 'Launch a run from Smoke job' });
    await expectValue(again.getByRole('spinbutton', { name: 'lr' }), '0.02');
    await expectText(again.getByLabel('Command the run will execute'), /job-script\.js 0 0 0\.02$/);
  }, 180_000);

  it('cancels a launched run from its page: confirmed, the job stopped, the run killed', async () => {
    const base = web!.api.base;
    await signIn(page, base, researcher, `/templates/${templateId}`);
    const form = page.getByRole('form', { name: 'Launch a run from Smoke job' });
    await form.getByRole('spinbutton', { name: 'sleep' }).fill('60');
    await expectText(form.getByLabel('Command the run will execute'), /job-script\.js 0 60 0\.001$/);
    await form.getByRole('textbox', { name: 'Run name' }).fill('web launch 2');
    await form.getByRole('button', { name: 'Launch' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f]{32}$/);
    await page.getByRole('heading', { level: 1, name: 'web launch 2' }).waitFor();

    const execution = page.getByRole('region', { name: 'Execution' });
    await withWorkerOutput(async () => {
      await page.locator('.page-header .status-chip', { hasText: 'Running' }).waitFor({ timeout: RUN_SETTLES_MS });
      await expectText(detail(execution, 'Process id'), /^[1-9]\d*$/, RUN_SETTLES_MS);
    });
    await execution.getByRole('button', { name: 'Cancel run' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this run?' });
    await expectAccessible(page, 'cancel dialog');
    await dialog.getByRole('button', { name: 'Yes, cancel the run' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await withWorkerOutput(async () => {
      await page.locator('.page-header .status-chip', { hasText: 'Killed' }).waitFor({ timeout: RUN_SETTLES_MS });
    });
    await execution.getByText('Cancel requested').waitFor();
    await execution.getByRole('button', { name: 'Cancel run' }).waitFor({ state: 'detached' });
  }, 120_000);

  it("follows a running launch's output on its page, shows it in the project's queue with its state, and cancels it from there", async () => {
    const base = web!.api.base;
    await signIn(page, base, researcher, `/templates/${templateId}`);
    const form = page.getByRole('form', { name: 'Launch a run from Smoke job' });
    await form.getByRole('spinbutton', { name: 'sleep' }).fill('60');
    await expectText(form.getByLabel('Command the run will execute'), /job-script\.js 0 60 0\.001$/);
    await form.getByRole('textbox', { name: 'Run name' }).fill('web launch 3');
    await form.getByRole('button', { name: 'Launch' }).click();
    await page.waitForURL(/\/runs\/[0-9a-f]{32}$/);
    const runUrl = page.url();
    await page.getByRole('heading', { level: 1, name: 'web launch 3' }).waitFor();

    // The run page's log follows the job while it runs: the lines it prints a second apart arrive one after the other.
    const logs = page.getByRole('region', { name: 'Logs', exact: true });
    const status = page.locator('.page-header .status-chip');
    await withWorkerOutput(() => logs.getByText('slept 1 of 60 s', { exact: true }).waitFor({ timeout: RUN_SETTLES_MS }));
    await expectText(status, /^Running$/);
    await logs.getByText('slept 2 of 60 s', { exact: true }).waitFor({ timeout: 15_000 });
    await expectText(logs, /job for run [0-9a-f]{32} with lr 0\.001.*own run: 200.*slept 1 of 60 s.*slept 2 of 60 s/);
    await expectText(status, /^Running$/);
    await logs.getByText('Following the log: new lines appear as they are written.').waitFor();

    // The queue, from the run's Execution section: the run with its state, executor, job id and what the executor says.
    await page
      .getByRole('region', { name: 'Execution' })
      .getByRole('link', { name: `Training queue of Project ${slug}` })
      .click();
    await page.waitForURL(`${base}/projects/${slug}/queue`);
    await page.getByRole('heading', { level: 1, name: 'Training queue' }).waitFor();
    const row = page
      .getByRole('table', { name: `Launched runs of Project ${slug} not ended yet` })
      .getByRole('row', { name: /web launch 3/ });
    await expectText(
      row,
      new RegExp(`^web launch 3 Running Smoke job v1 Local process (\\d+) process \\1 is running .+ by ${researcher.username} .+ Cancel$`),
    );
    await expectAccessible(page, 'training queue');

    // Cancelled from its row: out of the queue, killed among the runs that ended last.
    await row.getByRole('button', { name: 'Cancel web launch 3' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel web launch 3?' });
    await expectAccessible(page, 'cancel from the queue');
    await dialog.getByRole('button', { name: 'Yes, cancel the run' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const ended = page.getByRole('table', { name: `Launched runs of Project ${slug} that ended last` });
    await withWorkerOutput(() =>
      expectText(
        ended.getByRole('row', { name: /web launch 3/ }),
        /^web launch 3 Killed Smoke job v1 .* cancelled: ended by SIGTERM/,
        RUN_SETTLES_MS,
      ),
    );
    await row.waitFor({ state: 'detached' });
    await expectText(page.getByRole('heading', { level: 2, name: /^Not ended/ }), /^Not ended \(0\)$/);

    // Its page: killed, the output it wrote kept in its log, no longer followed.
    await page.goto(runUrl);
    await expectText(status, /^Killed$/);
    await expectText(logs, /own run: 200.*slept 2 of 60 s/);
    await logs.getByText('Following the log: new lines appear as they are written.').waitFor({ state: 'detached' });
    await expectAccessible(page, 'killed run with its log');
  }, 180_000);
});
