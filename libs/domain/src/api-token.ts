/**
 * API tokens for scripts: `clp_<id>_<secret>`, id 16 hex characters (the lookup key), secret
 * 256 bits as 64 hex characters. Only sha256(secret) is stored; comparison is constant-time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ProjectRole } from './access';
import { DomainError } from './errors';

const TOKEN_RE = /^clp_([0-9a-f]{16})_([0-9a-f]{64})$/;

export interface ParsedToken {
  id: string;
  secret: string;
}

export function generateApiToken(): { id: string; secret: string; token: string; secretHash: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('hex');
  return { id, secret, token: `clp_${id}_${secret}`, secretHash: hashTokenSecret(secret) };
}

export function parseApiToken(token: string): ParsedToken | null {
  const m = TOKEN_RE.exec(token);
  // Both groups are required by the pattern, so a match always has them.
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function tokenSecretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashTokenSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A token never carries a role its owner does not hold in the token's project: why `requested`
 * goes beyond `ownerRoles` (the owner's roles there now), or null. Checked when a token is issued;
 * on every use `can` also narrows the token's roles to the owner's roles at that moment.
 */
export function tokenRolesProblem(requested: readonly ProjectRole[], ownerRoles: readonly ProjectRole[]): DomainError | null {
  const beyond = requested.filter((r) => !ownerRoles.includes(r));
  if (!beyond.length) return null;
  return new DomainError('BAD_USER_INPUT', `A token cannot carry roles its owner does not hold in this project: ${beyond.join(', ')}.`, {
    field: 'roles',
  });
}
