/**
 * The demo `npm start` seeds (tools/dev/demo-seed.ts) against a real API, PostgreSQL and S3, and
 * the worker as its own process with the local executor: the first seeding makes the demo project,
 * its sealed dataset of slices with masks and the UNet example's template; a second one (a restart)
 * makes nothing; and the seeded template, launched as a new user would from the web app, trains the
 * example with Debian's Python to a finished run with its metrics and ONNX model.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the API in-process, as its own tests start it
import { ADMIN, gqlOk, login, startTestApi, TestApi } from '../../apps/api/src/testing/api-harness';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the worker as its own process, as its own tests start it
import { startWorker, WorkerProcess } from '../../apps/api/src/testing/worker-process';
import { DEMO_DATASET, DEMO_PROJECT, seedDemo } from './demo-seed';

jest.setTimeout(120_000);
const ROOT = path.resolve(__dirname, '../..');

describe('the demo npm start seeds (real API, PostgreSQL, S3; worker process, local executor)', () => {
  let api: TestApi;
  let worker: WorkerProcess;
  const count = async (sql: string) => Number(((await api.app.get(DataSource).query(sql)) as { n: string }[])[0]!.n);

  beforeAll(async () => {
    api = await startTestApi();
    worker = await startWorker(api, {
      TRAINING_EXECUTORS: 'local',
      TRAINING_TRACKING_URL: api.base,
      TRAINING_WORK_DIR: mkdtempSync(path.join(tmpdir(), 'caliper-demo-seed-')),
      TRAINING_SYNC_INTERVAL_MS: '300',
    });
  }, 120_000);
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('seeds the project, a sealed dataset with masks and the template once; a restart seeds nothing', async () => {
    const first = await seedDemo({ apiUrl: api.base, username: ADMIN.username, password: ADMIN.password });
    expect(first.skipped).toBeUndefined();
    expect(first.created).toEqual([
      `project ${DEMO_PROJECT}`,
      `dataset '${DEMO_DATASET}' (16 synthetic 64×64 CT slices with masks: 12 train, 4 val)`,
      "run template 'UNet 2D example' (tools/examples/unet2d, local executor, /usr/bin/python3)",
    ]);
    const items = (await api.app.get(DataSource).query(
      `SELECT i.split, count(*)::int AS n, count(i.mask_key)::int AS masks FROM dataset_items i JOIN dataset_versions v ON v.id = i.version_id
         WHERE v.state = 'sealed' GROUP BY i.split ORDER BY i.split`,
    )) as { split: string; n: number; masks: number }[];
    expect(items).toEqual([
      { split: 'train', n: 12, masks: 12 },
      { split: 'val', n: 4, masks: 4 },
    ]);
    const [template] = (await api.app.get(DataSource).query(
      `SELECT v.command, v.executor, v.dataset_version_id IS NOT NULL AS has_dataset FROM run_template_versions v
         JOIN run_templates t ON t.id = v.template_id JOIN projects p ON p.id = t.project_id WHERE p.slug = $1`,
      [DEMO_PROJECT],
    )) as { command: string[]; executor: string; has_dataset: boolean }[];
    expect(template).toMatchObject({ executor: 'local', has_dataset: true });
    expect(template!.command.slice(0, 2)).toEqual(['/usr/bin/python3', path.join(ROOT, 'tools/examples/unet2d/train.py')]);

    const again = await seedDemo({ apiUrl: api.base, username: ADMIN.username, password: ADMIN.password });
    expect(again).toEqual({ projectId: first.projectId, created: [] });
    expect(await count(`SELECT count(*) AS n FROM projects WHERE slug = '${DEMO_PROJECT}'`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM run_templates`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM run_template_versions`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM datasets`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM dataset_versions`)).toBe(1);
  });

  it('launches the seeded template as a new user would: the example trains locally to a finished run with its Dice and ONNX model', async () => {
    const admin = await login(api, ADMIN.username, ADMIN.password);
    const { runTemplates } = await gqlOk<{ runTemplates: { latestVersion: { id: string } }[] }>(
      api,
      admin,
      `query($p: ID!) { runTemplates(projectId: $p) { latestVersion { id } } }`,
      { p: (await seedDemo({ apiUrl: api.base, username: ADMIN.username, password: ADMIN.password })).projectId },
    );
    const { launchRun } = await gqlOk<{ launchRun: { runId: string } }>(
      api,
      admin,
      `mutation($i: LaunchRunInput!) { launchRun(input: $i) { runId } }`,
      { i: { templateVersionId: runTemplates[0]!.latestVersion.id, values: [{ name: 'epochs', value: '3' }] } },
    );
    type View = {
      status: string;
      dice: { steps: number[] };
      execution: { exitCode: number | null; endedAt: string | null; logTail: string | null };
    };
    let run: View | null = null;
    for (const end = Date.now() + 90_000; Date.now() < end; await new Promise((r) => setTimeout(r, 500))) {
      run = (
        await gqlOk<{ run: View }>(
          api,
          admin,
          `query($r: String!) { run(runId: $r) { status dice: metricHistory(key: "val/dice") { steps } execution { exitCode endedAt logTail } } }`,
          { r: launchRun.runId },
        )
      ).run;
      if (run.execution.endedAt) break;
    }
    if (run?.status !== 'FINISHED') throw new Error(`the run did not finish: ${JSON.stringify(run, null, 1)}\nworker:\n${worker.output()}`);
    expect(run.execution.exitCode).toBe(0);
    expect(run.dice.steps).toEqual([1, 2, 3]);
    expect(
      await count(
        `SELECT count(*) AS n FROM artifacts a JOIN runs r ON r.id = a.run_id WHERE r.uuid = '${launchRun.runId}' AND a.path = 'model/model.onnx'`,
      ),
    ).toBe(1);
  });
});
