/** Fields of an experiment: its project, run count, tags and its runs table. */
import { Args, Context, Int, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { notFound } from '@caliper/domain';
import { GqlContext } from '../../graphql/context';
import { ProjectGql } from '../../projects/project.types';
import { RunsTableService } from '../runs-table.service';
import { TrackingService } from '../tracking.service';
import { ExperimentGql, KeyValueGql, RunColumnKeysGql, RunConnectionGql, RunGroupsGql } from './tracking.types';

import {
  fieldErrors,
  RunsAfterArg,
  runsConnection,
  RunsFilterArg,
  RunsFirstArg,
  RunsOrderByArg,
  toProjectGql,
} from './tracking-gql.helpers';

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
    @RunsFirstArg() first: number | null,
    @RunsAfterArg() after: string | null,
    @RunsFilterArg() filter: string | null,
    @RunsOrderByArg() orderBy: string[] | null,
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
