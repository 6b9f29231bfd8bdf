/**
 * The one error type of this library: a code a caller can branch on (retry on UNREACHABLE or
 * TIMEOUT, show NOT_DICOM to the uploader, ...) and a message a person can act on, naming the
 * request (method and URL), the status and the start of the server's answer when there was one.
 */
export type PacsErrorCode =
  /** The DICOMweb base URL is not an http(s) URL. */
  | 'INVALID_URL'
  /** A query parameter was refused before any request was sent. */
  | 'INVALID_QUERY'
  /** No answer: connection refused, DNS failure, reset. */
  | 'UNREACHABLE'
  /** No answer (or no further bytes) within the time allowed. */
  | 'TIMEOUT'
  /** The server answered 404: the study, series or instance is not there. */
  | 'NOT_FOUND'
  /** Any other non-success status. */
  | 'HTTP_ERROR'
  /** A success status with a body that is not what DICOMweb promises (JSON model, multipart). */
  | 'BAD_RESPONSE'
  /** The bytes are not a DICOM Part-10 file (no "DICM" after the 128-byte preamble). */
  | 'NOT_DICOM'
  /** A DICOM file that ends before its last element does. */
  | 'TRUNCATED'
  /** A DICOM file whose structure cannot be read. */
  | 'MALFORMED'
  /** A DICOM file without an attribute Caliper needs to identify it (or with an unusable value). */
  | 'MISSING_ATTRIBUTE';

export class PacsError extends Error {
  override readonly name = 'PacsError';
  constructor(
    readonly code: PacsErrorCode,
    message: string,
    readonly details: { url?: string; status?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }
}

/** At most `max` characters of a server's answer, on one line, for an error message. */
export function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
