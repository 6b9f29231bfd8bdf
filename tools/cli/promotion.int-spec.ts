/**
 * `caliper models promote|requests|provenance` as a user runs them (a process, a fresh HOME) against
 * the API and the worker, each a process of its own: versions registered from a run are validated by
 * the worker; a PI's `promote --wait` follows the evaluation gate on a sealed test set to "awaiting
 * signatures" and says who must still sign and where; a second request for the same stage, a
 * researcher's request and bad arguments are refused with the API's or commander's message;
 * `requests` lists them newest first; `provenance` writes the JSON and the PDF.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { createSealedEvaluationDataset, ctSlice, pngMask } from '@caliper/datasets/testing';
import { CaliperClient } from '@caliper/sdk';
import { ADMIN, ApiProcess, startApiProcess } from './api-process';

jest.setTimeout(240_000);
const BIN = path.resolve(__dirname, 'bin.js');
/** Fixed weights: a pixel is lesion when its windowed value is above 0.5 (tools/models/make_test_models.py). */
const SEG_THRESHOLD = path.resolve(__dirname, '../models/test-models/seg_threshold.onnx');

const CARD = {
  intendedUse: 'Liver lesion segmentation on portal-venous CT of adults, as a second reader.',
  outOfScopeUse: 'Paediatric CT; non-contrast CT.',
  trainingData: ['liver-ct v3'],
  validationData: ['liver-ct-test v1'],
  metrics: [{ name: 'dice', value: 0.89, threshold: 0.6 }],
  subgroups: [],
  limitations: 'Lesions under 5 mm are missed.',
  changes: 'Retrained on more scanners.',
};

interface CliResult {
  code: number;
  out: string;
  err: string;
}

describe('caliper models promote, requests, provenance', () => {
  let api: ApiProcess;
  let home: string;
  let piToken: string;
  let firstRequestId: string;

  function cli(args: string[], token = piToken): Promise<CliResult> {
    const env: Record<string, string | undefined> = { ...process.env, HOME: home, CALIPER_URL: api.base, CALIPER_TOKEN: token };
    delete env.XDG_CONFIG_HOME;
    return new Promise((resolve) => {
      const child = execFile('node', [BIN, ...args], { env }, (err, out, errOut) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out, err: errOut }),
      );
      child.stdin!.end('');
    });
  }
  const openRequests = async () =>
    (
      await api.query<{ version: number; status: string }>(
        `SELECT v.version, r.status FROM promotion_requests r JOIN model_versions v ON v.id = r.model_version_id ORDER BY r.requested_at`,
      )
    ).map((r) => `${r.version} ${r.status}`);

  beforeAll(async () => {
    api = await startApiProcess('liver-promotion', { worker: true });
    home = mkdtempSync(path.join(tmpdir(), 'caliper-home-'));

    // A PI of the project with a token: requesting a promotion is promotion.request, which a researcher lacks.
    const admin = new CaliperClient({ baseUrl: api.base, ...ADMIN });
    const pi = { username: `pi-${process.pid}`, password: 'pi-password-for-cli-tests' };
    await admin.graphql(`mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
      i: { username: pi.username, displayName: 'Dr P. Investigator', password: pi.password },
    });
    const projectId = (await api.query<{ id: string }>(`SELECT id FROM projects WHERE slug = $1`, [api.project]))[0]!.id;
    await admin.graphql(`mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { roles } }`, {
      i: { projectId, username: pi.username, roles: ['PI'] },
    });
    piToken = await new CaliperClient({ baseUrl: api.base, ...pi }).createApiToken(api.project, { name: 'cli tests', roles: ['pi'] });

    // The researcher logs the model and registers it twice; the worker validates both versions.
    const runId = (await cli(['runs', 'create', api.project], api.token)).out.trim();
    expect((await cli(['runs', 'upload', runId, SEG_THRESHOLD, '--path', 'model/seg.onnx'], api.token)).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const args = ['models', 'register', 'liver', '--project', api.project, '--run', runId, '--artifact', 'model/seg.onnx'];
      expect((await cli([...args, '--task', 'segmentation', '--labels', 'background,lesion'], api.token)).code).toBe(0);
    }
    for (const until = Date.now() + 120_000; ;) {
      const rows = await api.query<{ status: string }>(`SELECT status FROM model_version_validations`);
      if (rows.length === 2 && rows.every((r) => r.status === 'valid')) break;
      if (Date.now() > until) throw new Error(`validation did not finish: ${JSON.stringify(rows)}\n${api.workerOutput()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const cardFile = path.join(home, 'card.json');
    writeFileSync(cardFile, JSON.stringify(CARD));
    for (const v of ['1', '2'])
      expect((await cli(['models', 'card', 'set', 'liver', v, '--file', cardFile, '--project', api.project], api.token)).code).toBe(0);

    // Staging needs the evaluation gate here: Dice >= 0.6 on a sealed test set. The threshold model
    // segments the first two slices exactly and half of the third: Dice (1 + 1 + 2/3) / 3.
    const piId = (await api.query<{ id: string }>(`SELECT id FROM users WHERE username = $1`, [pi.username]))[0]!.id;
    const db = { query: (q: string, p?: unknown[]) => api.query(q, p) } as unknown as DataSource;
    const square = (x: number, y: number, x0: number, side: number) => x >= x0 && x < x0 + side && y >= x0 && y < x0 + side;
    // The API creates the datasets bucket on a project's first import; this test set is written directly.
    await api.objects.store.ensureBucket('caliper-datasets');
    const testSet = await createSealedEvaluationDataset(db, api.objects.store, {
      bucket: 'caliper-datasets',
      projectId,
      userId: piId,
      name: 'liver-ct-test',
      items: [
        {
          dicom: ctSlice(64, 64, (x, y) => (square(x, y, 16, 16) ? 100 : 0)),
          mask: pngMask(64, 64, (x, y) => (square(x, y, 16, 16) ? 255 : 0)),
        },
        { dicom: ctSlice(64, 64, () => 0), mask: pngMask(64, 64, () => 0) },
        {
          dicom: ctSlice(64, 64, (x, y) => (square(x, y, 8, 16) ? 100 : 0)),
          mask: pngMask(64, 64, (x, y) => (square(x, y, 8, 16) || square(x, y, 24, 16) ? 255 : 0)),
        },
      ],
    });
    // Clinical use asks for more than this model gives: its evaluation gate fails.
    for (const [stage, threshold] of [
      ['STAGING', 0.6],
      ['CLINICAL', 0.95],
    ] as const)
      await new CaliperClient({ baseUrl: api.base, token: piToken }).graphql(
        `mutation($i: SetPromotionPolicyInput!) { setPromotionPolicy(input: $i) { stage } }`,
        {
          i: {
            projectId,
            modelName: 'liver',
            stage,
            requiredRoles: ['clinical_approver', 'qa'],
            requiredSignatures: 2,
            testDatasetVersionId: testSet.versionId,
            acceptance: [{ metric: 'dice', op: '>=', threshold }],
            requireCard: true,
          },
        },
      );
  });
  afterAll(() => api?.close());

  it('promotes a version to staging, following the evaluation gate, and says who signs where', async () => {
    const r = await cli([
      'models',
      'promote',
      'liver',
      '1',
      '--to',
      'staging',
      '--reason',
      'pilot on the staging site',
      '--wait',
      '--project',
      api.project,
    ]);
    expect(r).toMatchObject({ code: 0, err: 'waiting for the evaluation gate (at most 10 min)\n' });
    const [request] = await api.query<{ id: string; status: string }>(`SELECT id, status FROM promotion_requests`);
    expect(request).toMatchObject({ status: 'awaiting_signatures' });
    firstRequestId = request!.id;
    // What it printed when it opened the request, then what the worker decided.
    const [opened, decided] = r.out.split('\n\n');
    expect(opened).toContain(`promotion request ${firstRequestId}: liver version 1 none -> staging\nstatus: evaluating\n`);
    expect(opened).toMatch(/\n {2}evaluation: pending\. Queued on liver-ct-test v1 \(3 test items\)\.\n/);
    expect(decided).toContain(`promotion request ${firstRequestId}: liver version 1 none -> staging\nstatus: awaiting_signatures\n`);
    expect(decided).toMatch(
      /\ngates:\n {2}onnx_validation: passed\. model\/seg\.onnx loads in onnxruntime-node .*\n {2}model_card: passed\. /,
    );
    expect(decided).toMatch(/\n {2}evaluation: passed\. /);
    expect(decided).toMatch(/\nevaluation: passed on 3 test items, manifest sha256 [0-9a-f]{64}\n/);
    expect(decided).toMatch(/\n {2}METRIC +VALUE +CRITERION +RESULT\n {2}dice +0\.8889 +>= 0\.6 +passed\n {2}other metrics: iou 0\.8333\n/);
    expect(decided).toContain('\nsignatures: 2 of clinical_approver, qa\nmissing roles: clinical_approver, qa\n');
    expect(decided).toContain(
      `\nsigners sign in the web app (the CLI never signs): /models/liver-promotion/liver/requests/${firstRequestId}\n`,
    );
  });

  it.each<[string, string[], () => string, RegExp]>([
    [
      'a second open request for the same stage',
      ['promote', 'liver', '1', '--to', 'staging'],
      () => piToken,
      /^caliper: refused \(CONFLICT\): Version 1 already has an open request for staging; sign, or cancel it, first\.\n$/,
    ],
    [
      "a researcher's request",
      ['promote', 'liver', '2', '--to', 'staging'],
      () => api.token,
      /^caliper: refused \(FORBIDDEN\): .*request promotions/,
    ],
    [
      'a version that does not exist',
      ['promote', 'liver', '9', '--to', 'staging'],
      () => piToken,
      /refused \(NOT_FOUND\): .*version=9\) not found/,
    ],
    [
      'a rollback without a reason',
      ['promote', 'liver', '2', '--to', 'clinical', '--rollback'],
      () => piToken,
      /refused \(BAD_USER_INPUT\): reason: a rollback needs a reason/,
    ],
  ])('refuses %s with the API message and exit code 1, opening nothing', async (_what, args, token, message) => {
    const r = await cli(['models', ...args, '--project', api.project], token());
    expect(r).toMatchObject({ code: 1, out: '' });
    expect(r.err).toMatch(message);
    expect(await openRequests()).toEqual(['1 awaiting_signatures']);
  });

  it.each<[string, string[], RegExp]>([
    [
      'a target not in the list',
      ['promote', 'liver', '1', '--to', 'production'],
      /option '--to <stage>' argument 'production' is invalid\. must be one of staging, clinical, retired/,
    ],
    ['promote without --to', ['promote', 'liver', '1'], /required option '--to <stage>' not specified/],
    [
      'a version that is not a number',
      ['promote', 'liver', 'v1', '--to', 'staging'],
      /'v1' is invalid for argument 'version'\. must be a version number/,
    ],
    [
      'a provenance format not in the list',
      ['provenance', 'liver', '1', '--format', 'xml'],
      /option '--format <json\|pdf>' argument 'xml' is invalid\. must be one of json, pdf/,
    ],
    ['a PDF with nowhere to write it', ['provenance', 'liver', '1', '--format', 'pdf'], /--format pdf needs --out <file>/],
  ])('refuses %s before asking the API', async (_what, args, message) => {
    const r = await cli(['models', ...args, '--project', api.project]);
    expect(r.code).not.toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
    expect(await openRequests()).toEqual(['1 awaiting_signatures']);
  });

  it("lists the model's requests newest first, as a table and as JSON", async () => {
    const opened = await cli(['models', 'promote', 'liver', '2', '--to', 'staging', '--json', '--project', api.project]);
    expect(opened.code).toBe(0);
    const second = JSON.parse(opened.out) as { id: string; status: string; version: number; missingRoles: string[] };
    expect(second).toMatchObject({ version: 2, status: 'EVALUATING', missingRoles: ['clinical_approver', 'qa'] });

    const table = await cli(['models', 'requests', 'liver', '--project', api.project]);
    expect(table).toMatchObject({ code: 0, err: '' });
    const lines = table.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +VERSION +FROM -> TO +STATUS +REQUESTED BY +WHEN \(UTC\) +MISSING ROLES$/);
    // The second request may still be evaluating or already decided: the worker runs meanwhile.
    expect(lines[1]).toMatch(
      new RegExp(
        `^${second.id.slice(0, 8)} +2 +none -> staging +(evaluating|awaiting_signatures) +pi-\\d+ +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +clinical_approver, qa$`,
      ),
    );
    expect(lines[2]).toMatch(
      new RegExp(
        `^${firstRequestId.slice(0, 8)} +1 +none -> staging +awaiting_signatures +pi-\\d+ +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +clinical_approver, qa$`,
      ),
    );
    expect(lines).toHaveLength(3);

    const json = await cli(['models', 'requests', 'liver', '--json', '--project', api.project]);
    expect((JSON.parse(json.out) as { id: string }[]).map((r) => r.id)).toEqual([second.id, firstRequestId]);
  });

  it("writes a version's provenance as JSON (to stdout or a file) and as a PDF", async () => {
    const files = await api.query<{ path: string; sha256: string }>(
      `SELECT f.path, f.sha256 FROM model_version_files f JOIN model_versions v ON v.id = f.model_version_id WHERE v.version = 1`,
    );
    expect(files.length).toBeGreaterThan(0);

    const printed = await cli(['models', 'provenance', 'liver', '1', '--format', 'json', '--project', api.project]);
    expect(printed).toMatchObject({ code: 0, err: '' });
    const provenance = JSON.parse(printed.out) as { version: { version: number; files: { path: string; sha256: string }[] } };
    expect(provenance.version.version).toBe(1);
    expect(provenance.version.files.map((f) => ({ path: f.path, sha256: f.sha256 }))).toEqual(expect.arrayContaining(files));

    const jsonFile = path.join(home, 'provenance.json');
    const wroteJson = await cli(['models', 'provenance', 'liver', '1', '--format', 'json', '--out', jsonFile, '--project', api.project]);
    expect(wroteJson.out).toMatch(/^wrote .*provenance\.json \(\d+ bytes\)\n$/);
    expect(JSON.parse(readFileSync(jsonFile, 'utf8'))).toMatchObject({ version: { version: 1 } });

    const pdf = path.join(home, 'provenance.pdf');
    const wrotePdf = await cli(['models', 'provenance', 'liver', '1', '--format', 'pdf', '--out', pdf, '--project', api.project]);
    expect(wrotePdf).toMatchObject({ code: 0, err: '' });
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('exits 1 when the evaluation gate it waited for fails, showing the criterion that failed', async () => {
    const r = await cli(['models', 'promote', 'liver', '2', '--to', 'clinical', '--wait', '--project', api.project]);
    expect(r).toMatchObject({ code: 1, err: 'waiting for the evaluation gate (at most 10 min)\n' });
    const decided = r.out.split('\n\n')[1];
    expect(decided).toMatch(/: liver version 2 none -> clinical\nstatus: gate_failed\n/);
    expect(decided).toMatch(/\n {2}evaluation: failed\. /);
    expect(decided).toMatch(/\n {2}dice +0\.8889 +>= 0\.95 +failed\n/);
    expect(decided).not.toMatch(/signatures|signers sign/);
    expect((await openRequests()).filter((x) => x.startsWith('2 '))).toEqual([
      expect.stringMatching(/^2 (evaluating|awaiting_signatures)$/),
      '2 gate_failed',
    ]);
  });
});
