/**
 * A dataset version from the PACS to a trained run, in a real browser against the real API, the
 * worker, PostgreSQL, Redis, S3 and Orthanc: Orthanc holds generated CT series of three patients
 * (and an MR study each that the query must not match); a researcher builds a version through
 * "Build a version from PACS" (the preview counts what the query matches), follows the import to
 * its end and opens the draft; a PI seals it through the seal dialog; a run is logged with the
 * requests the stock mlflow client sends for `mlflow.log_input` (its digest the manifest's
 * sha256 prefix, its source the version's caliper:// URI); the version page lists the run under
 * "Runs using this version" and the run page names the version among its inputs.
 * A second version is imported as de-identified copies (the wizard offers de-identification only
 * with copying); its labels and splits are set from files through the version page (refused files
 * show the server's message and change nothing), and the seal dialog comes filled in with the
 * de-identification the import recorded. Last, as it changes what Orthanc holds: version 1 is
 * verified against the PACS with no drift, then with one instance replaced and one deleted.
 * Fails on any console error, page error, or serious/critical axe violation.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
  type Auth,
  type Harness,
  type TestApi,
  type User,
  type WebApi,
} from './harness';

/** @caliper/pacs/testing and the worker's test harness, loaded by path (the web project may depend on neither). */
interface PacsTesting {
  sampleBytes(name: string): Buffer;
  newUid(): string;
  dicomVariant(sample: Buffer, v: CtInstance & { seriesDescription?: string }): Buffer;
  startTestOrthanc(): Promise<{
    url: string;
    dicomWebUrl: string;
    client: { store(parts: Buffer[]): Promise<{ failed?: unknown[] }> };
    stop(): Promise<void>;
  }>;
}
interface WorkerHarness {
  startTestWorker(db: unknown, s3: unknown, env: Record<string, string>): Promise<{ close(): Promise<void> }>;
}
type FullTestApi = TestApi & { db: unknown; objects: unknown };

type CtInstance = { patientId: string; studyInstanceUid?: string; seriesInstanceUid?: string; sopInstanceUid?: string };
type Orthanc = Awaited<ReturnType<PacsTesting['startTestOrthanc']>>;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('a dataset version built from the PACS, sealed and used by a run, in Chromium', () => {
  let web: WebApi<FullTestApi> | undefined;
  let filesDir: string;
  let harness: Harness;
  let pacs: PacsTesting;
  let deidentificationMethod: string;
  /** The CT instances stored in Orthanc, with the sha256 of the bytes stored. */
  const ctInstances: (Required<CtInstance> & { sha256: string })[] = [];
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
  let deidVersionUrl: string;
  const onProblem = failOnPageProblems();

  async function signedIn(user: User, next: string): Promise<Page> {
    const page = await openPage(browser, onProblem, {
      // A refused label or split file is a failed request the browser logs; the page shows its reason.
      expected: (msg) => /status of 400/.test(msg.text()) && /\/(labels|splits)$/.test(msg.location().url),
    });
    await signIn(page, api.base, user, next);
    return page;
  }

  /** A definition list's terms and values as [term, value] pairs. */
  const pairs = async (page: Page, group: string): Promise<string[][]> => {
    const items = await page.getByRole('group', { name: group }).locator('dl > div').all();
    return Promise.all(items.map(async (i) => [(await i.locator('dt').innerText()).trim(), (await i.locator('dd').innerText()).trim()]));
  };

  /** A table's body rows as the texts of their cells, header cells included. */
  const tableRows = async (page: Page, name: string): Promise<string[][]> => {
    const rows = await page.getByRole('table', { name }).locator('tbody tr').all();
    return Promise.all(rows.map(async (row) => (await row.locator('th, td').allInnerTexts()).map((t) => t.trim())));
  };

  const squashed = (text: string) => text.replace(/\s+/g, ' ').trim();

  /** A CSV file of `lines` to choose in a file picker. */
  const csvFile = (name: string, lines: string[]): string => {
    const file = path.join(filesDir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };

  beforeAll(async () => {
    filesDir = mkdtempSync(path.join(tmpdir(), 'caliper-item-files-'));
    const [p, workers, deid] = await Promise.all([
      import(path.join(repoRoot, 'libs/pacs/src/testing')) as Promise<PacsTesting>,
      import(path.join(repoRoot, 'apps/worker/src/__tests__/worker-harness')) as Promise<WorkerHarness>,
      import(path.join(repoRoot, 'libs/pacs/src/deidentify')) as Promise<{ DEIDENTIFICATION_METHOD: string }>,
    ]);
    pacs = p;
    deidentificationMethod = deid.DEIDENTIFICATION_METHOD;
    orthanc = await pacs.startTestOrthanc();
    // 3 patients × one CT series of 2 instances, and an MR study each (not matched by a CT query).
    const ct = pacs.sampleBytes('CT_small.dcm');
    const mr = pacs.sampleBytes('MR_small.dcm');
    const files: Buffer[] = [];
    for (let p = 0; p < 3; p++) {
      const patientId = `PACS-E2E-${p}`;
      const studyInstanceUid = pacs.newUid();
      const seriesInstanceUid = pacs.newUid();
      for (let i = 0; i < 2; i++) {
        const instance = { patientId, studyInstanceUid, seriesInstanceUid, sopInstanceUid: pacs.newUid() };
        const bytes = pacs.dicomVariant(ct, { ...instance, seriesDescription: 'Chest CT' });
        files.push(bytes);
        ctInstances.push({ ...instance, sha256: sha256(bytes) });
      }
      files.push(pacs.dicomVariant(mr, { patientId }));
    }
    expect((await orthanc.client.store(files)).failed ?? []).toEqual([]);

    web = await startWebApi<FullTestApi>({ PACS_DICOMWEB_URL: orthanc.dicomWebUrl });
    ({ api, harness } = web);
    worker = await workers.startTestWorker(api.db, api.objects, { PACS_DICOMWEB_URL: orthanc.dicomWebUrl });
    const { projectId, members } = await newProjectWith(web, 'pacs-e2e', ['RESEARCHER', 'PI']);
    [researcher, pi] = members;
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
    browser = await launchChromium();
  }, 240000);

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await web?.close();
    await orthanc?.stop();
    if (filesDir) rmSync(filesDir, { recursive: true, force: true });
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
        expect.stringMatching(/^(just now|\d+ min ago)$/),
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

  it('a researcher imports de-identified copies through the wizard, then sets their labels and splits from files', async () => {
    const page = await signedIn(researcher, `/datasets/${datasetId}`);
    await page.getByRole('button', { name: 'Build a version from PACS' }).click();
    const wizard = page.getByRole('region', { name: 'New version from PACS' });
    await wizard.getByLabel('Modalities').fill('CT');
    await wizard.getByLabel('Series description').fill('Chest*');
    await wizard.getByRole('button', { name: 'Preview', exact: true }).click();
    await wizard.getByRole('button', { name: 'Next: options' }).click();
    await wizard.getByLabel('Split seed').fill('pacs-deid-seed');
    // Offered with copies only: instances referenced in the PACS are never rewritten.
    const deidentify = wizard.getByRole('checkbox', { name: /^De-identify each copy/ });
    await eventually(async () => expect(await deidentify.count()).toBe(0));
    await wizard.getByLabel('Copy them into the datasets bucket (S3), stored under their sha256').check();
    await deidentify.check();
    await expectAccessible(page, 'PACS import options with de-identification');
    await wizard.getByRole('button', { name: 'Create the draft and import' }).click();
    await wizard.getByRole('status').filter({ hasText: 'Import finished: 6 instances imported.' }).waitFor({ timeout: 60000 });
    await wizard.getByRole('link', { name: 'Open version 2' }).click();
    await page.getByRole('heading', { level: 1, name: 'Chest CT from PACS, version 2' }).waitFor();
    deidVersionUrl = new URL(page.url()).pathname;
    await page.getByText('6 items; 6 loaded.').waitFor();

    // The items' keys and patients, to write the files with (de-identified: none is a UID stored in Orthanc).
    type Item = { itemKey: string; patientKey: string; split: 'TRAIN' | 'VAL' | 'TEST' | null };
    const items = (
      (await harness.gqlOk(
        api,
        researcherAuth,
        'query($id: ID!) { datasetVersion(id: $id) { items(first: 50) { items { itemKey patientKey split } } } }',
        { id: deidVersionUrl.split('/').pop()! },
      )) as { datasetVersion: { items: { items: Item[] } } }
    ).datasetVersion.items.items;
    expect(items).toHaveLength(6);
    expect(items.filter((i) => ctInstances.some((c) => c.sopInstanceUid === i.itemKey))).toEqual([]);
    const patients = [...new Set(items.map((i) => i.patientKey))].map((key) => ({
      key,
      items: items.filter((i) => i.patientKey === key).map((i) => i.itemKey),
      split: items.find((i) => i.patientKey === key)!.split!,
    }));
    expect(patients.map((p) => p.items.length)).toEqual([2, 2, 2]);
    const keys = items.map((i) => i.itemKey);

    // Labels: a good file labels every item; one naming an item the version lacks is refused whole.
    const itemFiles = page.getByRole('region', { name: 'Labels and splits from files' });
    const labels = itemFiles.getByRole('form', { name: 'Labels file' });
    await labels
      .getByLabel('Labels file (CSV or JSON)')
      .setInputFiles(csvFile('labels.csv', ['sop_instance_uid,label', ...keys.map((k, i) => `${k},${i < 4 ? 'fracture' : 'normal'}`)]));
    await labels.getByRole('button', { name: 'Apply labels' }).click();
    await eventually(async () =>
      expect(squashed(await labels.getByRole('status').innerText())).toBe('Labels applied 6 items labelled, 0 unchanged (6 rows).'),
    );
    await eventually(async () =>
      expect(await tableRows(page, 'Counts per label')).toEqual([
        ['fracture', '4'],
        ['normal', '2'],
      ]),
    );
    await labels
      .getByLabel('Labels file (CSV or JSON)')
      .setInputFiles(csvFile('labels-unknown.csv', ['sop_instance_uid,label', `${keys[0]},normal`, '1.2.840.99999.1,normal']));
    await labels.getByRole('button', { name: 'Apply labels' }).click();
    await eventually(async () =>
      expect(squashed(await labels.getByRole('alert').innerText())).toBe(
        'The labels file is refused: line 3: version 2 has no item 1.2.840.99999.1. Nothing was stored.',
      ),
    );
    await eventually(async () => expect(await labels.getByRole('status').count()).toBe(0));
    await eventually(async () =>
      expect(await tableRows(page, 'Counts per label')).toEqual([
        ['fracture', '4'],
        ['normal', '2'],
      ]),
    );

    // Splits, per patient: [label, items, patients, studies] rows in the table's order (by split name).
    const SPLIT = { TRAIN: ['train', 'Train'], VAL: ['val', 'Validation'], TEST: ['test', 'Test'] } as const;
    const splitRows = (placed: { split: keyof typeof SPLIT }[]) =>
      (['TEST', 'TRAIN', 'VAL'] as const)
        .map((s) => [SPLIT[s][1], placed.filter((p) => p.split === s).length] as const)
        .filter(([, n]) => n > 0)
        .map(([name, n]) => [name, String(2 * n), String(n), String(n)]);
    await eventually(async () => expect(await tableRows(page, 'Counts per split')).toEqual(splitRows(patients)));

    // One patient put in two splits: refused, naming both rows, and nothing moves.
    const [first, ...others] = patients;
    const splits = itemFiles.getByRole('form', { name: 'Split file' });
    await splits
      .getByLabel('Split file (CSV)')
      .setInputFiles(
        csvFile('splits-two.csv', [
          'sop_instance_uid,split',
          `${first!.items[0]},train`,
          `${first!.items[1]},test`,
          ...others.flatMap((p) => p.items.map((k) => `${k},val`)),
        ]),
      );
    await splits.getByRole('button', { name: 'Apply splits' }).click();
    await eventually(async () =>
      expect(squashed(await splits.getByRole('alert').innerText())).toBe(
        `The split file is refused: line 3 puts instance ${first!.items[1]} in test, but line 2 put instance ${first!.items[0]} in train: ` +
          `both are of patient ${first!.key.slice(0, 12)}…, and a patient is in one split only. Nothing was stored.`,
      ),
    );
    await eventually(async () => expect(await tableRows(page, 'Counts per split')).toEqual(splitRows(patients)));

    // Every patient moved to the next split: the answer counts them, and so does the page.
    const next = { TRAIN: 'VAL', VAL: 'TEST', TEST: 'TRAIN' } as const;
    const moved = patients.map((p) => ({ ...p, split: next[p.split] }));
    await splits
      .getByLabel('Split file (CSV)')
      .setInputFiles(
        csvFile('splits.csv', ['sop_instance_uid,split', ...moved.flatMap((p) => p.items.map((k) => `${k},${SPLIT[p.split][0]}`))]),
      );
    await splits.getByRole('button', { name: 'Apply splits' }).click();
    const per = (s: keyof typeof SPLIT) => {
      const n = moved.filter((p) => p.split === s).length;
      return `${SPLIT[s][1]}: ${n} ${n === 1 ? 'patient' : 'patients'}, ${2 * n} items`;
    };
    await eventually(async () =>
      expect(squashed(await splits.getByRole('status').innerText())).toBe(
        `Splits applied 3 patients placed, 6 items moved to another split (6 rows). ${per('TRAIN')} ${per('VAL')} ${per('TEST')}`,
      ),
    );
    await eventually(async () => expect(await tableRows(page, 'Counts per split')).toEqual(splitRows(moved)));
    await page.getByText('Explicit, from split files', { exact: false }).waitFor();
    await expectAccessible(page, 'draft with labels and splits from files');
    await page.context().close();
  }, 120000);

  it('a PI seals the de-identified version: the dialog is filled in with the de-identification the import recorded', async () => {
    expect(deidentificationMethod).toMatch(/^DICOM PS3\.15 Basic Application Level Confidentiality Profile \(dcmjs \d+\.\d+\.\d+\)$/);
    const page = await signedIn(pi, deidVersionUrl);
    await page.getByRole('button', { name: 'Seal…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Seal version 2' });
    await eventually(async () => expect(await dialog.getByLabel('De-identification method').inputValue()).toBe(deidentificationMethod));
    const summary = await eventually(async () => {
      const text = await dialog.getByLabel('What de-identification changed').inputValue();
      expect(text).toMatch(
        /^Applied to 6 instances copied from the PACS: \d+ attributes emptied \(dcmjs anonymizer list\), 12 PatientID\/PatientName values replaced by the pseudonymous patient key, \d+ private attributes removed, \d+ UIDs replaced by hash-based UIDs under 2\.25 \(keyed per project, consistent across instances\); PatientIdentityRemoved YES and DeidentificationMethod set in each instance\.$/,
      );
      return text;
    });
    await expectAccessible(page, 'seal dialog filled in from the import');
    await dialog.getByRole('button', { name: 'Seal version 2' }).click();
    await eventually(async () => expect(await page.getByTestId('manifest-sha256').innerText()).toMatch(/^[0-9a-f]{64}$/));
    await page.locator('.page-header').getByText('Sealed', { exact: true }).waitFor();
    const details = page.getByRole('region', { name: 'Details' });
    await details.getByText(deidentificationMethod, { exact: true }).waitFor();
    await details.getByText(summary, { exact: true }).waitFor();
    await eventually(async () => expect(await page.getByRole('region', { name: 'Labels and splits from files' }).count()).toBe(0));
    await page.context().close();
  }, 60000);

  /** Orthanc's REST API: the internal id of an instance, then DELETE. */
  async function deleteFromOrthanc(sopInstanceUid: string): Promise<void> {
    const found = (await (await fetch(`${orthanc.url}/tools/lookup`, { method: 'POST', body: sopInstanceUid })).json()) as {
      ID: string;
      Type: string;
    }[];
    const instance = found.find((f) => f.Type === 'Instance');
    expect(instance).toBeDefined();
    expect((await fetch(`${orthanc.url}/instances/${instance!.ID}`, { method: 'DELETE' })).status).toBe(200);
  }

  // Last: it changes what Orthanc holds.
  it('version 1 verified against the PACS: no drift, then exactly the instance replaced and the one deleted', async () => {
    const page = await signedIn(researcher, versionUrl);
    const panel = page.getByRole('region', { name: 'Verification against the sources' });
    await panel.getByText('This version has not been verified yet.').waitFor();
    await panel.getByRole('button', { name: 'Verify against PACS' }).click();
    await eventually(
      async () =>
        expect(squashed(await panel.getByRole('status').filter({ hasText: 'No drift' }).innerText())).toMatch(
          /^No drift All 6 items are as recorded \(verified \S.*\)\.$/,
        ),
      60000,
    );
    await eventually(async () => expect(await panel.getByRole('table', { name: 'Drifted items' }).count()).toBe(0));

    // One instance stored again with other bytes under its SOP Instance UID, another deleted.
    const [changed, deleted] = [ctInstances[1]!, ctInstances[4]!];
    const { sha256: changedSha, ...identifiers } = changed;
    const replacement = pacs.dicomVariant(pacs.sampleBytes('CT_small.dcm'), { ...identifiers, seriesDescription: 'Chest CT, sent again' });
    expect(sha256(replacement)).not.toBe(changedSha);
    await deleteFromOrthanc(changed.sopInstanceUid);
    expect((await orthanc.client.store([replacement])).failed ?? []).toEqual([]);
    await deleteFromOrthanc(deleted.sopInstanceUid);

    await panel.getByRole('button', { name: 'Verify against PACS' }).click();
    await eventually(
      async () =>
        expect(squashed(await panel.getByRole('status').filter({ hasText: 'drifted' }).innerText())).toMatch(
          /^2 items have drifted 1 changed, 1 missing, 0 not checked; 4 of 6 as recorded \(verified \S.*\)\.$/,
        ),
      60000,
    );
    const byKey = (a: string[], b: string[]) => a[0]!.localeCompare(b[0]!);
    await eventually(async () =>
      expect((await tableRows(page, 'Drifted items')).sort(byKey)).toEqual(
        [
          [changed.sopInstanceUid, 'Changed', changedSha, sha256(replacement)],
          [
            deleted.sopInstanceUid,
            'Missing',
            deleted.sha256,
            expect.stringMatching(
              new RegExp(
                `^the PACS has no such instance: GET \\S+/instances/${deleted.sopInstanceUid.replace(/\./g, '\\.')}\\S* answered 404`,
              ),
            ),
          ],
        ].sort(byKey as (a: unknown[], b: unknown[]) => number),
      ),
    );
    await expectAccessible(page, 'verification with drift');
    await page.context().close();
  }, 120000);
});
