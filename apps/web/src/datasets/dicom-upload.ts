/**
 * One DICOM file into a draft version over REST (same origin, session cookie). The API's
 * cross-site guard checks the browser's Origin header and refuses form-like bodies, so the file
 * goes as application/dicom; a refusal is thrown with the server's own message.
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

export async function uploadDicom(versionId: string, file: Blob, label: string | null): Promise<void> {
  let res: Response;
  try {
    res = await fetch(dicomUploadUrl(versionId, label), {
      method: 'PUT',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/dicom', Accept: 'application/json' },
      body: file,
    });
  } catch {
    throw new DicomUploadError(0, 'Caliper could not be reached. Check your connection and upload the file again.');
  }
  if (res.ok) return;
  let message = `The server answered with status ${res.status}.`;
  try {
    const body = (await res.json()) as { message?: unknown };
    if (typeof body.message === 'string' && body.message) message = body.message;
  } catch {
    // Not JSON: keep the status line.
  }
  throw new DicomUploadError(res.status, message);
}
