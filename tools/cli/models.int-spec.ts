/**
 * The `caliper models` commands as a user runs them (a process, a fresh HOME) against the API as
 * its own process: a run's ONNX file uploaded with `runs upload` is registered with its task type
 * and spec files, the version is stored as registered (pending validation: no worker runs here),
 * `models show` lists it, and bad input is refused before anything is written.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiProcess, startApiProcess } from './api-process';

jest.setTimeout(90_000);
const BIN = path.resolve(__dirname, 'bin.js');
const SEG = path.resolve(__dirname, '../models/test-models/seg2d.onnx');

interface CliResult {
  code: number;
  out: string;
  err: string;
}

describe('caliper models register and show', () => {
  let api: ApiProcess;
  let home: string;

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
    api = await startApiProcess('liver-seg');
    home = mkdtempSync(path.join(tmpdir(), 'caliper-home-'));
  });
  afterAll(() => api?.close());

  it('registers a run artifact with its task and spec files, and shows the model', async () => {
    const runId = (await cli(['runs', 'create', api.project])).out.trim();
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    expect((await cli(['runs', 'upload', runId, SEG, '--path', 'model/seg2d.onnx'])).code).toBe(0);
    const pre = path.join(home, 'pre.json');
    const post = path.join(home, 'post.json');
    writeFileSync(pre, JSON.stringify({ window: { center: 40, width: 400 }, size: [64, 64] }));
    writeFileSync(post, JSON.stringify({ labels: ['background', 'liver'], threshold: 0.5 }));

    const registered = await cli([
      'models',
      'register',
      'liver',
      '--project',
      api.project,
      '--run',
      runId,
      '--artifact',
      'model/seg2d.onnx',
      '--task',
      'segmentation',
      '--preprocessing',
      pre,
      '--postprocessing',
      post,
    ]);
    expect(registered).toMatchObject({
      code: 0,
      out: `registered liver-seg/liver version 1; validation PENDING (caliper models show liver)\n`,
    });
    const [stored] = await api.query<{ task_type: string; spec: unknown; status: string }>(
      `SELECT v.task_type, v.spec, v.status FROM model_version_validations v JOIN model_versions mv ON mv.id = v.model_version_id
        JOIN registered_models rm ON rm.id = mv.registered_model_id WHERE rm.name = 'liver' AND mv.version = 1`,
    );
    expect(stored).toEqual({
      task_type: 'segmentation',
      status: 'pending',
      spec: {
        preprocessing: { window: { center: 40, width: 400 }, size: [64, 64] },
        postprocessing: { labels: ['background', 'liver'], threshold: 0.5 },
      },
    });

    const again = await cli([
      'models',
      'register',
      'liver',
      '--project',
      api.project,
      '--run',
      runId,
      '--artifact',
      'model',
      '--task',
      'segmentation',
      '--labels',
      'background,liver',
    ]);
    expect(again.code).toBe(0);
    const shown = await cli(['models', 'show', 'liver', '--project', api.project]);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(
      /^model liver-seg\/liver\nVERSION +STAGE +VALIDATION +TASK +RUN\n2 +NONE +PENDING +SEGMENTATION +[0-9a-f]{32}\n1 +NONE +PENDING +SEGMENTATION +[0-9a-f]{32}\n/,
    );
    expect(shown.out).toContain(`source: runs:/${runId}/model/seg2d.onnx  (run ${runId})`);
    const json = JSON.parse((await cli(['models', 'show', 'liver', '--project', api.project, '--json'])).out) as {
      versions: { version: number }[];
    };
    expect(json.versions.map((v) => v.version)).toEqual([2, 1]);
  });

  it('refuses bad input with a message, writing nothing', async () => {
    const runId = (await cli(['runs', 'create', api.project])).out.trim();
    const badTask = await cli([
      'models',
      'register',
      'm',
      '--project',
      api.project,
      '--run',
      runId,
      '--artifact',
      'x',
      '--task',
      'regression',
      '--labels',
      'a',
    ]);
    expect(badTask.code).not.toBe(0);
    expect(badTask.err).toMatch(/--task.*must be one of segmentation, classification, detection/);
    const noLabels = await cli([
      'models',
      'register',
      'm',
      '--project',
      api.project,
      '--run',
      runId,
      '--artifact',
      'x',
      '--task',
      'segmentation',
    ]);
    expect(noLabels).toMatchObject({ code: 2, err: expect.stringMatching(/give --postprocessing <file\.json> or --labels/) });
    const noFile = await cli([
      'models',
      'register',
      'm',
      '--project',
      api.project,
      '--run',
      runId,
      '--artifact',
      'model',
      '--task',
      'segmentation',
      '--labels',
      'a',
      '--preprocessing',
      path.join(home, 'missing.json'),
    ]);
    expect(noFile).toMatchObject({ code: 2, err: expect.stringMatching(/--preprocessing .*missing\.json: ENOENT/) });
    const noArtifact = await cli([
      'models',
      'register',
      'm',
      '--project',
      api.project,
      '--run',
      runId,
      '--artifact',
      'model',
      '--task',
      'segmentation',
      '--labels',
      'a',
    ]);
    expect(noArtifact).toMatchObject({ code: 2, err: expect.stringMatching(/has no artifacts at 'model'/) });
    const missing = await cli(['models', 'show', 'm', '--project', api.project]);
    expect(missing).toMatchObject({ code: 2, err: expect.stringMatching(/Registered Model with name=m not found/) });
    expect(await api.query(`SELECT name FROM registered_models WHERE name = 'm'`)).toEqual([]);
  });
});
