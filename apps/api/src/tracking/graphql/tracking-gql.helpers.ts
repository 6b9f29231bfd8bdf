/** What the tracking resolvers share: page sizes and cursors, field errors, locators and the entity → GraphQL mappings. */
import { Args, Int } from '@nestjs/graphql';
import { badInput, DomainError, notFound, toMlflowStatus, TrackingError } from '@caliper/domain';
import { GraphQLError } from 'graphql';
import { type ExperimentEntity, type ProjectEntity, type RunLogEntity } from '@caliper/persistence';
import { ProjectLocator } from '../../auth/locators';
import { ProjectGql } from '../../projects/project.types';
import { RunsTableService } from '../runs-table.service';
import { RunView } from '../tracking.service';
import {
  ExperimentGql,
  KeyValueGql,
  LatestMetricGql,
  MlflowRunStatusGql,
  NonFiniteMarker,
  RunConnectionGql,
  RunGql,
  RunStatusGql,
} from './tracking.types';

export const MAX_RUNS_PAGE = 200;
export const MAX_HISTORY_PAGE = 25000;
export const MAX_LOG_PAGE = 2000;
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An experiment or run that does not exist and one of a project the caller cannot read get the
 * same NOT_FOUND, so answers reveal nothing about other projects' ids.
 */
export const projectOfExperiment: ProjectLocator = async (args, loaders, _principal, resolved) => {
  resolved.notFound = () => notFound(`Experiment ${String(args.id)}`);
  const experiment = typeof args.id === 'string' ? await loaders.experiment.load(args.id) : null;
  if (!experiment) throw resolved.notFound();
  return experiment.projectId;
};
export const projectOfRun: ProjectLocator = async (args, loaders, _principal, resolved) => {
  resolved.notFound = () => notFound(`Run ${String(args.runId)}`);
  const run = typeof args.runId === 'string' ? await loaders.run.load(args.runId) : null;
  if (!run) throw resolved.notFound();
  return run.projectId;
};

/** Splits a metric value into what Float can carry and the marker for what it cannot. */
export function floatParts(v: number): { value: number | null; nonFinite: NonFiniteMarker | null } {
  if (Number.isFinite(v)) return { value: v, nonFinite: null };
  return { value: null, nonFinite: Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity' };
}
export const markerValue = (m: string): number =>
  m === 'NaN' ? NaN : m === 'Infinity' ? Infinity : m === '-Infinity' ? -Infinity : Number(m);
export const valueText = (v: number): string => (Number.isNaN(v) ? 'NaN' : String(v));

/**
 * Field resolvers run outside Nest's exception filters, so their errors are shaped here the way
 * DomainErrorFilter shapes root-field errors (extensions.code, and the argument at fault).
 */
export async function fieldErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof DomainError)
      throw new GraphQLError(e.message, { extensions: { code: e.code, ...(e.details.field ? { field: e.details.field } : {}) } });
    if (e instanceof TrackingError && e.code === 'NOT_FOUND') throw new GraphQLError(e.message, { extensions: { code: 'NOT_FOUND' } });
    throw e;
  }
}

export const logCursor = (cursor: string | null, arg: string): string | null => {
  if (cursor != null && !/^[1-9][0-9]{0,17}$/.test(cursor))
    throw badInput(arg, 'must be a cursor from a log page (endCursor or earlierCursor)');
  return cursor ?? null;
};
export const toLogLine = (l: RunLogEntity) => ({ id: l.id, time: l.ts, stream: l.stream, line: l.line });

/** Opaque cursors: base64url JSON, checked on the way back in. */
export const encodeCursor = (parts: unknown[]): string => Buffer.from(JSON.stringify(parts)).toString('base64url');
export function decodeCursor(cursor: string, arg: string, valid: (parts: unknown[]) => boolean): unknown[] {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parts = null;
  }
  if (!Array.isArray(parts) || !valid(parts)) throw badInput(arg, 'must be a cursor from pageInfo.endCursor');
  return parts;
}

export function pageSize(first: number | null, arg: string, fallback: number, max: number): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) throw badInput(arg, `must be between 1 and ${max}`);
  return n;
}

/**
 * One page of the runs table over the given experiments: MLflow's filter grammar, any order
 * (metric, param, tag or attribute; NULLS LAST, ties by run id), keyset cursors and the total.
 */
export async function runsConnection(
  table: RunsTableService,
  projectId: string,
  experimentIds: string[],
  args: { first: number | null; after: string | null; filter: string | null; orderBy: string[] | null },
): Promise<RunConnectionGql> {
  const limit = pageSize(args.first, 'first', 50, MAX_RUNS_PAGE);
  const page = await table.page({ projectId, experimentIds, filter: args.filter, orderBy: args.orderBy, first: limit, after: args.after });
  const edges = page.runs.map((v, i) => {
    const cursor = page.cursors[i];
    if (cursor === undefined) throw new Error(`The runs table answered no cursor for run ${v.run.uuid}; it answers one per run.`);
    return { cursor, node: toRunGql(v) };
  });
  return {
    edges,
    totalCount: page.totalCount,
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

export const toProjectGql = (p: ProjectEntity): ProjectGql => ({
  id: p.id,
  slug: p.slug,
  name: p.name,
  description: p.description,
  createdAt: p.createdAt,
  archivedAt: p.archivedAt,
});

export function toExperimentGql(e: ExperimentEntity): ExperimentGql {
  return {
    projectId: e.projectId,
    id: e.id,
    name: e.name,
    lifecycleStage: e.lifecycleStage,
    isDefault: e.isDefault,
    artifactLocation: e.artifactLocation,
    createdAt: new Date(e.creationTime),
    lastUpdatedAt: new Date(e.lastUpdateTime),
  };
}

export function toRunGql(view: RunView): RunGql {
  const r = view.run;
  const kv = (rows: { key: string; value: string }[]): KeyValueGql[] => rows.map((p) => ({ key: p.key, value: p.value }));
  return {
    internalId: r.id,
    experimentId: r.experimentId,
    projectId: r.projectId,
    userId: r.userId,
    parentInternalId: r.parentRunId,
    runId: r.uuid,
    name: r.name,
    status: r.status as RunStatusGql,
    mlflowStatus: toMlflowStatus(r.status) as MlflowRunStatusGql,
    lifecycleStage: r.lifecycleStage,
    startTime: r.startTime === null ? null : new Date(r.startTime),
    endTime: r.endTime === null ? null : new Date(r.endTime),
    durationMs: r.startTime !== null && r.endTime !== null ? r.endTime - r.startTime : null,
    artifactUri: r.artifactUri,
    gitCommit: r.gitCommit,
    gitRepo: r.gitRepo,
    imageDigest: r.imageDigest,
    heartbeatAt: r.heartbeatAt,
    params: kv(view.params),
    tags: kv(view.tags),
    latestMetrics: view.latestMetrics.map((m): LatestMetricGql => ({
      projectId: r.projectId,
      key: m.key,
      step: m.step,
      timestamp: m.timestamp,
      ...floatParts(m.value),
      min: m.min,
      max: m.max,
    })),
    inputs: view.inputs.map((i) => ({
      kind: i.kind,
      name: i.name,
      digest: i.digest,
      datasetVersionId: i.datasetVersionId,
      descriptor: i.descriptor,
      createdAt: i.createdAt,
    })),
  };
}

/** The runs table's paging, filter and order arguments, the same on every connection of runs. */
export const RunsFirstArg = () => Args('first', { type: () => Int, nullable: true, defaultValue: 50 });
export const RunsAfterArg = () => Args('after', { type: () => String, nullable: true });
export const RunsFilterArg = () =>
  Args('filter', {
    type: () => String,
    nullable: true,
    description: "MLflow's search_runs filter, e.g. metrics.loss < 0.5 and params.lr = '0.01'",
  });
export const RunsOrderByArg = () =>
  Args('orderBy', {
    type: () => [String],
    nullable: true,
    description:
      'e.g. ["metrics.loss ASC"]; also attributes.duration, and best.<metric key>: the best value, best first by the metric\'s direction in the project. NULLS last, ties by run id',
  });
