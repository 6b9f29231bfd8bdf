/**
 * `Run.sweep`: the sweep a run leads (its parent run) or belongs to (a child run), so the compare
 * page can open all of a sweep's runs from its parent and show them as one group with the
 * parameters the sweep varies. The run was authorised by the query that returned it; a sweep's
 * runs are launched in that run's project, which the answer is checked against all the same.
 */
import DataLoader from 'dataloader';
import { Injectable } from '@nestjs/common';
import { Context, Field, ID, Int, ObjectType, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { RunSweepRow, RunSweepsRepository } from '@caliper/persistence';
import { GqlContext } from '../graphql/context';
import { LoaderFactory, RequestLoaders } from '../graphql/loaders';
import { RunGql } from '../tracking/graphql/tracking.types';
import { SweepMethodGql } from './run-template.types';

declare module '../graphql/loaders' {
  interface Loaders {
    /** By the run's internal id: the sweep it leads or belongs to. */
    runSweep: DataLoader<string, RunSweepRow | null>;
  }
}

@ObjectType('RunSweep', {
  description: "A sweep (issue 15): child runs of one parent run, each with other values of the sweep's parameters",
})
export class RunSweepGql {
  @Field(() => ID) id: string;
  @Field({ description: "The parent run's name" }) name: string;
  @Field({ description: "The parent run's runId" }) parentRunId: string;
  @Field(() => SweepMethodGql) method: SweepMethodGql;
  @Field(() => [String], { description: 'The parameters the sweep varies, in the order its spec names them' }) sweptParameters: string[];
  @Field(() => [String], { description: "The runIds of the sweep's active child runs, in launch order" }) runIds: string[];
  @Field(() => Int, { description: 'How many runs the sweep launched' }) runCount: number;
  @Field(() => Int) maxConcurrent: number;
}

@Injectable()
@RequestLoaders()
export class RunSweepLoaders implements LoaderFactory {
  constructor(private readonly sweeps: RunSweepsRepository) {}

  create() {
    return {
      runSweep: new DataLoader<string, RunSweepRow | null>(async (ids) => {
        const rows = await this.sweeps.ofRuns(ids);
        return ids.map((id) => rows.find((r) => r.runId === id) ?? null);
      }),
    };
  }
}

@Resolver(() => RunGql)
export class RunSweepResolver {
  @ResolveField(() => RunSweepGql, {
    nullable: true,
    description: 'The sweep this run leads (its parent run) or belongs to; null for other runs',
  })
  async sweep(@Parent() run: RunGql, @Context() ctx: GqlContext): Promise<RunSweepGql | null> {
    const s = await ctx.loaders.runSweep.load(run.internalId);
    if (!s || s.projectId !== run.projectId) return null;
    return {
      id: s.id,
      name: s.parentName,
      parentRunId: s.parentUuid,
      method: s.method as SweepMethodGql,
      sweptParameters: s.sweptParameters,
      runIds: s.runUuids,
      runCount: s.runCount,
      maxConcurrent: s.maxConcurrent,
    };
  }
}
