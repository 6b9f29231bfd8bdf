/** Downsampled metric series of several runs for the compare page (docs/compare-design.md). */
import { projectIdAt } from '@caliper/server-kit';
import { Args, Context, Float, ID, Int, Query, Resolver } from '@nestjs/graphql';
import type { GqlContext } from '../graphql/context';
import { MetricSeriesSetGql } from './compare.types';
import { SeriesService } from './series.service';
import { Requires } from '../auth/locators';

@Resolver()
export class CompareResolver {
  constructor(private readonly series: SeriesService) {}

  @Query(() => MetricSeriesSetGql, {
    description:
      'Metrics of up to 100 runs of one project over a step window, downsampled to at most `buckets` buckets per series on edges shared by every series: per bucket the min, max and last finite value and the counts. A window of no more steps than `buckets` returns every point as logged. Omitted window ends default to the first and last step of the series asked for.',
  })
  @Requires('project.read', projectIdAt('projectId'))
  async metricSeries(
    @Args('projectId', { type: () => ID }) projectId: string,
    @Args('runIds', { type: () => [String] }) runIds: string[],
    @Args('keys', { type: () => [String] }) keys: string[],
    @Args('fromStep', { type: () => Float, nullable: true }) fromStep: number | null,
    @Args('toStep', { type: () => Float, nullable: true }) toStep: number | null,
    @Args('buckets', { type: () => Int, nullable: true, defaultValue: 1000 }) buckets: number,
    @Context() ctx: GqlContext,
  ): Promise<MetricSeriesSetGql> {
    const req = { projectId, runIds, keys, fromStep: fromStep ?? null, toStep: toStep ?? null, buckets: buckets ?? 1000 };
    this.series.validate(req);
    ctx.budget.charge(runIds.length * keys.length * req.buckets, 'metricSeries');
    const runs = await ctx.loaders.run.loadMany(runIds);
    return this.series.downsample(
      req,
      runs.map((r) => (r instanceof Error ? null : r)),
    );
  }
}
