/**
 * A version's lineage beyond its parent: the versions built on it, the runs whose inputs link it
 * (run_inputs.dataset_version_id, set only for sealed versions of the run's own project) and the
 * model versions registered from those runs. Every read takes many versions at once, so a list of
 * versions costs one query per kind, not one per version. Runs and models are read within the
 * version's project only, and deleted runs, models and model versions are left out.
 */
import { DataSource } from 'typeorm';
import { DatasetVersionEntity } from './dataset.entities';

export const MAX_CHILDREN_LISTED = 100;

export interface VersionRunRow {
  versionId: string;
  /** runs.id: the page's order (newest first) and cursor. */
  internalId: string;
  runUuid: string;
  name: string;
  status: string;
  startTime: number | null;
  experimentId: string;
  experimentName: string;
  userId: string | null;
  userDisplayName: string | null;
}

export interface VersionModelRow {
  versionId: string;
  modelVersionId: string;
  modelName: string;
  version: number;
  stage: string;
  status: string;
  runUuid: string;
  runName: string;
  createdAt: number;
}

/** The active runs that use a version, in the version's project. */
const RUNS_USING = `
  FROM run_inputs i
  JOIN runs r ON r.id = i.run_id AND r.lifecycle_stage = 'active'
  JOIN dataset_versions dv ON dv.id = i.dataset_version_id
  JOIN datasets d ON d.id = dv.dataset_id AND d.project_id = r.project_id`;

export class DatasetLineageRepository {
  constructor(private readonly ds: DataSource) {}

  /** Up to MAX_CHILDREN_LISTED versions built on each version, oldest first. */
  async children(versionIds: readonly string[]): Promise<Map<string, DatasetVersionEntity[]>> {
    const byParent = new Map<string, DatasetVersionEntity[]>(versionIds.map((id) => [id, []]));
    if (!versionIds.length) return byParent;
    const rows = await this.ds
      .getRepository(DatasetVersionEntity)
      .createQueryBuilder('v')
      .where(
        `v.id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY parent_id ORDER BY created_at, id) AS n
                    FROM dataset_versions WHERE parent_id = ANY(:ids)) c WHERE c.n <= :max)`,
        { ids: versionIds, max: MAX_CHILDREN_LISTED },
      )
      .orderBy('v.created_at', 'ASC')
      .addOrderBy('v.id', 'ASC')
      .getMany();
    for (const v of rows) byParent.get(v.parentId!)?.push(v);
    return byParent;
  }

  /**
   * Per version, the first `limit` runs using it, newest first (by run id), after the run with
   * internal id `before` when given. A run that logged the version twice (two contexts) is listed once.
   */
  async runsUsing(versionIds: readonly string[], limit: number, before: string | null): Promise<VersionRunRow[]> {
    if (!versionIds.length) return [];
    return this.ds.query(
      `SELECT v.id AS "versionId", r.id::text AS "internalId", r.uuid AS "runUuid", r.name, r.status,
              r.start_time::float8 AS "startTime", e.id::text AS "experimentId", e.name AS "experimentName",
              r.user_id AS "userId", u.display_name AS "userDisplayName"
         FROM unnest($1::uuid[]) AS v(id)
        CROSS JOIN LATERAL (
          SELECT DISTINCT i.run_id ${RUNS_USING}
           WHERE i.dataset_version_id = v.id AND ($2::bigint IS NULL OR i.run_id < $2::bigint)
           ORDER BY i.run_id DESC
           LIMIT $3
        ) used
         JOIN runs r ON r.id = used.run_id
         JOIN experiments e ON e.id = r.experiment_id
         LEFT JOIN users u ON u.id = r.user_id
        ORDER BY v.id, r.id DESC`,
      [versionIds, before, limit],
    );
  }

  /** How many runs use each version (all pages). */
  async runCounts(versionIds: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>(versionIds.map((id) => [id, 0]));
    if (!versionIds.length) return counts;
    const rows: { versionId: string; n: number }[] = await this.ds.query(
      `SELECT i.dataset_version_id AS "versionId", count(DISTINCT i.run_id)::int AS n ${RUNS_USING}
        WHERE i.dataset_version_id = ANY($1::uuid[])
        GROUP BY i.dataset_version_id`,
      [versionIds],
    );
    for (const r of rows) counts.set(r.versionId, r.n);
    return counts;
  }

  /** Per version, the newest `limit` model versions registered from a run that used it. */
  async modelsTrainedFrom(versionIds: readonly string[], limit: number): Promise<VersionModelRow[]> {
    if (!versionIds.length) return [];
    return this.ds.query(
      `SELECT v.id AS "versionId", m.*
         FROM unnest($1::uuid[]) AS v(id)
        CROSS JOIN LATERAL (
          SELECT mv.id AS "modelVersionId", rm.name AS "modelName", mv.version, mv.current_stage AS stage, mv.status,
                 r.uuid AS "runUuid", r.name AS "runName", mv.creation_time::float8 AS "createdAt"
            FROM model_versions mv
            JOIN registered_models rm ON rm.id = mv.registered_model_id AND rm.deleted_time IS NULL
            JOIN runs r ON r.id = mv.run_id
           WHERE mv.deleted_time IS NULL
             AND mv.run_id IN (SELECT i.run_id ${RUNS_USING} WHERE i.dataset_version_id = v.id)
             AND rm.project_id = (SELECT d.project_id FROM dataset_versions dv JOIN datasets d ON d.id = dv.dataset_id WHERE dv.id = v.id)
           ORDER BY mv.creation_time DESC, mv.id DESC
           LIMIT $2
        ) m
        ORDER BY v.id, m."createdAt" DESC, m."modelVersionId" DESC`,
      [versionIds, limit],
    );
  }
}
