import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  MultipartParser,
  multipartBoundary,
  multipartDicomBody,
  multipartEvents,
  multipartParts,
  parseMediaType,
  type MultipartEvent,
  type MultipartPart,
} from '../multipart';
import { PacsError } from '../pacs-error';

const BOUNDARY = 'be35ec1c-80f9-4128-8420-b498d165db8a';

/** Parts back from events: headers and the concatenated body of each. */
function collect(events: MultipartEvent[]): Array<{ headers: Record<string, string>; body: string }> {
  const parts: Array<{ headers: Record<string, string>; body: Buffer[] }> = [];
  let ended = false;
  for (const e of events) {
    if (e.type === 'part') parts.push({ headers: e.headers, body: [] });
    else if (e.type === 'data') parts.at(-1)!.body.push(e.chunk);
    else if (e.type === 'end') ended = true;
  }
  expect(ended).toBe(true);
  return parts.map((p) => ({ headers: p.headers, body: Buffer.concat(p.body).toString('latin1') }));
}

function parseInChunks(body: Buffer, cuts: number[]): MultipartEvent[] {
  const parser = new MultipartParser(BOUNDARY);
  const events: MultipartEvent[] = [];
  let from = 0;
  for (const cut of [...cuts, body.length]) {
    // Copies: the parser must not depend on a chunk's memory staying the same after the call.
    events.push(
      ...parser.push(Buffer.from(body.subarray(from, cut))).map((e) => (e.type === 'data' ? { ...e, chunk: Buffer.from(e.chunk) } : e)),
    );
    from = cut;
  }
  parser.finish();
  return events;
}

// Two parts whose bodies hold near-boundaries: CRLF--, the boundary without its CRLF, a prefix of the boundary.
const first = `DICM\r\n--${BOUNDARY.slice(0, 10)}\r\n-${BOUNDARY}x`;
const second = `\r\n\r\n--\r\n${BOUNDARY}`;
const wire = Buffer.from(
  `preamble to ignore\r\n--${BOUNDARY}\r\nContent-Type: application/dicom\r\nContent-Length: ${first.length}\r\n\r\n${first}` +
    `\r\n--${BOUNDARY}  \r\ncontent-type:  application/dicom; transfer-syntax=1.2.840.10008.1.2.1\r\n\r\n${second}\r\n--${BOUNDARY}--\r\nepilogue`,
  'latin1',
);
const expected = [
  { headers: { 'content-type': 'application/dicom', 'content-length': String(first.length) }, body: first },
  { headers: { 'content-type': 'application/dicom; transfer-syntax=1.2.840.10008.1.2.1' }, body: second },
];

describe('multipart/related parsing', () => {
  it('reads parts, headers (case-folded) and bodies that contain near-boundaries, ignoring preamble, padding and epilogue', () => {
    expect(collect(parseInChunks(wire, []))).toEqual(expected);
  });

  it('gives the same parts however the input is split, including inside a boundary or a header block', () => {
    for (let cut = 1; cut < wire.length; cut++) expect(collect(parseInChunks(wire, [cut]))).toEqual(expected);
    for (let a = 1; a < wire.length; a += 7)
      for (let b = a + 1; b < wire.length; b += 5) expect(collect(parseInChunks(wire, [a, b]))).toEqual(expected);
    // One byte at a time.
    expect(
      collect(
        parseInChunks(
          wire,
          Array.from({ length: wire.length - 1 }, (_, i) => i + 1),
        ),
      ),
    ).toEqual(expected);
  });

  it('reads a body that starts right at the first boundary and a part without headers', () => {
    const body = Buffer.from(`--${BOUNDARY}\r\n\r\nno headers\r\n--${BOUNDARY}--`);
    expect(collect(parseInChunks(body, [3]))).toEqual([{ headers: {}, body: 'no headers' }]);
  });

  it('streams a large part through, holding back no more than a boundary between chunks', () => {
    const payload = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < payload.length; i += 4) payload.writeUInt32LE((i * 2654435761) >>> 0, i);
    const body = Buffer.concat([
      Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n`),
      payload,
      Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
    ]);
    const parser = new MultipartParser(BOUNDARY);
    const hash = createHash('sha256');
    let pushed = 0;
    let emitted = 0;
    let headerBytes = 0;
    for (let at = 0; at < body.length; at += 65536) {
      const chunk = body.subarray(at, at + 65536);
      pushed += chunk.length;
      for (const e of parser.push(chunk)) {
        if (e.type === 'part') headerBytes = `--${BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n`.length;
        if (e.type === 'data') {
          emitted += e.chunk.length;
          hash.update(e.chunk);
        }
      }
      if (!parser.ended) expect(pushed - headerBytes - emitted).toBeLessThan(`\r\n--${BOUNDARY}`.length);
    }
    parser.finish();
    expect(emitted).toBe(payload.length);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'));
  });

  it('fails on a body cut before its closing boundary, on a wrong boundary and on oversized headers', () => {
    const cut = new MultipartParser(BOUNDARY);
    cut.push(wire.subarray(0, wire.length - 20));
    expect(() => cut.finish()).toThrow(/ended before its closing boundary/);

    const wrong = new MultipartParser('another-boundary');
    expect(() => wrong.push(Buffer.alloc(20000, 0x41))).toThrow(/no boundary found/);

    const headers = new MultipartParser(BOUNDARY, { maxHeaderBytes: 100 });
    expect(() => headers.push(Buffer.from(`--${BOUNDARY}\r\nX-Long: ${'a'.repeat(200)}\r\n`))).toThrow(
      /part headers longer than 100 bytes/,
    );

    const garbage = new MultipartParser(BOUNDARY);
    expect(() => garbage.push(Buffer.from(`--${BOUNDARY}junk\r\n`))).toThrow(/boundary not followed by a line break/);
  });

  it('multipartEvents over an async source throws when the source ends early', async () => {
    async function* source() {
      yield wire.subarray(0, 140); // into the first part's body
    }
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const e of multipartEvents(source(), BOUNDARY)) seen.push(e.type);
      })(),
    ).rejects.toThrow(PacsError);
    expect(seen[0]).toBe('part');
  });

  it('parses what the STOW-RS writer writes, streams and byte arrays alike', async () => {
    const boundary = 'caliper-test-boundary';
    async function* streamed() {
      yield Buffer.from('second ');
      yield Buffer.from(`with \r\n--caliper-test inside`);
    }
    const chunks: Buffer[] = [];
    for await (const c of multipartDicomBody([Buffer.from('first'), streamed()], boundary)) chunks.push(Buffer.from(c));
    const parser = new MultipartParser(boundary);
    const events = parser.push(Buffer.concat(chunks));
    parser.finish();
    const parts: string[] = [];
    for (const e of events) {
      if (e.type === 'part') {
        expect(e.headers).toEqual({ 'content-type': 'application/dicom' });
        parts.push('');
      }
      if (e.type === 'data') parts[parts.length - 1] += e.chunk.toString();
    }
    expect(parts).toEqual(['first', 'second with \r\n--caliper-test inside']);
  });
});

describe('multipart parts, one at a time (a series retrieve)', () => {
  /** A multipart body of `payloads`, closed unless `close` is false. */
  const body = (payloads: Buffer[], close = true) =>
    Buffer.concat([
      ...payloads.flatMap((p, i) => [
        Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/dicom\r\nX-Index: ${i}\r\n\r\n`),
        p,
        Buffer.from('\r\n'),
      ]),
      Buffer.from(close ? `--${BOUNDARY}--\r\n` : ''),
    ]);
  /** The body fed in chunks of `size` bytes. */
  async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
    for (let at = 0; at < bytes.length; at += size) yield Buffer.from(bytes.subarray(at, at + size));
  }
  const parts = (bytes: Buffer, chunk: number, maxBufferedBytes: number) =>
    multipartParts(multipartEvents(chunked(bytes, chunk), BOUNDARY), { maxBufferedBytes });
  const payload = (size: number, seed: number) => {
    const b = Buffer.alloc(size);
    for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 7) & 0xff;
    return b;
  };
  async function read(body: Buffer | Readable): Promise<Buffer> {
    if (Buffer.isBuffer(body)) return body;
    const chunks: Buffer[] = [];
    for await (const c of body as AsyncIterable<Buffer>) chunks.push(c);
    return Buffer.concat(chunks);
  }

  it('yields every part whole up to the cap and streams larger ones, the same bytes however the body is chunked', async () => {
    // Sizes around the cap (100 bytes): under, at, just over, far over; one empty; one holding a near-boundary.
    const payloads = [
      payload(10, 1),
      payload(100, 2),
      payload(101, 3),
      payload(5000, 4),
      Buffer.alloc(0),
      Buffer.from(`x\r\n--${BOUNDARY.slice(0, 12)}y`),
    ];
    const wire = body(payloads);
    for (const chunk of [1, 7, 64, 1000, wire.length]) {
      const seen: { index: string; whole: boolean; bytes: Buffer }[] = [];
      for await (const part of parts(wire, chunk, 100))
        seen.push({ index: part.headers['x-index']!, whole: Buffer.isBuffer(part.body), bytes: await read(part.body) });
      expect(seen.map((p) => p.index)).toEqual(['0', '1', '2', '3', '4', '5']);
      expect(seen.map((p) => p.whole)).toEqual([true, true, false, false, true, true]);
      expect(seen.map((p) => p.bytes)).toEqual(payloads);
    }
  });

  it('a streamed part left unread, or read in part, is skipped to the next part', async () => {
    const payloads = [payload(3000, 1), payload(4000, 2), payload(20, 3)];
    const seen: Buffer[] = [];
    let i = 0;
    for await (const part of parts(body(payloads), 256, 100)) {
      if (i === 0)
        expect(Buffer.isBuffer(part.body)).toBe(false); // not read at all
      else if (i === 1) {
        for await (const c of part.body as AsyncIterable<Buffer>) {
          seen.push(c);
          break; // read one chunk only
        }
      } else seen.push(await read(part.body));
      i++;
    }
    expect(i).toBe(3);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toEqual(payloads[1]!.subarray(0, seen[0]!.length));
    expect(seen[1]).toEqual(payloads[2]);
  });

  it('fails when the body is cut: in a whole part from the iteration, in a streamed part from its stream and then the iteration', async () => {
    const whole = body([payload(10, 1), payload(50, 2)]);
    const cutWhole = whole.subarray(0, whole.length - 30);
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const part of parts(cutWhole, 16, 100)) got.push((await read(part.body)).length);
      })(),
    ).rejects.toMatchObject({ code: 'BAD_RESPONSE', message: expect.stringMatching(/ended before its closing boundary/) });
    expect(got).toEqual([10]); // the first part, complete, came before the failure

    const streamed = body([payload(5000, 1)], false).subarray(0, 3000);
    const it = parts(streamed, 100, 100);
    const first = (await it.next()).value as MultipartPart;
    await expect(read(first.body)).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    await expect(it.next()).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('yields nothing for a body without parts, and refuses events out of order', async () => {
    const empty: MultipartPart[] = [];
    for await (const part of parts(Buffer.from(`--${BOUNDARY}--\r\n`), 5, 100)) empty.push(part);
    expect(empty).toEqual([]);
    async function* outOfOrder(): AsyncGenerator<MultipartEvent> {
      yield { type: 'data', chunk: Buffer.from('x') };
    }
    await expect(multipartParts(outOfOrder(), { maxBufferedBytes: 10 }).next()).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
      message: expect.stringMatching(/"data" where a part should start/),
    });
  });
});

describe('Content-Type parameters', () => {
  it('reads quoted and unquoted parameters, semicolons inside quotes included', () => {
    expect(parseMediaType('Multipart/Related; type="application/dicom"; boundary="a;b\\"c"; transfer-syntax=*')).toEqual({
      type: 'multipart/related',
      params: { type: 'application/dicom', boundary: 'a;b"c', 'transfer-syntax': '*' },
    });
  });

  it('takes the boundary of a multipart type and refuses anything else', () => {
    expect(multipartBoundary(`multipart/related; type="application/dicom"; boundary=${BOUNDARY}`)).toBe(BOUNDARY);
    expect(() => multipartBoundary('application/dicom+json', 'GET x')).toThrow(
      /expected a multipart answer, got Content-Type "application\/dicom\+json" \(GET x\)/,
    );
    expect(() => multipartBoundary('multipart/related; type="application/dicom"')).toThrow(/without a valid boundary/);
    expect(() => multipartBoundary(`multipart/related; boundary=${'x'.repeat(71)}`)).toThrow(/without a valid boundary/);
  });
});
