import { DEFAULT_WORKER_OPTIONS, workerOptions } from './worker.options';

describe('worker options', () => {
  it("default to BullMQ's stalled-job timings: a 30 s lock, checked every 30 s, one stall allowed", () => {
    expect(workerOptions()).toEqual(DEFAULT_WORKER_OPTIONS);
    expect(DEFAULT_WORKER_OPTIONS).toMatchObject({ lockDurationMs: 30_000, stalledIntervalMs: 30_000, maxStalledCount: 1, concurrency: 4 });
    expect(workerOptions({ lockDurationMs: 1000, stalledIntervalMs: 500, maxStalledCount: 0 })).toMatchObject({
      lockDurationMs: 1000,
      stalledIntervalMs: 500,
      maxStalledCount: 0,
      queuePrefix: 'bull',
    });
  });

  it('refuses timings under which a worker cannot hold a lock, naming the option', () => {
    expect(() => workerOptions({ lockDurationMs: 0 })).toThrow('worker option lockDurationMs must be a positive integer, got 0');
    expect(() => workerOptions({ stalledIntervalMs: -5 })).toThrow(/stalledIntervalMs must be a positive integer/);
    expect(() => workerOptions({ concurrency: 1.5 })).toThrow(/concurrency must be a positive integer/);
    expect(() => workerOptions({ maxStalledCount: -1 })).toThrow(/maxStalledCount must be an integer of 0 or more, got -1/);
  });
});
