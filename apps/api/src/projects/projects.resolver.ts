import { AccessService, projectIdAt, SIGNED_IN } from '@caliper/server-kit';
import { Args, Context, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { ProjectEntity, ProjectMemberEntity } from '@caliper/persistence';
import { projectOfSlug, Requires } from '../auth/locators';
import { GqlContext, principalOf } from '../graphql/context';
import { ProjectRoleGql } from '../graphql/enums';
import { ApiTokenGql } from '../tokens/token.types';
import { toApiTokenGql } from '../tokens/tokens.resolver';
import { TokensService } from '../tokens/tokens.service';
import { UserGql } from '../users/user.types';
import { toUserGql } from '../users/users.resolver';
import {
  AddProjectMemberInput,
  CreateProjectInput,
  MemberCandidatesInput,
  PiCandidatesInput,
  ProjectGql,
  ProjectMemberGql,
  RemoveProjectMemberInput,
  SetProjectMemberRolesInput,
  UpdateProjectInput,
  UserSuggestionGql,
} from './project.types';
import { ProjectsService } from './projects.service';

const toProjectGql = (p: ProjectEntity): ProjectGql => ({
  id: p.id,
  slug: p.slug,
  name: p.name,
  description: p.description,
  createdAt: p.createdAt,
  archivedAt: p.archivedAt,
});
const toMemberGql = (m: ProjectMemberEntity): ProjectMemberGql => ({
  userId: m.userId,
  projectId: m.projectId,
  roles: m.roles as ProjectRoleGql[],
  createdAt: m.createdAt,
  updatedAt: m.updatedAt,
});

@Resolver(() => ProjectGql)
export class ProjectsResolver {
  constructor(
    private readonly service: ProjectsService,
    private readonly tokens: TokensService,
    private readonly access: AccessService,
  ) {}

  @Query(() => [ProjectGql], { description: 'Projects the caller can read (all of them for system admins and auditors)' })
  @Requires(SIGNED_IN)
  async projects(@Context() ctx: GqlContext): Promise<ProjectGql[]> {
    const principal = principalOf(ctx);
    const seesAll =
      this.access.allowsWithRoles(principal, 'audit.read', null, []) || this.access.allowsWithRoles(principal, 'project.create', null, []);
    return (await this.service.readableBy(principal, seesAll)).map(toProjectGql);
  }

  @Query(() => ProjectGql)
  @Requires('project.read', projectOfSlug())
  async project(@Args('slug') slug: string): Promise<ProjectGql> {
    return toProjectGql(await this.service.bySlug(slug));
  }

  @Query(() => [UserSuggestionGql], {
    description:
      "Active users who are not members of the project yet, matching `search`, for the Add member picker (member.manage: the project's PIs, system admins); usernames and display names only",
  })
  @Requires('member.manage', projectIdAt('input.projectId'))
  async memberCandidates(@Args('input') input: MemberCandidatesInput): Promise<UserSuggestionGql[]> {
    return this.service.memberCandidates(input.projectId, input.search, input.first);
  }

  @Query(() => [UserSuggestionGql], {
    description:
      "Active people (no service accounts) matching `search`, for the new project form's PI picker (project.create); usernames and display names only",
  })
  @Requires('project.create')
  async piCandidates(@Args('input') input: PiCandidatesInput): Promise<UserSuggestionGql[]> {
    return this.service.piCandidates(input.search, input.first);
  }

  @Mutation(() => ProjectGql)
  @Requires('project.create')
  async createProject(@Args('input') input: CreateProjectInput, @Context() ctx: GqlContext): Promise<ProjectGql> {
    return toProjectGql(await this.service.create(principalOf(ctx), input));
  }

  @Mutation(() => ProjectGql)
  @Requires('project.update', projectIdAt('input.projectId'))
  async updateProject(@Args('input') input: UpdateProjectInput, @Context() ctx: GqlContext): Promise<ProjectGql> {
    return toProjectGql(await this.service.update(principalOf(ctx), input));
  }

  @Mutation(() => ProjectMemberGql)
  @Requires('member.manage', projectIdAt('input.projectId'))
  async addProjectMember(@Args('input') input: AddProjectMemberInput, @Context() ctx: GqlContext): Promise<ProjectMemberGql> {
    return toMemberGql(await this.service.addMember(principalOf(ctx), input.projectId, input.username, input.roles));
  }

  @Mutation(() => ProjectMemberGql)
  @Requires('member.manage', projectIdAt('input.projectId'))
  async setProjectMemberRoles(@Args('input') input: SetProjectMemberRolesInput, @Context() ctx: GqlContext): Promise<ProjectMemberGql> {
    return toMemberGql(await this.service.setRoles(principalOf(ctx), input.projectId, input.userId, input.roles));
  }

  @Mutation(() => Boolean)
  @Requires('member.manage', projectIdAt('input.projectId'))
  async removeProjectMember(@Args('input') input: RemoveProjectMemberInput, @Context() ctx: GqlContext): Promise<boolean> {
    await this.service.removeMember(principalOf(ctx), input.projectId, input.userId, input.reason ?? null);
    return true;
  }

  @ResolveField(() => [ProjectRoleGql], {
    description: "The caller's roles here (empty for system admins and auditors who are not members)",
  })
  async myRoles(@Parent() p: ProjectGql, @Context() ctx: GqlContext): Promise<ProjectRoleGql[]> {
    const principal = principalOf(ctx);
    if (principal.method === 'token' && principal.token.projectId !== p.id) return [];
    return (await ctx.loaders.myRoles.load(p.id)) as ProjectRoleGql[];
  }

  @ResolveField(() => [String], {
    description: "The caller's permissions here, e.g. project.read, project.update, member.manage, token.create",
  })
  async myPermissions(@Parent() p: ProjectGql, @Context() ctx: GqlContext): Promise<string[]> {
    const principal = principalOf(ctx);
    const roles = principal.method === 'token' && principal.token.projectId !== p.id ? [] : await ctx.loaders.myRoles.load(p.id);
    return this.access.permissionsWithRoles(principal, p.id, roles);
  }

  @ResolveField(() => Int)
  async memberCount(@Parent() p: ProjectGql, @Context() ctx: GqlContext): Promise<number> {
    return (await ctx.loaders.members.load(p.id)).length;
  }

  @ResolveField(() => [ProjectMemberGql])
  async members(@Parent() p: ProjectGql, @Context() ctx: GqlContext): Promise<ProjectMemberGql[]> {
    return (await ctx.loaders.members.load(p.id)).map(toMemberGql);
  }

  @ResolveField(() => [ApiTokenGql], {
    description: 'Tokens of this project the caller may see: their own; all of them with member.manage',
  })
  async apiTokens(@Parent() p: ProjectGql, @Context() ctx: GqlContext): Promise<ApiTokenGql[]> {
    const principal = principalOf(ctx);
    const roles = principal.method === 'token' && principal.token.projectId !== p.id ? [] : await ctx.loaders.myRoles.load(p.id);
    const all = this.access.allowsWithRoles(principal, 'member.manage', p.id, roles);
    return (await this.tokens.listFor(p.id, all ? undefined : principal.user.id)).map(toApiTokenGql);
  }
}

@Resolver(() => ProjectMemberGql)
export class ProjectMemberResolver {
  @ResolveField(() => UserGql)
  async user(@Parent() m: ProjectMemberGql, @Context() ctx: GqlContext): Promise<UserGql> {
    return toUserGql((await ctx.loaders.user.load(m.userId))!);
  }
}
