/**
 * Signed promotion (issue 14): a model's promotion policies, promotion requests with their gates,
 * e-signatures and cancellation. Every transport (GraphQL, CLI through it) comes here; stage
 * changes into and out of clinical use happen only in the worker's deploy job, after a request is
 * approved and the version's files are re-hashed.
 *
 * A request's gates: ONNX validation passed and, when the policy asks, a complete model card are
 * checked when it is opened (a failing one refuses the request with what is missing); the
 * evaluation on a sealed test dataset version runs in the worker and settles the request
 * (libs/persistence promotion-gates.ts). Signatures (21 CFR Part 11 §11.50, §11.70, §11.200):
 * user name plus the password re-entered at every signing through the sign-in lockout, a stated
 * meaning, and the sha256 of (version files + evidence + card) fixed when the gates passed; the
 * request row is locked while a signature is added, so two signers at the same moment give one
 * outcome, and the table's unique keys refuse a second signature by one person or for one role.
 */
import { actorOf, assertGranted, AuthService, Principal } from '@caliper/server-kit';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  DomainError,
  EMPTY_MODEL_CARD,
  GateResult,
  JsonValue,
  missingCardSections,
  ModelTaskType,
  notFound,
  promotionTargetProblem,
  PromotionPolicy,
  PromotionTarget,
  PROMOTION_TARGETS,
  requirePolicy,
  SignatureDecision,
  SignatureMeaning,
  signaturesOutcome,
  signingRole,
  defaultPolicy,
} from '@caliper/domain';
import { parseJob } from '@caliper/jobs';
import {
  AuditRepository,
  gateDatasetVersion,
  OutboxRepository,
  ProjectsRepository,
  PromotionRepository,
  PromotionRequestRow,
  RegisteredModelEntity,
  RegistryRepository,
  settleGates,
  SignatureRow,
  signedContentOf,
  WebhooksRepository,
} from '@caliper/persistence';
import type { ModelRef } from './registry.types';
import { RegistryReads } from './registry-reads';

const MAX_REASON = 2000;

export interface EffectivePolicy extends PromotionPolicy {
  /** False while the model still uses the default policy for this stage. */
  configured: boolean;
}

export interface SignCommand {
  password: string;
  meaning: SignatureMeaning;
  decision: SignatureDecision;
  role: string | null;
  reason: string | null;
  ip: string;
}

@Injectable()
export class PromotionService {
  constructor(
    private readonly ds: DataSource,
    private readonly reads: RegistryReads,
    private readonly registry: RegistryRepository,
    private readonly promotion: PromotionRepository,
    private readonly projects: ProjectsRepository,
    private readonly audit: AuditRepository,
    private readonly outbox: OutboxRepository,
    private readonly auth: AuthService,
    private readonly webhooks: WebhooksRepository,
  ) {}

  // Policies

  /** Every target stage's policy for the model: the configured one, else the default. */
  async policies(modelId: string): Promise<EffectivePolicy[]> {
    const rows = await this.promotion.policies(modelId);
    return PROMOTION_TARGETS.map((stage) => {
      const row = rows.find((r) => r.stage === stage);
      return row
        ? {
            stage,
            requiredRoles: row.requiredRoles,
            requiredSignatures: row.requiredSignatures,
            testDatasetVersionId: row.testDatasetVersionId,
            acceptance: row.acceptance,
            requireCard: row.requireCard,
            configured: true,
          }
        : { ...defaultPolicy(stage), configured: false };
    });
  }

  /**
   * Sets the model's policy for one stage (project.update: the PI). Acceptance criteria must name
   * the metrics of the task type of the model's latest validated version, and the test dataset
   * version must be a sealed version of this project with a test split.
   */
  async setPolicy(principal: Principal, ref: ModelRef, input: unknown): Promise<EffectivePolicy[]> {
    assertGranted(principal, 'project.update', ref.projectId);
    const model = await this.ds.transaction(async (m) => {
      const model = await this.reads.lockedModel(m, ref);
      const taskType = await this.latestTaskType(m, model.id);
      const policy = requirePolicy(input, taskType);
      if (policy.testDatasetVersionId) await this.requireTestSet(m, policy.testDatasetVersionId, ref.projectId);
      const before = (await this.promotion.policies(model.id, m)).find((p) => p.stage === policy.stage) ?? null;
      await this.promotion.setPolicy(m, model.id, policy, principal.user.id);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'promotion_policy.set',
        entityType: 'registered_model',
        entityId: model.id,
        projectId: ref.projectId,
        before: before ? (policyJson(before) as JsonValue) : null,
        after: policyJson(policy) as JsonValue,
      });
      return model;
    });
    return this.policies(model.id);
  }

  private async latestTaskType(m: EntityManager, modelId: string): Promise<ModelTaskType | null> {
    const rows: { taskType: ModelTaskType | null }[] = await m.query(
      `SELECT v.task_type AS "taskType" FROM model_version_validations v JOIN model_versions mv ON mv.id = v.model_version_id
       WHERE mv.registered_model_id = $1 AND mv.deleted_time IS NULL AND v.task_type IS NOT NULL ORDER BY mv.version DESC LIMIT 1`,
      [modelId],
    );
    return rows[0]?.taskType ?? null;
  }

  private async requireTestSet(m: EntityManager, id: string, projectId: string) {
    const dv = await gateDatasetVersion(m, id);
    if (!dv || dv.projectId !== projectId)
      throw new DomainError('BAD_USER_INPUT', `testDatasetVersionId: dataset version ${id} was not found in this project.`, {
        field: 'testDatasetVersionId',
      });
    if (dv.state !== 'sealed')
      throw new DomainError(
        'BAD_USER_INPUT',
        `testDatasetVersionId: ${dv.datasetName} v${dv.number} is a draft; evaluation runs only on a sealed (locked) version. Seal it first.`,
        { field: 'testDatasetVersionId' },
      );
    if (dv.testItems === 0)
      throw new DomainError('BAD_USER_INPUT', `testDatasetVersionId: ${dv.datasetName} v${dv.number} has no items in its test split.`, {
        field: 'testDatasetVersionId',
      });
    return dv;
  }

  // Requests

  /**
   * Opens a request to move a version to `target` (promotion.request: the PI). kind 'rollback'
   * re-activates a retired version in clinical use through the same gates and signatures, with
   * a reason. The synchronous gates refuse the request when they fail; the evaluation gate, when
   * the policy names a test set, is queued for the worker.
   */
  async request(
    principal: Principal,
    ref: ModelRef,
    version: number,
    target: PromotionTarget,
    opts: { reason: string; rollback: boolean },
  ): Promise<PromotionRequestRow> {
    assertGranted(principal, 'promotion.request', ref.projectId);
    const reason = opts.reason.trim();
    if (reason.length > MAX_REASON)
      throw new DomainError('BAD_USER_INPUT', `reason: at most ${MAX_REASON} characters.`, { field: 'reason' });
    if (opts.rollback && !reason)
      throw new DomainError('BAD_USER_INPUT', 'reason: a rollback needs a reason (why the current clinical version is being replaced).', {
        field: 'reason',
      });
    const opened = await this.ds
      .transaction(async (m) => {
        const model = await this.reads.lockedModel(m, ref);
        const v = await this.reads.versionOf(model, version, m);
        const problem = promotionTargetProblem(v.currentStage, target);
        if (problem) throw problem;
        if (opts.rollback && (target !== 'clinical' || v.currentStage !== 'retired'))
          throw new DomainError('INVALID_STATE', 'A rollback re-activates a retired version in clinical use; this version is not retired.');
        const policy = (await this.policies(model.id)).find((p) => p.stage === target) as EffectivePolicy;
        const snapshot: PromotionPolicy = {
          stage: policy.stage,
          requiredRoles: policy.requiredRoles,
          requiredSignatures: policy.requiredSignatures,
          testDatasetVersionId: policy.testDatasetVersionId,
          acceptance: policy.acceptance,
          requireCard: policy.requireCard,
        };
        const evaluation = snapshot.testDatasetVersionId !== null;
        if (target === 'clinical' && !evaluation)
          throw new DomainError(
            'INVALID_STATE',
            `Model '${model.name}' has no evaluation gate for clinical use: set its clinical promotion policy with a sealed test dataset version and acceptance criteria first.`,
          );
        const gates = await this.syncGates(m, model, v.id, v.version, snapshot);
        if (evaluation) {
          const dv = await this.requireTestSet(m, snapshot.testDatasetVersionId as string, ref.projectId);
          gates.push({
            gate: 'evaluation',
            status: 'pending',
            detail: `Queued on ${dv.datasetName} v${dv.number} (${dv.testItems} test items).`,
          });
        }
        const request = await this.promotion.createRequest(m, {
          registeredModelId: model.id,
          modelVersionId: v.id,
          fromStage: v.currentStage,
          targetStage: target,
          kind: opts.rollback ? 'rollback' : 'promotion',
          reason,
          requestedBy: principal.user.id,
          status: 'evaluating',
          policy: snapshot,
          gates,
        });
        await this.audit.append(m, {
          ...actorOf(principal),
          action: 'promotion.requested',
          entityType: 'promotion_request',
          entityId: request.id,
          projectId: ref.projectId,
          after: {
            model: model.name,
            version: v.version,
            from: v.currentStage,
            to: target,
            kind: request.kind,
            reason,
            policy: policyJson(snapshot) as JsonValue,
            gates: gates as unknown as JsonValue,
          },
        });
        await this.webhooks.emit(m, {
          projectId: ref.projectId,
          type: 'promotion.requested',
          data: {
            request: { id: request.id, kind: request.kind, fromStage: v.currentStage, targetStage: target, status: request.status, reason },
            model: { id: model.id, name: model.name },
            version: { id: v.id, version: v.version },
            requestedBy: principal.user.username,
          },
        });
        if (evaluation) {
          const e = await this.promotion.createEvaluation(m, {
            requestId: request.id,
            modelVersionId: v.id,
            datasetVersionId: snapshot.testDatasetVersionId as string,
            criteria: snapshot.acceptance,
            taskType: await this.versionTaskType(m, v.id),
          });
          await this.outbox.enqueue(m, parseJob('registry.evaluate-version', { v: 1, evaluationId: e.id }));
          return request;
        }
        return settleGates(m, { promotion: this.promotion, audit: this.audit }, request, gates, ref.projectId, actorOf(principal));
      })
      .catch((e: unknown) => {
        if ((e as { code?: string; constraint?: string }).constraint === 'UQ_promotion_requests_open')
          throw new DomainError('CONFLICT', `Version ${version} already has an open request for ${target}; sign, or cancel it, first.`);
        throw e;
      });
    return opened;
  }

  private async versionTaskType(m: EntityManager, versionId: string): Promise<ModelTaskType | null> {
    const v = await this.registry.findValidation(versionId, m);
    return (v?.taskType as ModelTaskType | null) ?? null;
  }

  /** ONNX validation and the model card: decided now; a failure refuses the request with what to do. */
  private async syncGates(
    m: EntityManager,
    model: RegisteredModelEntity,
    versionId: string,
    version: number,
    policy: PromotionPolicy,
  ): Promise<GateResult[]> {
    const gates: GateResult[] = [];
    const validation = await this.registry.findValidation(versionId, m);
    if (!validation || validation.status === 'pending')
      throw new DomainError(
        'INVALID_STATE',
        `Version ${version} of '${model.name}' is still being validated; request the promotion once its ONNX validation has passed.`,
      );
    if (validation.status !== 'valid')
      throw new DomainError(
        'INVALID_STATE',
        `Version ${version} of '${model.name}' failed ONNX validation (${validation.reason ?? 'no reason recorded'}); it cannot be promoted.`,
      );
    gates.push({
      gate: 'onnx_validation',
      status: 'passed',
      detail: `${validation.filePath ?? 'model'} loads in onnxruntime-node (opset ${validation.opset ?? '?'}, sha256 ${validation.sha256 ?? '?'}) and ran a smoke input.`,
    });
    if (policy.requireCard) {
      const card = await this.promotion.card(versionId, m);
      const missing = missingCardSections(card?.content ?? null, version === 1);
      if (missing.length)
        throw new DomainError(
          'INVALID_STATE',
          `The model card of version ${version} is incomplete: fill in ${missing.join(', ')} before requesting this promotion.`,
        );
      gates.push({ gate: 'model_card', status: 'passed', detail: 'The model card has every required section.' });
    }
    return gates;
  }

  /** Cancels an open request that has no decision yet: the requester or a PI of the project, with a reason. */
  async cancel(principal: Principal, requestId: string, reason: string): Promise<PromotionRequestRow> {
    const why = reason.trim();
    if (!why) throw new DomainError('BAD_USER_INPUT', 'reason: say why the request is cancelled.', { field: 'reason' });
    return this.ds.transaction(async (m) => {
      const { request, projectId } = await this.lockedRequest(m, requestId);
      if (request.requestedBy !== principal.user.id) assertGranted(principal, 'promotion.request', projectId);
      else assertGranted(principal, 'project.read', projectId);
      if (request.status !== 'evaluating' && request.status !== 'awaiting_signatures')
        throw new DomainError(
          'INVALID_STATE',
          `The request is ${request.status.replace('_', ' ')}; only an undecided request can be cancelled.`,
        );
      const updated = await this.promotion.updateRequest(m, request.id, {
        status: 'cancelled',
        decidedAt: new Date(),
        decisionReason: why,
      });
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'promotion.cancelled',
        entityType: 'promotion_request',
        entityId: request.id,
        projectId,
        before: { status: request.status },
        after: { status: 'cancelled' },
        reason: why,
      });
      return updated;
    });
  }

  // Signatures

  /**
   * Signs (approves or rejects) a request. The password is checked first, through the sign-in
   * lockout; then, with the request row locked: the rules of signingRole, the content hash the
   * request fixed must still be what would be signed now, the card is locked, the signature is
   * appended and audited, and the request is approved (deploy job queued) or rejected when this
   * signature decides it.
   */
  async sign(
    principal: Principal,
    requestId: string,
    cmd: SignCommand,
  ): Promise<{ request: PromotionRequestRow; signature: SignatureRow }> {
    if (principal.method !== 'session')
      throw new DomainError(
        'FORBIDDEN',
        'E-signatures are given in a signed-in browser session with your password, not with an API token.',
      );
    const projectOfRequest = await this.projectOf(requestId);
    assertGranted(principal, 'promotion.sign', projectOfRequest);
    if (typeof cmd.password !== 'string' || !cmd.password)
      throw new DomainError('BAD_USER_INPUT', 'password: re-enter your password to sign.', { field: 'password' });
    if (!(await this.auth.reauthenticate(principal.user, cmd.password, cmd.ip)))
      throw new DomainError(
        'INVALID_CREDENTIALS',
        'password: the password is not correct; nothing was signed. Repeated failures lock the account as at sign-in.',
      );
    const reason = cmd.reason?.trim() || null;
    if (reason && reason.length > MAX_REASON)
      throw new DomainError('BAD_USER_INPUT', `reason: at most ${MAX_REASON} characters.`, { field: 'reason' });
    const signed = await this.ds
      .transaction(async (m) => {
        const { request, projectId, model } = await this.lockedRequest(m, requestId);
        const signatures = await this.promotion.signaturesOf([request.id], m);
        const signerRoles = await this.projects.rolesOf(principal.user.id, projectId, m);
        const role = signingRole({
          status: request.status,
          requestedBy: request.requestedBy,
          policy: request.policy,
          signatures,
          signerId: principal.user.id,
          signerRoles,
          role: cmd.role,
          decision: cmd.decision,
          reason,
        });
        const now = await signedContentOf(m, this.promotion, request, request.gates);
        if (now !== request.contentSha256)
          throw new DomainError(
            'INVALID_STATE',
            'What this request asks you to sign has changed since its gates passed (the model card or the evidence); cancel it and request the promotion again.',
          );
        await this.promotion.lockCardForever(m, request.modelVersionId, EMPTY_MODEL_CARD);
        const signature = await this.promotion.addSignature(m, {
          requestId: request.id,
          userId: principal.user.id,
          printedName: principal.user.displayName,
          username: principal.user.username,
          role,
          meaning: cmd.meaning,
          decision: cmd.decision,
          reason,
          contentSha256: now,
        });
        await this.audit.append(m, {
          ...actorOf(principal),
          action: 'promotion.signed',
          entityType: 'promotion_request',
          entityId: request.id,
          projectId,
          after: {
            signatureId: signature.id,
            printedName: signature.printedName,
            username: signature.username,
            role,
            meaning: cmd.meaning,
            decision: cmd.decision,
            signedAt: signature.signedAt.toISOString(),
            contentSha256: now,
          },
          reason,
        });
        const event = { request: { id: request.id, targetStage: request.targetStage }, model: { id: model.id, name: model.name } };
        await this.webhooks.emit(m, {
          projectId,
          type: 'promotion.signed',
          data: {
            ...event,
            signature: {
              printedName: signature.printedName,
              role,
              meaning: cmd.meaning,
              decision: cmd.decision,
              signedAt: signature.signedAt.toISOString(),
              contentSha256: now,
            },
          },
        });
        const outcome = signaturesOutcome(request.policy, [...signatures, signature]);
        let updated = request;
        if (outcome === 'rejected') {
          updated = await this.promotion.updateRequest(m, request.id, {
            status: 'rejected',
            decidedAt: new Date(),
            decisionReason: reason,
          });
          await this.audit.append(m, {
            ...actorOf(principal),
            action: 'promotion.rejected',
            entityType: 'promotion_request',
            entityId: request.id,
            projectId,
            before: { status: request.status },
            after: { status: 'rejected', model: model.name },
            reason,
          });
          await this.webhooks.emit(m, { projectId, type: 'promotion.rejected', data: { ...event, status: 'rejected', reason } });
        } else if (outcome === 'approved') {
          updated = await this.promotion.updateRequest(m, request.id, { status: 'approved', decidedAt: new Date() });
          await this.audit.append(m, {
            ...actorOf(principal),
            action: 'promotion.approved',
            entityType: 'promotion_request',
            entityId: request.id,
            projectId,
            before: { status: request.status },
            after: { status: 'approved', model: model.name, signatures: [...signatures, signature].map((s) => `${s.role}:${s.username}`) },
          });
          await this.outbox.enqueue(m, parseJob('registry.deploy-version', { v: 1, promotionRequestId: request.id }));
          await this.webhooks.emit(m, { projectId, type: 'promotion.approved', data: { ...event, status: 'approved' } });
        }
        return { request: updated, signature };
      })
      .catch((e: unknown) => {
        const constraint = (e as { constraint?: string }).constraint;
        if (constraint === 'UQ_promotion_signatures_person')
          throw new DomainError('CONFLICT', 'You have already signed this request; each person signs a request once.');
        if (constraint === 'UQ_promotion_signatures_role') throw new DomainError('CONFLICT', 'That role has already signed this request.');
        throw e;
      });
    return signed;
  }

  // Reads

  async get(requestId: string): Promise<PromotionRequestRow> {
    const r = await this.promotion.request(requestId);
    if (!r) throw notFound(`Promotion request ${requestId}`);
    return r;
  }

  /** Requests awaiting a signature the caller could give, oldest first. */
  async pendingFor(principal: Principal, limit: number): Promise<PromotionRequestRow[]> {
    const memberships: { projectId: string; roles: string[] }[] = await this.ds.query(
      `SELECT project_id AS "projectId", roles FROM project_members WHERE user_id = $1`,
      [principal.user.id],
    );
    const byProject = new Map(memberships.map((mb) => [mb.projectId, mb.roles]));
    return this.promotion.awaitingSignatureOf(principal.user.id, byProject, limit);
  }

  private async projectOf(requestId: string): Promise<string> {
    const rows: { projectId: string }[] = await this.ds.query(
      `SELECT rm.project_id AS "projectId" FROM promotion_requests r JOIN registered_models rm ON rm.id = r.registered_model_id WHERE r.id = $1`,
      [requestId],
    );
    const row = rows[0];
    if (!row) throw notFound(`Promotion request ${requestId}`);
    return row.projectId;
  }

  private async lockedRequest(
    m: EntityManager,
    requestId: string,
  ): Promise<{ request: PromotionRequestRow; projectId: string; model: RegisteredModelEntity }> {
    const request = await this.promotion.lockRequest(m, requestId);
    if (!request) throw notFound(`Promotion request ${requestId}`);
    const model = await m.findOneByOrFail(RegisteredModelEntity, { id: request.registeredModelId });
    return { request, projectId: model.projectId, model };
  }
}

function policyJson(p: PromotionPolicy): Record<string, unknown> {
  return {
    stage: p.stage,
    requiredRoles: [...p.requiredRoles],
    requiredSignatures: p.requiredSignatures,
    testDatasetVersionId: p.testDatasetVersionId,
    acceptance: p.acceptance.map((c) => ({ ...c })),
    requireCard: p.requireCard,
  };
}
