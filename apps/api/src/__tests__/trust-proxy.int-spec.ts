import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { parse } from 'yaml';
import { configSchema } from '@caliper/config';
import { ADMIN, startTestApi, TestApi } from '../testing/api-harness';

/**
 * Which client address the API believes (audit log, per-address sign-in limit): X-Forwarded-For
 * only from the proxy it is told to trust. By default none is trusted; docker-compose trusts the
 * web image's nginx by its fixed address and publishes no API port, so no one can reach the API
 * except through that proxy.
 */
const ROOT = path.resolve(__dirname, '../../../..');

describe('TRUST_PROXY', () => {
  const signIn = (api: TestApi, xff: string, username = ADMIN.username, password = ADMIN.password) =>
    fetch(`${api.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': xff },
      body: JSON.stringify({ username, password }),
    });
  const loginIps = async (api: TestApi) => {
    const pg = new Client({ connectionString: api.db.ownerUrl });
    await pg.connect();
    try {
      return (await pg.query(`SELECT after->>'ip' AS ip FROM audit_events WHERE action = 'auth.login' ORDER BY seq`)).rows.map(
        (r) => r.ip as string,
      );
    } finally {
      await pg.end();
    }
  };

  describe('unset (the default)', () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startTestApi({ LOGIN_MAX_FAILURES: '1', LOGIN_LOCKOUT_SECONDS: '120' });
    }, 60000);
    afterAll(() => api.close());

    it('is false: no forwarded header is trusted', () => {
      expect(configSchema.parse({}).TRUST_PROXY).toBe('false');
    });

    it('records the connecting address in the audit log, not a forged X-Forwarded-For', async () => {
      expect((await signIn(api, '203.0.113.9')).status).toBe(200);
      expect(await loginIps(api)).toEqual([expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$/)]);
    });

    it('counts failures against the connecting address, whatever X-Forwarded-For says', async () => {
      // The address limit is 10 × LOGIN_MAX_FAILURES = 10 failures; a new username and a new
      // forged address each time would escape it if either were believed.
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await signIn(api, `198.51.100.${i}`, `nobody-${i}`, 'wrong-password-here')).status);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
      expect(statuses[10]).toBe(429);
    });
  });

  describe("set to the proxy's address", () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startTestApi({ TRUST_PROXY: '127.0.0.1' });
    }, 60000);
    afterAll(() => api.close());

    it('takes the address the proxy appended, ignoring what the client put before it', async () => {
      expect((await signIn(api, '10.9.9.9, 203.0.113.7')).status).toBe(200);
      expect(await loginIps(api)).toEqual(['203.0.113.7']);
    });
  });

  it('refuses true (every client would choose its own address)', () => {
    const r = configSchema.safeParse({ TRUST_PROXY: 'true' });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/any client/);
    expect(configSchema.safeParse({ TRUST_PROXY: '172.30.77.10' }).success).toBe(true);
    expect(configSchema.safeParse({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).success).toBe(true);
  });

  describe('docker-compose.yml', () => {
    const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
    const api = compose.services.api;
    const web = compose.services.web;

    it('publishes no API port: only nginx (web) is reachable from outside', () => {
      expect(api.ports).toBeUndefined();
      expect(web.ports).toEqual(['8080:8080']);
    });

    it("trusts only the web proxy's fixed address", () => {
      const trusted = String(api.environment.TRUST_PROXY).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
      expect(trusted).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(web.networks.default.ipv4_address).toBe(trusted);
      const subnet = compose.networks.default.ipam.config[0].subnet as string;
      expect(trusted.split('.').slice(0, 3).join('.')).toBe(subnet.split('.').slice(0, 3).join('.'));
    });
  });
});
