/**
 * Datasets over GraphQL: list and read with project.read; create datasets and drafts with
 * dataset.write (researcher, PI); seal with dataset.seal (PI), attesting the de-identification.
 * Every id is resolved once by the guard's locator through the request's loaders, and the handler
 * reads the same cached row.
 */
import { DatasetEntity, DatasetItemEntity, DatasetVersionEntity } from '@caliper/datasets';
import { badInput, notFound } from '@caliper/domain';
import { projectIdAt } from '@caliper/server-kit';
import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Requires } from '../auth/locators';
import { GqlContext, principalOf } from '../graphql/context';
import {
  CreateDatasetInput,
  CreateDatasetVersionInput,
  DatasetDiffGql,
  DatasetGql,
  DatasetItemGql,
  DatasetItemPageGql,
  DatasetSplitGql,
  DatasetSplitModeGql,
  DatasetVersionCountsGql,
  DatasetVersionGql,
  DatasetVersionStateGql,
  SealDatasetVersionInput,
} from './dataset.types';
import { projectOfDataset, projectOfDatasetVersion } from './datasets.locators';
import { DatasetsService } from './datasets.service';

export const MAX_ITEMS_PAGE = 500;

export const toDatasetGql = (d: DatasetEntity): DatasetGql => ({
  id: d.id,
  projectId: d.projectId,
  name: d.name,
  description: d.description,
  createdById: d.createdBy,
  createdAt: d.createdAt,
});

export const toVersionGql = (v: DatasetVersionEntity): DatasetVersionGql => ({
  id: v.id,
  datasetId: v.datasetId,
  number: v.number,
  parentId: v.parentId,
  state: v.state as DatasetVersionStateGql,
  source: v.source,
  labelSet: v.labelSet,
  splitSeed: v.splitSeed,
  splitRatios: v.splitRatios,
  stratifyByLabel: v.stratifyByLabel,
  splitMode: v.splitMode as DatasetSplitModeGql,
  createdById: v.createdBy,
  createdAt: v.createdAt,
  sealedById: v.sealedBy,
  sealedAt: v.sealedAt,
  manifestKey: v.manifestKey,
  manifestSha256: v.manifestSha256,
  deidAttestation:
    v.deidAttestedBy && v.deidMethod && v.deidAttestedAt
      ? { attestedById: v.deidAttestedBy, method: v.deidMethod, summary: v.deidSummary ?? '', attestedAt: v.deidAttestedAt }
      : null,
});

const toItemGql = (i: DatasetItemEntity): DatasetItemGql => ({ ...i, split: i.split as DatasetSplitGql | null });

async function loaded<T>(value: Promise<T | null>, what: string): Promise<T> {
  const v = await value;
  if (!v) throw notFound(what);
  return v;
}

@Resolver(() => DatasetGql)
export class DatasetsResolver {
  constructor(private readonly service: DatasetsService) {}

  @Query(() => [DatasetGql], { description: "A project's datasets by name (at most 500)" })
  @Requires('project.read', projectIdAt('projectId'))
  async datasets(@Args('projectId', { type: () => ID }) projectId: string): Promise<DatasetGql[]> {
    return (await this.service.list(projectId)).map(toDatasetGql);
  }

  @Query(() => DatasetGql)
  @Requires('project.read', projectOfDataset('id'))
  async dataset(@Args('id', { type: () => ID }) id: string, @Context() ctx: GqlContext): Promise<DatasetGql> {
    return toDatasetGql(await loaded(ctx.loaders.dataset.load(id), `Dataset ${id}`));
  }

  @Query(() => DatasetVersionGql)
  @Requires('project.read', projectOfDatasetVersion('id'))
  async datasetVersion(@Args('id', { type: () => ID }) id: string, @Context() ctx: GqlContext): Promise<DatasetVersionGql> {
    return toVersionGql(await loaded(ctx.loaders.datasetVersion.load(id), `Dataset version ${id}`));
  }

  @Query(() => DatasetDiffGql, { description: 'What changed from one version of a dataset to another: counts per kind and the first rows' })
  @Requires('project.read', projectOfDatasetVersion('fromId'))
  async datasetVersionDiff(
    @Args('fromId', { type: () => ID }) fromId: string,
    @Args('toId', { type: () => ID }) toId: string,
    @Args('first', { type: () => Int, defaultValue: 100 }) first: number,
    @Context() ctx: GqlContext,
  ): Promise<DatasetDiffGql> {
    const from = await loaded(ctx.loaders.datasetVersion.load(fromId), `Dataset version ${fromId}`);
    const to = await ctx.loaders.datasetVersion.load(toId);
    // The second version must be of the same dataset (so of the project the guard checked).
    if (!to || to.datasetId !== from.datasetId) throw notFound(`Dataset version ${toId} of the same dataset`);
    const d = await this.service.diff(from, to, first);
    return { counts: { ...d.counts, unchanged: d.unchanged }, rows: d.rows as DatasetDiffGql['rows'] };
  }

  @ResolveField(() => [DatasetVersionGql], { description: 'Versions, newest first (at most 500)' })
  async versions(@Parent() d: DatasetGql): Promise<DatasetVersionGql[]> {
    return (await this.service.versions(d.id)).map(toVersionGql);
  }

  @Mutation(() => DatasetGql, { description: 'Creates a dataset. Needs dataset.write (researcher or PI)' })
  @Requires('dataset.write', projectIdAt('input.projectId'))
  async createDataset(@Args('input') input: CreateDatasetInput, @Context() ctx: GqlContext): Promise<DatasetGql> {
    return toDatasetGql(await this.service.create(principalOf(ctx), input));
  }

  @Mutation(() => DatasetVersionGql, {
    description:
      'Creates a draft version: empty, or from a sealed parent with items removed or relabelled and optionally resplit. Needs dataset.write',
  })
  @Requires('dataset.write', projectOfDataset('input.datasetId'))
  async createDatasetVersion(@Args('input') input: CreateDatasetVersionInput, @Context() ctx: GqlContext): Promise<DatasetVersionGql> {
    const dataset = await loaded(ctx.loaders.dataset.load(input.datasetId), `Dataset ${input.datasetId}`);
    return toVersionGql(
      await this.service.createVersion(principalOf(ctx), dataset, {
        datasetId: dataset.id,
        parentVersionId: input.parentVersionId,
        splitSeed: input.splitSeed,
        splitRatios: input.splitRatios,
        stratifyByLabel: input.stratifyByLabel,
        removeItemKeys: input.removeItemKeys ?? [],
        relabel: (input.relabel ?? []).map((r) => ({ itemKey: r.itemKey, label: r.label ?? null })),
        resplit: input.resplit ?? false,
      }),
    );
  }

  @Mutation(() => DatasetVersionGql, {
    description:
      'Seals a draft: writes its manifest with its sha256 and records the de-identification attestation. Needs dataset.seal (PI)',
  })
  @Requires('dataset.seal', projectOfDatasetVersion('input.versionId'))
  async sealDatasetVersion(@Args('input') input: SealDatasetVersionInput, @Context() ctx: GqlContext): Promise<DatasetVersionGql> {
    const v = await loaded(ctx.loaders.datasetVersion.load(input.versionId), `Dataset version ${input.versionId}`);
    const dataset = await loaded(ctx.loaders.dataset.load(v.datasetId), `Dataset ${v.datasetId}`);
    return toVersionGql(await this.service.seal(principalOf(ctx), dataset.projectId, { ...input, versionId: v.id }));
  }

  @Mutation(() => Boolean, {
    description: 'Deletes a draft version and its items (sealed versions cannot be deleted). Needs dataset.write',
  })
  @Requires('dataset.write', projectOfDatasetVersion('versionId'))
  async deleteDatasetVersion(@Args('versionId', { type: () => ID }) versionId: string, @Context() ctx: GqlContext): Promise<boolean> {
    const v = await loaded(ctx.loaders.datasetVersion.load(versionId), `Dataset version ${versionId}`);
    const dataset = await loaded(ctx.loaders.dataset.load(v.datasetId), `Dataset ${v.datasetId}`);
    return this.service.deleteDraft(principalOf(ctx), dataset.projectId, v.id);
  }
}

@Resolver(() => DatasetVersionGql)
export class DatasetVersionFieldsResolver {
  constructor(private readonly datasets: DatasetsService) {}

  @ResolveField(() => DatasetVersionCountsGql, { description: 'Items, patients, studies and series, per split, modality and label' })
  async counts(@Parent() v: DatasetVersionGql): Promise<DatasetVersionCountsGql> {
    const c = await this.datasets.counts(v.id);
    return {
      ...c,
      bySplit: c.bySplit.map((s) => ({ ...s, split: s.split as DatasetSplitGql | null })),
      byModality: c.byModality.map((x) => ({ value: x.modality, items: x.items })),
      byLabel: c.byLabel.map((x) => ({ value: x.label, items: x.items })),
    };
  }

  @ResolveField(() => DatasetItemPageGql, { description: `Items in key order, ${MAX_ITEMS_PAGE} at most per page` })
  async items(
    @Parent() v: DatasetVersionGql,
    @Args('first', { type: () => Int, defaultValue: 100 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Args('split', { type: () => DatasetSplitGql, nullable: true }) split: DatasetSplitGql | null,
  ): Promise<DatasetItemPageGql> {
    if (first < 1 || first > MAX_ITEMS_PAGE) throw badInput('first', `must be from 1 to ${MAX_ITEMS_PAGE}`);
    const rows = await this.datasets.items(v.id, { first: first + 1, after, split: split as DatasetItemEntity['split'] });
    const page = rows.slice(0, first);
    return { items: page.map(toItemGql), next: rows.length > first ? (page[page.length - 1]?.itemKey ?? null) : null };
  }
}
