/**
 * The run's artifacts over the native REST API (same origin, session cookie): listing a
 * directory, download addresses, and what the browser may preview. Previews are images shown as
 * <img> from a blob of a fixed image type, and text or JSON shown as text — never HTML or SVG.
 */

export interface ArtifactEntry {
  path: string;
  isDir: boolean;
  size?: number;
}

export type PreviewKind = 'image' | 'json' | 'text' | null;

/** Image types previewed, by extension; the blob gets this type whatever the server sent. */
const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};
const TEXT_EXTENSIONS = new Set([
  'txt',
  'log',
  'csv',
  'tsv',
  'yaml',
  'yml',
  'md',
  'py',
  'cfg',
  'ini',
  'toml',
  'MLmodel',
  'MLproject',
  'err',
  'out',
]);

export const MAX_TEXT_PREVIEW_BYTES = 256 * 1024;
export const MAX_IMAGE_PREVIEW_BYTES = 20 * 1024 * 1024;

function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1) : name;
}

export function previewKind(path: string): PreviewKind {
  const ext = extensionOf(path);
  if (IMAGE_TYPES[ext.toLowerCase()]) return 'image';
  if (ext.toLowerCase() === 'json') return 'json';
  if (TEXT_EXTENSIONS.has(ext) || TEXT_EXTENSIONS.has(ext.toLowerCase())) return 'text';
  return null;
}

export function imageTypeOf(path: string): string | null {
  return IMAGE_TYPES[extensionOf(path).toLowerCase()] ?? null;
}

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

export function artifactUrl(runId: string, path: string): string {
  return `/api/v1/runs/${encodeURIComponent(runId)}/artifacts/${encodePath(path)}`;
}

export class ArtifactRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function failure(res: Response): Promise<ArtifactRequestError> {
  let message = `The server answered with status ${res.status}.`;
  try {
    const body = (await res.json()) as { message?: unknown };
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // Not JSON: keep the status line.
  }
  return new ArtifactRequestError(res.status, message);
}

/** Immediate children of `dir` ('' = the root). */
export async function listArtifacts(runId: string, dir: string): Promise<ArtifactEntry[]> {
  const res = await fetch(`/api/v1/runs/${encodeURIComponent(runId)}/artifacts?prefix=${encodeURIComponent(dir)}`, {
    credentials: 'same-origin',
  });
  if (!res.ok) throw await failure(res);
  const body = (await res.json()) as { files?: ArtifactEntry[] };
  return body.files ?? [];
}

/** The first bytes of a text artifact, decoded as UTF-8; `truncated` when there is more. */
export async function fetchTextPreview(
  runId: string,
  path: string,
  size: number | undefined,
): Promise<{ text: string; truncated: boolean }> {
  const res = await fetch(artifactUrl(runId, path), {
    credentials: 'same-origin',
    headers: { Range: `bytes=0-${MAX_TEXT_PREVIEW_BYTES - 1}` },
  });
  if (!res.ok) throw await failure(res);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const truncated = bytes.length >= MAX_TEXT_PREVIEW_BYTES && (size === undefined || size > MAX_TEXT_PREVIEW_BYTES);
  return { text: new TextDecoder('utf-8').decode(bytes.subarray(0, MAX_TEXT_PREVIEW_BYTES)), truncated };
}

/** JSON pretty-printed when it parses whole; otherwise the text as it is. */
export function prettyJson(text: string, truncated: boolean): string {
  if (truncated) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** An object URL for an image artifact, typed by its extension (so the browser never sniffs it as anything else). */
export async function fetchImageUrl(runId: string, path: string): Promise<string> {
  const type = imageTypeOf(path);
  if (!type) throw new Error(`${path} is not a previewable image.`);
  const res = await fetch(artifactUrl(runId, path), { credentials: 'same-origin' });
  if (!res.ok) throw await failure(res);
  return URL.createObjectURL(new Blob([await res.arrayBuffer()], { type }));
}
