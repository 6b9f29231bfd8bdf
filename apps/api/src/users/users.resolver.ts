import { AccessService, actorOf, AuthService, SIGNED_IN } from '@caliper/server-kit';
import { forbidden } from '@caliper/domain';
import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { UserEntity } from '@caliper/persistence';
import { GqlContext, principalOf } from '../graphql/context';
import { GlobalRoleGql, UserKindGql } from '../graphql/enums';
import {
  ChangeMyPasswordInput,
  CreateUserInput,
  DeactivateUserInput,
  MeGql,
  ReactivateUserInput,
  ResetUserPasswordInput,
  SetUserGlobalRoleInput,
  UserGql,
} from './user.types';
import { UsersService } from './users.service';
import { Requires } from '../auth/locators';

export function toUserGql(u: UserEntity): UserGql {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    email: u.email,
    kind: u.kind as UserKindGql,
    globalRole: u.globalRole as GlobalRoleGql | null,
    isActive: u.isActive,
    createdAt: u.createdAt,
    deactivatedAt: u.deactivatedAt,
  };
}

@Resolver(() => UserGql)
export class UsersResolver {
  constructor(
    private readonly service: UsersService,
    private readonly access: AccessService,
    private readonly auth: AuthService,
  ) {}

  @Query(() => MeGql)
  @Requires(SIGNED_IN)
  async me(@Context() ctx: GqlContext): Promise<MeGql> {
    const principal = principalOf(ctx);
    const user = await ctx.loaders.user.load(principal.user.id);
    return { user: toUserGql(user!), globalPermissions: this.access.permissionsWithRoles(principal, null, []) };
  }

  @Query(() => [UserGql], { description: 'Needs user.manage (system_admin) or audit.read globally (auditor)' })
  @Requires(SIGNED_IN)
  async users(@Context() ctx: GqlContext): Promise<UserGql[]> {
    const principal = principalOf(ctx);
    if (
      !this.access.allowsWithRoles(principal, 'user.manage', null, []) &&
      !this.access.allowsWithRoles(principal, 'audit.read', null, [])
    ) {
      throw forbidden('list users');
    }
    return (await this.service.list()).map(toUserGql);
  }

  @Mutation(() => UserGql)
  @Requires('user.manage')
  async createUser(@Args('input') input: CreateUserInput, @Context() ctx: GqlContext): Promise<UserGql> {
    return toUserGql(await this.service.create(actorOf(principalOf(ctx)), input));
  }

  @Mutation(() => UserGql)
  @Requires('user.manage')
  async setUserGlobalRole(@Args('input') input: SetUserGlobalRoleInput, @Context() ctx: GqlContext): Promise<UserGql> {
    return toUserGql(await this.service.setGlobalRole(principalOf(ctx), input.userId, input.globalRole ?? null, input.reason));
  }

  @Mutation(() => UserGql)
  @Requires('user.manage')
  async reactivateUser(@Args('input') input: ReactivateUserInput, @Context() ctx: GqlContext): Promise<UserGql> {
    return toUserGql(await this.service.reactivate(principalOf(ctx), input.userId, input.reason));
  }

  @Mutation(() => UserGql, {
    description: "Sets a new password, ends the user's sessions and revokes the user's API tokens (each revocation is audited)",
  })
  @Requires('user.manage')
  async resetUserPassword(@Args('input') input: ResetUserPasswordInput, @Context() ctx: GqlContext): Promise<UserGql> {
    return toUserGql(await this.service.resetPassword(principalOf(ctx), input.userId, input.newPassword));
  }

  @Mutation(() => Boolean, {
    description: 'Needs the current password; ends your other sessions. Your API tokens stay valid: revoke them one by one if needed',
  })
  @Requires(SIGNED_IN)
  async changeMyPassword(@Args('input') input: ChangeMyPasswordInput, @Context() ctx: GqlContext): Promise<boolean> {
    const ip = ctx.req.ip ?? 'unknown';
    await this.service.changeOwnPassword(principalOf(ctx), input.currentPassword, input.newPassword, (user, password) =>
      this.auth.reauthenticate(user, password, ip),
    );
    return true;
  }

  @Mutation(() => UserGql)
  @Requires('user.manage')
  async deactivateUser(@Args('input') input: DeactivateUserInput, @Context() ctx: GqlContext): Promise<UserGql> {
    return toUserGql(await this.service.deactivate(principalOf(ctx), input.userId, input.reason));
  }
}
