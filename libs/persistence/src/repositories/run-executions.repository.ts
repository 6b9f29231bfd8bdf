/**
 * Launched runs (issue 15): the only code that touches run_executions. The launch writes a row
 * with its run; the worker's submit records the scheduler's id and the run's token; the sync job
 * records what the scheduler says; a cancel request is a time that is set once.
 */
import { DataSource, EntityManager } from 'typeorm';
import type { ExecutorKind, ParameterValue } from '@caliper/domain';

export interface RunExecutionRow {
  runId: string;
  runUuid: string;
  runStatus: string;
  /** The run's last heartbeat (null: it never sent one, as MLflow's own client does not). */
  heartbeatAt: Date | null;
  projectId: string;
  templateVersionId: string;
  executor: ExecutorKind;
  values: Record<string, ParameterValue>;
  command: string[];
  externalId: string | null;
  tokenId: string | null;
  message: string;
  exitCode: number | null;
  logTail: string | null;
  launchedBy: string;
  launchedAt: Date;
  submittedAt: Date | null;
  syncedAt: Date | null;
  endedAt: Date | null;
  cancelRequestedAt: Date | null;
  /** Bytes of the job's output the sync has copied into the run's log stream. */
  logOffset: number;
}

/** A row of a project's training queue: the execution with what names it on the page. */
export interface QueueEntryRow extends RunExecutionRow {
  runName: string;
  experimentId: string;
  templateId: string;
  templateName: string;
  templateVersion: number;
  launchedByName: string;
}

const COLUMNS = `e.run_id::text AS "runId", r.uuid AS "runUuid", r.status AS "runStatus", r.heartbeat_at AS "heartbeatAt", e.project_id AS "projectId",
  e.template_version_id AS "templateVersionId", e.executor, e."values", e.command, e.external_id AS "externalId", e.token_id AS "tokenId",
  e.message, e.exit_code AS "exitCode", e.log_tail AS "logTail", e.launched_by AS "launchedBy", e.launched_at AS "launchedAt",
  e.submitted_at AS "submittedAt", e.synced_at AS "syncedAt", e.ended_at AS "endedAt", e.cancel_requested_at AS "cancelRequestedAt",
  e.log_offset::float8 AS "logOffset"`;
const FROM = `run_executions e JOIN runs r ON r.id = e.run_id`;
const QUEUE_COLUMNS = `${COLUMNS}, r.name AS "runName", r.experiment_id::text AS "experimentId", t.id AS "templateId", t.name AS "templateName",
  v.version AS "templateVersion", u.display_name AS "launchedByName"`;
const QUEUE_FROM = `${FROM} JOIN run_template_versions v ON v.id = e.template_version_id JOIN run_templates t ON t.id = v.template_id
  JOIN users u ON u.id = e.launched_by`;

/** Scheduler text kept on the row: at most this many characters of the message and of the log tail. */
export const EXECUTION_MESSAGE_MAX = 2000;
export const EXECUTION_LOG_TAIL_MAX = 20000;

export class RunExecutionsRepository {
  constructor(private readonly ds: DataSource) {}

  async create(
    m: EntityManager,
    e: {
      runId: string;
      projectId: string;
      templateVersionId: string;
      executor: ExecutorKind;
      values: Record<string, ParameterValue>;
      command: string[];
      launchedBy: string;
      /** A sweep's child; with `submitQueued` false it waits for a free slot (the sync queues its submit). */
      sweepId?: string | null;
      submitQueued?: boolean;
    },
  ): Promise<void> {
    const queued = e.submitQueued ?? true;
    await m.query(
      `INSERT INTO run_executions (run_id, project_id, template_version_id, executor, "values", command, launched_by, message, sweep_id, submit_queued_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::text[], $7, $8, $9, CASE WHEN $10 THEN now() END)`,
      [
        e.runId,
        e.projectId,
        e.templateVersionId,
        e.executor,
        JSON.stringify(e.values),
        e.command,
        e.launchedBy,
        queued
          ? 'waiting for the worker to submit it'
          : "waiting for a free slot in its sweep (at most maxConcurrent of the sweep's runs at once)",
        e.sweepId ?? null,
        queued,
      ],
    );
  }

  async createSweep(
    m: EntityManager,
    s: {
      projectId: string;
      templateVersionId: string;
      parentRunId: string;
      spec: unknown;
      maxConcurrent: number;
      runCount: number;
      createdBy: string;
    },
  ): Promise<string> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO run_sweeps (project_id, template_version_id, parent_run_id, spec, max_concurrent, run_count, created_by)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7) RETURNING id`,
      [s.projectId, s.templateVersionId, s.parentRunId, JSON.stringify(s.spec), s.maxConcurrent, s.runCount, s.createdBy],
    );
    return rows[0]!.id;
  }

  /** The sweep whose parent is this run (null: the run leads no sweep). */
  async sweepOfParent(m: EntityManager, parentRunId: string): Promise<{ id: string; projectId: string } | null> {
    const rows: { id: string; projectId: string }[] = await m.query(
      `SELECT id, project_id AS "projectId" FROM run_sweeps WHERE parent_run_id = $1`,
      [parentRunId],
    );
    return rows[0] ?? null;
  }

  /** A sweep's children not ended yet, locked. */
  async openChildren(m: EntityManager, sweepId: string): Promise<RunExecutionRow[]> {
    return m.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE e.sweep_id = $1 AND e.ended_at IS NULL ORDER BY e.run_id FOR UPDATE OF e, r`, [
      sweepId,
    ]);
  }

  /**
   * Sweeps with children waiting for a slot, each locked (another worker's sync skips it) with how
   * many slots are free now.
   */
  async sweepsWithWaiting(m: EntityManager): Promise<{ id: string; free: number }[]> {
    return m.query(
      `SELECT s.id, s.max_concurrent - (SELECT count(*)::int FROM run_executions o
           WHERE o.sweep_id = s.id AND o.submit_queued_at IS NOT NULL AND o.ended_at IS NULL) AS free
       FROM run_sweeps s
       WHERE EXISTS (SELECT 1 FROM run_executions w WHERE w.sweep_id = s.id AND w.submit_queued_at IS NULL AND w.ended_at IS NULL)
       ORDER BY s.created_at FOR UPDATE OF s SKIP LOCKED`,
    );
  }

  /** Marks the next `n` waiting children of a sweep as queued for submission; returns their run ids (uuid). */
  async takeWaiting(m: EntityManager, sweepId: string, n: number): Promise<string[]> {
    const rows: { uuid: string }[] = await m.query(
      `WITH next AS (SELECT run_id FROM run_executions WHERE sweep_id = $1 AND submit_queued_at IS NULL AND ended_at IS NULL
                     ORDER BY run_id LIMIT $2)
       UPDATE run_executions e SET submit_queued_at = now(), message = 'waiting for the worker to submit it'
       FROM next, runs r WHERE e.run_id = next.run_id AND r.id = e.run_id RETURNING r.uuid`,
      [sweepId, n],
    );
    return (Array.isArray(rows[0]) ? (rows[0] as unknown as { uuid: string }[]) : rows).map((r) => r.uuid);
  }

  /** Sweeps whose children all ended while the parent run has not: the parent, locked, with how its children ended. */
  async finishedSweeps(
    m: EntityManager,
  ): Promise<
    { sweepId: string; parentRunId: string; parentUuid: string; parentStatus: string; projectId: string; finished: number; total: number }[]
  > {
    return m.query(
      `SELECT s.id AS "sweepId", r.id::text AS "parentRunId", r.uuid AS "parentUuid", r.status AS "parentStatus", s.project_id AS "projectId",
         (SELECT count(*)::int FROM run_executions e JOIN runs c ON c.id = e.run_id WHERE e.sweep_id = s.id AND c.status = 'finished') AS finished,
         s.run_count AS total
       FROM run_sweeps s JOIN runs r ON r.id = s.parent_run_id
       WHERE r.status NOT IN ('finished', 'failed', 'killed', 'lost')
         AND NOT EXISTS (SELECT 1 FROM run_executions e WHERE e.sweep_id = s.id AND e.ended_at IS NULL)
       FOR UPDATE OF r SKIP LOCKED`,
    );
  }

  /** The execution of a run, locked with its run for the rest of the transaction (null: the run was not launched). */
  async lock(m: EntityManager, runUuid: string): Promise<RunExecutionRow | null> {
    const rows: RunExecutionRow[] = await m.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE r.uuid = $1 FOR UPDATE OF e, r`, [runUuid]);
    return rows[0] ?? null;
  }

  async ofRuns(runIds: readonly string[]): Promise<RunExecutionRow[]> {
    return this.ds.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE e.run_id = ANY($1::bigint[])`, [runIds]);
  }

  async ofRun(runUuid: string): Promise<RunExecutionRow | null> {
    const rows: RunExecutionRow[] = await this.ds.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE r.uuid = $1`, [runUuid]);
    return rows[0] ?? null;
  }

  /** Submitted executions not ended yet, oldest first: the sync job's work list. */
  async open(limit: number): Promise<RunExecutionRow[]> {
    return this.ds.query(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE e.ended_at IS NULL AND e.external_id IS NOT NULL ORDER BY e.synced_at NULLS FIRST, e.run_id LIMIT $1`,
      [limit],
    );
  }

  async recordSubmitted(m: EntityManager, runId: string, s: { externalId: string; tokenId: string; message: string }): Promise<void> {
    await m.query(
      `UPDATE run_executions SET external_id = $2, token_id = $3, message = left($4, ${EXECUTION_MESSAGE_MAX}), submitted_at = now(), synced_at = now()
       WHERE run_id = $1`,
      [runId, s.externalId, s.tokenId, s.message],
    );
  }

  async recordSync(
    m: EntityManager,
    runId: string,
    s: { message: string; exitCode: number | null; logTail: string | null; ended: boolean },
  ): Promise<void> {
    await m.query(
      `UPDATE run_executions SET message = left($2, ${EXECUTION_MESSAGE_MAX}), exit_code = $3,
         log_tail = CASE WHEN $4::text IS NULL THEN log_tail ELSE right($4, ${EXECUTION_LOG_TAIL_MAX}) END,
         synced_at = now(), ended_at = CASE WHEN $5 THEN COALESCE(ended_at, now()) ELSE ended_at END
       WHERE run_id = $1`,
      [runId, s.message, s.exitCode, s.logTail, s.ended],
    );
  }

  /**
   * Moves how much of the job's output was copied from `from` to `to`, only if it is still `from`
   * (so a sync that raced another one writes nothing twice); the caller writes the lines in the same
   * transaction when this says true.
   */
  async advanceLogOffset(m: EntityManager, runId: string, from: number, to: number): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `UPDATE run_executions SET log_offset = $3 WHERE run_id = $1 AND log_offset = $2 RETURNING run_id`,
      [runId, from, to],
    );
    return (Array.isArray(rows[0]) ? (rows[0] as unknown[]) : rows).length > 0;
  }

  /**
   * A project's executions not ended yet (queued, starting, running, or lost while still watched),
   * in launch order (the run's id: the launch creates the run, then its execution), after the run
   * whose id is `afterRunId`.
   */
  async queue(projectId: string, afterRunId: string | null, limit: number): Promise<QueueEntryRow[]> {
    return this.ds.query(
      `SELECT ${QUEUE_COLUMNS} FROM ${QUEUE_FROM}
       WHERE e.project_id = $1 AND e.ended_at IS NULL AND e.run_id > $2::bigint ORDER BY e.run_id LIMIT $3`,
      [projectId, afterRunId ?? '0', limit],
    );
  }

  async queueCount(projectId: string): Promise<number> {
    const rows: { n: number }[] = await this.ds.query(
      `SELECT count(*)::int AS n FROM run_executions WHERE project_id = $1 AND ended_at IS NULL`,
      [projectId],
    );
    return rows[0]!.n;
  }

  /** A project's executions that ended last, newest end first. */
  async recentlyEnded(projectId: string, limit: number): Promise<QueueEntryRow[]> {
    return this.ds.query(
      `SELECT ${QUEUE_COLUMNS} FROM ${QUEUE_FROM} WHERE e.project_id = $1 AND e.ended_at IS NOT NULL ORDER BY e.ended_at DESC, e.run_id DESC LIMIT $2`,
      [projectId, limit],
    );
  }

  /**
   * Running runs not launched from a template (or whose execution ended) that have sent heartbeats
   * but none for `timeoutSeconds`, locked (skipping rows another worker holds): the watchdog's list.
   */
  async staleRuns(
    m: EntityManager,
    timeoutSeconds: number,
    limit: number,
  ): Promise<{ id: string; uuid: string; projectId: string; heartbeatAt: Date }[]> {
    return m.query(
      `SELECT r.id::text AS id, r.uuid, r.project_id AS "projectId", r.heartbeat_at AS "heartbeatAt" FROM runs r
       WHERE r.status = 'running' AND r.heartbeat_at < now() - make_interval(secs => $1)
         AND NOT EXISTS (SELECT 1 FROM run_executions e WHERE e.run_id = r.id AND e.ended_at IS NULL)
       ORDER BY r.heartbeat_at LIMIT $2 FOR UPDATE OF r SKIP LOCKED`,
      [timeoutSeconds, limit],
    );
  }

  /** Sets the cancel request once; false when it was already set. */
  async requestCancel(m: EntityManager, runId: string, userId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `UPDATE run_executions SET cancel_requested_at = now(), cancel_requested_by = $2 WHERE run_id = $1 AND cancel_requested_at IS NULL RETURNING run_id`,
      [runId, userId],
    );
    return (Array.isArray(rows[0]) ? (rows[0] as unknown[]) : rows).length > 0;
  }
}
