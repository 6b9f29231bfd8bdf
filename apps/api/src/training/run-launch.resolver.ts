/**
 * Launching and cancelling runs over GraphQL (issue 15, item 2), and the `execution` of a run: how
 * its scheduler last described it. The template version of a launch and the run of a cancel are
 * resolved to their projects by the guard's locators and re-checked by the service.
 */
import { badInput } from '@caliper/domain';
import type { QueueEntryRow, RunExecutionRow } from '@caliper/persistence';
import { projectIdAt } from '@caliper/server-kit';
import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Requires } from '../auth/locators';
import { GqlContext, principalOf } from '../graphql/context';
import { decodeCursor, encodeCursor, pageSize, projectOfRun } from '../tracking/graphql/tracking-gql.helpers';
import { RunGql, RunStatusGql } from '../tracking/graphql/tracking.types';
import {
  CancelledSweepGql,
  ExecutorKindGql,
  LaunchedRunGql,
  LaunchedSweepGql,
  LaunchRunInput,
  LaunchSweepInput,
  RunExecutionGql,
  SweepMethodGql,
  TrainingQueueEntryGql,
  TrainingQueueGql,
} from './run-template.types';
import { RunLaunchService } from './run-launch.service';
import { versionProjectAt } from './run-templates.resolver';

export const toExecutionGql = (e: RunExecutionRow): RunExecutionGql => ({
  executor: e.executor as ExecutorKindGql,
  templateVersionId: e.templateVersionId,
  externalId: e.externalId,
  message: e.message,
  exitCode: e.exitCode,
  logTail: e.logTail,
  command: e.command,
  launchedAt: e.launchedAt,
  submittedAt: e.submittedAt,
  endedAt: e.endedAt,
  cancelRequestedAt: e.cancelRequestedAt,
});

export const MAX_QUEUE_PAGE = 100;
export const MAX_RECENTLY_ENDED = 50;

const toQueueEntryGql = (e: QueueEntryRow): TrainingQueueEntryGql => ({
  runId: e.runUuid,
  runName: e.runName,
  status: e.runStatus as RunStatusGql,
  experimentId: e.experimentId,
  templateId: e.templateId,
  templateName: e.templateName,
  templateVersion: e.templateVersion,
  launchedBy: e.launchedByName,
  execution: toExecutionGql(e),
});

/** A queue cursor holds the internal id of the page's last run (the queue's launch order). */
const queueCursor = (e: QueueEntryRow) => encodeCursor([e.runId]);
const afterRunId = (after: string | null | undefined): string | null =>
  after == null
    ? null
    : (decodeCursor(after, 'after', (p) => p.length === 1 && typeof p[0] === 'string' && /^[1-9]\d{0,17}$/.test(p[0]))[0] as string);

@Resolver(() => RunGql)
export class RunLaunchResolver {
  constructor(private readonly launches: RunLaunchService) {}

  @Query(() => TrainingQueueGql, {
    description:
      "The project's training queue: its launched runs not ended yet with what their executors say (a Slurm pending reason, a pod's state), and the launches that ended last",
  })
  @Requires('project.read', projectIdAt('projectId'))
  async trainingQueue(
    @Args('projectId', { type: () => ID }) projectId: string,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Args('recentlyEnded', { type: () => Int, nullable: true, defaultValue: 5, description: `0 to ${MAX_RECENTLY_ENDED}` })
    recentlyEnded: number | null,
    @Context() ctx: GqlContext,
  ): Promise<TrainingQueueGql> {
    const limit = pageSize(first, 'first', 50, MAX_QUEUE_PAGE);
    const ended = recentlyEnded ?? 5;
    if (!Number.isInteger(ended) || ended < 0 || ended > MAX_RECENTLY_ENDED)
      throw badInput('recentlyEnded', `must be between 0 and ${MAX_RECENTLY_ENDED}`);
    const page = await this.launches.queue(principalOf(ctx), projectId, {
      first: limit,
      afterRunId: afterRunId(after),
      recentlyEnded: ended,
    });
    const edges = page.entries.map((e) => ({ cursor: queueCursor(e), node: toQueueEntryGql(e) }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: page.totalCount,
      recentlyEnded: page.recentlyEnded.map(toQueueEntryGql),
    };
  }

  @Mutation(() => LaunchedRunGql, {
    description:
      "Launches a run from a template version: created 'queued' with the values as params; the worker submits it to the executor",
  })
  @Requires('run.write', versionProjectAt('input.templateVersionId'))
  async launchRun(@Args('input') input: LaunchRunInput, @Context() ctx: GqlContext): Promise<LaunchedRunGql> {
    const r = await this.launches.launch(principalOf(ctx), input);
    return { runId: r.runUuid, experimentId: r.experimentId, name: r.name };
  }

  @Mutation(() => LaunchedSweepGql, {
    description:
      "Launches a grid or random sweep over a template version's parameters: child runs of one parent run, at most maxConcurrent at once",
  })
  @Requires('run.write', versionProjectAt('input.templateVersionId'))
  async launchSweep(@Args('input') input: LaunchSweepInput, @Context() ctx: GqlContext): Promise<LaunchedSweepGql> {
    const r = await this.launches.launchSweep(principalOf(ctx), {
      templateVersionId: input.templateVersionId,
      experimentName: input.experimentName,
      name: input.name,
      spec: {
        method: input.method === SweepMethodGql.GRID ? 'grid' : 'random',
        dimensions: input.dimensions.map((d) => ({
          name: d.name,
          values: d.values ?? null,
          min: d.min ?? null,
          max: d.max ?? null,
          log: d.log ?? null,
        })),
        runs: input.runs ?? null,
        seed: input.seed ?? null,
        maxConcurrent: input.maxConcurrent,
      },
    });
    return { sweepId: r.sweepId, parentRunId: r.parentRunUuid, runIds: r.runUuids, experimentId: r.experimentId };
  }

  @Mutation(() => CancelledSweepGql, { description: 'Stops a sweep: its runs not ended yet are cancelled, its parent run killed' })
  @Requires('run.write', projectOfRun)
  async cancelSweep(
    @Args('runId', { description: "The sweep's parent run" }) runId: string,
    @Context() ctx: GqlContext,
  ): Promise<CancelledSweepGql> {
    const r = await this.launches.cancelSweep(principalOf(ctx), runId);
    return { sweepId: r.sweepId, cancelledRunIds: r.cancelled };
  }

  @Mutation(() => RunExecutionGql, {
    description: 'Asks the worker to stop a launched run (scancel, Job deletion or SIGTERM then SIGKILL)',
  })
  @Requires('run.write', projectOfRun)
  async cancelRun(@Args('runId') runId: string, @Context() ctx: GqlContext): Promise<RunExecutionGql> {
    return toExecutionGql(await this.launches.cancel(principalOf(ctx), runId));
  }

  @ResolveField(() => RunExecutionGql, { nullable: true, description: 'For a run launched from a template: how its executor runs it' })
  async execution(@Parent() run: RunGql, @Context() ctx: GqlContext): Promise<RunExecutionGql | null> {
    const e = await ctx.loaders.runExecution.load(run.internalId);
    return e ? toExecutionGql(e) : null;
  }
}
