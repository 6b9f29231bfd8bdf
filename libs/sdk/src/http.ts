/**
 * The HTTP layer every SDK call goes through: base URL, credentials (API token, or a session
 * cookie from username/password that is renewed once when it expires), and retries with backoff
 * and jitter on 429, 5xx and network errors, honouring Retry-After. A request that is not
 * idempotent is retried only when the server provably did not apply it.
 */
import { CaliperApiError, errorFromResponse } from './errors';
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  failedBeforeSending,
  isRefusedStatus,
  isRetryableStatus,
  RetryPolicy,
  retryAfterMs,
} from './retry';

export type Credentials = { token: string } | { username: string; password: string };

export interface TransportOptions {
  baseUrl: string;
  credentials?: Credentials;
  retry?: Partial<RetryPolicy>;
  /** Replaceable for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Called before each retry, e.g. to log it. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string; method: string; path: string }) => void;
}

export interface RequestOptions {
  json?: unknown;
  /** A body factory, called once per attempt so that a stream can be re-opened for a retry. */
  body?: () => string | Uint8Array | ReadableStream<Uint8Array>;
  headers?: Record<string, string>;
  /** Arrays become repeated parameters. */
  query?: Record<string, string | number | string[] | undefined | null>;
  /** Safe to repeat (GET, PUT, PATCH, or a POST with an Idempotency-Key). Defaults by method. */
  idempotent?: boolean;
  /** Names the call in error messages. */
  what?: string;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class HttpTransport {
  readonly baseUrl: string;
  private readonly policy: RetryPolicy;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private sessionCookie: string | null = null;

  constructor(private readonly options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.fetchImpl = options.fetch ?? fetch;
    this.sleep = options.sleep ?? sleepFor;
    this.random = options.random ?? Math.random;
  }

  /** Signs in with username/password (no-op for token credentials); later calls send the session cookie. */
  async login(): Promise<void> {
    const creds = this.options.credentials;
    if (!creds || 'token' in creds) return;
    const res = await this.send(
      'POST',
      '/api/v1/auth/login',
      { json: { username: creds.username, password: creds.password }, idempotent: true, what: 'sign-in' },
      false,
    );
    const cookie = res.headers.get('set-cookie');
    await res.body?.cancel();
    if (!cookie) throw new CaliperApiError('BAD_RESPONSE', 'sign-in succeeded but the server set no session cookie', res.status);
    // The cookie itself, without its attributes (Path, HttpOnly, …).
    const end = cookie.indexOf(';');
    this.sessionCookie = end < 0 ? cookie : cookie.slice(0, end);
  }

  /** Sends a request and returns the (2xx) response; throws CaliperApiError otherwise. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const creds = this.options.credentials;
    if (creds && 'username' in creds && !this.sessionCookie) await this.login();
    try {
      return await this.send(method, path, opts, true);
    } catch (err) {
      // A session can expire during a long training run: sign in again once and repeat.
      if (err instanceof CaliperApiError && err.status === 401 && creds && 'username' in creds) {
        await this.login();
        return this.send(method, path, opts, true);
      }
      throw err;
    }
  }

  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.request(method, path, opts);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch {
      throw new CaliperApiError(
        'BAD_RESPONSE',
        `${opts.what ?? `${method} ${path}`}: the server answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`,
        res.status,
      );
    }
  }

  private url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) {
      for (const item of Array.isArray(v) ? v : [v])
        if (item !== undefined && item !== null && item !== '') url.searchParams.append(k, String(item));
    }
    return url.toString();
  }

  private headers(opts: RequestOptions, authenticated: boolean): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (opts.json !== undefined) h['content-type'] = 'application/json';
    const creds = this.options.credentials;
    if (authenticated && creds && 'token' in creds) h.authorization = `Bearer ${creds.token}`;
    if (authenticated && this.sessionCookie) h.cookie = this.sessionCookie;
    return h;
  }

  private async send(method: string, path: string, opts: RequestOptions, authenticated: boolean): Promise<Response> {
    const what = opts.what ?? `${method} ${path}`;
    const idempotent = opts.idempotent ?? method !== 'POST';
    const url = this.url(path, opts.query);
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.policy.maxAttempts;
      let res: Response;
      try {
        const body = opts.json !== undefined ? JSON.stringify(opts.json) : opts.body?.();
        res = await this.fetchImpl(url, {
          method,
          headers: this.headers(opts, authenticated),
          body,
          ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
        } as RequestInit);
      } catch (err) {
        const retryable = idempotent || failedBeforeSending(err);
        const reason = describeNetworkError(err);
        if (last || !retryable)
          throw new CaliperApiError(
            'NETWORK_ERROR',
            `${what} failed: ${reason}${last && retryable ? ` (gave up after ${attempt} attempts)` : ''}`,
            0,
          );
        await this.wait(attempt, null, reason, method, path);
        continue;
      }
      if (res.ok) return res;
      const retryable = idempotent ? isRetryableStatus(res.status) : isRefusedStatus(res.status);
      if (last || !retryable) throw await errorFromResponse(res, what);
      const retryAfter = retryAfterMs(res.headers.get('retry-after'));
      await res.body?.cancel();
      await this.wait(attempt, retryAfter, `HTTP ${res.status}`, method, path);
    }
  }

  private async wait(attempt: number, retryAfter: number | null, reason: string, method: string, path: string): Promise<void> {
    // The server's Retry-After wins over our own guess, but never beyond the cap.
    const delayMs = retryAfter !== null ? Math.min(retryAfter, this.policy.maxDelayMs) : backoffDelayMs(attempt, this.policy, this.random);
    this.options.onRetry?.({ attempt, delayMs, reason, method, path });
    await this.sleep(delayMs);
  }
}

function describeNetworkError(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message ?? 'network error'} (${cause})` : (e?.message ?? String(err));
}
