/**
 * The DICOMweb client against a real Orthanc (its own, empty, for this file) loaded by STOW-RS
 * with pydicom's sample files; and against small local servers that misbehave on purpose.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { DicomWebClient, PacsError, type InstanceRef } from '../index';
import { SAMPLES, sampleBytes, samplePath, startTestOrthanc, type SampleName, type TestOrthanc } from '../testing';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const LOADED: SampleName[] = ['ct', 'mr', 'liverSeg', 'nmJpeg2000'];
const studyUids = (names: SampleName[]) => names.map((n) => SAMPLES[n].studyInstanceUid).sort();

async function streamSha256(body: Readable): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    hash.update(chunk);
  }
  return { sha256: hash.digest('hex'), bytes };
}

async function rejection(promise: Promise<unknown>): Promise<PacsError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof PacsError) return err;
    throw err;
  }
  throw new Error('resolved where a PacsError was expected');
}

describe('DicomWebClient against Orthanc', () => {
  let pacs: TestOrthanc;
  let client: DicomWebClient;
  beforeAll(async () => {
    pacs = await startTestOrthanc();
    client = pacs.client;
    const stored = await client.store(LOADED.map((n) => sampleBytes(SAMPLES[n].file)));
    expect(stored.failed).toEqual([]);
    expect(stored.stored.map((s) => s.sopInstanceUid).sort()).toEqual(LOADED.map((n) => SAMPLES[n].sopInstanceUid).sort());
  });
  afterAll(() => pacs?.stop());

  it('lists every study with its records decoded', async () => {
    const page = await client.searchStudies();
    expect(page).toMatchObject({ offset: 0, limit: 100, mayHaveMore: false });
    expect(page.items.map((s) => s.studyInstanceUid).sort()).toEqual(studyUids(LOADED));
    expect(page.items.find((s) => s.studyInstanceUid === SAMPLES.nmJpeg2000.studyInstanceUid)).toEqual({
      studyInstanceUid: SAMPLES.nmJpeg2000.studyInstanceUid,
      patientId: '8NM1',
      patientName: expect.any(String),
      studyDate: '20040826',
      studyTime: expect.any(String),
      studyId: expect.any(String),
      studyDescription: 'Whole Body Bone',
      modalitiesInStudy: ['NM'],
      numberOfSeries: 1,
      numberOfInstances: 1,
      retrieveUrl: `${pacs.dicomWebUrl}/studies/${SAMPLES.nmJpeg2000.studyInstanceUid}`,
    });
  });

  it.each<[string, Parameters<DicomWebClient['searchStudies']>[0], SampleName[]]>([
    ['one modality', { modalities: ['CT'] }, ['ct']],
    ['any of several modalities', { modalities: ['MR', 'SEG'] }, ['mr', 'liverSeg']],
    ['a closed date range', { studyDate: { from: '20040101', to: '20041231' } }, ['ct', 'mr', 'nmJpeg2000']],
    ['an open-ended date range', { studyDate: { to: '20031231' } }, ['liverSeg']],
    ['a single day', { studyDate: { from: '20040826', to: '20040826' } }, ['mr', 'nmJpeg2000']],
    ['a description with wildcards (case-insensitive)', { studyDescription: '*body*' }, ['nmJpeg2000']],
    ['modality and date together', { modalities: ['MR', 'NM'], studyDate: { from: '20040826' } }, ['mr', 'nmJpeg2000']],
    ['a patient', { patientId: '1CT1' }, ['ct']],
    ['nothing that matches', { modalities: ['US'] }, []],
  ])('finds exactly the studies for %s', async (_what, query, expected) => {
    const page = await client.searchStudies(query);
    expect(page.items.map((s) => s.studyInstanceUid).sort()).toEqual(studyUids(expected));
  });

  it('finds series by body part and by series description, with their study and patient', async () => {
    const byBodyPart = await client.searchSeries({ bodyPartExamined: 'WHOLE*' });
    expect(byBodyPart.items).toEqual([
      expect.objectContaining({
        studyInstanceUid: SAMPLES.nmJpeg2000.studyInstanceUid,
        seriesInstanceUid: SAMPLES.nmJpeg2000.seriesInstanceUid,
        modality: 'NM',
        bodyPartExamined: 'WHOLE BODY',
        patientId: '8NM1',
        numberOfInstances: 1,
      }),
    ]);
    const bySeries = await client.searchSeries({ seriesDescription: '*segm*' });
    expect(bySeries.items.map((s) => [s.seriesInstanceUid, s.seriesDescription])).toEqual([
      [SAMPLES.liverSeg.seriesInstanceUid, 'Liver Segmentation'],
    ]);
    // Orthanc 1.10's DICOMweb plugin matches no value containing a space, whether sent as %20 or `+`
    // (a `*` in its place does): callers put `*` for spaces until the client does it for them.
    const spaced = await client.searchSeries({ seriesDescription: 'Liver*Segmentation' });
    expect(spaced.items.map((s) => s.seriesInstanceUid)).toEqual([SAMPLES.liverSeg.seriesInstanceUid]);
    const inStudy = await client.searchSeries({ studyInstanceUid: SAMPLES.ct.studyInstanceUid });
    expect(inStudy.items.map((s) => [s.studyInstanceUid, s.seriesInstanceUid, s.modality])).toEqual([
      [SAMPLES.ct.studyInstanceUid, SAMPLES.ct.seriesInstanceUid, 'CT'],
    ]);
  });

  it('lists the instances of a series with their size and class', async () => {
    const { items } = await client.searchInstances({
      studyInstanceUid: SAMPLES.liverSeg.studyInstanceUid,
      seriesInstanceUid: SAMPLES.liverSeg.seriesInstanceUid,
    });
    expect(items).toEqual([
      expect.objectContaining({
        studyInstanceUid: SAMPLES.liverSeg.studyInstanceUid,
        seriesInstanceUid: SAMPLES.liverSeg.seriesInstanceUid,
        sopInstanceUid: SAMPLES.liverSeg.sopInstanceUid,
        sopClassUid: SAMPLES.liverSeg.sopClassUid,
        rows: 512,
        columns: 512,
      }),
    ]);
  });

  it('pages with limit and offset through every study once', async () => {
    const seen: string[] = [];
    for (let offset = 0; ; offset += 3) {
      const page = await client.searchStudies({ limit: 3, offset });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((s) => s.studyInstanceUid));
      if (!page.mayHaveMore) break;
    }
    expect(seen.sort()).toEqual(studyUids(LOADED));
  });

  it.each(LOADED)('retrieves %s by WADO-RS, streamed, byte for byte as stored (sha256 of the file)', async (name) => {
    const sample = SAMPLES[name];
    const retrieved = await client.retrieveInstance(sample);
    expect(retrieved.contentType).toMatch(/^application\/dicom/);
    const file = sampleBytes(sample.file);
    expect(await streamSha256(retrieved.body)).toEqual({ sha256: sha256(file), bytes: file.length });
  });

  it('stores a streamed file by STOW-RS and finds it by QIDO, into its own study only', async () => {
    const dose = SAMPLES.rtDose;
    // Into another study's path: Orthanc refuses it, and says so per instance.
    const misplaced = await client.store([createReadStream(samplePath(dose.file))], { studyInstanceUid: SAMPLES.ct.studyInstanceUid });
    expect(misplaced.stored).toEqual([]);
    expect(misplaced.failed).toEqual([expect.objectContaining({ sopInstanceUid: dose.sopInstanceUid, failureReason: expect.any(Number) })]);
    expect((await client.searchStudies({ modalities: ['RTDOSE'] })).items).toEqual([]);

    const result = await client.store([createReadStream(samplePath(dose.file))], { studyInstanceUid: dose.studyInstanceUid });
    expect(result).toEqual({
      stored: [
        { sopClassUid: dose.sopClassUid, sopInstanceUid: dose.sopInstanceUid, retrieveUrl: expect.stringContaining(dose.sopInstanceUid) },
      ],
      failed: [],
    });
    const found = await client.searchInstances({ studyInstanceUid: dose.studyInstanceUid });
    expect(found.items).toEqual([
      expect.objectContaining({
        sopInstanceUid: dose.sopInstanceUid,
        seriesInstanceUid: dose.seriesInstanceUid,
        rows: 10,
        columns: 10,
        numberOfFrames: 15,
      }),
    ]);
    const retrieved = await client.retrieveInstance(dose);
    expect((await streamSha256(retrieved.body)).sha256).toBe(sha256(sampleBytes(dose.file)));
  });

  it('says NOT_FOUND, with the URL, for an instance the PACS does not have', async () => {
    const ref: InstanceRef = { ...SAMPLES.ct, sopInstanceUid: '1.2.3.4.5' };
    const err = await rejection(client.retrieveInstance(ref));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.details.status).toBe(404);
    expect(err.message).toContain(
      `GET ${pacs.dicomWebUrl}/studies/${ref.studyInstanceUid}/series/${ref.seriesInstanceUid}/instances/1.2.3.4.5 answered 404 Not Found: {`,
    );
    expect(err.message).toMatch(/inexistent/); // Orthanc's own words, from the body
  });

  it('refuses a limit above the cap before asking the PACS', async () => {
    const capped = new DicomWebClient({ baseUrl: pacs.dicomWebUrl, maxLimit: 2 });
    expect(await rejection(capped.searchStudies({ limit: 3 }))).toMatchObject({ code: 'INVALID_QUERY' });
    expect((await capped.searchStudies()).items).toHaveLength(2);
  });
});

describe('DicomWebClient failures', () => {
  const servers: http.Server[] = [];
  /** A loopback server answering every request with `handler`. */
  async function serve(handler: http.RequestListener): Promise<string> {
    const server = http.createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/dicom-web`;
  }
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });
  const ref = SAMPLES.ct;
  const multipart = (boundary: string, parts: string[], close = true) =>
    `${parts.map((p) => `--${boundary}\r\nContent-Type: application/dicom\r\n\r\n${p}\r\n`).join('')}${close ? `--${boundary}--\r\n` : ''}`;

  it('says UNREACHABLE, naming the URL, when nothing listens', async () => {
    const closed = await serve(() => {});
    const server = servers.pop()!;
    await new Promise((r) => server.close(r));
    const err = await rejection(new DicomWebClient({ baseUrl: closed }).searchStudies());
    expect(err.code).toBe('UNREACHABLE');
    expect(err.message).toMatch(new RegExp(`^GET ${closed}/studies\\?.* failed: .*ECONNREFUSED`));
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(() => new DicomWebClient({ baseUrl: 'orthanc:8042' })).toThrow(/is not http\(s\)/);
    expect(() => new DicomWebClient({ baseUrl: 'not a url' })).toThrow(expect.objectContaining({ code: 'INVALID_URL' }));
  });

  it('gives up with TIMEOUT on a server that does not answer, and on a stream that stops', async () => {
    const silent = await serve(() => {});
    const started = Date.now();
    const err = await rejection(new DicomWebClient({ baseUrl: silent, timeoutMs: 300 }).searchStudies());
    expect(err.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(3000);

    const stalls = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=b1' });
      res.write('--b1\r\nContent-Type: application/dicom\r\n\r\nDICM first bytes');
    });
    const retrieved = await new DicomWebClient({ baseUrl: stalls, timeoutMs: 300 }).retrieveInstance(ref);
    await expect(streamSha256(retrieved.body)).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('fails the stream on an answer cut before its closing boundary, and on a second part', async () => {
    const cut = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=b2' });
      res.end(multipart('b2', ['DICM bytes'], false));
    });
    const fromCut = await new DicomWebClient({ baseUrl: cut }).retrieveInstance(ref);
    await expect(streamSha256(fromCut.body)).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
      message: expect.stringMatching(/ended before its closing boundary/),
    });

    const two = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=b3' });
      res.end(multipart('b3', ['one', 'two']));
    });
    const fromTwo = await new DicomWebClient({ baseUrl: two }).retrieveInstance(ref);
    await expect(streamSha256(fromTwo.body)).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
      message: expect.stringMatching(/more than one part/),
    });
  });

  it('says BAD_RESPONSE for answers that are not DICOMweb, and HTTP_ERROR with the body for a 500', async () => {
    const html = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login</html>');
    });
    expect(await rejection(new DicomWebClient({ baseUrl: html }).searchStudies())).toMatchObject({
      code: 'BAD_RESPONSE',
      message: expect.stringMatching(/expected application\/dicom\+json, got "text\/html": <html>login<\/html>/),
    });
    expect(await rejection(new DicomWebClient({ baseUrl: html }).retrieveInstance(ref))).toMatchObject({
      code: 'BAD_RESPONSE',
      message: expect.stringMatching(/expected a multipart answer/),
    });
    const failing = await serve((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`database down ${'x'.repeat(1000)}`);
    });
    const err = await rejection(new DicomWebClient({ baseUrl: failing }).searchSeries({ modality: 'CT' }));
    expect(err).toMatchObject({ code: 'HTTP_ERROR', details: { status: 500 } });
    expect(err.message).toMatch(/answered 500 Internal Server Error: database down x+…$/);
    expect(err.message.length).toBeLessThan(600);
  });

  it('refuses a JSON answer larger than its cap', async () => {
    const big = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/dicom+json' });
      res.end(JSON.stringify([{ '0020000D': { vr: 'UI', Value: ['1.2'] }, '00081030': { vr: 'LO', Value: ['x'.repeat(5000)] } }]));
    });
    expect(await rejection(new DicomWebClient({ baseUrl: big, maxJsonBytes: 1024 }).searchStudies())).toMatchObject({
      code: 'BAD_RESPONSE',
      message: expect.stringMatching(/larger than 1024 bytes; ask for fewer results/),
    });
  });
});
