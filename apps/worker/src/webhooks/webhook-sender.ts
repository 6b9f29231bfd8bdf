/**
 * One HTTP POST of a webhook delivery, with node:http(s) so the connection's address can be
 * checked: unless private receivers are allowed, a host name that resolves to a loopback, private
 * or link-local address is refused at connection time (the URL was checked when saved, but DNS
 * can change; checking the address actually dialled also stops DNS rebinding). Redirects are not
 * followed. The whole exchange, connection to last byte, has WEBHOOK_TIMEOUT_MS.
 */
import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isPrivateAddress, WEBHOOK_TIMEOUT_MS, webhookSignature, webhookUrlProblem } from '@caliper/domain';

export interface WebhookPost {
  url: string;
  secret: string;
  eventType: string;
  eventId: string;
  body: string;
}

export interface WebhookPostResult {
  /** The receiver's HTTP status, or null when no answer came. */
  statusCode: number | null;
  /** Why the attempt failed (null for a 2xx). */
  error: string | null;
  durationMs: number;
}

const ANSWER_EXCERPT = 300;

/** dns.lookup that refuses, unless `allowPrivate`, a name resolving to a loopback, private or link-local address. */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const refused = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
      if (refused)
        return callback(
          Object.assign(
            new Error(
              `${hostname} resolves to ${refused.address}, a loopback, private or link-local address; not sent (WEBHOOK_ALLOW_PRIVATE=true allows it)`,
            ),
            { code: 'EWEBHOOKPRIVATE' },
          ),
          '',
          0,
        );
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
}

/** POSTs the signed body once; never throws for a receiver's failure, which comes back as the result. */
export async function postWebhook(
  p: WebhookPost,
  opts: { allowPrivate: boolean; nowMs?: number; timeoutMs?: number },
): Promise<WebhookPostResult> {
  const timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const started = Date.now();
  const done = (statusCode: number | null, error: string | null): WebhookPostResult => ({
    statusCode,
    error,
    durationMs: Date.now() - started,
  });
  const problem = webhookUrlProblem(p.url, { allowPrivate: opts.allowPrivate });
  if (problem) return done(null, `not sent: ${problem}`);
  const url = new URL(p.url);
  const timestamp = String(Math.floor((opts.nowMs ?? Date.now()) / 1000));
  const body = Buffer.from(p.body, 'utf8');
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<WebhookPostResult>((resolve) => {
    let settled = false;
    const finish = (r: WebhookPostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = client.request(
      url,
      {
        method: 'POST',
        lookup: guardedLookup(opts.allowPrivate),
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.length),
          'user-agent': 'Caliper-Webhooks/1',
          'x-caliper-event': p.eventType,
          'x-caliper-delivery': p.eventId,
          'x-caliper-timestamp': timestamp,
          'x-caliper-signature': webhookSignature(p.secret, timestamp, p.body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (c: Buffer) => {
          if (kept < ANSWER_EXCERPT) {
            chunks.push(c);
            kept += c.length;
          }
        });
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) return finish(done(code, null));
          const excerpt = Buffer.concat(chunks).toString('utf8').slice(0, ANSWER_EXCERPT).trim();
          finish(done(code, `the receiver answered HTTP ${code}${excerpt ? `: ${excerpt}` : ''}`));
        });
        res.on('error', (err) => finish(done(res.statusCode ?? null, `the answer broke off: ${err.message}`)));
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`no complete answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    req.on('error', (err) => finish(done(null, err.message)));
    req.end(body);
  });
}
