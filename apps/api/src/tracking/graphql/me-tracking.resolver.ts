/** The caller's default project (MLflow's experiment "0" for a Basic user). */
import { Context, ResolveField, Resolver } from '@nestjs/graphql';
import { GqlContext, principalOf } from '../../graphql/context';
import { ProjectGql } from '../../projects/project.types';
import { MeGql } from '../../users/user.types';

import { toProjectGql } from './tracking-gql.helpers';

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
