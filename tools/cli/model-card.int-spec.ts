/**
 * `caliper models card show|set|export` as a user runs them (a process, a fresh HOME) against the
 * API as its own process: an unwritten card shows what is missing, a card set from a file reads
 * back complete, `show --json` is what `set --file` takes, both exports are written, and bad input,
 * an unknown model and a signed card are each refused with a message, changing nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiProcess, startApiProcess } from './api-process';

jest.setTimeout(90_000);
const BIN = path.resolve(__dirname, 'bin.js');
const SEG = path.resolve(__dirname, '../models/test-models/seg2d.onnx');

const CARD = {
  intendedUse: 'Liver segmentation on portal-venous CT for transplant volumetry, reviewed by a radiologist.',
  outOfScopeUse: 'Non-contrast CT; children.',
  trainingData: ['liver-ct v2'],
  validationData: [],
  metrics: [{ name: 'dice', value: 0.93, threshold: 0.9 }],
  subgroups: [{ group: 'BMI >= 30', metric: 'dice', value: 0.91 }],
  limitations: 'Not tested after resection.',
  changes: '',
};

interface CliResult {
  code: number;
  out: string;
  err: string;
}

describe('caliper models card', () => {
  let api: ApiProcess;
  let home: string;
  const file = (name: string, content: unknown) => {
    const p = path.join(home, name);
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
    return p;
  };
  const storedCard = async (version: number) =>
    (
      await api.query<{ content: typeof CARD }>(
        `SELECT c.content FROM model_cards c JOIN model_versions v ON v.id = c.model_version_id
           JOIN registered_models m ON m.id = v.registered_model_id WHERE m.name = 'liver' AND v.version = $1`,
        [version],
      )
    )[0]?.content ?? null;

  function cli(args: string[]): Promise<CliResult> {
    const env: Record<string, string | undefined> = { ...process.env, HOME: home, CALIPER_URL: api.base, CALIPER_TOKEN: api.token };
    delete env.XDG_CONFIG_HOME;
    return new Promise((resolve) => {
      const child = execFile('node', [BIN, ...args], { env }, (err, out, errOut) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out, err: errOut }),
      );
      child.stdin!.end('');
    });
  }

  beforeAll(async () => {
    api = await startApiProcess('liver-cards');
    home = mkdtempSync(path.join(tmpdir(), 'caliper-home-'));
    const runId = (await cli(['runs', 'create', api.project])).out.trim();
    expect((await cli(['runs', 'upload', runId, SEG, '--path', 'model/seg2d.onnx'])).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const registered = await cli(
        ['models', 'register', 'liver', '--project', api.project, '--run', runId, '--artifact', 'model/seg2d.onnx'].concat([
          '--task',
          'segmentation',
          '--labels',
          'background,liver',
        ]),
      );
      expect(registered.code).toBe(0);
    }
  });
  afterAll(() => api?.close());

  it('shows an unwritten card, sets one from a file, shows and exports it', async () => {
    const empty = await cli(['models', 'card', 'show', 'liver', '1', '--project', api.project]);
    expect(empty).toMatchObject({ code: 0, err: '' });
    expect(empty.out).toMatch(
      /^model card of liver version 1 \(not written yet\)\nmissing: intended use, out-of-scope use, training data, metrics, limitations\n/,
    );

    const set = await cli(['models', 'card', 'set', 'liver', '1', '--file', file('card.json', CARD), '--project', api.project]);
    expect(set).toMatchObject({ code: 0, out: 'saved the model card of liver version 1; complete\n' });
    expect(await storedCard(1)).toEqual(CARD);

    const shown = await cli(['models', 'card', 'show', 'liver', '1', '--project', api.project]);
    expect(shown.out).toContain('\ncomplete\n');
    expect(shown.out).toContain('  - dice: 0.93 (threshold 0.9)');
    expect(shown.out).toContain('  - BMI >= 30: dice 0.91');

    // What `show --json` prints, `set --file` takes back (onto version 2, where changes are still missing).
    const json = await cli(['models', 'card', 'show', 'liver', '1', '--project', api.project, '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ ...CARD, missingSections: [], locked: false });
    const copied = await cli(['models', 'card', 'set', 'liver', '2', '--file', file('copy.json', json.out), '--project', api.project]);
    expect(copied).toMatchObject({
      code: 0,
      out: 'saved the model card of liver version 2; still missing: changes from the previous version\n',
    });
    expect(await storedCard(2)).toEqual(CARD);

    const md = path.join(home, 'card.md');
    const wroteMd = await cli(['models', 'card', 'export', 'liver', '1', '--format', 'md', '--out', md, '--project', api.project]);
    expect(wroteMd.code).toBe(0);
    expect(wroteMd.out).toMatch(/^wrote .*card\.md \(\d+ bytes\)\n$/);
    const text = readFileSync(md, 'utf8');
    expect(text).toContain('# Model card: liver version 1');
    expect(text).toContain('| dice | 0.93 | 0.9 |');
    const pdf = path.join(home, 'card.pdf');
    expect((await cli(['models', 'card', 'export', 'liver', '1', '--format', 'pdf', '--out', pdf, '--project', api.project])).code).toBe(0);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it.each<[string, () => string[], RegExp]>([
    [
      'a version that is not a number',
      () => ['show', 'liver', 'latest'],
      /'latest' is invalid for argument 'version'\. must be a version number/,
    ],
    [
      'an unknown format',
      () => ['export', 'liver', '1', '--format', 'docx', '--out', path.join(home, 'x')],
      /--format.*must be one of md, pdf/,
    ],
    ['set without --file', () => ['set', 'liver', '1'], /required option '--file <card\.json>' not specified/],
    [
      'a file that is not JSON',
      () => ['set', 'liver', '1', '--file', file('bad.json', '{ not json')],
      /--file .*bad\.json: not valid JSON/,
    ],
    [
      'a metric value that is not a number',
      () => [
        'set',
        'liver',
        '1',
        '--file',
        file('badmetric.json', { ...CARD, metrics: [{ name: 'dice', value: 'high', threshold: null }] }),
      ],
      /Invalid model card: metrics\.0\.value/,
    ],
    ['a model that does not exist', () => ['show', 'kidney', '1'], /Registered Model with name=kidney not found/],
    [
      'a version that does not exist',
      () => ['export', 'liver', '9', '--format', 'md', '--out', path.join(home, 'v9.md')],
      /version=9\) not found/,
    ],
  ])('refuses %s with a message, changing nothing', async (_what, args, message) => {
    const r = await cli(['models', 'card', ...args(), '--project', api.project]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(message);
    expect(await storedCard(1)).toEqual(CARD);
  });

  it('refuses to set a signed card, saying when it was signed', async () => {
    await api.query(
      `UPDATE model_cards SET locked_at = '2026-11-30T12:00:00Z' WHERE model_version_id =
        (SELECT v.id FROM model_versions v JOIN registered_models m ON m.id = v.registered_model_id WHERE m.name = 'liver' AND v.version = 1)`,
    );
    const r = await cli([
      'models',
      'card',
      'set',
      'liver',
      '1',
      '--file',
      file('late.json', { ...CARD, limitations: 'late' }),
      '--project',
      api.project,
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("Version 1's model card was signed on 2026-11-30 and cannot change; register a new version to change it.");
    expect(await storedCard(1)).toEqual(CARD);
    const shown = await cli(['models', 'card', 'show', 'liver', '1', '--project', api.project]);
    expect(shown.out).toMatch(/^model card of liver version 1 \(signed, locked since 2026-11-30T12:00:00\.000Z\)/);
  });
});
