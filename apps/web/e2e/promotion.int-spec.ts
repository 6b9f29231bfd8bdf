/**
 * Signed promotion to clinical use in a real browser (issue 14, item 6) against the real API
 * (PostgreSQL, S3, Redis) and the worker as its own process (validation, the evaluation gate on a
 * sealed test set with onnxruntime-node, the deploy job). A researcher's version of seg_threshold
 * (tools/models: a pixel is lesion when its windowed value is above 0.5) is registered, validated
 * and given a complete model card; a sealed test dataset version of four CT slices with masks
 * (libs/datasets/src/testing/evaluation-dataset.ts) has a mean Dice of 0.6875 by construction.
 * In the browser a PI sets the clinical policy's evaluation gate on the model page and requests
 * clinical use, sees the evaluation evidence arrive and may not sign it; a second PI, a clinical
 * approver and QA each find it in their inbox and sign in the dialog (the first after a wrong
 * password the page shows as refused); the model page then shows version 1 in clinical use with
 * the three signatures. Last, QA rejects retiring it, which the dialog allows only with a reason,
 * a second open request is refused in the API's words, and the requester cancels one.
 * Fails on any console error, page error, or serious/critical axe violation.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
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
  type Auth,
  type TestApi,
  type User,
  type WebApi,
} from './harness';

/** The members of the API's test harness the worker and the dataset fixture need. */
type ApiWithStores = TestApi & {
  db: { appUrl: string };
  objects: {
    config: Record<string, string>;
    store: { ensureBucket(bucket: string): Promise<void>; putObject(...args: unknown[]): Promise<unknown> };
  };
};
interface WorkerProcess {
  output(): string;
  close(): Promise<void>;
}
interface EvaluationFixture {
  ctSlice(width: number, height: number, hu: (x: number, y: number) => number): Buffer;
  pngMask(width: number, height: number, value: (x: number, y: number) => number): Buffer;
  createSealedEvaluationDataset(
    db: { query(sql: string, params?: unknown[]): Promise<unknown[]> },
    store: unknown,
    opts: { bucket: string; projectId: string; userId: string; name: string; items: readonly { dicom: Buffer; mask?: Buffer }[] },
  ): Promise<{ versionId: string; manifestSha256: string }>;
}

const MODEL = readFileSync(path.join(repoRoot, 'tools/models/test-models/seg_threshold.onnx'));
const MODEL_NAME = 'lesion-seg';
/** The datasets bucket the API and the worker use by default (S3_BUCKET_DATASETS). */
const DATASETS_BUCKET = 'caliper-datasets';

const inSquare = (x: number, y: number, x0: number, y0: number, side: number) => x >= x0 && x < x0 + side && y >= y0 && y < y0 + side;

describe('signed promotion to clinical use in Chromium (real API, PostgreSQL, S3, Redis, worker)', () => {
  let web: WebApi<ApiWithStores> | undefined;
  let api: ApiWithStores;
  let worker: WorkerProcess | undefined;
  let browser: Browser;
  let researcher: User;
  let pi: User;
  let secondPi: User;
  let approver: User;
  let qa: User;
  let projectId: string;
  let testSet: { versionId: string; manifestSha256: string };
  let requestUrl: string;
  const modelUrl = `/models/promotion-e2e/${MODEL_NAME}`;
  // The refused signature answers with an error the page shows; the browser may log its status too.
  const onProblem = failOnPageProblems();

  async function signedIn(user: User, next: string): Promise<Page> {
    const page = await openPage(browser, onProblem);
    await signIn(page, api.base, user, next);
    return page;
  }

  const gqlOk = (auth: Auth, query: string, variables: Record<string, unknown>) => web!.harness.gqlOk(api, auth, query, variables);

  beforeAll(async () => {
    web = await startWebApi<ApiWithStores>();
    api = web.api;
    const { startWorker } = (await import(path.join(repoRoot, 'apps/api/src/testing/worker-process'))) as {
      startWorker(api: ApiWithStores): Promise<WorkerProcess>;
    };
    const fixture = (await import(path.join(repoRoot, 'libs/datasets/src/testing/evaluation-dataset'))) as EvaluationFixture;
    const project = await newProjectWith(web, 'promotion-e2e', ['RESEARCHER', 'PI', 'PI', 'CLINICAL_APPROVER', 'QA']);
    projectId = project.projectId;
    [researcher, pi, secondPi, approver, qa] = project.members;
    worker = await startWorker(api);
    const asResearcher = await web.harness.login(api, researcher.username, researcher.password);

    // The researcher's run logs the model; registered, the worker validates it.
    const basic = { authorization: `Basic ${Buffer.from(`${researcher.username}:${researcher.password}`).toString('base64')}` };
    const experiment = await fetch(`${api.base}/api/2.0/mlflow/experiments/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...basic },
      body: JSON.stringify({ name: 'promotion-e2e/lesion' }),
    });
    const experimentId = ((await experiment.json()) as { experiment_id: string }).experiment_id;
    const run = await fetch(`${api.base}/api/2.0/mlflow/runs/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...basic },
      body: JSON.stringify({ experiment_id: experimentId }),
    });
    const runId = ((await run.json()) as { run: { info: { run_id: string } } }).run.info.run_id;
    const put = await fetch(`${api.base}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/model/seg_threshold.onnx`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', ...basic },
      body: new Uint8Array(MODEL),
    });
    expect(put.status).toBe(200);
    await gqlOk(asResearcher, `mutation($i: RegisterModelVersionInput!) { registerModelVersion(input: $i) { version } }`, {
      i: {
        projectId,
        modelName: MODEL_NAME,
        runId,
        artifactPath: 'model/seg_threshold.onnx',
        taskType: 'SEGMENTATION',
        preprocessing: { window: { center: 40, width: 400 }, size: [64, 64] },
        postprocessing: { threshold: 0.5, labels: ['background', 'lesion'] },
      },
    });
    await eventually(
      async () => {
        const r = (await gqlOk(
          asResearcher,
          `query($p: ID!, $n: String!) { modelVersion(projectId: $p, name: $n, version: 1) { validation { status } } }`,
          {
            p: projectId,
            n: MODEL_NAME,
          },
        )) as { modelVersion: { validation: { status: string } } };
        expect(r.modelVersion.validation.status).toBe('VALID');
      },
      90_000,
      250,
    );
    await gqlOk(asResearcher, `mutation($i: UpdateModelCardInput!) { updateModelCard(input: $i) { id } }`, {
      i: {
        projectId,
        modelName: MODEL_NAME,
        version: 1,
        card: {
          intendedUse: 'Marking liver lesions on portal-venous CT slices of adults, for a radiologist to review.',
          outOfScopeUse: 'Children; MR; any use without a radiologist reading the result.',
          trainingData: ['liver-ct v1'],
          validationData: ['liver-ct-test v1'],
          metrics: [{ name: 'dice', value: 0.6875, threshold: 0.6 }],
          subgroups: [],
          limitations: 'Trained on one scanner vendor.',
          changes: '',
        },
      },
    });

    // The sealed test set: A identical (Dice 1), B overlapping 192 of 256 pixels (0.75), C empty (1), D disjoint (0): mean 0.6875.
    await api.objects.store.ensureBucket(DATASETS_BUCKET);
    const slice = (size: number, lesion: (x: number, y: number) => boolean) =>
      fixture.ctSlice(size, size, (x, y) => (lesion(x, y) ? 100 : 0));
    const db = new Client({ connectionString: api.db.appUrl });
    await db.connect();
    try {
      testSet = await fixture.createSealedEvaluationDataset(
        { query: async (sql, params) => (await db.query(sql, params)).rows },
        api.objects.store,
        {
          bucket: DATASETS_BUCKET,
          projectId,
          userId: pi.id,
          name: 'liver-ct-test',
          items: [
            {
              dicom: slice(64, (x, y) => inSquare(x, y, 16, 16, 16)),
              mask: fixture.pngMask(64, 64, (x, y) => (inSquare(x, y, 16, 16, 16) ? 255 : 0)),
            },
            {
              dicom: slice(64, (x, y) => inSquare(x, y, 16, 16, 16)),
              mask: fixture.pngMask(64, 64, (x, y) => (inSquare(x, y, 20, 16, 16) ? 1 : 0)),
            },
            { dicom: slice(64, () => false), mask: fixture.pngMask(64, 64, () => 0) },
            {
              dicom: slice(64, (x, y) => inSquare(x, y, 0, 0, 8)),
              mask: fixture.pngMask(64, 64, (x, y) => (inSquare(x, y, 40, 40, 8) ? 255 : 0)),
            },
          ],
        },
      );
    } finally {
      await db.end();
    }
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await web?.close();
  });

  it('a PI requests clinical use from the model page; the worker evaluates it and the PI may not sign their own request', async () => {
    const page = await signedIn(pi, modelUrl);
    const v1 = page.getByRole('article', { name: 'Version 1' });
    await v1.getByText('Valid', { exact: true }).waitFor({ timeout: 30_000 });
    await v1.getByText('No stage', { exact: true }).waitFor();
    const policies = page.getByRole('table', { name: 'Gates and signatures per stage' });
    const clinicalPolicy = policies.getByRole('row').filter({ hasText: 'clinical use' });
    await clinicalPolicy.getByText('3 of PI, Clinical approver, QA').waitFor();
    await expectAccessible(page, 'model before promotion');

    // Clinical use needs an evaluation gate: the PI names the sealed test set and the criterion.
    await clinicalPolicy.getByRole('button', { name: 'Edit the clinical use policy' }).click();
    const policyForm = page.getByRole('form', { name: 'Edit the clinical use policy' });
    await policyForm.getByLabel('Test dataset version ID').fill(testSet.versionId);
    await policyForm.getByRole('button', { name: 'Add a criterion' }).click();
    await policyForm.getByLabel('Metric 1').fill('dice');
    await policyForm.getByLabel('Comparison 1').selectOption('>=');
    await policyForm.getByLabel('Threshold 1').fill('0.6');
    await expectAccessible(page, 'policy form');
    await policyForm.getByRole('button', { name: 'Save the policy' }).click();
    await policyForm.waitFor({ state: 'detached' });
    await eventually(async () =>
      expect((await clinicalPolicy.locator('td').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual([
        'clinical use',
        '3 of PI, Clinical approver, QA',
        'sealed test set; dice ≥ 0.6',
        'must be complete',
        'Edit',
      ]),
    );

    await v1.getByRole('button', { name: 'Request promotion of version 1' }).click();
    const form = page.getByRole('form', { name: 'Request promotion of version 1' });
    await form.getByLabel('Target stage').selectOption('CLINICAL');
    await form.getByLabel('Reason').fill('Dice 0.69 on the locked liver test set; ready for the reading room.');
    await expectAccessible(page, 'request promotion form');
    await form.getByRole('button', { name: 'Request promotion' }).click();
    await page.waitForURL(new RegExp(`${modelUrl}/requests/[0-9a-f-]{36}$`));
    requestUrl = new URL(page.url()).pathname;
    await page.getByRole('heading', { level: 1, name: `Promote version 1 of ${MODEL_NAME} to clinical use` }).waitFor();

    // The evaluation runs in the worker; the page polls until the gates settle, without a reload.
    await page.getByText('Awaiting signatures', { exact: true }).waitFor({ timeout: 90_000 });
    const gates = page.getByRole('list', { name: 'Gates' });
    for (const gate of ['ONNX validation', 'Model card', 'Evaluation on the sealed test set'])
      await gates.getByRole('listitem').filter({ hasText: gate }).getByText('Passed', { exact: true }).waitFor();
    const criteria = page.getByRole('table', { name: 'Metrics against the acceptance criteria' });
    await eventually(async () => {
      const row = (await criteria.getByRole('row').filter({ hasText: 'dice' }).locator('td').allTextContents()).map((t) => t.trim());
      expect(row).toEqual(['dice', '≥ 0.6', '0.6875', 'Passed']);
    });
    await eventually(async () => expect(await page.locator('dt:has-text("Items evaluated") + dd').innerText()).toBe('4'));
    await eventually(async () =>
      expect(await page.getByText(`${testSet.manifestSha256.slice(0, 16)}…`).getAttribute('title')).toBe(testSet.manifestSha256),
    );
    await page.getByText('Still missing:').waitFor();
    await page.getByText('PI, Clinical approver, QA', { exact: true }).waitFor();
    await page.getByText('You requested this promotion, so you cannot sign it', { exact: false }).waitFor();
    await eventually(async () => expect(await page.getByRole('button', { name: 'Sign…' }).count()).toBe(0));
    await page.getByRole('button', { name: 'Cancel the request…' }).waitFor();
    await expectAccessible(page, 'request awaiting signatures (requester)');
  }, 180_000);

  /** `signer` opens the request from their inbox and signs it as `role` through the dialog. */
  async function signFromInbox(signer: User, role: string, opts: { wrongPasswordFirst?: boolean } = {}): Promise<Page> {
    const page = await signedIn(signer, '/signatures');
    const nav = page.getByRole('navigation', { name: 'Main' });
    const inboxLink = nav.getByRole('link', { name: /^Signatures/ });
    await eventually(async () =>
      expect((await inboxLink.evaluate((a) => a.textContent ?? '')).replace(/\s+/g, ' ')).toBe('Signatures 1, 1 waiting'),
    );
    const inbox = page.getByRole('table', { name: 'Requests waiting for your signature' });
    const link = inbox.getByRole('link', { name: `${MODEL_NAME} version 1 to clinical use` });
    await link.waitFor();
    await expectAccessible(page, `inbox of the ${role}`);
    await link.click();
    await page.waitForURL(`${api.base}${requestUrl}`);
    await page.getByRole('button', { name: 'Sign…' }).click();
    const dialog = page.getByRole('dialog', { name: `Sign version 1 of ${MODEL_NAME}` });
    await dialog.getByText(`You sign as ${role}.`).waitFor();
    await dialog.getByText(`By signing I, ${signer.username}, state that I approve version 1 of ${MODEL_NAME} for clinical use.`).waitFor();
    await expectAccessible(page, `signing dialog of the ${role}`);
    const password = dialog.getByLabel('Password');
    const submit = dialog.getByRole('button', { name: 'Sign and approve' });
    if (opts.wrongPasswordFirst) {
      await password.fill(`${signer.password}-wrong`);
      await submit.click();
      await dialog
        .getByRole('alert')
        .getByText('password: the password is not correct; nothing was signed. Repeated failures lock the account as at sign-in.')
        .waitFor();
      await eventually(async () => expect(await password.inputValue()).toBe(''));
      await expectAccessible(page, 'signing refused for a wrong password');
    }
    await password.fill(signer.password);
    await submit.click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Your signature was recorded.').waitFor();
    await page
      .getByRole('list', { name: 'Signatures' })
      .getByRole('listitem')
      .filter({ hasText: signer.username })
      .getByText(role, { exact: true })
      .waitFor();
    return page;
  }

  it('a second PI, a clinical approver and QA sign in turn from their inboxes; the first is refused a wrong password', async () => {
    // The requester keeps the model page open from before the signatures (its versions are cached in stage none).
    const requester = await signedIn(pi, modelUrl);
    await requester.getByRole('article', { name: 'Version 1' }).getByText('No stage', { exact: true }).waitFor();

    const first = await signFromInbox(secondPi, 'PI', { wrongPasswordFirst: true });
    await first.getByText('Clinical approver, QA', { exact: true }).waitFor();
    await first.getByText('You have signed this request; each person signs once.').waitFor();
    await eventually(async () => expect(await first.getByRole('button', { name: 'Sign…' }).count()).toBe(0));

    await signFromInbox(approver, 'Clinical approver');
    const last = await signFromInbox(qa, 'QA');
    // The third signature approves the request; the deploy job re-hashes the files and moves the stage.
    await last.getByText('Deployed', { exact: true }).waitFor({ timeout: 60_000 });
    const signatures = last.getByRole('list', { name: 'Signatures' }).getByRole('listitem');
    await eventually(async () => expect(await signatures.count()).toBe(3));
    await expectAccessible(last, 'request deployed');

    // Back on the model page without a reload, the requester sees the stage the promotion moved.
    await requester
      .getByRole('list', { name: 'Stage history' })
      .getByRole('link', { name: 'Promotion of version 1 to clinical use' })
      .click();
    await requester.getByText('Deployed', { exact: true }).waitFor();
    await requester.getByRole('link', { name: MODEL_NAME, exact: true }).first().click();
    await requester.getByRole('region', { name: 'In clinical use: version 1' }).waitFor();
    await requester.getByRole('article', { name: 'Version 1' }).getByText('In clinical use', { exact: true }).waitFor();
  }, 240_000);

  it('the model page shows version 1 in clinical use with its three signatures and the stage history', async () => {
    const page = await signedIn(researcher, modelUrl);
    const clinical = page.getByRole('region', { name: 'In clinical use: version 1' });
    await clinical.waitFor();
    const signatures = clinical.getByRole('list', { name: 'Signatures of version 1' }).getByRole('listitem');
    await eventually(async () => {
      const lines = (await signatures.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      expect(lines).toEqual([
        expect.stringMatching(new RegExp(`^${secondPi.username} \\(${secondPi.username}\\) signed as PI for approval: approved \\d`)),
        expect.stringMatching(
          new RegExp(`^${approver.username} \\(${approver.username}\\) signed as Clinical approver for approval: approved \\d`),
        ),
        expect.stringMatching(new RegExp(`^${qa.username} \\(${qa.username}\\) signed as QA for approval: approved \\d`)),
      ]);
    });
    await page.getByRole('article', { name: 'Version 1' }).getByText('In clinical use', { exact: true }).waitFor();
    const history = page.getByRole('list', { name: 'Stage history' }).getByRole('listitem');
    await eventually(async () => {
      const items = (await history.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      expect(items).toHaveLength(2);
      expect(items.some((t) => /Version 1 deployed .*Active$/.test(t))).toBe(true);
      expect(
        items.some((t) => t.includes(`Promotion of version 1 to clinical use requested by ${pi.username}`) && t.includes('Deployed')),
      ).toBe(true);
    });
    await expectAccessible(page, 'model in clinical use');

    // From the clinical version to its provenance: the run, the evaluation on the sealed test set, the signatures, the deployment.
    await clinical.getByRole('link', { name: 'Provenance of version 1' }).click();
    const requests = page.getByRole('region', { name: 'Promotion requests and signatures' });
    await eventually(async () =>
      expect(
        await requests
          .getByRole('list', { name: /^Signatures of the request to clinical/ })
          .getByRole('listitem')
          .count(),
      ).toBe(3),
    );
    const chain = page.getByRole('list', { name: 'From data to clinical use' });
    await chain.getByRole('listitem', { name: 'Training run' }).getByRole('link').first().waitFor();
    const approvals = chain.getByRole('listitem', { name: 'Evidence and approvals' });
    await approvals.getByText(/Evaluation passed on 4 test items/).waitFor();
    await eventually(async () => {
      const signed = (await approvals.locator('.provenance-signatures li').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      expect(signed.map((t) => t.split(',')[1]?.trim())).toEqual(['PI', 'Clinical approver', 'QA']);
    });
    await chain
      .getByRole('listitem', { name: 'Deployments' })
      .getByText(/clinical at default: active/)
      .waitFor();
    await eventually(async () =>
      expect(await page.getByRole('link', { name: 'Printable report (PDF)' }).getAttribute('href')).toMatch(/\/provenance\.pdf$/),
    );
    await expectAccessible(page, 'version provenance');
  }, 60_000);

  it('QA rejects retiring the clinical version, only with a reason, and the version stays in clinical use', async () => {
    const page = await signedIn(pi, modelUrl);
    const v1 = page.getByRole('article', { name: 'Version 1' });
    await v1.getByRole('button', { name: 'Request promotion of version 1' }).click();
    const form = page.getByRole('form', { name: 'Request promotion of version 1' });
    await form.getByLabel('Target stage').selectOption('RETIRED');
    await form.getByLabel('Reason').fill('Superseded by the new scanner protocol.');
    await form.getByRole('button', { name: 'Request promotion' }).click();
    await page.getByRole('heading', { level: 1, name: `Promote version 1 of ${MODEL_NAME} to retired` }).waitFor();
    await page.getByText('Awaiting signatures', { exact: true }).waitFor({ timeout: 30_000 });
    const retireUrl = new URL(page.url()).pathname;

    const qaPage = await signedIn(qa, retireUrl);
    await qaPage.getByRole('button', { name: 'Sign…' }).click();
    const dialog = qaPage.getByRole('dialog', { name: `Sign version 1 of ${MODEL_NAME}` });
    await dialog.getByLabel('Reject').check();
    await dialog
      .getByText(`By signing I, ${qa.username}, state that I reject version 1 of ${MODEL_NAME} for retired, for the reason given.`)
      .waitFor();
    await dialog.getByLabel('Password').fill(qa.password);
    await dialog.getByRole('button', { name: 'Sign and reject' }).click();
    await dialog.getByText('A rejection needs a reason: it ends the request and the requester reads it.').waitFor();
    await eventually(async () => expect(await dialog.getByLabel('Reason', { exact: true }).getAttribute('aria-invalid')).toBe('true'));
    await expectAccessible(qaPage, 'rejection without a reason');
    await dialog.getByLabel('Reason', { exact: true }).fill('No replacement is validated yet; the reading room would have no model.');
    await dialog.getByRole('button', { name: 'Sign and reject' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await qaPage.getByText('Rejected', { exact: true }).waitFor();
    const signature = qaPage.getByRole('list', { name: 'Signatures' }).getByRole('listitem');
    await signature.getByText('rejected', { exact: true }).waitFor();
    await signature.getByText('Reason: No replacement is validated yet; the reading room would have no model.').waitFor();
    await expectAccessible(qaPage, 'request rejected');

    await page.goto(`${api.base}${modelUrl}`);
    await page.getByRole('region', { name: 'In clinical use: version 1' }).waitFor();
    await page
      .getByRole('list', { name: 'Stage history' })
      .getByRole('listitem')
      .filter({ hasText: 'Promotion of version 1 to retired' })
      .getByText('Rejected', { exact: true })
      .waitFor();
  }, 90_000);

  it('a second open request for the same stage is refused in the API’s words, and the requester cancels the first with a reason', async () => {
    const page = await signedIn(pi, modelUrl);
    const requestRetiring = async () => {
      await page.getByRole('article', { name: 'Version 1' }).getByRole('button', { name: 'Request promotion of version 1' }).click();
      const form = page.getByRole('form', { name: 'Request promotion of version 1' });
      await form.getByLabel('Target stage').selectOption('RETIRED');
      await form.getByLabel('Reason').fill('The vendor withdrew the scanner protocol.');
      await form.getByRole('button', { name: 'Request promotion' }).click();
      return form;
    };
    await requestRetiring();
    await page.getByRole('heading', { level: 1, name: `Promote version 1 of ${MODEL_NAME} to retired` }).waitFor();
    const openUrl = new URL(page.url()).pathname;

    await page.goto(`${api.base}${modelUrl}`);
    const form = await requestRetiring();
    await form.getByRole('alert').getByText('Version 1 already has an open request for retired; sign, or cancel it, first.').waitFor();
    await eventually(() => expect(new URL(page.url()).pathname).toBe(modelUrl));
    await expectAccessible(page, 'request refused');

    await page.goto(`${api.base}${openUrl}`);
    await page.getByRole('button', { name: 'Cancel the request…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel the promotion request' });
    const confirm = dialog.getByRole('button', { name: 'Cancel the request' });
    await eventually(async () => expect(await confirm.isDisabled()).toBe(true));
    await dialog.getByLabel('Reason').fill('Opened by mistake; the protocol change was postponed.');
    await confirm.click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Cancelled', { exact: true }).waitFor();
    await eventually(async () => expect(await page.getByRole('button', { name: 'Cancel the request…' }).count()).toBe(0));
    await expectAccessible(page, 'request cancelled');
  }, 90_000);
});
