/** Users by id, batched per request. */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { AccountsRepository, UserEntity } from '@caliper/persistence';
import { byKey, LoaderFactory, RequestLoaders } from '../graphql/loaders';

declare module '../graphql/loaders' {
  interface Loaders {
    user: DataLoader<string, UserEntity | null>;
  }
}

@Injectable()
@RequestLoaders()
export class UsersLoaders implements LoaderFactory {
  constructor(private readonly accounts: AccountsRepository) {}

  create() {
    return {
      user: new DataLoader<string, UserEntity | null>(async (ids) => byKey(ids, await this.accounts.findUsersByIds(ids), (u) => u.id)),
    };
  }
}
