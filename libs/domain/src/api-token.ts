/**
 * API tokens for scripts: `clp_<id>_<secret>`, id 16 hex characters (the lookup key), secret
 * 256 bits as 64 hex characters. Only sha256(secret) is stored; comparison is constant-time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

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
  return m ? { id: m[1], secret: m[2] } : null;
}

export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function tokenSecretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashTokenSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
