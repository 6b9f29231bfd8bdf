/**
 * A dataset version from the PACS to a trained run, in a real browser against the real API, the
 * worker, PostgreSQL, Redis, S3 and Orthanc: Orthanc holds generated CT series of three patients
 * (and an MR study each that the query must not match); a researcher builds a version through
 * "Build a version from PACS" (the preview counts what the query matches), follows the import to
 * its end and opens the draft; a PI seals it through the seal dialog; a run is logged with the
 * requests the stock mlflow client sends for `mlflow.log_input` (its digest the manifest's
 * sha256 prefix, its source the version's caliper:// URI); the version page lists the run under
 * "Runs using this version" and the run page names the version among its inputs.
 * Fails on any console error, page error, or serious/critical axe violation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildWebApp, eventually, expectAccessible, loadHarness, repoRoot, type Auth, type Harness, type TestApi } from './harness';

/** @caliper/pacs/testing and the worker's test harness, loaded by path (the web project may depend on neither). */
interface PacsTesting {
  sampleBytes(name: string): Buffer;
  newUid(): string;
  dicomVariant(
    sample: Buffer,
    v: { patientId: string; studyInstanceUid?: string; seriesInstanceUid?: string; seriesDescription?: string },
  ): Buffer;
  startTestOrthanc(): Promise<{
    dicomWebUrl: string;
    client: { store(parts: Buffer[]): Promise<{ failed?: unknown[] }> };
    stop(): Promise<void>;
  }>;
}
interface WorkerHarness {
  startTestWorker(db: unknown, s3: unknown, env: Record<string, string>): Promise<{ close(): Promise<void> }>;
}
type FullTestApi = TestApi & { db: unknown; objects: unknown };

type User = { username: string; password: string };
type Orthanc = Awaited<ReturnType<PacsTesting['startTestOrthanc']>>;

describe('a dataset version built from the PACS, sealed and used by a run, in Chromium', () => {
  let outDir: string;
  let harness: Harness;
  let orthanc: Orthanc;
  let api: FullTestApi;
  let worker: { close(): Promise<void> } | null = null;
  let browser: Browser;
  let researcher: User;
  let pi: User;
  let researcherAuth: Auth;
  let datasetId: string;
  let versionUrl: string;
  let manifestSha: string;
  let runId: string;
  let problems: string[] = [];

  async function signedIn(user: User, next: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    await page.goto(`${api.base}/sign-in?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${api.base}${next}`);
    return page;
  }

  /** A definition list's terms and values as [term, value] pairs. */
  const pairs = async (page: Page, group: string): Promise<string[][]> => {
    const items = await page.getByRole('group', { name: group }).locator('dl > div').all();
    return Promise.all(items.map(async (i) => [(await i.locator('dt').innerText()).trim(), (await i.locator('dd').innerText()).trim()]));
  };

  beforeAll(async () => {
    outDir = mkdtempSync(path.join(tmpdir(), 'caliper-web-dist-'));
    const [h, pacs, workers] = await Promise.all([
      loadHarness(),
      import(path.join(repoRoot, 'libs/pacs/src/testing')) as Promise<PacsTesting>,
      import(path.join(repoRoot, 'apps/worker/src/__tests__/worker-harness')) as Promise<WorkerHarness>,
      buildWebApp(outDir),
    ]);
    harness = h;
    orthanc = await pacs.startTestOrthanc();
    // 3 patients × one CT series of 2 instances, and an MR study each (not matched by a CT query).
    const ct = pacs.sampleBytes('CT_small.dcm');
    const mr = pacs.sampleBytes('MR_small.dcm');
    const files: Buffer[] = [];
    for (let p = 0; p < 3; p++) {
      const patientId = `PACS-E2E-${p}`;
      const studyInstanceUid = pacs.newUid();
      const seriesInstanceUid = pacs.newUid();
      for (let i = 0; i < 2; i++)
        files.push(pacs.dicomVariant(ct, { patientId, studyInstanceUid, seriesInstanceUid, seriesDescription: 'Chest CT' }));
      files.push(pacs.dicomVariant(mr, { patientId }));
    }
    expect((await orthanc.client.store(files)).failed ?? []).toEqual([]);

    api = (await harness.startTestApi({ WEB_DIST_DIR: outDir, PACS_DICOMWEB_URL: orthanc.dicomWebUrl })) as FullTestApi;
    worker = await workers.startTestWorker(api.db, api.objects, { PACS_DICOMWEB_URL: orthanc.dicomWebUrl });
    const admin = await harness.login(api, 'admin', harness.ADMIN.password);
    const projectId = await harness.newProject(api, admin, 'pacs-e2e');
    researcher = await harness.newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    pi = await harness.newUser(api, admin, { projectId, roles: ['PI'] });
    researcherAuth = await harness.login(api, researcher.username, researcher.password);
    const created = (await harness.gqlOk(
      api,
      researcherAuth,
      'mutation($p: ID!) { createDataset(input: { projectId: $p, name: "Chest CT from PACS" }) { id } }',
      {
        p: projectId,
      },
    )) as { createDataset: { id: string } };
    datasetId = created.createDataset.id;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
  }, 240000);

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await api?.close();
    await orthanc?.stop();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    problems = [];
  });
  afterEach(() => {
    expect(problems).toEqual([]);
  });

  it('a researcher builds a version from a PACS query: the preview counts the matches, the import runs to its end', async () => {
    const page = await signedIn(researcher, `/datasets/${datasetId}`);
    await page.getByRole('heading', { level: 1, name: 'Chest CT from PACS' }).waitFor();
    await page.getByRole('button', { name: 'Build a version from PACS' }).click();
    const wizard = page.getByRole('region', { name: 'New version from PACS' });

    // A query without a filter is refused with the reason.
    await wizard.getByRole('button', { name: 'Preview', exact: true }).click();
    await wizard.getByRole('alert').filter({ hasText: 'Give at least one filter' }).waitFor();
    await wizard.getByLabel('Modalities').fill('ct');
    await wizard.getByLabel('Series description').fill('Chest*');
    await wizard.getByRole('button', { name: 'Preview', exact: true }).click();

    await eventually(async () =>
      expect(await pairs(page, 'Matched in the PACS')).toEqual([
        ['Patients', '3'],
        ['Studies', '3'],
        ['Series', '3'],
        ['Instances', '6'],
      ]),
    );
    const studies = wizard.getByRole('table', { name: 'Matched studies' }).locator('tbody tr');
    await eventually(async () => {
      const rows = await studies.all();
      expect(rows.length).toBe(3);
      for (const row of rows)
        expect((await row.locator('td').allInnerTexts()).slice(0, 6)).toEqual([
          '2004-01-19',
          'CT',
          'Chest CT',
          expect.any(String),
          '1',
          '2',
        ]);
    });
    await expectAccessible(page, 'PACS preview');

    await wizard.getByRole('button', { name: 'Next: options' }).click();
    await wizard.getByLabel('Split seed').fill('pacs-e2e-seed');
    await wizard.getByLabel('Train').fill('60');
    await wizard.getByLabel('Validation').fill('20');
    await wizard.getByLabel('Test').fill('20');
    await wizard.getByLabel('Reference them in the PACS by their UIDs (each sha256 recorded)').check();
    await expectAccessible(page, 'PACS import options');
    await wizard.getByRole('button', { name: 'Create the draft and import' }).click();

    await wizard.getByRole('status').filter({ hasText: 'Import finished: 6 instances imported.' }).waitFor({ timeout: 60000 });
    await eventually(async () =>
      expect((await wizard.getByText(/^Draft version 1 holds/).innerText()).trim()).toBe(
        'Draft version 1 holds 6 items of 3 patients. Open version 1',
      ),
    );
    await wizard.getByRole('link', { name: 'Open version 1' }).click();
    await page.getByRole('heading', { level: 1, name: 'Chest CT from PACS, version 1' }).waitFor();
    versionUrl = new URL(page.url()).pathname;
    await page.getByText('6 items; 6 loaded.').waitFor();
    await eventually(async () =>
      expect((await page.getByRole('region', { name: 'Runs using this version' }).innerText()).replace(/\s+/g, ' ')).toContain(
        'Only sealed versions are linked to runs',
      ),
    );
    await page.context().close();
  }, 120000);

  it('a PI seals the version through the seal dialog', async () => {
    const page = await signedIn(pi, versionUrl);
    await page.getByRole('button', { name: 'Seal…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Seal version 1' });
    await dialog.getByLabel('De-identification method').fill('DICOM PS3.15 basic profile');
    await dialog.getByLabel('What de-identification changed').fill('Synthetic test instances; identifiers generated.');
    await dialog.getByRole('button', { name: 'Seal version 1' }).click();
    manifestSha = await eventually(async () => {
      const sha = (await page.getByTestId('manifest-sha256').innerText()).trim();
      expect(sha).toMatch(/^[0-9a-f]{64}$/);
      return sha;
    });
    await page.locator('.page-header').getByText('Sealed', { exact: true }).waitFor();
    await page.context().close();
  }, 60000);

  it('a run logged with the stock mlflow client is listed under the version, and the run page names the version', async () => {
    // The researcher's API token, as MLFLOW_TRACKING_TOKEN.
    const projectId = (
      (await harness.gqlOk(api, researcherAuth, 'query { projects { id slug } }', {})) as { projects: { id: string; slug: string }[] }
    ).projects.find((p) => p.slug === 'pacs-e2e')!.id;
    const token = (
      (await harness.gqlOk(
        api,
        researcherAuth,
        'mutation($p: ID!) { createApiToken(input: { projectId: $p, name: "mlflow", roles: [RESEARCHER] }) { token } }',
        { p: projectId },
      )) as { createApiToken: { token: string } }
    ).createApiToken.token;
    const versionId = versionUrl.split('/').pop()!;
    const mlflow = async (endpoint: string, body: unknown) => {
      const res = await fetch(`${api.base}/api/2.0/mlflow/${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    // The stock client's requests (tools/testing/reference/mlflow-2.10.2-transcript.jsonl): experiment, run, log_input.
    const experimentId = (await mlflow('experiments/create', { name: 'hip-ct-training' })).experiment_id as string;
    const startTime = Date.now();
    runId = (
      await mlflow('runs/create', {
        experiment_id: experimentId,
        user_id: 'root',
        run_name: 'pacs-trained',
        start_time: startTime,
        tags: [
          { key: 'mlflow.user', value: 'root' },
          { key: 'mlflow.source.name', value: 'train.py' },
          { key: 'mlflow.source.type', value: 'LOCAL' },
          { key: 'mlflow.runName', value: 'pacs-trained' },
        ],
      })
    ).run.info.run_id as string;
    await mlflow('runs/log-inputs', {
      run_id: runId,
      datasets: [
        {
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
          dataset: {
            name: 'chest-ct-v1',
            digest: manifestSha.slice(0, 8),
            source_type: 'http',
            source: JSON.stringify({ url: `caliper://dataset-versions/${versionId}` }),
          },
        },
      ],
    });

    const page = await signedIn(researcher, versionUrl);
    const runs = page.getByRole('region', { name: 'Runs using this version' });
    const row = runs.locator('tbody tr');
    await eventually(async () => {
      expect(await row.count()).toBe(1);
      expect((await row.locator('td').allInnerTexts()).map((t) => t.trim())).toEqual([
        'pacs-trained',
        'hip-ct-training',
        'Running',
        expect.stringMatching(/\d{4}/),
        researcher.username,
      ]);
    });
    await runs.getByText('1 run', { exact: true }).waitFor();
    await expectAccessible(page, 'sealed version with its run');

    await runs.getByRole('link', { name: 'pacs-trained' }).click();
    await page.waitForURL(`${api.base}/runs/${runId}`);
    const inputs = page.getByRole('region', { name: 'Inputs' });
    await eventually(async () =>
      expect((await inputs.locator('tbody tr td').allInnerTexts()).map((t) => t.trim())).toEqual([
        'Dataset',
        'chest-ct-v1',
        manifestSha.slice(0, 8),
        `http: {"url":"caliper://dataset-versions/${versionId}"}`,
        'Chest CT from PACS, version 1',
      ]),
    );
    await inputs.getByRole('link', { name: 'Chest CT from PACS, version 1' }).click();
    await page.getByRole('heading', { level: 1, name: 'Chest CT from PACS, version 1' }).waitFor();
    await page.getByRole('region', { name: 'Runs using this version' }).getByRole('link', { name: 'pacs-trained' }).waitFor();
    await page.context().close();
  }, 90000);
});
