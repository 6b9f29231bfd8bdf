/**
 * DICOMweb client over plain fetch: QIDO-RS searches decoded into typed records, WADO-RS
 * retrieval of one instance as a stream of its Part-10 bytes (the stored transfer syntax, so a
 * hash of the stream is the hash of the file the PACS holds), and STOW-RS storage. Every request
 * has a deadline (for streams: the longest silence between chunks), JSON answers a size cap, and
 * QIDO a result limit; failures are PacsErrors naming the request, the status and the answer.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { PacsError, excerpt } from './pacs-error';
import {
  asDatasets,
  decodeInstance,
  decodeSeries,
  decodeStoreResponse,
  decodeStudy,
  type DicomJsonDataset,
  type InstanceRecord,
  type SeriesRecord,
  type StoreResult,
  type StudyRecord,
} from './dicom-json';
import {
  buildInstanceQuery,
  buildSeriesQuery,
  buildStudyQuery,
  instancePath,
  seriesPath,
  studyPath,
  type BuiltQuery,
  type InstanceQuery,
  type SeriesQuery,
  type StudyQuery,
  queryString,
} from './qido-query';
import {
  multipartBoundary,
  multipartDicomBody,
  multipartEvents,
  multipartParts,
  newBoundary,
  parseMediaType,
  type DicomBody,
  type MultipartEvent,
  type MultipartPart,
} from './multipart';

export interface DicomWebClientOptions {
  /** The DICOMweb root, e.g. `http://127.0.0.1:8042/dicom-web` (Orthanc). */
  baseUrl: string;
  /** Until the status line and headers arrive, and for JSON answers until the whole body has; for streams, the longest pause between chunks. Default 30 s. */
  timeoutMs?: number;
  /** The largest QIDO `limit` a caller may ask for. Default 1000. */
  maxLimit?: number;
  /** The largest JSON answer read into memory. Default 32 MiB. */
  maxJsonBytes?: number;
  /** Sent with every request (e.g. Authorization). */
  headers?: Record<string, string>;
}

/** One page of QIDO results. `mayHaveMore`: the page is full, so a next page (offset + limit) may hold more. */
export interface QidoPage<T> {
  items: T[];
  offset: number;
  limit: number;
  mayHaveMore: boolean;
}

export interface InstanceRef {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
}

export interface RetrievedInstance {
  /** The part's media type, `application/dicom` with its parameters. */
  contentType: string;
  /** From the part's `transfer-syntax` parameter, when the server sends one. */
  transferSyntaxUid?: string;
  /** The Part-10 bytes, streamed: errors (cut-off answer, a second part, silence) surface as stream errors. */
  body: Readable;
}

export interface SeriesRef {
  studyInstanceUid: string;
  seriesInstanceUid: string;
}

/** One instance of a series retrieve. */
export interface RetrievedPart {
  /** The part's media type, `application/dicom` with its parameters. */
  contentType: string;
  /** From the part's `transfer-syntax` parameter, when the server sends one. */
  transferSyntaxUid?: string;
  /**
   * The Part-10 bytes: whole up to `maxBufferedBytes`, else streamed (read it to its end before
   * asking for the next instance; errors of the answer surface as stream errors).
   */
  body: Buffer | Readable;
}

/** retrieveSeries's default: instances up to this size come whole, larger ones stream. */
export const SERIES_PART_BUFFER_BYTES = 8 * 1024 * 1024;

const DICOM_JSON = 'application/dicom+json';
/** `transfer-syntax=*`: the instance as stored, never transcoded (Orthanc transcodes to Explicit VR Little Endian otherwise). */
const ACCEPT_INSTANCE = 'multipart/related; type="application/dicom"; transfer-syntax=*';

export class DicomWebClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly maxLimit: number;
  private readonly maxJsonBytes: number;
  private readonly headers: Record<string, string>;

  constructor(options: DicomWebClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new PacsError(
        'INVALID_URL',
        `the DICOMweb URL "${options.baseUrl}" is not a URL (expected e.g. http://127.0.0.1:8042/dicom-web)`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new PacsError('INVALID_URL', `the DICOMweb URL "${options.baseUrl}" is not http(s)`);
    this.baseUrl = url.toString().replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxLimit = options.maxLimit ?? 1000;
    this.maxJsonBytes = options.maxJsonBytes ?? 32 * 1024 * 1024;
    this.headers = options.headers ?? {};
  }

  async searchStudies(query: StudyQuery = {}): Promise<QidoPage<StudyRecord>> {
    return this.search(buildStudyQuery(query, this.maxLimit), (ds, url) => decodeStudy(ds, url));
  }

  async searchSeries(query: SeriesQuery = {}): Promise<QidoPage<SeriesRecord>> {
    return this.search(buildSeriesQuery(query, this.maxLimit), (ds, url) => decodeSeries(ds, url, query.studyInstanceUid));
  }

  async searchInstances(query: InstanceQuery = {}): Promise<QidoPage<InstanceRecord>> {
    return this.search(buildInstanceQuery(query, this.maxLimit), (ds, url) =>
      decodeInstance(ds, url, { studyInstanceUid: query.studyInstanceUid, seriesInstanceUid: query.seriesInstanceUid }),
    );
  }

  /**
   * WADO-RS: one instance's Part-10 bytes as a stream, in the transfer syntax the PACS stored.
   * Resolves once the first part's headers have arrived; the stream ends only after the closing
   * boundary, and fails when the answer holds a second part or stops early.
   */
  async retrieveInstance(ref: InstanceRef): Promise<RetrievedInstance> {
    const url = `${this.baseUrl}/${instancePath(ref)}`;
    const { response, idle } = await this.send('GET', url, { accept: ACCEPT_INSTANCE }, undefined, true);
    const contentType = response.headers.get('content-type') ?? '';
    let events: AsyncGenerator<MultipartEvent>;
    try {
      events = multipartEvents(idle.watch(response.body!), multipartBoundary(contentType, `GET ${url}`));
    } catch (err) {
      idle.cancel();
      throw err;
    }
    const fail = (err: unknown) => (err instanceof PacsError ? withUrl(err, 'GET', url) : wrapFetchError(err, 'GET', url, idle.timedOut));
    let first: IteratorResult<MultipartEvent>;
    try {
      first = await events.next();
    } catch (err) {
      idle.cancel();
      throw fail(err);
    }
    if (first.done || first.value.type !== 'part') {
      idle.cancel();
      throw new PacsError('BAD_RESPONSE', `GET ${url}: the multipart answer holds no instance`, { url });
    }
    const partType = first.value.headers['content-type'] ?? 'application/dicom';
    const media = parseMediaType(partType);
    if (media.type !== 'application/dicom') {
      idle.cancel();
      throw new PacsError('BAD_RESPONSE', `GET ${url}: expected an application/dicom part, got "${partType}"`, { url });
    }
    async function* partBytes(): AsyncGenerator<Buffer> {
      try {
        for (;;) {
          const next = await events.next();
          if (next.done) throw new PacsError('BAD_RESPONSE', 'multipart body ended before its closing boundary');
          const ev = next.value;
          if (ev.type === 'data') yield ev.chunk;
          else if (ev.type === 'part')
            throw new PacsError('BAD_RESPONSE', 'the answer holds more than one part; expected exactly one instance');
          else if (ev.type === 'end') return;
        }
      } catch (err) {
        throw fail(err);
      } finally {
        // Closing the parser closes the response body; only then abort, or the abort would surface as the stream's error.
        await events.return(undefined).catch(() => undefined);
        idle.cancel();
      }
    }
    return {
      contentType: partType,
      ...(media.params['transfer-syntax'] ? { transferSyntaxUid: media.params['transfer-syntax'] } : {}),
      body: Readable.from(partBytes(), { objectMode: false }),
    };
  }

  /**
   * WADO-RS series retrieve: every instance of the series in one multipart answer, in the
   * transfer syntax the PACS stored, yielded one by one as its closing boundary arrives (a large
   * one as a stream once `maxBufferedBytes` have come), so memory stays bounded whatever the
   * series holds. The request goes out with the first `next()`; failures (status, silence longer
   * than the timeout while a part is awaited, an answer cut off or malformed, a part that is not
   * application/dicom) are PacsErrors naming the URL, thrown from the iteration. The time the
   * caller spends with a whole instance does not count as the server's silence. Stopping the
   * iteration early closes the request.
   */
  async *retrieveSeries(ref: SeriesRef, options: { maxBufferedBytes?: number } = {}): AsyncGenerator<RetrievedPart> {
    const url = `${this.baseUrl}/${seriesPath(ref)}`;
    const { response, idle } = await this.openStream(url, ACCEPT_INSTANCE);
    const fail = (err: unknown) => (err instanceof PacsError ? withUrl(err, 'GET', url) : wrapFetchError(err, 'GET', url, idle.timedOut));
    let events: AsyncGenerator<MultipartEvent>;
    try {
      events = multipartEvents(idle.watch(response), multipartBoundary(response.headers['content-type'] ?? '', `GET ${url}`));
    } catch (err) {
      idle.cancel();
      throw err;
    }
    // Errors reach the caller through the parts and through a streamed part's body alike: both name the URL.
    const named: AsyncIterator<MultipartEvent> = {
      next: async () => {
        try {
          return await events.next();
        } catch (err) {
          throw fail(err);
        }
      },
    };
    const parts = multipartParts(named, { maxBufferedBytes: options.maxBufferedBytes ?? SERIES_PART_BUFFER_BYTES });
    try {
      for (;;) {
        let next: IteratorResult<MultipartPart>;
        try {
          next = await parts.next();
        } catch (err) {
          throw fail(err);
        }
        if (next.done) return;
        const partType = next.value.headers['content-type'] ?? 'application/dicom';
        const media = parseMediaType(partType);
        if (media.type !== 'application/dicom')
          throw new PacsError('BAD_RESPONSE', `GET ${url}: expected application/dicom parts, got "${partType}"`, { url });
        const whole = Buffer.isBuffer(next.value.body);
        if (whole) idle.pause();
        yield {
          contentType: partType,
          ...(media.params['transfer-syntax'] ? { transferSyntaxUid: media.params['transfer-syntax'] } : {}),
          body: next.value.body,
        };
        if (whole) idle.resume();
      }
    } finally {
      // As in retrieveInstance: close the parser (and with it the response body) before aborting.
      await parts.return(undefined).catch(() => undefined);
      await events.return(undefined).catch(() => undefined);
      idle.cancel();
    }
  }

  /**
   * STOW-RS: stores Part-10 files (bytes or streams), into `studyInstanceUid` when given (the
   * server then refuses instances of other studies). Resolves with what the server stored and
   * refused (a 409 "all refused" answer included); other failures throw.
   */
  async store(parts: DicomBody[], options: { studyInstanceUid?: string } = {}): Promise<StoreResult> {
    if (parts.length === 0) throw new PacsError('INVALID_QUERY', 'store: no instances given');
    const url = `${this.baseUrl}/${options.studyInstanceUid === undefined ? 'studies' : studyPath(options.studyInstanceUid)}`;
    const boundary = newBoundary();
    const { response, idle } = await this.send(
      'POST',
      url,
      { accept: DICOM_JSON, 'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}` },
      multipartDicomBody(parts, boundary),
      false,
      [409],
    );
    const body = await this.readJson(response, 'POST', url, idle);
    const [dataset] = asDatasets(Array.isArray(body) ? body : [body], `POST ${url}`);
    if (!dataset) throw new PacsError('BAD_RESPONSE', `POST ${url}: empty STOW-RS answer`, { url });
    return decodeStoreResponse(dataset, `POST ${url}`);
  }

  private async search<T>(q: BuiltQuery, decode: (ds: DicomJsonDataset, context: string) => T): Promise<QidoPage<T>> {
    const url = `${this.baseUrl}/${q.path}?${queryString(q)}`;
    const { response, idle } = await this.send('GET', url, { accept: DICOM_JSON });
    // 204: no match (PS3.18 8.3.4.1 allows it in place of an empty array).
    const body = response.status === 204 ? [] : await this.readJson(response, 'GET', url, idle);
    if (response.status === 204) idle.cancel();
    const items = asDatasets(body, `GET ${url}`).map((ds) => decode(ds, `GET ${url}`));
    if (items.length > q.limit)
      throw new PacsError('BAD_RESPONSE', `GET ${url}: ${items.length} results for a limit of ${q.limit}`, { url });
    return { items, offset: q.offset, limit: q.limit, mayHaveMore: items.length === q.limit };
  }

  /**
   * A GET whose answer is read as a stream over node:http rather than fetch, for series retrieves:
   * their reader holds the body back while it handles an instance, and undici's HTTP/1 parser,
   * paused so, crashes the process when the server then closes the connection
   * (nodejs/undici#5360), as Orthanc does at the end of every series answer (no length,
   * Connection: close). Resolves on a success status with the deadline running (restarted by each
   * chunk read through `idle.watch`); throws a PacsError otherwise.
   */
  private async openStream(url: string, accept: string): Promise<{ response: IncomingMessage; idle: IdleTimer }> {
    const idle = new IdleTimer(this.timeoutMs, true);
    let response: IncomingMessage;
    try {
      response = await new Promise<IncomingMessage>((resolve, reject) => {
        const request = (url.startsWith('https:') ? https : http).request(
          url,
          { method: 'GET', headers: { ...this.headers, accept }, signal: idle.signal },
          resolve,
        );
        request.once('error', reject);
        request.end();
      });
    } catch (err) {
      idle.cancel();
      throw wrapFetchError(err, 'GET', url, idle.timedOut);
    }
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return { response, idle };
    let text = '';
    try {
      text = await readText(response, 4096);
    } catch {
      // the status says enough
    } finally {
      idle.cancel();
    }
    const code = status === 404 ? 'NOT_FOUND' : 'HTTP_ERROR';
    throw new PacsError(code, `GET ${url} answered ${status} ${response.statusMessage ?? ''}${text ? `: ${excerpt(text)}` : ''}`, {
      url,
      status,
    });
  }

  /** Sends one request; resolves on a success status (or one of `alsoAccept`), throws a PacsError otherwise. */
  private async send(
    method: string,
    url: string,
    headers: Record<string, string>,
    body?: AsyncIterable<Uint8Array>,
    streaming = false,
    alsoAccept: number[] = [],
  ): Promise<{ response: Response; idle: IdleTimer }> {
    const idle = new IdleTimer(this.timeoutMs, streaming);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { ...this.headers, ...headers },
        signal: idle.signal,
        ...(body ? { body: Readable.from(body), duplex: 'half' } : {}),
      } as RequestInit);
    } catch (err) {
      idle.cancel();
      throw wrapFetchError(err, method, url, idle.timedOut);
    }
    if (response.ok || alsoAccept.includes(response.status)) return { response, idle };
    let text = '';
    try {
      text = await readText(response.body as AsyncIterable<Uint8Array> | null, 4096);
    } catch {
      // the status says enough
    } finally {
      idle.cancel();
    }
    const code = response.status === 404 ? 'NOT_FOUND' : 'HTTP_ERROR';
    throw new PacsError(code, `${method} ${url} answered ${response.status} ${response.statusText}${text ? `: ${excerpt(text)}` : ''}`, {
      url,
      status: response.status,
    });
  }

  private async readJson(response: Response, method: string, url: string, idle: IdleTimer): Promise<unknown> {
    let text: string;
    try {
      text = await readText(response.body as AsyncIterable<Uint8Array> | null, this.maxJsonBytes, true);
    } catch (err) {
      throw err instanceof PacsError ? withUrl(err, method, url) : wrapFetchError(err, method, url, idle.timedOut);
    } finally {
      idle.cancel();
    }
    // Orthanc sends its STOW-RS 409 answer without a Content-Type: only a type that says otherwise is refused.
    const type = parseMediaType(response.headers.get('content-type') ?? '').type;
    if (type && type !== DICOM_JSON && type !== 'application/json')
      throw new PacsError('BAD_RESPONSE', `${method} ${url}: expected ${DICOM_JSON}, got "${type}": ${excerpt(text)}`, { url });
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new PacsError('BAD_RESPONSE', `${method} ${url}: the answer is not JSON: ${excerpt(text)}`, { url });
    }
  }
}

/**
 * One request's deadline: fires `timeoutMs` after the start; for streams, restarted by every
 * chunk that arrives (`watch`), so a long transfer that keeps moving is never cut.
 */
class IdleTimer {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  timedOut = false;
  constructor(
    private readonly timeoutMs: number,
    private readonly resetOnData: boolean,
  ) {
    this.arm();
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  /** The caller holds the answer back: no deadline until `resume`. */
  pause(): void {
    clearTimeout(this.timer);
  }
  resume(): void {
    this.arm();
  }
  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error(`no answer within ${this.timeoutMs} ms`));
    }, this.timeoutMs);
  }
  async *watch(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      if (this.resetOnData) this.arm();
      yield chunk;
    }
  }
  /** Stops the timer and, if the body is still open, the request. */
  cancel(): void {
    clearTimeout(this.timer);
    if (!this.controller.signal.aborted) this.controller.abort(new Error('request finished'));
  }
}

/** The body as text, failing past `max` bytes (then with BAD_RESPONSE when `strict`, else truncated). */
async function readText(body: AsyncIterable<Uint8Array> | null, max: number, strict = false): Promise<string> {
  if (!body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > max) {
      if (strict) throw new PacsError('BAD_RESPONSE', `the answer is larger than ${max} bytes; ask for fewer results (limit)`);
      chunks.push(Buffer.from(chunk).subarray(0, max - (size - chunk.byteLength)));
      break;
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function withUrl(err: PacsError, method: string, url: string): PacsError {
  if (err.details.url) return err;
  return new PacsError(err.code, `${method} ${url}: ${err.message}`, { ...err.details, url, cause: err.details.cause });
}

function wrapFetchError(err: unknown, method: string, url: string, timedOut: boolean): PacsError {
  if (err instanceof PacsError) return withUrl(err, method, url);
  if (timedOut) return new PacsError('TIMEOUT', `${method} ${url}: no answer within the time allowed`, { url, cause: err });
  // fetch's TypeError("fetch failed") carries the reason (ECONNREFUSED, ENOTFOUND...) in its cause. Errors from
  // Node's own realm fail `instanceof Error` in a sandbox (Jest), so read them by shape.
  const cause = hasMessage(err) && hasMessage(err.cause) ? err.cause : err;
  const reason = hasMessage(cause) ? cause.message || String(cause) : String(cause);
  return new PacsError('UNREACHABLE', `${method} ${url} failed: ${reason}`, { url, cause: err });
}

function hasMessage(value: unknown): value is { message: string; cause?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}
