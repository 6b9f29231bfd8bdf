/** GraphQL shapes of a version's lineage: the runs that used it and the model versions trained from them. */
import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { PageInfoGql } from '../audit/audit.types';
import { RunStatusGql } from '../tracking/graphql/tracking.types';

@ObjectType('DatasetVersionRun', { description: 'A run whose logged inputs include the version' })
export class DatasetVersionRunGql {
  @Field({ description: "MLflow's run_id (32 hex characters): the run page's address" }) runId: string;
  @Field() name: string;
  @Field(() => RunStatusGql) status: RunStatusGql;
  @Field(() => Date, { nullable: true }) startTime: Date | null;
  @Field(() => ID, { description: "MLflow's experiment_id" }) experimentId: string;
  @Field() experimentName: string;
  @Field(() => String, { nullable: true, description: 'Display name of who created the run' }) createdByName: string | null;
}

@ObjectType('DatasetVersionRunEdge')
export class DatasetVersionRunEdgeGql {
  @Field() cursor: string;
  @Field(() => DatasetVersionRunGql) node: DatasetVersionRunGql;
}

@ObjectType('DatasetVersionRunConnection', { description: 'Runs using a version, newest first' })
export class DatasetVersionRunConnectionGql {
  @Field(() => [DatasetVersionRunEdgeGql]) edges: DatasetVersionRunEdgeGql[];
  @Field(() => PageInfoGql) pageInfo: PageInfoGql;
  @Field(() => Int, { description: 'Active runs using the version (all pages)' }) totalCount: number;
}

@ObjectType('DatasetVersionModel', { description: 'A model version registered from a run that used the dataset version' })
export class DatasetVersionModelGql {
  @Field(() => ID) id: string;
  @Field({ description: 'The registered model' }) modelName: string;
  @Field(() => Int) version: number;
  @Field({ description: 'none, staging, clinical or retired' }) stage: string;
  @Field({ description: "MLflow's registration status (READY, ...)" }) status: string;
  @Field({ description: "The source run's MLflow run_id" }) runId: string;
  @Field() runName: string;
  @Field({ description: 'When it was registered' }) createdAt: Date;
}
