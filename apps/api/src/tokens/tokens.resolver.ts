import { argAt, projectIdAt } from '@caliper/server-kit';
import { Args, Context, ID, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { ApiTokenEntity } from '@caliper/persistence';
import { GqlContext, principalOf } from '../graphql/context';
import { ProjectRoleGql } from '../graphql/enums';
import { UserGql } from '../users/user.types';
import { toUserGql } from '../users/users.resolver';
import { ApiTokenGql, CreateApiTokenInput, CreatedApiTokenGql } from './token.types';
import { TokensService } from './tokens.service';
import { Requires } from '../auth/locators';

export const toApiTokenGql = (t: ApiTokenEntity): ApiTokenGql => ({
  id: t.id,
  userId: t.userId,
  name: t.name,
  roles: t.roles as ProjectRoleGql[],
  runId: t.runId,
  createdAt: t.createdAt,
  expiresAt: t.expiresAt,
  revokedAt: t.revokedAt,
  lastUsedAt: t.lastUsedAt,
});

@Resolver(() => ApiTokenGql)
export class TokensResolver {
  constructor(private readonly tokens: TokensService) {}

  @Mutation(() => CreatedApiTokenGql)
  @Requires('token.create', projectIdAt('input.projectId'))
  async createApiToken(@Args('input') input: CreateApiTokenInput, @Context() ctx: GqlContext): Promise<CreatedApiTokenGql> {
    const { token, entity } = await this.tokens.create(principalOf(ctx), input);
    return { token, apiToken: toApiTokenGql(entity) };
  }

  @Mutation(() => ApiTokenGql, { description: 'Owners revoke their own tokens; member managers any token of the project' })
  @Requires('project.read', async (args, loaders) => {
    const id = argAt(args, 'id');
    return typeof id === 'string' ? ((await loaders.apiToken.load(id))?.projectId ?? null) : null;
  })
  async revokeApiToken(@Args('id', { type: () => ID }) id: string, @Context() ctx: GqlContext): Promise<ApiTokenGql> {
    return toApiTokenGql(await this.tokens.revoke(principalOf(ctx), id));
  }

  @ResolveField(() => UserGql)
  async owner(@Parent() t: ApiTokenGql, @Context() ctx: GqlContext): Promise<UserGql> {
    return toUserGql((await ctx.loaders.user.load(t.userId))!);
  }
}
