/**
 * The model registry over GraphQL: registered models of a project, a model with its versions, a
 * version with its ONNX validation (project.read), and registration of a run's artifact as a new
 * version (model.register: researcher, PI). The project is the argument the guard checked; models
 * and versions are looked up by name inside it only, so another project's are out of reach.
 * Registration goes through ModelVersionsService.createVersion, the path MLflow's
 * model-versions/create takes.
 */
import { decodeOffsetToken, encodeOffsetToken } from '@caliper/domain';
import type { ModelVersionValidationEntity } from '@caliper/persistence';
import { projectIdAt } from '@caliper/server-kit';
import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Requires } from '../../auth/locators';
import { GqlContext, principalOf } from '../../graphql/context';
import { ModelVersionsService } from '../model-versions.service';
import { RegisteredModelsService } from '../registered-models.service';
import type { ModelView, VersionView } from '../registry.types';
import { RegistryReads } from '../registry-reads';
import {
  ModelStageGql,
  ModelTaskTypeGql,
  ModelValidationGql,
  ModelValidationStatusGql,
  ModelVersionGql,
  RegisteredModelConnectionGql,
  RegisteredModelGql,
  RegisterModelVersionInput,
} from './registry.types';

const toModelGql = (v: ModelView): RegisteredModelGql => ({
  id: v.model.id,
  projectId: v.model.projectId,
  name: v.model.name,
  description: v.model.description,
  createdAt: new Date(v.model.creationTime),
  lastUpdatedAt: new Date(v.model.lastUpdatedTime),
});

export const toVersionGql = (v: VersionView): ModelVersionGql => ({
  id: v.version.id,
  registeredModelId: v.model.id,
  modelName: v.model.name,
  version: v.version.version,
  source: v.version.source,
  runId: v.runUuid,
  artifactPath: v.version.artifactPath,
  artifactDigest: v.version.artifactDigest,
  stage: v.version.currentStage as ModelStageGql,
  description: v.version.description,
  aliases: v.aliases,
  createdAt: new Date(v.version.creationTime),
  lastUpdatedAt: new Date(v.version.lastUpdatedTime),
});

const toValidationGql = (v: ModelVersionValidationEntity): ModelValidationGql => ({
  status: v.status as ModelValidationStatusGql,
  reason: v.reason,
  filePath: v.filePath,
  sha256: v.sha256,
  opset: v.opset,
  inputs: v.inputs,
  outputs: v.outputs,
  taskType: v.taskType as ModelTaskTypeGql | null,
  preprocessing: v.spec?.preprocessing ?? null,
  postprocessing: v.spec?.postprocessing ?? null,
  validatedAt: v.validatedAt,
});

@Resolver(() => RegisteredModelGql)
export class RegistryResolver {
  constructor(
    private readonly models: RegisteredModelsService,
    private readonly versions: ModelVersionsService,
  ) {}

  @Query(() => RegisteredModelConnectionGql, { description: "A project's registered models by name" })
  @Requires('project.read', projectIdAt('projectId'))
  async registeredModels(
    @Args('projectId', { type: () => ID }) projectId: string,
    @Args('first', { type: () => Int, defaultValue: 50, description: 'At most 1000' }) first: number,
    @Args('after', { type: () => String, nullable: true, description: 'pageInfo.endCursor of the page before' }) after: string | null,
  ): Promise<RegisteredModelConnectionGql> {
    const page = await this.models.searchModels(projectId, { filter: null, orderBy: ['name ASC'], maxResults: first, pageToken: after });
    const offset = decodeOffsetToken(after);
    return {
      edges: page.items.map((m, i) => ({ cursor: encodeOffsetToken(offset + i + 1), node: toModelGql(m) })),
      pageInfo: { hasNextPage: page.nextPageToken !== null, endCursor: page.nextPageToken },
    };
  }

  @Query(() => RegisteredModelGql, { description: 'A registered model of the project by its name' })
  @Requires('project.read', projectIdAt('projectId'))
  async registeredModel(@Args('projectId', { type: () => ID }) projectId: string, @Args('name') name: string): Promise<RegisteredModelGql> {
    return toModelGql(await this.models.getModel({ projectId, name }));
  }

  @Query(() => ModelVersionGql, { description: 'One version of a registered model of the project' })
  @Requires('project.read', projectIdAt('projectId'))
  async modelVersion(
    @Args('projectId', { type: () => ID }) projectId: string,
    @Args('name') name: string,
    @Args('version', { type: () => Int }) version: number,
  ): Promise<ModelVersionGql> {
    return toVersionGql(await this.versions.getVersion({ projectId, name }, version));
  }

  @Mutation(() => ModelVersionGql, {
    description:
      "Registers a run's ONNX artifact as the next version of a model (created if missing), with its task type and pre/post-processing spec; the worker then validates it. Needs model.register (researcher or PI)",
  })
  @Requires('model.register', projectIdAt('input.projectId'))
  async registerModelVersion(@Args('input') input: RegisterModelVersionInput, @Context() ctx: GqlContext): Promise<ModelVersionGql> {
    const view = await this.versions.createVersion(
      principalOf(ctx),
      { projectId: input.projectId, name: input.modelName },
      {
        source: `runs:/${input.runId}/${input.artifactPath}`,
        runUuid: input.runId,
        description: input.description ?? null,
        spec: { taskType: input.taskType, preprocessing: input.preprocessing ?? {}, postprocessing: input.postprocessing },
        createModel: true,
      },
    );
    return toVersionGql(view);
  }
}

@Resolver(() => RegisteredModelGql)
export class RegisteredModelFieldsResolver {
  constructor(private readonly reads: RegistryReads) {}

  @ResolveField(() => [ModelVersionGql], { description: 'Live versions, newest first' })
  async versions(@Parent() model: RegisteredModelGql): Promise<ModelVersionGql[]> {
    return (await this.reads.versionsOfModel(model.id)).map(toVersionGql).reverse();
  }
}

@Resolver(() => ModelVersionGql)
export class ModelVersionFieldsResolver {
  @ResolveField(() => ModelValidationGql, {
    nullable: true,
    description: 'The ONNX validation (null for versions registered before it existed)',
  })
  async validation(@Parent() v: ModelVersionGql, @Context() ctx: GqlContext): Promise<ModelValidationGql | null> {
    const row = await ctx.loaders.modelVersionValidation.load(v.id);
    return row ? toValidationGql(row) : null;
  }
}
