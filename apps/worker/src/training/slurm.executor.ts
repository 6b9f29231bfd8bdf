/**
 * The executor for a Slurm cluster (DESIGN.md, flow 3): a run becomes one batch job, submitted
 * with sbatch from a script this module renders, named `caliper-<run uuid>`, its state read back
 * from the controller (scontrol; sacct once the controller has purged a finished job, where the
 * cluster keeps accounting), cancelled with scancel. docs/training.md says what the script holds
 * and how to point the worker at a cluster.
 *
 * The job name is the idempotency key: submit first looks for a job of that name (finished ones
 * included) and returns it, so a submit retried after a worker died mid-submit never queues the
 * run twice; two submits racing past that look-up both see both jobs afterwards and keep the
 * older one. Secrets (the run's token) travel in 0600 files the script reads into variables: no
 * command line, job script, `scontrol show job` or log ever holds them, and the files are removed
 * once the job has ended.
 *
 * Every Slurm command runs through execFile with an argument array (no shell) and a timeout, and
 * a failure names the command and what it printed on stderr.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { ExecutionResources, ExecutionSpec, ExecutionState, ExecutionStatus, Executor } from './executor';

export interface SlurmExecutorOptions {
  /**
   * A directory that the worker and the compute nodes both see at the same path (a shared
   * filesystem on a real cluster): each run gets `<workDir>/<job name>/` with its job script, its
   * secret files and, unless the spec names one, its log.
   */
  workDir: string;
  /** The partition of a job whose spec names none; Slurm's default partition when absent too. */
  partition?: string;
  /** Directives every job gets, as `#SBATCH` lines of its script: `--account=…`, `--qos=…`, `--constraint=…`. */
  sbatchArgs?: readonly string[];
  /** Prefixed to the spec's key to name the job. */
  jobNamePrefix?: string;
  /** How long one Slurm command may take. */
  commandTimeoutMs?: number;
  /** How long cancel waits for a job to stop after scancel (Slurm's KillWait between SIGTERM and SIGKILL, and more). */
  cancelTimeoutMs?: number;
  /** How often cancel asks whether the job has stopped. */
  pollMs?: number;
  /** How many of the log's last lines an ended job's status carries. */
  logTailLines?: number;
}

const DEFAULTS = { jobNamePrefix: 'caliper-', commandTimeoutMs: 30_000, cancelTimeoutMs: 120_000, pollMs: 250, logTailLines: 50 };

/** The only variables of the worker's environment the Slurm commands (and so, through sbatch, the job) see. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'TZ', 'SLURM_CONF'];

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class SlurmExecutor implements Executor {
  private readonly options: SlurmExecutorOptions & typeof DEFAULTS;
  private readonly user = userInfo().username;
  /** Whether sacct answers here; unknown until asked. Clusters without slurmdbd say "accounting storage is disabled". */
  private accounting: boolean | undefined;

  constructor(options: SlurmExecutorOptions) {
    this.options = { ...DEFAULTS, ...options };
  }

  async submit(spec: ExecutionSpec): Promise<string> {
    if (spec.key === undefined)
      throw new Error(
        'a Slurm job needs the run id as its key (ExecutionSpec.key): it names the job and keeps a retried submit from queuing it twice',
      );
    if (!KEY.test(spec.key)) throw new Error(`"${spec.key}" cannot name a Slurm job: use letters, digits, '.', '_' and '-'`);
    const jobName = this.options.jobNamePrefix + spec.key;
    const existing = await this.jobsNamed(jobName);
    if (existing[0] !== undefined) return existing[0];

    const runDir = path.join(this.options.workDir, jobName);
    await mkdir(runDir, { recursive: true, mode: 0o700 });
    const secretFiles: Record<string, string> = {};
    const secrets = Object.entries(spec.secretEnv ?? {});
    if (secrets.length > 0) {
      const dir = path.join(runDir, 'secrets');
      await mkdir(dir, { recursive: true, mode: 0o700 });
      for (const [name, value] of secrets) {
        if (!ENV_NAME.test(name)) throw new Error(`"${name}" is not a variable name`);
        secretFiles[name] = path.join(dir, name);
        await writePrivate(secretFiles[name], value);
      }
    }
    const script = renderSbatchScript(spec, {
      jobName,
      logPath: spec.logPath ?? path.join(runDir, 'job.log'),
      secretFiles,
      partition: this.options.partition,
      sbatchArgs: this.options.sbatchArgs,
    });
    const scriptPath = path.join(runDir, 'job.sbatch');
    await writePrivate(scriptPath, script);
    const { stdout } = await this.slurm('sbatch', ['--parsable', scriptPath], { cwd: runDir });
    const jobId = parseSbatchParsable(stdout);

    // Another submit for the same key may have passed the look-up at the same moment: the older job stays.
    const named = await this.jobsNamed(jobName);
    const kept = named[0] ?? jobId;
    const extra = named.filter((id) => id !== kept);
    if (extra.length > 0) await this.slurm('scancel', extra);
    return kept;
  }

  async sync(externalId: string): Promise<ExecutionStatus> {
    const jobId = parseJobId(externalId);
    const job = await this.showJob(jobId);
    if (!job) return this.syncFromAccounting(jobId);
    const status = statusFromScontrol(job);
    if (!isEnded(status.state)) return status;
    const jobName = job.JobName ?? '';
    if (jobName.startsWith(this.options.jobNamePrefix)) {
      await rm(path.join(this.options.workDir, jobName, 'secrets'), { recursive: true, force: true });
    }
    const logTail = job.StdOut ? await readLogTail(job.StdOut, this.options.logTailLines) : undefined;
    return logTail === undefined ? status : { ...status, logTail };
  }

  async cancel(externalId: string): Promise<void> {
    const jobId = parseJobId(externalId);
    let job = await this.showJob(jobId);
    if (!job || !isActive(job.JobState)) return;
    await this.slurm('scancel', [jobId]);
    const until = Date.now() + this.options.cancelTimeoutMs;
    for (;;) {
      job = await this.showJob(jobId);
      if (!job || !isActive(job.JobState)) return;
      if (Date.now() > until) {
        throw new Error(`Slurm job ${jobId} is still ${job.JobState} ${this.options.cancelTimeoutMs / 1000} s after scancel`);
      }
      await delay(this.options.pollMs);
    }
  }

  /** The ids of this user's jobs of that name Slurm still knows, oldest first. */
  private async jobsNamed(jobName: string): Promise<string[]> {
    const { stdout } = await this.slurm('squeue', [
      '--noheader',
      '--states=all',
      `--name=${jobName}`,
      `--user=${this.user}`,
      '--format=%i',
    ]);
    const ids = parseJobIdLines(stdout);
    if (ids.length === 0 && (await this.hasAccounting())) {
      // Purged from the controller (MinJobAge after it ended) but kept by accounting.
      const acct = await this.slurm('sacct', [
        '--noheader',
        '--parsable2',
        '--allocations',
        `--name=${jobName}`,
        `--user=${this.user}`,
        '--starttime=now-30days',
        '--format=JobID',
      ]);
      return parseJobIdLines(acct.stdout);
    }
    return ids;
  }

  /** The job's fields from `scontrol show job`, or null once the controller no longer knows it. */
  private async showJob(jobId: string): Promise<Record<string, string> | null> {
    try {
      const { stdout } = await this.slurm('scontrol', ['show', 'job', '--oneliner', jobId]);
      return parseScontrolJob(stdout);
    } catch (err) {
      if (err instanceof SlurmCommandError && /Invalid job id/i.test(err.stderr)) return null;
      throw err;
    }
  }

  private async syncFromAccounting(jobId: string): Promise<ExecutionStatus> {
    if (await this.hasAccounting()) {
      const { stdout } = await this.slurm('sacct', [
        '--noheader',
        '--parsable2',
        '--allocations',
        `--jobs=${jobId}`,
        '--format=JobID,State,ExitCode,Reason',
      ]);
      const status = statusFromSacct(jobId, stdout);
      if (status) return status;
    }
    return {
      state: 'lost',
      exitCode: null,
      message:
        `Slurm no longer knows job ${jobId} (the controller forgets a job MinJobAge after it ends, or lost its state)` +
        (this.accounting ? ', nor does its accounting (sacct)' : ' and this cluster keeps no accounting (sacct)') +
        ': how it ended is unknown',
    };
  }

  private async hasAccounting(): Promise<boolean> {
    if (this.accounting === undefined) {
      try {
        await this.slurm('sacct', ['--noheader', '--parsable2', '--allocations', '--jobs=1', '--format=JobID']);
        this.accounting = true;
      } catch (err) {
        if (!(err instanceof SlurmCommandError) || !/accounting storage is disabled/i.test(err.stderr)) throw err;
        this.accounting = false;
      }
    }
    return this.accounting;
  }

  private slurm(command: string, args: readonly string[], extra: { cwd?: string } = {}): Promise<{ stdout: string; stderr: string }> {
    const env = Object.fromEntries(INHERITED_ENV.flatMap((k) => (process.env[k] === undefined ? [] : [[k, process.env[k]!]])));
    return new Promise((resolve, reject) => {
      execFile(
        command,
        args,
        { env, cwd: extra.cwd, timeout: this.options.commandTimeoutMs, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          if (err) reject(new SlurmCommandError(command, args, err, stderr));
          else resolve({ stdout, stderr });
        },
      );
    });
  }
}

export class SlurmCommandError extends Error {
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    cause: Error & { code?: number | string | null; killed?: boolean; signal?: NodeJS.Signals | null },
    readonly stderr: string,
  ) {
    const how =
      cause.code === 'ENOENT'
        ? 'was not found on PATH (is this a Slurm submit host?)'
        : cause.killed
          ? `did not answer in time (${cause.signal ?? 'killed'})`
          : `failed (exit ${cause.code})`;
    super(`${[command, ...args].join(' ')} ${how}${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
  }
}

export interface SbatchScriptOptions {
  jobName: string;
  logPath: string;
  /** Variable name → the 0600 file holding its value. */
  secretFiles: Readonly<Record<string, string>>;
  partition?: string;
  sbatchArgs?: readonly string[];
}

/**
 * The job script: `#SBATCH` directives (name, log, resources), then the run's variables, the
 * secrets read from their files, and the command (inside `apptainer exec` when the spec has an
 * image), exec'd so its exit code is the job's and Slurm's signals reach it directly.
 */
export function renderSbatchScript(spec: ExecutionSpec, options: SbatchScriptOptions): string {
  const r: ExecutionResources = spec.resources ?? {};
  const partition = r.partition ?? options.partition;
  const directives = [
    `--job-name=${options.jobName}`,
    `--output=${slurmPath(options.logPath, 'logPath')}`,
    '--open-mode=append',
    // A requeued job would run a second time under the same run: Caliper decides about reruns.
    '--no-requeue',
    '--ntasks=1',
    ...(r.cpus !== undefined ? [`--cpus-per-task=${positive(r.cpus, 'cpus')}`] : []),
    ...(r.memoryMb !== undefined ? [`--mem=${positive(r.memoryMb, 'memoryMb')}M`] : []),
    ...(r.gpus ? [`--gres=gpu:${positive(r.gpus, 'gpus')}`] : []),
    ...(r.wallTimeMinutes !== undefined ? [`--time=${positive(r.wallTimeMinutes, 'wallTimeMinutes')}`] : []),
    ...(partition !== undefined ? [`--partition=${directiveValue(partition, 'partition')}`] : []),
    ...(spec.cwd !== undefined ? [`--chdir=${slurmPath(spec.cwd, 'cwd')}`] : []),
    ...(options.sbatchArgs ?? []).map((arg) => directiveValue(arg, 'sbatchArgs')),
  ];
  const variables = Object.entries(spec.env ?? {}).map(([name, value]) => `export ${envName(name)}=${shellQuote(value)}`);
  // `$(<file)` is bash reading the file itself: no process whose command line could show the value.
  const secrets = Object.entries(options.secretFiles).map(([name, file]) => `${envName(name)}="$(<${shellQuote(file)})"; export ${name}`);
  const command =
    spec.image !== undefined ? ['apptainer', 'exec', ...(r.gpus ? ['--nv'] : []), spec.image, ...spec.command] : [...spec.command];
  return [
    '#!/bin/bash',
    `# Caliper run ${spec.key ?? options.jobName}, rendered by the worker's Slurm executor (docs/training.md).`,
    ...directives.map((d) => `#SBATCH ${d}`),
    'set -euo pipefail',
    ...variables,
    ...secrets,
    `exec ${command.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}

/** A word bash reads back as exactly `value`: single-quoted, each `'` closed, escaped and reopened. */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a job argument or variable cannot hold a NUL character');
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** sbatch splits an `#SBATCH` line at spaces and expands `%j`-style patterns in file names: refuse what it would change. */
function directiveValue(value: string, what: string): string {
  if (!/^[^\s'"\\]+$/.test(value)) throw new Error(`${what} "${value}" cannot go into an #SBATCH line: no spaces, quotes or backslashes`);
  return value;
}

function slurmPath(value: string, what: string): string {
  if (value.includes('%')) throw new Error(`${what} "${value}" holds '%', which Slurm would read as a file name pattern`);
  if (!path.isAbsolute(value)) throw new Error(`${what} "${value}" must be an absolute path (the job starts on another machine)`);
  return directiveValue(value, what);
}

function positive(n: number, what: string): number {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`resources.${what} must be a positive whole number, not ${n}`);
  return n;
}

function envName(name: string): string {
  if (!ENV_NAME.test(name)) throw new Error(`"${name}" is not a variable name`);
  return name;
}

/** `sbatch --parsable` prints `jobid` or `jobid;cluster`. */
export function parseSbatchParsable(stdout: string): string {
  const id = stdout.trim().split('\n').pop()!.split(';')[0] ?? '';
  if (!/^\d+$/.test(id)) throw new Error(`sbatch --parsable printed "${stdout.trim()}", not a job id`);
  return id;
}

function parseJobIdLines(stdout: string): string[] {
  return [
    ...new Set(
      stdout
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /^\d+$/.test(l)),
    ),
  ].sort((a, b) => Number(a) - Number(b));
}

function parseJobId(externalId: string): string {
  if (!/^[1-9]\d*$/.test(externalId)) throw new Error(`"${externalId}" is not a Slurm job id`);
  return externalId;
}

/**
 * `scontrol show job --oneliner`: `Key=value` pairs separated by spaces. A value may itself hold
 * spaces (a command's path), so a pair starts only where a space is followed by `Key=`.
 */
export function parseScontrolJob(stdout: string): Record<string, string> {
  const line = stdout.trim().split('\n')[0] ?? '';
  const fields: Record<string, string> = {};
  for (const pair of line.split(/ (?=[A-Za-z][A-Za-z0-9_:/]*=)/)) {
    const eq = pair.indexOf('=');
    if (eq > 0) fields[pair.slice(0, eq)] = pair.slice(eq + 1).trim();
  }
  if (!fields.JobId || !fields.JobState) throw new Error(`scontrol show job printed no JobId and JobState: "${line}"`);
  return fields;
}

/** Slurm's `exit:signal` (ExitCode=3:0, 0:15) as a shell reports it: the exit code, or 128 + the signal. */
export function parseExitCode(value: string | undefined): number | null {
  const m = /^(\d+):(\d+)$/.exec(value ?? '');
  if (!m) return null;
  return Number(m[2]) > 0 ? 128 + Number(m[2]) : Number(m[1]);
}

type Ending = { state: ExecutionState; says: (exit: string, reason: string) => string };

/** Every job state Slurm 22.05+ reports (base states and the flags squeue/scontrol show in their place). */
const STATES: Record<string, Ending> = {
  PENDING: { state: 'queued', says: (_, reason) => (reason && reason !== 'None' ? `pending: ${reason}` : 'pending') },
  REQUEUED: { state: 'queued', says: () => 'requeued' },
  REQUEUE_HOLD: { state: 'queued', says: () => 'requeued and held' },
  REQUEUE_FED: { state: 'queued', says: () => 'requeued by the federation' },
  RESV_DEL_HOLD: { state: 'queued', says: () => 'held: its reservation was deleted' },
  CONFIGURING: { state: 'starting', says: () => 'starting: its nodes are being configured' },
  POWER_UP_NODE: { state: 'starting', says: () => 'starting: its nodes are powering up' },
  RUNNING: { state: 'running', says: () => 'running' },
  COMPLETING: { state: 'running', says: () => 'completing: its processes are ending' },
  STAGE_OUT: { state: 'running', says: () => 'staging out its files' },
  SIGNALING: { state: 'running', says: () => 'running, being signalled' },
  RESIZING: { state: 'running', says: () => 'running, being resized' },
  SUSPENDED: { state: 'running', says: () => 'suspended' },
  STOPPED: { state: 'running', says: () => 'stopped (SIGSTOP)' },
  UPDATE_DB: { state: 'running', says: () => 'running, updating the accounting database' },
  COMPLETED: { state: 'finished', says: (exit) => `completed (exit code ${exit})` },
  FAILED: { state: 'failed', says: (exit) => `failed (exit code ${exit})` },
  TIMEOUT: { state: 'failed', says: () => 'reached its wall time limit' },
  OUT_OF_MEMORY: { state: 'failed', says: () => 'ran out of memory' },
  NODE_FAIL: { state: 'failed', says: () => 'failed: its node failed' },
  BOOT_FAIL: { state: 'failed', says: () => 'failed: its node did not boot' },
  DEADLINE: { state: 'failed', says: () => 'reached its deadline' },
  PREEMPTED: { state: 'failed', says: () => 'was preempted by another job' },
  SPECIAL_EXIT: { state: 'failed', says: (exit) => `ended with a special exit (exit code ${exit})` },
  CANCELLED: { state: 'killed', says: () => 'cancelled' },
  REVOKED: { state: 'killed', says: () => 'was revoked (it runs on a sibling cluster of the federation)' },
};

const ENDED: ReadonlySet<ExecutionState> = new Set(['finished', 'failed', 'killed', 'lost']);
const isEnded = (state: ExecutionState) => ENDED.has(state);
/** Whether the job may still hold processes: not ended, or ending (COMPLETING) and not done. */
const isActive = (slurmState: string | undefined) => !(slurmState && slurmState !== 'COMPLETING' && isEnded(ending(slurmState).state));

function ending(slurmState: string): Ending {
  const known = STATES[slurmState];
  if (!known) throw new Error(`Slurm reports the job state "${slurmState}", which Caliper does not know`);
  return known;
}

function status(jobId: string, slurmState: string, exitField: string | undefined, reason: string): ExecutionStatus {
  const { state, says } = ending(slurmState);
  // Slurm marks a job the OOM killer ended with signal 125, which is no signal: report the SIGKILL it was (137, as Kubernetes does).
  const exitCode = !isEnded(state) ? null : slurmState === 'OUT_OF_MEMORY' ? 137 : parseExitCode(exitField);
  return { state, exitCode, message: `Slurm job ${jobId} ${says(exitField ?? '?', reason)}` };
}

export function statusFromScontrol(job: Readonly<Record<string, string>>): ExecutionStatus {
  const s = status(job.JobId ?? '?', job.JobState ?? '', job.ExitCode, job.Reason ?? '');
  if (s.state === 'running' && job.JobState === 'RUNNING' && job.NodeList) return { ...s, message: `${s.message} on ${job.NodeList}` };
  return s;
}

/**
 * `sacct --noheader --parsable2 --allocations --format=JobID,State,ExitCode,Reason`: one line per
 * job, `|` between fields, a state like `CANCELLED by 1000`. Null when sacct does not know the job.
 */
export function statusFromSacct(jobId: string, stdout: string): ExecutionStatus | null {
  const line = stdout.split('\n').find((l) => l.split('|')[0] === jobId);
  if (!line) return null;
  const [, state, exit, reason] = line.split('|');
  return status(jobId, (state ?? '').split(' ')[0] ?? '', exit, reason ?? '');
}

/** The last `lines` lines of a log; undefined when this machine cannot read it (no shared filesystem). */
export async function readLogTail(file: string, lines: number): Promise<string | undefined> {
  try {
    const size = (await stat(file)).size;
    const handle = await open(file, 'r');
    try {
      const length = Math.min(size, 256 * 1024);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      const text = buffer.toString('utf8').replace(/\n$/, '');
      return text.split('\n').slice(-lines).join('\n');
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

/**
 * Writes the file readable by its owner only, before a byte of the content is in it, and in
 * place at once (a rename): a job already reading it (a racing submit's) never sees it half-written.
 */
async function writePrivate(file: string, content: string): Promise<void> {
  const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const handle = await open(partial, 'wx', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  await rename(partial, file);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
