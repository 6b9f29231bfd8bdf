/**
 * The Models pages in a real browser against the real API (PostgreSQL, S3, Redis) and the worker
 * as its own process (outbox relay, BullMQ, onnxruntime-node), on the generated test models of
 * tools/models: a researcher registers a run's .onnx artifact through the form (a spec the server
 * refuses is shown under the field it names), sees the version pending, then, once the worker
 * runs, valid with its sha256, opset and input/output signature, without reloading; a truncated
 * file registered from the model page reads invalid with onnxruntime's reason; a viewer reads the
 * models without the register form. Fails on any console error, page error, or serious/critical
 * axe violation.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
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
  type TestApi,
  type User,
  type WebApi,
} from './harness';

/** The members of the API's test harness the worker needs: its database and object store. */
type ApiWithStores = TestApi & { db: { appUrl: string }; objects: { config: Record<string, string> } };

const modelBytes = (name: string) => readFileSync(path.join(repoRoot, 'tools/models/test-models', name));
const SEG = modelBytes('seg2d.onnx');
const SEG_SHA256 = createHash('sha256').update(SEG).digest('hex');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** The worker as `npm start` runs it, on the test API's database and store, with a Redis prefix of its own. */
async function startWorker(api: ApiWithStores): Promise<{ output: () => string; close: () => Promise<void> }> {
  const prefix = `test-models-web-${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const start = `require(${JSON.stringify(path.join(repoRoot, 'apps/worker/src/main.ts'))}).bootstrap({ queuePrefix: ${JSON.stringify(prefix)} }).catch((err) => { console.error(err); process.exit(1); })`;
  let out = '';
  const proc: ChildProcess = spawn(process.execPath, ['-r', path.join(repoRoot, 'tools/register.js'), '-e', start], {
    env: {
      ...process.env,
      ...api.objects.config,
      DATABASE_URL: api.db.appUrl,
      WORKER_PORT: String(port),
      REDIS_PREFIX: prefix,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout?.on('data', (d) => (out = (out + String(d)).slice(-20_000)));
  proc.stderr?.on('data', (d) => (out = (out + String(d)).slice(-20_000)));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const close = async () => {
    if (proc.exitCode === null) proc.kill('SIGTERM');
    await exited;
  };
  for (const until = Date.now() + 90_000; ;) {
    if (proc.exitCode !== null) throw new Error(`the worker exited while starting:\n${out}`);
    const live = await fetch(`http://127.0.0.1:${port}/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (live) break;
    if (Date.now() > until) {
      await close();
      throw new Error(`the worker did not answer within 90 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { output: () => out, close };
}

describe('the Models pages in Chromium (real API, PostgreSQL, S3, Redis, worker)', () => {
  let web: WebApi<ApiWithStores> | undefined;
  let api: ApiWithStores;
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  let browser: Browser;
  let researcher: User;
  let viewer: User;
  let segRunId: string;
  let truncatedRunId: string;
  let modelUrl: string;
  const onProblem = failOnPageProblems();

  async function signedIn(user: User, next: string): Promise<Page> {
    const page = await openPage(browser, onProblem);
    await signIn(page, api.base, user, next);
    return page;
  }

  /** A new run of the researcher with `bytes` logged at model/seg2d.onnx through MLflow's artifact proxy; its run_id. */
  async function runWithModel(experimentId: string, bytes: Buffer): Promise<string> {
    const auth = { authorization: `Basic ${Buffer.from(`${researcher.username}:${researcher.password}`).toString('base64')}` };
    const created = await fetch(`${api.base}/api/2.0/mlflow/runs/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ experiment_id: experimentId }),
    });
    expect(created.status).toBe(200);
    const runId = ((await created.json()) as { run: { info: { run_id: string } } }).run.info.run_id;
    const put = await fetch(`${api.base}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/model/seg2d.onnx`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', ...auth },
      body: new Uint8Array(bytes),
    });
    expect(put.status).toBe(200);
    return runId;
  }

  /** The signature table of a version as [tensor, name, type, shape] rows. */
  const signature = async (page: Page, version: number): Promise<string[][]> => {
    const rows = await page
      .getByRole('table', { name: `Inputs and outputs of version ${version}` })
      .locator('tbody tr')
      .all();
    return Promise.all(rows.map(async (row) => (await row.locator('td').allTextContents()).map((t) => t.trim())));
  };
  const versionArticle = (page: Page, version: number) => page.getByRole('article', { name: `Version ${version}` });

  beforeAll(async () => {
    web = await startWebApi<ApiWithStores>();
    api = web.api;
    [researcher, viewer] = (await newProjectWith(web, 'models-e2e', ['RESEARCHER', 'VIEWER'])).members;
    const experiment = await fetch(`${api.base}/api/2.0/mlflow/experiments/create`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${researcher.username}:${researcher.password}`).toString('base64')}`,
      },
      body: JSON.stringify({ name: 'models-e2e/unet' }),
    });
    expect(experiment.status).toBe(200);
    const experimentId = ((await experiment.json()) as { experiment_id: string }).experiment_id;
    segRunId = await runWithModel(experimentId, SEG);
    truncatedRunId = await runWithModel(experimentId, modelBytes('truncated.onnx'));
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await web?.close();
  });

  it('a researcher registers a run’s ONNX file in the form and sees it pending, then valid with its signature', async () => {
    const page = await signedIn(researcher, '/models');
    await page.getByText('No registered models in this project yet.').waitFor();
    await page.getByRole('button', { name: 'Register a version in Project models-e2e' }).click();
    const form = page.getByRole('form', { name: 'Register a version' });
    await form.getByLabel('Model name').fill('liver-seg');
    await form.getByLabel('Run ID').fill(segRunId);
    await form.getByLabel('Artifact path').fill('model/seg2d.onnx');
    await form.getByLabel('Task type').selectOption('SEGMENTATION');
    await form.getByLabel('Labels').fill('background, liver, liver');
    await form.getByLabel('Preprocessing (JSON)').fill('{"window": {"center": 40, "width": 400}, "size": [64, 64]}');
    await expectAccessible(page, 'register form');

    // The server refuses the spec and names the field: the message is under Labels, which reads as invalid.
    await form.getByRole('button', { name: 'Register version' }).click();
    const labels = form.getByLabel('Labels');
    await eventually(async () => {
      expect(await labels.getAttribute('aria-invalid')).toBe('true');
      expect(await form.getByText('postprocessing.labels: labels must be unique.').isVisible()).toBe(true);
    });
    await expectAccessible(page, 'register form refused');

    await labels.fill('background, liver');
    await form.getByLabel('Threshold').fill('0.5');
    await form.getByRole('button', { name: 'Register version' }).click();
    await page.getByRole('heading', { level: 1, name: 'liver-seg' }).waitFor();
    modelUrl = await eventually(() => {
      const pathname = new URL(page.url()).pathname;
      expect(pathname).toBe('/models/models-e2e/liver-seg');
      return pathname;
    });

    // No worker runs yet: the version stays pending, and the page says it is polling.
    const v1 = versionArticle(page, 1);
    await v1.getByText('Pending', { exact: true }).waitFor();
    await page.getByText('Updates while a version is being validated.').waitFor();
    await expectAccessible(page, 'model with a pending version');

    // With the worker running, the page turns valid by itself and shows what the worker recorded.
    worker = await startWorker(api);
    await v1.getByText('Valid', { exact: true }).waitFor({ timeout: 60_000 });
    await eventually(async () => {
      expect(await signature(page, 1)).toEqual([
        ['Input', 'image', 'float32', '[batch, 1, 64, 64]'],
        ['Output', 'logits', 'float32', '[batch, 2, 64, 64]'],
      ]);
    });
    await v1.getByText(`${SEG_SHA256.slice(0, 12)}…`).waitFor();
    await eventually(async () => expect(await v1.getByText(`${SEG_SHA256.slice(0, 12)}…`).getAttribute('title')).toBe(SEG_SHA256));
    await v1.getByRole('button', { name: 'Copy sha256' }).waitFor();
    await eventually(async () => {
      expect(await v1.locator('dt:has-text("Opset") + dd').innerText()).toBe('17');
      expect(await v1.locator('dt:has-text("Task") + dd').innerText()).toBe('Segmentation');
      expect(await v1.getByRole('link', { name: segRunId }).getAttribute('href')).toBe(`/runs/${segRunId}`);
      expect(JSON.parse(await v1.getByLabel('Postprocessing of version 1').innerText())).toEqual({
        labels: ['background', 'liver'],
        threshold: 0.5,
      });
      expect(JSON.parse(await v1.getByLabel('Preprocessing of version 1').innerText())).toEqual({
        window: { center: 40, width: 400 },
        size: [64, 64],
      });
    });
    await page.getByText('Updates while a version is being validated.').waitFor({ state: 'detached' });
    await expectAccessible(page, 'model with a valid version');

    // The source run's link opens its run page.
    await v1.getByRole('link', { name: segRunId }).click();
    await page.waitForURL(`${api.base}/runs/${segRunId}`);
  }, 180_000);

  it('a truncated file registered from the model page reads invalid with the reason, and the list shows the newest version', async () => {
    const page = await signedIn(researcher, modelUrl);
    await page.getByRole('button', { name: 'Register a version' }).click();
    const form = page.getByRole('form', { name: 'Register a version' });
    await eventually(async () => expect(await form.getByLabel('Model name').count()).toBe(0));
    await form.getByLabel('Run ID').fill(truncatedRunId);
    await form.getByLabel('Artifact path').fill('model');
    await form.getByLabel('Labels').fill('background\nliver');
    await form.getByRole('button', { name: 'Register version' }).click();
    await page.getByText('Version 2 was registered; the worker validates it next.').waitFor();

    const v2 = versionArticle(page, 2);
    await v2.getByText('Invalid', { exact: true }).waitFor({ timeout: 60_000 });
    const reason = page.getByRole('alert').filter({ hasText: 'The ONNX validation failed' });
    await eventually(async () =>
      expect(await reason.locator('p').nth(1).innerText()).toMatch(
        /^model\/seg2d\.onnx: (onnxruntime could not load the model|The file is not an ONNX model)/,
      ),
    );
    await eventually(async () => expect(await v2.getByRole('table').count()).toBe(0));
    // Newest first: version 2 above version 1, which is still valid.
    await eventually(async () =>
      expect(await page.getByRole('article').locator('h3').allTextContents()).toEqual(['Version 2', 'Version 1']),
    );
    await versionArticle(page, 1).getByText('Valid', { exact: true }).waitFor();
    await expectAccessible(page, 'model with an invalid version');

    await page.getByRole('link', { name: 'Models', exact: true }).click();
    const row = page.getByRole('table', { name: 'Registered models of Project models-e2e' }).locator('tbody tr');
    await eventually(async () => {
      expect((await row.locator('td').allTextContents()).slice(0, 3).map((t) => t.trim())).toEqual(['liver-seg', 'Version 2', 'Invalid']);
    });
    await expectAccessible(page, 'models list');
  }, 120_000);

  it('a viewer reads the models and versions without the register form', async () => {
    const page = await signedIn(viewer, '/models');
    const row = page.getByRole('table', { name: 'Registered models of Project models-e2e' }).locator('tbody tr');
    await eventually(async () => expect((await row.locator('td').first().innerText()).trim()).toBe('liver-seg'));
    await eventually(async () => expect(await page.getByRole('button', { name: /Register a version/ }).count()).toBe(0));
    await expectAccessible(page, 'models list as a viewer');

    await row.getByRole('link', { name: 'liver-seg' }).click();
    await page.getByRole('heading', { level: 1, name: 'liver-seg' }).waitFor();
    await versionArticle(page, 1).getByText('Valid', { exact: true }).waitFor();
    await versionArticle(page, 2).getByText('Invalid', { exact: true }).waitFor();
    await eventually(async () => {
      expect(await page.getByRole('button', { name: /Register a version/ }).count()).toBe(0);
      expect(await page.getByRole('form', { name: 'Register a version' }).count()).toBe(0);
    });
    await expectAccessible(page, 'model as a viewer');
  }, 60_000);
});
