/** GraphQL shapes of the model registry: registered models, their versions and each version's ONNX validation. */
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsEnum, IsObject, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { GraphQLJSON } from 'graphql-scalars';
import { PageInfoGql } from '../../audit/audit.types';

export enum ModelTaskTypeGql {
  SEGMENTATION = 'segmentation',
  CLASSIFICATION = 'classification',
  DETECTION = 'detection',
}
registerEnumType(ModelTaskTypeGql, { name: 'ModelTaskType' });

export enum ModelValidationStatusGql {
  PENDING = 'pending',
  VALID = 'valid',
  INVALID = 'invalid',
}
registerEnumType(ModelValidationStatusGql, {
  name: 'ModelValidationStatus',
  valuesMap: {
    PENDING: { description: 'Registered; the worker has not validated the ONNX file yet' },
    VALID: { description: 'Loaded and ran with onnxruntime-node, and its outputs fit the spec' },
    INVALID: { description: 'Could not be loaded or run, or does not fit its spec: see reason' },
  },
});

export enum ModelStageGql {
  NONE = 'none',
  STAGING = 'staging',
  CLINICAL = 'clinical',
  RETIRED = 'retired',
}
registerEnumType(ModelStageGql, { name: 'ModelStage' });

@ObjectType('TensorSignature', { description: 'One input or output of an ONNX model; a dynamic dimension is its symbolic name or null' })
export class TensorSignatureGql {
  @Field() name: string;
  @Field({ description: 'ONNX element type, e.g. float32' }) dtype: string;
  @Field(() => [GraphQLJSON], { description: 'Dimensions: a number, a symbolic name (string), or null' }) shape: (number | string | null)[];
}

@ObjectType('ModelValidation', { description: "A version's ONNX validation: written once by the worker, then immutable" })
export class ModelValidationGql {
  @Field(() => ModelValidationStatusGql) status: ModelValidationStatusGql;
  @Field(() => String, { nullable: true, description: 'Why the version is INVALID' }) reason: string | null;
  @Field(() => String, { nullable: true, description: 'The artifact path of the ONNX file validated' }) filePath: string | null;
  @Field(() => String, { nullable: true, description: 'sha256 of the bytes the worker loaded' }) sha256: string | null;
  @Field(() => Int, { nullable: true }) opset: number | null;
  @Field(() => [TensorSignatureGql], { nullable: true }) inputs: TensorSignatureGql[] | null;
  @Field(() => [TensorSignatureGql], { nullable: true }) outputs: TensorSignatureGql[] | null;
  @Field(() => ModelTaskTypeGql, { nullable: true }) taskType: ModelTaskTypeGql | null;
  @Field(() => GraphQLJSON, { nullable: true, description: 'window/level, spacing/size, normalisation' }) preprocessing: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: 'threshold, labels' }) postprocessing: unknown;
  @Field(() => Date, { nullable: true }) validatedAt: Date | null;
}

@ObjectType('ModelVersion')
export class ModelVersionGql {
  @Field(() => ID) id: string;
  @Field(() => ID) registeredModelId: string;
  @Field() modelName: string;
  @Field(() => Int) version: number;
  @Field({ description: 'Where the files came from, as registered (runs:/… or mlflow-artifacts:/…)' }) source: string;
  @Field(() => String, { nullable: true, description: 'MLflow run_id of the source run' }) runId: string | null;
  @Field(() => String, { nullable: true }) artifactPath: string | null;
  @Field(() => String, { nullable: true, description: 'sha256 over the pinned files (path, size, sha256)' }) artifactDigest: string | null;
  @Field(() => ModelStageGql) stage: ModelStageGql;
  @Field() description: string;
  @Field(() => [String]) aliases: string[];
  @Field() createdAt: Date;
  @Field() lastUpdatedAt: Date;
}

@ObjectType('RegisteredModel')
export class RegisteredModelGql {
  @Field(() => ID) id: string;
  @Field(() => ID) projectId: string;
  @Field() name: string;
  @Field(() => String, { nullable: true }) description: string | null;
  @Field() createdAt: Date;
  @Field() lastUpdatedAt: Date;
}

@ObjectType('RegisteredModelEdge')
export class RegisteredModelEdgeGql {
  @Field() cursor: string;
  @Field(() => RegisteredModelGql) node: RegisteredModelGql;
}

@ObjectType('RegisteredModelConnection')
export class RegisteredModelConnectionGql {
  @Field(() => [RegisteredModelEdgeGql]) edges: RegisteredModelEdgeGql[];
  @Field(() => PageInfoGql) pageInfo: PageInfoGql;
}

@InputType()
export class RegisterModelVersionInput {
  @Field(() => ID) @IsUUID() projectId: string;
  @Field({ description: 'The registered model; created if the project has none of that name' })
  @IsString()
  @Length(1, 256)
  modelName: string;
  @Field({ description: 'MLflow run_id of the run that logged the model (32 hex characters)' })
  @Matches(/^[0-9a-f]{32}$/)
  runId: string;
  @Field({ description: "The ONNX file (or its folder) in the run's artifacts, e.g. model/model.onnx" })
  @IsString()
  @Length(1, 1000)
  artifactPath: string;
  @Field(() => ModelTaskTypeGql) @IsEnum(ModelTaskTypeGql) taskType: ModelTaskTypeGql;
  @Field(() => GraphQLJSON, { nullable: true, description: 'window, spacing, size, normalisation (default: none)' })
  @IsOptional()
  @IsObject()
  preprocessing?: Record<string, unknown> | null;
  @Field(() => GraphQLJSON, { description: 'labels (one per output channel or class, background first), threshold' })
  @IsObject()
  postprocessing: Record<string, unknown>;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @Length(0, 5000) description?: string | null;
}
