/** A run's artifacts: one directory at a time, download links, and previews of images, text and JSON. */
import { useEffect, useState } from 'react';
import { formatBytes } from './format';
import {
  ArtifactEntry,
  artifactUrl,
  fetchImageUrl,
  fetchTextPreview,
  listArtifacts,
  MAX_IMAGE_PREVIEW_BYTES,
  MAX_TEXT_PREVIEW_BYTES,
  prettyJson,
  previewKind,
} from './artifacts-api';

const nameOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);

export function ArtifactsBrowser({ runId }: { runId: string }) {
  const [dir, setDir] = useState('');
  const [attempt, setAttempt] = useState(0);
  // The listing answers one request (folder + attempt); while it answers another, the folder is loading.
  const request = `${attempt}:${dir}`;
  const [listing, setListing] = useState<{ request: string; entries: ArtifactEntry[] | null; error: string | null } | null>(null);
  const [preview, setPreview] = useState<ArtifactEntry | null>(null);

  useEffect(() => {
    let cancelled = false;
    listArtifacts(runId, dir)
      .then((files) => {
        if (!cancelled) setListing({ request, entries: files, error: null });
      })
      .catch((err: unknown) => {
        if (!cancelled) setListing({ request, entries: null, error: err instanceof Error ? err.message : String(err) });
      });
    return () => {
      cancelled = true;
    };
  }, [runId, dir, request]);

  const current = listing?.request === request ? listing : null;
  const entries = current?.entries ?? null;
  const error = current?.error ?? null;
  const segments = dir ? dir.split('/') : [];
  const open = (path: string) => {
    setPreview(null);
    setDir(path);
  };

  return (
    <>
      <nav className="artifact-path" aria-label="Artifact folder">
        {segments.length ? (
          <button type="button" onClick={() => open('')}>
            artifacts
          </button>
        ) : (
          <span aria-current="location">artifacts</span>
        )}
        {segments.map((s, i) => {
          const path = segments.slice(0, i + 1).join('/');
          return (
            <span key={path}>
              {' / '}
              {i === segments.length - 1 ? (
                <span aria-current="location">{s}</span>
              ) : (
                <button type="button" onClick={() => open(path)}>
                  {s}
                </button>
              )}
            </span>
          );
        })}
      </nav>
      {error ? (
        <div className="state state-error" role="alert">
          <p className="state-title">The artifacts could not be listed</p>
          <p>{error}</p>
          <button type="button" className="btn" onClick={() => setAttempt(attempt + 1)}>
            Try again
          </button>
        </div>
      ) : null}
      {!error && !entries ? (
        <div className="state state-loading" role="status">
          <span className="spinner" aria-hidden="true" />
          Loading artifacts…
        </div>
      ) : null}
      {entries && entries.length === 0 ? (
        <div className="state state-empty">
          <p className="state-title">{dir ? 'This folder is empty.' : 'No artifacts logged for this run.'}</p>
        </div>
      ) : null}
      {entries && entries.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Artifacts in {dir || 'the run’s root folder'}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.path}>
                  <td className="mono">
                    {e.isDir ? (
                      <button type="button" className="link-button" onClick={() => open(e.path)}>
                        {nameOf(e.path)}/
                      </button>
                    ) : (
                      nameOf(e.path)
                    )}
                  </td>
                  <td className="num">{e.isDir ? '' : formatBytes(e.size)}</td>
                  <td className="row-actions">
                    {!e.isDir && previewKind(e.path) ? (
                      <button
                        type="button"
                        className="btn btn-small"
                        aria-label={`Preview ${nameOf(e.path)}`}
                        onClick={() => setPreview(e)}
                      >
                        Preview
                      </button>
                    ) : null}
                    {!e.isDir ? (
                      <a
                        className="btn btn-small"
                        href={artifactUrl(runId, e.path)}
                        download={nameOf(e.path)}
                        aria-label={`Download ${nameOf(e.path)}`}
                      >
                        Download
                      </a>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {preview ? <ArtifactPreview key={preview.path} runId={runId} entry={preview} onClose={() => setPreview(null)} /> : null}
    </>
  );
}

type PreviewState =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'text'; text: string; truncated: boolean }
  | { status: 'image'; url: string };

function ArtifactPreview({ runId, entry, onClose }: { runId: string; entry: ArtifactEntry; onClose: () => void }) {
  const kind = previewKind(entry.path);
  const tooLarge = kind === 'image' && (entry.size ?? 0) > MAX_IMAGE_PREVIEW_BYTES;
  const [loaded, setLoaded] = useState<PreviewState>({ status: 'loading' });
  const state: PreviewState = tooLarge
    ? { status: 'error', message: `The image is larger than ${formatBytes(MAX_IMAGE_PREVIEW_BYTES)}: download it instead.` }
    : loaded;
  useEffect(() => {
    if (tooLarge) return undefined;
    let cancelled = false;
    let objectUrl: string | null = null;
    const load: Promise<PreviewState> =
      kind === 'image'
        ? fetchImageUrl(runId, entry.path).then((url) => {
            objectUrl = url;
            return { status: 'image', url };
          })
        : fetchTextPreview(runId, entry.path, entry.size).then(({ text, truncated }) => ({
            status: 'text',
            text: kind === 'json' ? prettyJson(text, truncated) : text,
            truncated,
          }));
    load
      .then((s) => {
        if (cancelled) {
          if (objectUrl) URL.revokeObjectURL(objectUrl);
        } else setLoaded(s);
      })
      .catch((err: unknown) => {
        if (!cancelled) setLoaded({ status: 'error', message: err instanceof Error ? err.message : String(err) });
      });
    return () => {
      cancelled = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [runId, entry.path, entry.size, kind, tooLarge]);

  return (
    <section className="artifact-preview" aria-labelledby="artifact-preview-title">
      <div className="panel-header">
        <h3 id="artifact-preview-title" className="mono">
          {entry.path}
        </h3>
        <button type="button" className="btn btn-small" onClick={onClose}>
          Close preview
        </button>
      </div>
      {state.status === 'loading' ? (
        <p className="muted" role="status">
          Loading the preview…
        </p>
      ) : null}
      {state.status === 'error' ? (
        <p className="field-error" role="alert">
          The preview could not be shown: {state.message}
        </p>
      ) : null}
      {state.status === 'image' ? <img src={state.url} alt={`Artifact ${entry.path}`} /> : null}
      {state.status === 'text' ? (
        <>
          {/* Rendered as text in a <pre>: markup in an artifact is shown, never interpreted. */}
          <pre className="preformatted" tabIndex={0} aria-label={`Contents of ${entry.path}`}>
            {state.text}
          </pre>
          {state.truncated ? (
            <p className="chart-note">Showing the first {formatBytes(MAX_TEXT_PREVIEW_BYTES)}; download the file for the rest.</p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
