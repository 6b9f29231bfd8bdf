/**
 * The Slurm executor's pure parts: the job script it renders (directives, variables, secrets read
 * from files, the Apptainer line, arguments quoted so bash reads them back unchanged) and its
 * readings of sbatch, scontrol and sacct output (captured from Slurm 22.05).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExecutionSpec } from './executor';
import {
  parseExitCode,
  parseSbatchParsable,
  parseScontrolJob,
  renderSbatchScript,
  statusFromSacct,
  statusFromScontrol,
} from './slurm.executor';

const KEY = '0123456789abcdef0123456789abcdef';
const OPTIONS = { jobName: `caliper-${KEY}`, logPath: '/shared/caliper/runs/job.log', secretFiles: {} };

describe('renderSbatchScript', () => {
  it('renders name, log, resources, variables, the secret read from its file and the command in Apptainer with the GPUs', () => {
    const spec: ExecutionSpec = {
      command: ['python3', 'train.py', '--epochs', '10'],
      key: KEY,
      cwd: '/shared/caliper/work',
      env: { CALIPER_RUN_ID: KEY, MLFLOW_TRACKING_URI: 'https://caliper.example.org/api' },
      resources: { gpus: 2, cpus: 8, memoryMb: 32768, wallTimeMinutes: 240, partition: 'gpu' },
      image: '/shared/images/monai-1.3.sif',
      secretEnv: { CALIPER_TOKEN: 'tok_secret' },
    };
    const script = renderSbatchScript(spec, {
      ...OPTIONS,
      secretFiles: { CALIPER_TOKEN: '/shared/caliper/runs/secrets/CALIPER_TOKEN' },
      partition: 'default-partition',
      sbatchArgs: ['--account=radiology', '--qos=normal'],
    });
    expect(script).toBe(
      [
        '#!/bin/bash',
        `# Caliper run ${KEY}, rendered by the worker's Slurm executor (docs/training.md).`,
        `#SBATCH --job-name=caliper-${KEY}`,
        '#SBATCH --output=/shared/caliper/runs/job.log',
        '#SBATCH --open-mode=append',
        '#SBATCH --no-requeue',
        '#SBATCH --ntasks=1',
        '#SBATCH --cpus-per-task=8',
        '#SBATCH --mem=32768M',
        '#SBATCH --gres=gpu:2',
        '#SBATCH --time=240',
        '#SBATCH --partition=gpu',
        '#SBATCH --chdir=/shared/caliper/work',
        '#SBATCH --account=radiology',
        '#SBATCH --qos=normal',
        'set -euo pipefail',
        `export CALIPER_RUN_ID=${KEY}`,
        'export MLFLOW_TRACKING_URI=https://caliper.example.org/api',
        'CALIPER_TOKEN="$(</shared/caliper/runs/secrets/CALIPER_TOKEN)"; export CALIPER_TOKEN',
        'exec apptainer exec --nv /shared/images/monai-1.3.sif python3 train.py --epochs 10',
        '',
      ].join('\n'),
    );
    expect(script).not.toContain('tok_secret');
  });

  it('asks for nothing the spec does not, takes the executor’s partition, and runs the command itself without an image', () => {
    const script = renderSbatchScript({ command: ['/opt/train.sh'], key: KEY }, { ...OPTIONS, partition: 'debug' });
    expect(script.split('\n').filter((l) => l.startsWith('#SBATCH'))).toEqual([
      `#SBATCH --job-name=caliper-${KEY}`,
      '#SBATCH --output=/shared/caliper/runs/job.log',
      '#SBATCH --open-mode=append',
      '#SBATCH --no-requeue',
      '#SBATCH --ntasks=1',
      '#SBATCH --partition=debug',
    ]);
    expect(script).toMatch(/\nexec \/opt\/train.sh\n$/);
    expect(renderSbatchScript({ command: ['/opt/train.sh'], key: KEY }, OPTIONS)).not.toContain('--partition');
  });

  it('runs Apptainer without --nv when the job asks for no GPU', () => {
    const script = renderSbatchScript(
      { command: ['python3', 'eval.py'], image: 'docker://monai/monai:1.3.0', resources: { cpus: 4 } },
      OPTIONS,
    );
    expect(script).toMatch(/\nexec apptainer exec docker:\/\/monai\/monai:1.3.0 python3 eval.py\n$/);
  });

  it('quotes arguments and values so bash hands the command exactly what was given (spaces, quotes, $, backticks, newlines)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'caliper-sbatch-render-'));
    try {
      const tricky = ['two words', `it's "quoted"`, '$HOME and ${PATH}', '`id`', 'line\nbreak', '*', '', "'", '\\n', '--flag=a b'];
      const secretFile = path.join(dir, 'the token');
      writeFileSync(secretFile, `s3cr3t 'with' $quotes`, { mode: 0o600 });
      const scriptPath = path.join(dir, 'job.sbatch');
      writeFileSync(
        scriptPath,
        renderSbatchScript(
          {
            command: [
              process.execPath,
              '-e',
              'console.log(JSON.stringify([process.argv.slice(1), process.env.NOTE, process.env.TOKEN]))',
              ...tricky,
            ],
            env: { NOTE: `a 'b' "c" $d` },
          },
          { ...OPTIONS, secretFiles: { TOKEN: secretFile } },
        ),
      );
      const out = execFileSync('bash', [scriptPath], { encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 15000 });
      expect(JSON.parse(out)).toEqual([tricky, `a 'b' "c" $d`, `s3cr3t 'with' $quotes`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what an #SBATCH line or Slurm would change or cannot take', () => {
    const spec: ExecutionSpec = { command: ['true'] };
    expect(() => renderSbatchScript(spec, { ...OPTIONS, logPath: '/shared/my runs/job.log' })).toThrow(
      'logPath "/shared/my runs/job.log" cannot go into an #SBATCH line: no spaces, quotes or backslashes',
    );
    expect(() => renderSbatchScript(spec, { ...OPTIONS, logPath: '/shared/%j.log' })).toThrow(
      /holds '%', which Slurm would read as a file name pattern/,
    );
    expect(() => renderSbatchScript({ ...spec, cwd: 'relative/dir' }, OPTIONS)).toThrow('cwd "relative/dir" must be an absolute path');
    expect(() => renderSbatchScript({ ...spec, resources: { gpus: 1.5 } }, OPTIONS)).toThrow(
      'resources.gpus must be a positive whole number, not 1.5',
    );
    expect(() => renderSbatchScript({ ...spec, resources: { memoryMb: 0 } }, OPTIONS)).toThrow(
      'resources.memoryMb must be a positive whole number',
    );
    expect(() => renderSbatchScript({ ...spec, env: { 'BAD-NAME': 'x' } }, OPTIONS)).toThrow('"BAD-NAME" is not a variable name');
    expect(() => renderSbatchScript({ command: ['echo', 'a\0b'] }, OPTIONS)).toThrow('cannot hold a NUL character');
    expect(() => renderSbatchScript(spec, { ...OPTIONS, sbatchArgs: ['--comment=two words'] })).toThrow(/sbatchArgs "--comment=two words"/);
  });
});

/** `scontrol show job --oneliner 1` on Slurm 22.05 after `exit 3`, with a job script under a directory with a space. */
const FAILED_JOB =
  'JobId=1 JobName=caliper-try1 UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901759 Nice=0 Account=(null) QOS=(null) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=0 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=3:0 RunTime=00:00:00 TimeLimit=UNLIMITED TimeMin=N/A SubmitTime=2026-12-03T22:42:51 EligibleTime=2026-12-03T22:42:51 AccrueTime=2026-12-03T22:42:51 StartTime=2026-12-03T22:42:51 EndTime=2026-12-03T22:42:51 Deadline=N/A SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-12-03T22:42:51 Scheduler=Main Partition=debug AllocNode:Sid=localhost:13698 ReqNodeList=(null) ExcNodeList=(null) NodeList=vm BatchHost=vm NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:* TRES=cpu=1,mem=20000M,node=1,billing=1 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* MinCPUsNode=1 MinMemoryNode=0 MinTmpDiskNode=0 Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null) Command=/tmp/slurm try/ok.sh WorkDir=/tmp/slurm try StdErr=/tmp/slurmtry/ok.log StdIn=/dev/null StdOut=/tmp/slurmtry/ok.log Power= \n';

describe('parseScontrolJob', () => {
  it('reads every Key=value pair, values with spaces and "=" included', () => {
    const job = parseScontrolJob(FAILED_JOB);
    expect(job).toMatchObject({
      JobId: '1',
      JobName: 'caliper-try1',
      JobState: 'FAILED',
      Reason: 'NonZeroExitCode',
      ExitCode: '3:0',
      'AllocNode:Sid': 'localhost:13698',
      'CPUs/Task': '1',
      TRES: 'cpu=1,mem=20000M,node=1,billing=1',
      Command: '/tmp/slurm try/ok.sh',
      WorkDir: '/tmp/slurm try',
      StdOut: '/tmp/slurmtry/ok.log',
      Power: '',
    });
  });

  it('refuses output that is not a job', () => {
    expect(() => parseScontrolJob('No jobs in the system\n')).toThrow(
      'scontrol show job printed no JobId and JobState: "No jobs in the system"',
    );
  });
});

describe('statusFromScontrol', () => {
  const job = (JobState: string, more: Record<string, string> = {}) => ({
    JobId: '42',
    JobState,
    Reason: 'None',
    ExitCode: '0:0',
    ...more,
  });

  it.each([
    [job('PENDING', { Reason: 'BeginTime' }), { state: 'queued', exitCode: null, message: 'Slurm job 42 pending: BeginTime' }],
    [job('PENDING', { Reason: 'Resources' }), { state: 'queued', exitCode: null, message: 'Slurm job 42 pending: Resources' }],
    [job('PENDING'), { state: 'queued', exitCode: null, message: 'Slurm job 42 pending' }],
    [job('CONFIGURING'), { state: 'starting', exitCode: null, message: 'Slurm job 42 starting: its nodes are being configured' }],
    [job('RUNNING', { NodeList: 'gpu-node-07' }), { state: 'running', exitCode: null, message: 'Slurm job 42 running on gpu-node-07' }],
    [
      job('COMPLETING', { ExitCode: '0:15' }),
      { state: 'running', exitCode: null, message: 'Slurm job 42 completing: its processes are ending' },
    ],
    [job('COMPLETED'), { state: 'finished', exitCode: 0, message: 'Slurm job 42 completed (exit code 0:0)' }],
    [job('FAILED', { ExitCode: '3:0' }), { state: 'failed', exitCode: 3, message: 'Slurm job 42 failed (exit code 3:0)' }],
    [job('FAILED', { ExitCode: '0:9' }), { state: 'failed', exitCode: 137, message: 'Slurm job 42 failed (exit code 0:9)' }],
    [job('TIMEOUT', { ExitCode: '0:15' }), { state: 'failed', exitCode: 143, message: 'Slurm job 42 reached its wall time limit' }],
    [job('OUT_OF_MEMORY', { ExitCode: '0:125' }), { state: 'failed', exitCode: 137, message: 'Slurm job 42 ran out of memory' }],
    [job('NODE_FAIL', { ExitCode: '0:0' }), { state: 'failed', exitCode: 0, message: 'Slurm job 42 failed: its node failed' }],
    [job('CANCELLED', { ExitCode: '0:15' }), { state: 'killed', exitCode: 143, message: 'Slurm job 42 cancelled' }],
  ] as const)('%p → %p', (fields, expected) => {
    expect(statusFromScontrol(fields)).toEqual(expected);
  });

  it('refuses a state it does not know rather than guess', () => {
    expect(() => statusFromScontrol(job('HIBERNATING'))).toThrow('Slurm reports the job state "HIBERNATING", which Caliper does not know');
  });
});

describe('statusFromSacct', () => {
  // `sacct --noheader --parsable2 --allocations --format=JobID,State,ExitCode,Reason`
  it('reads the job’s own line, a state like "CANCELLED by 1000" included', () => {
    expect(statusFromSacct('77', '76|COMPLETED|0:0|None\n77|CANCELLED by 1000|0:15|None\n')).toEqual({
      state: 'killed',
      exitCode: 143,
      message: 'Slurm job 77 cancelled',
    });
    expect(statusFromSacct('76', '76|FAILED|2:0|NonZeroExitCode\n')).toEqual({
      state: 'failed',
      exitCode: 2,
      message: 'Slurm job 76 failed (exit code 2:0)',
    });
    expect(statusFromSacct('78', '78|PENDING|0:0|Priority\n')).toEqual({
      state: 'queued',
      exitCode: null,
      message: 'Slurm job 78 pending: Priority',
    });
  });

  it('says null for a job it does not list', () => {
    expect(statusFromSacct('79', '')).toBeNull();
    expect(statusFromSacct('79', '790|COMPLETED|0:0|None\n')).toBeNull();
  });
});

describe('parseSbatchParsable and parseExitCode', () => {
  it('reads the job id, with or without the cluster', () => {
    expect(parseSbatchParsable('42\n')).toBe('42');
    expect(parseSbatchParsable('42;hpc-cluster\n')).toBe('42');
    expect(() => parseSbatchParsable('sbatch: error: Batch job submission failed\n')).toThrow('not a job id');
  });

  it('turns exit:signal into a shell’s exit code', () => {
    expect(parseExitCode('0:0')).toBe(0);
    expect(parseExitCode('3:0')).toBe(3);
    expect(parseExitCode('0:9')).toBe(137);
    expect(parseExitCode(undefined)).toBeNull();
    expect(parseExitCode('N/A')).toBeNull();
  });
});
