/** What WorkerModule.forConfig takes besides the configuration, and the tokens of injected values that are not classes. */
export const CONFIG = 'CALIPER_CONFIG';
export const LOGGER = 'CALIPER_LOGGER';
export const REDIS = 'CALIPER_REDIS';
export const WORKER_OPTIONS = 'CALIPER_WORKER_OPTIONS';
/** The time source (`() => epoch ms`) where a test moves it; Date.now when nothing is provided. */
export const CLOCK = 'CALIPER_CLOCK';

export interface WorkerOptions {
  /** BullMQ key prefix (default 'bull'); tests give each run its own. */
  queuePrefix: string;
  relayIntervalMs: number;
  /** Serve /health and /metrics on WORKER_PORT; in-process tests need no HTTP. */
  serveHttp: boolean;
  /** Jobs each family's queue worker runs at once. */
  concurrency: number;
  /** How long a worker's lock on a running job lasts; the worker renews it every half of that while the job runs. */
  lockDurationMs: number;
  /**
   * How often each queue worker looks for running jobs whose lock expired (their worker died or
   * hung) and moves them back to wait for another worker. A job is found stalled between one
   * and two intervals after its lock expired. Give every worker of a deployment the same value:
   * a queue's check runs once per interval, whichever worker runs it, so one replica with a long
   * interval holds off the others' checks.
   */
  stalledIntervalMs: number;
  /** A job found stalled more often than this fails instead of running again (a job that kills its worker). */
  maxStalledCount: number;
}

/**
 * BullMQ's own stalled-job settings: a dead worker's job runs again within about a minute, and
 * a worker whose event loop is busy for a few seconds keeps its jobs. Long-running work (a
 * training run) is not held in a job: the job submits it to an executor and returns.
 */
export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  queuePrefix: 'bull',
  relayIntervalMs: 1000,
  serveHttp: true,
  concurrency: 4,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  maxStalledCount: 1,
};

/** The defaults with `overrides` applied; refuses settings under which BullMQ cannot keep a lock. */
export function workerOptions(overrides: Partial<WorkerOptions> = {}): WorkerOptions {
  const options = { ...DEFAULT_WORKER_OPTIONS, ...overrides };
  const positive = ['relayIntervalMs', 'concurrency', 'lockDurationMs', 'stalledIntervalMs'] as const;
  for (const key of positive) {
    if (!(Number.isInteger(options[key]) && options[key] > 0))
      throw new Error(`worker option ${key} must be a positive integer, got ${options[key]}`);
  }
  if (!(Number.isInteger(options.maxStalledCount) && options.maxStalledCount >= 0))
    throw new Error(`worker option maxStalledCount must be an integer of 0 or more, got ${options.maxStalledCount}`);
  return options;
}
