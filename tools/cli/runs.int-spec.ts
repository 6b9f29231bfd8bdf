/**
 * The `caliper` CLI's client commands as a user runs them (a process, a fresh HOME), against the
 * API as its own process: login stores credentials privately, runs are created, logged to,
 * uploaded to, finished, listed and shown, and the server stores what was sent.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CaliperClient } from '@caliper/sdk';
import { ApiProcess, startApiProcess } from './api-process';

jest.setTimeout(90_000);
const BIN = path.resolve(__dirname, 'bin.js');

interface CliResult {
  code: number;
  out: string;
  err: string;
}

describe('caliper login and runs commands', () => {
  let api: ApiProcess;
  let home: string;
  let client: CaliperClient;

  function cli(args: string[], opts: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliResult> {
    const env: Record<string, string | undefined> = { ...process.env, HOME: home, ...opts.env };
    delete env.XDG_CONFIG_HOME;
    if (!opts.env?.CALIPER_URL) delete env.CALIPER_URL;
    if (!opts.env?.CALIPER_TOKEN) delete env.CALIPER_TOKEN;
    return new Promise((resolve) => {
      const child = execFile('node', [BIN, ...args], { env }, (err, out, errOut) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out, err: errOut }),
      );
      child.stdin!.end(opts.stdin ?? '');
    });
  }
  const withToken = () => ({ env: { CALIPER_URL: api.base, CALIPER_TOKEN: api.token } });

  beforeAll(async () => {
    api = await startApiProcess('hip-fracture');
    client = new CaliperClient({ baseUrl: api.base, token: api.token });
  });
  afterAll(() => api?.close());
  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'caliper-home-'));
  });

  it('logs in with a token, stores it with mode 600, and uses it', async () => {
    const notYet = await cli(['runs', 'ls', api.project]);
    expect(notYet.code).toBe(2);
    expect(notYet.err).toMatch(/not logged in: run `caliper login/);

    const login = await cli(['login', '--url', api.base, '--token', '-'], { stdin: `${api.token}\n` });
    expect(login).toMatchObject({ code: 0, out: expect.stringMatching(new RegExp(`logged in to .* as ${api.researcher.username}`)) });
    const file = path.join(home, '.config/caliper/credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ url: api.base, token: api.token, username: api.researcher.username });

    const created = await cli(['runs', 'create', api.project, '--name', 'from-stored-credentials']);
    expect(created.code).toBe(0);
    expect((await client.runs.get(created.out.trim())).name).toBe('from-stored-credentials');
  });

  it('logs in with a password, issuing a project token', async () => {
    const login = await cli(['login', '--url', api.base, '--username', api.researcher.username, '--project', api.project], {
      stdin: `${api.researcher.password}\n`,
    });
    expect(login.code).toBe(0);
    const stored = JSON.parse(readFileSync(path.join(home, '.config/caliper/credentials.json'), 'utf8')) as { token: string };
    expect(stored.token).toMatch(/^clp_[0-9a-f]{16}_[0-9a-f]{64}$/);
    expect(stored.token).not.toBe(api.token);
    expect((await cli(['runs', 'ls', api.project])).code).toBe(0);
  });

  it('refuses a wrong token at login, saying why', async () => {
    const r = await cli(['login', '--url', api.base, '--token', `clp_${'1'.repeat(16)}_${'2'.repeat(64)}`]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/401 UNAUTHENTICATED/);
  });

  it('creates, logs, uploads, finishes, lists and shows a run', async () => {
    const created = await cli(
      [
        'runs',
        'create',
        api.project,
        '-e',
        'cli',
        '-n',
        'cli-run',
        '-p',
        'lr=0.01',
        '-p',
        'optimizer=adam',
        '-t',
        'site=oslo',
        '--git-commit',
        'deadbeef',
      ],
      withToken(),
    );
    expect(created.code).toBe(0);
    const runId = created.out.trim();
    expect(runId).toMatch(/^[0-9a-f]{32}$/);

    const jsonl = path.join(home, 'metrics.jsonl');
    const lines = [JSON.stringify({ params: { epochs: 3 } }), JSON.stringify({ tags: { stage: 'train' } })];
    for (let step = 0; step < 2500; step++)
      lines.push(JSON.stringify({ key: 'loss', value: 1 / (step + 1), step, timestamp: 1_700_000_000_000 + step }));
    writeFileSync(jsonl, lines.join('\n') + '\n');
    const logged = await cli(['runs', 'log', runId, '-m', 'val_dice=0.81@3', '-m', 'val_dice=0.85@4', '--file', jsonl], withToken());
    expect(logged).toMatchObject({ code: 0, out: `logged 2502 metric point(s), 1 param(s), 1 tag(s) to run ${runId}\n` });

    const file = path.join(home, 'weights.bin');
    const content = randomBytes(2 * 1024 * 1024);
    writeFileSync(file, content);
    const uploaded = await cli(['runs', 'upload', runId, file, '--path', 'checkpoints/final.bin'], withToken());
    const sha256 = createHash('sha256').update(content).digest('hex');
    expect(uploaded).toMatchObject({
      code: 0,
      out: `uploaded checkpoints/final.bin (${content.length} bytes, sha256 ${sha256}) to run ${runId}\n`,
    });

    expect(await cli(['runs', 'finish', runId], withToken())).toMatchObject({ code: 0, out: `run ${runId} is finished\n` });

    const run = await client.runs.get(runId);
    expect(run).toMatchObject({
      name: 'cli-run',
      status: 'finished',
      gitCommit: 'deadbeef',
      params: { lr: '0.01', optimizer: 'adam', epochs: '3' },
      tags: expect.objectContaining({ site: 'oslo', stage: 'train' }),
    });
    expect(run.latestMetrics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'val_dice', value: 0.85, step: 4 }),
        expect.objectContaining({ key: 'loss', step: 2499 }),
      ]),
    );
    expect(await client.runs.metricHistory(runId, 'loss')).toHaveLength(2500);
    expect(await client.runs.listArtifacts(runId, 'checkpoints')).toEqual([
      expect.objectContaining({ path: 'checkpoints/final.bin', size: content.length, sha256 }),
    ]);

    const other = (await cli(['runs', 'create', api.project, '-e', 'cli', '-n', 'cli-other', '-p', 'lr=0.1'], withToken())).out.trim();
    await cli(['runs', 'log', other, '-m', 'val_dice=0.5@4'], withToken());

    const table = await cli(
      ['runs', 'ls', api.project, '--filter', 'metrics.val_dice > 0.6', '--order-by', 'metrics.val_dice DESC'],
      withToken(),
    );
    expect(table.code).toBe(0);
    const rows = table.out.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^RUN ID\s+NAME\s+STATUS\s+STARTED\s+METRICS$/);
    expect(rows.slice(1)).toEqual([
      expect.stringMatching(
        new RegExp(`^${runId}\\s+cli-run\\s+finished\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+.*val_dice=0\\.85`),
      ),
    ]);

    const asJson = await cli(['runs', 'ls', api.project, '--order-by', 'metrics.val_dice DESC', '--json'], withToken());
    const listed = asJson.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string });
    expect(listed.slice(0, 2).map((r) => r.id)).toEqual([runId, other]);

    const shown = await cli(['runs', 'show', runId], withToken());
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(new RegExp(`^run ${runId}  cli-run  finished\\nexperiment: cli `));
    expect(shown.out).toMatch(/\nparams\nKEY\s+VALUE\n(.*\n)*lr\s+0\.01\n/);
    expect(shown.out).toMatch(/\nmetrics \(latest\)\nKEY\s+VALUE\s+STEP\n(.*\n)*val_dice\s+0\.85\s+4\n/);
  });

  it('names what was wrong with bad input', async () => {
    const bad = await cli(['runs', 'log', 'a'.repeat(32), '-m', 'loss=abc'], withToken());
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/metric "loss=abc" must look like key=value or key=value@step/);

    const jsonl = path.join(home, 'bad.jsonl');
    writeFileSync(jsonl, '{"key":"loss","value":1}\nnot json\n');
    const runId = (await cli(['runs', 'create', api.project], withToken())).out.trim();
    const badFile = await cli(['runs', 'log', runId, '--file', jsonl], withToken());
    expect(badFile.code).toBe(2);
    expect(badFile.err).toContain(`${jsonl}:2: not valid JSON`);

    const missing = await cli(['runs', 'show', 'f'.repeat(32)], withToken());
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/404 NOT_FOUND/);

    const finish = await cli(['runs', 'finish', runId, '--status', 'done'], withToken());
    expect(finish.err).toMatch(/--status must be finished, failed or killed, not "done"/);
  });
});
