/**
 * A launched run's output, followed live (issue 15, item 6): each sync copies what the job wrote
 * since the last one (the local process's or the Slurm job's output file, the Kubernetes pod's log)
 * into the run's log stream, so the run page shows it while the job runs and it is kept with the
 * run. The execution's `logOffset` says how many bytes were copied; a sync reads at most
 * OUTPUT_CHUNK_BYTES from there and copies whole lines only, so a line being written is copied once
 * it is complete (or once the job ended). The lines are the job's own (the worker adds one of its
 * own, on the 'caliper' stream, only when it left the end of a huge output out); the job's token is
 * never in them unless the job prints it: executors pass it in the environment or a file.
 */
import { open } from 'node:fs/promises';

/** At most this much of one job's output is copied per sync while it runs: a job that writes faster is followed at that pace. */
export const OUTPUT_CHUNK_BYTES = 256 * 1024;
/** A longer line (or output without line breaks) is cut into pieces of this many bytes. */
export const OUTPUT_LINE_MAX_BYTES = 16 * 1024;
/** Once the job ended, what is left is copied in chunks up to this much more; past it, one line says how much was left out. */
export const OUTPUT_DRAIN_MAX_BYTES = 8 * 1024 * 1024;
/** The log stream name of a job's output: stdout and stderr, interleaved as the job wrote them. */
export const OUTPUT_STREAM = 'output';

const NEWLINE = 0x0a;

export interface OutputLines {
  lines: string[];
  /** How many bytes of the chunk the lines hold (the rest, a line not complete yet, waits for the next read). */
  consumed: number;
}

/**
 * The whole lines of a chunk of output. With `final` (the job ended and the chunk reaches the end
 * of its output) a last line without its line break is taken too. A chunk with no line break that
 * is at least `lineMax` long gives its first `lineMax` bytes as a line, cut before a UTF-8
 * character it would split. A carriage return ends the line for display (a progress bar rewriting
 * itself shows as its last state).
 */
export function splitOutput(chunk: Buffer, opts: { final: boolean; lineMax?: number }): OutputLines {
  const lineMax = opts.lineMax ?? OUTPUT_LINE_MAX_BYTES;
  let end = opts.final ? chunk.length : chunk.lastIndexOf(NEWLINE) + 1;
  if (end === 0 && chunk.length >= lineMax) end = utf8Boundary(chunk, lineMax);
  if (end === 0) return { lines: [], consumed: 0 };
  const body = chunk.subarray(0, chunk[end - 1] === NEWLINE ? end - 1 : end);
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const nl = body.indexOf(NEWLINE, start);
    const stop = nl === -1 ? body.length : nl;
    lines.push(...pieces(body.subarray(start, stop), lineMax));
    if (nl === -1) break;
    start = nl + 1;
  }
  return { lines, consumed: end };
}

/** One line's bytes as text, cut into pieces of at most `lineMax` bytes. */
function pieces(line: Buffer, lineMax: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > lineMax) {
    const cut = utf8Boundary(rest, lineMax);
    out.push(display(rest.subarray(0, cut)));
    rest = rest.subarray(cut);
  }
  out.push(display(rest));
  return out;
}

/** What a terminal shows of the line: the text after its last carriage return (a CRLF's CR ignored). */
function display(bytes: Buffer): string {
  const text = bytes.toString('utf8').replace(/\r$/, '');
  return text.slice(text.lastIndexOf('\r') + 1);
}

/** `at`, moved back before a UTF-8 continuation byte so a character is never split (at most 3 bytes back). */
function utf8Boundary(bytes: Buffer, at: number): number {
  let cut = Math.min(at, bytes.length);
  for (let i = 0; i < 3 && cut > 1 && cut < bytes.length && (bytes[cut]! & 0xc0) === 0x80; i++) cut--;
  return cut;
}

/** Up to `maxBytes` of a file from `offset`; undefined when it cannot be read (not written yet, or not on this machine). */
export async function readFileFrom(file: string, offset: number, maxBytes: number): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(maxBytes);
    const { bytesRead } = await handle.read(buffer, 0, maxBytes, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
