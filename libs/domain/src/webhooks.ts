/**
 * Webhooks on registry events (issue 14, item 5): the event types a project can subscribe to,
 * which URLs a webhook may point at, the retry schedule, and the signature a receiver checks.
 *
 * Signature recipe (what a receiver does, docs/webhooks.md): take the X-Caliper-Timestamp header
 * (Unix seconds) and the raw request body, compute HMAC-SHA256 over `${timestamp}.${body}` with
 * the webhook's secret, compare its hex digest in constant time with X-Caliper-Signature after
 * its 'sha256=' prefix, and refuse timestamps far from now (replays).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';

export const WEBHOOK_EVENT_TYPES = [
  'model_version.registered',
  'promotion.requested',
  'promotion.signed',
  'promotion.approved',
  'promotion.rejected',
  'deployment.changed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_URL_MAX = 2048;
/** A delivery's JSON body is at most this many bytes (the database refuses a larger payload too). */
export const WEBHOOK_PAYLOAD_MAX_BYTES = 64 * 1024;
/** How long one delivery attempt may take, connection to last byte. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

export function isWebhookEventType(v: string): v is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(v);
}

/** A new signing secret: 256 random bits, shown once to whoever creates the webhook. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('hex')}`;
}

/** The X-Caliper-Signature header's value for a body sent at `timestamp` (Unix seconds). */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** The receiver's check, as documented: the signature matches and the timestamp is within `toleranceSeconds` of `nowMs`. */
export function verifyWebhookSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  opts: { nowMs?: number; toleranceSeconds?: number } = {},
): boolean {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  const skew = Math.abs((opts.nowMs ?? Date.now()) / 1000 - Number(timestamp));
  if (skew > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(webhookSignature(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

/** Loopback, private, link-local (cloud metadata), shared, multicast or unspecified: not somewhere a webhook may reach by default. */
export function isPrivateAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  // BlockList checks an IPv4-mapped IPv6 address (::ffff:127.0.0.1) against the IPv4 rules too.
  return PRIVATE.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Why a webhook may not use `raw` as its URL, or null. http and https only; no user name or
 * password in it (they would be sent to every receiver's logs; put credentials in the receiver's
 * check of the signature instead); without `allowPrivate`, no loopback, private or link-local
 * address and no 'localhost' (names that resolve to such addresses are refused when sending).
 */
export function webhookUrlProblem(raw: string, opts: { allowPrivate: boolean }): string | null {
  if (typeof raw !== 'string' || raw.trim() === '') return 'url: give the receiver URL, e.g. https://hooks.example.org/caliper.';
  if (raw.length > WEBHOOK_URL_MAX) return `url: at most ${WEBHOOK_URL_MAX} characters.`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `url: '${raw.slice(0, 200)}' is not an absolute URL; give one such as https://hooks.example.org/caliper.`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `url: only http and https URLs are allowed, not ${url.protocol.slice(0, -1)}.`;
  if (url.username || url.password)
    return 'url: must not carry a user name or password; receivers authenticate Caliper by the X-Caliper-Signature header instead.';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!opts.allowPrivate) {
    if (host === 'localhost' || host.endsWith('.localhost') || isPrivateAddress(host))
      return `url: ${host} is a loopback, private or link-local address; webhooks are only sent to public receivers (an operator can allow private ones with WEBHOOK_ALLOW_PRIVATE=true).`;
  }
  return null;
}

const SCHEDULE_STEP = /^(\d{1,6})(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** The production schedule: a failed delivery is retried after 30 s, 2 min, 10 min, 1 h and 6 h, six attempts in all. */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE = '30s,2m,10m,1h,6h';

/** Delays before each retry, in milliseconds, from a list such as '30s,2m,10m,1h,6h' (units ms, s, m, h); throws naming the bad step. */
export function parseRetrySchedule(spec: string): number[] {
  const steps = spec.split(',').map((s) => s.trim());
  if (steps.length > 20) throw new Error(`a retry schedule has at most 20 steps, '${spec}' has ${steps.length}`);
  return steps.map((step) => {
    const m = SCHEDULE_STEP.exec(step);
    if (!m) throw new Error(`'${step}' is not a delay such as 30s, 2m, 1h or 500ms`);
    return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  });
}
