import type * as Argon2 from '@node-rs/argon2';
import { ADMIN, Auth, login, newUser, startTestApi, TestApi } from '../testing/api-harness';

/**
 * The per-account sign-in limit holds under concurrency: attempts are counted before the password
 * is checked (atomically, in Redis), so a burst of parallel guesses gets no more argon2
 * verifications than the limit, whatever the interleaving.
 */
// The argon2 binding itself is watched (the module object, not an import's copy of it): every
// password check, whichever path made it, goes through its verify.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const argon2 = require('@node-rs/argon2') as typeof Argon2;

describe('login limit under concurrent attempts', () => {
  let api: TestApi;
  let admin: Auth;

  // Each test signs in from its own address (X-Forwarded-For from the loopback proxy), so the
  // per-address limit (10 × 5) of one test does not spill into the next.
  let address = 0;
  const from = () => `198.51.100.${++address}`;
  const signIn = (ip: string, username: string, password: string) =>
    fetch(`${api.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify({ username, password }),
    }).then((r) => r.status);
  const basicMe = (ip: string, username: string, password: string) =>
    fetch(`${api.base}/api/v1/auth/me`, {
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`, 'x-forwarded-for': ip },
    }).then((r) => r.status);

  beforeAll(async () => {
    api = await startTestApi({ LOGIN_MAX_FAILURES: '5', LOGIN_LOCKOUT_SECONDS: '120', TRUST_PROXY: 'loopback' });
    admin = await login(api, ADMIN.username, ADMIN.password);
  }, 60000);
  afterAll(() => api.close());

  afterEach(() => jest.restoreAllMocks());

  it('evaluates exactly 5 of 40 concurrent wrong sign-ins; the other 35 are refused with 429 without checking the password', async () => {
    const victim = await newUser(api, admin);
    const verify = jest.spyOn(argon2, 'verify');
    const ip = from();
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => signIn(ip, victim.username, `wrong-password-${i}`)));
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    expect(verify).toHaveBeenCalledTimes(5);
  });

  it('evaluates at most the limit for concurrent wrong Basic credentials too', async () => {
    const victim = await newUser(api, admin);
    const verify = jest.spyOn(argon2, 'verify');
    const ip = from();
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => basicMe(ip, victim.username, `wrong-password-${i}`)));
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    expect(verify).toHaveBeenCalledTimes(5);
  });

  it("admits a burst of concurrent requests with the right Basic credentials (an mlflow client's first calls): they share one check", async () => {
    const user = await newUser(api, admin);
    const verify = jest.spyOn(argon2, 'verify');
    const ip = from();
    const statuses = await Promise.all(Array.from({ length: 20 }, () => basicMe(ip, user.username, user.password)));
    expect(statuses).toEqual(Array(20).fill(200));
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('does not count a successful sign-in against the account or the address', async () => {
    const user = await newUser(api, admin);
    const ip = from();
    // Four failures, then a success: the account is cleared, so five more failures are evaluated again.
    for (let i = 0; i < 4; i++) expect(await signIn(ip, user.username, `wrong-${i}-password`)).toBe(401);
    expect(await signIn(ip, user.username, user.password)).toBe(200);
    const statuses = await Promise.all(Array.from({ length: 8 }, (_, i) => signIn(ip, user.username, `again-wrong-${i}`)));
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    // Successful sign-ins are not failures of their address (whose limit is 10 × 5 = 50).
    const other = await newUser(api, admin);
    const busy = from();
    for (let i = 0; i < 51; i++) expect(await signIn(busy, other.username, other.password)).toBe(200);
  }, 60000);
});
