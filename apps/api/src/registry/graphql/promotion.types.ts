/** GraphQL shapes of signed promotion (issue 14): policies, requests with their gates, evaluation evidence, e-signatures and deployments. */
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import {
  IsBoolean,
  IsEnum,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateNested,
  ArrayMaxSize,
} from 'class-validator';
import { Type } from 'class-transformer';
import { GraphQLJSON } from 'graphql-scalars';
import { PROJECT_ROLES } from '@caliper/domain';
import { ModelStageGql } from './registry.types';

export enum PromotionTargetGql {
  STAGING = 'staging',
  CLINICAL = 'clinical',
  RETIRED = 'retired',
}
registerEnumType(PromotionTargetGql, { name: 'PromotionTarget', description: 'The stage a promotion request moves a version to' });

export enum PromotionStatusGql {
  EVALUATING = 'evaluating',
  AWAITING_SIGNATURES = 'awaiting_signatures',
  APPROVED = 'approved',
  DEPLOYED = 'deployed',
  REJECTED = 'rejected',
  GATE_FAILED = 'gate_failed',
  CANCELLED = 'cancelled',
  DEPLOYMENT_FAILED = 'deployment_failed',
}
registerEnumType(PromotionStatusGql, {
  name: 'PromotionStatus',
  valuesMap: {
    EVALUATING: { description: 'The evaluation gate runs in the worker' },
    AWAITING_SIGNATURES: { description: 'Every gate passed; the required signatures are being collected' },
    APPROVED: { description: 'Signed by every required role; the files are re-hashed and the version deployed' },
    DEPLOYED: { description: 'The version is in the target stage' },
    REJECTED: { description: 'A signer rejected it, with a reason' },
    GATE_FAILED: { description: 'A gate failed: see gates' },
    CANCELLED: { description: 'Withdrawn before a decision' },
    DEPLOYMENT_FAILED: { description: "The version's files were not the ones signed: nothing was deployed" },
  },
});

export enum SignatureMeaningGql {
  REVIEW = 'review',
  APPROVAL = 'approval',
  RESPONSIBILITY = 'responsibility',
}
registerEnumType(SignatureMeaningGql, { name: 'SignatureMeaning', description: 'What the signer states by signing (21 CFR 11.50(a)(3))' });

export enum SignatureDecisionGql {
  APPROVE = 'approve',
  REJECT = 'reject',
}
registerEnumType(SignatureDecisionGql, { name: 'SignatureDecision' });

@ObjectType('AcceptanceCriterion')
export class AcceptanceCriterionGql {
  @Field() metric: string;
  @Field({ description: "'>=' or '<='" }) op: string;
  @Field(() => Float) threshold: number;
}

@ObjectType('PromotionPolicy', { description: 'Gates and signatures a model needs to reach a stage' })
export class PromotionPolicyGql {
  @Field(() => PromotionTargetGql) stage: PromotionTargetGql;
  @Field(() => [String]) requiredRoles: string[];
  @Field(() => Int, { description: 'How many of requiredRoles must sign (each role once)' }) requiredSignatures: number;
  @Field(() => ID, { nullable: true, description: 'The sealed dataset version the evaluation gate runs on' }) testDatasetVersionId:
    string | null;
  @Field(() => [AcceptanceCriterionGql]) acceptance: AcceptanceCriterionGql[];
  @Field() requireCard: boolean;
  @Field({ description: "False while the model uses Caliper's default for this stage" }) configured: boolean;
}

@ObjectType('PromotionGate')
export class PromotionGateGql {
  @Field({ description: 'onnx_validation, model_card or evaluation' }) gate: string;
  @Field({ description: 'pending, passed or failed' }) status: string;
  @Field() detail: string;
}

@ObjectType('CriterionResult')
export class CriterionResultGql extends AcceptanceCriterionGql {
  @Field(() => Float, { nullable: true }) value: number | null;
  @Field() passed: boolean;
}

@ObjectType('ModelEvaluation', { description: 'The evaluation gate: the version run on a sealed test dataset version in the worker' })
export class ModelEvaluationGql {
  @Field(() => ID) id: string;
  @Field({ description: 'queued, running, passed, failed or error' }) status: string;
  @Field(() => ID) datasetVersionId: string;
  @Field(() => GraphQLJSON, { nullable: true, description: 'Metric name -> value' }) metrics: unknown;
  @Field(() => [CriterionResultGql]) criteria: CriterionResultGql[];
  @Field(() => GraphQLJSON, { nullable: true, description: 'Per-label or per-subgroup figures, where the task has them' }) results: unknown;
  @Field(() => Int, { nullable: true }) itemCount: number | null;
  @Field(() => String, { nullable: true }) modelSha256: string | null;
  @Field(() => String, { nullable: true }) manifestSha256: string | null;
  @Field(() => String, { nullable: true }) reason: string | null;
  @Field(() => Date, { nullable: true }) startedAt: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt: Date | null;
}

@ObjectType('ESignature', { description: 'An e-signature: printed name, role, meaning and time, bound to the sha256 of what was signed' })
export class SignatureGql {
  @Field(() => ID) id: string;
  @Field() printedName: string;
  @Field() username: string;
  @Field() role: string;
  @Field(() => SignatureMeaningGql) meaning: SignatureMeaningGql;
  @Field(() => SignatureDecisionGql) decision: SignatureDecisionGql;
  @Field(() => String, { nullable: true }) reason: string | null;
  @Field() signedAt: Date;
  @Field({ description: 'sha256 of (version files + evidence + model card) this signature binds' }) contentSha256: string;
}

@ObjectType('Deployment')
export class DeploymentGql {
  @Field(() => ID) id: string;
  @Field(() => ID) modelVersionId: string;
  @Field(() => Int) version: number;
  @Field(() => ID, { nullable: true }) promotionRequestId: string | null;
  @Field() site: string;
  @Field() mode: string;
  @Field({ description: 'active or ended' }) status: string;
  @Field({ description: "Digest of the version's files as deployed" }) modelSha256: string;
  @Field() startedAt: Date;
  @Field(() => Date, { nullable: true }) endedAt: Date | null;
  @Field(() => String, { nullable: true }) endedReason: string | null;
}

@ObjectType('PersonRef')
export class PersonRefGql {
  @Field(() => ID) id: string;
  @Field() username: string;
  @Field() displayName: string;
}

@ObjectType('PromotionRequest')
export class PromotionRequestGql {
  @Field(() => ID) id: string;
  @Field(() => ID) projectId: string;
  @Field(() => ID) registeredModelId: string;
  @Field() modelName: string;
  @Field(() => ID) modelVersionId: string;
  @Field(() => Int) version: number;
  @Field(() => ModelStageGql) fromStage: ModelStageGql;
  @Field(() => PromotionTargetGql) targetStage: PromotionTargetGql;
  @Field({ description: 'promotion or rollback' }) kind: string;
  @Field() reason: string;
  @Field(() => PersonRefGql) requestedBy: PersonRefGql;
  @Field() requestedAt: Date;
  @Field(() => PromotionStatusGql) status: PromotionStatusGql;
  @Field(() => [String]) requiredRoles: string[];
  @Field(() => Int) requiredSignatures: number;
  @Field(() => [PromotionGateGql]) gates: PromotionGateGql[];
  @Field(() => String, { nullable: true, description: 'Fixed when the gates passed; every signature binds it' }) contentSha256:
    string | null;
  @Field(() => Date, { nullable: true }) decidedAt: Date | null;
  @Field(() => String, { nullable: true }) decisionReason: string | null;
  @Field(() => ID, { nullable: true }) deploymentId: string | null;
}

@InputType()
export class AcceptanceCriterionInput {
  @Field() @IsString() @Length(1, 64) metric: string;
  @Field() @IsIn(['>=', '<=']) op: string;
  @Field(() => Float) @IsNumber({ allowNaN: false, allowInfinity: false }) threshold: number;
}

@InputType()
export class SetPromotionPolicyInput {
  @Field(() => ID) @IsUUID() projectId: string;
  @Field() @IsString() @Length(1, 256) modelName: string;
  @Field(() => PromotionTargetGql) @IsEnum(PromotionTargetGql) stage: PromotionTargetGql;
  @Field(() => [String]) @IsIn(PROJECT_ROLES, { each: true }) @ArrayMaxSize(PROJECT_ROLES.length) requiredRoles: string[];
  @Field(() => Int) @IsInt() @Min(1) @Max(PROJECT_ROLES.length) requiredSignatures: number;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() testDatasetVersionId?: string | null;
  @Field(() => [AcceptanceCriterionInput], { defaultValue: [] })
  @ValidateNested({ each: true })
  @Type(() => AcceptanceCriterionInput)
  @ArrayMaxSize(16)
  acceptance: AcceptanceCriterionInput[];
  @Field({ defaultValue: true }) @IsBoolean() requireCard: boolean;
}

@InputType()
export class RequestPromotionInput {
  @Field(() => ID) @IsUUID() projectId: string;
  @Field() @IsString() @Length(1, 256) modelName: string;
  @Field(() => Int) @IsInt() @Min(1) version: number;
  @Field(() => PromotionTargetGql) @IsEnum(PromotionTargetGql) target: PromotionTargetGql;
  @Field({ defaultValue: '' }) @IsString() @Length(0, 2000) reason: string;
  @Field({ defaultValue: false, description: 'Re-activate a retired version in clinical use (needs a reason)' })
  @IsBoolean()
  rollback: boolean;
}

@InputType()
export class SignPromotionInput {
  @Field(() => ID) @IsUUID() requestId: string;
  @Field({ description: 'Your password, re-entered for this signature' }) @IsString() @Length(0, 1024) password: string;
  @Field(() => SignatureMeaningGql) @IsEnum(SignatureMeaningGql) meaning: SignatureMeaningGql;
  @Field(() => SignatureDecisionGql) @IsEnum(SignatureDecisionGql) decision: SignatureDecisionGql;
  @Field(() => String, { nullable: true, description: 'The role you sign as, when you hold more than one the request needs' })
  @IsOptional()
  @IsString()
  role?: string | null;
  @Field(() => String, { nullable: true, description: 'Required to reject' }) @IsOptional() @IsString() @Length(0, 2000) reason?:
    string | null;
}

@InputType()
export class CancelPromotionInput {
  @Field(() => ID) @IsUUID() requestId: string;
  @Field() @IsString() @Length(1, 2000) reason: string;
}
