/**
 * Settling a promotion request's gates, shared by the API (a request whose gates are all decided
 * when it is opened) and the worker (when the evaluation job finishes). Inside the caller's
 * transaction, with the request row locked by the caller:
 * - any gate failed: the request ends as gate_failed (audited 'promotion.gates_failed');
 * - every gate passed: the request awaits signatures, and the hash that every signature will bind
 *   is fixed now: sha256 over the version's files digest, the gate evidence and the model card
 *   (audited 'promotion.gates_passed' with that hash);
 * - a gate still pending: only the gates are stored.
 */
import { EntityManager } from 'typeorm';
import { EMPTY_MODEL_CARD, GateResult, gatesOutcome, JsonValue, signedContentSha256 } from '@caliper/domain';
import { AuditRepository } from './audit.repository';
import { PromotionRepository, PromotionRequestRow } from './repositories/promotion.repository';
import { ModelVersionEntity } from './entities/registry.entity';

export interface GateActor {
  actorId: string | null;
  actorLabel: string;
}

export async function settleGates(
  m: EntityManager,
  deps: { promotion: PromotionRepository; audit: AuditRepository },
  request: PromotionRequestRow,
  gates: GateResult[],
  projectId: string,
  actor: GateActor,
): Promise<PromotionRequestRow> {
  const outcome = gatesOutcome(gates);
  if (outcome === 'pending') return deps.promotion.updateRequest(m, request.id, { gates });
  if (outcome === 'failed') {
    const failed = gates.filter((g) => g.status === 'failed');
    const updated = await deps.promotion.updateRequest(m, request.id, {
      gates,
      status: 'gate_failed',
      decidedAt: new Date(),
      decisionReason: failed.map((g) => g.detail).join(' '),
    });
    await deps.audit.append(m, {
      ...actor,
      action: 'promotion.gates_failed',
      entityType: 'promotion_request',
      entityId: request.id,
      projectId,
      after: { status: 'gate_failed', gates: gates as unknown as JsonValue },
    });
    return updated;
  }
  const contentSha256 = await signedContentOf(m, deps.promotion, request, gates);
  const updated = await deps.promotion.updateRequest(m, request.id, { gates, status: 'awaiting_signatures', contentSha256 });
  await deps.audit.append(m, {
    ...actor,
    action: 'promotion.gates_passed',
    entityType: 'promotion_request',
    entityId: request.id,
    projectId,
    after: { status: 'awaiting_signatures', contentSha256, gates: gates as unknown as JsonValue },
  });
  return updated;
}

/** The sha256 a signature on this request binds (version files, evidence, card), as it is now. */
export async function signedContentOf(
  m: EntityManager,
  promotion: PromotionRepository,
  request: PromotionRequestRow,
  gates: GateResult[],
): Promise<string> {
  const version = await m.findOneByOrFail(ModelVersionEntity, { id: request.modelVersionId });
  const card = await promotion.card(request.modelVersionId, m);
  const evaluations = await promotion.evaluationsOfRequests([request.id], m);
  const evaluation = evaluations[0];
  return signedContentSha256({
    modelVersionId: request.modelVersionId,
    targetStage: request.targetStage,
    filesDigest: version.artifactDigest,
    evidence: {
      gates: gates as unknown as JsonValue,
      evaluation: evaluation
        ? {
            datasetVersionId: evaluation.datasetVersionId,
            manifestSha256: evaluation.manifestSha256,
            modelSha256: evaluation.modelSha256,
            metrics: evaluation.metrics as JsonValue,
            results: evaluation.results as JsonValue,
          }
        : null,
    },
    card: (card?.content ?? EMPTY_MODEL_CARD) as unknown as JsonValue,
  });
}
