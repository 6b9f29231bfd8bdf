/**
 * SlurmExecutor against a real single-node Slurm (slurmctld + slurmd + munged, started by
 * ensureSlurm when none answers): each way a job ends as sbatch, scontrol and scancel report it,
 * a pending job's reason, the token's way into the job (a 0600 file, in no script, job record,
 * command line or log), and one job per key however often, or however concurrently, submit runs.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ExecutionSpec, ExecutionStatus } from './executor';
import { isZombie } from './local-process.executor';
import { parseScontrolJob, SlurmExecutor } from './slurm.executor';

const exec = promisify(execFile);
// tools/ is a project of its own, which the module boundaries keep apps from importing by path: loaded at run time.
type SlurmTesting = typeof import('../../../../tools/testing/slurm');
type TestSlurm = Awaited<ReturnType<SlurmTesting['ensureSlurm']>>;
const loadSlurmTesting = () => import(path.resolve(__dirname, '../../../../tools/testing/slurm')) as Promise<SlurmTesting>;

describe('SlurmExecutor (real single-node Slurm)', () => {
  let slurm: TestSlurm;
  let dir: string;
  let executor: SlurmExecutor;
  const submitted: string[] = [];

  /** A run uuid, as the worker passes it. */
  const newKey = () => randomBytes(16).toString('hex');
  const bash = (script: string, extra: Partial<ExecutionSpec> = {}): ExecutionSpec => ({
    command: ['bash', '-c', script],
    key: newKey(),
    // A wall time, so a sleeper left by a test run that was killed frees the node's CPUs soon.
    resources: { cpus: 1, memoryMb: 64, wallTimeMinutes: 2, partition: slurm.partition },
    ...extra,
  });
  const submit = async (spec: ExecutionSpec, by = executor) => {
    const id = await by.submit(spec);
    submitted.push(id);
    return id;
  };
  async function until(id: string, done: (s: ExecutionStatus) => boolean, timeoutMs = 20_000): Promise<ExecutionStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await executor.sync(id);
      if (done(status)) return status;
      if (Date.now() > deadline) throw new Error(`Slurm job ${id} still ${JSON.stringify(status)} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const ended = (id: string, timeoutMs?: number) => until(id, (s) => ['finished', 'failed', 'killed', 'lost'].includes(s.state), timeoutMs);
  const scontrol = async (id: string) => (await exec('scontrol', ['show', 'job', '--oneliner', '--details', id])).stdout;
  async function fileShows(file: string, pattern: RegExp): Promise<string> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const text = await readFile(file, 'utf8').catch(() => '');
      if (pattern.test(text)) return text;
      if (Date.now() > deadline) throw new Error(`${file} never showed ${pattern}; it has:\n${text}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    slurm = await (await loadSlurmTesting()).ensureSlurm();
    dir = await mkdtemp(path.join(tmpdir(), 'caliper-slurm-'));
    executor = new SlurmExecutor({ workDir: dir, pollMs: 100 });
  }, 90_000);
  afterAll(async () => {
    if (submitted.length > 0) await exec('scancel', [...new Set(submitted)]).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs a script that prints and exits 0: finished, exit code 0, a numeric job id, its resources and variables as asked, the log tail', async () => {
    const key = newKey();
    const id = await submit(
      bash('echo "run $CALIPER_RUN_ID reports to $MLFLOW_TRACKING_URI"; echo "cpus $SLURM_CPUS_PER_TASK in $PWD"', {
        key,
        cwd: dir,
        env: { CALIPER_RUN_ID: key, MLFLOW_TRACKING_URI: 'http://127.0.0.1:3000/api' },
        resources: { cpus: Math.min(2, slurm.cpus), memoryMb: 100, wallTimeMinutes: 5, partition: slurm.partition },
      }),
    );
    expect(id).toMatch(/^[1-9]\d*$/);
    // Two CPUs, all a small test node has: it may wait for another test file's job to end.
    const status = await ended(id, 45_000);
    expect(status).toEqual({
      state: 'finished',
      exitCode: 0,
      message: `Slurm job ${id} completed (exit code 0:0)`,
      logTail: `run ${key} reports to http://127.0.0.1:3000/api\ncpus ${Math.min(2, slurm.cpus)} in ${dir}`,
    });
    const job = parseScontrolJob(await scontrol(id));
    expect(job).toMatchObject({
      JobName: `caliper-${key}`,
      Partition: slurm.partition,
      TimeLimit: '00:05:00',
      'CPUs/Task': String(Math.min(2, slurm.cpus)),
      MinMemoryNode: '100M',
      Requeue: '0',
      StdOut: path.join(dir, `caliper-${key}`, 'job.log'),
    });
  }, 60_000);

  it('reports a script exiting 3 as failed with exit code 3, the last 50 lines of its output in logTail', async () => {
    const log = path.join(dir, 'fails.log');
    const id = await submit(
      bash('for i in $(seq 1 60); do echo "epoch $i"; done; echo "CUDA error: out of memory" >&2; exit 3', { logPath: log }),
    );
    const status = await ended(id);
    expect(status).toMatchObject({ state: 'failed', exitCode: 3, message: `Slurm job ${id} failed (exit code 3:0)` });
    const lines = status.logTail!.split('\n');
    expect(lines).toHaveLength(50);
    expect(lines[0]).toBe('epoch 12');
    expect(lines.slice(-2)).toEqual(['epoch 60', 'CUDA error: out of memory']);
  });

  it('cancels a running job: scancel, and cancel returns once the job and its process have ended: killed', async () => {
    const pidFile = path.join(dir, 'sleeper.pid');
    const id = await submit(bash(`echo $$ > ${pidFile}; exec sleep 300`));
    const pid = Number((await fileShows(pidFile, /^\d+\n$/)).trim());
    expect(await until(id, (s) => s.state === 'running')).toEqual({
      state: 'running',
      exitCode: null,
      message: `Slurm job ${id} running on ${slurm.node}`,
    });
    expect(alive(pid)).toBe(true);

    await executor.cancel(id);
    expect(await executor.sync(id)).toMatchObject({ state: 'killed', message: `Slurm job ${id} cancelled` });
    expect(alive(pid)).toBe(false);
    // Cancelling what has ended leaves it as it ended.
    await executor.cancel(id);
    expect((await executor.sync(id)).state).toBe('killed');
  });

  it('reports a job waiting for its begin time as queued with the pending reason, and cancels it', async () => {
    const later = new SlurmExecutor({ workDir: dir, sbatchArgs: ['--begin=now+1hour'], pollMs: 100 });
    const id = await submit(bash('echo never'), later);
    expect(await until(id, (s) => s.message.includes('BeginTime'))).toEqual({
      state: 'queued',
      exitCode: null,
      message: `Slurm job ${id} pending: BeginTime`,
    });
    await later.cancel(id);
    expect(await later.sync(id)).toMatchObject({ state: 'killed', message: `Slurm job ${id} cancelled` });
  });

  it('passes the token in a 0600 file the job reads, and it is in no script, job record, command line or log; the file goes once the job ends', async () => {
    const token = `tok_${randomBytes(24).toString('hex')}`;
    const key = newKey();
    const log = path.join(dir, 'token.log');
    const id = await submit(
      bash('printf %s "$CALIPER_TOKEN" | sha256sum; echo ready; exec sleep 300', {
        key,
        logPath: log,
        secretEnv: { CALIPER_TOKEN: token },
      }),
    );
    const sha = createHash('sha256').update(token).digest('hex');
    await fileShows(log, /ready/);

    const tokenFile = path.join(dir, `caliper-${key}`, 'secrets', 'CALIPER_TOKEN');
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    expect(await readFile(tokenFile, 'utf8')).toBe(token);
    // The job got the token itself (its hash), not the file's path or nothing.
    expect(await readFile(log, 'utf8')).toBe(`${sha}  -\nready\n`);

    const script = await readFile(path.join(dir, `caliper-${key}`, 'job.sbatch'), 'utf8');
    const stored = (await exec('scontrol', ['write', 'batch_script', id, '-'])).stdout;
    const ps = (await exec('ps', ['-eww', '-o', 'pid=,args='])).stdout;
    expect(script).toContain(`CALIPER_TOKEN="$(<${tokenFile})"`);
    expect(stored).toBe(script);
    expect(ps).toContain('sleep 300');
    for (const text of [script, stored, await scontrol(id), ps, await readFile(log, 'utf8')]) expect(text).not.toContain(token);

    await executor.cancel(id);
    expect((await executor.sync(id)).state).toBe('killed');
    expect(existsSync(tokenFile)).toBe(false);
  });

  it('creates one job per key: a retried submit returns the first job, and two racing submits keep one running job', async () => {
    const spec = bash('echo once');
    const first = await submit(spec);
    expect(await submit(spec)).toBe(first);
    const retried = new SlurmExecutor({ workDir: dir }); // a worker restarted mid-submit
    expect(await submit(spec, retried)).toBe(first);
    expect(await jobsNamed(`caliper-${spec.key}`)).toEqual([first]);

    const racing = bash('exec sleep 300');
    const [a, b] = await Promise.all([submit(racing), submit(racing, retried)]);
    expect(a).toBe(b);
    const named = await jobsNamed(`caliper-${racing.key}`);
    expect(named[0]).toBe(a);
    for (const extra of named.slice(1)) expect((await ended(extra)).state).toBe('killed');
    expect((await until(a, (s) => s.state === 'running')).state).toBe('running');
  });

  it('says a job Slurm does not know is lost, and that there is no accounting here to ask (sacct needs slurmdbd)', async () => {
    const sacct = await exec('sacct', ['--noheader']).catch((err: { stderr: string }) => err);
    expect(sacct.stderr).toMatch(/accounting storage is disabled/);
    expect(await executor.sync('999999999')).toEqual({
      state: 'lost',
      exitCode: null,
      message:
        'Slurm no longer knows job 999999999 (the controller forgets a job MinJobAge after it ends, or lost its state) and this cluster keeps no accounting (sacct): how it ended is unknown',
    });
    await expect(executor.cancel('999999999')).resolves.toBeUndefined();
  });

  it('fails with the command and its error when Slurm refuses a job, and refuses specs it cannot submit', async () => {
    // The test node has no GPUs: sbatch rejects the request.
    await expect(executor.submit(bash('nvidia-smi', { resources: { gpus: 1 } }))).rejects.toThrow(
      /^sbatch --parsable \/.*job\.sbatch failed \(exit 1\): sbatch: error: .*(gres|Requested node configuration)/i,
    );
    await expect(executor.submit({ command: ['true'] })).rejects.toThrow(/needs the run id as its key/);
    await expect(executor.sync('12abc')).rejects.toThrow('"12abc" is not a Slurm job id');
  });
});

async function jobsNamed(name: string): Promise<string[]> {
  const { stdout } = await exec('squeue', ['--noheader', '--states=all', `--name=${name}`, '--format=%i']);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.trim())
    .sort((a, b) => Number(a) - Number(b));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !isZombie(pid);
}
