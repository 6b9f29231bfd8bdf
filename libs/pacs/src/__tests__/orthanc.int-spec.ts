/**
 * The Orthanc process manager the dev launcher and the tests share: generated configuration,
 * ports, DICOM and DICOMweb both answering, a clean stop, and PACS_DICOMWEB_URL taking precedence
 * only when it answers.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DicomWebClient } from '../index';
import { DICOMWEB_PLUGIN, SAMPLES, dicomWebAnswers, samplePath, startOrthanc, useOrStartOrthanc, type RunningOrthanc } from '../testing';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('Orthanc process manager', () => {
  const dirs: string[] = [];
  const running: RunningOrthanc[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'caliper-orthanc-test-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    for (const o of running) await o.kill();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('starts from a generated loopback-only configuration under its data folder, answers REST, DICOMweb and C-STORE, and stops', async () => {
    const dir = dataDir();
    const started = Date.now();
    const orthanc = await startOrthanc({ dataDir: dir });
    running.push(orthanc);
    const startMs = Date.now() - started;
    expect(startMs).toBeLessThan(10_000);

    const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      HttpPort: orthanc.httpPort,
      DicomPort: orthanc.dicomPort,
      DicomAet: 'CALIPER',
      StorageDirectory: path.join(dir, 'storage'),
      IndexDirectory: path.join(dir, 'storage'),
      Plugins: [path.join(dir, 'plugins')],
      RemoteAccessAllowed: false,
      AuthenticationEnabled: false,
      DicomWeb: { Enable: true, Root: '/dicom-web/' },
    });
    expect(readlinkSync(path.join(dir, 'plugins', 'libOrthancDicomWeb.so'))).toBe(DICOMWEB_PLUGIN);
    expect(orthanc.httpPort).not.toBe(orthanc.dicomPort);
    expect(orthanc.dicomWebUrl).toBe(`http://127.0.0.1:${orthanc.httpPort}/dicom-web`);

    const system = (await (await fetch(`${orthanc.url}/system`)).json()) as { DicomAet: string; DicomPort: number; HttpPort: number };
    expect(system).toMatchObject({ DicomAet: 'CALIPER', DicomPort: orthanc.dicomPort, HttpPort: orthanc.httpPort });
    expect(await dicomWebAnswers(orthanc.dicomWebUrl)).toBe(true);

    // The DICOM port takes C-STORE (dcmtk's storescu, as a modality would send), and DICOMweb then lists the study.
    execFileSync('storescu', ['-aec', 'CALIPER', '127.0.0.1', String(orthanc.dicomPort), samplePath(SAMPLES.mr.file)], { timeout: 15_000 });
    const client = new DicomWebClient({ baseUrl: orthanc.dicomWebUrl });
    expect((await client.searchStudies()).items.map((s) => s.studyInstanceUid)).toEqual([SAMPLES.mr.studyInstanceUid]);
    // Another called AE title is refused (DicomCheckCalledAet).
    expect(() =>
      execFileSync('storescu', ['-aec', 'SOMEONE', '127.0.0.1', String(orthanc.dicomPort), samplePath(SAMPLES.ct.file)], {
        timeout: 15_000,
        stdio: 'pipe',
      }),
    ).toThrow();

    // A clean stop (SIGTERM), as the dev launcher stops it.
    await orthanc.stop();
    expect(await orthanc.exited).toBe(0);
    expect(alive(orthanc.pid)).toBe(false);
    expect(await dicomWebAnswers(orthanc.dicomWebUrl, 500)).toBe(false);
    await orthanc.stop(); // idempotent

    // Its data survives a restart in the same folder (the dev launcher's ./data/orthanc).
    const again = await startOrthanc({ dataDir: dir });
    running.push(again);
    const reopened = new DicomWebClient({ baseUrl: again.dicomWebUrl });
    expect((await reopened.searchStudies()).items.map((s) => s.studyInstanceUid)).toEqual([SAMPLES.mr.studyInstanceUid]);
    await again.kill();
  });

  it('takes the preferred ports when free and other ones when taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const orthanc = await startOrthanc({ dataDir: dataDir(), httpPort: taken, dicomPort: taken });
      running.push(orthanc);
      expect(orthanc.httpPort).not.toBe(taken);
      expect(orthanc.dicomPort).not.toBe(taken);
      expect(await dicomWebAnswers(orthanc.dicomWebUrl)).toBe(true);
      await orthanc.kill();

      const freeHttp = orthanc.httpPort;
      const preferred = await startOrthanc({ dataDir: dataDir(), httpPort: freeHttp });
      running.push(preferred);
      expect(preferred.httpPort).toBe(freeHttp);
      await preferred.kill();
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('uses PACS_DICOMWEB_URL when it answers, and starts its own Orthanc (saying why) when it does not', async () => {
    const external = await startOrthanc({ dataDir: dataDir() });
    running.push(external);
    const dir = dataDir();
    const used = await useOrStartOrthanc({ dataDir: dir, env: { PACS_DICOMWEB_URL: `${external.dicomWebUrl}/` } });
    expect(used).toMatchObject({ dicomWebUrl: external.dicomWebUrl, description: `using PACS_DICOMWEB_URL ${external.dicomWebUrl}/` });
    expect(used.orthanc).toBeUndefined();
    expect(existsSync(path.join(dir, 'config.json'))).toBe(false);
    await external.kill();

    const fallback = await useOrStartOrthanc({ dataDir: dir, env: { PACS_DICOMWEB_URL: external.dicomWebUrl } });
    running.push(fallback.orthanc!);
    expect(fallback.dicomWebUrl).not.toBe(external.dicomWebUrl);
    expect(fallback.description).toMatch(
      new RegExp(`^PACS_DICOMWEB_URL ${external.dicomWebUrl} does not answer; started Orthanc on http://127\\.0\\.0\\.1:\\d+`),
    );
    expect(await dicomWebAnswers(fallback.dicomWebUrl)).toBe(true);
    await fallback.orthanc!.kill();
    expect(alive(fallback.orthanc!.pid)).toBe(false);
  });

  it('says how to install Orthanc when it is missing, and shows Orthanc’s own words when it will not start', async () => {
    await expect(startOrthanc({ dataDir: dataDir(), binary: '/nonexistent/Orthanc' })).rejects.toThrow(
      /Orthanc is not installed \(\/nonexistent\/Orthanc is missing\)\. Debian\/Ubuntu: `apt-get install orthanc orthanc-dicomweb`/,
    );
    // Two servers on one data folder: the second cannot lock the index.
    const dir = dataDir();
    const first = await startOrthanc({ dataDir: dir });
    running.push(first);
    await expect(startOrthanc({ dataDir: dir })).rejects.toThrow(/Orthanc exited while starting[\s\S]*database is locked/);
    await first.kill();
  });
});
