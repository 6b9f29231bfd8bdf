/** GraphQL types of run templates (issue 15, item 1). Shapes and sizes are checked here; the typed rules in libs/domain run-templates.ts. */
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsBoolean, IsEnum, IsInt, IsNumber, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { PageInfoGql } from '../audit/audit.types';
import { RunStatusGql } from '../tracking/graphql/tracking.types';

export enum ExecutorKindGql {
  LOCAL = 'local',
  SLURM = 'slurm',
  KUBERNETES = 'kubernetes',
}
registerEnumType(ExecutorKindGql, {
  name: 'ExecutorKind',
  description: 'Where the run executes: LOCAL (a process of the worker), SLURM (an sbatch job), KUBERNETES (a batch/v1 Job)',
});

export enum TemplateParameterTypeGql {
  INT = 'int',
  FLOAT = 'float',
  BOOL = 'bool',
  STRING = 'string',
  CHOICE = 'choice',
}
registerEnumType(TemplateParameterTypeGql, { name: 'TemplateParameterType' });

@ObjectType('TemplateParameter')
export class TemplateParameterGql {
  @Field() name: string;
  @Field(() => TemplateParameterTypeGql) type: TemplateParameterTypeGql;
  @Field({ description: "The default as text, as a launch form shows it ('0.001', 'true', 'dice')" }) default: string;
  @Field(() => Float, { nullable: true }) min: number | null;
  @Field(() => Float, { nullable: true }) max: number | null;
  @Field(() => [String], { nullable: true }) choices: string[] | null;
  @Field(() => String, { nullable: true }) description: string | null;
}

@ObjectType('TemplateResources')
export class TemplateResourcesGql {
  @Field(() => Int) gpus: number;
  @Field(() => Int) cpus: number;
  @Field(() => Int) memoryGb: number;
  @Field(() => Int) wallTimeMinutes: number;
  @Field(() => String, { nullable: true, description: "Slurm partition (or Kubernetes queue); null: the scheduler's default" })
  partition: string | null;
}

@ObjectType('TemplateReference', { description: 'A dataset version or model version a template names' })
export class TemplateReferenceGql {
  @Field(() => ID) id: string;
  @Field({ description: "e.g. 'kidney-ct v3'" }) label: string;
}

@ObjectType('RunTemplateVersion', { description: 'An immutable definition a run is launched from; a change is a new version' })
export class RunTemplateVersionGql {
  @Field(() => ID) id: string;
  @Field(() => ID) templateId: string;
  @Field(() => Int) version: number;
  @Field() description: string;
  @Field() architecture: string;
  @Field(() => TemplateReferenceGql, { nullable: true, description: 'The initial weights (transfer learning), or none' })
  initialModelVersion: TemplateReferenceGql | null;
  @Field(() => TemplateReferenceGql, { nullable: true }) datasetVersion: TemplateReferenceGql | null;
  @Field(() => [TemplateParameterGql]) parameters: TemplateParameterGql[];
  @Field(() => TemplateResourcesGql) resources: TemplateResourcesGql;
  @Field(() => ExecutorKindGql) executor: ExecutorKindGql;
  @Field(() => String, { nullable: true, description: 'Apptainer image (Slurm) or OCI image (Kubernetes)' }) image: string | null;
  @Field(() => [String], { description: "The argument vector; '{name}' stands for a parameter's value, '{run_id}' for the run's id" })
  command: string[];
  @Field() createdBy: string;
  @Field() createdAt: Date;
}

@ObjectType('RunTemplate')
export class RunTemplateGql {
  @Field(() => ID) id: string;
  @Field(() => ID) projectId: string;
  @Field() name: string;
  @Field() createdAt: Date;
}

@ObjectType('LaunchPreviewValue')
export class LaunchPreviewValueGql {
  @Field() name: string;
  @Field({ description: "The value as the command and the run's params get it" }) value: string;
  @Field({ description: "True when the template's default was used" }) isDefault: boolean;
}

@ObjectType('LaunchPreview', { description: 'What a launch with these values would run: every value checked' })
export class LaunchPreviewGql {
  @Field(() => RunTemplateVersionGql) templateVersion: RunTemplateVersionGql;
  @Field(() => [LaunchPreviewValueGql]) values: LaunchPreviewValueGql[];
  @Field(() => [String], { description: "The command with the values in place ('{run_id}' stays until the run exists)" })
  command: string[];
}

@InputType()
export class TemplateParameterInput {
  @Field() @IsString() @MaxLength(64) name: string;
  @Field(() => TemplateParameterTypeGql) @IsEnum(TemplateParameterTypeGql) type: TemplateParameterTypeGql;
  @Field({ description: "As text: '0.001', '10', 'true', 'dice'" }) @IsString() @MaxLength(1000) default: string;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) min?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) max?: number | null;
  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(1000, { each: true })
  choices?: string[] | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(4000) description?: string | null;
}

@InputType()
export class TemplateResourcesInput {
  @Field(() => Int, { defaultValue: 0 }) @IsInt() gpus: number;
  @Field(() => Int, { defaultValue: 1 }) @IsInt() cpus: number;
  @Field(() => Int, { defaultValue: 4 }) @IsInt() memoryGb: number;
  @Field(() => Int, { defaultValue: 60 }) @IsInt() wallTimeMinutes: number;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(64) partition?: string | null;
}

@InputType()
export class RunTemplateDefinitionInput {
  @Field({ defaultValue: '' }) @IsString() @MaxLength(4000) description: string;
  @Field() @IsString() @MaxLength(200) architecture: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() initialModelVersionId?: string | null;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() datasetVersionId?: string | null;
  @Field(() => [TemplateParameterInput], { defaultValue: [] })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => TemplateParameterInput)
  parameters: TemplateParameterInput[];
  @Field(() => TemplateResourcesInput) @ValidateNested() @Type(() => TemplateResourcesInput) resources: TemplateResourcesInput;
  @Field(() => ExecutorKindGql) @IsEnum(ExecutorKindGql) executor: ExecutorKindGql;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(500) image?: string | null;
  @Field(() => [String]) @ArrayMaxSize(100) @IsString({ each: true }) @MaxLength(2000, { each: true }) command: string[];
}

@InputType()
export class CreateRunTemplateInput {
  @Field(() => ID) @IsUUID() projectId: string;
  @Field() @IsString() @MaxLength(100) name: string;
  @Field(() => RunTemplateDefinitionInput) @ValidateNested() @Type(() => RunTemplateDefinitionInput) definition: RunTemplateDefinitionInput;
}

@InputType()
export class AddRunTemplateVersionInput {
  @Field(() => ID) @IsUUID() templateId: string;
  @Field(() => RunTemplateDefinitionInput) @ValidateNested() @Type(() => RunTemplateDefinitionInput) definition: RunTemplateDefinitionInput;
}

@InputType()
export class ParameterValueInput {
  @Field() @IsString() @MaxLength(64) name: string;
  @Field({ description: "As text, read by the parameter's type" }) @IsString() @MaxLength(1000) value: string;
}

@ObjectType('RunExecution', { description: 'How a launched run is executing, as its scheduler last said' })
export class RunExecutionGql {
  @Field(() => ExecutorKindGql) executor: ExecutorKindGql;
  @Field(() => ID) templateVersionId: string;
  @Field(() => String, { nullable: true, description: 'The Slurm job id, Kubernetes Job name or pid; null until submitted' })
  externalId: string | null;
  @Field({ description: "What the scheduler says, e.g. 'pending: Resources'" }) message: string;
  @Field(() => Int, { nullable: true }) exitCode: number | null;
  @Field(() => String, { nullable: true, description: "The last lines of the job's output, once it ended" }) logTail: string | null;
  @Field(() => [String]) command: string[];
  @Field() launchedAt: Date;
  @Field(() => Date, { nullable: true }) submittedAt: Date | null;
  @Field(() => Date, { nullable: true }) endedAt: Date | null;
  @Field(() => Date, { nullable: true }) cancelRequestedAt: Date | null;
}

@ObjectType('TrainingQueueEntry', {
  description: "A launched run in its project's training queue, with how its executor last described it",
})
export class TrainingQueueEntryGql {
  @Field({ description: "The run's id (MLflow's run_id): the run page's address" }) runId: string;
  @Field() runName: string;
  @Field(() => RunStatusGql) status: RunStatusGql;
  @Field(() => ID, { description: "MLflow's experiment_id" }) experimentId: string;
  @Field(() => ID) templateId: string;
  @Field() templateName: string;
  @Field(() => Int) templateVersion: number;
  @Field({ description: 'Display name of the member who launched it' }) launchedBy: string;
  @Field(() => RunExecutionGql) execution: RunExecutionGql;
}

@ObjectType('TrainingQueueEdge')
export class TrainingQueueEdgeGql {
  @Field() cursor: string;
  @Field(() => TrainingQueueEntryGql) node: TrainingQueueEntryGql;
}

@ObjectType('TrainingQueue', {
  description: "A project's launched runs not ended yet (queued, starting, running; lost ones still watched), in launch order",
})
export class TrainingQueueGql {
  @Field(() => [TrainingQueueEdgeGql]) edges: TrainingQueueEdgeGql[];
  @Field(() => PageInfoGql) pageInfo: PageInfoGql;
  @Field(() => Int, { description: 'Launched runs not ended yet (all pages)' }) totalCount: number;
  @Field(() => [TrainingQueueEntryGql], { description: 'The launched runs that ended last, newest end first (as many as asked for)' })
  recentlyEnded: TrainingQueueEntryGql[];
}

@ObjectType('LaunchedRun')
export class LaunchedRunGql {
  @Field({ description: "The new run's id (MLflow's run_id), queued for the worker to submit" }) runId: string;
  @Field(() => ID) experimentId: string;
  @Field() name: string;
}

@InputType()
export class LaunchRunInput {
  @Field(() => ID) @IsUUID() templateVersionId: string;
  @Field(() => String, { nullable: true, description: "The experiment (created when missing); the template's name by default" })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  experimentName?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(250) runName?: string | null;
  @Field(() => [ParameterValueInput], { defaultValue: [] })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ParameterValueInput)
  values: ParameterValueInput[];
}

export enum SweepMethodGql {
  GRID = 'grid',
  RANDOM = 'random',
}
registerEnumType(SweepMethodGql, {
  name: 'SweepMethod',
  description: 'GRID: every combination of the values; RANDOM: `runs` draws, seeded',
});

@InputType()
export class SweepDimensionInput {
  @Field({ description: 'A parameter of the template' }) @IsString() @MaxLength(64) name: string;
  @Field(() => [String], { nullable: true, description: 'GRID: the values to try; RANDOM: draw among these (choice, string, bool)' })
  @IsOptional()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(1000, { each: true })
  values?: string[] | null;
  @Field(() => Float, { nullable: true, description: "RANDOM, numbers: the range (default: the parameter's bounds)" })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  min?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) max?: number | null;
  @Field(() => Boolean, { nullable: true, description: 'RANDOM, float: draw uniformly in log space' }) @IsOptional() @IsBoolean() log?:
    boolean | null;
}

@InputType()
export class LaunchSweepInput {
  @Field(() => ID) @IsUUID() templateVersionId: string;
  @Field(() => SweepMethodGql) @IsEnum(SweepMethodGql) method: SweepMethodGql;
  @Field(() => [SweepDimensionInput])
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => SweepDimensionInput)
  dimensions: SweepDimensionInput[];
  @Field(() => Int, { nullable: true, description: 'RANDOM: how many runs (at most 100)' }) @IsOptional() @IsInt() runs?: number | null;
  @Field(() => String, { nullable: true, description: 'RANDOM: the seed; the same seed draws the same runs' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  seed?: string | null;
  @Field(() => Int, { description: 'At most this many runs of the sweep are submitted at once' }) @IsInt() maxConcurrent: number;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(500) experimentName?: string | null;
  @Field(() => String, { nullable: true, description: "The parent run's name" }) @IsOptional() @IsString() @MaxLength(200) name?:
    string | null;
}

@ObjectType('LaunchedSweep')
export class LaunchedSweepGql {
  @Field(() => ID) sweepId: string;
  @Field({ description: 'The run that stands for the sweep; its runs are its children (MLflow nested runs)' }) parentRunId: string;
  @Field(() => [String]) runIds: string[];
  @Field(() => ID) experimentId: string;
}

@ObjectType('CancelledSweep')
export class CancelledSweepGql {
  @Field(() => ID) sweepId: string;
  @Field(() => [String], { description: 'The runs asked to stop (those not ended yet)' }) cancelledRunIds: string[];
}
