/**
 * Model versions, shared by every transport: registration (pinning the run's artifact objects
 * and their sha256), description, tags, deletion, aliases, search, and stage transitions.
 * transitionStage is where the MLflow API changes a version's stage (path 'mlflow': never into or
 * out of clinical use, nor into Staging when the model has a staging promotion policy); approved
 * promotion requests change stages in the worker's deploy job. Every change is audited in its transaction.
 */
import { AccessService, actorOf, assertGranted, Principal } from '@caliper/server-kit';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  aliasProblem,
  aliasRuleProblem,
  isProjectRole,
  PROJECT_ROLES,
  archiveExistingProblem,
  decodeOffsetToken,
  deletionProblem,
  KeyValue,
  manifestDigest,
  modelNameProblem,
  ModelStage,
  parseModelSource,
  parseModelVersionFilter,
  parseModelVersionOrder,
  requireModelSpec,
  specFromTags,
  registryMaxResults,
  registryTagProblem,
  toMlflowStage,
  TrackingError,
  TransitionPath,
  transitionProblem,
} from '@caliper/domain';
import { parseJob } from '@caliper/jobs';
import {
  AuditRepository,
  ModelVersionFileEntity,
  OutboxRepository,
  PromotionRepository,
  RegisteredModelEntity,
  RegistryRepository,
  TrackingRepository,
  WebhooksRepository,
} from '@caliper/persistence';

import { ModelRef, VersionView, CreateVersionCommand, Page } from './registry.types';
import { assertMayEdit, assertNotRunScoped, check, offsetPage, RegistryReads, versionSnapshot } from './registry-reads';

@Injectable()
export class ModelVersionsService {
  constructor(
    private readonly ds: DataSource,
    private readonly registry: RegistryRepository,
    private readonly reads: RegistryReads,
    private readonly tracking: TrackingRepository,
    private readonly audit: AuditRepository,
    private readonly outbox: OutboxRepository,
    private readonly promotion: PromotionRepository,
    private readonly webhooks: WebhooksRepository,
    private readonly access: AccessService,
  ) {}

  /**
   * Registers a version. A source inside a run's artifacts pins every object at that path (a file,
   * or all files under a directory) with its sha256; the run's later re-uploads move the run's
   * mapping but never what the version pinned. Every version gets a pending ONNX validation (with
   * the task type and spec given, or read from the caliper.task_type / caliper.preprocessing /
   * caliper.postprocessing tags) and its 'registry.validate-version' job, in the same transaction.
   */
  async createVersion(principal: Principal, ref: ModelRef, cmd: CreateVersionCommand): Promise<VersionView> {
    assertGranted(principal, 'model.register', ref.projectId);
    if (typeof cmd.source !== 'string' || cmd.source === '')
      throw new TrackingError(
        'INVALID_PARAMETER',
        `Missing value for required parameter 'source'. See the API docs for more information about request parameters.`,
      );
    const tags = cmd.tags ?? [];
    for (const t of tags) check(registryTagProblem(t.key, t.value, 'Model version'));
    const spec = cmd.spec ? requireModelSpec(cmd.spec) : specFromTags(tags);
    const source = parseModelSource(cmd.source);
    const runUuid = source.kind === 'run-artifact' ? source.runUuid : (cmd.runUuid ?? null);
    if (source.kind === 'run-artifact' && cmd.runUuid && cmd.runUuid !== source.runUuid) {
      throw new TrackingError(
        'INVALID_PARAMETER',
        `The source '${cmd.source}' is an artifact of run ${source.runUuid}, but run_id ${cmd.runUuid} was given; register the run that logged the model.`,
      );
    }
    if (principal.method === 'token' && principal.token.runId && runUuid !== principal.token.runId) {
      throw new TrackingError(
        'FORBIDDEN',
        `This API token is limited to run ${principal.token.runId} and may only register model versions from that run.`,
      );
    }
    const register = () =>
      this.ds.transaction(async (m) => {
        const model = cmd.createModel ? await this.lockedOrNewModel(m, principal, ref) : await this.reads.lockedModel(m, ref);
        const run = runUuid ? await this.reads.sourceRun(m, runUuid, ref.projectId) : null;
        let files: { path: string; bucket: string; objectKey: string; size: number; sha256: string }[] = [];
        if (source.kind === 'run-artifact' && run) {
          if (source.experimentId !== null && source.experimentId !== run.experimentId) {
            throw new TrackingError(
              'INVALID_PARAMETER',
              `The source '${cmd.source}' names experiment ${source.experimentId}, but run ${run.uuid} belongs to experiment ${run.experimentId}.`,
            );
          }
          files = (await this.registry.runArtifactsAt(m, run.id, source.path)).map((a) => ({
            path: a.path,
            bucket: a.bucket,
            objectKey: a.objectKey,
            size: a.size,
            sha256: a.sha256,
          }));
          if (!files.length) {
            throw new TrackingError(
              'INVALID_PARAMETER',
              `Run ${run.uuid} has no artifacts at '${source.path || '/'}'; log the model's files to the run before registering it.`,
            );
          }
        }
        const now = Date.now();
        const created = await this.registry.createVersion(m, {
          registeredModelId: model.id,
          version: await this.registry.nextVersionNumber(m, model.id),
          source: cmd.source,
          runId: run?.id ?? null,
          artifactPath: files.length ? (source as { path: string }).path : null,
          artifactDigest: files.length ? manifestDigest(files) : null,
          currentStage: 'none',
          description: cmd.description ?? '',
          runLink: cmd.runLink ?? '',
          userId: principal.user.id,
          creationTime: now,
          lastUpdatedTime: now,
        });
        await this.registry.pinFiles(m, created.id, files);
        await this.registry.setVersionTags(m, created.id, tags);
        await this.registry.createValidation(m, created.id, spec);
        await this.outbox.enqueue(m, parseJob('registry.validate-version', { v: 1, modelVersionId: created.id }));
        await this.registry.updateModel(m, model.id, { lastUpdatedTime: now });
        await this.audit.append(m, {
          ...actorOf(principal),
          action: 'model_version.registered',
          entityType: 'model_version',
          entityId: created.id,
          projectId: ref.projectId,
          after: {
            model: model.name,
            version: created.version,
            source: cmd.source,
            runId: run?.uuid ?? null,
            artifactPath: created.artifactPath,
            digest: created.artifactDigest,
            files: files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })),
            taskType: spec?.taskType ?? null,
            spec: spec ? { preprocessing: spec.preprocessing, postprocessing: spec.postprocessing } : null,
          },
        });
        await this.webhooks.emit(m, {
          projectId: ref.projectId,
          type: 'model_version.registered',
          data: {
            model: { id: model.id, name: model.name },
            version: {
              id: created.id,
              version: created.version,
              source: cmd.source,
              runId: run?.uuid ?? null,
              digest: created.artifactDigest,
            },
            taskType: spec?.taskType ?? null,
            registeredBy: principal.user.username,
          },
        });
        return created;
      });
    const version = await register().catch((e: unknown) => {
      // Two first registrations of a new model race to create it: the loser finds it the second time.
      if (cmd.createModel && (e as { code?: string }).code === '23505') return register();
      throw e;
    });
    return this.reads.versionView(version);
  }

  /** The model, locked; created (and audited) in this transaction when the project has none of that name. */
  private async lockedOrNewModel(m: EntityManager, principal: Principal, ref: ModelRef): Promise<RegisteredModelEntity> {
    check(modelNameProblem(ref.name));
    const found = await this.registry.lockModel(m, ref.projectId, ref.name);
    if (found) return found;
    const created = await this.registry.createModel(m, { projectId: ref.projectId, name: ref.name, description: null, now: Date.now() });
    await this.audit.append(m, {
      ...actorOf(principal),
      action: 'registered_model.created',
      entityType: 'registered_model',
      entityId: created.id,
      projectId: ref.projectId,
      after: { name: ref.name, description: null, tags: [] },
    });
    return created;
  }

  async getVersion(ref: ModelRef, version: number): Promise<VersionView> {
    return this.reads.versionView(await this.reads.versionOf(await this.reads.model(ref), version));
  }

  async updateVersion(principal: Principal, ref: ModelRef, version: number, description: string | null): Promise<VersionView> {
    assertMayEdit(principal, ref.projectId);
    const updated = await this.ds.transaction(async (m) => {
      const before = await this.reads.versionOf(await this.reads.lockedModel(m, ref), version, m);
      const after = await this.registry.updateVersion(m, before.id, { description: description ?? '', lastUpdatedTime: Date.now() });
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'model_version.updated',
        entityType: 'model_version',
        entityId: before.id,
        projectId: ref.projectId,
        before: versionSnapshot(before),
        after: versionSnapshot(after),
      });
      return after;
    });
    return this.reads.versionView(updated);
  }

  async deleteVersion(principal: Principal, ref: ModelRef, version: number): Promise<void> {
    assertMayEdit(principal, ref.projectId);
    assertNotRunScoped(principal);
    await this.ds.transaction(async (m) => {
      const model = await this.reads.lockedModel(m, ref);
      const v = await this.reads.versionOf(model, version, m);
      check(deletionProblem(v.currentStage, `Version ${version} of registered model '${model.name}'`));
      const now = Date.now();
      const aliases = await this.registry.deleteAliasesOfVersion(m, v.id);
      await this.registry.updateVersion(m, v.id, { deletedTime: now, lastUpdatedTime: now });
      await this.registry.updateModel(m, model.id, { lastUpdatedTime: now });
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'model_version.deleted',
        entityType: 'model_version',
        entityId: v.id,
        projectId: ref.projectId,
        before: { model: model.name, ...versionSnapshot(v), aliases },
      });
    });
  }

  async setVersionTag(principal: Principal, ref: ModelRef, version: number, tag: KeyValue): Promise<void> {
    assertMayEdit(principal, ref.projectId);
    check(registryTagProblem(tag.key, tag.value, 'Model version'));
    await this.ds.transaction(async (m) => {
      const v = await this.reads.versionOf(await this.reads.lockedModel(m, ref), version, m);
      const before = (await this.registry.versionTags([v.id], m)).find((t) => t.key === tag.key)?.value ?? null;
      await this.registry.setVersionTags(m, v.id, [tag]);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'model_version.tag_set',
        entityType: 'model_version',
        entityId: v.id,
        projectId: ref.projectId,
        before: { key: tag.key, value: before },
        after: { key: tag.key, value: tag.value },
      });
    });
  }

  async deleteVersionTag(principal: Principal, ref: ModelRef, version: number, key: string): Promise<void> {
    assertMayEdit(principal, ref.projectId);
    check(registryTagProblem(key, '', 'Model version'));
    await this.ds.transaction(async (m) => {
      const v = await this.reads.versionOf(await this.reads.lockedModel(m, ref), version, m);
      const removed = await this.registry.deleteVersionTag(m, v.id, key);
      if (removed !== null) {
        await this.audit.append(m, {
          ...actorOf(principal),
          action: 'model_version.tag_deleted',
          entityType: 'model_version',
          entityId: v.id,
          projectId: ref.projectId,
          before: { key, value: removed },
        });
      }
    });
  }

  /** Where the version's files are, as registered (MLflow answers the source URI). */
  async downloadUri(ref: ModelRef, version: number): Promise<string> {
    return (await this.reads.versionOf(await this.reads.model(ref), version)).source;
  }

  /** The objects a version pinned at registration. */
  async pinnedFiles(ref: ModelRef, version: number): Promise<ModelVersionFileEntity[]> {
    return this.registry.filesOf([(await this.reads.versionOf(await this.reads.model(ref), version)).id]);
  }

  // Stages

  /**
   * The one way a version changes stage. `path` says how the move was asked for: the MLflow API
   * (model.register) may move among none/staging/retired only; clinical use is entered and left
   * through a signed promotion request. archiveExisting retires the model's other versions in the
   * target stage (MLflow's archive_existing_versions), in the same transaction.
   */
  async transitionStage(
    principal: Principal,
    ref: ModelRef,
    version: number,
    target: ModelStage,
    archiveExisting: boolean,
    path: TransitionPath = 'mlflow',
  ): Promise<VersionView> {
    assertMayEdit(principal, ref.projectId);
    check(archiveExistingProblem(target, archiveExisting));
    assertNotRunScoped(principal);
    const moved = await this.ds.transaction(async (m) => {
      const model = await this.reads.lockedModel(m, ref);
      const before = await this.reads.versionOf(model, version, m);
      check(transitionProblem(before.currentStage, target, path));
      if (path === 'mlflow' && target === 'staging' && (await this.promotion.policies(model.id, m)).some((p) => p.stage === 'staging')) {
        throw new TrackingError(
          'INVALID_STATE',
          `Model '${model.name}' has a promotion policy for Staging (gates and signatures), so a version reaches Staging only through a promotion request in Caliper, not by transitioning its stage.`,
        );
      }
      const now = Date.now();
      if (archiveExisting) {
        for (const other of await this.registry.versionsInStage(m, model.id, target, before.id)) {
          check(transitionProblem(other.currentStage, 'retired', path));
          const archived = await this.registry.updateVersion(m, other.id, { currentStage: 'retired', lastUpdatedTime: now });
          await this.audit.append(m, {
            ...actorOf(principal),
            action: 'model_version.stage_changed',
            entityType: 'model_version',
            entityId: other.id,
            projectId: ref.projectId,
            before: { model: model.name, version: other.version, stage: other.currentStage },
            after: {
              model: model.name,
              version: archived.version,
              stage: 'retired',
              via: path,
              reason: `archive_existing_versions (version ${version} moved to ${toMlflowStage(target)})`,
            },
          });
        }
      }
      const after = await this.registry.updateVersion(m, before.id, { currentStage: target, lastUpdatedTime: now });
      await this.registry.updateModel(m, model.id, { lastUpdatedTime: now });
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'model_version.stage_changed',
        entityType: 'model_version',
        entityId: before.id,
        projectId: ref.projectId,
        before: { model: model.name, version, stage: before.currentStage },
        after: { model: model.name, version, stage: target, via: path },
      });
      return after;
    });
    return this.reads.versionView(moved);
  }

  // Aliases

  async setAlias(principal: Principal, ref: ModelRef, alias: string, version: number): Promise<void> {
    assertMayEdit(principal, ref.projectId);
    check(aliasProblem(alias));
    assertNotRunScoped(principal);
    await this.ds.transaction(async (m) => {
      const model = await this.reads.lockedModel(m, ref);
      await this.assertMayMoveAlias(m, principal, model, alias);
      const v = await this.reads.versionOf(model, version, m);
      const previous = await this.registry.findAlias(model.id, alias, m);
      const previousVersion = previous ? ((await this.registry.findVersionsByIds([previous.modelVersionId], m))[0]?.version ?? null) : null;
      await this.registry.setAlias(m, model.id, alias, v.id);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'alias.set',
        entityType: 'registered_model',
        entityId: model.id,
        projectId: ref.projectId,
        before: previous ? { alias, version: previousVersion } : null,
        after: { alias, version },
      });
    });
  }

  async deleteAlias(principal: Principal, ref: ModelRef, alias: string): Promise<boolean> {
    assertMayEdit(principal, ref.projectId);
    check(aliasProblem(alias));
    assertNotRunScoped(principal);
    return this.ds.transaction(async (m) => {
      const model = await this.reads.lockedModel(m, ref);
      await this.assertMayMoveAlias(m, principal, model, alias);
      const previous = await this.registry.findAlias(model.id, alias, m);
      if (!previous) return false;
      const previousVersion = (await this.registry.findVersionsByIds([previous.modelVersionId], m))[0]?.version ?? null;
      await this.registry.deleteAlias(m, model.id, alias);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'alias.deleted',
        entityType: 'registered_model',
        entityId: model.id,
        projectId: ref.projectId,
        before: { alias, version: previousVersion },
      });
      return true;
    });
  }

  /** A protected alias moves only for callers holding one of its rule's roles (a token: within its scope). */
  private async assertMayMoveAlias(m: EntityManager, principal: Principal, model: RegisteredModelEntity, alias: string): Promise<void> {
    const ruleRoles = await this.registry.aliasRuleRoles(m, model.id, alias);
    if (!ruleRoles) return;
    const roles = await this.access.rolesIn(principal, model.projectId);
    const effective = principal.method === 'token' ? roles.filter((r) => principal.token.roles.includes(r)) : roles;
    check(aliasRuleProblem(model.name, alias, ruleRoles, effective));
  }

  /** Protects an alias (only callers holding one of `roles` may move it) or, with no roles, lifts its protection (project.update: the PI). */
  async setAliasRule(
    principal: Principal,
    ref: ModelRef,
    alias: string,
    roles: readonly string[],
  ): Promise<{ alias: string; roles: string[] }[]> {
    assertGranted(principal, 'project.update', ref.projectId);
    check(aliasProblem(alias));
    const unknown = roles.filter((r) => !isProjectRole(r));
    if (unknown.length)
      throw new TrackingError(
        'INVALID_PARAMETER',
        `Unknown role(s) ${unknown.join(', ')}: name project roles (${PROJECT_ROLES.join(', ')}).`,
      );
    const unique = [...new Set(roles)];
    return this.ds.transaction(async (m) => {
      const model = await this.reads.lockedModel(m, ref);
      const before = await this.registry.setAliasRule(m, model.id, alias, unique, principal.user.id);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'alias_rule.set',
        entityType: 'registered_model',
        entityId: model.id,
        projectId: ref.projectId,
        before: before ? { alias, roles: before } : null,
        after: unique.length ? { alias, roles: unique } : null,
      });
      return (await this.registry.aliasRules(model.id, m)).map((r) => ({ alias: r.alias, roles: r.roles }));
    });
  }

  async versionByAlias(ref: ModelRef, alias: string): Promise<VersionView> {
    check(aliasProblem(alias));
    const model = await this.reads.model(ref);
    const found = await this.registry.findAlias(model.id, alias);
    const version = found ? (await this.registry.findVersionsByIds([found.modelVersionId]))[0] : undefined;
    if (!version || version.deletedTime !== null)
      throw new TrackingError('INVALID_PARAMETER', `Registered model alias ${alias} not found.`);
    return this.reads.versionView(version);
  }

  async searchVersions(
    projectId: string,
    q: { filter: string | null; orderBy: readonly string[]; maxResults: number | null; pageToken: string | null },
  ): Promise<Page<VersionView>> {
    const filter = parseModelVersionFilter(q.filter);
    const order = parseModelVersionOrder(q.orderBy);
    const limit = registryMaxResults(q.maxResults, 'versions');
    const offset = decodeOffsetToken(q.pageToken);
    const rows = await this.registry.searchVersions(projectId, filter, order, offset, limit + 1);
    return offsetPage(rows, limit, offset, (page) => this.reads.versionViews(page));
  }
}
