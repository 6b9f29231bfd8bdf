/** Whether an API token still works, from what the list shows about it. */

export type TokenStatus = 'revoked' | 'expired' | 'active';

export function tokenStatus(token: { revokedAt: string | null; expiresAt: string }, now: Date = new Date()): TokenStatus {
  if (token.revokedAt) return 'revoked';
  if (new Date(token.expiresAt).getTime() <= now.getTime()) return 'expired';
  return 'active';
}
