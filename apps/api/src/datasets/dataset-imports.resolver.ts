/**
 * Building a draft from the PACS over GraphQL: preview a query and import it, both with
 * dataset.write; an import's status and progress is read from its version (`DatasetVersion.imports`).
 */
import { DatasetImportEntity } from '@caliper/datasets';
import { notFound } from '@caliper/domain';
import { projectIdAt } from '@caliper/server-kit';
import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Requires } from '../auth/locators';
import { GqlContext, principalOf } from '../graphql/context';
import { DatasetVersionGql } from './dataset.types';
import { DatasetImportGql, DatasetImportStatusGql, ImportFromPacsInput, PacsPreviewGql, PacsQueryInput } from './dataset-imports.types';
import { DatasetImportsService } from './dataset-imports.service';
import { projectOfDatasetVersion } from './datasets.locators';

export const toImportGql = (i: DatasetImportEntity): DatasetImportGql => ({
  id: i.id,
  versionId: i.versionId,
  status: i.status as DatasetImportStatusGql,
  copy: i.copy,
  deidentify: i.deidentify,
  deidSummary: i.deidSummary,
  query: JSON.stringify(i.query),
  total: i.total,
  done: i.done,
  skipped: i.skipped,
  failed: i.failed,
  failures: i.failures,
  error: i.error,
  createdById: i.createdBy,
  createdAt: i.createdAt,
  startedAt: i.startedAt,
  finishedAt: i.finishedAt,
});

@Resolver(() => DatasetImportGql)
export class DatasetImportsResolver {
  constructor(private readonly imports: DatasetImportsService) {}

  @Query(() => PacsPreviewGql, {
    description: 'What a PACS query matches: studies with series and instance counts, modalities, descriptions, dates. Needs dataset.write',
  })
  @Requires('dataset.write', projectIdAt('projectId'))
  async pacsPreview(
    @Args('projectId', { type: () => ID }) _projectId: string,
    @Args('query', { type: () => PacsQueryInput }) query: PacsQueryInput,
    @Args('limit', { type: () => Int, defaultValue: 100 }) limit: number,
  ): Promise<PacsPreviewGql> {
    return this.imports.preview(query, limit);
  }

  @Mutation(() => DatasetImportGql, {
    description:
      'Imports what a PACS query matches into a draft version, in the background (see DatasetVersion.imports). Needs dataset.write',
  })
  @Requires('dataset.write', projectOfDatasetVersion('input.versionId'))
  async importFromPacs(@Args('input') input: ImportFromPacsInput, @Context() ctx: GqlContext): Promise<DatasetImportGql> {
    const v = await ctx.loaders.datasetVersion.load(input.versionId);
    const d = v ? await ctx.loaders.dataset.load(v.datasetId) : null;
    if (!v || !d) throw notFound(`Dataset version ${input.versionId}`);
    return toImportGql(
      await this.imports.requestImport(principalOf(ctx), v, d.projectId, {
        query: input.query,
        copy: input.copy,
        deidentify: input.deidentify ?? false,
      }),
    );
  }
}

@Resolver(() => DatasetVersionGql)
export class DatasetVersionImportsResolver {
  constructor(private readonly service: DatasetImportsService) {}

  @ResolveField(() => [DatasetImportGql], { description: 'PACS imports into this version, newest first (at most 50)' })
  async imports(@Parent() v: DatasetVersionGql): Promise<DatasetImportGql[]> {
    return (await this.service.ofVersion(v.id)).map(toImportGql);
  }
}
