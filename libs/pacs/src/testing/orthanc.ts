/**
 * A local Orthanc (Debian's `orthanc` + `orthanc-dicomweb`) as a child process: the PACS of the
 * dev launcher (`npm start`, data under ./data/orthanc) and of the integration tests (a temporary
 * folder per test file). Writes a generated configuration into its data folder, starts
 * `/usr/sbin/Orthanc config.json`, waits until `/system` answers and stops it with SIGTERM.
 * `useOrStartOrthanc` prefers a PACS already named by PACS_DICOMWEB_URL when it answers.
 *
 * Orthanc 1.10 has no bind-address option: it listens on every interface. Its HTTP server refuses
 * other hosts (RemoteAccessAllowed false), so with authentication off only loopback clients reach
 * the REST and DICOMweb APIs; its DICOM port accepts only the AE title configured here as called AET.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DicomWebClient } from '../dicomweb-client';

export const ORTHANC_BINARY = '/usr/sbin/Orthanc';
export const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export interface OrthancOptions {
  /** Holds config.json, plugins/ and the database (storage/); created when missing. */
  dataDir: string;
  /** Preferred ports; a free one is used instead when the port is taken (or not given). */
  httpPort?: number;
  dicomPort?: number;
  /** Orthanc's own AE title. Default CALIPER. */
  aet?: string;
  binary?: string;
  plugin?: string;
  startTimeoutMs?: number;
}

export interface RunningOrthanc {
  /** The REST root, e.g. http://127.0.0.1:8042. */
  url: string;
  /** The DICOMweb root: `${url}/dicom-web`. */
  dicomWebUrl: string;
  httpPort: number;
  dicomPort: number;
  aet: string;
  dataDir: string;
  pid: number;
  /** The last 64 KiB Orthanc wrote (its log goes to stderr). */
  output(): string;
  /** Resolves with the exit code when the process exits, whoever stopped it. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after 10 s; resolves when the process is gone (Orthanc 1.10 takes about 3.5 s). Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL: for a throw-away data folder only (tests), where waiting for a clean stop buys nothing. */
  kill(): Promise<void>;
}

/** Whether `port` can be bound on every interface (as Orthanc binds it) right now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/** A port free on every interface right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '0.0.0.0', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function pickPort(preferred: number | undefined, avoid: number[]): Promise<number> {
  if (preferred !== undefined && !avoid.includes(preferred) && (await portIsFree(preferred))) return preferred;
  for (;;) {
    const port = await freePort();
    if (!avoid.includes(port)) return port;
  }
}

/** The configuration Orthanc starts with: loopback-only HTTP, DICOMweb on, everything stored under `dataDir`. */
export function orthancConfig(o: { dataDir: string; httpPort: number; dicomPort: number; aet: string }): Record<string, unknown> {
  return {
    Name: 'caliper',
    HttpPort: o.httpPort,
    DicomPort: o.dicomPort,
    DicomAet: o.aet,
    DicomCheckCalledAet: true,
    StorageDirectory: path.join(o.dataDir, 'storage'),
    IndexDirectory: path.join(o.dataDir, 'storage'),
    Plugins: [path.join(o.dataDir, 'plugins')],
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    // Job history and HTTP compression cost time and disk for nothing on a local PACS.
    SaveJobs: false,
    HttpCompressionEnabled: false,
    StableAge: 2,
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false },
  };
}

async function waitForSystem(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`Orthanc exited while starting (${child.exitCode ?? child.signalCode}):\n${output()}`);
    try {
      if ((await fetch(`${url}/system`, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`Orthanc did not answer ${url}/system within ${timeoutMs / 1000} s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function startOnce(opts: OrthancOptions, httpPort: number, dicomPort: number): Promise<RunningOrthanc> {
  const binary = opts.binary ?? ORTHANC_BINARY;
  const plugin = opts.plugin ?? DICOMWEB_PLUGIN;
  const aet = opts.aet ?? 'CALIPER';
  const dataDir = path.resolve(opts.dataDir);
  mkdirSync(path.join(dataDir, 'storage'), { recursive: true });
  // Orthanc loads every library in the plugins folder: only the DICOMweb plugin goes there.
  const plugins = path.join(dataDir, 'plugins');
  mkdirSync(plugins, { recursive: true });
  const link = path.join(plugins, path.basename(plugin));
  rmSync(link, { force: true }); // the link itself (maybe dangling), never its target
  symlinkSync(plugin, link);
  const configFile = path.join(dataDir, 'config.json');
  writeFileSync(configFile, `${JSON.stringify(orthancConfig({ dataDir, httpPort, dicomPort, aet }), null, 2)}\n`);

  const child = spawn(binary, [configFile], { cwd: dataDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (d: Buffer) => {
    log = (log + d.toString()).slice(-64 * 1024);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const output = () => log;
  const exited = new Promise<number | null>((resolve) => {
    // 'close', not 'exit': by then its output has been read to the end, for the error message.
    child.once('close', (code) => resolve(code));
    child.once('error', (err) => {
      log += `\n${err.message}`;
      resolve(null);
    });
  });
  // A parent that exits without stopping it (a crash, a test worker torn down) must not leave it
  // running: it would hold the data folder's lock and refuse the next start there.
  const orphanGuard = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', orphanGuard);
  void exited.then(() => process.off('exit', orphanGuard));
  const url = `http://127.0.0.1:${httpPort}`;
  let stopping: Promise<void> | undefined;
  const signal = (sig: NodeJS.Signals) =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        child.kill(sig);
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    })());
  const stop = () => signal('SIGTERM');
  const kill = () => signal('SIGKILL');
  try {
    await Promise.race([
      waitForSystem(url, child, output, opts.startTimeoutMs ?? 15_000),
      exited.then((code) => {
        throw new Error(`Orthanc exited while starting (${code ?? child.signalCode}; ${binary} ${configFile}):\n${output()}`);
      }),
    ]);
  } catch (err) {
    await kill();
    throw err;
  }
  return { url, dicomWebUrl: `${url}/dicom-web`, httpPort, dicomPort, aet, dataDir, pid: child.pid!, output, exited, stop, kill };
}

/** Starts Orthanc under `dataDir`; resolves once its REST API answers. Tries once more on other ports if the first ones were taken meanwhile. */
export async function startOrthanc(opts: OrthancOptions): Promise<RunningOrthanc> {
  const binary = opts.binary ?? ORTHANC_BINARY;
  if (!existsSync(binary))
    throw new Error(
      `Orthanc is not installed (${binary} is missing). Debian/Ubuntu: \`apt-get install orthanc orthanc-dicomweb\`, or set PACS_DICOMWEB_URL to a DICOMweb server.`,
    );
  if (!existsSync(opts.plugin ?? DICOMWEB_PLUGIN))
    throw new Error(
      `Orthanc's DICOMweb plugin is not installed (${opts.plugin ?? DICOMWEB_PLUGIN}). Debian/Ubuntu: \`apt-get install orthanc-dicomweb\`.`,
    );
  const httpPort = await pickPort(opts.httpPort, []);
  const dicomPort = await pickPort(opts.dicomPort, [httpPort]);
  try {
    return await startOnce(opts, httpPort, dicomPort);
  } catch (err) {
    // Another process may have bound a port between the check and Orthanc's start.
    if (!/address already in use|cannot bind|bind to port|port.*in use/i.test(String(err))) throw err;
    const retryHttp = await pickPort(undefined, [httpPort, dicomPort]);
    return startOnce(opts, retryHttp, await pickPort(undefined, [httpPort, dicomPort, retryHttp]));
  }
}

/** Whether a DICOMweb server answers QIDO at `url` (GET studies?limit=1) within `timeoutMs`. */
export async function dicomWebAnswers(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`${url.replace(/\/+$/, '')}/studies?limit=1`, {
      headers: { accept: 'application/dicom+json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return res.status === 200 || res.status === 204;
  } catch {
    return false;
  }
}

export interface LocalPacs {
  dicomWebUrl: string;
  /** The Orthanc started here; absent when PACS_DICOMWEB_URL answered. */
  orthanc?: RunningOrthanc;
  /** Why this PACS: for the launcher's log. */
  description: string;
  stop(): Promise<void>;
}

/**
 * The PACS for `npm start`: PACS_DICOMWEB_URL when it answers QIDO, else a local Orthanc under
 * `dataDir` (preferring the given ports). A PACS_DICOMWEB_URL that does not answer is said in the
 * description, so the launcher's log shows why a local one was started.
 */
export async function useOrStartOrthanc(opts: OrthancOptions & { env: NodeJS.ProcessEnv }): Promise<LocalPacs> {
  const given = opts.env.PACS_DICOMWEB_URL?.trim();
  if (given && (await dicomWebAnswers(given)))
    return { dicomWebUrl: given.replace(/\/+$/, ''), description: `using PACS_DICOMWEB_URL ${given}`, stop: async () => {} };
  const orthanc = await startOrthanc(opts);
  const note = given ? `PACS_DICOMWEB_URL ${given} does not answer; ` : '';
  return {
    dicomWebUrl: orthanc.dicomWebUrl,
    orthanc,
    description: `${note}started Orthanc on ${orthanc.url} (DICOM ${orthanc.aet}@127.0.0.1:${orthanc.dicomPort}, data ${orthanc.dataDir})`,
    stop: orthanc.stop,
  };
}

export interface TestOrthanc extends RunningOrthanc {
  client: DicomWebClient;
}

/**
 * An empty Orthanc in a temporary folder for one test file, with a client. `stop()` kills it (a
 * clean stop takes Orthanc 3.5 s; the data is thrown away) and removes the folder.
 */
export async function startTestOrthanc(): Promise<TestOrthanc> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'caliper-orthanc-'));
  let orthanc: RunningOrthanc;
  try {
    orthanc = await startOrthanc({ dataDir });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    ...orthanc,
    client: new DicomWebClient({ baseUrl: orthanc.dicomWebUrl, timeoutMs: 10_000 }),
    stop: async () => {
      await orthanc.kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
