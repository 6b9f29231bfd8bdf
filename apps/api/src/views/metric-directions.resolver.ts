/**
 * Metric directions in GraphQL: a project's directions for the keys a page shows, setting one
 * (run.write: researchers and PIs), and LatestMetric.best, the lowest or highest value by the
 * direction in force, read through the request's metricDirections loader (one statement for every
 * run of a page).
 */
import { projectIdAt } from '@caliper/server-kit';
import { badInput } from '@caliper/domain';
import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Requires } from '../auth/locators';
import { GqlContext, principalOf } from '../graphql/context';
import { LatestMetricGql } from '../tracking/graphql/tracking.types';
import { directionOf, DirectionSetting, MetricDirectionsService } from './metric-directions.service';
import {
  MAX_DIRECTION_KEYS,
  MAX_METRIC_KEY,
  MetricBestGql,
  MetricDirectionGql,
  MetricDirectionSettingGql,
  SetMetricDirectionInput,
} from './metric-directions.types';

const toSettingGql = (projectId: string, s: DirectionSetting): MetricDirectionSettingGql => ({
  id: `${projectId}/${s.key}`,
  key: s.key,
  direction: s.direction as MetricDirectionGql,
  isDefault: s.isDefault,
});

@Resolver(() => MetricDirectionSettingGql)
export class MetricDirectionsResolver {
  constructor(private readonly directions: MetricDirectionsService) {}

  @Query(() => [MetricDirectionSettingGql], {
    description: `Whether each of the keys (up to ${MAX_DIRECTION_KEYS}) is better low or high in the project, in the order asked`,
  })
  @Requires('project.read', projectIdAt('projectId'))
  async metricDirections(
    @Args('projectId', { type: () => ID }) projectId: string,
    @Args('keys', { type: () => [String] }) keys: string[],
    @Context() ctx: GqlContext,
  ): Promise<MetricDirectionSettingGql[]> {
    if (keys.length > MAX_DIRECTION_KEYS) throw badInput('keys', `at most ${MAX_DIRECTION_KEYS} keys (got ${keys.length})`);
    const long = keys.find((k) => k.length > MAX_METRIC_KEY);
    if (long !== undefined) throw badInput('keys', `"${long.slice(0, 40)}…" is longer than ${MAX_METRIC_KEY} characters`);
    const set = await ctx.loaders.metricDirections.load(projectId);
    return [...new Set(keys)].map((k) => toSettingGql(projectId, directionOf(set, k)));
  }

  @Mutation(() => MetricDirectionSettingGql, {
    description:
      'Sets whether a metric key is better low or high in the project (direction null: back to the default from its name). Needs run.write (researcher or PI)',
  })
  @Requires('run.write', projectIdAt('input.projectId'))
  async setMetricDirection(@Args('input') input: SetMetricDirectionInput, @Context() ctx: GqlContext): Promise<MetricDirectionSettingGql> {
    const setting = await this.directions.set(principalOf(ctx), input.projectId, input.key, input.direction ?? null);
    ctx.loaders.metricDirections.clear(input.projectId);
    return toSettingGql(input.projectId, setting);
  }
}

@Resolver(() => LatestMetricGql)
export class LatestMetricBestResolver {
  @ResolveField('best', () => MetricBestGql, {
    nullable: true,
    description: "The lowest or the highest finite value (min or max), by the project's direction for the key; null while there is none",
  })
  async best(@Parent() m: LatestMetricGql, @Context() ctx: GqlContext): Promise<MetricBestGql | null> {
    const { direction } = directionOf(await ctx.loaders.metricDirections.load(m.projectId), m.key);
    const extreme = direction === 'min' ? m.min : m.max;
    return extreme ? { value: extreme.value, step: extreme.step, direction: direction as MetricDirectionGql } : null;
  }
}
