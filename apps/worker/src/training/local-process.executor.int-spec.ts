/**
 * LocalProcessExecutor against real child processes (node scripts): submit, sync through each
 * way a process ends, cancel with SIGTERM and then SIGKILL after the grace period (Jest's fake
 * timers hold the grace period; the processes and their signals are real), and what another
 * executor, as after a worker restart, can still do with a pid it did not start.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
// Not replaced by Jest's fake timers: the test's own polling keeps real time while the executor's clock is fake.
import { setTimeout as realDelay } from 'node:timers/promises';
import { ExecutionSpec, ExecutionStatus } from './executor';
import { isZombie, LocalProcessExecutor } from './local-process.executor';

/** Says 'ready' once its handlers are in place, then waits; SIGUSR2 makes it finish. */
const WAITS = `process.on('SIGUSR2', () => { console.log('finishing'); process.exit(0); }); console.log('ready'); setInterval(() => {}, 1000);`;
/** Saves a checkpoint and exits 0 on SIGTERM, as a training script should. */
const SAVES_ON_SIGTERM = `process.on('SIGTERM', () => { console.log('checkpoint saved'); process.exit(0); }); console.log('ready'); setInterval(() => {}, 1000);`;
/** Ignores SIGTERM and writes a heartbeat every 20 ms: a script stuck in a CUDA call. */
const IGNORES_SIGTERM = `let n = 0; process.on('SIGTERM', () => console.log('term ignored')); console.log('ready'); setInterval(() => console.log('beat ' + ++n), 20);`;

describe('LocalProcessExecutor (real child processes)', () => {
  let dir: string;
  let log: string;
  let executor: LocalProcessExecutor;
  const pids: string[] = [];

  const node = (script: string, extra: Partial<ExecutionSpec> = {}): ExecutionSpec => ({
    command: [process.execPath, '-e', script],
    logPath: log,
    ...extra,
  });
  const submit = async (spec: ExecutionSpec) => {
    const pid = await executor.submit(spec);
    pids.push(pid);
    return pid;
  };
  const logText = () => readFile(log, 'utf8').catch(() => '');
  async function logShows(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const text = await logText();
      if (pattern.test(text)) return text;
      if (Date.now() > until) throw new Error(`the log never showed ${pattern} within ${timeoutMs} ms; it has:\n${text}`);
      await realDelay(20);
    }
  }
  async function ended(pid: string, by = executor): Promise<ExecutionStatus> {
    const until = Date.now() + 10_000;
    for (;;) {
      const status = await by.sync(pid);
      if (status.state !== 'running') return status;
      if (Date.now() > until) throw new Error(`process ${pid} still runs after 10 s`);
      await realDelay(20);
    }
  }

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'caliper-executor-'));
    log = path.join(dir, 'run.log');
    executor = new LocalProcessExecutor({ graceMs: 5000 });
  });
  afterEach(async () => {
    jest.useRealTimers();
    for (const pid of pids.splice(0)) {
      try {
        process.kill(-Number(pid), 'SIGKILL');
      } catch {
        // already gone, as it should be
      }
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a process, reports it running, then finished with exit code 0, its output appended to the log', async () => {
    const pid = await submit(node(WAITS));
    expect(pid).toMatch(/^[1-9]\d*$/);
    await logShows(/ready/);
    expect(await executor.sync(pid)).toEqual({ state: 'running', exitCode: null, message: `process ${pid} is running` });
    process.kill(Number(pid), 'SIGUSR2');
    expect(await ended(pid)).toEqual({ state: 'finished', exitCode: 0, message: 'exited with code 0' });
    expect(await logText()).toBe('ready\nfinishing\n');
  });

  it('reports a non-zero exit as failed with its code, and a process ended by a signal nobody sent through cancel as failed with 128 + the signal', async () => {
    const three = await submit(node(`console.error('out of memory'); process.exit(3);`));
    expect(await ended(three)).toEqual({ state: 'failed', exitCode: 3, message: 'exited with code 3' });
    expect(await logText()).toBe('out of memory\n');

    const oomKilled = await submit(node(WAITS));
    await logShows(/ready/);
    process.kill(Number(oomKilled), 'SIGKILL');
    expect(await ended(oomKilled)).toEqual({ state: 'failed', exitCode: 137, message: 'ended by SIGKILL' });
  });

  it("gives the process its own variables and working directory, and none of the worker's environment", async () => {
    process.env.CALIPER_TEST_WORKER_SECRET = 'do-not-leak';
    try {
      const pid = await submit(
        node(
          `console.log(JSON.stringify({ run: process.env.RUN_ID, secret: process.env.CALIPER_TEST_WORKER_SECRET ?? null, path: Boolean(process.env.PATH), cwd: process.cwd() }));`,
          {
            env: { RUN_ID: '7' },
            cwd: dir,
          },
        ),
      );
      expect(await ended(pid)).toMatchObject({ state: 'finished' });
      expect(JSON.parse(await logText())).toEqual({ run: '7', secret: null, path: true, cwd: dir });
    } finally {
      delete process.env.CALIPER_TEST_WORKER_SECRET;
    }
  });

  it('refuses a command that cannot start, naming it', async () => {
    await expect(executor.submit({ command: [path.join(dir, 'no-such-train.sh')] })).rejects.toThrow(
      /could not start ".*no-such-train.sh": spawn .* ENOENT/,
    );
  });

  it('cancels with SIGTERM and does not wait out the grace period for a process that stops: killed, with its own exit', async () => {
    const pid = await submit(node(SAVES_ON_SIGTERM));
    await logShows(/ready/);
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'Date', 'hrtime', 'performance'] });
    await executor.cancel(pid); // no fake time passes: SIGTERM alone ended it
    expect(await executor.sync(pid)).toEqual({ state: 'killed', exitCode: 0, message: 'cancelled: exited with code 0' });
    expect(await logText()).toBe('ready\ncheckpoint saved\n');
  });

  it('sends SIGKILL to a process that ignores SIGTERM once the grace period is over, and not a moment before', async () => {
    const pid = await submit(node(IGNORES_SIGTERM));
    await logShows(/ready/);
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'Date', 'hrtime', 'performance'] });
    let cancelled = false;
    const cancelling = executor.cancel(pid).then(() => (cancelled = true));
    await logShows(/term ignored/);

    await jest.advanceTimersByTimeAsync(4999);
    // Still beating after 4.999 s of the grace period: no SIGKILL yet.
    const beats = ((await logText()).match(/beat/g) ?? []).length;
    await logShows(new RegExp(`beat ${beats + 2}\\n`));
    expect(cancelled).toBe(false);
    expect((await executor.sync(pid)).state).toBe('running');

    await jest.advanceTimersByTimeAsync(1);
    await cancelling;
    expect(await executor.sync(pid)).toEqual({ state: 'killed', exitCode: 137, message: 'cancelled: ended by SIGKILL' });
  });

  it('reaches the processes the job started (its process group), not only the job', async () => {
    const pidFile = path.join(dir, 'grandchild.pid');
    const pid = await submit(
      node(
        `const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); console.log('ready'); setInterval(() => {}, 1000);`,
      ),
    );
    await logShows(/ready/);
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    pids.push(String(grandchild));
    await executor.cancel(pid);
    expect((await executor.sync(pid)).state).toBe('killed');
    const until = Date.now() + 5000;
    while (alive(grandchild) && Date.now() < until) await realDelay(20);
    expect(alive(grandchild)).toBe(false);
  });

  it('leaves a process that already ended as it ended when cancelled', async () => {
    const pid = await submit(node(`process.exit(0);`));
    expect(await ended(pid)).toMatchObject({ state: 'finished' });
    await executor.cancel(pid);
    expect(await executor.sync(pid)).toEqual({ state: 'finished', exitCode: 0, message: 'exited with code 0' });
  });

  it('after a worker restart (another executor): tells whether the pid is alive, cancels it, and says its end is unknown', async () => {
    const pid = await submit(node(WAITS));
    await logShows(/ready/);
    const restarted = new LocalProcessExecutor({ graceMs: 5000, pollMs: 20 });
    expect(await restarted.sync(pid)).toEqual({
      state: 'running',
      exitCode: null,
      message: `process ${pid} is running (started before this worker did; how it ends will not be known)`,
    });
    await restarted.cancel(pid);
    expect(await restarted.sync(pid)).toEqual({
      state: 'failed',
      exitCode: null,
      message: `process ${pid} is not running, and how it ended is unknown (it was started before this worker did)`,
    });
    expect(await ended(pid)).toMatchObject({ exitCode: 143, message: 'ended by SIGTERM' });
    await expect(restarted.sync('slurm-123')).rejects.toThrow('"slurm-123" is not the id of a local process (a pid)');
  });
});

/** An orphaned grandchild that ended is a zombie until init reaps it: ended, though kill(pid, 0) still finds it. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !isZombie(pid);
}
