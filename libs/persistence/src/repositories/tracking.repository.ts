/** Experiments, runs, params, tags, inputs and logs: the only code that touches those tables. */
import { DataSource, EntityManager, In } from 'typeorm';
import { KeyValue, numericValueOf, RunStatus } from '@caliper/domain';
import {
  ExperimentEntity,
  ExperimentTagEntity,
  RunEntity,
  RunInputEntity,
  RunLogEntity,
  RunParamEntity,
  RunTagEntity,
} from '../entities/tracking.entity';

/** The fields of a run that never change once it exists. */
export type RunRef = Pick<RunEntity, 'id' | 'uuid' | 'projectId' | 'experimentId'>;

/** Run identities kept per process (a few MB at this size); the oldest are forgotten first. */
const RUN_REFS_KEPT = 100_000;

export class TrackingRepository {
  private readonly refs = new Map<string, RunRef>();

  constructor(private readonly ds: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.ds.manager;
  }

  // Experiments

  async createExperiment(
    manager: EntityManager,
    e: { projectId: string; name: string; isDefault?: boolean; now: number },
  ): Promise<ExperimentEntity> {
    const saved = await manager.save(
      manager.create(ExperimentEntity, {
        projectId: e.projectId,
        name: e.name,
        isDefault: e.isDefault ?? false,
        artifactLocation: '',
        lifecycleStage: 'active',
        creationTime: e.now,
        lastUpdateTime: e.now,
      }),
    );
    saved.artifactLocation = `mlflow-artifacts:/${saved.id}`;
    await manager.update(ExperimentEntity, { id: saved.id }, { artifactLocation: saved.artifactLocation });
    return saved;
  }

  findExperiment(id: string, manager?: EntityManager): Promise<ExperimentEntity | null> {
    return /^\d{1,18}$/.test(id) ? this.m(manager).findOneBy(ExperimentEntity, { id }) : Promise.resolve(null);
  }

  findExperimentsByIds(ids: readonly string[]): Promise<ExperimentEntity[]> {
    const valid = ids.filter((id) => /^\d{1,18}$/.test(id));
    return valid.length ? this.ds.manager.findBy(ExperimentEntity, { id: In(valid) }) : Promise.resolve([]);
  }

  findExperimentByName(projectId: string, name: string, manager?: EntityManager): Promise<ExperimentEntity | null> {
    return this.m(manager).findOneBy(ExperimentEntity, { projectId, name });
  }

  findDefaultExperiment(projectId: string, manager?: EntityManager): Promise<ExperimentEntity | null> {
    return this.m(manager).findOneBy(ExperimentEntity, { projectId, isDefault: true });
  }

  listExperiments(projectIds: readonly string[], lifecycle: 'active' | 'deleted' | 'all'): Promise<ExperimentEntity[]> {
    if (!projectIds.length) return Promise.resolve([]);
    return this.ds.manager.find(ExperimentEntity, {
      where: { projectId: In([...projectIds]), ...(lifecycle === 'all' ? {} : { lifecycleStage: lifecycle }) },
      order: { id: 'ASC' },
    });
  }

  async updateExperiment(
    manager: EntityManager,
    id: string,
    changes: Partial<Pick<ExperimentEntity, 'name' | 'lifecycleStage'>>,
    now: number,
  ): Promise<ExperimentEntity> {
    await manager.update(ExperimentEntity, { id }, { ...changes, lastUpdateTime: now });
    return manager.findOneByOrFail(ExperimentEntity, { id });
  }

  async setExperimentTag(manager: EntityManager, experimentId: string, tag: KeyValue): Promise<void> {
    await manager.upsert(ExperimentTagEntity, { experimentId, key: tag.key, value: tag.value }, ['experimentId', 'key']);
  }

  experimentTags(experimentIds: readonly string[]): Promise<ExperimentTagEntity[]> {
    return experimentIds.length
      ? this.ds.manager.find(ExperimentTagEntity, { where: { experimentId: In([...experimentIds]) }, order: { key: 'ASC' } })
      : Promise.resolve([]);
  }

  // Runs

  async createRun(
    manager: EntityManager,
    r: Omit<
      RunEntity,
      'id' | 'createdAt' | 'experiment' | 'project' | 'user' | 'parent' | 'deletedTime' | 'lifecycleStage' | 'heartbeatAt'
    >,
  ): Promise<RunEntity> {
    return manager.save(manager.create(RunEntity, { ...r, lifecycleStage: 'active', deletedTime: null, heartbeatAt: null }));
  }

  findRunByUuid(uuid: string, manager?: EntityManager): Promise<RunEntity | null> {
    return /^[0-9a-f]{32}$/.test(uuid) ? this.m(manager).findOneBy(RunEntity, { uuid }) : Promise.resolve(null);
  }

  /**
   * What identifies runs and never changes (id, uuid, project, experiment: runs are never moved
   * or removed), for the guard's look-up of the run a request names. Kept per process after the
   * first read, so the hot path (MLflow log_metric) does not read the run row again on every call;
   * anything that can change (status, lifecycle) is read, or checked in SQL, where it is used.
   */
  async runRefs(uuids: readonly string[]): Promise<RunRef[]> {
    const valid = uuids.filter((u) => /^[0-9a-f]{32}$/.test(u));
    const missing = valid.filter((u) => !this.refs.has(u));
    if (missing.length) {
      const rows: { id: string; uuid: string; project_id: string; experiment_id: string }[] = await this.ds.query(
        `SELECT id::text AS id, uuid, project_id, experiment_id::text AS experiment_id FROM runs WHERE uuid = ANY($1::text[])`,
        [missing],
      );
      for (const r of rows) {
        if (this.refs.size >= RUN_REFS_KEPT) this.refs.delete(this.refs.keys().next().value as string);
        this.refs.set(r.uuid, { id: r.id, uuid: r.uuid, projectId: r.project_id, experimentId: r.experiment_id });
      }
    }
    return valid.flatMap((u) => this.refs.get(u) ?? []);
  }

  findRunsByUuids(uuids: readonly string[]): Promise<RunEntity[]> {
    const valid = uuids.filter((u) => /^[0-9a-f]{32}$/.test(u));
    return valid.length ? this.ds.manager.findBy(RunEntity, { uuid: In(valid) }) : Promise.resolve([]);
  }

  /**
   * Locks the run row for the rest of the transaction. `exclusive` serialises writers that change
   * the run or its write-once params; `shared` lets concurrent metric batches of one run proceed
   * together while still excluding a concurrent delete or param write.
   */
  lockRun(manager: EntityManager, uuid: string, mode: 'exclusive' | 'shared' = 'exclusive'): Promise<RunEntity | null> {
    return manager
      .getRepository(RunEntity)
      .createQueryBuilder('r')
      .setLock(mode === 'exclusive' ? 'pessimistic_write' : 'pessimistic_read')
      .where('r.uuid = :uuid', { uuid })
      .getOne();
  }

  async updateRun(
    manager: EntityManager,
    id: string,
    changes: Partial<{
      status: RunStatus;
      endTime: number | null;
      name: string;
      lifecycleStage: 'active' | 'deleted';
      deletedTime: number | null;
    }>,
  ): Promise<RunEntity> {
    if (Object.keys(changes).length) await manager.update(RunEntity, { id }, changes);
    return manager.findOneByOrFail(RunEntity, { id });
  }

  /**
   * Moves every run of an experiment to a lifecycle stage, as MLflow's store does when the
   * experiment is deleted or restored; returns the uuids of the runs that changed. Rows are
   * locked in id order, so it queues behind (never deadlocks with) writers holding a run lock.
   */
  async setExperimentRunsLifecycle(
    manager: EntityManager,
    experimentId: string,
    stage: 'active' | 'deleted',
    now: number,
  ): Promise<string[]> {
    const rows: { uuid: string }[] = await manager.query(
      // Wrapped in a SELECT: TypeORM answers a bare UPDATE … RETURNING as [rows, count].
      `WITH target AS (SELECT id FROM runs WHERE experiment_id = $1 AND lifecycle_stage <> $2 ORDER BY id FOR UPDATE),
       changed AS (UPDATE runs r SET lifecycle_stage = $2, deleted_time = CASE WHEN $2 = 'deleted' THEN $3::bigint ELSE NULL END
         FROM target WHERE r.id = target.id RETURNING r.uuid)
       SELECT uuid FROM changed`,
      [experimentId, stage, now],
    );
    return rows.map((r) => r.uuid).sort();
  }

  async touchHeartbeat(id: string): Promise<void> {
    await this.ds.query(`UPDATE runs SET heartbeat_at = now() WHERE id = $1`, [id]);
  }

  /** Runs of the experiments, newest first (MLflow's default order: start_time DESC, run_id). */
  listRuns(experimentIds: readonly string[], lifecycle: 'active' | 'deleted' | 'all', limit: number, offset = 0): Promise<RunEntity[]> {
    if (!experimentIds.length) return Promise.resolve([]);
    return this.ds.manager.find(RunEntity, {
      where: { experimentId: In([...experimentIds]), ...(lifecycle === 'all' ? {} : { lifecycleStage: lifecycle }) },
      order: { startTime: { direction: 'DESC', nulls: 'LAST' }, uuid: 'ASC' },
      take: limit,
      skip: offset,
    });
  }

  findRunsByIds(ids: readonly string[]): Promise<RunEntity[]> {
    const valid = ids.filter((id) => /^\d{1,18}$/.test(id));
    return valid.length ? this.ds.manager.findBy(RunEntity, { id: In(valid) }) : Promise.resolve([]);
  }

  /**
   * One page of an experiment's active runs in listRuns' order (start_time DESC NULLS LAST,
   * uuid), after the given run: keyset paging, so runs started meanwhile never shift a page.
   */
  listRunsPage(experimentId: string, after: { startTime: number | null; uuid: string } | null, limit: number): Promise<RunEntity[]> {
    const qb = this.ds.manager
      .createQueryBuilder(RunEntity, 'r')
      .where('r.experiment_id = :experimentId', { experimentId })
      .andWhere(`r.lifecycle_stage = 'active'`);
    if (after && after.startTime !== null) {
      qb.andWhere('(r.start_time < :st OR r.start_time IS NULL OR (r.start_time = :st AND r.uuid > :uuid))', {
        st: after.startTime,
        uuid: after.uuid,
      });
    } else if (after) {
      qb.andWhere('r.start_time IS NULL AND r.uuid > :uuid', { uuid: after.uuid });
    }
    return qb.orderBy('r.startTime', 'DESC', 'NULLS LAST').addOrderBy('r.uuid', 'ASC').limit(limit).getMany();
  }

  /** Active runs per experiment. */
  async countRuns(experimentIds: readonly string[]): Promise<Map<string, number>> {
    if (!experimentIds.length) return new Map();
    const rows: { experiment_id: string; n: string }[] = await this.ds.query(
      `SELECT experiment_id, count(*)::text AS n FROM runs WHERE experiment_id = ANY($1::bigint[]) AND lifecycle_stage = 'active' GROUP BY experiment_id`,
      [experimentIds],
    );
    return new Map(rows.map((r) => [String(r.experiment_id), Number(r.n)]));
  }

  // Params (write-once) and tags (last write wins)

  /**
   * Inserts params that are new; returns those whose key already holds a different value
   * (the caller refuses the batch). Call inside the transaction that locked the run.
   */
  async insertParams(
    manager: EntityManager,
    runId: string,
    params: readonly KeyValue[],
  ): Promise<{ key: string; old: string; new: string }[]> {
    if (!params.length) return [];
    const existing = await manager.findBy(RunParamEntity, { runId, key: In(params.map((p) => p.key)) });
    const byKey = new Map(existing.map((p) => [p.key, p.value]));
    const conflicts = params
      .filter((p) => byKey.has(p.key) && byKey.get(p.key) !== p.value)
      .map((p) => ({ key: p.key, old: byKey.get(p.key)!, new: p.value }));
    if (conflicts.length) return conflicts;
    const fresh = params.filter((p) => !byKey.has(p.key));
    if (fresh.length)
      await manager.insert(
        RunParamEntity,
        fresh.map((p) => ({ runId, key: p.key, value: p.value, valueNum: numericValueOf(p.value) })),
      );
    return [];
  }

  async upsertTags(manager: EntityManager, runId: string, tags: readonly KeyValue[]): Promise<void> {
    // Last write wins, also within one batch; rows in key order so concurrent batches lock them in the same order.
    const last = new Map(tags.map((t) => [t.key, t.value]));
    const rows = [...last].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => ({ runId, key, value }));
    if (rows.length) await manager.upsert(RunTagEntity, rows, ['runId', 'key']);
  }

  async deleteTag(manager: EntityManager, runId: string, key: string): Promise<boolean> {
    return ((await manager.delete(RunTagEntity, { runId, key })).affected ?? 0) > 0;
  }

  paramsOf(runIds: readonly string[]): Promise<RunParamEntity[]> {
    return runIds.length
      ? this.ds.manager.find(RunParamEntity, { where: { runId: In([...runIds]) }, order: { key: 'ASC' } })
      : Promise.resolve([]);
  }

  tagsOf(runIds: readonly string[]): Promise<RunTagEntity[]> {
    return runIds.length
      ? this.ds.manager.find(RunTagEntity, { where: { runId: In([...runIds]) }, order: { key: 'ASC' } })
      : Promise.resolve([]);
  }

  // Inputs and logs

  async addInputs(
    manager: EntityManager,
    runId: string,
    inputs: {
      kind: 'dataset' | 'model';
      name: string;
      digest: string;
      descriptor: Record<string, unknown>;
      datasetVersionId?: string | null;
    }[],
  ): Promise<number> {
    if (!inputs.length) return 0;
    const rows: unknown[] = await manager.query(
      `INSERT INTO run_inputs (run_id, kind, name, digest, descriptor, dataset_version_id)
       SELECT $1, kind, name, digest, descriptor, dataset_version_id
         FROM unnest($2::text[], $3::text[], $4::text[], $5::jsonb[], $6::uuid[]) AS t(kind, name, digest, descriptor, dataset_version_id)
       ON CONFLICT ON CONSTRAINT "UQ_run_inputs_identity" DO NOTHING RETURNING id`,
      [
        runId,
        inputs.map((i) => i.kind),
        inputs.map((i) => i.name),
        inputs.map((i) => i.digest),
        inputs.map((i) => JSON.stringify(i.descriptor)),
        inputs.map((i) => i.datasetVersionId ?? null),
      ],
    );
    return rows.length;
  }

  inputsOf(runIds: readonly string[]): Promise<RunInputEntity[]> {
    return runIds.length
      ? this.ds.manager.find(RunInputEntity, { where: { runId: In([...runIds]) }, order: { id: 'ASC' } })
      : Promise.resolve([]);
  }

  async appendLogs(runId: string, lines: { ts: Date; stream: string; line: string }[], manager?: EntityManager): Promise<void> {
    if (lines.length)
      await this.m(manager).insert(
        RunLogEntity,
        lines.map((l) => ({ runId, ...l })),
      );
  }

  /** The last `limit` lines before the given line (the end of the log when null), oldest first. */
  async logsBefore(runId: string, beforeId: string | null, limit: number): Promise<RunLogEntity[]> {
    const qb = this.ds.manager.createQueryBuilder(RunLogEntity, 'l').where('l.run_id = :runId', { runId });
    if (beforeId) qb.andWhere('l.id < :beforeId', { beforeId });
    return (await qb.orderBy('l.id', 'DESC').limit(limit).getMany()).reverse();
  }

  logsOf(runId: string, afterId: string | null, limit: number): Promise<RunLogEntity[]> {
    const qb = this.ds.manager.createQueryBuilder(RunLogEntity, 'l').where('l.run_id = :runId', { runId });
    if (afterId) qb.andWhere('l.id > :afterId', { afterId });
    return qb.orderBy('l.id', 'ASC').limit(limit).getMany();
  }
}
