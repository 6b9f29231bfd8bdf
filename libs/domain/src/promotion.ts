/**
 * Signed promotion (issue 14), as pure rules: what a model's promotion policy may say, the model
 * card and when it is complete, the evaluation metrics a task type is judged by and how acceptance
 * criteria are checked, who may sign a request and when a request is approved, and the hash a
 * signature binds. Services call these; the database enforces the same invariants again
 * (migrations/1765800000000-Promotion.ts).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson, JsonValue } from './audit-chain';
import { DomainError } from './errors';
import { isProjectRole, PROJECT_ROLES, ProjectRole } from './access';
import type { ModelStage } from './registry';
import type { ModelTaskType } from './model-spec';

export const PROMOTION_TARGETS = ['staging', 'clinical', 'retired'] as const;
export type PromotionTarget = (typeof PROMOTION_TARGETS)[number];
export function isPromotionTarget(v: string): v is PromotionTarget {
  return (PROMOTION_TARGETS as readonly string[]).includes(v);
}

export const SIGNATURE_MEANINGS = ['review', 'approval', 'responsibility'] as const;
export type SignatureMeaning = (typeof SIGNATURE_MEANINGS)[number];
export const SIGNATURE_DECISIONS = ['approve', 'reject'] as const;
export type SignatureDecision = (typeof SIGNATURE_DECISIONS)[number];

export const PROMOTION_STATUSES = [
  'evaluating',
  'awaiting_signatures',
  'approved',
  'deployed',
  'rejected',
  'gate_failed',
  'cancelled',
  'deployment_failed',
] as const;
export type PromotionStatus = (typeof PROMOTION_STATUSES)[number];
/** Statuses in which a request still holds its version and stage (one open request per pair). */
export const OPEN_PROMOTION_STATUSES: readonly PromotionStatus[] = ['evaluating', 'awaiting_signatures', 'approved'];

// Metrics

/** Metrics the evaluation job computes, by task type; acceptance criteria may name only these. */
export const EVALUATION_METRICS: Record<ModelTaskType, readonly string[]> = {
  segmentation: ['dice', 'iou'],
  classification: ['auc', 'sensitivity', 'specificity', 'accuracy'],
  detection: [],
};

export const acceptanceCriterionSchema = z
  .object({
    metric: z.string().min(1).max(64),
    /** The metric must be at least (>=) or at most (<=) the threshold. */
    op: z.enum(['>=', '<=']),
    threshold: z.number().finite(),
  })
  .strict();
export type AcceptanceCriterion = z.infer<typeof acceptanceCriterionSchema>;

export interface CriterionResult extends AcceptanceCriterion {
  value: number | null;
  passed: boolean;
}

/** Each criterion against the computed metrics; a metric that was not computed fails its criterion. */
export function checkCriteria(metrics: Record<string, number | null>, criteria: readonly AcceptanceCriterion[]): CriterionResult[] {
  return criteria.map((c) => {
    const value = metrics[c.metric];
    const v = typeof value === 'number' && Number.isFinite(value) ? value : null;
    const passed = v !== null && (c.op === '>=' ? v >= c.threshold : v <= c.threshold);
    return { ...c, value: v, passed };
  });
}

// Policy

export const promotionPolicySchema = z
  .object({
    stage: z.enum(PROMOTION_TARGETS),
    requiredRoles: z
      .array(z.enum(PROJECT_ROLES))
      .min(1, 'name at least one role that signs')
      .max(PROJECT_ROLES.length)
      .refine((r) => new Set(r).size === r.length, 'a role is named once'),
    requiredSignatures: z.number().int().min(1, 'at least one signature is required'),
    testDatasetVersionId: z.string().uuid().nullable(),
    acceptance: z.array(acceptanceCriterionSchema).max(16),
    requireCard: z.boolean(),
  })
  .strict()
  .refine((p) => p.requiredSignatures <= p.requiredRoles.length, {
    message: 'requiredSignatures cannot exceed the number of required roles (each signature is by a different role)',
    path: ['requiredSignatures'],
  })
  .refine((p) => p.acceptance.length === 0 || p.testDatasetVersionId !== null, {
    message: 'acceptance criteria need a test dataset version to evaluate on',
    path: ['testDatasetVersionId'],
  })
  .refine((p) => !(p.stage === 'clinical' && p.requiredRoles.length < 2), {
    message: 'clinical use needs at least two signing roles',
    path: ['requiredRoles'],
  });
export type PromotionPolicy = z.infer<typeof promotionPolicySchema>;

/** The policy a model has for a stage until someone sets one (DESIGN.md: clinical = pi + clinical_approver + qa). */
export function defaultPolicy(stage: PromotionTarget): PromotionPolicy {
  switch (stage) {
    case 'clinical':
      return {
        stage,
        requiredRoles: ['pi', 'clinical_approver', 'qa'],
        requiredSignatures: 3,
        testDatasetVersionId: null,
        acceptance: [],
        requireCard: true,
      };
    case 'staging':
      return {
        stage,
        requiredRoles: ['pi', 'clinical_approver', 'qa'],
        requiredSignatures: 1,
        testDatasetVersionId: null,
        acceptance: [],
        requireCard: false,
      };
    case 'retired':
      return { stage, requiredRoles: ['pi', 'qa'], requiredSignatures: 1, testDatasetVersionId: null, acceptance: [], requireCard: false };
  }
}

/** The policy, or a BAD_USER_INPUT naming every problem; criteria must name the task's metrics. */
export function requirePolicy(input: unknown, taskType: ModelTaskType | null): PromotionPolicy {
  const parsed = promotionPolicySchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'policy'}: ${i.message}`);
    throw new DomainError('BAD_USER_INPUT', `Invalid promotion policy: ${problems.join('; ')}.`, { field: 'policy' });
  }
  const policy = parsed.data;
  if (policy.acceptance.length) {
    const known = taskType ? EVALUATION_METRICS[taskType] : [];
    const unknown = policy.acceptance.filter((c) => !known.includes(c.metric)).map((c) => c.metric);
    if (unknown.length) {
      throw new DomainError(
        'BAD_USER_INPUT',
        taskType && known.length
          ? `Invalid promotion policy: acceptance names ${unknown.join(', ')}, but a ${taskType} model is evaluated by ${known.join(', ')}.`
          : `Invalid promotion policy: a ${taskType ?? 'model without a task type'} cannot be evaluated automatically; remove the acceptance criteria or register the version with a segmentation or classification spec.`,
        { field: 'policy.acceptance' },
      );
    }
  }
  return policy;
}

/**
 * Whether a promotion from `from` to `target` makes sense. Rollback re-activates a retired
 * version; promotion never goes back to none, and a version is never promoted to where it is.
 */
export function promotionTargetProblem(from: ModelStage, target: PromotionTarget): DomainError | null {
  if (from === target) return new DomainError('INVALID_STATE', `The version is already in ${target}; nothing to request.`);
  if (target === 'retired' && from === 'none')
    return new DomainError('INVALID_STATE', `The version was never in use; there is nothing to retire (delete it instead).`);
  return null;
}

// Model card

const text = (max: number) => z.string().max(max);
export const modelCardSchema = z
  .object({
    intendedUse: text(10_000),
    outOfScopeUse: text(10_000),
    /** Dataset versions the model was trained and validated on ("dataset vN" names or ids). */
    trainingData: z.array(text(500)).max(50),
    validationData: z.array(text(500)).max(50),
    metrics: z
      .array(
        z.object({ name: text(200).min(1), value: z.number().finite().nullable(), threshold: z.number().finite().nullable() }).strict(),
      )
      .max(100),
    subgroups: z.array(z.object({ group: text(200).min(1), metric: text(200).min(1), value: z.number().finite() }).strict()).max(200),
    limitations: text(10_000),
    changes: text(10_000),
  })
  .strict();
export type ModelCard = z.infer<typeof modelCardSchema>;

export const EMPTY_MODEL_CARD: ModelCard = {
  intendedUse: '',
  outOfScopeUse: '',
  trainingData: [],
  validationData: [],
  metrics: [],
  subgroups: [],
  limitations: '',
  changes: '',
};

export function requireModelCard(input: unknown): ModelCard {
  const parsed = modelCardSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'card'}: ${i.message}`);
    throw new DomainError('BAD_USER_INPUT', `Invalid model card: ${problems.join('; ')}.`, { field: 'card' });
  }
  return parsed.data;
}

/** The sections a card still lacks before it can gate a promotion (empty when complete). */
export function missingCardSections(card: ModelCard | null, isFirstVersion: boolean): string[] {
  if (!card)
    return [
      'intended use',
      'out-of-scope use',
      'training data',
      'metrics',
      'limitations',
      ...(isFirstVersion ? [] : ['changes from the previous version']),
    ];
  const missing: string[] = [];
  if (!card.intendedUse.trim()) missing.push('intended use');
  if (!card.outOfScopeUse.trim()) missing.push('out-of-scope use');
  if (!card.trainingData.some((d) => d.trim())) missing.push('training data');
  if (!card.metrics.length) missing.push('metrics');
  if (!card.limitations.trim()) missing.push('limitations');
  if (!isFirstVersion && !card.changes.trim()) missing.push('changes from the previous version');
  return missing;
}

// Gates

export const GATE_KINDS = ['onnx_validation', 'model_card', 'evaluation'] as const;
export type GateKind = (typeof GATE_KINDS)[number];
export type GateStatus = 'pending' | 'passed' | 'failed';
export interface GateResult {
  gate: GateKind;
  status: GateStatus;
  /** One sentence a signer reads: what was checked and what came out. */
  detail: string;
}

export function gatesOutcome(gates: readonly GateResult[]): GateStatus {
  if (gates.some((g) => g.status === 'failed')) return 'failed';
  if (gates.some((g) => g.status === 'pending')) return 'pending';
  return 'passed';
}

// Signatures

export interface SignatureFacts {
  userId: string;
  role: string;
  decision: SignatureDecision;
}

export interface SigningAttempt {
  status: PromotionStatus;
  requestedBy: string;
  policy: Pick<PromotionPolicy, 'requiredRoles' | 'requiredSignatures'>;
  signatures: readonly SignatureFacts[];
  signerId: string;
  /** The signer's roles in the project. */
  signerRoles: readonly string[];
  /** The role the signer signs as; when omitted, their one eligible role (or a clear error). */
  role: string | null;
  decision: SignatureDecision;
  reason: string | null;
}

/**
 * The role this signature is made in, or a DomainError naming why it may not be made:
 * the request must await signatures; the requester never signs; one person signs once; the role
 * must be one the policy requires, one the signer holds, and not already signed for; a rejection
 * needs a reason.
 */
export function signingRole(a: SigningAttempt): ProjectRole {
  if (a.status !== 'awaiting_signatures') {
    throw new DomainError(
      'INVALID_STATE',
      a.status === 'evaluating'
        ? 'The request is still being evaluated; it can be signed once its gates have passed.'
        : `The request is ${a.status.replace('_', ' ')}; it no longer takes signatures.`,
    );
  }
  if (a.signerId === a.requestedBy)
    throw new DomainError(
      'FORBIDDEN',
      'You requested this promotion, so you cannot sign it (separation of duties): another member must sign.',
    );
  if (a.signatures.some((s) => s.userId === a.signerId))
    throw new DomainError('CONFLICT', 'You have already signed this request; each person signs a request once.');
  if (a.decision === 'reject' && !a.reason?.trim())
    throw new DomainError('BAD_USER_INPUT', 'reason: a rejection needs a reason (it ends the request and is shown to the requester).', {
      field: 'reason',
    });
  const taken = new Set(a.signatures.map((s) => s.role));
  const eligible = a.policy.requiredRoles.filter((r) => a.signerRoles.includes(r) && !taken.has(r));
  if (a.role !== null) {
    if (!isProjectRole(a.role) || !a.policy.requiredRoles.includes(a.role))
      throw new DomainError(
        'BAD_USER_INPUT',
        `role: '${a.role}' is not a role this request needs; it needs ${a.policy.requiredRoles.join(', ')}.`,
        { field: 'role' },
      );
    if (!a.signerRoles.includes(a.role))
      throw new DomainError('FORBIDDEN', `You do not hold the ${a.role} role in this project, so you cannot sign as ${a.role}.`);
    if (taken.has(a.role)) throw new DomainError('CONFLICT', `The ${a.role} signature on this request has already been given.`);
    return a.role;
  }
  if (!eligible.length) {
    const held = a.policy.requiredRoles.filter((r) => a.signerRoles.includes(r));
    throw new DomainError(
      'FORBIDDEN',
      held.length
        ? `Every role you hold that this request needs (${held.join(', ')}) has already signed.`
        : `This request needs a signature by ${a.policy.requiredRoles.join(', ')}; you hold none of those roles in this project.`,
    );
  }
  if (eligible.length > 1)
    throw new DomainError('BAD_USER_INPUT', `role: you hold ${eligible.join(' and ')}; say which role you sign as.`, { field: 'role' });
  return eligible[0] as ProjectRole;
}

/** What the request becomes after its signatures: rejected at the first rejection, approved at N approvals. */
export function signaturesOutcome(
  policy: Pick<PromotionPolicy, 'requiredSignatures'>,
  signatures: readonly SignatureFacts[],
): 'rejected' | 'approved' | 'open' {
  if (signatures.some((s) => s.decision === 'reject')) return 'rejected';
  return new Set(signatures.filter((s) => s.decision === 'approve').map((s) => s.role)).size >= policy.requiredSignatures
    ? 'approved'
    : 'open';
}

/**
 * The sha256 a signature binds: the version's files (their manifest digest), the gate evidence
 * and the model card, as canonical JSON. Any change to one of them changes what would be signed.
 */
export function signedContentSha256(content: {
  modelVersionId: string;
  targetStage: PromotionTarget;
  filesDigest: string | null;
  evidence: JsonValue;
  card: JsonValue;
}): string {
  return createHash('sha256')
    .update(canonicalJson(content as unknown as JsonValue), 'utf8')
    .digest('hex');
}
