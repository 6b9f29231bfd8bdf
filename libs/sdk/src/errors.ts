/**
 * Errors the SDK raises carry the server's code and message (native `{code, message}` or
 * MLflow's `{error_code, message}`), the HTTP status, and whether retrying could help.
 */
export class CaliperApiError extends Error {
  constructor(
    /** The server's code (e.g. BAD_USER_INPUT, NOT_FOUND), or NETWORK_ERROR / BAD_RESPONSE for failures without one. */
    readonly code: string,
    message: string,
    /** HTTP status; 0 when no response came back. */
    readonly status: number,
  ) {
    super(message);
    this.name = 'CaliperApiError';
  }
}

/** Builds the error for a non-2xx response from its body, whatever shape the server used. */
export async function errorFromResponse(res: Response, what: string): Promise<CaliperApiError> {
  const text = await res.text().catch(() => '');
  let code = `HTTP_${res.status}`;
  let message = text.trim() || res.statusText || 'no body';
  try {
    const body = JSON.parse(text) as { code?: unknown; error_code?: unknown; message?: unknown };
    if (typeof body.code === 'string') code = body.code;
    else if (typeof body.error_code === 'string') code = body.error_code;
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // Not JSON (a proxy's HTML page, say): the text itself is the best message there is.
  }
  return new CaliperApiError(code, `${what} failed (${res.status} ${code}): ${message}`, res.status);
}
