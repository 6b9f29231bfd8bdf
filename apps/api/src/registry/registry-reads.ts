/**
 * What the registry services share: finding a model or version (NOT_FOUND in MLflow's words),
 * locking a model for a change, the source run check, views of models and versions with their
 * tags, aliases and latest versions, and the two write guards every change passes.
 */
import { assertGranted, Principal } from '@caliper/server-kit';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { encodeOffsetToken, latestVersionsPerStage, modelNameProblem, TrackingError } from '@caliper/domain';
import { ModelVersionEntity, RegisteredModelEntity, RegistryRepository, RunEntity, TrackingRepository } from '@caliper/persistence';

import { ModelRef, ModelView, Page, VersionView } from './registry.types';

export const modelNotFound = (name: string) => new TrackingError('NOT_FOUND', `Registered Model with name=${name} not found`);
export const versionNotFound = (name: string, version: number | string) =>
  new TrackingError('NOT_FOUND', `Model Version (name=${name}, version=${version}) not found`);
export const versionSnapshot = (v: ModelVersionEntity) => ({ version: v.version, stage: v.currentStage, description: v.description });

/** One offset page of search results: `rows` were read with one row past `limit`, which says whether a next page exists. */
export async function offsetPage<R, V>(rows: R[], limit: number, offset: number, views: (rows: R[]) => Promise<V[]>): Promise<Page<V>> {
  return {
    items: await views(rows.slice(0, limit)),
    nextPageToken: rows.length > limit ? encodeOffsetToken(offset + limit) : null,
  };
}

export function check(problem: TrackingError | null): void {
  if (problem) throw problem;
}

/**
 * The service's own check before a model's metadata changes, whatever the transport: the model
 * is in a project the request was granted model.register in, and the caller is not a token
 * limited to one run (such a token may register its run's model, nothing more).
 */
export function assertMayEdit(principal: Principal, projectId: string): void {
  assertGranted(principal, 'model.register', projectId);
  if (principal.method === 'token' && principal.token.runId) {
    throw new TrackingError(
      'FORBIDDEN',
      `This API token is limited to run ${principal.token.runId}: it may register that run's model, but not change registered models or versions.`,
    );
  }
}

/** Lifecycle changes (stages, aliases, deletes, renames) are not for tokens limited to one training run. */
export function assertNotRunScoped(principal: Principal): void {
  if (principal.method === 'token' && principal.token.runId) {
    throw new TrackingError(
      'FORBIDDEN',
      `This API token is limited to run ${principal.token.runId}; it may register versions but not change stages, aliases or delete.`,
    );
  }
}

@Injectable()
export class RegistryReads {
  constructor(
    private readonly registry: RegistryRepository,
    private readonly tracking: TrackingRepository,
  ) {}

  async model(ref: ModelRef): Promise<RegisteredModelEntity> {
    check(modelNameProblem(ref.name));
    const model = await this.registry.findModel(ref.projectId, ref.name);
    if (!model) throw modelNotFound(ref.name);
    return model;
  }

  async lockedModel(m: EntityManager, ref: ModelRef): Promise<RegisteredModelEntity> {
    check(modelNameProblem(ref.name));
    const model = await this.registry.lockModel(m, ref.projectId, ref.name);
    if (!model) throw modelNotFound(ref.name);
    return model;
  }

  async versionOf(model: RegisteredModelEntity, version: number, m?: EntityManager): Promise<ModelVersionEntity> {
    const v = await this.registry.findVersion(model.id, version, m);
    if (!v) throw versionNotFound(model.name, version);
    return v;
  }

  async sourceRun(m: EntityManager, uuid: string, projectId: string): Promise<RunEntity> {
    const run = await this.tracking.findRunByUuid(uuid, m);
    if (!run) throw new TrackingError('NOT_FOUND', `Run with id=${uuid} not found`);
    if (run.projectId !== projectId)
      throw new TrackingError('INVALID_PARAMETER', `Run ${uuid} belongs to another project; register it in that project's model registry.`);
    return run;
  }

  async versionView(version: ModelVersionEntity): Promise<VersionView> {
    return (await this.versionViewer([version]))(version);
  }

  /** The model's live versions, in version order. */
  async versionsOfModel(modelId: string): Promise<VersionView[]> {
    return this.versionViews(await this.registry.versionsOf([modelId]));
  }

  async versionViews(versions: readonly ModelVersionEntity[]): Promise<VersionView[]> {
    return versions.map(await this.versionViewer(versions));
  }

  /** Reads what the views of these versions need once; the function answers the view of one of them. */
  private async versionViewer(versions: readonly ModelVersionEntity[]): Promise<(version: ModelVersionEntity) => VersionView> {
    const modelIds = [...new Set(versions.map((v) => v.registeredModelId))];
    const [models, tags, aliases, runs] = await Promise.all([
      this.registry.findModelsByIds(modelIds),
      this.registry.versionTags(versions.map((v) => v.id)),
      this.registry.aliasesOf(modelIds),
      this.tracking.findRunsByIds([...new Set(versions.flatMap((v) => (v.runId ? [v.runId] : [])))]),
    ]);
    const modelById = new Map(models.map((m) => [m.id, m]));
    const runById = new Map(runs.map((r) => [r.id, r]));
    return (version) => ({
      version,
      model: modelById.get(version.registeredModelId)!,
      runUuid: version.runId ? (runById.get(version.runId)?.uuid ?? null) : null,
      tags: tags.filter((t) => t.modelVersionId === version.id),
      aliases: aliases.filter((a) => a.modelVersionId === version.id).map((a) => a.alias),
    });
  }

  async modelView(model: RegisteredModelEntity): Promise<ModelView> {
    return (await this.modelViewer([model]))(model);
  }

  async modelViews(models: readonly RegisteredModelEntity[]): Promise<ModelView[]> {
    return models.map(await this.modelViewer(models));
  }

  /** Reads what the views of these models need once; the function answers the view of one of them. */
  private async modelViewer(models: readonly RegisteredModelEntity[]): Promise<(model: RegisteredModelEntity) => ModelView> {
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
    return (model) => ({
      model,
      tags: tags.filter((t) => t.registeredModelId === model.id),
      aliases: aliases
        .filter((a) => a.registeredModelId === model.id && versionNumber.has(a.modelVersionId))
        .map((a) => ({ alias: a.alias, version: versionNumber.get(a.modelVersionId)! })),
      latestVersions: latest.filter((v) => v.version.registeredModelId === model.id),
    });
  }
}
