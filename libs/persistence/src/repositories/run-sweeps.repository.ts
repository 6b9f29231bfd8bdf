/**
 * Reading sweeps (issue 15, item 5) as the compare page groups them: for each of some runs, the
 * sweep it leads (its parent run) or belongs to (a child run's execution), with the sweep's active
 * child runs in launch order and the parameters its spec varies. Writing sweeps is the launch's
 * (RunExecutionsRepository.createSweep).
 */
import { DataSource } from 'typeorm';
import type { SweepMethod } from '@caliper/domain';

export interface RunSweepRow {
  /** The run asked about (internal id). */
  runId: string;
  id: string;
  projectId: string;
  method: SweepMethod;
  parentUuid: string;
  /** The parent run's name: the sweep's name. */
  parentName: string;
  /** The parameters the spec's dimensions name, in the spec's order. */
  sweptParameters: string[];
  runCount: number;
  maxConcurrent: number;
  /** The sweep's active child runs (uuids), in launch order. */
  runUuids: string[];
}

export class RunSweepsRepository {
  constructor(private readonly ds: DataSource) {}

  /** The sweep of each run (internal ids) that leads or belongs to one; runs of no sweep are left out. */
  async ofRuns(runIds: readonly string[]): Promise<RunSweepRow[]> {
    if (!runIds.length) return [];
    return this.ds.query(
      `WITH asked AS (SELECT DISTINCT unnest($1::bigint[]) AS run_id),
            hit AS (
              SELECT a.run_id, s.id AS sweep_id FROM asked a JOIN run_sweeps s ON s.parent_run_id = a.run_id
              UNION
              SELECT a.run_id, e.sweep_id FROM asked a JOIN run_executions e ON e.run_id = a.run_id WHERE e.sweep_id IS NOT NULL)
       SELECT h.run_id::text AS "runId", s.id, s.project_id AS "projectId", s.spec->>'method' AS method,
              p.uuid AS "parentUuid", p.name AS "parentName",
              COALESCE((SELECT array_agg(d->>'name' ORDER BY o) FROM jsonb_array_elements(s.spec->'dimensions') WITH ORDINALITY AS x(d, o)),
                       '{}') AS "sweptParameters",
              s.run_count AS "runCount", s.max_concurrent AS "maxConcurrent",
              COALESCE((SELECT array_agg(r.uuid ORDER BY r.id) FROM run_executions c JOIN runs r ON r.id = c.run_id
                        WHERE c.sweep_id = s.id AND r.lifecycle_stage = 'active'), '{}') AS "runUuids"
       FROM hit h JOIN run_sweeps s ON s.id = h.sweep_id JOIN runs p ON p.id = s.parent_run_id`,
      [runIds],
    );
  }
}
