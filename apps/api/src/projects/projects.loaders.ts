/** Projects by id and by slug, and their members, batched per request. */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { ProjectEntity, ProjectMemberEntity, ProjectsRepository } from '@caliper/persistence';
import { byKey, LoaderFactory, RequestLoaders } from '../graphql/loaders';

declare module '../graphql/loaders' {
  interface Loaders {
    project: DataLoader<string, ProjectEntity | null>;
    projectBySlug: DataLoader<string, ProjectEntity | null>;
    members: DataLoader<string, ProjectMemberEntity[]>;
  }
}

@Injectable()
@RequestLoaders()
export class ProjectsLoaders implements LoaderFactory {
  constructor(private readonly projects: ProjectsRepository) {}

  create() {
    const projects = this.projects;
    return {
      project: new DataLoader<string, ProjectEntity | null>(async (ids) => byKey(ids, await projects.findByIds(ids), (p) => p.id)),
      projectBySlug: new DataLoader<string, ProjectEntity | null>(async (slugs) =>
        byKey(slugs, await projects.findBySlugs(slugs), (p) => p.slug),
      ),
      members: new DataLoader<string, ProjectMemberEntity[]>(async (ids) => {
        const rows = await projects.membersOf(ids);
        return ids.map((id) => rows.filter((m) => m.projectId === id));
      }),
    };
  }
}
