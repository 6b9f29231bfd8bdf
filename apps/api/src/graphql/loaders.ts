/** Per-request DataLoaders, built in the GraphQL context factory (no request-scoped providers). */
import DataLoader from 'dataloader';
import type { ProjectRole } from '@caliper/domain';
import {
  AccountsRepository,
  ApiTokenEntity,
  ApiTokensRepository,
  ExperimentEntity,
  ExperimentTagEntity,
  ProjectEntity,
  ProjectMemberEntity,
  ProjectsRepository,
  RunEntity,
  RunRef,
  TrackingRepository,
  UserEntity,
} from '@caliper/persistence';

export interface Loaders {
  user: DataLoader<string, UserEntity | null>;
  project: DataLoader<string, ProjectEntity | null>;
  projectBySlug: DataLoader<string, ProjectEntity | null>;
  members: DataLoader<string, ProjectMemberEntity[]>;
  apiToken: DataLoader<string, ApiTokenEntity | null>;
  experiment: DataLoader<string, ExperimentEntity | null>;
  /** Each project's Default experiment (MLflow's experiment "0"), by project id. */
  defaultExperiment: DataLoader<string, ExperimentEntity | null>;
  /** Active experiments per project id, oldest first. */
  projectExperiments: DataLoader<string, ExperimentEntity[]>;
  experimentTags: DataLoader<string, ExperimentTagEntity[]>;
  /** Runs by MLflow run_id (32 hex). */
  run: DataLoader<string, RunEntity | null>;
  /** What never changes about a run, by MLflow run_id: what the guard needs to place a request (kept per process). */
  runRef: DataLoader<string, RunRef | null>;
  /** Runs by their internal bigint id (parent runs point at it). */
  runById: DataLoader<string, RunEntity | null>;
  /** Active runs per experiment id. */
  experimentRunCount: DataLoader<string, number>;
  /** The calling user's roles per project id (the caller is known once the guard has run). */
  myRoles: DataLoader<string, ProjectRole[]>;
}

function byKey<T>(keys: readonly string[], rows: T[], keyOf: (r: T) => string): (T | null)[] {
  const map = new Map(rows.map((r) => [keyOf(r), r]));
  return keys.map((k) => map.get(k) ?? null);
}

export function createLoaders(
  accounts: AccountsRepository,
  projects: ProjectsRepository,
  tokens: ApiTokensRepository,
  tracking: TrackingRepository,
  callerId: () => string | null,
): Loaders {
  return {
    user: new DataLoader(async (ids) => byKey(ids, await accounts.findUsersByIds(ids), (u) => u.id)),
    project: new DataLoader(async (ids) => byKey(ids, await projects.findByIds(ids), (p) => p.id)),
    projectBySlug: new DataLoader(async (slugs) => byKey(slugs, await projects.findBySlugs(slugs), (p) => p.slug)),
    members: new DataLoader(async (ids) => {
      const rows = await projects.membersOf(ids);
      return ids.map((id) => rows.filter((m) => m.projectId === id));
    }),
    apiToken: new DataLoader(async (ids) => Promise.all(ids.map((id) => tokens.findById(id)))),
    experiment: new DataLoader(async (ids) => byKey(ids, await tracking.findExperimentsByIds(ids), (e) => e.id)),
    defaultExperiment: new DataLoader(async (ids) => Promise.all(ids.map((id) => tracking.findDefaultExperiment(id)))),
    projectExperiments: new DataLoader(async (ids) => {
      const rows = await tracking.listExperiments(ids, 'active');
      return ids.map((id) => rows.filter((e) => e.projectId === id));
    }),
    experimentTags: new DataLoader(async (ids) => {
      const rows = await tracking.experimentTags(ids);
      return ids.map((id) => rows.filter((t) => t.experimentId === id));
    }),
    run: new DataLoader(async (uuids) => byKey(uuids, await tracking.findRunsByUuids(uuids), (r) => r.uuid)),
    runRef: new DataLoader(async (uuids) => byKey(uuids, await tracking.runRefs(uuids), (r) => r.uuid)),
    runById: new DataLoader(async (ids) => byKey(ids, await tracking.findRunsByIds(ids), (r) => r.id)),
    experimentRunCount: new DataLoader(async (ids) => {
      const counts = await tracking.countRuns(ids);
      return ids.map((id) => counts.get(id) ?? 0);
    }),
    myRoles: new DataLoader(async (ids) => {
      const userId = callerId();
      if (!userId) return ids.map(() => []);
      const rows = await projects.membershipsOf(userId, ids);
      return ids.map((id) => rows.find((m) => m.projectId === id)?.roles ?? []);
    }),
  };
}
