/** Signed promotion in plain words: request statuses, gates, signature meanings and roles as the pages print them. */
import type { PromotionStatus, PromotionTarget, SignatureMeaning } from '../gql/graphql';
import { projectRoleLabel } from '../ui/roles';

export const STATUS_WORDS: Record<PromotionStatus, { label: string; explain: string; tone: 'ok' | 'bad' | 'active' | 'neutral' }> = {
  EVALUATING: { label: 'Evaluating', explain: 'The worker is running the version on the sealed test dataset.', tone: 'active' },
  AWAITING_SIGNATURES: {
    label: 'Awaiting signatures',
    explain: 'Every gate passed; the required signatures are being collected.',
    tone: 'active',
  },
  APPROVED: {
    label: 'Approved, deploying',
    explain: "Every required role signed; the version's files are re-hashed and it is being deployed.",
    tone: 'active',
  },
  DEPLOYED: { label: 'Deployed', explain: 'The version is in the target stage.', tone: 'ok' },
  REJECTED: { label: 'Rejected', explain: 'A signer rejected the request; it is closed.', tone: 'bad' },
  GATE_FAILED: { label: 'Gate failed', explain: 'A gate failed, so the request cannot be signed.', tone: 'bad' },
  CANCELLED: { label: 'Cancelled', explain: 'Withdrawn before a decision.', tone: 'neutral' },
  DEPLOYMENT_FAILED: {
    label: 'Deployment failed',
    explain: "The version's files were not the ones signed: nothing was deployed.",
    tone: 'bad',
  },
};

export const STAGE_WORDS: Record<string, string> = {
  NONE: 'no stage',
  STAGING: 'staging',
  CLINICAL: 'clinical use',
  RETIRED: 'retired',
};

export const stageWords = (stage: string): string => STAGE_WORDS[stage] ?? stage.toLowerCase();

export const TARGETS: readonly PromotionTarget[] = ['STAGING', 'CLINICAL', 'RETIRED'];

export const GATE_WORDS: Record<string, string> = {
  onnx_validation: 'ONNX validation',
  model_card: 'Model card',
  evaluation: 'Evaluation on the sealed test set',
};

export const MEANING_WORDS: Record<SignatureMeaning, { label: string; explain: string }> = {
  REVIEW: {
    label: 'Review',
    explain: 'You have reviewed the version and its evidence.',
  },
  APPROVAL: {
    label: 'Approval',
    explain: 'You approve the version for the target stage.',
  },
  RESPONSIBILITY: {
    label: 'Responsibility',
    explain: 'You take responsibility for the version in the target stage.',
  },
};

export const MEANINGS = Object.keys(MEANING_WORDS) as SignatureMeaning[];

/** 'clinical_approver' → 'Clinical approver' (requests name roles in the domain's lowercase form). */
export const roleWords = (role: string): string => projectRoleLabel(role.toUpperCase());

/** Statuses in which a request is still open (the page polls, the requester may cancel). */
export const isUndecided = (status: PromotionStatus): boolean => status === 'EVALUATING' || status === 'AWAITING_SIGNATURES';
