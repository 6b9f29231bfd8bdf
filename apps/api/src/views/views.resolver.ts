/**
 * The compare page's reads and writes outside the metric series (apps/api/src/compare): the runs
 * it compares, fetched in one request, and saved views of the compare page and the runs table.
 */
import { projectIdAt } from '@caliper/server-kit';
import { badInput } from '@caliper/domain';
import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { SavedViewEntity, SavedViewKind } from '@caliper/persistence';
import { GqlContext, principalOf } from '../graphql/context';
import { toRunGql } from '../tracking/graphql/tracking-gql.helpers';
import { RunGql } from '../tracking/graphql/tracking.types';
import { TrackingService } from '../tracking/tracking.service';
import { UserGql } from '../users/user.types';
import { toUserGql } from '../users/users.resolver';
import { DeleteViewInput, SavedViewGql, SavedViewKindGql, SaveViewInput } from './view.types';
import { ViewsService } from './views.service';
import { Requires } from '../auth/locators';

export const MAX_COMPARED_RUNS = 100;
const RUN_ID_RE = /^[0-9a-f]{32}$/;

function toSavedViewGql(v: SavedViewEntity): SavedViewGql {
  return {
    id: v.id,
    projectId: v.projectId,
    name: v.name,
    kind: v.kind as SavedViewKindGql,
    createdById: v.createdBy,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    state: Object.entries(v.state)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => ({ key, value })),
  };
}

@Resolver(() => SavedViewGql)
export class ViewsResolver {
  constructor(
    private readonly views: ViewsService,
    private readonly tracking: TrackingService,
  ) {}

  @Query(() => [RunGql], {
    description: `Runs of one project by run_id, in the order asked (up to ${MAX_COMPARED_RUNS}); ids of runs that do not exist or belong to another project are left out`,
  })
  @Requires('project.read', projectIdAt('projectId'))
  async compareRuns(
    @Args('projectId', { type: () => ID }) projectId: string,
    @Args('runIds', { type: () => [String] }) runIds: string[],
  ): Promise<RunGql[]> {
    if (runIds.length > MAX_COMPARED_RUNS)
      throw badInput('runIds', `at most ${MAX_COMPARED_RUNS} runs can be compared (got ${runIds.length})`);
    const bad = runIds.find((id) => !RUN_ID_RE.test(id));
    if (bad !== undefined) throw badInput('runIds', `"${bad.slice(0, 40)}" is not a run id (32 lowercase hex characters)`);
    const unique = [...new Set(runIds)];
    const views = unique.length ? await this.tracking.getRuns(unique) : [];
    const byId = new Map(views.filter((v) => v.run.projectId === projectId).map((v) => [v.run.uuid, v]));
    return unique.flatMap((id) => (byId.has(id) ? [toRunGql(byId.get(id)!)] : []));
  }

  @Query(() => [SavedViewGql], { description: 'Saved views of a project page, by name' })
  @Requires('project.read', projectIdAt('projectId'))
  async savedViews(
    @Args('projectId', { type: () => ID }) projectId: string,
    @Args('kind', { type: () => SavedViewKindGql }) kind: SavedViewKindGql,
  ): Promise<SavedViewGql[]> {
    return (await this.views.list(projectId, kind as SavedViewKind)).map(toSavedViewGql);
  }

  @Mutation(() => SavedViewGql, {
    description:
      'Saves a view under a name, overwriting the view of that name and kind if there is one. Needs run.write (researcher or PI)',
  })
  @Requires('run.write', projectIdAt('input.projectId'))
  async saveView(@Args('input') input: SaveViewInput, @Context() ctx: GqlContext): Promise<SavedViewGql> {
    return toSavedViewGql(
      await this.views.save(principalOf(ctx), {
        projectId: input.projectId,
        kind: input.kind as SavedViewKind,
        name: input.name,
        state: input.state,
      }),
    );
  }

  @Mutation(() => Boolean, { description: 'Deletes a saved view; false when it was already gone. Needs run.write (researcher or PI)' })
  @Requires('run.write', projectIdAt('input.projectId'))
  async deleteView(@Args('input') input: DeleteViewInput, @Context() ctx: GqlContext): Promise<boolean> {
    return this.views.delete(principalOf(ctx), input.projectId, input.id);
  }

  @ResolveField('createdBy', () => UserGql, { nullable: true })
  async createdBy(@Parent() v: SavedViewGql, @Context() ctx: GqlContext): Promise<UserGql | null> {
    if (!v.createdById) return null;
    const u = await ctx.loaders.user.load(v.createdById);
    return u ? toUserGql(u) : null;
  }
}
