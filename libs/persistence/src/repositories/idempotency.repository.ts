/**
 * Responses of requests sent with an Idempotency-Key, per user, kept for 24 hours: a repeat
 * returns the stored response instead of running again. Callers hold `lock` for the key inside
 * the transaction that does the work, so two concurrent repeats run it once.
 */
import { EntityManager } from 'typeorm';

export const IDEMPOTENCY_WINDOW_HOURS = 24;

export interface IdempotentResponse {
  requestHash: string;
  statusCode: number;
  response: unknown;
}

export class IdempotencyRepository {
  /** Serialises requests with the same (user, key) until the transaction ends. */
  async lock(manager: EntityManager, userId: string, key: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`idempotency:${userId}:${key}`]);
  }

  /** The stored response of (user, key) if it is younger than the window. */
  async find(manager: EntityManager, userId: string, key: string): Promise<IdempotentResponse | null> {
    const rows: { request_hash: string; status_code: number; response: unknown }[] = await manager.query(
      `SELECT request_hash, status_code, response FROM idempotency_records
       WHERE user_id = $1 AND key = $2 AND created_at > now() - make_interval(hours => $3)`,
      [userId, key, IDEMPOTENCY_WINDOW_HOURS],
    );
    return rows[0] ? { requestHash: rows[0].request_hash, statusCode: rows[0].status_code, response: rows[0].response } : null;
  }

  /** Deletes records older than the window (they can no longer answer a retry); returns how many. */
  async purgeExpired(manager: EntityManager): Promise<number> {
    const [, deleted] = (await manager.query(`DELETE FROM idempotency_records WHERE created_at <= now() - make_interval(hours => $1)`, [
      IDEMPOTENCY_WINDOW_HOURS,
    ])) as [unknown, number];
    return deleted;
  }

  /** Stores the response, replacing an expired record of the same key. */
  async save(manager: EntityManager, userId: string, key: string, r: IdempotentResponse): Promise<void> {
    await manager.query(
      `INSERT INTO idempotency_records (user_id, key, request_hash, status_code, response) VALUES ($1, $2, $3, $4, $5::jsonb)
       ON CONFLICT (user_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, status_code = EXCLUDED.status_code,
         response = EXCLUDED.response, created_at = now()`,
      [userId, key, r.requestHash, r.statusCode, JSON.stringify(r.response)],
    );
  }
}
