/**
 * Aliases over GraphQL (issue 14, item 3): point an alias (champion, challenger, …) at a version or
 * remove it (model.register, and one of the alias's rule roles when it is protected), and protect
 * an alias so only some project roles may move it (project.update: the PI). MLflow's set-alias and
 * delete-alias go through the same service, so the rule holds there too.
 */
import { projectIdAt } from '@caliper/server-kit';
import { RegistryRepository } from '@caliper/persistence';
import { Args, Context, Field, ID, InputType, Int, Mutation, ObjectType, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { ArrayMaxSize, IsIn, IsInt, IsString, IsUUID, Length, Min } from 'class-validator';
import { PROJECT_ROLES } from '@caliper/domain';
import { Requires } from '../../auth/locators';
import { GqlContext, principalOf } from '../../graphql/context';
import { ModelVersionsService } from '../model-versions.service';
import { ModelVersionGql, RegisteredModelGql } from './registry.types';
import { toVersionGql } from './registry.resolver';

@ObjectType('AliasRule', { description: 'A protected alias: only callers holding one of these project roles may move it' })
export class AliasRuleGql {
  @Field() alias: string;
  @Field(() => [String]) roles: string[];
}

@InputType()
export class SetAliasRuleInput {
  @Field(() => ID) @IsUUID() projectId: string;
  @Field() @IsString() @Length(1, 256) modelName: string;
  @Field() @IsString() @Length(1, 255) alias: string;
  @Field(() => [String], { description: 'Project roles that may move the alias; empty lifts the protection' })
  @IsIn(PROJECT_ROLES, { each: true })
  @ArrayMaxSize(PROJECT_ROLES.length)
  roles: string[];
}

@InputType()
export class SetModelAliasInput {
  @Field(() => ID) @IsUUID() projectId: string;
  @Field() @IsString() @Length(1, 256) modelName: string;
  @Field() @IsString() @Length(1, 255) alias: string;
  @Field(() => Int) @IsInt() @Min(1) version: number;
}

@InputType()
export class DeleteModelAliasInput {
  @Field(() => ID) @IsUUID() projectId: string;
  @Field() @IsString() @Length(1, 256) modelName: string;
  @Field() @IsString() @Length(1, 255) alias: string;
}

@Resolver(() => RegisteredModelGql)
export class AliasResolver {
  constructor(
    private readonly versions: ModelVersionsService,
    private readonly registry: RegistryRepository,
  ) {}

  @ResolveField(() => [AliasRuleGql], { description: 'Protected aliases and who may move them' })
  async aliasRules(@Parent() model: RegisteredModelGql): Promise<AliasRuleGql[]> {
    return (await this.registry.aliasRules(model.id)).map((r) => ({ alias: r.alias, roles: r.roles }));
  }

  @Mutation(() => [AliasRuleGql], { description: "Protects an alias (or, with no roles, lifts its protection); returns the model's rules" })
  @Requires('project.update', projectIdAt('input.projectId'))
  async setAliasRule(@Args('input') input: SetAliasRuleInput, @Context() ctx: GqlContext): Promise<AliasRuleGql[]> {
    return this.versions.setAliasRule(principalOf(ctx), { projectId: input.projectId, name: input.modelName }, input.alias, input.roles);
  }

  @Mutation(() => ModelVersionGql, {
    description: 'Points an alias at a version (model.register; a protected alias also needs one of its roles)',
  })
  @Requires('model.register', projectIdAt('input.projectId'))
  async setModelAlias(@Args('input') input: SetModelAliasInput, @Context() ctx: GqlContext): Promise<ModelVersionGql> {
    const ref = { projectId: input.projectId, name: input.modelName };
    await this.versions.setAlias(principalOf(ctx), ref, input.alias, input.version);
    return toVersionGql(await this.versions.getVersion(ref, input.version));
  }

  @Mutation(() => Boolean, {
    description: 'Removes an alias (model.register; a protected alias also needs one of its roles); false when it did not exist',
  })
  @Requires('model.register', projectIdAt('input.projectId'))
  async deleteModelAlias(@Args('input') input: DeleteModelAliasInput, @Context() ctx: GqlContext): Promise<boolean> {
    return this.versions.deleteAlias(principalOf(ctx), { projectId: input.projectId, name: input.modelName }, input.alias);
  }
}
