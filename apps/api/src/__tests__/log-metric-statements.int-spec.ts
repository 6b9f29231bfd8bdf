/**
 * The stock client's log_metric (one point a request) is the most common call in a training
 * loop (issue 10, finding 9): its database work is two statements — the token with its owner and
 * roles, and one autocommitted write that also checks the run is active (the run's identity is
 * kept per process after its first call) — where it was twelve. Counted, not timed
 * (bench:log-metric times it).
 */
import { Client } from 'pg';
import { startTestApi, TestApi } from '../testing/api-harness';
import { mlflow, mlflowFixture, MlflowFixture } from './mlflow-api-helpers';

describe('log_metric database statements', () => {
  let api: TestApi;
  let f: MlflowFixture;
  let run: string;

  beforeAll(async () => {
    api = await startTestApi();
    f = await mlflowFixture(api, 'statements');
    run = (await mlflow(api, f.token, 'POST', 'runs/create', { experiment_id: '0' })).body.run.info.run_id;
    // The first call creates the metric's key and writes the token's last use.
    expect(
      (await mlflow(api, f.token, 'POST', 'runs/log-metric', { run_id: run, run_uuid: run, key: 'loss', value: 1, timestamp: 1, step: 0 }))
        .status,
    ).toBe(200);
  });
  afterAll(async () => api?.close());

  it('sends two statements per call, and the point and the latest value are written', async () => {
    const sent: string[] = [];
    const query = Client.prototype.query;
    const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
      const q = args[0] as string | { text?: string };
      sent.push(typeof q === 'string' ? q : (q?.text ?? ''));
      return (query as (...a: unknown[]) => unknown).apply(this, args) as never;
    });
    try {
      for (let step = 1; step <= 5; step++) {
        expect(
          (
            await mlflow(api, f.token, 'POST', 'runs/log-metric', {
              run_id: run,
              run_uuid: run,
              key: 'loss',
              value: 1 / step,
              timestamp: step,
              step,
            })
          ).status,
        ).toBe(200);
      }
    } finally {
      spy.mockRestore();
    }
    expect(sent).toHaveLength(10);
    expect(sent.filter((q) => /FROM runs WHERE uuid|"RunEntity"/.test(q))).toEqual([]);
    const got = (await mlflow(api, f.token, 'GET', 'metrics/get-history', { run_id: run, metric_key: 'loss' })).body.metrics as {
      step: number;
    }[];
    expect(got.map((m) => m.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect((await mlflow(api, f.token, 'GET', 'runs/get', { run_id: run })).body.run.data.metrics).toEqual([
      { key: 'loss', value: 0.2, timestamp: 5, step: 5 },
    ]);
  });
});
