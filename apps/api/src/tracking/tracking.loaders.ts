/** Experiments and runs, batched per request: what the guard's locators and the tracking fields read. */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { ExperimentEntity, ExperimentTagEntity, RunEntity, RunRef, TrackingRepository } from '@caliper/persistence';
import { byKey, LoaderFactory, RequestLoaders } from '../graphql/loaders';

declare module '../graphql/loaders' {
  interface Loaders {
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
  }
}

@Injectable()
@RequestLoaders()
export class TrackingLoaders implements LoaderFactory {
  constructor(private readonly tracking: TrackingRepository) {}

  create() {
    const tracking = this.tracking;
    return {
      experiment: new DataLoader<string, ExperimentEntity | null>(async (ids) =>
        byKey(ids, await tracking.findExperimentsByIds(ids), (e) => e.id),
      ),
      defaultExperiment: new DataLoader<string, ExperimentEntity | null>(async (ids) =>
        Promise.all(ids.map((id) => tracking.findDefaultExperiment(id))),
      ),
      projectExperiments: new DataLoader<string, ExperimentEntity[]>(async (ids) => {
        const rows = await tracking.listExperiments(ids, 'active');
        return ids.map((id) => rows.filter((e) => e.projectId === id));
      }),
      experimentTags: new DataLoader<string, ExperimentTagEntity[]>(async (ids) => {
        const rows = await tracking.experimentTags(ids);
        return ids.map((id) => rows.filter((t) => t.experimentId === id));
      }),
      run: new DataLoader<string, RunEntity | null>(async (uuids) => byKey(uuids, await tracking.findRunsByUuids(uuids), (r) => r.uuid)),
      runRef: new DataLoader<string, RunRef | null>(async (uuids) => byKey(uuids, await tracking.runRefs(uuids), (r) => r.uuid)),
      runById: new DataLoader<string, RunEntity | null>(async (ids) => byKey(ids, await tracking.findRunsByIds(ids), (r) => r.id)),
      experimentRunCount: new DataLoader<string, number>(async (ids) => {
        const counts = await tracking.countRuns(ids);
        return ids.map((id) => counts.get(id) ?? 0);
      }),
    };
  }
}
