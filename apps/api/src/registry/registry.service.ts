/**
 * The one domain service for the model registry, shared by every transport: registered models,
 * versions (pinning the run's artifact objects and their sha256 at registration), tags, aliases,
 * search, and stage transitions. transitionStage is the single place a version changes stage;
 * the MLflow API reaches it with path 'mlflow' (never into or out of clinical use), and the
 * promotion flow will reach it with a signed request. Transports resolve the project and check
 * permissions (guard); this service enforces the rules and audits every change in the same
 * transaction.
 */
import { actorOf, assertGranted, Principal } from '@caliper/server-kit';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  aliasProblem,
  archiveExistingProblem,
  decodeOffsetToken,
  deletionProblem,
  encodeOffsetToken,
  KeyValue,
  latestVersionsPerStage,
  manifestDigest,
  modelNameProblem,
  ModelStage,
  parseModelSource,
  parseModelVersionFilter,
  parseModelVersionOrder,
  parseRegisteredModelFilter,
  parseRegisteredModelOrder,
  registryMaxResults,
  registryTagProblem,
  toMlflowStage,
  TrackingError,
  TransitionPath,
  transitionProblem,
} from '@caliper/domain';
import {
  AuditRepository,
  ModelVersionEntity,
  ModelVersionFileEntity,
  ModelVersionTagEntity,
  RegisteredModelEntity,
  RegisteredModelTagEntity,
  RegistryRepository,
  RunEntity,
  TrackingRepository,
} from '@caliper/persistence';

/** A registered model inside its project, by its bare name. */
export interface ModelRef {
  projectId: string;
  name: string;
}

export interface VersionView {
  version: ModelVersionEntity;
  model: RegisteredModelEntity;
  /** MLflow run_id of the source run, when linked. */
  runUuid: string | null;
  tags: ModelVersionTagEntity[];
  aliases: string[];
}

export interface ModelView {
  model: RegisteredModelEntity;
  tags: RegisteredModelTagEntity[];
  aliases: { alias: string; version: number }[];
  /** The highest version per stage (MLflow's latest_versions). */
  latestVersions: VersionView[];
}

export interface CreateVersionCommand {
  source: string;
  runUuid?: string | null;
  tags?: KeyValue[];
  description?: string | null;
  runLink?: string | null;
}

export interface Page<T> {
  items: T[];
  nextPageToken: string | null;
}

const modelNotFound = (name: string) => new TrackingError('NOT_FOUND', `Registered Model with name=${name} not found`);
const versionNotFound = (name: string, version: number | string) =>
  new TrackingError('NOT_FOUND', `Model Version (name=${name}, version=${version}) not found`);
const versionSnapshot = (v: ModelVersionEntity) => ({ version: v.version, stage: v.currentStage, description: v.description });

function check(problem: TrackingError | null): void {
  if (problem) throw problem;
}

@Injectable()
export class RegistryService {
  constructor(
    private readonly ds: DataSource,
    private readonly registry: RegistryRepository,
    private readonly tracking: TrackingRepository,
    private readonly audit: AuditRepository,
  ) {}

  // Registered models

  /**
   * The service's own check before a model's metadata changes, whatever the transport: the model
   * is in a project the request was granted model.register in, and the caller is not a token
   * limited to one run (such a token may register its run's model, nothing more).
   */
  private assertMayEdit(principal: Principal, projectId: string): void {
    assertGranted(principal, 'model.register', projectId);
    if (principal.method === 'token' && principal.token.runId) {
      throw new TrackingError(
        'FORBIDDEN',
        `This API token is limited to run ${principal.token.runId}: it may register that run's model, but not change registered models or versions.`,
      );
    }
  }

  async createModel(
    principal: Principal,
    projectId: string,
    name: string,
    opts: { description?: string | null; tags?: KeyValue[] } = {},
  ): Promise<ModelView> {
    assertGranted(principal, 'model.register', projectId);
    check(modelNameProblem(name));
    const tags = opts.tags ?? [];
    for (const t of tags) check(registryTagProblem(t.key, t.value, 'Registered model'));
    const model = await this.ds
      .transaction(async (m) => {
        if (await this.registry.findModel(projectId, name, m))
          throw new TrackingError('ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`);
        const created = await this.registry.createModel(m, { projectId, name, description: opts.description ?? null, now: Date.now() });
        await this.registry.setModelTags(m, created.id, tags);
        await this.audit.append(m, {
          ...actorOf(principal),
          action: 'registered_model.created',
          entityType: 'registered_model',
          entityId: created.id,
          projectId,
          after: { name, description: created.description, tags: tags.map((t) => ({ key: t.key, value: t.value })) },
        });
        return created;
      })
      .catch((e: unknown) => {
        // Two creators racing past the check meet the unique index; the loser hears MLflow's answer.
        if ((e as { code?: string }).code === '23505')
          throw new TrackingError('ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`);
        throw e;
      });
    return (await this.modelViews([model]))[0];
  }

  async getModel(ref: ModelRef): Promise<ModelView> {
    return (await this.modelViews([await this.model(ref)]))[0];
  }

  async renameModel(principal: Principal, ref: ModelRef, newName: string): Promise<ModelView> {
    this.assertMayEdit(principal, ref.projectId);
    check(modelNameProblem(newName));
    this.assertNotRunScoped(principal);
    const model = await this.ds.transaction(async (m) => {
      const before = await this.lockedModel(m, ref);
      if (newName === before.name) return before;
      if (await this.registry.findModel(ref.projectId, newName, m))
        throw new TrackingError('ALREADY_EXISTS', `Registered Model (name=${newName}) already exists.`);
      const after = await this.registry.updateModel(m, before.id, { name: newName, lastUpdatedTime: Date.now() });
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'registered_model.renamed',
        entityType: 'registered_model',
        entityId: before.id,
        projectId: ref.projectId,
        before: { name: before.name },
        after: { name: newName },
      });
      return after;
    });
    return (await this.modelViews([model]))[0];
  }

  async updateModel(principal: Principal, ref: ModelRef, description: string | null): Promise<ModelView> {
    this.assertMayEdit(principal, ref.projectId);
    const model = await this.ds.transaction(async (m) => {
      const before = await this.lockedModel(m, ref);
      const after = await this.registry.updateModel(m, before.id, { description, lastUpdatedTime: Date.now() });
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'registered_model.updated',
        entityType: 'registered_model',
        entityId: before.id,
        projectId: ref.projectId,
        before: { description: before.description },
        after: { description },
      });
      return after;
    });
    return (await this.modelViews([model]))[0];
  }

  /** Deletes the model and its versions (soft: rows stay for the audit trail); refused while a version is in clinical use. */
  async deleteModel(principal: Principal, ref: ModelRef): Promise<void> {
    this.assertMayEdit(principal, ref.projectId);
    this.assertNotRunScoped(principal);
    await this.ds.transaction(async (m) => {
      const model = await this.lockedModel(m, ref);
      const versions = await this.registry.versionsOf([model.id], m);
      for (const v of versions) check(deletionProblem(v.currentStage, `Version ${v.version} of registered model '${model.name}'`));
      const now = Date.now();
      for (const v of versions) {
        await this.registry.deleteAliasesOfVersion(m, v.id);
        await this.registry.updateVersion(m, v.id, { deletedTime: now, lastUpdatedTime: now });
      }
      await this.registry.updateModel(m, model.id, { deletedTime: now, lastUpdatedTime: now });
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'registered_model.deleted',
        entityType: 'registered_model',
        entityId: model.id,
        projectId: ref.projectId,
        before: { name: model.name, versions: versions.map((v) => v.version) },
      });
    });
  }

  async setModelTag(principal: Principal, ref: ModelRef, tag: KeyValue): Promise<void> {
    this.assertMayEdit(principal, ref.projectId);
    check(registryTagProblem(tag.key, tag.value, 'Registered model'));
    await this.ds.transaction(async (m) => {
      const model = await this.lockedModel(m, ref);
      const before = (await this.registry.modelTags([model.id], m)).find((t) => t.key === tag.key)?.value ?? null;
      await this.registry.setModelTags(m, model.id, [tag]);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'registered_model.tag_set',
        entityType: 'registered_model',
        entityId: model.id,
        projectId: ref.projectId,
        before: { key: tag.key, value: before },
        after: { key: tag.key, value: tag.value },
      });
    });
  }

  async deleteModelTag(principal: Principal, ref: ModelRef, key: string): Promise<void> {
    this.assertMayEdit(principal, ref.projectId);
    check(registryTagProblem(key, '', 'Registered model'));
    await this.ds.transaction(async (m) => {
      const model = await this.lockedModel(m, ref);
      const removed = await this.registry.deleteModelTag(m, model.id, key);
      if (removed !== null) {
        await this.audit.append(m, {
          ...actorOf(principal),
          action: 'registered_model.tag_deleted',
          entityType: 'registered_model',
          entityId: model.id,
          projectId: ref.projectId,
          before: { key, value: removed },
        });
      }
    });
  }

  // Model versions

  /**
   * Registers a version. A source inside a run's artifacts pins every object at that path (a file,
   * or all files under a directory) with its sha256; the run's later re-uploads move the run's
   * mapping but never what the version pinned.
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
    const version = await this.ds.transaction(async (m) => {
      const model = await this.lockedModel(m, ref);
      const run = runUuid ? await this.sourceRun(m, runUuid, ref.projectId) : null;
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
        },
      });
      return created;
    });
    return (await this.versionViews([version]))[0];
  }

  async getVersion(ref: ModelRef, version: number): Promise<VersionView> {
    return (await this.versionViews([await this.versionOf(await this.model(ref), version)]))[0];
  }

  async updateVersion(principal: Principal, ref: ModelRef, version: number, description: string | null): Promise<VersionView> {
    this.assertMayEdit(principal, ref.projectId);
    const updated = await this.ds.transaction(async (m) => {
      const before = await this.versionOf(await this.lockedModel(m, ref), version, m);
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
    return (await this.versionViews([updated]))[0];
  }

  async deleteVersion(principal: Principal, ref: ModelRef, version: number): Promise<void> {
    this.assertMayEdit(principal, ref.projectId);
    this.assertNotRunScoped(principal);
    await this.ds.transaction(async (m) => {
      const model = await this.lockedModel(m, ref);
      const v = await this.versionOf(model, version, m);
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
    this.assertMayEdit(principal, ref.projectId);
    check(registryTagProblem(tag.key, tag.value, 'Model version'));
    await this.ds.transaction(async (m) => {
      const v = await this.versionOf(await this.lockedModel(m, ref), version, m);
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
    this.assertMayEdit(principal, ref.projectId);
    check(registryTagProblem(key, '', 'Model version'));
    await this.ds.transaction(async (m) => {
      const v = await this.versionOf(await this.lockedModel(m, ref), version, m);
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
    return (await this.versionOf(await this.model(ref), version)).source;
  }

  /** The objects a version pinned at registration. */
  async pinnedFiles(ref: ModelRef, version: number): Promise<ModelVersionFileEntity[]> {
    return this.registry.filesOf([(await this.versionOf(await this.model(ref), version)).id]);
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
    this.assertMayEdit(principal, ref.projectId);
    check(archiveExistingProblem(target, archiveExisting));
    this.assertNotRunScoped(principal);
    const moved = await this.ds.transaction(async (m) => {
      const model = await this.lockedModel(m, ref);
      const before = await this.versionOf(model, version, m);
      check(transitionProblem(before.currentStage, target, path));
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
    return (await this.versionViews([moved]))[0];
  }

  /** MLflow's get-latest-versions: latest per stage, restricted to `stages` when given. */
  async latestVersions(ref: ModelRef, stages: readonly ModelStage[]): Promise<VersionView[]> {
    const view = await this.getModel(ref);
    return stages.length ? view.latestVersions.filter((v) => stages.includes(v.version.currentStage)) : view.latestVersions;
  }

  // Aliases

  async setAlias(principal: Principal, ref: ModelRef, alias: string, version: number): Promise<void> {
    this.assertMayEdit(principal, ref.projectId);
    check(aliasProblem(alias));
    this.assertNotRunScoped(principal);
    await this.ds.transaction(async (m) => {
      const model = await this.lockedModel(m, ref);
      const v = await this.versionOf(model, version, m);
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

  async deleteAlias(principal: Principal, ref: ModelRef, alias: string): Promise<void> {
    this.assertMayEdit(principal, ref.projectId);
    check(aliasProblem(alias));
    this.assertNotRunScoped(principal);
    await this.ds.transaction(async (m) => {
      const model = await this.lockedModel(m, ref);
      const previous = await this.registry.findAlias(model.id, alias, m);
      if (!previous) return;
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
    });
  }

  async versionByAlias(ref: ModelRef, alias: string): Promise<VersionView> {
    check(aliasProblem(alias));
    const model = await this.model(ref);
    const found = await this.registry.findAlias(model.id, alias);
    const version = found ? (await this.registry.findVersionsByIds([found.modelVersionId]))[0] : undefined;
    if (!version || version.deletedTime !== null)
      throw new TrackingError('INVALID_PARAMETER', `Registered model alias ${alias} not found.`);
    return (await this.versionViews([version]))[0];
  }

  // Search

  async searchModels(
    projectId: string,
    q: { filter: string | null; orderBy: readonly string[]; maxResults: number | null; pageToken: string | null },
  ): Promise<Page<ModelView>> {
    const filter = parseRegisteredModelFilter(q.filter);
    const order = parseRegisteredModelOrder(q.orderBy);
    const limit = registryMaxResults(q.maxResults, 'models');
    const offset = decodeOffsetToken(q.pageToken);
    const rows = await this.registry.searchModels(projectId, filter, order, offset, limit + 1);
    return {
      items: await this.modelViews(rows.slice(0, limit)),
      nextPageToken: rows.length > limit ? encodeOffsetToken(offset + limit) : null,
    };
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
    return {
      items: await this.versionViews(rows.slice(0, limit)),
      nextPageToken: rows.length > limit ? encodeOffsetToken(offset + limit) : null,
    };
  }

  // Helpers

  /** Lifecycle changes (stages, aliases, deletes, renames) are not for tokens limited to one training run. */
  private assertNotRunScoped(principal: Principal): void {
    if (principal.method === 'token' && principal.token.runId) {
      throw new TrackingError(
        'FORBIDDEN',
        `This API token is limited to run ${principal.token.runId}; it may register versions but not change stages, aliases or delete.`,
      );
    }
  }

  private async model(ref: ModelRef): Promise<RegisteredModelEntity> {
    check(modelNameProblem(ref.name));
    const model = await this.registry.findModel(ref.projectId, ref.name);
    if (!model) throw modelNotFound(ref.name);
    return model;
  }

  private async lockedModel(m: EntityManager, ref: ModelRef): Promise<RegisteredModelEntity> {
    check(modelNameProblem(ref.name));
    const model = await this.registry.lockModel(m, ref.projectId, ref.name);
    if (!model) throw modelNotFound(ref.name);
    return model;
  }

  private async versionOf(model: RegisteredModelEntity, version: number, m?: EntityManager): Promise<ModelVersionEntity> {
    const v = await this.registry.findVersion(model.id, version, m);
    if (!v) throw versionNotFound(model.name, version);
    return v;
  }

  private async sourceRun(m: EntityManager, uuid: string, projectId: string): Promise<RunEntity> {
    const run = await this.tracking.findRunByUuid(uuid, m);
    if (!run) throw new TrackingError('NOT_FOUND', `Run with id=${uuid} not found`);
    if (run.projectId !== projectId)
      throw new TrackingError('INVALID_PARAMETER', `Run ${uuid} belongs to another project; register it in that project's model registry.`);
    return run;
  }

  private async versionViews(versions: readonly ModelVersionEntity[]): Promise<VersionView[]> {
    const modelIds = [...new Set(versions.map((v) => v.registeredModelId))];
    const [models, tags, aliases, runs] = await Promise.all([
      this.registry.findModelsByIds(modelIds),
      this.registry.versionTags(versions.map((v) => v.id)),
      this.registry.aliasesOf(modelIds),
      this.tracking.findRunsByIds([...new Set(versions.flatMap((v) => (v.runId ? [v.runId] : [])))]),
    ]);
    const modelById = new Map(models.map((m) => [m.id, m]));
    const runById = new Map(runs.map((r) => [r.id, r]));
    return versions.map((version) => ({
      version,
      model: modelById.get(version.registeredModelId)!,
      runUuid: version.runId ? (runById.get(version.runId)?.uuid ?? null) : null,
      tags: tags.filter((t) => t.modelVersionId === version.id),
      aliases: aliases.filter((a) => a.modelVersionId === version.id).map((a) => a.alias),
    }));
  }

  private async modelViews(models: readonly RegisteredModelEntity[]): Promise<ModelView[]> {
    const ids = models.map((m) => m.id);
    const [tags, aliases, versions] = await Promise.all([
      this.registry.modelTags(ids),
      this.registry.aliasesOf(ids),
      this.registry.versionsOf(ids),
    ]);
    const latest = await this.versionViews(
      models.flatMap((m) => latestVersionsPerStage(versions.filter((v) => v.registeredModelId === m.id))),
    );
    const versionNumber = new Map(versions.map((v) => [v.id, v.version]));
    return models.map((model) => ({
      model,
      tags: tags.filter((t) => t.registeredModelId === model.id),
      aliases: aliases
        .filter((a) => a.registeredModelId === model.id && versionNumber.has(a.modelVersionId))
        .map((a) => ({ alias: a.alias, version: versionNumber.get(a.modelVersionId)! })),
      latestVersions: latest.filter((v) => v.version.registeredModelId === model.id),
    }));
  }
}
