/**
 * 'registry.deploy-version': carries out an approved promotion request (issue 14). Every file the
 * version pinned is read back from the store and re-hashed first: a file whose bytes are not the
 * ones registered (tampered, replaced, missing) ends the request as deployment_failed, with a
 * 'model_version.integrity_failed' audit event, and nothing moves.
 *
 * When the files are intact, one transaction (model row locked, so two deployments of one model
 * serialise):
 * - clinical: the model's other clinical versions are retired, the active clinical deployment
 *   ends, the version enters clinical use and a Deployment starts; each change is audited, and a
 *   typed 'deployments.changed' event for the inference service is written to the outbox for
 *   each deployment that ended or started;
 * - staging: the version's stage changes;
 * - retired: the version is retired and its deployment, if active, ends.
 * The request becomes 'deployed'. A request that is no longer 'approved' is skipped (a retried job).
 */
import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { JobPayloads, parseJob } from '@caliper/jobs';
import {
  AuditRepository,
  DeploymentRow,
  ModelVersionEntity,
  ModelVersionFileEntity,
  OutboxRepository,
  PromotionRepository,
  PromotionRequestRow,
  RegisteredModelEntity,
  RegistryRepository,
  WebhooksRepository,
} from '@caliper/persistence';
import { ObjectNotFoundError, ObjectStore } from '@caliper/storage';
import { JobProcessor, JobResult, ProcessesJob } from '../jobs/job-processor';

type Payload = JobPayloads['registry.deploy-version'];
const SITE = 'default';
const ACTOR = { actorId: null, actorLabel: 'system:deploy' };

interface Mismatch {
  path: string;
  expected: string;
  found: string | null;
}

@Injectable()
@ProcessesJob('registry.deploy-version')
export class DeployVersionJob implements JobProcessor<'registry.deploy-version'> {
  constructor(
    private readonly ds: DataSource,
    private readonly registry: RegistryRepository,
    private readonly promotion: PromotionRepository,
    private readonly audit: AuditRepository,
    private readonly outbox: OutboxRepository,
    private readonly store: ObjectStore,
    private readonly webhooks: WebhooksRepository,
  ) {}

  async run(data: Payload): Promise<JobResult> {
    const request = await this.promotion.request(data.promotionRequestId);
    if (!request) return { outcome: 'skipped', detail: { reason: 'no such request', promotionRequestId: data.promotionRequestId } };
    if (request.status !== 'approved')
      return { outcome: 'skipped', detail: { reason: `request is ${request.status}`, promotionRequestId: request.id } };
    const files = await this.registry.filesOf([request.modelVersionId]);
    const mismatches = await this.rehash(files);
    const done = await this.ds.transaction(async (m) => {
      const locked = await this.promotion.lockRequest(m, request.id);
      if (!locked || locked.status !== 'approved') return null;
      const model = await m
        .getRepository(RegisteredModelEntity)
        .createQueryBuilder('rm')
        .setLock('pessimistic_write')
        .where('rm.id = :id', { id: locked.registeredModelId })
        .getOneOrFail();
      const version = await m.findOneByOrFail(ModelVersionEntity, { id: locked.modelVersionId });
      if (!files.length || mismatches.length) {
        await this.fail(m, locked, model, version, files.length ? mismatches : null);
        return 'deployment_failed';
      }
      await this.apply(m, locked, model, version);
      return 'deployed';
    });
    return done
      ? { outcome: 'done', detail: { promotionRequestId: request.id, status: done } }
      : { outcome: 'skipped', detail: { reason: 'decided meanwhile', promotionRequestId: request.id } };
  }

  /** Each pinned file re-read and re-hashed; the files whose bytes differ from the pinned sha256 (or are gone). */
  private async rehash(files: readonly ModelVersionFileEntity[]): Promise<Mismatch[]> {
    const out: Mismatch[] = [];
    for (const f of files) {
      const hash = createHash('sha256');
      try {
        for await (const chunk of await this.store.read(f.bucket, f.objectKey)) hash.update(chunk as Buffer);
      } catch (err) {
        if (err instanceof ObjectNotFoundError) {
          out.push({ path: f.path, expected: f.sha256, found: null });
          continue;
        }
        throw err;
      }
      const found = hash.digest('hex');
      if (found !== f.sha256) out.push({ path: f.path, expected: f.sha256, found });
    }
    return out;
  }

  private async fail(
    m: EntityManager,
    request: PromotionRequestRow,
    model: RegisteredModelEntity,
    version: ModelVersionEntity,
    mismatches: Mismatch[] | null,
  ): Promise<void> {
    const reason = mismatches
      ? `The model's files are not the ones registered and signed: ${mismatches
          .map((x) => (x.found ? `${x.path} has sha256 ${x.found}, not ${x.expected}` : `${x.path} is missing from the store`))
          .join('; ')}. Nothing was deployed.`
      : 'The version pins no files, so there is nothing to deploy.';
    await this.promotion.updateRequest(m, request.id, { status: 'deployment_failed', decisionReason: reason });
    if (mismatches) {
      await this.audit.append(m, {
        ...ACTOR,
        action: 'model_version.integrity_failed',
        entityType: 'model_version',
        entityId: version.id,
        projectId: model.projectId,
        after: { model: model.name, version: version.version, files: mismatches.map((x) => ({ ...x })) },
        reason: 'checked before deployment',
      });
    }
    await this.audit.append(m, {
      ...ACTOR,
      action: 'promotion.deployment_failed',
      entityType: 'promotion_request',
      entityId: request.id,
      projectId: model.projectId,
      before: { status: 'approved' },
      after: { status: 'deployment_failed' },
      reason,
    });
  }

  private async apply(
    m: EntityManager,
    request: PromotionRequestRow,
    model: RegisteredModelEntity,
    version: ModelVersionEntity,
  ): Promise<void> {
    const now = Date.now();
    const target = request.targetStage;
    const stageChange = async (v: ModelVersionEntity, to: 'staging' | 'clinical' | 'retired', why: string) => {
      await this.registry.updateVersion(m, v.id, { currentStage: to, lastUpdatedTime: now });
      await this.audit.append(m, {
        ...ACTOR,
        action: 'model_version.stage_changed',
        entityType: 'model_version',
        entityId: v.id,
        projectId: model.projectId,
        before: { model: model.name, version: v.version, stage: v.currentStage },
        after: { model: model.name, version: v.version, stage: to, via: 'signed-promotion', promotionRequestId: request.id },
        reason: why,
      });
    };
    let deployment: DeploymentRow | null = null;
    if (target === 'clinical') {
      const others = await this.registry.versionsInStage(m, model.id, 'clinical', version.id);
      for (const other of others) await stageChange(other, 'retired', `replaced in clinical use by version ${version.version}`);
      const active = await this.promotion.activeDeployment(m, model.id, SITE, 'clinical');
      if (active) await this.endDeployment(m, model, active, `replaced by version ${version.version} (request ${request.id})`);
      await stageChange(version, 'clinical', request.kind === 'rollback' ? `rollback: ${request.reason}` : 'approved promotion');
      deployment = await this.promotion.startDeployment(m, {
        registeredModelId: model.id,
        modelVersionId: version.id,
        promotionRequestId: request.id,
        site: SITE,
        mode: 'clinical',
        modelSha256: version.artifactDigest as string,
        startedBy: request.requestedBy,
      });
      await this.audit.append(m, {
        ...ACTOR,
        action: 'deployment.started',
        entityType: 'deployment',
        entityId: deployment.id,
        projectId: model.projectId,
        after: {
          model: model.name,
          version: version.version,
          site: SITE,
          mode: 'clinical',
          modelSha256: deployment.modelSha256,
          promotionRequestId: request.id,
          previousDeploymentId: active?.id ?? null,
        },
      });
      await this.outbox.enqueue(m, this.event(deployment, 'activated'));
      await this.webhooks.emitDeploymentChanged(m, { projectId: model.projectId, model, deployment, change: 'activated' });
    } else if (target === 'staging') {
      await stageChange(version, 'staging', 'approved promotion');
    } else {
      const active = await this.promotion.activeDeployment(m, model.id, SITE, 'clinical');
      if (active && active.modelVersionId === version.id) await this.endDeployment(m, model, active, `retired (request ${request.id})`);
      await stageChange(version, 'retired', request.reason || 'approved retirement');
    }
    await this.registry.updateModel(m, model.id, { lastUpdatedTime: now });
    await this.promotion.updateRequest(m, request.id, { status: 'deployed', deploymentId: deployment?.id ?? null });
  }

  private async endDeployment(m: EntityManager, model: RegisteredModelEntity, active: DeploymentRow, reason: string): Promise<void> {
    const ended = await this.promotion.endDeployment(m, active.id, reason);
    await this.audit.append(m, {
      ...ACTOR,
      action: 'deployment.ended',
      entityType: 'deployment',
      entityId: active.id,
      projectId: model.projectId,
      before: { status: 'active' },
      after: { status: 'ended', modelVersionId: active.modelVersionId },
      reason,
    });
    await this.outbox.enqueue(m, this.event(ended, 'ended'));
    await this.webhooks.emitDeploymentChanged(m, { projectId: model.projectId, model, deployment: ended, change: 'ended' });
  }

  private event(d: DeploymentRow, change: 'activated' | 'ended') {
    return parseJob('deployments.changed', {
      v: 1,
      deploymentId: d.id,
      change,
      registeredModelId: d.registeredModelId,
      modelVersionId: d.modelVersionId,
      site: d.site,
      mode: d.mode,
      modelSha256: d.modelSha256,
    });
  }
}
