/** Tracking fields of a project: its runs table (connection, groups, column keys), experiments, and whether it is the caller's default. */
import { Args, Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { GqlContext, principalOf } from '../../graphql/context';
import { ProjectGql } from '../../projects/project.types';
import { RunsTableService } from '../runs-table.service';
import { TrackingService } from '../tracking.service';
import { ExperimentGql, RunColumnKeysGql, RunConnectionGql, RunGroupsGql } from './tracking.types';

import {
  fieldErrors,
  RunsAfterArg,
  runsConnection,
  RunsFilterArg,
  RunsFirstArg,
  RunsOrderByArg,
  toExperimentGql,
} from './tracking-gql.helpers';

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
    @RunsFirstArg() first: number | null,
    @RunsAfterArg() after: string | null,
    @RunsFilterArg() filter: string | null,
    @RunsOrderByArg() orderBy: string[] | null,
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
