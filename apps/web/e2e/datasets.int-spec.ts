/**
 * The datasets pages in a real browser against the real API (PostgreSQL, S3): a researcher creates
 * a dataset and an empty version, uploads generated DICOM files (one bad file refused with the
 * server's reason) and reads the counts per split; a PI seals the version through the dialog and
 * sees its manifest sha256; the researcher derives version 2 leaving one item out, which shows in
 * the diff and in the lineage of both versions; a viewer sees neither the upload areas nor "Seal…".
 * Fails on any console error, page error, or serious/critical axe violation.
 */
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
  type TestApi,
  type User,
  type WebApi,
} from './harness';

/** The DICOM generator of @caliper/pacs/testing, loaded by path (the web project may not depend on the PACS library). */
interface DicomTesting {
  sampleBytes(name: string): Buffer;
  dicomVariant(sample: Buffer, v: { patientId: string }): Buffer;
}
const loadDicomTesting = (): Promise<DicomTesting> => import(path.join(repoRoot, 'libs/pacs/src/testing'));

describe('the datasets pages in Chromium (real API, PostgreSQL, S3)', () => {
  let web: WebApi | undefined;
  let filesDir: string;
  let api: TestApi;
  let browser: Browser;
  let researcher: User;
  let pi: User;
  let viewer: User;
  const goodFiles: string[] = [];
  let badFile: string;
  let versionOneUrl: string;
  let versionTwoUrl: string;
  let removedKey: string;
  const onProblem = failOnPageProblems();

  async function signedIn(user: User, next: string): Promise<Page> {
    // The refused upload is a failed request the browser logs; the page shows its reason.
    const page = await openPage(browser, onProblem, { expected: (msg) => /status of 400/.test(msg.text()) });
    await signIn(page, api.base, user, next);
    return page;
  }

  /** The counts-per-split table as [split, items, patients, studies] rows. */
  const splitCounts = async (page: Page): Promise<string[][]> => {
    const rows = await page.getByRole('table', { name: 'Counts per split' }).locator('tbody tr').all();
    return Promise.all(rows.map(async (row) => (await row.locator('th, td').allTextContents()).map((t) => t.trim())));
  };

  beforeAll(async () => {
    filesDir = mkdtempSync(path.join(tmpdir(), 'caliper-dicom-'));
    const [started, { dicomVariant, sampleBytes }] = await Promise.all([startWebApi(), loadDicomTesting()]);
    web = started;
    api = web.api;
    [researcher, pi, viewer] = (await newProjectWith(web, 'datasets-e2e', ['RESEARCHER', 'PI', 'VIEWER'])).members;
    // 4 patients × 2 instances.
    for (let i = 0; i < 8; i++) {
      const file = path.join(filesDir, `ct-${i}.dcm`);
      writeFileSync(file, dicomVariant(sampleBytes('CT_small.dcm'), { patientId: `PAT-${i % 4}` }));
      goodFiles.push(file);
    }
    badFile = path.join(filesDir, 'notes.dcm');
    writeFileSync(badFile, 'not a DICOM file, only some notes');
    browser = await launchChromium();
  }, 240000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    if (filesDir) rmSync(filesDir, { recursive: true, force: true });
  });

  it('a researcher creates a dataset and a version, uploads DICOM files and sees the counts per split', async () => {
    const page = await signedIn(researcher, '/datasets');
    await page.getByRole('button', { name: 'New dataset in Project datasets-e2e' }).click();
    await page.getByLabel('Name').fill('Chest CT cohort');
    await page.getByLabel('Description').fill('Generated CT instances');
    await page.getByRole('button', { name: 'Create dataset' }).click();
    await page.getByRole('heading', { level: 1, name: 'Chest CT cohort' }).waitFor();
    await page.getByText('No versions yet.').waitFor();

    await page.getByRole('button', { name: 'New version' }).click();
    await page.getByLabel('Split seed').fill('seed-e2e');
    await page.getByRole('button', { name: 'Create version' }).click();
    await page.getByRole('heading', { level: 1, name: 'Chest CT cohort, version 1' }).waitFor();
    versionOneUrl = new URL(page.url()).pathname;
    await eventually(async () => expect(await page.getByRole('button', { name: 'Seal…' }).count()).toBe(0));

    await page.getByLabel('DICOM files', { exact: true }).setInputFiles([...goodFiles, badFile]);
    await page.getByLabel('Label for these files').fill('nodule');
    await page.getByRole('button', { name: 'Upload 9 files' }).click();
    await page.getByRole('status').filter({ hasText: '8 of 9 uploaded, 1 failed.' }).waitFor();
    const failure = page.getByRole('alert').filter({ hasText: '1 file was not uploaded' });
    await eventually(async () => {
      const text = await failure.locator('li').innerText();
      expect(text).toMatch(/^notes\.dcm: \S/);
      expect(text).not.toContain('The server answered with status');
    });

    await eventually(async () => {
      const rows = await splitCounts(page);
      const sum = (col: number) => rows.reduce((n, r) => n + Number(r[col]), 0);
      expect(rows.map((r) => r[0]).every((s) => ['Train', 'Validation', 'Test'].includes(s ?? ''))).toBe(true);
      expect([sum(1), sum(2), sum(3)]).toEqual([8, 4, 8]);
    });
    await page.getByText('8 items; 8 loaded.').waitFor();
    const labels = page.getByRole('table', { name: 'Counts per label' });
    await eventually(async () => expect((await labels.locator('tbody tr').innerText()).replace(/\s+/g, ' ')).toBe('nodule 8'));
    await expectAccessible(page, 'draft version with uploads');
    removedKey = await eventually(async () => {
      const key = (await page.getByRole('region', { name: 'Items, scrollable' }).locator('tbody tr td').first().innerText()).trim();
      expect(key).toMatch(/^2\.25\.\d+$/);
      return key;
    });
    await page.context().close();
  }, 90000);

  it('a PI seals the version through the dialog and sees the sealed state and the manifest sha256', async () => {
    const page = await signedIn(pi, versionOneUrl);
    await page.getByRole('button', { name: 'Seal…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Seal version 1' });
    await dialog.getByText('irreversible').waitFor();
    await dialog.getByLabel('De-identification method').fill('DICOM PS3.15 basic profile');
    await dialog.getByLabel('What de-identification changed').fill('Names and IDs replaced; dates shifted.');
    await expectAccessible(page, 'seal dialog');
    await dialog.getByRole('button', { name: 'Seal version 1' }).click();
    await eventually(async () => expect(await page.getByTestId('manifest-sha256').innerText()).toMatch(/^[0-9a-f]{64}$/));
    await page.locator('.page-header').getByText('Sealed', { exact: true }).waitFor();
    await page.getByText('DICOM PS3.15 basic profile').waitFor();
    await eventually(async () => expect(await page.getByRole('button', { name: 'Seal…' }).count()).toBe(0));
    await eventually(async () => expect(await page.getByRole('heading', { name: 'Upload DICOM files' }).count()).toBe(0));
    await page.context().close();
  }, 60000);

  it('a version derived without one item shows it removed in the diff and in the lineage', async () => {
    const page = await signedIn(researcher, versionOneUrl);
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Chest CT cohort' }).click();
    await page.getByRole('heading', { level: 1, name: 'Chest CT cohort' }).waitFor();
    await page.getByRole('button', { name: 'New version' }).click();
    await eventually(async () => expect(await page.getByLabel('Start from').inputValue()).not.toBe(''));
    await page.getByLabel('Leave out items').fill(removedKey);
    await page.getByRole('button', { name: 'Create version' }).click();
    await page.getByRole('heading', { level: 1, name: 'Chest CT cohort, version 2' }).waitFor();
    versionTwoUrl = new URL(page.url()).pathname;

    const lineage = page.getByRole('region', { name: 'Lineage' });
    await lineage.getByRole('link', { name: 'Version 1' }).waitFor();
    await page.getByLabel('Compare with').selectOption({ label: 'Version 1' });
    const changes = page.getByRole('region', { name: 'Changes' });
    await eventually(async () => {
      const counts = await changes.locator('.ds-diff-counts > div').allInnerTexts();
      // The terms are shown in capitals (CSS); compared as words.
      expect(counts.map((c) => c.replace(/\s+/g, ' ').toLowerCase())).toEqual([
        'added 0',
        'removed 1',
        'moved to another split 0',
        'relabelled 0',
        'changed content 0',
        'unchanged 7',
      ]);
    });
    const row = changes.locator('tbody tr');
    await eventually(async () =>
      expect(await row.locator('td').allInnerTexts()).toEqual([removedKey, 'Removed', expect.any(String), 'nodule → —']),
    );
    await expectAccessible(page, 'derived version with diff');

    await lineage.getByRole('link', { name: 'Version 1' }).click();
    await page.getByRole('heading', { level: 1, name: 'Chest CT cohort, version 1' }).waitFor();
    await page.getByRole('region', { name: 'Lineage' }).getByRole('link', { name: 'Version 2' }).waitFor();
    await page.context().close();
  }, 60000);

  it('a viewer reads versions without upload or seal controls', async () => {
    const page = await signedIn(viewer, versionTwoUrl);
    await page.getByRole('heading', { level: 1, name: 'Chest CT cohort, version 2' }).waitFor();
    await page.getByText('7 items; 7 loaded.').waitFor();
    await eventually(async () => expect(await page.getByRole('heading', { name: 'Upload DICOM files' }).count()).toBe(0));
    await eventually(async () => expect(await page.getByLabel('DICOM files', { exact: true }).count()).toBe(0));
    await eventually(async () => expect(await page.getByRole('region', { name: 'Labels and splits from files' }).count()).toBe(0));
    await eventually(async () => expect(await page.getByRole('button', { name: 'Seal…' }).count()).toBe(0));
    await page.goto(`${api.base}/datasets`);
    await page.getByRole('link', { name: 'Chest CT cohort' }).waitFor();
    await eventually(async () => expect(await page.getByRole('button', { name: /New dataset/ }).count()).toBe(0));
    await expectAccessible(page, 'datasets list as a viewer');
    await page.context().close();
  }, 60000);
});
