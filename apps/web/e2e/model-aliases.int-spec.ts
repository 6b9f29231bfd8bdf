/**
 * A model's aliases in a real browser against the real API (issue 14, per-alias permissions): a
 * researcher points `champion` at a version; the PI protects it so only a PI may move it; the
 * researcher then sees who may move it and is refused, in the API's words, when trying; the PI
 * moves it. Fails on any console error, page error, or serious/critical axe violation.
 */
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
  type User,
  type WebApi,
} from './harness';

describe('model aliases and who may move them (browser, real API)', () => {
  let web: WebApi;
  let browser: Browser;
  let researcher: User;
  let pi: User;
  const onProblem = failOnPageProblems();
  const modelUrl = '/models/aliases-e2e/hip-fracture';

  async function signedIn(user: User): Promise<Page> {
    const page = await openPage(browser, onProblem);
    await signIn(page, web.api.base, user, modelUrl);
    return page;
  }

  async function mlflow(path: string, body: unknown): Promise<void> {
    const res = await fetch(`${web.api.base}/api/2.0/mlflow/${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${researcher.username}:${researcher.password}`).toString('base64')}`,
      },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  }

  const rows = async (page: Page) =>
    (await page.getByRole('table', { name: 'Aliases' }).getByRole('row').allInnerTexts())
      .slice(1)
      .map((t) => t.replace(/\s+/g, ' ').trim());

  beforeAll(async () => {
    web = await startWebApi();
    [researcher, pi] = (await newProjectWith(web, 'aliases-e2e', ['RESEARCHER', 'PI'])).members;
    await mlflow('registered-models/create', { name: 'hip-fracture' });
    for (const v of [1, 2]) await mlflow('model-versions/create', { name: 'hip-fracture', source: `s3://models/hip-${v}.onnx` });
    browser = await launchChromium();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it('a researcher points champion at version 1', async () => {
    const page = await signedIn(researcher);
    const form = page.getByRole('form', { name: 'Point an alias' });
    await form.getByLabel('Alias').fill('champion');
    await form.getByLabel('Version').selectOption('1');
    await form.getByRole('button', { name: 'Point alias' }).click();
    await eventually(async () => expect(await rows(page)).toEqual([expect.stringMatching(/^champion version 1 anyone who may register/)]));
    await expectAccessible(page, 'model aliases');
  }, 60_000);

  it('the PI protects champion; the researcher is told who may move it and refused; the PI moves it', async () => {
    const piPage = await signedIn(pi);
    await piPage.getByRole('button', { name: 'Who may move champion…' }).click();
    const rule = piPage.getByRole('form', { name: 'Who may move champion' });
    await rule.getByRole('checkbox', { name: /^PI/ }).check();
    await rule.getByRole('button', { name: 'Save rule' }).click();
    await eventually(async () => expect(await rows(piPage)).toEqual([expect.stringMatching(/^champion version 1 Protected: PI/)]));
    await expectAccessible(piPage, 'alias protected');

    const page = await signedIn(researcher);
    await eventually(async () => expect(await rows(page)).toEqual([expect.stringMatching(/^champion version 1 Protected: PI/)]));
    const form = page.getByRole('form', { name: 'Point an alias' });
    await form.getByLabel('Alias').fill('champion');
    await form.getByLabel('Version').selectOption('2');
    await form.getByRole('button', { name: 'Point alias' }).click();
    await page.getByText("Alias 'champion' of registered model 'hip-fracture' is protected: only pi may move it.").waitFor();
    await eventually(async () => expect(await rows(page)).toEqual([expect.stringMatching(/^champion version 1 /)]));

    const move = piPage.getByRole('form', { name: 'Point an alias' });
    await move.getByLabel('Alias').fill('champion');
    await move.getByLabel('Version').selectOption('2');
    await move.getByRole('button', { name: 'Point alias' }).click();
    await eventually(async () => expect(await rows(piPage)).toEqual([expect.stringMatching(/^champion version 2 Protected: PI/)]));
  }, 90_000);
});
