/**
 * Per request: each model version's ONNX validation (a list of versions reads them in one query),
 * and the project of a model version named by id (for the REST routes keyed by it).
 */
import { ModelVersionValidationEntity, RegistryRepository } from '@caliper/persistence';
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { DataSource } from 'typeorm';
import { LoaderFactory, RequestLoaders } from '../../graphql/loaders';

declare module '../../graphql/loaders' {
  interface Loaders {
    modelVersionValidation: DataLoader<string, ModelVersionValidationEntity | null>;
    /** The project of a model version that is not deleted (nor its model); null for any other id. */
    modelVersionProject: DataLoader<string, string | null>;
  }
}

@Injectable()
@RequestLoaders()
export class RegistryLoaders implements LoaderFactory {
  constructor(
    private readonly registry: RegistryRepository,
    private readonly ds: DataSource,
  ) {}

  create() {
    return {
      modelVersionValidation: new DataLoader<string, ModelVersionValidationEntity | null>(async (ids) => {
        const rows = await this.registry.validationsOf(ids);
        return ids.map((id) => rows.find((r) => r.modelVersionId === id) ?? null);
      }),
      modelVersionProject: new DataLoader<string, string | null>(async (ids) => {
        const rows: { id: string; projectId: string }[] = await this.ds.query(
          `SELECT mv.id, rm.project_id AS "projectId" FROM model_versions mv JOIN registered_models rm ON rm.id = mv.registered_model_id
           WHERE mv.id = ANY($1::uuid[]) AND mv.deleted_time IS NULL AND rm.deleted_time IS NULL`,
          [ids],
        );
        return ids.map((id) => rows.find((r) => r.id === id)?.projectId ?? null);
      }),
    };
  }
}
