/**
 * The upload ledger: a row is written as 'pending' before an object upload starts and marked
 * 'complete' after it, so an upload that never finished (client gone, process killed) leaves a
 * pending row that the hourly sweep finds, removing its object and then the row.
 */
import { DataSource, EntityManager } from 'typeorm';
import { singleRow } from './single-row';

export interface PendingUpload {
  id: string;
  bucket: string;
  objectKey: string;
}

export class UploadsRepository {
  constructor(private readonly ds: DataSource) {}

  /** Records an upload about to start; returns the ledger id. */
  async begin(manager: EntityManager, bucket: string, objectKey: string): Promise<string> {
    const rows: { id: string }[] = await manager.query(`INSERT INTO uploads (bucket, object_key) VALUES ($1, $2) RETURNING id`, [
      bucket,
      objectKey,
    ]);
    return singleRow(rows, 'the upload ledger insert').id;
  }

  /** Marks a pending upload complete; false when no pending row exists (already swept or completed). */
  async complete(manager: EntityManager, id: string, result: { size: number; sha256: string }): Promise<boolean> {
    const rows: [unknown[], number] = await manager.query(
      `UPDATE uploads SET status = 'complete', size = $2, sha256 = $3, completed_at = now() WHERE id = $1 AND status = 'pending'`,
      [id, result.size, result.sha256],
    );
    return rows[1] === 1;
  }

  /**
   * Sweeps up to `limit` pending uploads started more than `olderThanSeconds` ago (database
   * clock): for each, `removeObject` deletes what was stored, then the row is deleted. Rows are
   * locked while their objects go, so a concurrent completion waits and then finds no row, and
   * two sweepers never take the same row. If a removal fails, no row of the batch is deleted
   * and the next sweep retries (removal is idempotent). Returns the uploads swept.
   */
  async sweepOrphans(
    olderThanSeconds: number,
    limit: number,
    removeObject: (upload: PendingUpload) => Promise<void>,
  ): Promise<PendingUpload[]> {
    return this.ds.transaction(async (manager) => {
      const rows: { id: string; bucket: string; object_key: string }[] = await manager.query(
        `SELECT id, bucket, object_key FROM uploads
         WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1)
         ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [olderThanSeconds, limit],
      );
      const uploads = rows.map((r) => ({ id: r.id, bucket: r.bucket, objectKey: r.object_key }));
      for (const upload of uploads) await removeObject(upload);
      if (uploads.length) await manager.query(`DELETE FROM uploads WHERE id = ANY($1::uuid[])`, [uploads.map((u) => u.id)]);
      return uploads;
    });
  }
}
