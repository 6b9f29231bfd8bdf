/**
 * One DICOM file, or a zip of them, into a draft version over REST (same origin, session cookie).
 * The API's cross-site guard checks the browser's Origin header and refuses form-like bodies, so the
 * file goes as application/dicom or application/zip; a refusal is thrown with the server's own message.
 * Label and split files (item-files.ts) go through the same putFile.
 */

export class DicomUploadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function dicomUploadUrl(versionId: string, label: string | null): string {
  const query = label ? `?label=${encodeURIComponent(label)}` : '';
  return `/api/v1/dataset-versions/${encodeURIComponent(versionId)}/dicom${query}`;
}

export function zipUploadUrl(versionId: string): string {
  return `/api/v1/dataset-versions/${encodeURIComponent(versionId)}/zip`;
}

/** Whether a chosen file is a zip (by its type or name), sent to the zip route instead of the DICOM one. */
export function isZip(file: { name: string; type: string }): boolean {
  return /^application\/(x-)?zip(-compressed)?$/.test(file.type) || /\.zip$/i.test(file.name);
}

export async function uploadDicom(versionId: string, file: Blob, label: string | null): Promise<void> {
  await putFile(dicomUploadUrl(versionId, label), 'application/dicom', file);
}

/** A zip of DICOM files: added all or nothing; a refusal names the entry and why. */
export async function uploadZip(versionId: string, file: Blob): Promise<void> {
  await putFile(zipUploadUrl(versionId), 'application/zip', file);
}

/** PUTs `file` as `contentType`; resolves with the server's JSON answer (null when there is none). */
export async function putFile(url: string, contentType: string, file: Blob): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'PUT',
      credentials: 'same-origin',
      headers: { 'Content-Type': contentType, Accept: 'application/json' },
      body: file,
    });
  } catch {
    throw new DicomUploadError(0, 'Caliper could not be reached. Check your connection and upload the file again.');
  }
  if (res.ok) return res.json().catch(() => null);
  let message = `The server answered with status ${res.status}.`;
  try {
    const body = (await res.json()) as { message?: unknown };
    if (typeof body.message === 'string' && body.message) message = body.message;
  } catch {
    // Not JSON: keep the status line.
  }
  throw new DicomUploadError(res.status, message);
}
