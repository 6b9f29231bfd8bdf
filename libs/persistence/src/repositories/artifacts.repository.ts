/**
 * The artifacts map: (run, path) → an opaque write-once object (bucket, key, size, sha256).
 * Objects are written before their row; the row is the only thing that makes an object an
 * artifact, so a failed upload leaves no row. An object a re-upload or delete unmapped may be
 * removed once no row maps it and no model version pins it (RegistryRepository.pinnedObjectKeys).
 */
import { DataSource, EntityManager } from 'typeorm';
import { ArtifactEntity } from '../entities/tracking.entity';

export type ArtifactRecord = Omit<ArtifactEntity, 'run' | 'createdAt'>;

export class ArtifactsRepository {
  constructor(private readonly ds: DataSource) {}

  find(runId: string, path: string): Promise<ArtifactEntity | null> {
    return this.ds.manager.findOneBy(ArtifactEntity, { runId, path });
  }

  /** Every artifact of the run whose path starts with `prefix` ('' for all), in path order. */
  listUnder(runId: string, prefix: string): Promise<ArtifactEntity[]> {
    return this.ds.manager
      .createQueryBuilder(ArtifactEntity, 'a')
      .where('a.run_id = :runId', { runId })
      .andWhere('starts_with(a.path, :prefix)', { prefix })
      .orderBy('a.path', 'ASC')
      .getMany();
  }

  /**
   * Points (run, path) at a new object; returns the mapping it replaced, if any. Call inside the
   * transaction that completes the upload, so the row and the ledger move together.
   */
  async map(manager: EntityManager, a: ArtifactRecord): Promise<ArtifactEntity | null> {
    const previous = await manager
      .getRepository(ArtifactEntity)
      .createQueryBuilder('a')
      .setLock('pessimistic_write')
      .where('a.run_id = :runId AND a.path = :path', { runId: a.runId, path: a.path })
      .getOne();
    await manager.query(
      `INSERT INTO artifacts (run_id, path, bucket, object_key, size, sha256, content_type) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (run_id, path) DO UPDATE SET bucket = EXCLUDED.bucket, object_key = EXCLUDED.object_key, size = EXCLUDED.size,
         sha256 = EXCLUDED.sha256, content_type = EXCLUDED.content_type, created_at = now()`,
      [a.runId, a.path, a.bucket, a.objectKey, a.size, a.sha256, a.contentType],
    );
    return previous;
  }

  /**
   * Which of these objects a path of the run still maps. Uploads name objects after their run
   * (`runs/<run uuid>/…`), so only that run's rows can map them; run_id keeps the query on the primary key.
   */
  async mappedObjectKeys(runId: string, bucket: string, objectKeys: readonly string[]): Promise<Set<string>> {
    if (!objectKeys.length) return new Set();
    const rows: { object_key: string }[] = await this.ds.query(
      `SELECT DISTINCT object_key FROM artifacts WHERE run_id = $1 AND bucket = $2 AND object_key = ANY($3::text[])`,
      [runId, bucket, [...objectKeys]],
    );
    return new Set(rows.map((r) => r.object_key));
  }

  /** Removes the mapping of `path` and of everything under `path/` (MLflow deletes directories too); returns what it removed. */
  async unmapUnder(manager: EntityManager, runId: string, path: string): Promise<ArtifactEntity[]> {
    // TypeORM answers a DELETE … RETURNING with [rows, affected count].
    const [rows]: [Record<string, unknown>[], number] = await manager.query(
      `DELETE FROM artifacts WHERE run_id = $1 AND (path = $2 OR starts_with(path, $3)) RETURNING run_id, path, bucket, object_key, size, sha256, content_type`,
      [runId, path, path === '' ? '' : `${path}/`],
    );
    return rows.map((r) =>
      Object.assign(new ArtifactEntity(), {
        runId: String(r.run_id),
        path: String(r.path),
        bucket: String(r.bucket),
        objectKey: String(r.object_key),
        size: Number(r.size),
        sha256: String(r.sha256),
        contentType: (r.content_type as string | null) ?? null,
      }),
    );
  }
}
