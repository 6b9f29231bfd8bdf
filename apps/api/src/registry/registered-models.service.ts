/**
 * Registered models, shared by every transport: create, rename, describe, tag, delete and search.
 * Transports resolve the project and check permissions (guard); this service enforces the rules
 * and audits every change in the same transaction.
 */
import { actorOf, assertGranted, Principal } from '@caliper/server-kit';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  decodeOffsetToken,
  deletionProblem,
  KeyValue,
  modelNameProblem,
  ModelStage,
  parseRegisteredModelFilter,
  parseRegisteredModelOrder,
  registryMaxResults,
  registryTagProblem,
  TrackingError,
} from '@caliper/domain';
import { AuditRepository, RegistryRepository, TrackingRepository } from '@caliper/persistence';

import { ModelRef, ModelView, Page, VersionView } from './registry.types';
import { assertMayEdit, assertNotRunScoped, check, offsetPage, RegistryReads } from './registry-reads';

@Injectable()
export class RegisteredModelsService {
  constructor(
    private readonly ds: DataSource,
    private readonly registry: RegistryRepository,
    private readonly reads: RegistryReads,
    private readonly tracking: TrackingRepository,
    private readonly audit: AuditRepository,
  ) {}

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
    return this.reads.modelView(model);
  }

  async getModel(ref: ModelRef): Promise<ModelView> {
    return this.reads.modelView(await this.reads.model(ref));
  }

  async renameModel(principal: Principal, ref: ModelRef, newName: string): Promise<ModelView> {
    assertMayEdit(principal, ref.projectId);
    check(modelNameProblem(newName));
    assertNotRunScoped(principal);
    const model = await this.ds.transaction(async (m) => {
      const before = await this.reads.lockedModel(m, ref);
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
    return this.reads.modelView(model);
  }

  async updateModel(principal: Principal, ref: ModelRef, description: string | null): Promise<ModelView> {
    assertMayEdit(principal, ref.projectId);
    const model = await this.ds.transaction(async (m) => {
      const before = await this.reads.lockedModel(m, ref);
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
    return this.reads.modelView(model);
  }

  /** Deletes the model and its versions (soft: rows stay for the audit trail); refused while a version is in clinical use. */
  async deleteModel(principal: Principal, ref: ModelRef): Promise<void> {
    assertMayEdit(principal, ref.projectId);
    assertNotRunScoped(principal);
    await this.ds.transaction(async (m) => {
      const model = await this.reads.lockedModel(m, ref);
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
    assertMayEdit(principal, ref.projectId);
    check(registryTagProblem(tag.key, tag.value, 'Registered model'));
    await this.ds.transaction(async (m) => {
      const model = await this.reads.lockedModel(m, ref);
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
    assertMayEdit(principal, ref.projectId);
    check(registryTagProblem(key, '', 'Registered model'));
    await this.ds.transaction(async (m) => {
      const model = await this.reads.lockedModel(m, ref);
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

  async searchModels(
    projectId: string,
    q: { filter: string | null; orderBy: readonly string[]; maxResults: number | null; pageToken: string | null },
  ): Promise<Page<ModelView>> {
    const filter = parseRegisteredModelFilter(q.filter);
    const order = parseRegisteredModelOrder(q.orderBy);
    const limit = registryMaxResults(q.maxResults, 'models');
    const offset = decodeOffsetToken(q.pageToken);
    const rows = await this.registry.searchModels(projectId, filter, order, offset, limit + 1);
    return offsetPage(rows, limit, offset, (page) => this.reads.modelViews(page));
  }

  /** MLflow's get-latest-versions: latest per stage, restricted to `stages` when given. */
  async latestVersions(ref: ModelRef, stages: readonly ModelStage[]): Promise<VersionView[]> {
    const view = await this.getModel(ref);
    return stages.length ? view.latestVersions.filter((v) => stages.includes(v.version.currentStage)) : view.latestVersions;
  }
}
