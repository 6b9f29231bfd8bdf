/**
 * A real single-node Slurm for the tests (Debian's slurm-wlm and munge, installed by .ci/run):
 * `ensureSlurm()` reuses a Slurm that already answers, and otherwise, as root, writes a munge key
 * and a one-node slurm.conf for this machine, starts munged, slurmctld and slurmd as daemons
 * (no systemd), and waits until the node is idle. Idempotent, and safe when several test files
 * call it at once (a lock directory); the daemons stay up for the next test run.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, hostname, tmpdir } from 'node:os';
import path from 'node:path';

export interface TestSlurm {
  /** The default partition, which holds the node. */
  partition: string;
  node: string;
  /** CPUs and memory (MB) the node offers jobs. */
  cpus: number;
  memoryMb: number;
  /** Whether this call started the daemons (false: a running Slurm was reused). */
  started: boolean;
}

const CONF = '/etc/slurm/slurm.conf';
const MARK = '# Written by Caliper tools/testing/slurm.ts for the tests: a single-node cluster on this machine.';
const MUNGE_KEY = '/etc/munge/munge.key';
const LOG_DIR = '/var/log/slurm';
const LOCK = path.join(tmpdir(), 'caliper-slurm-start.lock');

export async function ensureSlurm(timeoutMs = 60_000): Promise<TestSlurm> {
  const running = await answeringSlurm();
  if (running) return { ...running, started: false };
  await withLock(async () => {
    if (await answeringSlurm()) return;
    await startSlurm(timeoutMs);
  });
  const started = await waitUntilIdle(timeoutMs);
  return { ...started, started: true };
}

/** The node and partition of a Slurm that answers with an idle (or busy) node, or null. */
async function answeringSlurm(): Promise<Omit<TestSlurm, 'started'> | null> {
  try {
    const { stdout } = await run('sinfo', ['--noheader', '--format=%P|%n|%t|%c|%m'], 10_000);
    const rows = stdout
      .trim()
      .split('\n')
      .map((l) => l.split('|'));
    const usable = rows.find(([, , state]) => /^(idle|mix|alloc|comp)/.test(state ?? ''));
    const row = usable ?? null;
    if (!row) return null;
    const [partition = '', node = '', , cpusField = '0', memory = '0'] = row;
    return { partition: partition.replace(/\*$/, ''), node, cpus: Number(cpusField), memoryMb: Number(memory) };
  } catch {
    return null;
  }
}

async function startSlurm(timeoutMs: number): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'Slurm is not running here, and starting it needs root: run the tests as root (CI does) or start a cluster (docs/training.md)',
    );
  }
  for (const daemon of ['/usr/sbin/munged', '/usr/sbin/slurmctld', '/usr/sbin/slurmd']) {
    if (!existsSync(daemon)) throw new Error(`${daemon} is missing: apt-get install slurm-wlm munge (bash .ci/run does)`);
  }
  await startMunge(timeoutMs);

  const node = hostname().split('.')[0]!;
  const conf = slurmConf(node, cpus().length, await realMemoryMb());
  const current = await readFile(CONF, 'utf8').catch(() => null);
  if (current !== null && !current.startsWith(MARK)) {
    throw new Error(`${CONF} exists and is not the tests' own, but no Slurm answers: start that cluster, or move the file away`);
  }
  // A daemon left from an earlier start that no longer answers (its controller died) is stopped first.
  for (const pidFile of ['/run/slurmd.pid', '/run/slurmctld.pid']) await stopStale(pidFile);
  for (const dir of ['/etc/slurm', '/var/spool/slurmctld', '/var/spool/slurmd', LOG_DIR]) await mkdir(dir, { recursive: true });
  if (current !== conf) {
    await writeFile(CONF, conf);
    // State saved under another configuration (another hostname, other CPUs) would keep the node invalid.
    await rm('/var/spool/slurmctld', { recursive: true, force: true });
    await mkdir('/var/spool/slurmctld', { recursive: true });
  }
  await run('/usr/sbin/slurmctld', [], timeoutMs);
  await run('/usr/sbin/slurmd', [], timeoutMs);
}

function slurmConf(node: string, cpuCount: number, memoryMb: number): string {
  return `${MARK}
ClusterName=caliper-test
SlurmctldHost=${node}(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# A job that asks for no memory gets this much per CPU, not the whole node, so jobs run side by side.
DefMemPerCPU=256
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=${LOG_DIR}/slurmctld.log
SlurmdLogFile=${LOG_DIR}/slurmd.log
# Ended jobs stay visible to scontrol and squeue for an hour (the executor reads how they ended there).
MinJobAge=3600
# How every job ended, one line each, for a person reading after the fact (there is no slurmdbd).
JobCompType=jobcomp/filetxt
JobCompLoc=${LOG_DIR}/jobcomp.log
# Seconds between SIGTERM and SIGKILL when a job is cancelled.
KillWait=10
ReturnToService=2
NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpuCount} RealMemory=${memoryMb} State=UNKNOWN
PartitionName=debug Default=YES Nodes=ALL MaxTime=INFINITE State=UP
`;
}

/** MemTotal less a margin: slurmd refuses a node whose RealMemory is more than it finds. */
async function realMemoryMb(): Promise<number> {
  const meminfo = await readFile('/proc/meminfo', 'utf8');
  const kb = Number(/^MemTotal:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? 0);
  const mb = Math.floor(kb / 1024);
  return Math.max(256, mb - Math.max(512, Math.floor(mb / 10)));
}

async function startMunge(timeoutMs: number): Promise<void> {
  if (await mungeAnswers()) return;
  await mkdir('/etc/munge', { recursive: true });
  const ids = await mungeIds();
  if (!existsSync(MUNGE_KEY)) {
    await run('/usr/sbin/mungekey', ['--create', `--keyfile=${MUNGE_KEY}`], timeoutMs);
  }
  await chown(MUNGE_KEY, ids.uid, ids.gid);
  await chmod(MUNGE_KEY, 0o400);
  for (const dir of ['/run/munge', '/var/lib/munge', '/var/log/munge']) {
    await mkdir(dir, { recursive: true });
    await chown(dir, ids.uid, ids.gid);
  }
  await run('runuser', ['-u', 'munge', '--', '/usr/sbin/munged'], timeoutMs);
  const until = Date.now() + timeoutMs;
  while (!(await mungeAnswers())) {
    if (Date.now() > until) throw new Error(`munged did not answer within ${timeoutMs / 1000} s`);
    await delay(200);
  }
}

async function mungeAnswers(): Promise<boolean> {
  try {
    await run('munge', ['--no-input'], 5_000);
    return true;
  } catch {
    return false;
  }
}

async function mungeIds(): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const fields = passwd
    .split('\n')
    .find((l) => l.startsWith('munge:'))
    ?.split(':');
  if (!fields) throw new Error('there is no munge user: apt-get install munge');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

async function stopStale(pidFile: string): Promise<void> {
  const pid = Number(await readFile(pidFile, 'utf8').catch(() => ''));
  if (!pid) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await delay(100);
  }
}

async function waitUntilIdle(timeoutMs: number): Promise<Omit<TestSlurm, 'started'>> {
  const until = Date.now() + timeoutMs;
  let resumed = false;
  for (;;) {
    const up = await answeringSlurm();
    if (up) return up;
    const { stdout } = await run('sinfo', ['--noheader', '--format=%n|%t'], 10_000).catch(() => ({ stdout: '' }));
    // A node drained or down from an earlier life of this configuration is given back once.
    const node = stdout.trim().split('|');
    if (!resumed && node[0] && /^(down|drain|drng|inval)/.test(node[1] ?? '')) {
      resumed = true;
      await run('scontrol', ['update', `nodename=${node[0]}`, 'state=resume'], 10_000).catch(() => undefined);
    }
    if (Date.now() > until) {
      const logs = await Promise.all(['slurmctld.log', 'slurmd.log'].map((f) => tail(path.join(LOG_DIR, f))));
      throw new Error(
        `Slurm's node was not idle within ${timeoutMs / 1000} s (sinfo: ${stdout.trim() || 'no answer'}):\n${logs.join('\n')}`,
      );
    }
    await delay(250);
  }
}

async function tail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return `--- ${file}\n${text.split('\n').slice(-15).join('\n')}`;
}

/** Only one test process starts the daemons; a lock older than two minutes was left by a killed one. */
async function withLock(body: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch {
      const age = await stat(LOCK).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 120_000) await rm(LOCK, { recursive: true, force: true });
      else await delay(250);
    }
  }
  try {
    await body();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

function run(command: string, args: readonly string[], timeoutMs: number): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${[command, ...args].join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve({ stdout });
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
