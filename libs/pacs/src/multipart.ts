/**
 * multipart/related (RFC 2046 5.1, RFC 2387) as WADO-RS answers and STOW-RS takes it: a
 * streaming parser that holds at most one chunk plus a boundary's length of a part body (headers
 * and preamble are capped), so an instance of any size passes through in bounded memory; the
 * parts of an answer one at a time (small ones whole, large ones streamed); and the writer for
 * STOW-RS request bodies.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { PacsError } from './pacs-error';

export type MultipartEvent =
  { type: 'part'; headers: Record<string, string> } | { type: 'data'; chunk: Buffer } | { type: 'partEnd' } | { type: 'end' };

export interface MediaType {
  /** Lower-cased `type/subtype`. */
  type: string;
  /** Parameter names lower-cased; values unquoted. */
  params: Record<string, string>;
}

/** Parses a Content-Type header (`multipart/related; type="application/dicom"; boundary=...`), quoted values included. */
export function parseMediaType(header: string): MediaType {
  const [head = '', ...rest] = splitParams(header);
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    const name = p.slice(0, eq).trim().toLowerCase();
    let value = p.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    params[name] = value;
  }
  return { type: head.trim().toLowerCase(), params };
}

/** Splits on `;` outside quoted strings. */
function splitParams(header: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const c = header[i];
    if (c === '\\' && quoted) {
      current += c + (header[i + 1] ?? '');
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      current += c;
    } else if (c === ';' && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/** The boundary of a multipart Content-Type, checked against RFC 2046's grammar (1-70 characters). */
export function multipartBoundary(contentType: string, context = ''): string {
  const media = parseMediaType(contentType);
  const boundary = media.params.boundary;
  const at = context ? ` (${context})` : '';
  if (!media.type.startsWith('multipart/'))
    throw new PacsError('BAD_RESPONSE', `expected a multipart answer, got Content-Type "${contentType}"${at}`);
  if (!boundary || boundary.length > 70 || !/^[0-9A-Za-z'()+_,\-./:=? ]*[0-9A-Za-z'()+_,\-./:=?]$/.test(boundary))
    throw new PacsError('BAD_RESPONSE', `multipart Content-Type without a valid boundary: "${contentType}"${at}`);
  return boundary;
}

const CRLF = Buffer.from('\r\n');
const HEADERS_END = Buffer.from('\r\n\r\n');

/**
 * Push-based parser: feed chunks as they arrive, get events back. Part bodies come out as
 * `data` events as soon as they cannot be the start of a boundary; only the last
 * (boundary length - 1) bytes are held back between chunks.
 */
export class MultipartParser {
  private readonly delimiter: Buffer;
  private state: 'preamble' | 'afterDelimiter' | 'headers' | 'body' | 'done' = 'preamble';
  // The delimiter is CRLF + "--" + boundary; a body that starts right at the first boundary has no
  // CRLF before it, so the parser starts as if one had been read.
  private pending: Buffer = CRLF;
  private preambleBytes = 0;
  private inPart = false;

  constructor(
    boundary: string,
    private readonly limits: { maxHeaderBytes?: number; maxPreambleBytes?: number } = {},
  ) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
  }

  get ended(): boolean {
    return this.state === 'done';
  }

  push(chunk: Uint8Array): MultipartEvent[] {
    if (this.state === 'done') return []; // the epilogue after the close delimiter is ignored
    this.pending = this.pending.length
      ? Buffer.concat([this.pending, chunk])
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const events: MultipartEvent[] = [];
    while (this.step(events));
    return events;
  }

  /** Call when the input ends: throws when it ended before the close delimiter. */
  finish(): void {
    if (this.state !== 'done')
      throw new PacsError(
        'BAD_RESPONSE',
        `multipart body ended before its closing boundary (while reading ${this.state === 'body' ? 'a part' : this.state})`,
      );
  }

  /** One transition; false when more input is needed. */
  private step(events: MultipartEvent[]): boolean {
    const buf = this.pending;
    switch (this.state) {
      case 'preamble': {
        const at = buf.indexOf(this.delimiter);
        if (at < 0) {
          const keep = Math.min(buf.length, this.delimiter.length - 1);
          this.preambleBytes += buf.length - keep;
          if (this.preambleBytes > (this.limits.maxPreambleBytes ?? 16 * 1024))
            throw new PacsError('BAD_RESPONSE', 'multipart body: no boundary found in its first bytes (wrong boundary or not multipart)');
          this.pending = buf.subarray(buf.length - keep);
          return false;
        }
        this.pending = buf.subarray(at + this.delimiter.length);
        this.state = 'afterDelimiter';
        return true;
      }
      case 'afterDelimiter': {
        // "--" closes the body; otherwise optional transport padding (spaces, tabs), then CRLF.
        if (buf.length < 2) return false;
        if (buf[0] === 0x2d && buf[1] === 0x2d) {
          if (this.inPart) events.push({ type: 'partEnd' });
          this.inPart = false;
          events.push({ type: 'end' });
          this.state = 'done';
          this.pending = Buffer.alloc(0);
          return false;
        }
        let i = 0;
        while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
        if (i > 64) throw new PacsError('BAD_RESPONSE', 'multipart body: boundary line followed by too much padding');
        if (buf.length < i + 2) return false;
        if (buf[i] !== 0x0d || buf[i + 1] !== 0x0a)
          throw new PacsError('BAD_RESPONSE', 'multipart body: boundary not followed by a line break');
        if (this.inPart) events.push({ type: 'partEnd' });
        this.inPart = false;
        this.pending = buf.subarray(i + 2);
        this.state = 'headers';
        return true;
      }
      case 'headers': {
        // A part without headers starts with the blank line itself.
        const end = buf.subarray(0, 2).equals(CRLF) ? -2 : buf.indexOf(HEADERS_END);
        const max = this.limits.maxHeaderBytes ?? 16 * 1024;
        if (end === -1) {
          if (buf.length > max) throw new PacsError('BAD_RESPONSE', `multipart body: part headers longer than ${max} bytes`);
          return false;
        }
        const headers: Record<string, string> = {};
        if (end >= 0) {
          if (end > max) throw new PacsError('BAD_RESPONSE', `multipart body: part headers longer than ${max} bytes`);
          for (const line of buf.subarray(0, end).toString('latin1').split('\r\n')) {
            const colon = line.indexOf(':');
            if (colon <= 0) throw new PacsError('BAD_RESPONSE', `multipart body: malformed part header line "${line.slice(0, 80)}"`);
            headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
          }
        }
        this.pending = buf.subarray(end + 4);
        this.state = 'body';
        this.inPart = true;
        events.push({ type: 'part', headers });
        return true;
      }
      case 'body': {
        const at = buf.indexOf(this.delimiter);
        if (at >= 0) {
          if (at > 0) events.push({ type: 'data', chunk: buf.subarray(0, at) });
          this.pending = buf.subarray(at + this.delimiter.length);
          this.state = 'afterDelimiter';
          return true;
        }
        // Everything but a possible start of the delimiter at the very end is body.
        const safe = buf.length - (this.delimiter.length - 1);
        if (safe > 0) {
          events.push({ type: 'data', chunk: buf.subarray(0, safe) });
          this.pending = buf.subarray(safe);
        }
        return false;
      }
      case 'done':
        return false;
    }
  }
}

/** Events of a multipart body read from `source` chunk by chunk; throws at the end if the body was cut short. */
export async function* multipartEvents(source: AsyncIterable<Uint8Array>, boundary: string): AsyncGenerator<MultipartEvent> {
  const parser = new MultipartParser(boundary);
  for await (const chunk of source) {
    yield* parser.push(chunk);
    if (parser.ended) return;
  }
  parser.finish();
}

/** One part of a STOW-RS request: the bytes of a DICOM Part-10 file, whole or as a stream. */
export type DicomBody = Uint8Array | AsyncIterable<Uint8Array>;

/** A boundary that no DICOM file is going to contain by chance. */
export function newBoundary(): string {
  return `caliper-${randomUUID()}`;
}

/** A multipart/related body of `application/dicom` parts, streamed part after part. */
export async function* multipartDicomBody(parts: DicomBody[], boundary: string): AsyncGenerator<Uint8Array> {
  for (const part of parts) {
    yield Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`);
    if (part instanceof Uint8Array) yield part;
    else yield* part;
    yield CRLF;
  }
  yield Buffer.from(`--${boundary}--\r\n`);
}

/** One part of a multipart answer, as `multipartParts` yields it. */
export interface MultipartPart {
  /** The part's headers, names lower-cased. */
  headers: Record<string, string>;
  /**
   * The whole body when it holds at most `maxBufferedBytes` bytes; else a stream of it (the bytes
   * read so far, then the rest as it arrives), which must be read to its end before the next part
   * is asked for: a stream left unread is closed, its rest read and dropped, and a stream being
   * read meanwhile fails.
   */
  body: Buffer | Readable;
}

/**
 * The parts of a multipart body, one at a time, from its events (`multipartEvents`): each part's
 * bytes are gathered up to `maxBufferedBytes`, so a small part comes whole and a large one streams
 * through in bounded memory. Throws, as the events do, when the body is cut short or malformed.
 */
export async function* multipartParts(
  events: AsyncIterator<MultipartEvent>,
  options: { maxBufferedBytes: number },
): AsyncGenerator<MultipartPart> {
  const next = async (): Promise<MultipartEvent> => {
    const r = await events.next();
    if (r.done) throw new PacsError('BAD_RESPONSE', 'multipart body ended before its closing boundary');
    return r.value;
  };
  for (;;) {
    const head = await next();
    if (head.type === 'end') return;
    if (head.type !== 'part') throw new PacsError('BAD_RESPONSE', `multipart body: "${head.type}" where a part should start`);
    const chunks: Buffer[] = [];
    let size = 0;
    let whole = false;
    while (size <= options.maxBufferedBytes) {
      const ev = await next();
      if (ev.type === 'partEnd') {
        whole = true;
        break;
      }
      if (ev.type !== 'data') throw new PacsError('BAD_RESPONSE', `multipart body: "${ev.type}" inside a part`);
      chunks.push(ev.chunk);
      size += ev.chunk.length;
    }
    if (whole) {
      yield { headers: head.headers, body: Buffer.concat(chunks, size) };
      continue;
    }
    const part = new StreamedPart(chunks, next);
    yield { headers: head.headers, body: part.body };
    await part.skipRest();
  }
}

/** A large part's body: pulls the part's data events only as the reader asks for more. */
class StreamedPart {
  readonly body: Readable;
  private pulling: Promise<void> | null = null;
  private ended = false;
  private failure: unknown = null;

  constructor(
    head: Buffer[],
    private readonly next: () => Promise<MultipartEvent>,
  ) {
    this.body = new Readable({ read: () => this.pull() });
    for (const chunk of head) this.body.push(chunk);
  }

  private pull(): void {
    if (this.pulling || this.ended) return;
    this.pulling = (async () => {
      try {
        for (;;) {
          const ev = await this.next();
          if (ev.type === 'partEnd') {
            this.ended = true;
            this.body.push(null);
            return;
          }
          if (ev.type !== 'data') throw new PacsError('BAD_RESPONSE', `multipart body: "${ev.type}" inside a part`);
          if (!this.body.push(ev.chunk)) return;
        }
      } catch (err) {
        this.ended = true;
        this.failure = err;
        this.body.destroy(err as Error);
      } finally {
        this.pulling = null;
      }
    })();
  }

  /** Once the reader is done with the part: what it left unread is read and dropped; a failure of the part is the answer's. */
  async skipRest(): Promise<void> {
    if (!this.ended) this.body.destroy();
    while (this.pulling) await this.pulling;
    while (!this.ended) {
      const ev = await this.next();
      if (ev.type === 'partEnd') this.ended = true;
      else if (ev.type !== 'data') throw new PacsError('BAD_RESPONSE', `multipart body: "${ev.type}" inside a part`);
    }
    if (this.failure) throw this.failure;
  }
}
