/**
 * Where a long-running job runs: a local process now; a Slurm job or a Kubernetes Job later
 * (DESIGN.md, flow 3). A queue job never waits for a training run: it submits it, records the
 * external id on the run and returns; later jobs sync the status and cancel. So a run holds no
 * queue worker or lock for hours, and a worker restart loses nothing: the id is in the database
 * and the state is the scheduler's.
 */

/** The run states of DESIGN.md; 'queued' and 'starting' are the scheduler's, before the job runs. */
export type ExecutionState = 'queued' | 'starting' | 'running' | 'finished' | 'failed' | 'killed';

export interface ExecutionSpec {
  /** The program and its arguments, run as given (no shell). */
  command: readonly [string, ...string[]];
  /** Variables the job sees besides PATH, HOME, LANG and TZ; the worker's own environment (its credentials) is not passed on. */
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /** The file standard output and standard error are appended to. */
  logPath?: string;
}

export interface ExecutionStatus {
  state: ExecutionState;
  /** Once the job ended: its exit code, or 128 + the signal's number when a signal ended it (as shells and Kubernetes report it). */
  exitCode: number | null;
  /** What happened, in words for the run's page. */
  message: string;
}

export interface Executor {
  /** Starts the job and returns the id its scheduler knows it by (a pid, a Slurm job id, a Job name). */
  submit(spec: ExecutionSpec): Promise<string>;
  sync(externalId: string): Promise<ExecutionStatus>;
  /** Stops the job and resolves once it has stopped; a job that already ended is left as it ended. */
  cancel(externalId: string): Promise<void>;
}
