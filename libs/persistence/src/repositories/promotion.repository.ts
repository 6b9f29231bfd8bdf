/**
 * Promotion policies, model cards, promotion requests, their signatures and evaluations, and
 * deployments (issue 14): the only code that touches those tables. Parameterised SQL throughout;
 * the tables' own triggers keep signatures append-only, finished evaluations final and signed
 * cards locked, whatever a caller does.
 */
import { DataSource, EntityManager } from 'typeorm';
import type {
  AcceptanceCriterion,
  CriterionResult,
  GateResult,
  ModelCard,
  ModelStage,
  ModelTaskType,
  PromotionPolicy,
  PromotionStatus,
  PromotionTarget,
  SignatureDecision,
  SignatureMeaning,
} from '@caliper/domain';

export interface PolicyRow extends PromotionPolicy {
  registeredModelId: string;
  updatedBy: string | null;
  updatedAt: Date;
}

export interface ModelCardRow {
  modelVersionId: string;
  content: ModelCard;
  updatedBy: string | null;
  updatedAt: Date;
  lockedAt: Date | null;
}

export interface PromotionRequestRow {
  id: string;
  registeredModelId: string;
  modelVersionId: string;
  fromStage: ModelStage;
  targetStage: PromotionTarget;
  kind: 'promotion' | 'rollback';
  reason: string;
  requestedBy: string;
  requestedAt: Date;
  status: PromotionStatus;
  policy: PromotionPolicy;
  gates: GateResult[];
  contentSha256: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  deploymentId: string | null;
}

export interface SignatureRow {
  id: string;
  requestId: string;
  userId: string;
  printedName: string;
  username: string;
  role: string;
  meaning: SignatureMeaning;
  decision: SignatureDecision;
  reason: string | null;
  contentSha256: string;
  signedAt: Date;
}

export type EvaluationStatus = 'queued' | 'running' | 'passed' | 'failed' | 'error';
export interface EvaluationRow {
  id: string;
  requestId: string;
  modelVersionId: string;
  datasetVersionId: string;
  status: EvaluationStatus;
  taskType: ModelTaskType | null;
  criteria: AcceptanceCriterion[];
  metrics: Record<string, number | null> | null;
  /** Per-criterion outcome and, where the task has them, per-label or per-subgroup figures. */
  results: { criteria: CriterionResult[]; [k: string]: unknown } | null;
  itemCount: number | null;
  modelSha256: string | null;
  manifestSha256: string | null;
  reason: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface DeploymentRow {
  id: string;
  registeredModelId: string;
  modelVersionId: string;
  promotionRequestId: string | null;
  site: string;
  mode: 'clinical' | 'shadow';
  status: 'active' | 'ended';
  modelSha256: string;
  startedBy: string | null;
  startedAt: Date;
  endedAt: Date | null;
  endedReason: string | null;
}

function requestColumns(t: string): string {
  return `${t}.id, ${t}.registered_model_id AS "registeredModelId", ${t}.model_version_id AS "modelVersionId", ${t}.from_stage AS "fromStage",
  ${t}.target_stage AS "targetStage", ${t}.kind, ${t}.reason, ${t}.requested_by AS "requestedBy", ${t}.requested_at AS "requestedAt", ${t}.status,
  ${t}.policy, ${t}.gates, ${t}.content_sha256 AS "contentSha256", ${t}.decided_at AS "decidedAt", ${t}.decision_reason AS "decisionReason",
  ${t}.deployment_id AS "deploymentId"`;
}
const REQUEST_COLUMNS = requestColumns('promotion_requests');
const SIGNATURE_COLUMNS = `id, request_id AS "requestId", user_id AS "userId", printed_name AS "printedName", username, role, meaning, decision,
  reason, content_sha256 AS "contentSha256", signed_at AS "signedAt"`;
const EVALUATION_COLUMNS = `id, request_id AS "requestId", model_version_id AS "modelVersionId", dataset_version_id AS "datasetVersionId", status,
  task_type AS "taskType", criteria, metrics, results, item_count AS "itemCount", model_sha256 AS "modelSha256",
  manifest_sha256 AS "manifestSha256", reason, created_at AS "createdAt", started_at AS "startedAt", finished_at AS "finishedAt"`;
const DEPLOYMENT_COLUMNS = `id, registered_model_id AS "registeredModelId", model_version_id AS "modelVersionId",
  promotion_request_id AS "promotionRequestId", site, mode, status, model_sha256 AS "modelSha256", started_by AS "startedBy",
  started_at AS "startedAt", ended_at AS "endedAt", ended_reason AS "endedReason"`;

/** TypeORM's postgres driver answers UPDATE … RETURNING with [rows, count]. */
function returned<T>(result: unknown): T[] {
  return Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]);
}

export class PromotionRepository {
  constructor(private readonly ds: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.ds.manager;
  }

  // Policies

  async policies(modelId: string, manager?: EntityManager): Promise<PolicyRow[]> {
    return this.m(manager).query(
      `SELECT registered_model_id AS "registeredModelId", stage, required_roles AS "requiredRoles", required_signatures AS "requiredSignatures",
        test_dataset_version_id AS "testDatasetVersionId", acceptance, require_card AS "requireCard", updated_by AS "updatedBy", updated_at AS "updatedAt"
       FROM promotion_policies WHERE registered_model_id = $1 ORDER BY stage`,
      [modelId],
    );
  }

  async setPolicy(manager: EntityManager, modelId: string, p: PromotionPolicy, userId: string): Promise<void> {
    await manager.query(
      `INSERT INTO promotion_policies (registered_model_id, stage, required_roles, required_signatures, test_dataset_version_id, acceptance, require_card, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
       ON CONFLICT (registered_model_id, stage) DO UPDATE SET required_roles = EXCLUDED.required_roles, required_signatures = EXCLUDED.required_signatures,
         test_dataset_version_id = EXCLUDED.test_dataset_version_id, acceptance = EXCLUDED.acceptance, require_card = EXCLUDED.require_card,
         updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [
        modelId,
        p.stage,
        p.requiredRoles,
        p.requiredSignatures,
        p.testDatasetVersionId,
        JSON.stringify(p.acceptance),
        p.requireCard,
        userId,
      ],
    );
  }

  // Model cards

  async card(versionId: string, manager?: EntityManager): Promise<ModelCardRow | null> {
    const rows: ModelCardRow[] = await this.m(manager).query(
      `SELECT model_version_id AS "modelVersionId", content, updated_by AS "updatedBy", updated_at AS "updatedAt", locked_at AS "lockedAt"
       FROM model_cards WHERE model_version_id = $1`,
      [versionId],
    );
    return rows[0] ?? null;
  }

  async cards(versionIds: readonly string[]): Promise<ModelCardRow[]> {
    if (!versionIds.length) return [];
    return this.ds.query(
      `SELECT model_version_id AS "modelVersionId", content, updated_by AS "updatedBy", updated_at AS "updatedAt", locked_at AS "lockedAt"
       FROM model_cards WHERE model_version_id = ANY($1::uuid[])`,
      [versionIds],
    );
  }

  /** The card, row-locked for the rest of the transaction (null when the version has none yet). */
  async lockCard(manager: EntityManager, versionId: string): Promise<ModelCardRow | null> {
    const rows: ModelCardRow[] = await manager.query(
      `SELECT model_version_id AS "modelVersionId", content, updated_by AS "updatedBy", updated_at AS "updatedAt", locked_at AS "lockedAt"
       FROM model_cards WHERE model_version_id = $1 FOR UPDATE`,
      [versionId],
    );
    return rows[0] ?? null;
  }

  async saveCard(manager: EntityManager, versionId: string, content: ModelCard, userId: string): Promise<void> {
    await manager.query(
      `INSERT INTO model_cards (model_version_id, content, updated_by, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (model_version_id) DO UPDATE SET content = EXCLUDED.content, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [versionId, JSON.stringify(content), userId],
    );
  }

  /** Locks the card against edits (the first signature binds it); a version without a card gets an empty locked one. */
  async lockCardForever(manager: EntityManager, versionId: string, emptyCard: ModelCard): Promise<void> {
    await manager.query(
      `INSERT INTO model_cards (model_version_id, content, updated_at, locked_at) VALUES ($1, $2, now(), now())
       ON CONFLICT (model_version_id) DO UPDATE SET locked_at = now() WHERE model_cards.locked_at IS NULL`,
      [versionId, JSON.stringify(emptyCard)],
    );
  }

  // Requests

  async createRequest(
    manager: EntityManager,
    r: Pick<
      PromotionRequestRow,
      | 'registeredModelId'
      | 'modelVersionId'
      | 'fromStage'
      | 'targetStage'
      | 'kind'
      | 'reason'
      | 'requestedBy'
      | 'status'
      | 'policy'
      | 'gates'
    >,
  ): Promise<PromotionRequestRow> {
    const rows: PromotionRequestRow[] = await manager.query(
      `INSERT INTO promotion_requests (registered_model_id, model_version_id, from_stage, target_stage, kind, reason, requested_by, status, policy, gates)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${REQUEST_COLUMNS}`,
      [
        r.registeredModelId,
        r.modelVersionId,
        r.fromStage,
        r.targetStage,
        r.kind,
        r.reason,
        r.requestedBy,
        r.status,
        JSON.stringify(r.policy),
        JSON.stringify(r.gates),
      ],
    );
    return rows[0] as PromotionRequestRow;
  }

  async request(id: string, manager?: EntityManager): Promise<PromotionRequestRow | null> {
    const rows: PromotionRequestRow[] = await this.m(manager).query(`SELECT ${REQUEST_COLUMNS} FROM promotion_requests WHERE id = $1`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  async lockRequest(manager: EntityManager, id: string): Promise<PromotionRequestRow | null> {
    const rows: PromotionRequestRow[] = await manager.query(`SELECT ${REQUEST_COLUMNS} FROM promotion_requests WHERE id = $1 FOR UPDATE`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  async openRequest(manager: EntityManager, versionId: string, target: PromotionTarget): Promise<PromotionRequestRow | null> {
    const rows: PromotionRequestRow[] = await manager.query(
      `SELECT ${REQUEST_COLUMNS} FROM promotion_requests WHERE model_version_id = $1 AND target_stage = $2 AND status IN ('evaluating', 'awaiting_signatures', 'approved')`,
      [versionId, target],
    );
    return rows[0] ?? null;
  }

  /** A model's requests, newest first (bounded: the model page shows the latest ones). */
  async requestsOfModel(modelId: string, limit: number): Promise<PromotionRequestRow[]> {
    return this.ds.query(
      `SELECT ${REQUEST_COLUMNS} FROM promotion_requests WHERE registered_model_id = $1 ORDER BY requested_at DESC, id DESC LIMIT $2`,
      [modelId, limit],
    );
  }

  async requestsOfVersions(versionIds: readonly string[]): Promise<PromotionRequestRow[]> {
    if (!versionIds.length) return [];
    return this.ds.query(
      `SELECT ${REQUEST_COLUMNS} FROM promotion_requests WHERE model_version_id = ANY($1::uuid[]) ORDER BY requested_at DESC, id DESC`,
      [versionIds],
    );
  }

  /**
   * Requests awaiting signatures in the given projects that this user could sign: not their own,
   * not yet signed by them, and needing a role they hold there whose signature is still missing.
   */
  async awaitingSignatureOf(
    userId: string,
    rolesByProject: ReadonlyMap<string, readonly string[]>,
    limit: number,
  ): Promise<PromotionRequestRow[]> {
    if (!rolesByProject.size) return [];
    const projects = [...rolesByProject.keys()];
    const roles = projects.map((p) => `{${(rolesByProject.get(p) ?? []).join(',')}}`);
    return this.ds.query(
      `WITH mine AS (SELECT unnest($2::uuid[]) AS project_id, unnest($3::text[])::text[] AS roles)
       SELECT ${requestColumns('r')}
       FROM promotion_requests r
       JOIN registered_models rm ON rm.id = r.registered_model_id
       JOIN mine ON mine.project_id = rm.project_id
       WHERE r.status = 'awaiting_signatures' AND r.requested_by <> $1
         AND NOT EXISTS (SELECT 1 FROM promotion_signatures s WHERE s.request_id = r.id AND s.user_id = $1)
         AND EXISTS (
           SELECT 1 FROM jsonb_array_elements_text(r.policy->'requiredRoles') need(role)
           WHERE need.role = ANY(mine.roles) AND NOT EXISTS (SELECT 1 FROM promotion_signatures s2 WHERE s2.request_id = r.id AND s2.role = need.role))
       ORDER BY r.requested_at ASC LIMIT $4`,
      [userId, projects, roles, limit],
    );
  }

  async updateRequest(
    manager: EntityManager,
    id: string,
    patch: Partial<Pick<PromotionRequestRow, 'status' | 'gates' | 'contentSha256' | 'decidedAt' | 'decisionReason' | 'deploymentId'>>,
  ): Promise<PromotionRequestRow> {
    const sets: string[] = [];
    const values: unknown[] = [id];
    const col: Record<string, string> = {
      status: 'status',
      gates: 'gates',
      contentSha256: 'content_sha256',
      decidedAt: 'decided_at',
      decisionReason: 'decision_reason',
      deploymentId: 'deployment_id',
    };
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue;
      values.push(k === 'gates' ? JSON.stringify(v) : v);
      sets.push(`${col[k]} = $${values.length}`);
    }
    const rows = returned<PromotionRequestRow>(
      await manager.query(`UPDATE promotion_requests SET ${sets.join(', ')} WHERE id = $1 RETURNING ${REQUEST_COLUMNS}`, values),
    );
    return rows[0] as PromotionRequestRow;
  }

  // Signatures

  async signaturesOf(requestIds: readonly string[], manager?: EntityManager): Promise<SignatureRow[]> {
    if (!requestIds.length) return [];
    return this.m(manager).query(
      `SELECT ${SIGNATURE_COLUMNS} FROM promotion_signatures WHERE request_id = ANY($1::uuid[]) ORDER BY signed_at, id`,
      [requestIds],
    );
  }

  async addSignature(manager: EntityManager, s: Omit<SignatureRow, 'id' | 'signedAt'>): Promise<SignatureRow> {
    const rows: SignatureRow[] = await manager.query(
      `INSERT INTO promotion_signatures (request_id, user_id, printed_name, username, role, meaning, decision, reason, content_sha256)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${SIGNATURE_COLUMNS}`,
      [s.requestId, s.userId, s.printedName, s.username, s.role, s.meaning, s.decision, s.reason, s.contentSha256],
    );
    return rows[0] as SignatureRow;
  }

  // Evaluations

  async createEvaluation(
    manager: EntityManager,
    e: Pick<EvaluationRow, 'requestId' | 'modelVersionId' | 'datasetVersionId' | 'criteria' | 'taskType'>,
  ): Promise<EvaluationRow> {
    const rows: EvaluationRow[] = await manager.query(
      `INSERT INTO model_evaluations (request_id, model_version_id, dataset_version_id, criteria, task_type) VALUES ($1, $2, $3, $4, $5) RETURNING ${EVALUATION_COLUMNS}`,
      [e.requestId, e.modelVersionId, e.datasetVersionId, JSON.stringify(e.criteria), e.taskType],
    );
    return rows[0] as EvaluationRow;
  }

  async evaluation(id: string, manager?: EntityManager): Promise<EvaluationRow | null> {
    const rows: EvaluationRow[] = await this.m(manager).query(`SELECT ${EVALUATION_COLUMNS} FROM model_evaluations WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async lockEvaluation(manager: EntityManager, id: string): Promise<EvaluationRow | null> {
    const rows: EvaluationRow[] = await manager.query(`SELECT ${EVALUATION_COLUMNS} FROM model_evaluations WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] ?? null;
  }

  async evaluationsOfRequests(requestIds: readonly string[], manager?: EntityManager): Promise<EvaluationRow[]> {
    if (!requestIds.length) return [];
    return this.m(manager).query(`SELECT ${EVALUATION_COLUMNS} FROM model_evaluations WHERE request_id = ANY($1::uuid[])`, [requestIds]);
  }

  async startEvaluation(manager: EntityManager, id: string): Promise<void> {
    await manager.query(
      `UPDATE model_evaluations SET status = 'running', started_at = coalesce(started_at, now()) WHERE id = $1 AND status IN ('queued', 'running')`,
      [id],
    );
  }

  async finishEvaluation(
    manager: EntityManager,
    id: string,
    outcome: Pick<EvaluationRow, 'status' | 'metrics' | 'results' | 'itemCount' | 'modelSha256' | 'manifestSha256' | 'reason'>,
  ): Promise<EvaluationRow> {
    const rows = returned<EvaluationRow>(
      await manager.query(
        `UPDATE model_evaluations SET status = $2, metrics = $3, results = $4, item_count = $5, model_sha256 = $6, manifest_sha256 = $7, reason = $8,
           started_at = coalesce(started_at, now()), finished_at = now()
         WHERE id = $1 RETURNING ${EVALUATION_COLUMNS}`,
        [
          id,
          outcome.status,
          outcome.metrics === null ? null : JSON.stringify(outcome.metrics),
          outcome.results === null ? null : JSON.stringify(outcome.results),
          outcome.itemCount,
          outcome.modelSha256,
          outcome.manifestSha256,
          outcome.reason,
        ],
      ),
    );
    return rows[0] as EvaluationRow;
  }

  // Deployments

  async activeDeployment(
    manager: EntityManager,
    modelId: string,
    site: string,
    mode: 'clinical' | 'shadow',
  ): Promise<DeploymentRow | null> {
    const rows: DeploymentRow[] = await manager.query(
      `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments WHERE registered_model_id = $1 AND site = $2 AND mode = $3 AND status = 'active' FOR UPDATE`,
      [modelId, site, mode],
    );
    return rows[0] ?? null;
  }

  async deploymentsOfModel(modelId: string, limit: number): Promise<DeploymentRow[]> {
    return this.ds.query(
      `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments WHERE registered_model_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2`,
      [modelId, limit],
    );
  }

  async deploymentsOfVersions(versionIds: readonly string[]): Promise<DeploymentRow[]> {
    if (!versionIds.length) return [];
    return this.ds.query(
      `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments WHERE model_version_id = ANY($1::uuid[]) ORDER BY started_at DESC, id DESC`,
      [versionIds],
    );
  }

  async startDeployment(
    manager: EntityManager,
    d: Pick<DeploymentRow, 'registeredModelId' | 'modelVersionId' | 'promotionRequestId' | 'site' | 'mode' | 'modelSha256' | 'startedBy'>,
  ): Promise<DeploymentRow> {
    const rows: DeploymentRow[] = await manager.query(
      `INSERT INTO deployments (registered_model_id, model_version_id, promotion_request_id, site, mode, model_sha256, started_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${DEPLOYMENT_COLUMNS}`,
      [d.registeredModelId, d.modelVersionId, d.promotionRequestId, d.site, d.mode, d.modelSha256, d.startedBy],
    );
    return rows[0] as DeploymentRow;
  }

  async endDeployment(manager: EntityManager, id: string, reason: string): Promise<DeploymentRow> {
    const rows = returned<DeploymentRow>(
      await manager.query(
        `UPDATE deployments SET status = 'ended', ended_at = now(), ended_reason = $2 WHERE id = $1 AND status = 'active' RETURNING ${DEPLOYMENT_COLUMNS}`,
        [id, reason],
      ),
    );
    return rows[0] as DeploymentRow;
  }
}

/** A dataset version as a promotion gate sees it: whose it is, whether it is sealed, and how many test items it holds. */
export interface GateDatasetVersion {
  id: string;
  projectId: string;
  datasetName: string;
  number: number;
  state: string;
  manifestSha256: string | null;
  testItems: number;
}

export async function gateDatasetVersion(manager: EntityManager, id: string): Promise<GateDatasetVersion | null> {
  const rows: GateDatasetVersion[] = await manager.query(
    `SELECT dv.id, d.project_id AS "projectId", d.name AS "datasetName", dv.number, dv.state, dv.manifest_sha256 AS "manifestSha256",
       (SELECT count(*)::int FROM dataset_items i WHERE i.version_id = dv.id AND i.split = 'test') AS "testItems"
     FROM dataset_versions dv JOIN datasets d ON d.id = dv.dataset_id WHERE dv.id = $1`,
    [id],
  );
  return rows[0] ?? null;
}
