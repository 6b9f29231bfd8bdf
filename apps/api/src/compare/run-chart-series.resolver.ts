/**
 * A run's own chart series: the downsampled series of its training metrics, asked for by run id
 * alone, so the run page can ask for them at startup beside the run itself instead of after the
 * run's answer names its metrics and project (one round trip and the main thread's turn to read
 * that answer fewer before its charts: npm run bench:first-visit).
 */
import { Args, Context, Int, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { GqlContext } from '../graphql/context';
import { RunGql, RunStatusGql } from '../tracking/graphql/tracking.types';
import { fieldErrors } from '../tracking/graphql/tracking-gql.helpers';
import { MetricSeriesSetGql } from './compare.types';
import { MAX_SERIES_KEYS, SeriesService } from './series.service';

/** Runs whose pages follow their metric histories live rather than read series. */
const LIVE: ReadonlySet<RunStatusGql> = new Set([RunStatusGql.QUEUED, RunStatusGql.STARTING, RunStatusGql.RUNNING]);
/** System metrics (CPU, memory, GPUs) have charts of their own, over time. */
const SYSTEM_PREFIX = 'system/';

@Resolver(() => RunGql)
export class RunChartSeriesResolver {
  constructor(private readonly series: SeriesService) {}

  @ResolveField('chartSeries', () => MetricSeriesSetGql, {
    nullable: true,
    description: `The run's training metrics (not system/…) downsampled to at most \`buckets\` buckets each, as metricSeries gives them: the first ${MAX_SERIES_KEYS} by key (metricSeries gives the rest). Null while the run is queued, starting or running, and when it has logged no training metric.`,
  })
  async chartSeries(
    @Parent() run: RunGql,
    @Args('buckets', { type: () => Int, nullable: true, defaultValue: 1000 }) buckets: number | null,
    @Context() ctx: GqlContext,
  ): Promise<MetricSeriesSetGql | null> {
    return fieldErrors(async () => {
      const keys = run.latestMetrics
        .map((m) => m.key)
        .filter((k) => !k.startsWith(SYSTEM_PREFIX))
        .slice(0, MAX_SERIES_KEYS);
      const req = { projectId: run.projectId, runIds: [run.runId], keys, fromStep: null, toStep: null, buckets: buckets ?? 1000 };
      // The arguments are checked even when there is nothing to draw: a bad request is bad for every run.
      this.series.validate({ ...req, keys: ['-'] });
      if (LIVE.has(run.status) || !keys.length) return null;
      ctx.budget.charge(keys.length * req.buckets, `chartSeries of run ${run.runId}`);
      const [entity] = await ctx.loaders.run.loadMany([run.runId]);
      return this.series.downsample(req, [entity instanceof Error ? null : (entity ?? null)]);
    });
  }
}
