/**
 * The REST half of authentication: sign-in and sign-out set and clear the httpOnly session
 * cookie that GraphQL then relies on.
 */

export interface SignedInUser {
  id: string;
  username: string;
  displayName: string;
  globalRole: string | null;
}

export type SignInResult =
  { ok: true; user: SignedInUser } | { ok: false; status: number; code: string; message: string; retryAfterSeconds: number | null };

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(header: string | null, now: Date = new Date()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** "14 min 5 s", "40 s", "2 h 3 min": how long until the user may try again. */
export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return rest > 0 ? `${m} min ${rest} s` : `${m} min`;
  return `${rest} s`;
}

async function readJson(response: Response): Promise<Record<string, unknown>> {
  try {
    const body: unknown = await response.json();
    return body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export async function signIn(username: string, password: string): Promise<SignInResult> {
  let response: Response;
  try {
    response = await fetch('/api/v1/auth/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username, password }),
    });
  } catch {
    return {
      ok: false,
      status: 0,
      code: 'NETWORK',
      message: 'Caliper could not be reached. Check your connection and try again.',
      retryAfterSeconds: null,
    };
  }
  const body = await readJson(response);
  if (response.ok) return { ok: true, user: body.user as SignedInUser };
  const fallback =
    response.status >= 500
      ? `Sign-in failed on the server (status ${response.status}). Try again; if it keeps failing, tell your administrator.`
      : `Sign-in was refused (status ${response.status}).`;
  return {
    ok: false,
    status: response.status,
    code: typeof body.code === 'string' ? body.code : `HTTP_${response.status}`,
    message: typeof body.message === 'string' && body.message ? body.message : fallback,
    retryAfterSeconds: parseRetryAfter(response.headers.get('Retry-After')),
  };
}

export async function signOut(): Promise<void> {
  await fetch('/api/v1/auth/logout', { method: 'POST', credentials: 'same-origin' });
}

/** Only same-app paths are followed after sign-in, never another origin. */
export function safeNextPath(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/sign-in')) return '/projects';
  return next;
}
