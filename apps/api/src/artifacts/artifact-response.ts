/** Sends an artifact download: the requested bytes streamed from S3 with safe download headers. */
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import type { ArtifactDownload } from './artifacts.service';
import { downloadHeaders } from './artifact-http';

export async function sendArtifact(res: Response, download: ArtifactDownload): Promise<void> {
  const { artifact, range, body } = download;
  res.set(downloadHeaders(artifact.path));
  res.set('ETag', `"${artifact.sha256}"`);
  res.set('X-Checksum-Sha256', artifact.sha256);
  if (range === 'unsatisfiable' || !body) {
    res.status(416).set('Content-Range', `bytes */${artifact.size}`).end();
    return;
  }
  if (range) {
    res
      .status(206)
      .set('Content-Range', `bytes ${range.start}-${range.end}/${artifact.size}`)
      .set('Content-Length', String(range.end - range.start + 1));
  } else {
    res.status(200).set('Content-Length', String(artifact.size));
  }
  // A client that goes away mid-download ends the pipeline; nothing to clean up.
  await pipeline(body, res).catch(() => undefined);
}

/** The wildcard route parameter (Express 5 gives its segments) as one artifact path. */
export function wildcardPath(param: string | string[] | undefined): string {
  return Array.isArray(param) ? param.join('/') : (param ?? '');
}
