/**
 * `caliper templates list|show|push|preview` as a user runs them (a process, a fresh HOME) against
 * the API as its own process: a definition pushed from a file is created, pushed again unchanged
 * is left alone (a "1e-3" default matches the stored 0.001), pushed changed becomes version 2;
 * `show --json` is what `push --file` takes; a preview checks values and prints the command; bad
 * files and bad values are refused with the API's message, changing nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiProcess, startApiProcess } from './api-process';

jest.setTimeout(90_000);
const BIN = path.resolve(__dirname, 'bin.js');

const DEFINITION = {
  description: 'Kidney UNet on CPU, for the smoke test',
  architecture: 'UNet 2D, 3 levels',
  executor: 'local',
  resources: { gpus: 0, cpus: 2, memoryGb: 4, wallTimeMinutes: 30 },
  parameters: [
    { name: 'lr', type: 'float', default: '1e-3', min: 0.000001, max: 1, description: 'learning rate' },
    { name: 'epochs', type: 'int', default: 3, min: 1, max: 100 },
    { name: 'loss', type: 'choice', default: 'dice', choices: ['dice', 'dice_ce'] },
  ],
  command: ['python3', 'tools/examples/train_unet.py', '--lr', '{lr}', '--epochs', '{epochs}', '--loss', '{loss}', '--note', '{run_id}'],
};

describe('caliper templates', () => {
  let api: ApiProcess;
  let home: string;
  const file = (name: string, content: unknown) => {
    const p = path.join(home, name);
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
    return p;
  };
  const versions = async () =>
    (await api.query<{ version: number }>(`SELECT version FROM run_template_versions ORDER BY version`, [])).map((r) => r.version);

  function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
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
    api = await startApiProcess('kidney-templates');
    home = mkdtempSync(path.join(tmpdir(), 'caliper-home-'));
  });
  afterAll(() => api?.close());

  it('pushes a definition, leaves it alone when unchanged, and adds a version when changed', async () => {
    const empty = await cli(['templates', 'list', '--project', api.project]);
    expect(empty).toMatchObject({
      code: 0,
      out: `no run templates in ${api.project} yet (\`caliper templates push <name> --file <definition.json>\`)\n`,
    });

    const defFile = file('unet.json', DEFINITION);
    expect(await cli(['templates', 'push', 'Kidney UNet', '--file', defFile, '--project', api.project])).toMatchObject({
      code: 0,
      out: "created run template 'Kidney UNet' version 1\n",
    });
    expect(await cli(['templates', 'push', 'kidney unet', '--file', defFile, '--project', api.project])).toMatchObject({
      code: 0,
      out: "run template 'Kidney UNet' is unchanged: still version 1\n",
    });
    expect(await versions()).toEqual([1]);

    const shown = await cli(['templates', 'show', 'Kidney UNet', '--project', api.project]);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('architecture: UNet 2D, 3 levels');
    expect(shown.out).toContain('resources: 0 GPU, 2 CPU, 4 GB, 30 min');
    expect(shown.out).toContain('  lr (float) = 0.001  [min 0.000001, max 1]  learning rate');
    expect(shown.out).toContain('  loss (choice) = dice  [one of dice, dice_ce]');
    expect(shown.out).toContain('command: python3 tools/examples/train_unet.py --lr {lr} --epochs {epochs} --loss {loss} --note {run_id}');

    // `show --json` round-trips: pushing it back changes nothing.
    const json = await cli(['templates', 'show', 'Kidney UNet', '--json', '--project', api.project]);
    expect(JSON.parse(json.out)).toMatchObject({
      executor: 'LOCAL',
      parameters: [{ name: 'lr', type: 'FLOAT', default: '0.001' }, {}, {}],
    });
    expect((await cli(['templates', 'push', 'Kidney UNet', '--file', file('shown.json', json.out), '--project', api.project])).out).toBe(
      "run template 'Kidney UNet' is unchanged: still version 1\n",
    );

    const changed = file('unet2.json', { ...DEFINITION, resources: { ...DEFINITION.resources, cpus: 4 } });
    expect(await cli(['templates', 'push', 'Kidney UNet', '--file', changed, '--project', api.project])).toMatchObject({
      code: 0,
      out: "added version 2 of run template 'Kidney UNet'\n",
    });
    expect(await versions()).toEqual([1, 2]);
    expect((await cli(['templates', 'list', '--project', api.project])).out).toBe('Kidney UNet  v2  local  UNet 2D, 3 levels\n');
    expect((await cli(['templates', 'show', 'Kidney UNet', '--version', '1', '--project', api.project])).out).toContain(
      'resources: 0 GPU, 2 CPU, 4 GB, 30 min',
    );
  });

  it('previews a launch, and refuses bad files and bad values with what was wrong', async () => {
    const ok = await cli(['templates', 'preview', 'Kidney UNet', '--set', 'lr=0.01', '--set', 'epochs=5', '--project', api.project]);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.out).toBe(
      [
        'Kidney UNet version 2: the values are valid',
        '  lr = 0.01',
        '  epochs = 5',
        '  loss = dice  (default)',
        'command: python3 tools/examples/train_unet.py --lr 0.01 --epochs 5 --loss dice --note {run_id}',
        '',
      ].join('\n'),
    );
    const bad = await cli(['templates', 'preview', 'Kidney UNet', '--set', 'epochs=500', '--set', 'loss=mse', '--project', api.project]);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain(
      "The launch values are not valid: epochs: 500 is above the maximum 100. loss: \"mse\" is not one of 'dice', 'dice_ce'.",
    );
    expect((await cli(['templates', 'preview', 'Kidney UNet', '--set', 'epochs', '--project', api.project])).err).toContain(
      "'epochs' must be name=value",
    );
    expect((await cli(['templates', 'show', 'Nope', '--project', api.project])).err).toContain(
      "the project has no run template named 'Nope'",
    );

    const before = await versions();
    const broken = await cli([
      'templates',
      'push',
      'Broken',
      '--file',
      file('broken.json', { ...DEFINITION, command: ['python3', '{batch}'], resources: { ...DEFINITION.resources, wallTimeMinutes: 0 } }),
      '--project',
      api.project,
    ]);
    expect(broken.code).not.toBe(0);
    expect(broken.err).toContain(
      "The run template is not valid: resources: wall time (minutes) must be a whole number from 1 to 43200 (got 0). command argument 2: '{batch}' names no parameter.",
    );
    expect((await cli(['templates', 'push', 'Broken', '--file', file('bad.json', '[1]'), '--project', api.project])).err).toContain(
      'must be a JSON object',
    );
    expect(await versions()).toEqual(before);
  });
});
