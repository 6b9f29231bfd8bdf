/** The one static DataSource factory (no request-scoped connections); never synchronize. */
import { DataSource } from 'typeorm';
import { UserCredentialEntity, UserEntity, SessionEntity } from './entities/user.entity';
import { ApiTokenEntity, ProjectEntity, ProjectMemberEntity } from './entities/project.entity';
import { OutboxEntity, UploadEntity } from './entities/infra.entity';
import {
  ArtifactEntity,
  ExperimentEntity,
  ExperimentTagEntity,
  IdempotencyRecordEntity,
  LatestMetricEntity,
  MetricKeyEntity,
  RunEntity,
  RunInputEntity,
  RunLogEntity,
  RunParamEntity,
  RunTagEntity,
} from './entities/tracking.entity';
import {
  ModelVersionEntity,
  ModelVersionFileEntity,
  ModelVersionTagEntity,
  ModelVersionValidationEntity,
  RegisteredModelAliasEntity,
  RegisteredModelEntity,
  RegisteredModelTagEntity,
} from './entities/registry.entity';
import { SavedViewEntity } from './entities/saved-view.entity';
import { MIGRATIONS } from '@caliper/migrations';

/** The core's entities: accounts, projects, tracking, registry. A feature declares its own (see registerEntities). */
export const ENTITIES = [
  UserEntity,
  UserCredentialEntity,
  SessionEntity,
  ProjectEntity,
  ProjectMemberEntity,
  ApiTokenEntity,
  OutboxEntity,
  UploadEntity,
  ExperimentEntity,
  ExperimentTagEntity,
  RunEntity,
  RunParamEntity,
  RunTagEntity,
  MetricKeyEntity,
  LatestMetricEntity,
  RunInputEntity,
  RunLogEntity,
  ArtifactEntity,
  IdempotencyRecordEntity,
  RegisteredModelEntity,
  RegisteredModelTagEntity,
  ModelVersionEntity,
  ModelVersionTagEntity,
  ModelVersionFileEntity,
  RegisteredModelAliasEntity,
  ModelVersionValidationEntity,
  SavedViewEntity,
];
export { MIGRATIONS };

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's entity targets are classes of any shape
type EntityClass = Function;
const featureEntities = new Set<EntityClass>();

/**
 * Adds a feature's entities to every DataSource built afterwards. A feature keeps its entity
 * classes in its own folder and declares them through `PersistenceModule.forFeature`, which calls
 * this when the feature's module is defined (at import, before any DataSource is built), the way
 * @nestjs/typeorm's autoLoadEntities collects them: no shared entity list to edit.
 */
export function registerEntities(entities: readonly EntityClass[]): void {
  for (const e of entities) featureEntities.add(e);
}

/** The core's entities and every feature's registered so far. */
export function allEntities(): EntityClass[] {
  return [...ENTITIES, ...featureEntities];
}

/** `statementTimeoutMs`: the session default every connection of the pool starts with (PostgreSQL's statement_timeout). */
export function createDataSource(
  url: string,
  opts: { applicationName?: string; poolSize?: number; statementTimeoutMs?: number } = {},
): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    ...(opts.statementTimeoutMs ? { extra: { statement_timeout: opts.statementTimeoutMs } } : {}),
    entities: allEntities(),
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    applicationName: opts.applicationName ?? 'caliper',
    poolSize: opts.poolSize ?? 10,
  });
}

/** Applies pending migrations as the owner role. Returns the names applied. */
export async function runMigrations(ownerUrl: string): Promise<string[]> {
  const ds = createDataSource(ownerUrl, { applicationName: 'caliper-migrate', poolSize: 1 });
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

/**
 * SQL TypeORM would run to make the database match the entities (the core's and every feature's
 * registered in this process: import the app's features first): empty means no missing migration.
 */
export async function pendingSchemaChanges(ownerUrl: string): Promise<string[]> {
  const ds = createDataSource(ownerUrl, { applicationName: 'caliper-schema-check', poolSize: 1 });
  await ds.initialize();
  try {
    const log = await ds.driver.createSchemaBuilder().log();
    return log.upQueries.map((q) => q.query);
  } finally {
    await ds.destroy();
  }
}
