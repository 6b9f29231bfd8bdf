/**
 * Experiments, runs and metrics for the web app. Reads go through TrackingService and the
 * per-request loaders; the one write is the caller's default project. Every root field needs
 * project.read in the project of the experiment or run it names (located with the loaders).
 */
import { SIGNED_IN } from '@caliper/server-kit';
import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { badInput, DomainError, notFound, toMlflowStatus, TrackingError } from '@caliper/domain';
import { GraphQLError } from 'graphql';
import { type ExperimentEntity, type ProjectEntity, type RunLogEntity } from '@caliper/persistence';
import { ProjectLocator, Requires } from '../../auth/locators';
import { GqlContext, principalOf } from '../../graphql/context';
import { ProjectGql } from '../../projects/project.types';
import { MeGql, UserGql } from '../../users/user.types';
import { toUserGql } from '../../users/users.resolver';
import { RunsTableService } from '../runs-table.service';
import { RunView, TrackingService } from '../tracking.service';
import { DefaultProjectService } from './default-project.service';
import {
  ExperimentGql,
  KeyValueGql,
  LatestMetricGql,
  MetricHistoryGql,
  MlflowRunStatusGql,
  NonFiniteMarker,
  RunColumnKeysGql,
  RunConnectionGql,
  RunGql,
  RunGroupsGql,
  RunLogPageGql,
  RunStatusGql,
} from './tracking.types';

const MAX_RUNS_PAGE = 200;
const MAX_HISTORY_PAGE = 25000;
const MAX_LOG_PAGE = 2000;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An experiment or run that does not exist and one of a project the caller cannot read get the
 * same NOT_FOUND, so answers reveal nothing about other projects' ids.
 */
const projectOfExperiment: ProjectLocator = async (args, loaders, _principal, resolved) => {
  resolved.notFound = () => notFound(`Experiment ${String(args.id)}`);
  const experiment = typeof args.id === 'string' ? await loaders.experiment.load(args.id) : null;
  if (!experiment) throw resolved.notFound();
  return experiment.projectId;
};
const projectOfRun: ProjectLocator = async (args, loaders, _principal, resolved) => {
  resolved.notFound = () => notFound(`Run ${String(args.runId)}`);
  const run = typeof args.runId === 'string' ? await loaders.run.load(args.runId) : null;
  if (!run) throw resolved.notFound();
  return run.projectId;
};

/** Splits a metric value into what Float can carry and the marker for what it cannot. */
function floatParts(v: number): { value: number | null; nonFinite: NonFiniteMarker | null } {
  if (Number.isFinite(v)) return { value: v, nonFinite: null };
  return { value: null, nonFinite: Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity' };
}
const markerValue = (m: string): number => (m === 'NaN' ? NaN : m === 'Infinity' ? Infinity : m === '-Infinity' ? -Infinity : Number(m));
const valueText = (v: number): string => (Number.isNaN(v) ? 'NaN' : String(v));

/**
 * Field resolvers run outside Nest's exception filters, so their errors are shaped here the way
 * DomainErrorFilter shapes root-field errors (extensions.code, and the argument at fault).
 */
async function fieldErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof DomainError)
      throw new GraphQLError(e.message, { extensions: { code: e.code, ...(e.details.field ? { field: e.details.field } : {}) } });
    if (e instanceof TrackingError && e.code === 'NOT_FOUND') throw new GraphQLError(e.message, { extensions: { code: 'NOT_FOUND' } });
    throw e;
  }
}

const logCursor = (cursor: string | null, arg: string): string | null => {
  if (cursor != null && !/^[1-9][0-9]{0,17}$/.test(cursor))
    throw badInput(arg, 'must be a cursor from a log page (endCursor or earlierCursor)');
  return cursor ?? null;
};
const toLogLine = (l: RunLogEntity) => ({ id: l.id, time: l.ts, stream: l.stream, line: l.line });

/** Opaque cursors: base64url JSON, checked on the way back in. */
const encodeCursor = (parts: unknown[]): string => Buffer.from(JSON.stringify(parts)).toString('base64url');
function decodeCursor(cursor: string, arg: string, valid: (parts: unknown[]) => boolean): unknown[] {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parts = null;
  }
  if (!Array.isArray(parts) || !valid(parts)) throw badInput(arg, 'must be a cursor from pageInfo.endCursor');
  return parts;
}

function pageSize(first: number | null, arg: string, fallback: number, max: number): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) throw badInput(arg, `must be between 1 and ${max}`);
  return n;
}

/**
 * One page of the runs table over the given experiments: MLflow's filter grammar, any order
 * (metric, param, tag or attribute; NULLS LAST, ties by run id), keyset cursors and the total.
 */
async function runsConnection(
  table: RunsTableService,
  projectId: string,
  experimentIds: string[],
  args: { first: number | null; after: string | null; filter: string | null; orderBy: string[] | null },
): Promise<RunConnectionGql> {
  const limit = pageSize(args.first, 'first', 50, MAX_RUNS_PAGE);
  const page = await table.page({ projectId, experimentIds, filter: args.filter, orderBy: args.orderBy, first: limit, after: args.after });
  const edges = page.runs.map((v, i) => ({ cursor: page.cursors[i], node: toRunGql(v) }));
  return {
    edges,
    totalCount: page.totalCount,
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
  };
}

const toProjectGql = (p: ProjectEntity): ProjectGql => ({
  id: p.id,
  slug: p.slug,
  name: p.name,
  description: p.description,
  createdAt: p.createdAt,
  archivedAt: p.archivedAt,
});

function toExperimentGql(e: ExperimentEntity): ExperimentGql {
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
      key: m.key,
      step: m.step,
      timestamp: m.timestamp,
      ...floatParts(m.value),
    })),
    inputs: view.inputs.map((i) => ({ kind: i.kind, name: i.name, digest: i.digest, descriptor: i.descriptor, createdAt: i.createdAt })),
  };
}

@Resolver()
export class TrackingQueriesResolver {
  constructor(
    private readonly tracking: TrackingService,
    private readonly defaults: DefaultProjectService,
  ) {}

  @Query(() => ExperimentGql, { description: 'An experiment by its MLflow experiment_id' })
  @Requires('project.read', projectOfExperiment)
  async experiment(@Args('id', { type: () => ID }) id: string): Promise<ExperimentGql> {
    return toExperimentGql(await this.tracking.getExperiment(id));
  }

  @Query(() => RunGql, { description: 'A run by its MLflow run_id (32 hex characters)' })
  @Requires('project.read', projectOfRun)
  async run(@Args('runId') runId: string): Promise<RunGql> {
    return toRunGql(await this.tracking.getRun(runId));
  }

  @Mutation(() => ProjectGql, {
    description: 'Makes a project you are a member of your default: MLflow clients signed in with Basic auth log there',
  })
  @Requires(SIGNED_IN)
  async setDefaultProject(@Args('projectId', { type: () => ID }) projectId: string, @Context() ctx: GqlContext): Promise<ProjectGql> {
    if (!UUID_RE.test(projectId)) throw badInput('projectId', 'must be a project id (a UUID)');
    return toProjectGql(await this.defaults.set(principalOf(ctx), projectId));
  }
}

@Resolver(() => ProjectGql)
export class ProjectTrackingResolver {
  constructor(
    private readonly tracking: TrackingService,
    private readonly table: RunsTableService,
  ) {}

  @ResolveField('runs', () => RunConnectionGql, {
    description:
      "Active runs of the project's active experiments: filter in MLflow's grammar, order by any column (default: newest first), keyset paging",
  })
  async projectRuns(
    @Parent() p: ProjectGql,
    @Context() ctx: GqlContext,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Args('filter', {
      type: () => String,
      nullable: true,
      description: "MLflow's search_runs filter, e.g. metrics.loss < 0.5 and params.lr = '0.01'",
    })
    filter: string | null,
    @Args('orderBy', {
      type: () => [String],
      nullable: true,
      description: 'e.g. ["metrics.loss ASC"]; also attributes.duration. NULLS last, ties by run id',
    })
    orderBy: string[] | null,
  ): Promise<RunConnectionGql> {
    return fieldErrors(async () => {
      const experiments = (await ctx.loaders.projectExperiments.load(p.id)).filter((e) => e.lifecycleStage === 'active');
      return runsConnection(
        this.table,
        p.id,
        experiments.map((e) => e.id),
        { first, after, filter, orderBy },
      );
    });
  }

  @ResolveField('runGroups', () => RunGroupsGql, {
    description:
      "How many of the project's active runs matching the filter hold each value of a param or tag (`by`: params.<key> or tags.<key>)",
  })
  async projectRunGroups(
    @Parent() p: ProjectGql,
    @Context() ctx: GqlContext,
    @Args('by', { type: () => String }) by: string,
    @Args('filter', { type: () => String, nullable: true }) filter: string | null,
  ): Promise<RunGroupsGql> {
    return fieldErrors(async () => {
      const experiments = (await ctx.loaders.projectExperiments.load(p.id)).filter((e) => e.lifecycleStage === 'active');
      return this.table.groups({ projectId: p.id, experimentIds: experiments.map((e) => e.id), filter, by });
    });
  }

  @ResolveField('runKeys', () => RunColumnKeysGql, {
    description: "Param, metric and tag keys of the project's active runs (column chooser, filter autocomplete)",
  })
  async projectRunKeys(@Parent() p: ProjectGql, @Context() ctx: GqlContext): Promise<RunColumnKeysGql> {
    const experiments = (await ctx.loaders.projectExperiments.load(p.id)).filter((e) => e.lifecycleStage === 'active');
    return this.table.columnKeys(
      p.id,
      experiments.map((e) => e.id),
    );
  }

  @ResolveField('experiments', () => [ExperimentGql], {
    description: 'Active experiments, oldest first (the Default experiment comes first)',
  })
  async projectExperiments(@Parent() p: ProjectGql, @Context() ctx: GqlContext): Promise<ExperimentGql[]> {
    return (await ctx.loaders.projectExperiments.load(p.id)).map(toExperimentGql);
  }

  @ResolveField('isMyDefault', () => Boolean, {
    description: "Whether this is the caller's default project (where their MLflow clients with Basic auth log)",
  })
  async projectIsMyDefault(@Parent() p: ProjectGql, @Context() ctx: GqlContext): Promise<boolean> {
    return (await ctx.loaders.user.load(principalOf(ctx).user.id))?.defaultProjectId === p.id;
  }
}

@Resolver(() => MeGql)
export class MeTrackingResolver {
  @ResolveField('defaultProject', () => ProjectGql, {
    nullable: true,
    description: 'Where MLflow clients signed in with Basic auth log a bare experiment name',
  })
  async meDefaultProject(@Context() ctx: GqlContext): Promise<ProjectGql | null> {
    const principal = principalOf(ctx);
    const user = await ctx.loaders.user.load(principal.user.id);
    if (!user?.defaultProjectId) return null;
    // A default left over from a membership that has since ended names a project the user may no longer read.
    const stillMember = (await ctx.loaders.myRoles.load(user.defaultProjectId)).length > 0;
    if (!stillMember && principal.user.globalRole === null) return null;
    const p = await ctx.loaders.project.load(user.defaultProjectId);
    return p ? toProjectGql(p) : null;
  }
}

@Resolver(() => ExperimentGql)
export class ExperimentResolver {
  constructor(
    private readonly tracking: TrackingService,
    private readonly table: RunsTableService,
  ) {}

  @ResolveField('project', () => ProjectGql)
  async experimentProject(@Parent() e: ExperimentGql, @Context() ctx: GqlContext): Promise<ProjectGql> {
    return fieldErrors(async () => {
      const p = await ctx.loaders.project.load(e.projectId);
      if (!p) throw notFound(`Project ${e.projectId}`);
      return toProjectGql(p);
    });
  }

  @ResolveField('runCount', () => Int, { description: 'Active runs' })
  async experimentRunCount(@Parent() e: ExperimentGql, @Context() ctx: GqlContext): Promise<number> {
    return ctx.loaders.experimentRunCount.load(e.id);
  }

  @ResolveField('tags', () => [KeyValueGql])
  async experimentTagList(@Parent() e: ExperimentGql, @Context() ctx: GqlContext): Promise<KeyValueGql[]> {
    return (await ctx.loaders.experimentTags.load(e.id)).map((t) => ({ key: t.key, value: t.value }));
  }

  @ResolveField('runs', () => RunConnectionGql, {
    description: "Active runs: filter in MLflow's grammar, order by any column (default: newest first, then run id), keyset paging",
  })
  async experimentRuns(
    @Parent() e: ExperimentGql,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Args('filter', {
      type: () => String,
      nullable: true,
      description: "MLflow's search_runs filter, e.g. metrics.loss < 0.5 and params.lr = '0.01'",
    })
    filter: string | null,
    @Args('orderBy', {
      type: () => [String],
      nullable: true,
      description: 'e.g. ["metrics.loss ASC"]; also attributes.duration. NULLS last, ties by run id',
    })
    orderBy: string[] | null,
  ): Promise<RunConnectionGql> {
    return fieldErrors(() => runsConnection(this.table, e.projectId, [e.id], { first, after, filter, orderBy }));
  }

  @ResolveField('runGroups', () => RunGroupsGql, {
    description:
      "How many active runs matching the filter hold each value of a param or tag (`by`: params.<key> or tags.<key>): the runs table's group headers",
  })
  async experimentRunGroups(
    @Parent() e: ExperimentGql,
    @Args('by', { type: () => String }) by: string,
    @Args('filter', { type: () => String, nullable: true }) filter: string | null,
  ): Promise<RunGroupsGql> {
    return fieldErrors(() => this.table.groups({ projectId: e.projectId, experimentIds: [e.id], filter, by }));
  }

  @ResolveField('runKeys', () => RunColumnKeysGql, {
    description: "Param, metric and tag keys of the experiment's active runs (column chooser, filter autocomplete)",
  })
  async experimentRunKeys(@Parent() e: ExperimentGql): Promise<RunColumnKeysGql> {
    return this.table.columnKeys(e.projectId, [e.id]);
  }
}

@Resolver(() => RunGql)
export class RunResolver {
  constructor(private readonly tracking: TrackingService) {}

  @ResolveField('user', () => UserGql, { nullable: true, description: 'Who created the run' })
  async runUser(@Parent() r: RunGql, @Context() ctx: GqlContext): Promise<UserGql | null> {
    const u = r.userId ? await ctx.loaders.user.load(r.userId) : null;
    return u ? toUserGql(u) : null;
  }

  @ResolveField('experiment', () => ExperimentGql)
  async runExperiment(@Parent() r: RunGql, @Context() ctx: GqlContext): Promise<ExperimentGql> {
    return fieldErrors(async () => {
      const e = await ctx.loaders.experiment.load(r.experimentId);
      if (!e) throw notFound(`Experiment ${r.experimentId}`);
      return toExperimentGql(e);
    });
  }

  @ResolveField('parentRun', () => RunGql, { nullable: true, description: 'The run this one is nested in (MLflow nested runs)' })
  async runParent(@Parent() r: RunGql, @Context() ctx: GqlContext): Promise<RunGql | null> {
    const parent = r.parentInternalId ? await ctx.loaders.runById.load(r.parentInternalId) : null;
    if (!parent) return null;
    return toRunGql((await this.tracking.views([parent]))[0]);
  }

  @ResolveField('metricHistory', () => MetricHistoryGql)
  async runMetricHistory(
    @Parent() r: RunGql,
    @Args('key') key: string,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 5000 }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Context() ctx: GqlContext,
  ): Promise<MetricHistoryGql> {
    return fieldErrors(async () => {
      const limit = pageSize(first, 'first', 5000, MAX_HISTORY_PAGE);
      ctx.budget.charge(limit, `metricHistory of run ${r.runId}`);
      const from = after
        ? decodeCursor(
            after,
            'after',
            (p) =>
              p.length === 3 &&
              Number.isSafeInteger(p[0]) &&
              Number.isSafeInteger(p[1]) &&
              typeof p[2] === 'string' &&
              (p[2] === 'NaN' || !Number.isNaN(markerValue(p[2]))),
          )
        : null;
      const empty: MetricHistoryGql = {
        key,
        steps: [],
        timestamps: [],
        values: [],
        nonFinite: [],
        pageInfo: { hasNextPage: false, endCursor: null },
      };
      // Every logged point moves latest_metrics, so a key missing there has no history: answer without a lookup.
      if (!r.latestMetrics.some((m) => m.key === key)) return empty;
      const points = await this.tracking.metricHistory(r.runId, key, {
        after: from ? { step: from[0] as number, timestamp: from[1] as number, value: markerValue(from[2] as string) } : null,
        limit: limit + 1,
      });
      const page = points.slice(0, limit);
      const parts = page.map((p) => floatParts(p.value));
      const last = page[page.length - 1];
      return {
        key,
        steps: page.map((p) => p.step),
        timestamps: page.map((p) => p.timestamp),
        values: parts.map((p) => p.value),
        nonFinite: parts.map((p) => p.nonFinite),
        pageInfo: {
          hasNextPage: points.length > limit,
          endCursor: last ? encodeCursor([last.step, last.timestamp, valueText(last.value)]) : null,
        },
      };
    });
  }

  @ResolveField('logs', () => RunLogPageGql, { description: 'Log lines after the cursor (from the first line when absent), oldest first' })
  async runLogs(
    @Parent() r: RunGql,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 500 }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<RunLogPageGql> {
    return fieldErrors(async () => {
      const limit = pageSize(first, 'first', 500, MAX_LOG_PAGE);
      const from = logCursor(after, 'after');
      const rows = await this.tracking.logsAfter(r.internalId, from, limit + 1);
      const page = rows.slice(0, limit);
      return {
        lines: page.map(toLogLine),
        // The cursor stays at the last line read even when there is no next page yet, so a client can poll a running run.
        pageInfo: { hasNextPage: rows.length > limit, endCursor: page.length ? page[page.length - 1].id : from },
        hasEarlier: from !== null,
        earlierCursor: page[0]?.id ?? null,
      };
    });
  }

  @ResolveField('logTail', () => RunLogPageGql, {
    description: 'The last lines before the cursor (the end of the log when absent), oldest first: what `tail` shows',
  })
  async runLogTail(
    @Parent() r: RunGql,
    @Args('last', { type: () => Int, nullable: true, defaultValue: 500 }) last: number | null,
    @Args('before', { type: () => String, nullable: true }) before: string | null,
  ): Promise<RunLogPageGql> {
    return fieldErrors(async () => {
      const limit = pageSize(last, 'last', 500, MAX_LOG_PAGE);
      const until = logCursor(before, 'before');
      const rows = await this.tracking.logsBefore(r.internalId, until, limit + 1);
      const page = rows.length > limit ? rows.slice(1) : rows;
      const lastLine = page[page.length - 1];
      return {
        lines: page.map(toLogLine),
        // Reading from the end, nothing follows yet; reading back from a cursor, the lines up to it do.
        pageInfo: { hasNextPage: until !== null, endCursor: lastLine?.id ?? null },
        hasEarlier: rows.length > limit,
        earlierCursor: page[0]?.id ?? null,
      };
    });
  }
}
