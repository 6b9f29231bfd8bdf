/**
 * A version's lineage per request, batched: `dataset { versions { children runs models } }` reads
 * each kind for every listed version in one query. Pages with the same size and cursor share a batch.
 */
import { DatasetLineageRepository, DatasetVersionEntity, VersionModelRow, VersionRunRow } from '@caliper/datasets';
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { LoaderFactory, RequestLoaders } from '../graphql/loaders';

export interface RunsPageKey {
  versionId: string;
  /** Rows to read: the page size plus one, to tell whether another page follows. */
  limit: number;
  /** Internal id of the last run of the previous page. */
  before: string | null;
}
export interface ModelsKey {
  versionId: string;
  limit: number;
}

declare module '../graphql/loaders' {
  interface Loaders {
    datasetVersionChildren: DataLoader<string, DatasetVersionEntity[]>;
    datasetVersionRuns: DataLoader<RunsPageKey, VersionRunRow[], string>;
    datasetVersionRunCount: DataLoader<string, number>;
    datasetVersionModels: DataLoader<ModelsKey, VersionModelRow[], string>;
  }
}

/** Keys grouped by what they share besides the version, each group answered by one call. */
async function grouped<K extends { versionId: string }, R extends { versionId: string }>(
  keys: readonly K[],
  groupOf: (k: K) => string,
  read: (versionIds: string[], sample: K) => Promise<R[]>,
): Promise<R[][]> {
  const groups = new Map<string, K[]>();
  for (const k of keys) groups.set(groupOf(k), [...(groups.get(groupOf(k)) ?? []), k]);
  const answers = new Map<K, R[]>();
  for (const group of groups.values()) {
    const rows = await read([...new Set(group.map((k) => k.versionId))], group[0]!);
    for (const k of group) answers.set(k, []);
    for (const r of rows) for (const k of group) if (k.versionId === r.versionId) answers.get(k)!.push(r);
  }
  return keys.map((k) => answers.get(k) ?? []);
}

@Injectable()
@RequestLoaders()
export class DatasetLineageLoaders implements LoaderFactory {
  constructor(private readonly lineage: DatasetLineageRepository) {}

  create() {
    return {
      datasetVersionChildren: new DataLoader<string, DatasetVersionEntity[]>(async (ids) => {
        const byParent = await this.lineage.children(ids);
        return ids.map((id) => byParent.get(id) ?? []);
      }),
      datasetVersionRuns: new DataLoader<RunsPageKey, VersionRunRow[], string>(
        (keys) =>
          grouped(
            keys,
            (k) => `${k.limit}|${k.before ?? ''}`,
            (ids, k) => this.lineage.runsUsing(ids, k.limit, k.before),
          ),
        { cacheKeyFn: (k) => `${k.versionId}|${k.limit}|${k.before ?? ''}` },
      ),
      datasetVersionRunCount: new DataLoader<string, number>(async (ids) => {
        const counts = await this.lineage.runCounts(ids);
        return ids.map((id) => counts.get(id) ?? 0);
      }),
      datasetVersionModels: new DataLoader<ModelsKey, VersionModelRow[], string>(
        (keys) =>
          grouped(
            keys,
            (k) => String(k.limit),
            (ids, k) => this.lineage.modelsTrainedFrom(ids, k.limit),
          ),
        { cacheKeyFn: (k) => `${k.versionId}|${k.limit}` },
      ),
    };
  }
}
