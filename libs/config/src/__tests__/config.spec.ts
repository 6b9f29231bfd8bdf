import { ConfigError, loadConfig } from '../index';

describe('loadConfig', () => {
  it('uses local defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.HOST).toBe('127.0.0.1');
    expect(c.DATABASE_URL).toBe('postgres://caliper_app@127.0.0.1:5432/caliper');
    expect(c.API_PORT).toBe(3000);
  });

  it('names every bad variable', () => {
    try {
      loadConfig({ API_PORT: 'eighty', REDIS_URL: 'http://x' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toMatch(/API_PORT/);
      expect((e as Error).message).toMatch(/REDIS_URL: must be a URL starting with redis: or rediss:/);
    }
  });
});
