/**
 * `npm start` on a machine with nothing running: the launcher runs inside a fresh network
 * namespace (empty loopback), so it must start an embedded PostgreSQL, redis-server and the
 * local S3 server itself, migrate, start the API, and stop everything on SIGINT.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const NS = `caliper-fresh-${process.pid}`;

function inNs(args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', NS, ...args], { encoding: 'utf8', timeout: 15000 });
}

function readyInNs(): { status: string; checks: Record<string, { status: string }> } | null {
  try {
    const out = inNs([process.execPath, '-e', "fetch('http://127.0.0.1:3000/health/ready').then(r=>r.text()).then(t=>process.stdout.write(t)).catch(()=>process.exit(1))"]);
    return JSON.parse(out);
  } catch {
    return null;
  }
}

describe('npm start with nothing running', () => {
  let launcher: ChildProcess;
  let output = '';
  let dataDir: string;

  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    inNs(['ip', 'link', 'set', 'lo', 'up']);
    dataDir = mkdtempSync(path.join(tmpdir(), 'caliper-launch-'));
  });
  afterAll(() => {
    launcher?.kill('SIGKILL');
    execFileSync('ip', ['netns', 'del', NS]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts PostgreSQL, Redis, S3 and the API, reports ready, and stops everything on Ctrl-C', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_|REDIS_URL|S3_)/.test(k)));
    launcher = spawn('ip', ['netns', 'exec', NS, process.execPath, '-r', path.join(ROOT, 'tools/register.js'), path.join(ROOT, 'tools/dev/launcher.ts')], {
      env: { ...env, CALIPER_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher.stdout!.on('data', (d) => (output += d));
    launcher.stderr!.on('data', (d) => (output += d));

    let ready = null;
    for (let i = 0; i < 120 && !ready?.status.startsWith('ok') && launcher.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 500));
      ready = readyInNs();
    }
    expect(output).toMatch(/embedded PostgreSQL 15/);
    expect(output).toMatch(/starting redis-server/);
    expect(output).toMatch(/migrations applied: Foundation/);
    expect(ready).toEqual({ status: 'ok', checks: expect.objectContaining({ postgres: expect.objectContaining({ status: 'ok' }), redis: expect.objectContaining({ status: 'ok' }), s3: expect.objectContaining({ status: 'ok' }) }) });

    const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));
    launcher.kill('SIGINT');
    expect([0, 130]).toContain(await exited); // 130: the conventional exit after SIGINT
    expect(inNs(['ss', '-Hltn']).trim()).toBe('');
  }, 120000);
});
