/** Tracking in GraphQL: experiments, runs and their fields, each project's and the caller's default project. */
import { Module } from '@nestjs/common';
import { TrackingModule } from '../tracking.module';
import { DefaultProjectService } from './default-project.service';
import { ExperimentResolver } from './experiment.resolver';
import { MeTrackingResolver } from './me-tracking.resolver';
import { ProjectTrackingResolver } from './project-tracking.resolver';
import { RunResolver } from './run.resolver';
import { TrackingQueriesResolver } from './tracking-queries.resolver';

@Module({
  imports: [TrackingModule],
  providers: [DefaultProjectService, TrackingQueriesResolver, ProjectTrackingResolver, MeTrackingResolver, ExperimentResolver, RunResolver],
  exports: [DefaultProjectService],
})
export class TrackingGraphqlModule {}
