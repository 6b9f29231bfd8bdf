/** Fields of a run: user, experiment, parent, metric history and logs. */
import { Args, Context, Int, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { notFound } from '@caliper/domain';
import { GqlContext } from '../../graphql/context';
import { UserGql } from '../../users/user.types';
import { toUserGql } from '../../users/users.resolver';
import { TrackingService } from '../tracking.service';
import { MetricHistoryService } from '../metric-history.service';
import { ExperimentGql, MetricHistoryGql, RunGql, RunLogPageGql } from './tracking.types';

import {
  MAX_HISTORY_PAGE,
  MAX_LOG_PAGE,
  floatParts,
  markerValue,
  valueText,
  fieldErrors,
  logCursor,
  toLogLine,
  encodeCursor,
  decodeCursor,
  pageSize,
  toExperimentGql,
  toRunGql,
} from './tracking-gql.helpers';

@Resolver(() => RunGql)
export class RunResolver {
  constructor(
    private readonly tracking: TrackingService,
    private readonly histories: MetricHistoryService,
  ) {}

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
    const [view] = await this.tracking.views([parent]);
    return view ? toRunGql(view) : null;
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
      const points = await this.histories.metricHistory(r.runId, key, {
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
        pageInfo: { hasNextPage: rows.length > limit, endCursor: page.at(-1)?.id ?? from },
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
