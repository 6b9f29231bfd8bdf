/**
 * GraphQL types for experiments, runs and metrics as the web app reads them.
 *
 * Metric values: GraphQL's Float cannot carry NaN or ±Infinity, which MLflow allows (a diverging
 * loss is worth seeing). Every value therefore travels as a nullable Float plus a parallel
 * `nonFinite` marker: `value: null, nonFinite: "NaN"` (or "Infinity", "-Infinity"); for finite
 * values `nonFinite` is null. Histories use parallel lists (steps[i], timestamps[i], values[i],
 * nonFinite[i]) so a 100 000-point curve stays compact.
 */
import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { PageInfoGql } from '../../audit/audit.types';

export enum RunStatusGql {
  QUEUED = 'queued',
  STARTING = 'starting',
  RUNNING = 'running',
  FINISHED = 'finished',
  FAILED = 'failed',
  KILLED = 'killed',
  LOST = 'lost',
}
export enum MlflowRunStatusGql {
  SCHEDULED = 'SCHEDULED',
  RUNNING = 'RUNNING',
  FINISHED = 'FINISHED',
  FAILED = 'FAILED',
  KILLED = 'KILLED',
}
registerEnumType(RunStatusGql, { name: 'RunStatus', description: "Caliper's run status (finer than MLflow's: starting, lost)" });
registerEnumType(MlflowRunStatusGql, { name: 'MlflowRunStatus', description: 'The status an MLflow client sees' });

/** "NaN", "Infinity" or "-Infinity" for a value Float cannot carry, else null. */
export type NonFiniteMarker = 'NaN' | 'Infinity' | '-Infinity';

@ObjectType('KeyValue')
export class KeyValueGql {
  @Field() key: string;
  @Field() value: string;
}

@ObjectType('MetricExtreme', { description: "A series' lowest or highest finite value and the first step it was reached at" })
export class MetricExtremeGql {
  @Field(() => Float) value: number;
  @Field(() => Float) step: number;
}

@ObjectType('LatestMetric', { description: 'The latest point of a metric (highest step, then timestamp, then value)' })
export class LatestMetricGql {
  /** The run's project: whose metric directions choose `best`. */
  projectId: string;
  @Field() key: string;
  @Field(() => Float, { nullable: true, description: 'Null when the value is not finite: see nonFinite' }) value: number | null;
  @Field(() => String, { nullable: true, description: '"NaN", "Infinity" or "-Infinity" when value is null' })
  nonFinite: NonFiniteMarker | null;
  @Field(() => Float) step: number;
  @Field(() => Float, { description: 'Epoch milliseconds' }) timestamp: number;
  @Field(() => MetricExtremeGql, { nullable: true, description: 'The lowest finite value; null while the series has none' })
  min: MetricExtremeGql | null;
  @Field(() => MetricExtremeGql, { nullable: true, description: 'The highest finite value; null while the series has none' })
  max: MetricExtremeGql | null;
}

@ObjectType('MetricHistory', { description: 'One page of a metric history as parallel lists, ordered by step, then timestamp, then value' })
export class MetricHistoryGql {
  @Field() key: string;
  @Field(() => [Float]) steps: number[];
  @Field(() => [Float], { description: 'Epoch milliseconds' }) timestamps: number[];
  @Field(() => [Float], { nullable: 'items', description: 'Null where the value is not finite: see nonFinite at the same index' }) values: (
    number | null
  )[];
  @Field(() => [String], { nullable: 'items', description: '"NaN", "Infinity" or "-Infinity" where values[i] is null, else null' })
  nonFinite: (NonFiniteMarker | null)[];
  @Field(() => PageInfoGql) pageInfo: PageInfoGql;
}

@ObjectType('RunInput', { description: 'A dataset or model the run consumed' })
export class RunInputGql {
  @Field() kind: string;
  @Field() name: string;
  @Field() digest: string;
  @Field(() => ID, { nullable: true, description: 'The sealed dataset version this input is, when its source or digest names one' })
  datasetVersionId: string | null;
  @Field(() => GraphQLJSON, { description: 'The descriptor as logged (MLflow: source_type, source, schema, profile, tags)' })
  descriptor: unknown;
  @Field() createdAt: Date;
}

@ObjectType('RunLogLine')
export class RunLogLineGql {
  @Field(() => ID) id: string;
  @Field() time: Date;
  @Field() stream: string;
  @Field() line: string;
}

@ObjectType('RunLogPage', {
  description:
    'Log lines oldest first. pageInfo.endCursor (the last line read) as `after` reads on; earlierCursor as `before` of logTail reads back',
})
export class RunLogPageGql {
  @Field(() => [RunLogLineGql]) lines: RunLogLineGql[];
  @Field(() => PageInfoGql) pageInfo: PageInfoGql;
  @Field({ description: 'Whether lines were written before the first one here' }) hasEarlier: boolean;
  @Field(() => String, { nullable: true, description: 'The first line here; null when there are none' }) earlierCursor: string | null;
}

@ObjectType('Run')
export class RunGql {
  internalId: string;
  experimentId: string;
  projectId: string;
  userId: string | null;
  parentInternalId: string | null;
  @Field({ description: "MLflow's run_id (32 hex characters)" }) runId: string;
  @Field() name: string;
  @Field(() => RunStatusGql) status: RunStatusGql;
  @Field(() => MlflowRunStatusGql) mlflowStatus: MlflowRunStatusGql;
  @Field({ description: 'active or deleted' }) lifecycleStage: string;
  @Field(() => Date, { nullable: true }) startTime: Date | null;
  @Field(() => Date, { nullable: true }) endTime: Date | null;
  @Field(() => Float, { nullable: true, description: 'endTime - startTime in milliseconds; null while the run has not ended' }) durationMs:
    number | null;
  @Field() artifactUri: string;
  @Field(() => String, { nullable: true }) gitCommit: string | null;
  @Field(() => String, { nullable: true }) gitRepo: string | null;
  @Field(() => String, { nullable: true }) imageDigest: string | null;
  @Field(() => Date, { nullable: true }) heartbeatAt: Date | null;
  @Field(() => [KeyValueGql], { description: 'Sorted by key' }) params: KeyValueGql[];
  @Field(() => [KeyValueGql], { description: 'Sorted by key' }) tags: KeyValueGql[];
  @Field(() => [LatestMetricGql], { description: 'Sorted by key' }) latestMetrics: LatestMetricGql[];
  @Field(() => [RunInputGql]) inputs: RunInputGql[];
}

@ObjectType('RunEdge')
export class RunEdgeGql {
  @Field() cursor: string;
  @Field(() => RunGql) node: RunGql;
}

@ObjectType('RunConnection')
export class RunConnectionGql {
  @Field(() => [RunEdgeGql]) edges: RunEdgeGql[];
  @Field(() => PageInfoGql) pageInfo: PageInfoGql;
  @Field(() => Int, { description: 'Active runs matching the filter (all pages)' }) totalCount: number;
}

@ObjectType('RunColumnKeys', {
  description: 'The keys logged by the active runs in scope, sorted: the columns a runs table can show and a filter can name',
})
export class RunColumnKeysGql {
  @Field(() => [String]) params: string[];
  @Field(() => [String], { description: 'Including system metrics (system/…); clients leave them out of default columns' })
  metrics: string[];
  @Field(() => [String]) tags: string[];
}

@ObjectType('RunGroup', { description: 'The runs of the table that hold one value of the grouping key' })
export class RunGroupGql {
  @Field(() => String, { nullable: true, description: 'The param or tag value; null for runs without the key' }) value: string | null;
  @Field(() => Int) count: number;
}

@ObjectType('RunGroups', {
  description: "A runs table's groups over every matching run (not only the loaded pages), in the table's ascending order for the key",
})
export class RunGroupsGql {
  @Field(() => [RunGroupGql]) groups: RunGroupGql[];
  @Field(() => Boolean, { description: 'More distinct values than listed (the first 500 are)' }) truncated: boolean;
}

@ObjectType('Experiment')
export class ExperimentGql {
  projectId: string;
  @Field(() => ID, { description: "MLflow's experiment_id" }) id: string;
  @Field() name: string;
  @Field({ description: 'active or deleted' }) lifecycleStage: string;
  @Field({ description: "The project's Default experiment (MLflow's experiment 0)" }) isDefault: boolean;
  @Field() artifactLocation: string;
  @Field() createdAt: Date;
  @Field() lastUpdatedAt: Date;
}
