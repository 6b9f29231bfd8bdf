/** Datasets and versions by id, per request: the guard's locator and the handler read the same rows. */
import { DatasetEntity, DatasetsRepository, DatasetVersionEntity } from '@caliper/datasets';
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { LoaderFactory, RequestLoaders } from '../graphql/loaders';

declare module '../graphql/loaders' {
  interface Loaders {
    dataset: DataLoader<string, DatasetEntity | null>;
    datasetVersion: DataLoader<string, DatasetVersionEntity | null>;
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
@RequestLoaders()
export class DatasetsLoaders implements LoaderFactory {
  constructor(private readonly datasets: DatasetsRepository) {}

  create() {
    return {
      dataset: new DataLoader<string, DatasetEntity | null>(async (ids) => {
        const rows = await this.datasets.findDatasetsByIds(ids.filter((id) => UUID_RE.test(id)));
        return ids.map((id) => rows.find((r) => r.id === id) ?? null);
      }),
      datasetVersion: new DataLoader<string, DatasetVersionEntity | null>(async (ids) => {
        const rows = await this.datasets.findVersionsByIds(ids.filter((id) => UUID_RE.test(id)));
        return ids.map((id) => rows.find((r) => r.id === id) ?? null);
      }),
    };
  }
}
