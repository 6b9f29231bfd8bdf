/** GraphQL types of metric directions (whether a metric is better low or high) and of a metric's best value. */
import { Field, Float, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsEnum, IsOptional, IsString, IsUUID, Length } from 'class-validator';

export enum MetricDirectionGql {
  MIN = 'min',
  MAX = 'max',
}
registerEnumType(MetricDirectionGql, { name: 'MetricDirection', description: 'Whether a metric is better low (MIN) or high (MAX)' });

@ObjectType('MetricBest', {
  description: "A series' best finite value by its project's direction for the key, and the first step it was reached at",
})
export class MetricBestGql {
  @Field(() => Float) value: number;
  @Field(() => Float) step: number;
  @Field(() => MetricDirectionGql) direction: MetricDirectionGql;
}

@ObjectType('MetricDirectionSetting', { description: "A metric key's direction in a project" })
export class MetricDirectionSettingGql {
  @Field(() => ID, { description: 'The project id and the key' }) id: string;
  @Field() key: string;
  @Field(() => MetricDirectionGql) direction: MetricDirectionGql;
  @Field({
    description: "True when nobody set it: the default from the key's name (loss, error, mae, hd95 → MIN; dice, acc, auc, iou, f1 → MAX)",
  })
  isDefault: boolean;
}

/** MLflow's limit on a metric key's length. */
export const MAX_METRIC_KEY = 250;
export const MAX_DIRECTION_KEYS = 1000;

@InputType()
export class SetMetricDirectionInput {
  @Field(() => ID) @IsUUID(undefined, { message: 'projectId must be a project id (a UUID)' }) projectId: string;
  @Field({ description: 'A metric key logged in the project' })
  @IsString()
  @Length(1, MAX_METRIC_KEY, { message: `key must be 1 to ${MAX_METRIC_KEY} characters` })
  key: string;
  @Field(() => MetricDirectionGql, { nullable: true, description: "null goes back to the default from the key's name" })
  @IsOptional()
  @IsEnum(MetricDirectionGql, { message: 'direction must be MIN or MAX' })
  direction: MetricDirectionGql | null;
}
