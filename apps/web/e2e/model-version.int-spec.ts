/**
 * The model version page in a real browser against the real API (PostgreSQL, S3, Redis): a
 * researcher goes from the model page to a version, sees what the card lacks, fills it ("Fill from
 * run" drafts the metrics from the source run), saves, sees the missing sections go away and the
 * card read back, and downloads the Markdown export; once the card is signed (locked_at set as the
 * signing flow would) the page says so and offers no editing; a viewer reads the card without the
 * form. Fails on any console error, page error, or serious/critical axe violation.
 */
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import type { Browser, Page } from 'playwright-core';
import {
  eventually,
  expectAccessible,
  failOnPageProblems,
  launchChromium,
  newProjectWith,
  openPage,
  signIn,
  startWebApi,
  type TestApi,
  type User,
  type WebApi,
} from './harness';

type ApiWithDb = TestApi & { db: { ownerUrl: string } };

describe('model version page: the model card (browser, real API)', () => {
  let web: WebApi<ApiWithDb>;
  let api: ApiWithDb;
  let browser: Browser;
  let researcher: User;
  let viewer: User;
  let runId: string;
  const onProblem = failOnPageProblems();
  const versionUrl = '/models/cards-e2e/brain-seg/1';

  async function signedIn(user: User, next: string): Promise<Page> {
    const page = await openPage(browser, onProblem);
    await signIn(page, api.base, user, next);
    return page;
  }

  async function mlflow(path: string, body: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${api.base}/api/2.0/mlflow/${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${researcher.username}:${researcher.password}`).toString('base64')}`,
      },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  }

  beforeAll(async () => {
    web = await startWebApi<ApiWithDb>();
    api = web.api;
    [researcher, viewer] = (await newProjectWith(web, 'cards-e2e', ['RESEARCHER', 'VIEWER'])).members;
    const { experiment_id: experimentId } = (await mlflow('experiments/create', { name: 'cards-e2e/unet' })) as { experiment_id: string };
    runId = ((await mlflow('runs/create', { experiment_id: experimentId })) as { run: { info: { run_id: string } } }).run.info.run_id;
    await mlflow('runs/log-batch', {
      run_id: runId,
      metrics: [
        { key: 'val_dice', value: 0.88, timestamp: 1, step: 1 },
        { key: 'val_dice', value: 0.91, timestamp: 2, step: 2 },
      ],
    });
    await mlflow('registered-models/create', { name: 'brain-seg' });
    await mlflow('model-versions/create', { name: 'brain-seg', source: 's3://models/brain-seg/model.onnx', run_id: runId });
    browser = await launchChromium();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it('a researcher fills the card from the run, saves it, sees nothing missing and downloads the Markdown', async () => {
    const page = await signedIn(researcher, '/models/cards-e2e/brain-seg');
    await page.getByRole('link', { name: 'Version 1' }).click();
    await page.waitForURL(`${api.base}${versionUrl}`);
    await page.getByRole('heading', { name: 'brain-seg version 1' }).waitFor();
    const card = page.getByRole('region', { name: 'Model card' });
    const missing = card.getByRole('list', { name: 'Missing sections' });
    await eventually(async () =>
      expect((await missing.getByRole('listitem').allTextContents()).map((t) => t.trim())).toEqual([
        'intended use',
        'out-of-scope use',
        'training data',
        'metrics',
        'limitations',
      ]),
    );
    await eventually(async () => expect(await page.getByRole('link', { name: runId }).getAttribute('href')).toBe(`/runs/${runId}`));
    await expectAccessible(page, 'version page with an unwritten card');

    await card.getByRole('button', { name: 'Edit card' }).click();
    const form = card.getByRole('form', { name: 'Model card' });
    await form.getByRole('button', { name: 'Fill from run' }).click();
    await form.getByText('Filled from the run and the previous version.').waitFor();
    await eventually(async () => {
      expect(await form.getByLabel('Metric 1 name').inputValue()).toBe('val_dice');
      expect(await form.getByLabel('Metric 1 value').inputValue()).toBe('0.91');
    });
    await form.getByLabel('Metric 1 threshold').fill('0.85');
    await form.getByLabel('Intended use').fill('Segment enhancing tumour on adult post-contrast T1 MRI, reviewed by a radiologist.');
    await form.getByLabel('Out-of-scope use').fill('Children; CT.');
    await form.getByLabel('Training data').fill('brain-ct v3');
    await form.getByLabel('Limitations').fill('Not validated after surgery.');
    await form.getByRole('button', { name: 'Add subgroup' }).click();
    await form.getByLabel('Subgroup 1', { exact: true }).fill('age >= 65');
    await form.getByLabel('Subgroup 1 metric').fill('dice');
    await form.getByLabel('Subgroup 1 value').fill('seventy');
    await form.getByRole('button', { name: 'Save card' }).click();
    // A value that is not a number is named under its field before anything is sent.
    await form.getByText('Must be a number.').waitFor();
    await eventually(async () => expect(await form.getByLabel('Subgroup 1 value').getAttribute('aria-invalid')).toBe('true'));
    await form.getByLabel('Subgroup 1 value').fill('0.87');
    await form.getByRole('button', { name: 'Save card' }).click();

    await card.getByText('The model card was saved.').waitFor();
    await card.getByText('The card is complete.').waitFor();
    await eventually(async () => expect(await missing.count()).toBe(0));
    const metrics = card.getByRole('table', { name: 'Metrics with thresholds' });
    await eventually(async () =>
      expect((await metrics.locator('tbody tr').first().locator('td').allTextContents()).map((t) => t.trim())).toEqual([
        'val_dice',
        '0.91',
        '0.85',
      ]),
    );
    await card.getByText(`by ${researcher.username}`, { exact: false }).waitFor();
    await expectAccessible(page, 'version page with a complete card');

    const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: 'Download Markdown' }).click()]);
    expect(download.suggestedFilename()).toBe('brain-seg-v1-model-card.md');
    const markdown = readFileSync((await download.path())!, 'utf8');
    expect(markdown).toContain('# Model card: brain-seg version 1');
    expect(markdown).toContain('| val_dice | 0.91 | 0.85 |');
    expect(markdown).toContain('| age >= 65 | dice | 0.87 |');
    await page.context().close();
  });

  it('a viewer reads the card without the form; a signed card says it is locked and cannot be edited', async () => {
    const page = await signedIn(viewer, versionUrl);
    const card = page.getByRole('region', { name: 'Model card' });
    await card.getByText('Not validated after surgery.').waitFor();
    await eventually(async () => expect(await card.getByRole('button', { name: 'Edit card' }).count()).toBe(0));
    await page.context().close();

    const owner = new Client({ connectionString: api.db.ownerUrl });
    await owner.connect();
    try {
      await owner.query(
        `UPDATE model_cards SET locked_at = now() WHERE model_version_id =
           (SELECT v.id FROM model_versions v JOIN registered_models m ON m.id = v.registered_model_id WHERE m.name = 'brain-seg' AND v.version = 1)`,
      );
    } finally {
      await owner.end();
    }
    const signedPage = await signedIn(researcher, versionUrl);
    const lockedCard = signedPage.getByRole('region', { name: 'Model card' });
    await lockedCard.getByText('Signed — locked').waitFor();
    await lockedCard.getByText('Not validated after surgery.').waitFor();
    await eventually(async () => expect(await lockedCard.getByRole('button', { name: 'Edit card' }).count()).toBe(0));
    await expectAccessible(signedPage, 'version page with a signed card');
    await signedPage.context().close();
  });
});
