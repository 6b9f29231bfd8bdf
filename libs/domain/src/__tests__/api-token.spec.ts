import { generateApiToken, parseApiToken, tokenRolesProblem, tokenSecretMatches } from '../api-token';
import { DomainError } from '../errors';

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

describe("a token's roles never exceed its owner's", () => {
  it('allows any part of the roles the owner holds in the project, none included', () => {
    expect(tokenRolesProblem(['researcher'], ['researcher', 'pi'])).toBeNull();
    expect(tokenRolesProblem(['pi', 'researcher'], ['researcher', 'pi'])).toBeNull();
    expect(tokenRolesProblem([], ['viewer'])).toBeNull();
    expect(tokenRolesProblem([], [])).toBeNull();
  });

  it('refuses roles the owner lacks, naming each one against the roles field', () => {
    const problem = tokenRolesProblem(['viewer', 'pi', 'qa'], ['viewer', 'researcher']);
    expect(problem).toBeInstanceOf(DomainError);
    expect(problem).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'A token cannot carry roles its owner does not hold in this project: pi, qa.',
      details: { field: 'roles' },
    });
  });

  it('refuses every role when the owner is not a member of the project', () => {
    expect(tokenRolesProblem(['viewer'], [])?.message).toBe('A token cannot carry roles its owner does not hold in this project: viewer.');
  });
});
