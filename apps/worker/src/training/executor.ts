/**
 * Where a long-running job runs: a local process now; a Slurm job or a Kubernetes Job later
 * (DESIGN.md, flow 3). A queue job never waits for a training run: it submits it, records the
 * external id on the run and returns; later jobs sync the status and cancel. So a run holds no
 * queue worker or lock for hours, and a worker restart loses nothing: the id is in the database
 * and the state is the scheduler's.
 */

/**
 * The run states of DESIGN.md; 'queued' and 'starting' are the scheduler's, before the job runs;
 * 'lost': the scheduler no longer knows the job, so how it ended cannot be told.
 */
export type ExecutionState = 'queued' | 'starting' | 'running' | 'finished' | 'failed' | 'killed' | 'lost';

/** What a job asks its scheduler for; an executor without a scheduler (the local one) ignores it. */
export interface ExecutionResources {
  gpus?: number;
  cpus?: number;
  memoryMb?: number;
  wallTimeMinutes?: number;
  /** The Slurm partition (or queue) to run in; the executor's default when absent. */
  partition?: string;
}

export interface ExecutionSpec {
  /** The program and its arguments, run as given (no shell). */
  command: readonly [string, ...string[]];
  /** Variables the job sees besides PATH, HOME, LANG and TZ; the worker's own environment (its credentials) is not passed on. */
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /** The file standard output and standard error are appended to. */
  logPath?: string;
  /**
   * The run's own id (its uuid): names the job for its scheduler, and makes submit idempotent (a
   * retried submit with the same key finds the job the first one created instead of creating a
   * second). Schedulers with shared queues (Slurm, Kubernetes) require it.
   */
  key?: string;
  resources?: ExecutionResources;
  /** A container image to run the command in (an Apptainer/Singularity image on Slurm, an OCI image on Kubernetes). */
  image?: string;
  /**
   * Variables whose values are secrets (the run-scoped token): a scheduler's executor passes them
   * in files only the job's user can read, never on a command line, in a job script or in a log.
   */
  secretEnv?: Readonly<Record<string, string>>;
  /**
   * Transfer learning on an executor whose jobs do not see the worker's filesystem
   * (Executor.fetchesInitialWeights): the initial model version's files, for the job to fetch from
   * Caliper (`GET {url}/api/v1/model-versions/{id}/files/{path}`, with its token) into a folder it
   * names in CALIPER_INITIAL_WEIGHTS_DIR, each checked against its sha256 before the command runs.
   */
  initialWeights?: { modelVersionId: string; files: readonly { path: string; sha256: string }[] };
}

export interface ExecutionStatus {
  state: ExecutionState;
  /** Once the job ended: its exit code, or 128 + the signal's number when a signal ended it (as shells and Kubernetes report it). */
  exitCode: number | null;
  /** What happened, in words for the run's page. */
  message: string;
  /** Once the job ended, where the scheduler keeps its output: the last lines of it (at most about 50). */
  logTail?: string;
}

export interface Executor {
  /** Starts the job and returns the id its scheduler knows it by (a pid, a Slurm job id, a Job name). */
  submit(spec: ExecutionSpec): Promise<string>;
  sync(externalId: string): Promise<ExecutionStatus>;
  /**
   * The job's output (stdout and stderr as written) from byte `offset` on, at most `maxBytes` of it;
   * undefined when it cannot be read now (the job has not started, or its output is gone). Only
   * executors whose jobs' output is not the spec's `logPath` on a filesystem this worker reads (a
   * Kubernetes pod's log) have it; for the others the worker reads that file.
   */
  readOutput?(externalId: string, offset: number, maxBytes: number): Promise<Buffer | undefined>;
  /**
   * The job fetches the initial weights itself (spec.initialWeights), as it does not see the
   * worker's filesystem (a Kubernetes pod); otherwise the worker copies them next to the job.
   */
  readonly fetchesInitialWeights?: boolean;
  /** Stops the job and resolves once it has stopped; a job that already ended is left as it ended. */
  cancel(externalId: string): Promise<void>;
}
