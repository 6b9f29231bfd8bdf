/** API tokens by id, per request. */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { ApiTokenEntity, ApiTokensRepository } from '@caliper/persistence';
import { LoaderFactory, RequestLoaders } from '../graphql/loaders';

declare module '../graphql/loaders' {
  interface Loaders {
    apiToken: DataLoader<string, ApiTokenEntity | null>;
  }
}

@Injectable()
@RequestLoaders()
export class TokensLoaders implements LoaderFactory {
  constructor(private readonly tokens: ApiTokensRepository) {}

  create() {
    return {
      apiToken: new DataLoader<string, ApiTokenEntity | null>(async (ids) => Promise.all(ids.map((id) => this.tokens.findById(id)))),
    };
  }
}
