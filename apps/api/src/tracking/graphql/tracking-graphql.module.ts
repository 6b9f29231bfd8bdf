/** Tracking in GraphQL: experiments, runs and their fields, each project's and the caller's default project. */
import { Module } from '@nestjs/common';
import { TrackingModule } from '../tracking.module';
import { DefaultProjectService } from './default-project.service';
import { ExperimentResolver, MeTrackingResolver, ProjectTrackingResolver, RunResolver, TrackingQueriesResolver } from './tracking.resolver';

@Module({
  imports: [TrackingModule],
  providers: [DefaultProjectService, TrackingQueriesResolver, ProjectTrackingResolver, MeTrackingResolver, ExperimentResolver, RunResolver],
  exports: [DefaultProjectService],
})
export class TrackingGraphqlModule {}
