/** Projects and their members. */
import { Module } from '@nestjs/common';
import { TokensModule } from '../tokens/tokens.module';
import { TrackingModule } from '../tracking/tracking.module';
import { ProjectMemberResolver, ProjectsResolver } from './projects.resolver';
import { ProjectsLoaders } from './projects.loaders';
import { ProjectsService } from './projects.service';

@Module({
  imports: [TrackingModule, TokensModule],
  providers: [ProjectsService, ProjectsResolver, ProjectMemberResolver, ProjectsLoaders],
  exports: [ProjectsService],
})
export class ProjectsModule {}
