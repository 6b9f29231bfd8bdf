/**
 * The one write path for experiments and runs, shared by the MLflow-compatible API, the native
 * API, GraphQL and the SDK. Transports authorise the project (guard); this service enforces the
 * rules (write-once params, batch limits, run-scoped tokens, lifecycle) and audits lifecycle
 * changes in the same transaction — never metric points, heartbeats or log lines.
 */
import { actorOf, assertGranted, Principal } from '@caliper/server-kit';
import { Injectable } from '@nestjs/common';
import { generatedRunName } from './run-names';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { DATASET_VERSION_URI, linkDatasetInputs, sealedVersions } from './dataset-links';
import {
  batchProblem,
  KeyValue,
  keyProblem,
  MAX_TAG_VALUE_LENGTH,
  MetricPointInput,
  RunStatus,
  TERMINAL_STATUSES,
  notFound,
  TrackingError,
} from '@caliper/domain';
import {
  AuditRepository,
  ExperimentEntity,
  ExperimentTagEntity,
  LatestMetric,
  MetricsRepository,
  RunEntity,
  RunInputEntity,
  RunLogEntity,
  RunParamEntity,
  RunRef,
  RunTagEntity,
  TrackingRepository,
} from '@caliper/persistence';

export const DEFAULT_EXPERIMENT_NAME = 'Default';

export interface RunView {
  run: RunEntity;
  experiment: ExperimentEntity;
  params: RunParamEntity[];
  tags: RunTagEntity[];
  latestMetrics: LatestMetric[];
  inputs: RunInputEntity[];
}

export interface CreateRunCommand {
  experimentId: string;
  name?: string | null;
  startTime?: number | null;
  tags?: KeyValue[];
  status?: RunStatus;
  parentRunUuid?: string | null;
  gitCommit?: string | null;
  gitRepo?: string | null;
  imageDigest?: string | null;
}

const notFoundRun = (uuid: string) => new TrackingError('NOT_FOUND', `Run with id=${uuid} not found`);
const notFoundExperiment = (id: string) => new TrackingError('NOT_FOUND', `No Experiment with id=${id} exists`);
const runSnapshot = (r: RunEntity) => ({
  uuid: r.uuid,
  name: r.name,
  status: r.status,
  experimentId: r.experimentId,
  lifecycleStage: r.lifecycleStage,
  startTime: r.startTime,
  endTime: r.endTime,
});

/** Batches of at most this many points (and nothing else) for a resolved run take the one-statement path. */
const SMALL_BATCH_POINTS = 64;

@Injectable()
export class TrackingService {
  constructor(
    private readonly ds: DataSource,
    private readonly tracking: TrackingRepository,
    private readonly metrics: MetricsRepository,
    private readonly audit: AuditRepository,
  ) {}

  // Experiments

  /** `withNewProject`: the project's own Default experiment, made in the transaction that creates the project (no grant in it exists yet). */
  async createExperiment(
    principal: Principal | null,
    projectId: string,
    name: string,
    tags: KeyValue[] = [],
    manager?: EntityManager,
    opts: { withNewProject?: boolean } = {},
  ): Promise<ExperimentEntity> {
    if (!name || typeof name !== 'string')
      throw new TrackingError(
        'INVALID_PARAMETER',
        `Missing value for required parameter 'name'. See the API docs for more information about request parameters.`,
      );
    if (name.length > 500) throw new TrackingError('INVALID_PARAMETER', `Experiment name exceeds the maximum length of 500 characters`);
    for (const t of tags) {
      const problem = keyProblem('tag', t.key);
      if (problem) throw new TrackingError('INVALID_PARAMETER', problem);
    }
    if (principal && !opts.withNewProject) this.assertMayChangeExperiments(principal, projectId);
    const work = async (m: EntityManager) => {
      if (await this.tracking.findExperimentByName(projectId, name, m)) {
        throw new TrackingError('ALREADY_EXISTS', `Experiment '${name}' already exists.`);
      }
      const e = await this.tracking.createExperiment(m, {
        projectId,
        name,
        isDefault: name === DEFAULT_EXPERIMENT_NAME && !(await this.tracking.findDefaultExperiment(projectId, m)),
        now: Date.now(),
      });
      for (const t of tags) await this.tracking.setExperimentTag(m, e.id, t);
      await this.audit.append(m, {
        ...(principal ? actorOf(principal) : { actorId: null, actorLabel: 'system' }),
        action: 'experiment.created',
        entityType: 'experiment',
        entityId: e.id,
        projectId,
        after: { name },
      });
      return e;
    };
    try {
      return await (manager ? work(manager) : this.ds.transaction(work));
    } catch (err) {
      // Two clients creating the same name at once: the second meets the unique constraint, not the check above.
      if ((err as { driverError?: { constraint?: string } }).driverError?.constraint === 'UQ_experiments_project_name') {
        throw new TrackingError('ALREADY_EXISTS', `Experiment '${name}' already exists.`);
      }
      throw err;
    }
  }

  /** The project's Default experiment, created with the project (MLflow's experiment "0"). */
  async defaultExperiment(projectId: string): Promise<ExperimentEntity> {
    const e = await this.tracking.findDefaultExperiment(projectId);
    if (!e) throw new TrackingError('NOT_FOUND', `The project has no Default experiment.`);
    return e;
  }

  async getExperiment(id: string): Promise<ExperimentEntity> {
    const e = await this.tracking.findExperiment(id);
    if (!e) throw notFoundExperiment(id);
    return e;
  }

  async experimentByName(projectId: string, name: string): Promise<ExperimentEntity> {
    const e = await this.tracking.findExperimentByName(projectId, name);
    if (!e) throw new TrackingError('NOT_FOUND', `Could not find experiment with name '${name}'`);
    return e;
  }

  listExperiments(projectIds: readonly string[], lifecycle: 'active' | 'deleted' | 'all'): Promise<ExperimentEntity[]> {
    return this.tracking.listExperiments(projectIds, lifecycle);
  }

  /** A run's log lines after a line id (from the first when null), oldest first. */
  logsAfter(runInternalId: string, afterId: string | null, limit: number): Promise<RunLogEntity[]> {
    return this.tracking.logsOf(runInternalId, afterId, limit);
  }

  /** A run's last log lines before a line id (the end when null), oldest first. */
  logsBefore(runInternalId: string, beforeId: string | null, limit: number): Promise<RunLogEntity[]> {
    return this.tracking.logsBefore(runInternalId, beforeId, limit);
  }

  experimentTags(ids: readonly string[]): Promise<ExperimentTagEntity[]> {
    return this.tracking.experimentTags(ids);
  }

  async renameExperiment(principal: Principal, id: string, newName: string): Promise<ExperimentEntity> {
    return this.ds.transaction(async (m) => {
      const before = await this.tracking.findExperiment(id, m);
      if (!before) throw notFoundExperiment(id);
      this.assertMayChangeExperiments(principal, before.projectId);
      if (before.lifecycleStage !== 'active') throw new TrackingError('INVALID_STATE', `Cannot rename a non-active experiment.`);
      if (before.name === newName) return before;
      if (await this.tracking.findExperimentByName(before.projectId, newName, m))
        throw new TrackingError('ALREADY_EXISTS', `Experiment '${newName}' already exists.`);
      const after = await this.tracking.updateExperiment(m, id, { name: newName }, Date.now());
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'experiment.renamed',
        entityType: 'experiment',
        entityId: id,
        projectId: before.projectId,
        before: { name: before.name },
        after: { name: newName },
      });
      return after;
    });
  }

  async setExperimentLifecycle(principal: Principal, id: string, stage: 'active' | 'deleted'): Promise<ExperimentEntity> {
    return this.ds.transaction(async (m) => {
      const before = await this.tracking.findExperiment(id, m);
      if (!before) throw notFoundExperiment(id);
      this.assertMayChangeExperiments(principal, before.projectId);
      if (stage === 'deleted' && before.isDefault)
        throw new TrackingError('INVALID_STATE', `Cannot delete the project's Default experiment.`);
      if (before.lifecycleStage === stage) {
        throw new TrackingError(
          'INVALID_STATE',
          stage === 'deleted' ? `Cannot delete an already deleted experiment.` : `Cannot restore an active experiment.`,
        );
      }
      const now = Date.now();
      const after = await this.tracking.updateExperiment(m, id, { lifecycleStage: stage }, now);
      // MLflow's store deletes an experiment's runs with it, and restores every one of them with it.
      const runs = await this.tracking.setExperimentRunsLifecycle(m, id, stage, now);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: stage === 'deleted' ? 'experiment.deleted' : 'experiment.restored',
        entityType: 'experiment',
        entityId: id,
        projectId: before.projectId,
        before: { lifecycleStage: before.lifecycleStage },
        after: { lifecycleStage: stage, runs },
      });
      return after;
    });
  }

  async setExperimentTag(principal: Principal, id: string, tag: KeyValue): Promise<void> {
    const problem = keyProblem('tag', tag.key);
    if (problem) throw new TrackingError('INVALID_PARAMETER', problem);
    if (typeof tag.value !== 'string' || tag.value.length > MAX_TAG_VALUE_LENGTH)
      throw new TrackingError('INVALID_PARAMETER', `'value' exceeds the maximum length of ${MAX_TAG_VALUE_LENGTH} characters`);
    await this.ds.transaction(async (m) => {
      const e = await this.tracking.findExperiment(id, m);
      if (!e) throw notFoundExperiment(id);
      this.assertMayChangeExperiments(principal, e.projectId);
      if (e.lifecycleStage !== 'active')
        throw new TrackingError(
          'INVALID_STATE',
          `The experiment ${id} must be in the 'active' state. Current state is ${e.lifecycleStage}.`,
        );
      await this.tracking.setExperimentTag(m, id, tag);
    });
  }

  // Runs

  /** With `manager` it joins the caller's transaction (the native API stores its idempotency record in it). */
  async createRun(principal: Principal, cmd: CreateRunCommand, manager?: EntityManager): Promise<RunEntity> {
    if (principal.method === 'token' && principal.token.runId)
      throw new TrackingError('FORBIDDEN', `This API token is limited to run ${principal.token.runId} and cannot create runs.`);
    const tags = cmd.tags ?? [];
    const problem = batchProblem({ metrics: [], params: [], tags });
    if (problem) throw new TrackingError('INVALID_PARAMETER', problem);
    const work = async (m: EntityManager) => {
      const experiment = await this.tracking.findExperiment(cmd.experimentId, m);
      if (!experiment) throw notFoundExperiment(cmd.experimentId);
      assertGranted(principal, 'run.write', experiment.projectId);
      if (experiment.lifecycleStage !== 'active')
        throw new TrackingError(
          'INVALID_STATE',
          `The experiment ${experiment.id} must be in the 'active' state. Current state is ${experiment.lifecycleStage}.`,
        );
      let parentRunId: string | null = null;
      if (cmd.parentRunUuid) {
        const parent = await this.tracking.findRunByUuid(cmd.parentRunUuid, m);
        if (!parent || parent.projectId !== experiment.projectId) throw notFoundRun(cmd.parentRunUuid);
        parentRunId = parent.id;
      }
      const uuid = randomUUID().replace(/-/g, '');
      const nameTag = tags.find((t) => t.key === 'mlflow.runName')?.value;
      const name = cmd.name || nameTag || generatedRunName();
      const run = await this.tracking.createRun(m, {
        uuid,
        experimentId: experiment.id,
        projectId: experiment.projectId,
        name,
        status: cmd.status ?? 'running',
        startTime: cmd.startTime ?? Date.now(),
        endTime: null,
        userId: principal.user.id,
        artifactUri: `mlflow-artifacts:/${experiment.id}/${uuid}/artifacts`,
        parentRunId,
        gitCommit: cmd.gitCommit ?? null,
        gitRepo: cmd.gitRepo ?? null,
        imageDigest: cmd.imageDigest ?? null,
      });
      // MLflow keeps the run name as the mlflow.runName tag too.
      await this.tracking.upsertTags(m, run.id, [
        ...tags.filter((t) => t.key !== 'mlflow.runName'),
        { key: 'mlflow.runName', value: name },
      ]);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'run.created',
        entityType: 'run',
        entityId: uuid,
        projectId: run.projectId,
        after: runSnapshot(run),
      });
      return run;
    };
    return manager ? work(manager) : this.ds.transaction(work);
  }

  async findRun(uuid: string): Promise<RunEntity> {
    const run = await this.tracking.findRunByUuid(uuid);
    if (!run) throw notFoundRun(uuid);
    return run;
  }

  /**
   * The service's own check before a run is changed, whatever the transport: the run is in a
   * project the request was granted run.write in (and the token's project), and a token limited
   * to one run writes to that run only.
   */
  assertMayWrite(principal: Principal, run: RunRef): void {
    assertGranted(principal, 'run.write', run.projectId);
    if (principal.method === 'token' && principal.token.runId && principal.token.runId !== run.uuid) {
      throw new TrackingError('FORBIDDEN', `This API token is limited to run ${principal.token.runId}.`);
    }
  }

  /** Experiments are changed by callers granted run.write in their project, never by a token limited to one run. */
  private assertMayChangeExperiments(principal: Principal, projectId: string): void {
    assertGranted(principal, 'run.write', projectId);
    if (principal.method === 'token' && principal.token.runId) {
      throw new TrackingError(
        'FORBIDDEN',
        `This API token is limited to run ${principal.token.runId} and cannot create or change experiments.`,
      );
    }
  }

  private async lockedActiveRun(
    m: EntityManager,
    principal: Principal,
    uuid: string,
    mode: 'exclusive' | 'shared' = 'exclusive',
  ): Promise<RunEntity> {
    const run = await this.tracking.lockRun(m, uuid, mode);
    if (!run) throw notFoundRun(uuid);
    this.assertMayWrite(principal, run);
    if (run.lifecycleStage !== 'active')
      throw new TrackingError('INVALID_STATE', `The run ${uuid} must be in the 'active' state. Current state is ${run.lifecycleStage}.`);
    return run;
  }

  async updateRun(
    principal: Principal,
    uuid: string,
    changes: { status?: RunStatus | null; endTime?: number | null; name?: string | null },
  ): Promise<RunEntity> {
    return this.ds.transaction(async (m) => {
      const before = await this.lockedActiveRun(m, principal, uuid);
      const update: { status?: RunStatus; endTime?: number | null; name?: string } = {};
      if (changes.status && changes.status !== before.status) update.status = changes.status;
      if (changes.endTime != null) update.endTime = changes.endTime;
      else if (update.status && TERMINAL_STATUSES.has(update.status) && before.endTime === null) update.endTime = Date.now();
      if (changes.name && changes.name !== before.name) update.name = changes.name;
      const after = await this.tracking.updateRun(m, before.id, update);
      if (update.name) await this.tracking.upsertTags(m, before.id, [{ key: 'mlflow.runName', value: update.name }]);
      if (update.status || update.name) {
        await this.audit.append(m, {
          ...actorOf(principal),
          action: update.status ? `run.${update.status}` : 'run.renamed',
          entityType: 'run',
          entityId: uuid,
          projectId: after.projectId,
          before: runSnapshot(before),
          after: runSnapshot(after),
        });
      }
      return after;
    });
  }

  async setRunLifecycle(principal: Principal, uuid: string, stage: 'active' | 'deleted'): Promise<RunEntity> {
    return this.ds.transaction(async (m) => {
      const before = await this.tracking.lockRun(m, uuid);
      if (!before) throw notFoundRun(uuid);
      this.assertMayWrite(principal, before);
      if (before.lifecycleStage === stage) return before;
      const after = await this.tracking.updateRun(m, before.id, {
        lifecycleStage: stage,
        deletedTime: stage === 'deleted' ? Date.now() : null,
      });
      await this.audit.append(m, {
        ...actorOf(principal),
        action: stage === 'deleted' ? 'run.deleted' : 'run.restored',
        entityType: 'run',
        entityId: uuid,
        projectId: after.projectId,
        before: runSnapshot(before),
        after: runSnapshot(after),
      });
      return after;
    });
  }

  /**
   * Metrics, params and tags in one transaction; a retried batch writes nothing twice. With
   * `opts.manager` it joins the caller's transaction (the native API stores its idempotency record in it).
   */
  async logBatch(
    principal: Principal,
    target: string | RunRef,
    batch: { metrics?: MetricPointInput[]; params?: KeyValue[]; tags?: KeyValue[] },
    opts: { enforceMlflowLimits?: boolean; manager?: EntityManager } = {},
  ): Promise<{ pointsWritten: number }> {
    const uuid = typeof target === 'string' ? target : target.uuid;
    const metrics = batch.metrics ?? [];
    const params = batch.params ?? [];
    const tags = batch.tags ?? [];
    const problem =
      opts.enforceMlflowLimits === false ? this.nativeBatchProblem(metrics, params, tags) : batchProblem({ metrics, params, tags });
    if (problem) throw new TrackingError('INVALID_PARAMETER', problem);
    if (
      typeof target !== 'string' &&
      !opts.manager &&
      !params.length &&
      !tags.length &&
      metrics.length &&
      metrics.length <= SMALL_BATCH_POINTS
    ) {
      return { pointsWritten: await this.appendSmallBatch(principal, target, metrics) };
    }
    // Batches that only append points and set ordinary tags share the run lock, so a run's
    // concurrent senders write in parallel; params (write-once) and renames take it exclusively.
    const exclusive = params.length > 0 || tags.some((t) => t.key === 'mlflow.runName');
    // Before the transaction: creating a metric name takes a pool connection of its own, and a
    // transaction holding one while waiting for another can starve the pool under load.
    if (!opts.manager) await this.prepareMetricKeys(metrics);
    const work = async (m: EntityManager) => {
      const run = await this.lockedActiveRun(m, principal, uuid, exclusive ? 'exclusive' : 'shared');
      const conflicts = await this.tracking.insertParams(m, run.id, params);
      if (conflicts.length) {
        const logged = conflicts.map((c) => `Param(key='${c.key}', value='${c.old}')`).join(', ');
        const sent = conflicts.map((c) => `Param(key='${c.key}', value='${c.new}')`).join(', ');
        throw new TrackingError(
          'PARAM_CHANGED',
          `Changing param values is not allowed. Params were already logged='[${logged}]' for run ID='${uuid}'. Attempted logging new values '[${sent}]'.`,
        );
      }
      await this.tracking.upsertTags(m, run.id, tags);
      const nameTag = [...tags].reverse().find((t) => t.key === 'mlflow.runName');
      if (nameTag && nameTag.value !== run.name) await this.tracking.updateRun(m, run.id, { name: nameTag.value });
      const pointsWritten = await this.metrics.insertPoints(m, run.id, metrics);
      return { pointsWritten };
    };
    return opts.manager ? work(opts.manager) : this.ds.transaction(work);
  }

  /**
   * A few points for a run already resolved (MLflow's log_metric: one point a request): checked
   * in memory, then written in one statement that also checks the run is active. The general
   * path would open a transaction and a savepoint around a COPY for a single row.
   */
  private async appendSmallBatch(principal: Principal, run: RunRef, metrics: MetricPointInput[]): Promise<number> {
    this.assertMayWrite(principal, run);
    await this.prepareMetricKeys(metrics);
    const written = await this.metrics.appendToActiveRun(run.id, metrics);
    if (written !== null) return written;
    const current = await this.tracking.findRunByUuid(run.uuid);
    if (!current) throw notFoundRun(run.uuid);
    throw new TrackingError(
      'INVALID_STATE',
      `The run ${run.uuid} must be in the 'active' state. Current state is ${current.lifecycleStage}.`,
    );
  }

  /** Makes sure every metric name of the points has its key; call before opening a transaction that logs them. */
  async prepareMetricKeys(points: readonly MetricPointInput[]): Promise<void> {
    if (points.length) await this.metrics.keyIdsFor(points.map((p) => p.key));
  }

  /** Native batches may carry many more points than MLflow's 1000; names and values follow the same rules. */
  private nativeBatchProblem(metrics: MetricPointInput[], params: KeyValue[], tags: KeyValue[]): string | null {
    const problem = batchProblem({ metrics: [], params, tags });
    if (problem) return problem;
    const checked = new Set<string>();
    for (const p of metrics) {
      if (checked.has(p.key)) continue;
      const keyIssue = keyProblem('metric', p.key);
      if (keyIssue) return keyIssue;
      checked.add(p.key);
    }
    return null;
  }

  async deleteTag(principal: Principal, uuid: string, key: string): Promise<void> {
    await this.ds.transaction(async (m) => {
      const run = await this.lockedActiveRun(m, principal, uuid);
      if (!(await this.tracking.deleteTag(m, run.id, key)))
        throw new TrackingError('NOT_FOUND', `No tag with name: ${key} in run with id ${uuid}`);
    });
  }

  async logInputs(
    principal: Principal,
    uuid: string,
    inputs: { kind: 'dataset' | 'model'; name: string; digest: string; descriptor: Record<string, unknown> }[],
  ): Promise<number> {
    return this.ds.transaction(async (m) => {
      const run = await this.lockedActiveRun(m, principal, uuid);
      const links = await linkDatasetInputs(m, run.projectId, inputs);
      const added = await this.tracking.addInputs(
        m,
        run.id,
        inputs.map((i, n) => ({ ...i, datasetVersionId: links[n] ?? null })),
      );
      if (added)
        await this.audit.append(m, {
          ...actorOf(principal),
          action: 'run.inputs_logged',
          entityType: 'run',
          entityId: uuid,
          projectId: run.projectId,
          after: {
            inputs: inputs.map((i, n) => ({
              kind: i.kind,
              name: i.name,
              digest: i.digest,
              ...(links[n] ? { datasetVersionId: links[n] } : {}),
            })),
          },
        });
      return added;
    });
  }

  /**
   * Records that a run used a sealed dataset version of its project (the native API's way; MLflow
   * clients are linked by source or digest in logInputs). Logging it again is a no-op.
   */
  async logDatasetVersionInput(
    principal: Principal,
    uuid: string,
    versionId: string,
    context: string | null,
  ): Promise<{ added: boolean; name: string }> {
    return this.ds.transaction(async (m) => {
      const run = await this.lockedActiveRun(m, principal, uuid);
      const [v] = await sealedVersions(m, run.projectId, { ids: [versionId], digests: [] });
      if (!v) throw notFound(`Sealed dataset version ${versionId} of this run's project`);
      const name = `${v.datasetName} v${v.number}`;
      const descriptor: Record<string, unknown> = { source_type: 'caliper', source: `${DATASET_VERSION_URI}${v.id}` };
      if (context) descriptor.tags = [{ key: 'mlflow.data.context', value: context }];
      const added = await this.tracking.addInputs(m, run.id, [
        { kind: 'dataset', name, digest: v.manifestSha256, descriptor, datasetVersionId: v.id },
      ]);
      if (added)
        await this.audit.append(m, {
          ...actorOf(principal),
          action: 'run.inputs_logged',
          entityType: 'run',
          entityId: uuid,
          projectId: run.projectId,
          after: { inputs: [{ kind: 'dataset', name, digest: v.manifestSha256, datasetVersionId: v.id }] },
        });
      return { added: added > 0, name };
    });
  }

  async heartbeat(principal: Principal, uuid: string): Promise<void> {
    const run = await this.findRun(uuid);
    this.assertMayWrite(principal, run);
    await this.tracking.touchHeartbeat(run.id);
  }

  /** With `manager` the lines are written in the caller's transaction. */
  async appendLogs(
    principal: Principal,
    uuid: string,
    lines: { ts: Date; stream: string; line: string }[],
    manager?: EntityManager,
  ): Promise<void> {
    const run = await this.tracking.findRunByUuid(uuid, manager);
    if (!run) throw notFoundRun(uuid);
    this.assertMayWrite(principal, run);
    await this.tracking.appendLogs(run.id, lines, manager);
  }

  // Reads

  async getRun(uuid: string): Promise<RunView> {
    return (await this.getRuns([uuid]))[0] ?? Promise.reject(notFoundRun(uuid));
  }

  /** Full views of several runs with one query per table. */
  async getRuns(uuids: readonly string[]): Promise<RunView[]> {
    return this.views(await this.tracking.findRunsByUuids(uuids));
  }

  async views(runs: RunEntity[]): Promise<RunView[]> {
    const ids = runs.map((r) => r.id);
    const [experiments, params, tags, latest, inputs] = await Promise.all([
      this.tracking.findExperimentsByIds([...new Set(runs.map((r) => r.experimentId))]),
      this.tracking.paramsOf(ids),
      this.tracking.tagsOf(ids),
      this.metrics.latestOf(ids),
      this.tracking.inputsOf(ids),
    ]);
    const exp = new Map(experiments.map((e) => [e.id, e]));
    return runs.map((run) => ({
      run,
      experiment: exp.get(run.experimentId)!,
      params: params.filter((p) => p.runId === run.id),
      tags: tags.filter((t) => t.runId === run.id),
      latestMetrics: latest.filter((l) => l.runId === run.id),
      inputs: inputs.filter((i) => i.runId === run.id),
    }));
  }
}
