/** The caller's roles per project: what the guard decides with, batched per request. */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import type { ProjectRole } from '@caliper/domain';
import { ProjectsRepository } from '@caliper/persistence';
import { LoaderFactory, RequestLoaders } from '../graphql/loaders';

declare module '../graphql/loaders' {
  interface Loaders {
    /** The calling user's roles per project id (the caller is known once the guard has run). */
    myRoles: DataLoader<string, ProjectRole[]>;
  }
}

@Injectable()
@RequestLoaders()
export class AuthLoaders implements LoaderFactory {
  constructor(private readonly projects: ProjectsRepository) {}

  create(callerId: () => string | null) {
    return {
      myRoles: new DataLoader<string, ProjectRole[]>(async (ids) => {
        const userId = callerId();
        if (!userId) return ids.map(() => []);
        const rows = await this.projects.membershipsOf(userId, ids);
        return ids.map((id) => rows.find((m) => m.projectId === id)?.roles ?? []);
      }),
    };
  }
}
