/**
 * Launching and cancelling runs over GraphQL (issue 15, item 2), and the `execution` of a run: how
 * its scheduler last described it. The template version of a launch and the run of a cancel are
 * resolved to their projects by the guard's locators and re-checked by the service.
 */
import type { RunExecutionRow } from '@caliper/persistence';
import { Args, Context, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Requires } from '../auth/locators';
import { GqlContext, principalOf } from '../graphql/context';
import { projectOfRun } from '../tracking/graphql/tracking-gql.helpers';
import { RunGql } from '../tracking/graphql/tracking.types';
import {
  CancelledSweepGql,
  ExecutorKindGql,
  LaunchedRunGql,
  LaunchedSweepGql,
  LaunchRunInput,
  LaunchSweepInput,
  RunExecutionGql,
  SweepMethodGql,
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

@Resolver(() => RunGql)
export class RunLaunchResolver {
  constructor(private readonly launches: RunLaunchService) {}

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
