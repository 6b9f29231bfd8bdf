/**
 * Registered models, model versions, their tags, aliases and pinned files: the only code that
 * touches those tables. Deleted rows (deleted_time set) are invisible to every read here.
 * Search compiles the parsed registry filter (libs/domain registry.ts) into parameterised SQL.
 */
import { DataSource, EntityManager, In, IsNull, SelectQueryBuilder } from 'typeorm';
import type { KeyValue, ModelSpec, ModelStage, PinnedFile, RegistryComparison, RegistryOrder } from '@caliper/domain';
import {
  ModelVersionEntity,
  ModelVersionFileEntity,
  ModelVersionTagEntity,
  ModelVersionValidationEntity,
  RegisteredModelAliasEntity,
  TensorSignatureRow,
  RegisteredModelEntity,
  RegisteredModelTagEntity,
} from '../entities/registry.entity';
import { ArtifactEntity } from '../entities/tracking.entity';

/** A run artifact row a version may pin. */
export interface RunArtifactObject extends PinnedFile {
  bucket: string;
  objectKey: string;
}

/** What TypeORM's postgres driver returns for a DELETE or UPDATE … RETURNING: the rows and the affected count. */
type DeleteResult<T> = [T[], number];

const SQL_OPS: Record<string, string> = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=', LIKE: 'LIKE', ILIKE: 'ILIKE' };

export class RegistryRepository {
  constructor(private readonly ds: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.ds.manager;
  }

  // Registered models

  findModel(projectId: string, name: string, manager?: EntityManager): Promise<RegisteredModelEntity | null> {
    return this.m(manager).findOneBy(RegisteredModelEntity, { projectId, name, deletedTime: IsNull() });
  }

  /** The live model, row-locked for the rest of the transaction (serialises version numbering and stage moves). */
  lockModel(manager: EntityManager, projectId: string, name: string): Promise<RegisteredModelEntity | null> {
    return manager
      .getRepository(RegisteredModelEntity)
      .createQueryBuilder('rm')
      .setLock('pessimistic_write')
      .where('rm.project_id = :projectId AND rm.name = :name AND rm.deleted_time IS NULL', { projectId, name })
      .getOne();
  }

  findModelsByIds(ids: readonly string[]): Promise<RegisteredModelEntity[]> {
    return ids.length ? this.ds.manager.findBy(RegisteredModelEntity, { id: In([...ids]) }) : Promise.resolve([]);
  }

  createModel(
    manager: EntityManager,
    m: { projectId: string; name: string; description: string | null; now: number },
  ): Promise<RegisteredModelEntity> {
    return manager.save(
      manager.create(RegisteredModelEntity, {
        projectId: m.projectId,
        name: m.name,
        description: m.description,
        creationTime: m.now,
        lastUpdatedTime: m.now,
        deletedTime: null,
      }),
    );
  }

  async updateModel(
    manager: EntityManager,
    id: string,
    changes: Partial<Pick<RegisteredModelEntity, 'name' | 'description' | 'lastUpdatedTime' | 'deletedTime'>>,
  ): Promise<RegisteredModelEntity> {
    await manager.update(RegisteredModelEntity, { id }, changes);
    return manager.findOneByOrFail(RegisteredModelEntity, { id });
  }

  modelTags(modelIds: readonly string[], manager?: EntityManager): Promise<RegisteredModelTagEntity[]> {
    return modelIds.length
      ? this.m(manager).find(RegisteredModelTagEntity, { where: { registeredModelId: In([...modelIds]) }, order: { key: 'ASC' } })
      : Promise.resolve([]);
  }

  async setModelTags(manager: EntityManager, modelId: string, tags: readonly KeyValue[]): Promise<void> {
    for (const t of tags)
      await manager.upsert(RegisteredModelTagEntity, { registeredModelId: modelId, key: t.key, value: t.value }, [
        'registeredModelId',
        'key',
      ]);
  }

  /** Returns the deleted tag's value, or null when there was none. */
  async deleteModelTag(manager: EntityManager, modelId: string, key: string): Promise<string | null> {
    const [rows]: DeleteResult<{ value: string }> = await manager.query(
      `DELETE FROM registered_model_tags WHERE registered_model_id = $1 AND key = $2 RETURNING value`,
      [modelId, key],
    );
    return rows[0]?.value ?? null;
  }

  // Aliases

  aliasesOf(modelIds: readonly string[], manager?: EntityManager): Promise<RegisteredModelAliasEntity[]> {
    return modelIds.length
      ? this.m(manager).find(RegisteredModelAliasEntity, { where: { registeredModelId: In([...modelIds]) }, order: { alias: 'ASC' } })
      : Promise.resolve([]);
  }

  findAlias(modelId: string, alias: string, manager?: EntityManager): Promise<RegisteredModelAliasEntity | null> {
    return this.m(manager).findOneBy(RegisteredModelAliasEntity, { registeredModelId: modelId, alias });
  }

  async setAlias(manager: EntityManager, modelId: string, alias: string, versionId: string): Promise<void> {
    await manager.upsert(RegisteredModelAliasEntity, { registeredModelId: modelId, alias, modelVersionId: versionId }, [
      'registeredModelId',
      'alias',
    ]);
  }

  async deleteAlias(manager: EntityManager, modelId: string, alias: string): Promise<boolean> {
    const result = await manager.delete(RegisteredModelAliasEntity, { registeredModelId: modelId, alias });
    return (result.affected ?? 0) > 0;
  }

  /** Removes every alias pointing at the version; returns the alias names removed. */
  async deleteAliasesOfVersion(manager: EntityManager, versionId: string): Promise<string[]> {
    const [rows]: DeleteResult<{ alias: string }> = await manager.query(
      `DELETE FROM registered_model_aliases WHERE model_version_id = $1 RETURNING alias`,
      [versionId],
    );
    return rows.map((r) => r.alias).sort();
  }

  // Model versions

  findVersion(modelId: string, version: number, manager?: EntityManager): Promise<ModelVersionEntity | null> {
    if (!Number.isSafeInteger(version) || version < 1 || version > 2147483647) return Promise.resolve(null);
    return this.m(manager).findOneBy(ModelVersionEntity, { registeredModelId: modelId, version, deletedTime: IsNull() });
  }

  findVersionsByIds(ids: readonly string[], manager?: EntityManager): Promise<ModelVersionEntity[]> {
    return ids.length ? this.m(manager).findBy(ModelVersionEntity, { id: In([...ids]) }) : Promise.resolve([]);
  }

  /** Live versions of the models, in version order. */
  versionsOf(modelIds: readonly string[], manager?: EntityManager): Promise<ModelVersionEntity[]> {
    return modelIds.length
      ? this.m(manager).find(ModelVersionEntity, {
          where: { registeredModelId: In([...modelIds]), deletedTime: IsNull() },
          order: { version: 'ASC' },
        })
      : Promise.resolve([]);
  }

  /** Next number for the model: deleted versions keep theirs (call with the model row locked). */
  async nextVersionNumber(manager: EntityManager, modelId: string): Promise<number> {
    const rows: { max: number | null }[] = await manager.query(
      `SELECT max(version) AS max FROM model_versions WHERE registered_model_id = $1`,
      [modelId],
    );
    return (rows[0]?.max ?? 0) + 1;
  }

  createVersion(
    manager: EntityManager,
    v: Omit<ModelVersionEntity, 'id' | 'registeredModel' | 'run' | 'user' | 'deletedTime' | 'status'>,
  ): Promise<ModelVersionEntity> {
    return manager.save(manager.create(ModelVersionEntity, { ...v, status: 'READY', deletedTime: null }));
  }

  async updateVersion(
    manager: EntityManager,
    id: string,
    changes: Partial<Pick<ModelVersionEntity, 'currentStage' | 'description' | 'lastUpdatedTime' | 'deletedTime'>>,
  ): Promise<ModelVersionEntity> {
    await manager.update(ModelVersionEntity, { id }, changes);
    return manager.findOneByOrFail(ModelVersionEntity, { id });
  }

  /** Other live versions of the model in a stage (archive_existing_versions). */
  versionsInStage(manager: EntityManager, modelId: string, stage: ModelStage, exceptId: string): Promise<ModelVersionEntity[]> {
    return manager
      .getRepository(ModelVersionEntity)
      .createQueryBuilder('mv')
      .where('mv.registered_model_id = :modelId AND mv.current_stage = :stage AND mv.id <> :exceptId AND mv.deleted_time IS NULL', {
        modelId,
        stage,
        exceptId,
      })
      .orderBy('mv.version', 'ASC')
      .getMany();
  }

  versionTags(versionIds: readonly string[], manager?: EntityManager): Promise<ModelVersionTagEntity[]> {
    return versionIds.length
      ? this.m(manager).find(ModelVersionTagEntity, { where: { modelVersionId: In([...versionIds]) }, order: { key: 'ASC' } })
      : Promise.resolve([]);
  }

  async setVersionTags(manager: EntityManager, versionId: string, tags: readonly KeyValue[]): Promise<void> {
    for (const t of tags)
      await manager.upsert(ModelVersionTagEntity, { modelVersionId: versionId, key: t.key, value: t.value }, ['modelVersionId', 'key']);
  }

  async deleteVersionTag(manager: EntityManager, versionId: string, key: string): Promise<string | null> {
    const [rows]: DeleteResult<{ value: string }> = await manager.query(
      `DELETE FROM model_version_tags WHERE model_version_id = $1 AND key = $2 RETURNING value`,
      [versionId, key],
    );
    return rows[0]?.value ?? null;
  }

  // Pinned files

  /** The run's artifact at `path` itself, or every artifact under `path/` ('' = all), in path order, locked against a concurrent re-map. */
  runArtifactsAt(manager: EntityManager, runId: string, path: string): Promise<ArtifactEntity[]> {
    return manager
      .getRepository(ArtifactEntity)
      .createQueryBuilder('a')
      .setLock('pessimistic_read')
      .where('a.run_id = :runId', { runId })
      .andWhere(path === '' ? 'TRUE' : '(a.path = :path OR starts_with(a.path, :under))', { path, under: `${path}/` })
      .orderBy('a.path', 'ASC')
      .getMany();
  }

  async pinFiles(manager: EntityManager, versionId: string, files: readonly RunArtifactObject[]): Promise<void> {
    if (!files.length) return;
    await manager.insert(
      ModelVersionFileEntity,
      files.map((f) => ({
        modelVersionId: versionId,
        path: f.path,
        bucket: f.bucket,
        objectKey: f.objectKey,
        size: f.size,
        sha256: f.sha256,
      })),
    );
  }

  /**
   * Which of these objects a model version pins (deleted versions included: their files stay
   * evidence). Code that removes artifact objects (re-upload, delete, orphan sweep) asks first.
   */
  async pinnedObjectKeys(bucket: string, objectKeys: readonly string[], manager?: EntityManager): Promise<Set<string>> {
    if (!objectKeys.length) return new Set();
    const rows: { object_key: string }[] = await this.m(manager).query(
      `SELECT DISTINCT object_key FROM model_version_files WHERE bucket = $1 AND object_key = ANY($2::text[])`,
      [bucket, [...objectKeys]],
    );
    return new Set(rows.map((r) => r.object_key));
  }

  filesOf(versionIds: readonly string[]): Promise<ModelVersionFileEntity[]> {
    return versionIds.length
      ? this.ds.manager.find(ModelVersionFileEntity, { where: { modelVersionId: In([...versionIds]) }, order: { path: 'ASC' } })
      : Promise.resolve([]);
  }

  // Alias rules (per-alias permissions)

  async aliasRules(modelId: string, manager?: EntityManager): Promise<{ alias: string; roles: string[]; updatedAt: Date }[]> {
    return this.m(manager).query(
      `SELECT alias, roles, updated_at AS "updatedAt" FROM registered_model_alias_rules WHERE registered_model_id = $1 ORDER BY alias`,
      [modelId],
    );
  }

  /** The roles that may move the alias, or null when it is not protected. */
  async aliasRuleRoles(manager: EntityManager, modelId: string, alias: string): Promise<string[] | null> {
    const rows: { roles: string[] }[] = await manager.query(
      `SELECT roles FROM registered_model_alias_rules WHERE registered_model_id = $1 AND alias = $2`,
      [modelId, alias],
    );
    return rows[0]?.roles ?? null;
  }

  /** Sets the alias's rule (roles non-empty) or removes it (empty); the rule as it was before. */
  async setAliasRule(
    manager: EntityManager,
    modelId: string,
    alias: string,
    roles: readonly string[],
    userId: string,
  ): Promise<string[] | null> {
    const before = await this.aliasRuleRoles(manager, modelId, alias);
    if (roles.length)
      await manager.query(
        `INSERT INTO registered_model_alias_rules (registered_model_id, alias, roles, updated_by, updated_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (registered_model_id, alias) DO UPDATE SET roles = EXCLUDED.roles, updated_by = EXCLUDED.updated_by, updated_at = now()`,
        [modelId, alias, roles, userId],
      );
    else await manager.query(`DELETE FROM registered_model_alias_rules WHERE registered_model_id = $1 AND alias = $2`, [modelId, alias]);
    return before;
  }

  // Validation (ONNX)

  /** The pending validation of a version just registered, with what the registration said it is. */
  async createValidation(manager: EntityManager, versionId: string, spec: ModelSpec | null): Promise<ModelVersionValidationEntity> {
    await manager.insert(ModelVersionValidationEntity, {
      modelVersionId: versionId,
      status: 'pending',
      taskType: spec?.taskType ?? null,
      spec: spec ? { preprocessing: spec.preprocessing, postprocessing: spec.postprocessing } : null,
    });
    return manager.findOneByOrFail(ModelVersionValidationEntity, { modelVersionId: versionId });
  }

  findValidation(versionId: string, manager?: EntityManager): Promise<ModelVersionValidationEntity | null> {
    return this.m(manager).findOneBy(ModelVersionValidationEntity, { modelVersionId: versionId });
  }

  validationsOf(versionIds: readonly string[]): Promise<ModelVersionValidationEntity[]> {
    return versionIds.length
      ? this.ds.manager.find(ModelVersionValidationEntity, { where: { modelVersionId: In([...versionIds]) } })
      : Promise.resolve([]);
  }

  /**
   * Records the outcome once: only a pending row changes (the trigger refuses the rest), so two
   * workers finishing the same validation leave the first outcome. False when it was not pending.
   */
  async finishValidation(
    manager: EntityManager,
    versionId: string,
    outcome: {
      status: 'valid' | 'invalid';
      reason: string | null;
      filePath: string | null;
      sha256: string | null;
      opset: number | null;
      inputs: TensorSignatureRow[] | null;
      outputs: TensorSignatureRow[] | null;
    },
  ): Promise<boolean> {
    const [, affected] = (await manager.query(
      `UPDATE model_version_validations SET status = $2, reason = $3, file_path = $4, sha256 = $5, opset = $6, inputs = $7::jsonb, outputs = $8::jsonb, validated_at = now()
       WHERE model_version_id = $1 AND status = 'pending' RETURNING model_version_id`,
      [
        versionId,
        outcome.status,
        outcome.reason,
        outcome.filePath,
        outcome.sha256,
        outcome.opset,
        outcome.inputs === null ? null : JSON.stringify(outcome.inputs),
        outcome.outputs === null ? null : JSON.stringify(outcome.outputs),
      ],
    )) as DeleteResult<unknown>;
    return affected > 0;
  }

  // Search

  async searchModels(
    projectId: string,
    filter: readonly RegistryComparison[],
    order: readonly RegistryOrder[],
    offset: number,
    limit: number,
  ): Promise<RegisteredModelEntity[]> {
    const q = this.ds.manager
      .getRepository(RegisteredModelEntity)
      .createQueryBuilder('rm')
      .where('rm.project_id = :projectId AND rm.deleted_time IS NULL', { projectId });
    filter.forEach((c, i) => {
      if (c.entity === 'tag') {
        q.andWhere(
          `EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.registered_model_id = rm.id AND t.key = :tk${i} AND t.value ${SQL_OPS[c.comparator]} :tv${i})`,
          { [`tk${i}`]: c.key, [`tv${i}`]: c.value },
        );
      } else {
        q.andWhere(`rm.name ${SQL_OPS[c.comparator]} :v${i}`, { [`v${i}`]: c.value });
      }
    });
    // Registered models sort by name and last update only (parseRegisteredModelOrder).
    const columns: Partial<Record<RegistryOrder['key'], string>> = { name: 'rm.name', last_updated_timestamp: 'rm.last_updated_time' };
    order.forEach((o) => q.addOrderBy(columns[o.key] ?? 'rm.name', o.ascending ? 'ASC' : 'DESC'));
    return q.offset(offset).limit(limit).getMany();
  }

  async searchVersions(
    projectId: string,
    filter: readonly RegistryComparison[],
    order: readonly RegistryOrder[],
    offset: number,
    limit: number,
  ): Promise<ModelVersionEntity[]> {
    const q = this.ds.manager
      .getRepository(ModelVersionEntity)
      .createQueryBuilder('mv')
      .innerJoin(RegisteredModelEntity, 'rm', 'rm.id = mv.registered_model_id')
      .where('rm.project_id = :projectId AND rm.deleted_time IS NULL AND mv.deleted_time IS NULL', { projectId });
    filter.forEach((c, i) => this.versionCondition(q, c, i));
    const columns: Record<RegistryOrder['key'], string> = {
      name: 'rm.name',
      version_number: 'mv.version',
      creation_timestamp: 'mv.creation_time',
      last_updated_timestamp: 'mv.last_updated_time',
    };
    order.forEach((o) => q.addOrderBy(columns[o.key], o.ascending ? 'ASC' : 'DESC'));
    return q.offset(offset).limit(limit).getMany();
  }

  private versionCondition(q: SelectQueryBuilder<ModelVersionEntity>, c: RegistryComparison, i: number): void {
    const p = `v${i}`;
    if (c.entity === 'tag') {
      q.andWhere(
        `EXISTS (SELECT 1 FROM model_version_tags t WHERE t.model_version_id = mv.id AND t.key = :tk${i} AND t.value ${SQL_OPS[c.comparator]} :${p})`,
        { [`tk${i}`]: c.key, [p]: c.value },
      );
      return;
    }
    const runUuid = `(SELECT r.uuid FROM runs r WHERE r.id = mv.run_id)`;
    switch (c.key) {
      case 'name':
        q.andWhere(`rm.name ${SQL_OPS[c.comparator]} :${p}`, { [p]: c.value });
        return;
      case 'source_path':
        q.andWhere(`mv.source ${SQL_OPS[c.comparator]} :${p}`, { [p]: c.value });
        return;
      case 'version_number':
        q.andWhere(`mv.version ${SQL_OPS[c.comparator]} :${p}`, { [p]: c.value });
        return;
      case 'run_id':
        if (c.comparator === 'IN') q.andWhere(`${runUuid} IN (:...${p})`, { [p]: c.value });
        else q.andWhere(`${runUuid} ${SQL_OPS[c.comparator]} :${p}`, { [p]: c.value });
        return;
    }
  }
}
