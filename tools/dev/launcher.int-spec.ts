/**
 * `npm start` on a machine with nothing running: the launcher runs inside a fresh network
 * namespace (empty loopback), so it must start an embedded PostgreSQL, redis-server and the
 * local S3 server itself, migrate, start the API, the worker and the inference service (and the
 * web dev server), print the admin login, and stop everything on SIGINT.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const NS = `caliper-fresh-${process.pid}`;

function inNs(args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', NS, ...args], { encoding: 'utf8', timeout: 15000 });
}

function readyInNs(port: number): { status: string; checks: Record<string, { status: string }> } | null {
  try {
    const out = inNs([process.execPath, '-e', `fetch('http://127.0.0.1:${port}/health/ready').then(r=>r.text()).then(t=>process.stdout.write(t)).catch(()=>process.exit(1))`]);
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

  it('starts PostgreSQL, Redis, S3, the API, the worker and inference, reports ready, and stops everything on Ctrl-C', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_|REDIS_URL|S3_)/.test(k)));
    launcher = spawn('ip', ['netns', 'exec', NS, process.execPath, '-r', path.join(ROOT, 'tools/register.js'), path.join(ROOT, 'tools/dev/launcher.ts')], {
      env: { ...env, CALIPER_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher.stdout!.on('data', (d) => (output += d));
    launcher.stderr!.on('data', (d) => (output += d));

    const allUp = { status: 'ok', checks: expect.objectContaining({ postgres: expect.objectContaining({ status: 'ok' }), redis: expect.objectContaining({ status: 'ok' }), s3: expect.objectContaining({ status: 'ok' }) }) };
    const ports = { api: 3000, worker: 3001, inference: 3002 };
    const ready: Record<string, ReturnType<typeof readyInNs>> = {};
    for (const [name, port] of Object.entries(ports)) {
      for (let i = 0; i < 120 && !ready[name]?.status.startsWith('ok') && launcher.exitCode === null; i++) {
        ready[name] = readyInNs(port);
        if (!ready[name]?.status.startsWith('ok')) await new Promise((r) => setTimeout(r, 500));
      }
    }
    expect(output).toMatch(/embedded PostgreSQL 15/);
    expect(output).toMatch(/starting redis-server/);
    expect(output).toMatch(/migrations applied: Foundation/);
    expect(ready).toEqual({ api: allUp, worker: allUp, inference: allUp });

    const passwordFile = path.join(dataDir, 'dev-admin-password');
    for (let i = 0; i < 60 && !/admin login/.test(output); i++) await new Promise((r) => setTimeout(r, 500));
    expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
    const password = readFileSync(passwordFile, 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(output).toContain(`admin login: admin / ${password}`);
    expect(output).toMatch(/worker\s+http:\/\/127\.0\.0\.1:3001\/health\/ready/);
    expect(output).toMatch(/Caliper is up/);

    // The web dev server serves the app and proxies sign-in to the API with the printed login.
    const page = inNs([process.execPath, '-e', `fetch('http://127.0.0.1:5173/').then(r=>r.text()).then(t=>process.stdout.write(t))`]);
    expect(page).toMatch(/<div id="root">/);
    const signIn = inNs([process.execPath, '-e',
      `fetch('http://127.0.0.1:5173/api/v1/auth/login',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({username:'admin',password:${JSON.stringify(password)}})}).then(r=>process.stdout.write(String(r.status)))`]);
    expect(signIn).toBe('200');

    const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));
    launcher.kill('SIGINT');
    expect([0, 130]).toContain(await exited); // 130: the conventional exit after SIGINT
    expect(inNs(['ss', '-Hltn']).trim()).toBe('');
  }, 120000);
});
