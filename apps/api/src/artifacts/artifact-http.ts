/**
 * How artifacts travel over HTTP, shared by the native and the MLflow routes: path rules,
 * client digests, byte ranges, and download headers that never let a browser render an
 * artifact inline (attachment, nosniff, and no HTML/SVG content types at all).
 */
import { TrackingError } from '@caliper/domain';

export const MAX_ARTIFACT_PATH_LENGTH = 1024;

/** A run-relative artifact path: '/'-separated, no empty, '.' or '..' segments, no control characters. */
export function artifactPathProblem(path: string): string | null {
  if (!path) return `The artifact path is empty: name the file, e.g. "model/model.onnx".`;
  if (path.length > MAX_ARTIFACT_PATH_LENGTH) return `The artifact path is longer than ${MAX_ARTIFACT_PATH_LENGTH} characters.`;
  if (/[\u0000-\u001f\u007f\\]/.test(path)) return `The artifact path "${path}" contains a control character or a backslash.`;
  if (path.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    return `The artifact path "${path}" must be relative and normalised: no leading or doubled "/", no "." or ".." segments.`;
  }
  return null;
}

/** A directory to list: '' (the root) or a valid path; a trailing '/' is tolerated. */
export function normaliseDirectory(dir: string | undefined | null): string {
  const d = (dir ?? '').replace(/\/+$/, '');
  if (d === '') return '';
  const problem = artifactPathProblem(d);
  if (problem) throw new TrackingError('INVALID_PARAMETER', problem);
  return d;
}

/**
 * The client's sha256, hex, from `X-Checksum-Sha256: <hex>` or `Digest: sha-256=<base64>`
 * (RFC 3230); null when neither is sent; an error naming the header when one is malformed.
 */
export function expectedSha256(headers: Record<string, string | string[] | undefined>): string | null {
  const hex = headers['x-checksum-sha256'];
  if (typeof hex === 'string') {
    if (!/^[0-9a-fA-F]{64}$/.test(hex.trim()))
      throw new TrackingError('INVALID_PARAMETER', `X-Checksum-Sha256 must be 64 hexadecimal characters (the sha256 of the body).`);
    return hex.trim().toLowerCase();
  }
  const digest = headers['digest'];
  if (typeof digest === 'string') {
    const sha = digest
      .split(',')
      .map((d) => d.trim())
      .find((d) => d.toLowerCase().startsWith('sha-256='));
    if (!sha) return null;
    const bytes = Buffer.from(sha.slice('sha-256='.length), 'base64');
    if (bytes.length !== 32)
      throw new TrackingError('INVALID_PARAMETER', `Digest: sha-256= must carry the base64 of the body's 32-byte sha256.`);
    return bytes.toString('hex');
  }
  return null;
}

export type ByteRange = { start: number; end: number } | 'unsatisfiable' | null;

/** One `bytes=` range of an object of `size` bytes (inclusive end); null: send everything (absent, malformed or several ranges). */
export function parseRange(header: string | undefined, size: number): ByteRange {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** MLflow's text extensions: served as text/plain (MLflow's _guess_mime_type). */
const TEXT_EXTENSIONS = new Set([
  'txt',
  'log',
  'err',
  'cfg',
  'conf',
  'cnf',
  'cf',
  'ini',
  'properties',
  'prop',
  'hocon',
  'toml',
  'yaml',
  'yml',
  'xml',
  'json',
  'js',
  'py',
  'py3',
  'csv',
  'tsv',
  'md',
  'rst',
  'MLmodel',
  'MLproject',
]);

/**
 * Binary types worth naming; everything else (HTML and SVG included) is application/octet-stream.
 * A Map, so an extension such as `constructor` finds nothing inherited.
 */
const BINARY_TYPES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    webp: 'image/webp',
    bmp: 'image/bmp',
    tif: 'image/tiff',
    tiff: 'image/tiff',
    pdf: 'application/pdf',
    zip: 'application/zip',
    gz: 'application/gzip',
    tar: 'application/x-tar',
    onnx: 'application/octet-stream',
    npy: 'application/octet-stream',
    pkl: 'application/octet-stream',
    pt: 'application/octet-stream',
    dcm: 'application/dicom',
    nii: 'application/octet-stream',
  }),
);

/** The Content-Type an artifact is served with, from its name only (never from what the uploader claimed). */
export function servedContentType(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1) : name;
  if (TEXT_EXTENSIONS.has(extension)) return 'text/plain';
  return BINARY_TYPES.get(extension.toLowerCase()) ?? 'application/octet-stream';
}

type DownloadHeaders = Record<
  'Content-Type' | 'Content-Disposition' | 'X-Content-Type-Options' | 'Content-Security-Policy' | 'Accept-Ranges',
  string
>;

/** Headers of every artifact download: a named attachment the browser must not sniff or render. */
export function downloadHeaders(path: string): DownloadHeaders {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return {
    'Content-Type': servedContentType(path),
    'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Accept-Ranges': 'bytes',
  };
}
