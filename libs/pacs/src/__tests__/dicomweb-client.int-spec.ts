/**
 * The DICOMweb client against a real Orthanc (its own, empty, for this file) loaded by STOW-RS
 * with pydicom's sample files; and against small local servers that misbehave on purpose.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { DicomWebClient, PacsError, type InstanceRef, type RetrievedPart } from '../index';
import { dicomVariant, newUid, SAMPLES, sampleBytes, samplePath, startTestOrthanc, type SampleName, type TestOrthanc } from '../testing';

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

/** Every part of a series retrieve: its type and the sha256 of its bytes, whole or streamed. */
async function seriesParts(parts: AsyncIterable<RetrievedPart>): Promise<{ contentType: string; whole: boolean; sha256: string }[]> {
  const out: { contentType: string; whole: boolean; sha256: string }[] = [];
  for await (const part of parts) {
    const whole = Buffer.isBuffer(part.body);
    out.push({
      contentType: part.contentType,
      whole,
      sha256: Buffer.isBuffer(part.body) ? sha256(part.body) : (await streamSha256(part.body)).sha256,
    });
  }
  return out;
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

  it('retrieves a whole series in one answer, instance by instance, byte for byte as stored: whole up to the cap, streamed beyond', async () => {
    const series = { studyInstanceUid: newUid(), seriesInstanceUid: newUid() };
    const files = Array.from({ length: 6 }, () => dicomVariant(sampleBytes(SAMPLES.ct.file), { patientId: 'SERIES-1', ...series }));
    expect((await client.store(files)).failed).toEqual([]);
    const stored = files.map(sha256).sort();

    const whole = await seriesParts(client.retrieveSeries(series));
    expect(whole.map((p) => p.sha256).sort()).toEqual(stored);
    expect(whole.every((p) => p.whole && /^application\/dicom/.test(p.contentType))).toBe(true);

    // Past a cap smaller than an instance, every instance streams, with the same bytes.
    const streamed = await seriesParts(client.retrieveSeries(series, { maxBufferedBytes: 1000 }));
    expect(streamed.map((p) => p.sha256).sort()).toEqual(stored);
    expect(streamed.every((p) => !p.whole)).toBe(true);

    // The sample series of one instance, as retrieveInstance gives it.
    expect(await seriesParts(client.retrieveSeries(SAMPLES.liverSeg))).toEqual([
      expect.objectContaining({ sha256: sha256(sampleBytes(SAMPLES.liverSeg.file)) }),
    ]);
  });

  it('says NOT_FOUND, with the URL, for a series the PACS does not have', async () => {
    const ref = { studyInstanceUid: SAMPLES.ct.studyInstanceUid, seriesInstanceUid: '1.2.3.4.5' };
    const err = await rejection(seriesParts(client.retrieveSeries(ref)));
    expect(err).toMatchObject({ code: 'NOT_FOUND', details: { status: 404 } });
    expect(err.message).toContain(`GET ${pacs.dicomWebUrl}/studies/${ref.studyInstanceUid}/series/1.2.3.4.5 answered 404`);
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

  describe('series retrieve', () => {
    const series = { studyInstanceUid: SAMPLES.ct.studyInstanceUid, seriesInstanceUid: SAMPLES.ct.seriesInstanceUid };
    const path = `/studies/${series.studyInstanceUid}/series/${series.seriesInstanceUid}`;

    it('asks for the series as stored, and yields the parts that came whole before an answer cut off, then fails naming the URL', async () => {
      let asked: http.IncomingHttpHeaders = {};
      let url = '';
      const cut = await serve((req, res) => {
        asked = req.headers;
        url = req.url ?? '';
        res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=s1', connection: 'close' });
        res.end(multipart('s1', ['DICM one', 'DICM two'], false) + '--s1\r\nContent-Type: application/dicom\r\n\r\nDICM thr');
      });
      const got: string[] = [];
      const err = await rejection(
        (async () => {
          for await (const part of new DicomWebClient({ baseUrl: cut }).retrieveSeries(series)) got.push((part.body as Buffer).toString());
        })(),
      );
      expect(url).toBe(`/dicom-web${path}`);
      expect(asked.accept).toBe('multipart/related; type="application/dicom"; transfer-syntax=*');
      expect(got).toEqual(['DICM one', 'DICM two']);
      expect(err.code).toBe('BAD_RESPONSE');
      expect(err.message).toMatch(new RegExp(`^GET ${cut}${path}: multipart body ended before its closing boundary`));
    });

    it('gives up with TIMEOUT when the answer stops, but not while the caller holds an instance', async () => {
      const stalls = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=s2' });
        // The first part, then the second begun: the first is known whole once the second's boundary has come.
        res.write(`${multipart('s2', ['DICM one'], false)}--s2\r\nContent-Type: application/dicom\r\n\r\nDICM tw`);
      });
      const stalled = new DicomWebClient({ baseUrl: stalls, timeoutMs: 300 }).retrieveSeries(series);
      expect((await stalled.next()).done).toBe(false);
      expect(await rejection(stalled.next())).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining(`GET ${stalls}${path}`) });

      // The rest comes 500 ms later (past the 300 ms allowed for silence), while the caller still holds the first instance.
      const slowReader = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=s3' });
        res.write(`${multipart('s3', ['DICM one'], false)}--s3\r\nContent-Type: application/dicom\r\n\r\nDICM t`);
        setTimeout(() => res.end('wo\r\n--s3--\r\n'), 500);
      });
      const held: string[] = [];
      for await (const part of new DicomWebClient({ baseUrl: slowReader, timeoutMs: 300 }).retrieveSeries(series)) {
        held.push((part.body as Buffer).toString());
        await new Promise((r) => setTimeout(r, 700));
      }
      expect(held).toEqual(['DICM one', 'DICM two']);
    });

    it('refuses a part that is not application/dicom, says HTTP_ERROR for a 500 and UNREACHABLE when nothing listens', async () => {
      const wrongType = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': 'multipart/related; boundary=s4' });
        res.end('--s4\r\nContent-Type: text/plain\r\n\r\nhello\r\n--s4--\r\n');
      });
      expect(await rejection(seriesParts(new DicomWebClient({ baseUrl: wrongType }).retrieveSeries(series)))).toMatchObject({
        code: 'BAD_RESPONSE',
        message: expect.stringMatching(/expected application\/dicom parts, got "text\/plain"/),
      });
      const failing = await serve((_req, res) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('disk full');
      });
      const err = await rejection(seriesParts(new DicomWebClient({ baseUrl: failing }).retrieveSeries(series)));
      expect(err).toMatchObject({ code: 'HTTP_ERROR', details: { status: 500 } });
      expect(err.message).toBe(`GET ${failing}${path} answered 500 Internal Server Error: disk full`);
      const closed = await serve(() => {});
      const server = servers.pop()!;
      await new Promise((r) => server.close(r));
      const down = await rejection(seriesParts(new DicomWebClient({ baseUrl: closed }).retrieveSeries(series)));
      expect(down.code).toBe('UNREACHABLE');
      expect(down.message).toMatch(new RegExp(`^GET ${closed}${path} failed: .*ECONNREFUSED`));
    });

    it('closes the request when the caller stops early', async () => {
      let closedByClient: Promise<void> = Promise.resolve();
      const endless = await serve((req, res) => {
        closedByClient = new Promise((resolve) => req.socket.once('close', () => resolve()));
        res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=s5' });
        res.write(multipart('s5', ['DICM one', 'DICM two'], false));
      });
      for await (const part of new DicomWebClient({ baseUrl: endless, timeoutMs: 30_000 }).retrieveSeries(series)) {
        expect((part.body as Buffer).toString()).toBe('DICM one');
        break;
      }
      await closedByClient;
    });
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
