/**
 * Verifying a dataset version over GraphQL: `verifyDatasetVersion` (dataset.write) starts one, or
 * answers the one already running; `DatasetVersion.verifications` lists them newest first with
 * their progress, and each its drift rows, paged.
 */
import { DatasetVerificationDriftEntity, DatasetVerificationEntity } from '@caliper/datasets';
import { notFound } from '@caliper/domain';
import { Args, Context, ID, Int, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Requires } from '../auth/locators';
import { GqlContext, principalOf } from '../graphql/context';
import { DatasetVersionGql } from './dataset.types';
import {
  DatasetDriftKindGql,
  DatasetVerificationDriftGql,
  DatasetVerificationDriftPageGql,
  DatasetVerificationGql,
  DatasetVerificationStatusGql,
} from './dataset-verifications.types';
import { DatasetVerificationsService } from './dataset-verifications.service';
import { projectOfDatasetVersion } from './datasets.locators';

export const toVerificationGql = (v: DatasetVerificationEntity): DatasetVerificationGql => ({
  id: v.id,
  versionId: v.versionId,
  status: v.status as DatasetVerificationStatusGql,
  total: v.total,
  checked: v.checked,
  ok: v.ok,
  changed: v.changed,
  missing: v.missing,
  errors: v.errors,
  error: v.error,
  createdById: v.createdBy,
  createdAt: v.createdAt,
  startedAt: v.startedAt,
  finishedAt: v.finishedAt,
});

const toDriftGql = (d: DatasetVerificationDriftEntity): DatasetVerificationDriftGql => ({
  itemKey: d.itemKey,
  kind: d.kind as DatasetDriftKindGql,
  sopUid: d.sopUid,
  objectKey: d.objectKey,
  expectedSha256: d.expectedSha256,
  actualSha256: d.actualSha256,
  reason: d.reason,
});

@Resolver(() => DatasetVerificationGql)
export class DatasetVerificationsResolver {
  constructor(private readonly service: DatasetVerificationsService) {}

  @Mutation(() => DatasetVerificationGql, {
    description:
      'Re-fetches and re-hashes every item of a version (sealed or draft) in the background and reports drift (see DatasetVersion.verifications); while one is queued or running, answers that one. Needs dataset.write',
  })
  @Requires('dataset.write', projectOfDatasetVersion('versionId'))
  async verifyDatasetVersion(
    @Args('versionId', { type: () => ID }) versionId: string,
    @Context() ctx: GqlContext,
  ): Promise<DatasetVerificationGql> {
    const v = await ctx.loaders.datasetVersion.load(versionId);
    const d = v ? await ctx.loaders.dataset.load(v.datasetId) : null;
    if (!v || !d) throw notFound(`Dataset version ${versionId}`);
    return toVerificationGql(await this.service.request(principalOf(ctx), v, d.projectId));
  }

  @ResolveField(() => DatasetVerificationDriftPageGql, { description: 'Drifted items in key order, 500 at most per page' })
  async drifts(
    @Parent() v: DatasetVerificationGql,
    @Args('first', { type: () => Int, defaultValue: 100 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<DatasetVerificationDriftPageGql> {
    const page = await this.service.drifts(v.id, first, after);
    return { drifts: page.drifts.map(toDriftGql), next: page.next };
  }
}

@Resolver(() => DatasetVersionGql)
export class DatasetVersionVerificationsResolver {
  constructor(private readonly service: DatasetVerificationsService) {}

  @ResolveField(() => [DatasetVerificationGql], {
    description: 'Verifications of this version against its sources, newest first (at most 50)',
  })
  async verifications(
    @Parent() v: DatasetVersionGql,
    @Args('first', { type: () => Int, defaultValue: 10 }) first: number,
  ): Promise<DatasetVerificationGql[]> {
    return (await this.service.ofVersion(v.id, first)).map(toVerificationGql);
  }
}
