import { generateApiToken, parseApiToken, tokenSecretMatches } from '../api-token';

describe('api tokens', () => {
  it('round-trips and checks the secret against its stored hash', () => {
    const t = generateApiToken();
    expect(t.token).toMatch(/^clp_[0-9a-f]{16}_[0-9a-f]{64}$/);
    const parsed = parseApiToken(t.token)!;
    expect(parsed.id).toBe(t.id);
    expect(tokenSecretMatches(parsed.secret, t.secretHash)).toBe(true);
    expect(tokenSecretMatches('0'.repeat(64), t.secretHash)).toBe(false);
    expect(t.secretHash).not.toContain(t.secret);
  });

  it('rejects malformed tokens', () => {
    expect(parseApiToken('clp_abc_def')).toBeNull();
    expect(parseApiToken('Bearer clp_' + '0'.repeat(16) + '_' + '0'.repeat(64))).toBeNull();
  });
});
