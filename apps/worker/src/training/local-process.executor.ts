/**
 * The executor for a machine without Slurm or Kubernetes (development, tests, a single GPU
 * box): the job is a child process of the worker and its pid is the external id. It leads a
 * process group of its own, so cancel reaches what it started too (data-loader workers, a
 * shell's children): SIGTERM first, so a training script can save a checkpoint, then SIGKILL
 * once the grace period is over. How a process ended is known to the executor that started it;
 * another one (after a worker restart) can tell whether the pid is alive and can cancel it, but
 * not how it ended.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { constants } from 'node:os';
import { ExecutionSpec, ExecutionStatus, Executor } from './executor';

export interface LocalProcessExecutorOptions {
  /** How long a cancelled process has after SIGTERM before SIGKILL. */
  graceMs: number;
  /** How often a process this executor did not start is checked while it is being cancelled. */
  pollMs: number;
}

const DEFAULTS: LocalProcessExecutorOptions = { graceMs: 10_000, pollMs: 200 };

/** The only variables of the worker's environment a job inherits. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'TZ'];

interface Started {
  child: ChildProcess;
  ended: Promise<void>;
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  /** Set when cancel signalled it while it ran: however it then ends, it was killed. */
  cancelled: boolean;
}

export class LocalProcessExecutor implements Executor {
  private readonly started = new Map<string, Started>();
  private readonly options: LocalProcessExecutorOptions;

  constructor(options: Partial<LocalProcessExecutorOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  async submit(spec: ExecutionSpec): Promise<string> {
    const [program, ...args] = spec.command;
    const log = spec.logPath ? await open(spec.logPath, 'a') : null;
    try {
      const env = Object.fromEntries(INHERITED_ENV.flatMap((k) => (process.env[k] === undefined ? [] : [[k, process.env[k]!]])));
      const child = spawn(program, args, {
        cwd: spec.cwd,
        // Secrets (the run's token) go in the child's environment: never on its command line, which
        // every user of the machine can read; /proc/<pid>/environ is readable by the job's user only.
        env: { ...env, ...spec.env, ...spec.secretEnv },
        detached: true,
        stdio: ['ignore', log?.fd ?? 'ignore', log?.fd ?? 'ignore'],
      });
      const started: Started = { child, ended: Promise.resolve(), exit: null, cancelled: false };
      started.ended = new Promise((resolve) =>
        child.once('exit', (code, signal) => {
          started.exit = { code, signal };
          resolve();
        }),
      );
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', (err) => reject(new Error(`could not start "${program}": ${err.message}`)));
      });
      // A job that runs for hours must not keep a worker that is shutting down alive.
      child.unref();
      this.started.set(String(child.pid), started);
      return String(child.pid);
    } finally {
      await log?.close();
    }
  }

  async sync(externalId: string): Promise<ExecutionStatus> {
    const started = this.started.get(externalId);
    if (!started) {
      const pid = parsePid(externalId);
      return isAlive(pid)
        ? {
            state: 'running',
            exitCode: null,
            message: `process ${pid} is running (started before this worker did; how it ends will not be known)`,
          }
        : {
            state: 'failed',
            exitCode: null,
            message: `process ${pid} is not running, and how it ended is unknown (it was started before this worker did)`,
          };
    }
    if (!started.exit) return { state: 'running', exitCode: null, message: `process ${externalId} is running` };
    const { code, signal } = started.exit;
    const exitCode = signal ? 128 + constants.signals[signal] : code;
    const how = signal ? `ended by ${signal}` : `exited with code ${code}`;
    if (started.cancelled) return { state: 'killed', exitCode, message: `cancelled: ${how}` };
    return code === 0 ? { state: 'finished', exitCode, message: how } : { state: 'failed', exitCode, message: how };
  }

  async cancel(externalId: string): Promise<void> {
    const started = this.started.get(externalId);
    if (!started) return this.cancelUnknown(parsePid(externalId));
    if (started.exit) return;
    started.cancelled = true;
    const pid = started.child.pid!;
    signalGroup(pid, 'SIGTERM');
    if (await this.endsWithin(started.ended, this.options.graceMs)) return;
    signalGroup(pid, 'SIGKILL');
    await started.ended;
  }

  /** A process this executor did not start: no exit event comes, so its pid is polled. */
  private async cancelUnknown(pid: number): Promise<void> {
    if (!isAlive(pid)) return;
    signalGroup(pid, 'SIGTERM');
    const gone = (async () => {
      while (isAlive(pid)) await delay(this.options.pollMs);
    })();
    if (await this.endsWithin(gone, this.options.graceMs)) return;
    signalGroup(pid, 'SIGKILL');
    await gone;
  }

  private async endsWithin(ended: Promise<void>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
      return await Promise.race([ended.then(() => true as const), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function parsePid(externalId: string): number {
  if (!/^[1-9]\d*$/.test(externalId)) throw new Error(`"${externalId}" is not the id of a local process (a pid)`);
  return Number(externalId);
}

/** Whether the process runs: it exists (EPERM: under another user) and, where /proc tells, has not ended as a zombie its parent has yet to reap. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** An orphan that ended stays a zombie until init reaps it, which some container inits do late or never. */
export function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (command) state ...": the command may itself hold spaces and parentheses.
    return stat[stat.lastIndexOf(')') + 2] === 'Z';
  } catch {
    return false;
  }
}

/** Signals the process group the job leads; one that is already gone is not an error. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
