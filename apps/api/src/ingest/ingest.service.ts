/**
 * The native API's use cases over TrackingService (the one write path): runs created by project
 * slug and experiment name, batches, logs, paged metric history, and run search with MLflow's
 * filter grammar. Run creation, batches and log appends honour an Idempotency-Key (see `once`).
 * Transport-free: controllers hand it parsed input.
 */
import type { Principal } from '@caliper/server-kit';
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { badInput, batchProblem, DomainError, KeyValue, MetricPointInput, notFound, RunStatus, TrackingError } from '@caliper/domain';
import {
  ExperimentEntity,
  IdempotencyRepository,
  ProjectsRepository,
  RunParamEntity,
  RunSearchRepository,
  RunTagEntity,
  StoredPoint,
  TrackingRepository,
} from '@caliper/persistence';
import { DEFAULT_EXPERIMENT_NAME, RunView, TrackingService } from '../tracking/tracking.service';
import { MetricHistoryService } from '../tracking/metric-history.service';
import { jsonNumber } from './native-input';
import { runJson } from './run-json';

/** Points read per query of an export. */
const EXPORT_PAGE = 50_000;

export interface CreateNativeRun {
  experiment: string | null;
  name: string | null;
  startTime: number | null;
  tags: KeyValue[];
  params: KeyValue[];
  gitCommit: string | null;
  gitRepo: string | null;
  imageDigest: string | null;
  parentRunId: string | null;
}

export interface NativeBatch {
  metrics: MetricPointInput[];
  params: KeyValue[];
  tags: KeyValue[];
}

/** A response, and whether it is the stored answer of an earlier request with the same Idempotency-Key. */
export interface Outcome<T> {
  statusCode: number;
  body: T;
  /** True when an earlier request with the same Idempotency-Key answered, and nothing was written. */
  replayed: boolean;
}

export type BatchOutcome = Outcome<{ metricsReceived: number; pointsWritten: number; params: number; tags: number }>;
export type RunOutcome = Outcome<{ run: ReturnType<typeof runJson> }>;

/** What the client retries with: its key, and a hash of what it sent under it. */
export interface IdempotencyClaim {
  key: string;
  requestHash: string;
}

export const MAX_HISTORY_PAGE = 100_000;

@Injectable()
export class IngestService {
  constructor(
    private readonly ds: DataSource,
    private readonly tracking: TrackingService,
    private readonly histories: MetricHistoryService,
    private readonly runs: TrackingRepository,
    private readonly projects: ProjectsRepository,
    private readonly search: RunSearchRepository,
    private readonly idempotency: IdempotencyRepository,
  ) {}

  async projectIdOf(slug: string): Promise<string> {
    const project = await this.projects.findBySlug(slug.toLowerCase());
    if (!project) throw notFound(`Project "${slug}"`);
    return project.id;
  }

  /**
   * Creates the run in the named experiment (made on first use, as mlflow.set_experiment does)
   * with its params, in one transaction; answers 201 with the run. With an Idempotency-Key, a
   * repeat gets that first answer back and creates nothing.
   */
  async createRun(principal: Principal, slug: string, cmd: CreateNativeRun, claim: IdempotencyClaim | null): Promise<RunOutcome> {
    const problem = batchProblem({ metrics: [], params: cmd.params, tags: cmd.tags });
    if (problem) throw new TrackingError('INVALID_PARAMETER', problem);
    const projectId = await this.projectIdOf(slug);
    // A repeat is answered before the experiment is looked up (it may have been deleted since);
    // `once` checks again under the key's lock.
    const earlier = claim ? await this.earlier<RunOutcome['body']>(this.ds.manager, principal, claim) : null;
    if (earlier) return earlier;
    const experiment = await this.experimentNamed(principal, projectId, cmd.experiment ?? DEFAULT_EXPERIMENT_NAME);
    return this.once(principal, claim, 201, async (m) => {
      const created = await this.tracking.createRun(
        principal,
        {
          experimentId: experiment.id,
          name: cmd.name,
          startTime: cmd.startTime,
          tags: cmd.tags,
          parentRunUuid: cmd.parentRunId,
          gitCommit: cmd.gitCommit,
          gitRepo: cmd.gitRepo,
          imageDigest: cmd.imageDigest,
        },
        m,
      );
      if (cmd.params.length)
        await this.tracking.logBatch(principal, created.uuid, { params: cmd.params }, { enforceMlflowLimits: false, manager: m });
      // Read inside the transaction, so the stored answer is the run as committed: a new run has no metrics or inputs yet.
      const run = (await this.runs.findRunByUuid(created.uuid, m))!;
      const params = await m.find(RunParamEntity, { where: { runId: run.id }, order: { key: 'ASC' } });
      const tags = await m.find(RunTagEntity, { where: { runId: run.id }, order: { key: 'ASC' } });
      const parents = new Map(run.parentRunId && cmd.parentRunId ? [[run.parentRunId, cmd.parentRunId]] : []);
      return { run: runJson({ run, experiment, params, tags, latestMetrics: [], inputs: [] }, parents) };
    });
  }

  private async experimentNamed(principal: Principal, projectId: string, name: string): Promise<ExperimentEntity> {
    const found = await this.runs.findExperimentByName(projectId, name);
    if (found) {
      if (found.lifecycleStage !== 'active')
        throw new TrackingError('INVALID_STATE', `Experiment "${name}" is deleted; restore it or log to another experiment.`);
      return found;
    }
    try {
      return await this.tracking.createExperiment(principal, projectId, name);
    } catch (err) {
      // Another client created it meanwhile.
      if (err instanceof TrackingError && err.code === 'ALREADY_EXISTS') return this.tracking.experimentByName(projectId, name);
      throw err;
    }
  }

  getRun(runUuid: string): Promise<RunView> {
    return this.tracking.getRun(runUuid);
  }

  async updateRun(
    principal: Principal,
    runUuid: string,
    changes: { status: RunStatus | null; endTime: number | null; name: string | null },
  ): Promise<RunView> {
    await this.tracking.updateRun(principal, runUuid, changes);
    return this.tracking.getRun(runUuid);
  }

  /**
   * Logs the batch in one transaction. With an Idempotency-Key, the first response is stored in
   * that same transaction; a repeat within 24 h gets it back and writes nothing, and the same key
   * with a different request is refused (422).
   */
  async logBatch(principal: Principal, runUuid: string, batch: NativeBatch, claim: IdempotencyClaim | null): Promise<BatchOutcome> {
    const log = async (manager?: EntityManager) => {
      const { pointsWritten } = await this.tracking.logBatch(principal, runUuid, batch, { enforceMlflowLimits: false, manager });
      return { metricsReceived: batch.metrics.length, pointsWritten, params: batch.params.length, tags: batch.tags.length };
    };
    if (!claim) return { statusCode: 200, body: await log(), replayed: false };
    // New metric names are created before the transaction (each needs its own connection).
    await this.tracking.prepareMetricKeys(batch.metrics);
    return this.once(principal, claim, 200, log);
  }

  async heartbeat(principal: Principal, runUuid: string): Promise<void> {
    await this.tracking.heartbeat(principal, runUuid);
  }

  /** Appends the lines (204); with an Idempotency-Key a repeat appends nothing. */
  async appendLogs(
    principal: Principal,
    runUuid: string,
    lines: { ts: Date; stream: string; line: string }[],
    claim: IdempotencyClaim | null,
  ): Promise<Outcome<null>> {
    if (!claim) {
      await this.tracking.appendLogs(principal, runUuid, lines);
      return { statusCode: 204, body: null, replayed: false };
    }
    return this.once(principal, claim, 204, async (m) => {
      await this.tracking.appendLogs(principal, runUuid, lines, m);
      return null;
    });
  }

  /**
   * Runs `work` in one transaction. With an Idempotency-Key (scoped to the user) the key is locked
   * for the transaction, so concurrent repeats run the work once; an earlier answer within 24 h is
   * returned instead of running it, and otherwise the answer is stored in the same transaction as
   * the write: a write never commits without its record, nor a record without its write.
   */
  private once<T>(
    principal: Principal,
    claim: IdempotencyClaim | null,
    statusCode: number,
    work: (m: EntityManager) => Promise<T>,
  ): Promise<Outcome<T>> {
    return this.ds.transaction(async (m) => {
      if (claim) {
        await this.idempotency.lock(m, principal.user.id, claim.key);
        const earlier = await this.earlier<T>(m, principal, claim);
        if (earlier) return earlier;
      }
      const body = await work(m);
      if (claim)
        await this.idempotency.save(m, principal.user.id, claim.key, { requestHash: claim.requestHash, statusCode, response: body });
      return { statusCode, body, replayed: false };
    });
  }

  /** The stored answer of the key, if it is younger than 24 h and was given to this same request; 422 if the request differs. */
  private async earlier<T>(m: EntityManager, principal: Principal, claim: IdempotencyClaim): Promise<Outcome<T> | null> {
    const earlier = await this.idempotency.find(m, principal.user.id, claim.key);
    if (!earlier) return null;
    if (earlier.requestHash !== claim.requestHash) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        `Idempotency-Key "${claim.key}" was already used in the last 24 hours for a different request; use a new key for new data.`,
      );
    }
    return { statusCode: earlier.statusCode, body: earlier.response as T, replayed: true };
  }

  async logs(runUuid: string, after: string | null, limit: number) {
    const run = await this.tracking.findRun(runUuid);
    const rows = await this.runs.logsOf(run.id, after, limit);
    return {
      lines: rows.map((l) => ({ id: l.id, ts: l.ts.toISOString(), stream: l.stream, line: l.line })),
      next: rows.length === limit ? (rows.at(-1)?.id ?? null) : null,
    };
  }

  /** One page of a metric's history in (step, timestamp, value) order; `next` is the cursor of the following page. */
  async history(runUuid: string, key: string, cursor: string | null, limit: number, format: 'points' | 'columns' = 'points') {
    // Pages reach 100,000 points: the database builds their JSON text, and the answer is assembled around it.
    const columns = format === 'columns';
    const page = await this.histories.metricHistoryJson(runUuid, key, {
      after: decodeHistoryCursor(cursor),
      limit,
      withKey: false,
      columns,
    });
    const next = page.more && page.last ? encodeHistoryCursor(page.last) : null;
    const body = columns ? page.items || '"steps":[],"timestamps":[],"values":[]' : `"points":[${page.items}]`;
    return `{"key":${JSON.stringify(key)},${body},"next":${JSON.stringify(next)}}`;
  }

  /** A series in (step, timestamp, value) order, EXPORT_PAGE points at a time: for full-resolution downloads. */
  async *seriesPages(runUuid: string, key: string): AsyncGenerator<StoredPoint[]> {
    let after: StoredPoint | null = null;
    for (;;) {
      const page = await this.histories.metricHistory(runUuid, key, { after, limit: EXPORT_PAGE });
      if (page.length) yield page;
      const last = page.at(-1);
      if (page.length < EXPORT_PAGE || last === undefined) return;
      after = last;
    }
  }

  /** MLflow's search over the project's runs (all its experiments, or the named one). */
  async searchRuns(
    slug: string,
    q: { experiment: string | null; filter: string | null; orderBy: string[]; maxResults: number | null; pageToken: string | null },
  ) {
    const projectId = await this.projectIdOf(slug);
    const experiments = q.experiment
      ? [await this.tracking.experimentByName(projectId, q.experiment)]
      : await this.runs.listExperiments([projectId], 'active');
    const page = await this.search.searchRuns({
      projectIds: [projectId],
      experimentIds: experiments.map((e) => e.id),
      filter: q.filter,
      orderBy: q.orderBy,
      maxResults: q.maxResults,
      pageToken: q.pageToken,
    });
    return { views: await this.tracking.views(page.runs), nextPageToken: page.nextPageToken };
  }

  /** Parent run ids (uuid) of the given views, by the parent's surrogate key. */
  async parentUuids(views: RunView[]): Promise<Map<string, string>> {
    const ids = [...new Set(views.map((v) => v.run.parentRunId).filter((id): id is string => id !== null))];
    return new Map((await this.runs.findRunsByIds(ids)).map((r) => [r.id, r.uuid]));
  }
}

/** Hash of what was sent under an Idempotency-Key: the route, its target (run id or project slug) and the body. */
export function requestHash(route: string, target: string, body: string | Buffer): string {
  return createHash('sha256').update(`${route}\n${target}\n`).update(body).digest('hex');
}

function encodeHistoryCursor(p: StoredPoint): string {
  return Buffer.from(JSON.stringify([p.step, p.timestamp, jsonNumber(p.value)])).toString('base64url');
}

function decodeHistoryCursor(cursor: string | null): StoredPoint | null {
  if (!cursor) return null;
  try {
    const [step, timestamp, value] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [number, number, number | string];
    const v = typeof value === 'string' ? Number(value) : value;
    if (Number.isInteger(step) && Number.isInteger(timestamp) && typeof v === 'number') return { step, timestamp, value: v };
  } catch {
    // falls through to the error below
  }
  throw badInput('after', 'is not a cursor this API returned; pass the `next` value of the previous page.');
}
