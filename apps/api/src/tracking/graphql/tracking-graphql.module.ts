/** Services behind the tracking GraphQL resolvers (the resolvers themselves are in graphql/resolvers.ts). */
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccountsRepository, AuditRepository, ProjectsRepository, RunSearchRepository } from '@caliper/persistence';
import { DefaultProjectService } from './default-project.service';

@Module({
  providers: [
    {
      provide: DefaultProjectService,
      useFactory: (ds: DataSource, a: AccountsRepository, p: ProjectsRepository, au: AuditRepository) =>
        new DefaultProjectService(ds, a, p, au),
      inject: [DataSource, AccountsRepository, ProjectsRepository, AuditRepository],
    },
    { provide: RunSearchRepository, useFactory: (ds: DataSource) => new RunSearchRepository(ds), inject: [DataSource] },
  ],
  exports: [DefaultProjectService, RunSearchRepository],
})
export class TrackingGraphqlModule {}
