/** Webhook signing, the receiver's check, URL rules and the retry schedule (issue 14, item 5). */
import { createHmac } from 'node:crypto';
import {
  generateWebhookSecret,
  isPrivateAddress,
  parseRetrySchedule,
  verifyWebhookSignature,
  webhookSignature,
  webhookUrlProblem,
} from '../webhooks';

describe('webhook signatures', () => {
  const secret = 'whsec_0123456789abcdef0123456789abcdef';
  const body = '{"id":"e1","type":"promotion.signed"}';

  it('are sha256= and the hex HMAC-SHA256 of "<timestamp>.<body>" with the secret, as the docs tell receivers', () => {
    const expected = createHmac('sha256', secret).update(`1764800000.${body}`).digest('hex');
    expect(webhookSignature(secret, '1764800000', body)).toBe(`sha256=${expected}`);
    // As a receiver computes it in a shell: printf '%s' '1.{}' | openssl dgst -sha256 -hmac k
    expect(webhookSignature('k', '1', '{}')).toBe('sha256=3dd49b2593d0f9a349e9e71c4bde3e2b862c2be4003fe9b4ba81332029310158');
  });

  it('verify with the secret, the timestamp and the exact body, and within the tolerance only', () => {
    const now = 1764800000_000;
    const ts = '1764800000';
    const sig = webhookSignature(secret, ts, body);
    expect(verifyWebhookSignature(secret, { timestamp: ts, signature: sig }, body, { nowMs: now })).toBe(true);
    expect(verifyWebhookSignature('whsec_other', { timestamp: ts, signature: sig }, body, { nowMs: now })).toBe(false);
    expect(verifyWebhookSignature(secret, { timestamp: ts, signature: sig }, `${body} `, { nowMs: now })).toBe(false);
    expect(verifyWebhookSignature(secret, { timestamp: '1764800001', signature: sig }, body, { nowMs: now })).toBe(false);
    expect(verifyWebhookSignature(secret, { timestamp: ts, signature: sig }, body, { nowMs: now + 301_000 })).toBe(false);
    expect(verifyWebhookSignature(secret, { timestamp: undefined, signature: sig }, body, { nowMs: now })).toBe(false);
    expect(verifyWebhookSignature(secret, { timestamp: ts, signature: sig.slice(0, -1) }, body, { nowMs: now })).toBe(false);
  });

  it('secrets are 256 random bits, different each time', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(generateWebhookSecret()).not.toBe(a);
  });
});

describe('webhook URLs', () => {
  const strict = { allowPrivate: false };

  it('accept public http and https receivers', () => {
    expect(webhookUrlProblem('https://hooks.example.org/caliper', strict)).toBeNull();
    expect(webhookUrlProblem('http://203.0.113.7:8080/in?x=1', strict)).toBeNull();
    expect(webhookUrlProblem('https://[2001:db8::1]/in', strict)).toBeNull();
  });

  it.each([
    ['', /give the receiver URL/],
    ['hooks.example.org/in', /not an absolute URL/],
    ['ftp://hooks.example.org/in', /only http and https.*not ftp/],
    ['file:///etc/passwd', /only http and https.*not file/],
    ['https://user:pass@hooks.example.org/in', /must not carry a user name or password/],
    ['https://token@hooks.example.org/in', /must not carry a user name or password/],
    [`https://hooks.example.org/${'a'.repeat(2048)}`, /at most 2048 characters/],
  ])('refuse %s', (url, message) => {
    expect(webhookUrlProblem(url, { allowPrivate: true })).toMatch(message);
  });

  it.each([
    'http://127.0.0.1:9000/',
    'http://localhost/in',
    'http://api.localhost/in',
    'http://10.1.2.3/',
    'http://172.20.0.1/',
    'http://192.168.1.10/',
    'http://169.254.169.254/latest/meta-data/',
    'http://0.0.0.0/',
    'http://[::1]/',
    'http://[fd00::5]/',
    'http://[fe80::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://2130706433/',
    'http://0x7f.1/',
  ])('refuse the loopback, private or link-local %s unless private receivers are allowed', (url) => {
    expect(webhookUrlProblem(url, strict)).toMatch(/loopback, private or link-local address.*WEBHOOK_ALLOW_PRIVATE=true/);
    expect(webhookUrlProblem(url, { allowPrivate: true })).toBeNull();
  });

  it('tell private addresses from public ones', () => {
    expect(['127.0.0.1', '10.0.0.1', '100.64.0.1', '::1', 'fc00::1', '::ffff:10.0.0.1'].map(isPrivateAddress)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['8.8.8.8', '203.0.113.7', '2001:db8::1', 'hooks.example.org'].map(isPrivateAddress)).toEqual([false, false, false, false]);
  });
});

describe('the retry schedule', () => {
  it('reads delays in ms, s, m and h', () => {
    expect(parseRetrySchedule('30s,2m,10m,1h,6h')).toEqual([30_000, 120_000, 600_000, 3_600_000, 21_600_000]);
    expect(parseRetrySchedule('200ms, 1s')).toEqual([200, 1000]);
  });

  it('refuses a step it cannot read, naming it', () => {
    expect(() => parseRetrySchedule('30s,soon')).toThrow(/'soon' is not a delay/);
    expect(() => parseRetrySchedule('')).toThrow(/'' is not a delay/);
  });
});
