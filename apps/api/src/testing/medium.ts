/**
 * Medium tests (STYLE.md: immich's server/test/medium): one feature module wired as the API wires
 * it (InfraModule: the one DataSource and every repository; AuthKitModule: AccessService and
 * AuthService), over a fresh clone of the migrated test database, with factories that insert real
 * rows through the repositories. No HTTP and no GraphQL: a test calls the service's public methods
 * with the Principal a resolver would pass, then reads the rows (audit_events included) back.
 */
import { randomBytes } from 'node:crypto';
import type { DynamicModule, INestApplicationContext, Type } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { loadConfig } from '@caliper/config';
import type { Permission, ProjectRole } from '@caliper/domain';
import {
  AccountsRepository,
  ExperimentEntity,
  MetricsRepository,
  ProjectEntity,
  ProjectsRepository,
  RunEntity,
  TrackingRepository,
  UserEntity,
} from '@caliper/persistence';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { AuthKitModule, Grants, Principal } from '@caliper/server-kit';
import { InfraModule } from '../infra.module';

@Module({})
class MediumRootModule {}

/** An audit_events row as stored (the hash chain's own columns left out). */
export interface AuditRow {
  seq: number;
  actorId: string | null;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string | null;
  projectId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  reason: string | null;
}

export interface Medium {
  app: INestApplicationContext;
  db: TestDatabase;
  ds: DataSource;
  get<T>(type: Type<T>): T;
  close(): Promise<void>;
  /** A user with no credentials (services under test never sign anyone in). */
  newUser(opts?: { globalRole?: 'system_admin' | 'auditor' | null; kind?: 'human' | 'service'; active?: boolean }): Promise<UserEntity>;
  /** A project, without its Default experiment (ProjectsService makes that; tests that need one call newExperiment). */
  newProject(): Promise<ProjectEntity>;
  addMember(projectId: string, user: UserEntity, roles: ProjectRole[]): Promise<void>;
  newExperiment(projectId: string, name?: string): Promise<ExperimentEntity>;
  newRun(experiment: ExperimentEntity, user: UserEntity, opts?: { name?: string; startTime?: number }): Promise<RunEntity>;
  /** Writes metric points straight through MetricsRepository (as an ingest transaction would). */
  logPoints(run: RunEntity, points: { key: string; step: number; value: number; timestamp?: number }[]): Promise<number>;
  /** audit_events rows matching every given column, oldest first. */
  auditRows(where?: { entityId?: string; projectId?: string; action?: string; entityType?: string }): Promise<AuditRow[]>;
  /** Row counts of the tables, for "nothing was written" checks. */
  counts(...tables: string[]): Promise<Record<string, number>>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** The principal a signed-in request carries; `grants` as the guard fills them (unset: trusted, as the worker's). */
export function sessionPrincipal(user: UserEntity, grants?: [projectId: string, ...permissions: Permission[]][]): Principal {
  return {
    method: 'session',
    sessionId: `medium-${user.id}`,
    user: { id: user.id, username: user.username, displayName: user.displayName, globalRole: user.globalRole },
    ...(grants ? { grants: grantsOf(grants) } : {}),
  };
}

/**
 * A principal the audit log refuses to name: its label holds a lone UTF-16 surrogate, which
 * AuditRepository.append refuses (AUDIT_REFUSED) after the change it records was written in the
 * same transaction. A service that audits in the change's transaction leaves no row behind.
 */
export function unauditablePrincipal(user: UserEntity, grants?: [projectId: string, ...permissions: Permission[]][]): Principal {
  const p = sessionPrincipal(user, grants);
  return { ...p, user: { ...p.user, username: `${user.username}\uD800` } };
}

/** How AuditRepository.append refuses the event of an unauditablePrincipal. */
export const AUDIT_REFUSED = { code: 'INVALID_TEXT', path: '$.actorLabel' };

/** The principal of a request made with an API token (owner's roles read with the token, as AuthService does). */
export function tokenPrincipal(
  user: UserEntity,
  token: { id?: string; projectId: string; roles: ProjectRole[]; ownerRoles?: ProjectRole[]; runId?: string | null },
  grants?: [projectId: string, ...permissions: Permission[]][],
): Principal {
  return {
    method: 'token',
    user: { id: user.id, username: user.username, displayName: user.displayName, globalRole: null },
    token: {
      id: token.id ?? `tok-${user.id.slice(0, 8)}`,
      projectId: token.projectId,
      roles: token.roles,
      ownerRoles: token.ownerRoles ?? token.roles,
      runId: token.runId ?? null,
    },
    ...(grants ? { grants: grantsOf(grants) } : {}),
  };
}

function grantsOf(grants: [projectId: string, ...permissions: Permission[]][]): Grants {
  const g = new Grants();
  for (const [projectId, ...permissions] of grants) for (const p of permissions) g.add(projectId, p);
  return g;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

/** Boots `features` (each a feature module of apps/api) over a fresh test database. Call close() in afterAll. */
export async function startMedium(...features: (Type<unknown> | DynamicModule)[]): Promise<Medium> {
  const db = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: db.appUrl,
    LOG_LEVEL: 'warn',
    REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}`,
  });
  let app: INestApplicationContext;
  try {
    app = await NestFactory.createApplicationContext(
      { module: MediumRootModule, imports: [InfraModule.forConfig(config), AuthKitModule, ...features] },
      { logger: ['error'] },
    );
  } catch (e) {
    await db.drop();
    throw e;
  }
  const ds = app.get(DataSource);
  const accounts = app.get(AccountsRepository);
  const projects = app.get(ProjectsRepository);
  const tracking = app.get(TrackingRepository);
  const metrics = app.get(MetricsRepository);
  const query = <T>(sql: string, params: unknown[] = []) => ds.query(sql, params) as Promise<T[]>;

  return {
    app,
    db,
    ds,
    get: (type) => app.get(type),
    query,
    close: async () => {
      await app.close();
      await db.drop();
    },
    newUser: async (opts = {}) => {
      const username = unique('user');
      const user = await ds.transaction((m) =>
        accounts.createUser(
          m,
          { username, displayName: `User ${username}`, email: null, kind: opts.kind ?? 'human', globalRole: opts.globalRole ?? null },
          null,
        ),
      );
      return opts.active === false ? ds.transaction((m) => accounts.deactivateUser(m, user.id)) : user;
    },
    newProject: async () => {
      const slug = unique('p').replace(/[^a-z0-9-]/g, '');
      return ds.transaction((m) => projects.create(m, { slug, name: `Project ${slug}`, description: '' }));
    },
    addMember: async (projectId, user, roles) => {
      await ds.transaction((m) => projects.addMember(m, projectId, user.id, [...roles].sort()));
    },
    newExperiment: (projectId, name) =>
      ds.transaction((m) => tracking.createExperiment(m, { projectId, name: name ?? unique('experiment'), now: Date.now() })),
    newRun: (experiment, user, opts = {}) =>
      ds.transaction((m) => {
        const uuid = randomBytes(16).toString('hex');
        return tracking.createRun(m, {
          uuid,
          experimentId: experiment.id,
          projectId: experiment.projectId,
          name: opts.name ?? unique('run'),
          status: 'running',
          startTime: opts.startTime ?? Date.now(),
          endTime: null,
          userId: user.id,
          artifactUri: `mlflow-artifacts:/${experiment.id}/${uuid}/artifacts`,
          parentRunId: null,
          gitCommit: null,
          gitRepo: null,
          imageDigest: null,
        });
      }),
    logPoints: (run, points) =>
      ds.transaction((m) =>
        metrics.insertPoints(
          m,
          run.id,
          points.map((p) => ({ key: p.key, step: p.step, value: p.value, timestamp: p.timestamp ?? 1_700_000_000_000 + p.step })),
        ),
      ),
    auditRows: async (where = {}) => {
      const rows = await query<{
        seq: string;
        actor_id: string | null;
        actor_label: string;
        action: string;
        entity_type: string;
        entity_id: string | null;
        project_id: string | null;
        before: Record<string, unknown> | null;
        after: Record<string, unknown> | null;
        reason: string | null;
      }>(
        `SELECT seq, actor_id, actor_label, action, entity_type, entity_id, project_id, before, after, reason FROM audit_events
         WHERE ($1::text IS NULL OR entity_id = $1) AND ($2::uuid IS NULL OR project_id = $2)
           AND ($3::text IS NULL OR action = $3) AND ($4::text IS NULL OR entity_type = $4)
         ORDER BY seq`,
        [where.entityId ?? null, where.projectId ?? null, where.action ?? null, where.entityType ?? null],
      );
      return rows.map((r) => ({
        seq: Number(r.seq),
        actorId: r.actor_id,
        actorLabel: r.actor_label,
        action: r.action,
        entityType: r.entity_type,
        entityId: r.entity_id,
        projectId: r.project_id,
        before: r.before,
        after: r.after,
        reason: r.reason,
      }));
    },
    counts: async (...tables) => {
      const out: Record<string, number> = {};
      for (const t of tables) {
        if (!/^[a-z_]+$/.test(t)) throw new Error(`not a table name: ${t}`);
        const [row] = await query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`);
        if (!row) throw new Error(`count(*) of ${t} answered no row`);
        out[t] = Number(row.n);
      }
      return out;
    },
  };
}
