/** GraphQL shapes of a model version's card: the card, its state, and the update input. */
import { Field, Float, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { IsObject, IsString, IsUUID, Length, Min } from 'class-validator';
import { GraphQLJSON } from 'graphql-scalars';

@ObjectType('ModelCardMetric')
export class ModelCardMetricGql {
  @Field() name: string;
  @Field(() => Float, { nullable: true }) value: number | null;
  @Field(() => Float, { nullable: true, description: 'The value the metric must reach for the intended use' }) threshold: number | null;
}

@ObjectType('ModelCardSubgroup')
export class ModelCardSubgroupGql {
  @Field({ description: 'e.g. "age >= 65", "scanner: Siemens"' }) group: string;
  @Field() metric: string;
  @Field(() => Float) value: number;
}

@ObjectType('ModelCardContent', { description: 'The sections of a model card' })
export class ModelCardContentGql {
  @Field() intendedUse: string;
  @Field() outOfScopeUse: string;
  @Field(() => [String], { description: 'Dataset versions the model was trained on' }) trainingData: string[];
  @Field(() => [String]) validationData: string[];
  @Field(() => [ModelCardMetricGql]) metrics: ModelCardMetricGql[];
  @Field(() => [ModelCardSubgroupGql]) subgroups: ModelCardSubgroupGql[];
  @Field() limitations: string;
  @Field({ description: 'Changes from the previous version' }) changes: string;
}

@ObjectType('ModelCard', { description: "A version's model card: editable until the first promotion signature locks it" })
export class ModelCardGql extends ModelCardContentGql {
  @Field(() => [String], { description: 'Sections still needed before the card can pass the promotion gate (empty when complete)' })
  missingSections: string[];
  @Field({ description: 'Signed: the card can no longer change' }) locked: boolean;
  @Field(() => Date, { nullable: true }) lockedAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'Last edit (null when never edited)' }) updatedAt: Date | null;
  @Field(() => String, { nullable: true, description: 'Display name of who edited it last' }) updatedBy: string | null;
}

@InputType()
export class UpdateModelCardInput {
  @Field(() => ID) @IsUUID() projectId: string;
  @Field() @IsString() @Length(1, 256) modelName: string;
  @Field(() => Int) @Min(1) version: number;
  @Field(() => GraphQLJSON, {
    description:
      'The whole card: { intendedUse, outOfScopeUse, trainingData: [String], validationData: [String], metrics: [{ name, value, threshold }], subgroups: [{ group, metric, value }], limitations, changes }',
  })
  @IsObject()
  card: Record<string, unknown>;
}
