/**
 * Run templates over GraphQL (issue 15, item 1). A template or version id is resolved to its
 * project by the guard's locator (an unknown id and one in a project the caller cannot read get
 * the same NOT_FOUND) and re-checked by the service.
 */
import { projectIdAt } from '@caliper/server-kit';
import { notFound, parameterText } from '@caliper/domain';
import type { RunTemplateRow, RunTemplateVersionRow } from '@caliper/persistence';
import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { projectOfIdAt, Requires } from '../auth/locators';
import { GqlContext, principalOf } from '../graphql/context';
import {
  AddRunTemplateVersionInput,
  CreateRunTemplateInput,
  ExecutorKindGql,
  LaunchPreviewGql,
  ParameterValueInput,
  RunTemplateGql,
  RunTemplateVersionGql,
  TemplateParameterTypeGql,
} from './run-template.types';
import { definitionFromInput, RunTemplatesService } from './run-templates.service';

const templateProjectAt = (path: string) => projectOfIdAt(path, 'Run template', (l, id) => l.runTemplateProject.load(id));
export const versionProjectAt = (path: string) =>
  projectOfIdAt(path, 'Run template version', (l, id) => l.runTemplateVersionProject.load(id));

const toTemplateGql = (t: RunTemplateRow): RunTemplateGql => ({ id: t.id, projectId: t.projectId, name: t.name, createdAt: t.createdAt });

export const toVersionGql = (v: RunTemplateVersionRow): RunTemplateVersionGql => ({
  id: v.id,
  templateId: v.templateId,
  version: v.version,
  description: v.description,
  architecture: v.architecture,
  initialModelVersion: v.initialModelVersionId ? { id: v.initialModelVersionId, label: v.initialModelVersionLabel ?? '' } : null,
  datasetVersion: v.datasetVersionId ? { id: v.datasetVersionId, label: v.datasetVersionLabel ?? '' } : null,
  parameters: v.parameters.map((p) => ({
    name: p.name,
    type: p.type as TemplateParameterTypeGql,
    default: parameterText(p.default),
    min: p.min ?? null,
    max: p.max ?? null,
    choices: p.choices ?? null,
    description: p.description ?? null,
  })),
  resources: { ...v.resources },
  executor: v.executor as ExecutorKindGql,
  image: v.image,
  command: v.command,
  createdBy: v.createdByUsername,
  createdAt: v.createdAt,
});

@Resolver(() => RunTemplateGql)
export class RunTemplatesResolver {
  constructor(private readonly service: RunTemplatesService) {}

  @Query(() => [RunTemplateGql], { description: "The project's run templates, by name (at most 500)" })
  @Requires('project.read', projectIdAt('projectId'))
  async runTemplates(@Args('projectId', { type: () => ID }) projectId: string, @Context() ctx: GqlContext): Promise<RunTemplateGql[]> {
    return (await this.service.list(principalOf(ctx), projectId)).map(toTemplateGql);
  }

  @Query(() => RunTemplateGql)
  @Requires('project.read', templateProjectAt('id'))
  async runTemplate(@Args('id', { type: () => ID }) id: string, @Context() ctx: GqlContext): Promise<RunTemplateGql> {
    return toTemplateGql(await this.service.get(principalOf(ctx), id));
  }

  @Query(() => RunTemplateVersionGql)
  @Requires('project.read', versionProjectAt('id'))
  async runTemplateVersion(@Args('id', { type: () => ID }) id: string, @Context() ctx: GqlContext): Promise<RunTemplateVersionGql> {
    return toVersionGql(await this.service.version(principalOf(ctx), id));
  }

  @Query(() => LaunchPreviewGql, {
    description:
      'What launching this template version with these values would run: each value checked against its parameter, all problems named at once',
  })
  @Requires('project.read', versionProjectAt('templateVersionId'))
  async launchPreview(
    @Args('templateVersionId', { type: () => ID }) templateVersionId: string,
    @Args('values', { type: () => [ParameterValueInput], defaultValue: [] }) values: ParameterValueInput[],
    @Context() ctx: GqlContext,
  ): Promise<LaunchPreviewGql> {
    const p = await this.service.preview(principalOf(ctx), templateVersionId, values);
    return { templateVersion: toVersionGql(p.version), values: p.values, command: p.command };
  }

  @Mutation(() => RunTemplateGql, { description: 'A new template with its version 1 (needs run.write)' })
  @Requires('run.write', projectIdAt('input.projectId'))
  async createRunTemplate(@Args('input') input: CreateRunTemplateInput, @Context() ctx: GqlContext): Promise<RunTemplateGql> {
    const { template } = await this.service.create(principalOf(ctx), {
      projectId: input.projectId,
      name: input.name,
      definition: definitionFromInput(input.definition),
    });
    return toTemplateGql(template);
  }

  @Mutation(() => RunTemplateVersionGql, { description: "The template's next version (versions never change; needs run.write)" })
  @Requires('run.write', templateProjectAt('input.templateId'))
  async addRunTemplateVersion(
    @Args('input') input: AddRunTemplateVersionInput,
    @Context() ctx: GqlContext,
  ): Promise<RunTemplateVersionGql> {
    return toVersionGql(await this.service.addVersion(principalOf(ctx), input.templateId, definitionFromInput(input.definition)));
  }
}

@Resolver(() => RunTemplateGql)
export class RunTemplateFieldsResolver {
  @ResolveField(() => RunTemplateVersionGql)
  async latestVersion(@Parent() t: RunTemplateGql, @Context() ctx: GqlContext): Promise<RunTemplateVersionGql> {
    const v = await ctx.loaders.runTemplateLatest.load(t.id);
    if (!v) throw notFound(`The latest version of run template ${t.id}`);
    return toVersionGql(v);
  }

  @ResolveField(() => [RunTemplateVersionGql], { description: 'Newest first, at most 200' })
  async versions(@Parent() t: RunTemplateGql, @Context() ctx: GqlContext): Promise<RunTemplateVersionGql[]> {
    return (await ctx.loaders.runTemplateVersions.load(t.id)).map(toVersionGql);
  }
}
