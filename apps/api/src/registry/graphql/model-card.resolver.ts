/**
 * Model cards over GraphQL: ModelVersion.card (the card with its missing sections and lock state;
 * readable wherever the version is), ModelVersion.suggestedCard (a draft from the source run and
 * the previous version, never saved) and updateModelCard (model.register in the project; refused
 * once signed). Reads resolve under a root field whose guard already checked project.read.
 */
import { projectIdAt } from '@caliper/server-kit';
import { Args, Context, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Requires } from '../../auth/locators';
import { GqlContext, principalOf } from '../../graphql/context';
import { CardView, ModelCardsService } from '../model-cards.service';
import { ModelVersionsService } from '../model-versions.service';
import { ModelCardContentGql, ModelCardGql, UpdateModelCardInput } from './model-card.types';
import { ModelVersionGql } from './registry.types';
import { toVersionGql } from './registry.resolver';

const toCardGql = (v: CardView): ModelCardGql => ({
  ...v.card,
  missingSections: v.missingSections,
  locked: v.lockedAt !== null,
  lockedAt: v.lockedAt,
  updatedAt: v.updatedAt,
  updatedBy: v.updatedBy,
});

@Resolver(() => ModelVersionGql)
export class ModelCardResolver {
  constructor(
    private readonly cards: ModelCardsService,
    private readonly versions: ModelVersionsService,
  ) {}

  @ResolveField(() => ModelCardGql, { description: 'The model card (an unwritten card reads empty, every section missing)' })
  async card(@Parent() v: ModelVersionGql): Promise<ModelCardGql> {
    return toCardGql(await this.cards.cardOfVersion(v.id));
  }

  @ResolveField(() => ModelCardContentGql, {
    description:
      "A draft of the card from the source run's dataset inputs and last metric values and the previous version's card; nothing is saved until updateModelCard",
  })
  async suggestedCard(@Parent() v: ModelVersionGql): Promise<ModelCardContentGql> {
    return this.cards.suggestedCard(v.id);
  }

  @Mutation(() => ModelVersionGql, {
    description:
      "Replaces a version's model card; refused once a promotion signature has locked it. Needs model.register (researcher or PI)",
  })
  @Requires('model.register', projectIdAt('input.projectId'))
  async updateModelCard(@Args('input') input: UpdateModelCardInput, @Context() ctx: GqlContext): Promise<ModelVersionGql> {
    const ref = { projectId: input.projectId, name: input.modelName };
    await this.cards.updateCard(principalOf(ctx), ref, input.version, input.card);
    return toVersionGql(await this.versions.getVersion(ref, input.version));
  }
}
