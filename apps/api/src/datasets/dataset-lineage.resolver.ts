/**
 * A version's lineage over GraphQL: the versions built on it, the runs that used it and the model
 * versions trained from those runs; and, from a run's input, the version it links. These are fields
 * of a version or run the caller already read through an authorised root field, and every read is
 * confined to that version's project (runs link only versions of their own project), batched per
 * request (dataset-lineage.loaders.ts).
 */
import { badInput } from '@caliper/domain';
import { Args, Context, Int, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { GqlContext } from '../graphql/context';
import { fieldErrors } from '../tracking/graphql/tracking-gql.helpers';
import { RunInputGql, RunStatusGql } from '../tracking/graphql/tracking.types';
import { DatasetGql, DatasetVersionGql } from './dataset.types';
import { DatasetVersionModelGql, DatasetVersionRunConnectionGql } from './dataset-lineage.types';
import { toDatasetGql, toVersionGql } from './datasets.resolver';

export const MAX_LINEAGE_PAGE = 100;
const CURSOR_RE = /^[1-9][0-9]{0,18}$/;

function pageSize(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_LINEAGE_PAGE) throw badInput('first', `must be from 1 to ${MAX_LINEAGE_PAGE}`);
  return first;
}

@Resolver(() => DatasetVersionGql)
export class DatasetVersionLineageResolver {
  // Methods are named apart from root fields (the access sweep reads requirements by method name).
  @ResolveField('dataset', () => DatasetGql, { description: 'The dataset this is a version of' })
  async versionDataset(@Parent() v: DatasetVersionGql, @Context() ctx: GqlContext): Promise<DatasetGql> {
    const d = await ctx.loaders.dataset.load(v.datasetId);
    // A version without its dataset cannot exist (foreign key).
    return toDatasetGql(d!);
  }

  @ResolveField('children', () => [DatasetVersionGql], { description: 'Versions built from this one, oldest first (at most 100)' })
  async versionChildren(@Parent() v: DatasetVersionGql, @Context() ctx: GqlContext): Promise<DatasetVersionGql[]> {
    return (await ctx.loaders.datasetVersionChildren.load(v.id)).map(toVersionGql);
  }

  @ResolveField('runs', () => DatasetVersionRunConnectionGql, {
    description: `Active runs whose logged inputs link this version, newest first, at most ${MAX_LINEAGE_PAGE} a page`,
  })
  async versionRuns(
    @Parent() v: DatasetVersionGql,
    @Args('first', { type: () => Int, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true, description: 'endCursor of the previous page' }) after: string | null,
    @Context() ctx: GqlContext,
  ): Promise<DatasetVersionRunConnectionGql> {
    return fieldErrors(async () => {
      const size = pageSize(first);
      if (after != null && !CURSOR_RE.test(after)) throw badInput('after', 'must be an endCursor from a page of runs');
      const [rows, totalCount] = await Promise.all([
        ctx.loaders.datasetVersionRuns.load({ versionId: v.id, limit: size + 1, before: after ?? null }),
        ctx.loaders.datasetVersionRunCount.load(v.id),
      ]);
      const page = rows.slice(0, size);
      return {
        edges: page.map((r) => ({
          cursor: r.internalId,
          node: {
            runId: r.runUuid,
            name: r.name,
            status: r.status as RunStatusGql,
            startTime: r.startTime === null ? null : new Date(r.startTime),
            experimentId: r.experimentId,
            experimentName: r.experimentName,
            createdByName: r.userDisplayName,
          },
        })),
        pageInfo: { hasNextPage: rows.length > size, endCursor: page.at(-1)?.internalId ?? null },
        totalCount,
      };
    });
  }

  @ResolveField('models', () => [DatasetVersionModelGql], {
    description: `Model versions registered from runs that used this version, newest first (at most \`first\`, ${MAX_LINEAGE_PAGE} at most)`,
  })
  async versionModels(
    @Parent() v: DatasetVersionGql,
    @Args('first', { type: () => Int, defaultValue: 20 }) first: number,
    @Context() ctx: GqlContext,
  ): Promise<DatasetVersionModelGql[]> {
    return fieldErrors(async () => {
      const rows = await ctx.loaders.datasetVersionModels.load({ versionId: v.id, limit: pageSize(first) });
      return rows.map((m) => ({
        id: m.modelVersionId,
        modelName: m.modelName,
        version: m.version,
        stage: m.stage,
        status: m.status,
        runId: m.runUuid,
        runName: m.runName,
        createdAt: new Date(m.createdAt),
      }));
    });
  }
}

@Resolver(() => RunInputGql)
export class RunInputDatasetVersionResolver {
  @ResolveField('datasetVersion', () => DatasetVersionGql, {
    nullable: true,
    description: 'The sealed dataset version this input is (a version of the run’s project), when one is linked',
  })
  async inputDatasetVersion(@Parent() i: RunInputGql, @Context() ctx: GqlContext): Promise<DatasetVersionGql | null> {
    const v = i.datasetVersionId ? await ctx.loaders.datasetVersion.load(i.datasetVersionId) : null;
    return v ? toVersionGql(v) : null;
  }
}
