/** Each model version's ONNX validation, per request: a list of versions reads them in one query. */
import { ModelVersionValidationEntity, RegistryRepository } from '@caliper/persistence';
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { LoaderFactory, RequestLoaders } from '../../graphql/loaders';

declare module '../../graphql/loaders' {
  interface Loaders {
    modelVersionValidation: DataLoader<string, ModelVersionValidationEntity | null>;
  }
}

@Injectable()
@RequestLoaders()
export class RegistryLoaders implements LoaderFactory {
  constructor(private readonly registry: RegistryRepository) {}

  create() {
    return {
      modelVersionValidation: new DataLoader<string, ModelVersionValidationEntity | null>(async (ids) => {
        const rows = await this.registry.validationsOf(ids);
        return ids.map((id) => rows.find((r) => r.modelVersionId === id) ?? null);
      }),
    };
  }
}
