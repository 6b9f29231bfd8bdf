/** The native tracking API (/api/v1 runs, batches, logs, history, search) and its OpenAPI document. */
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IdempotencyRepository, ProjectsRepository, RunSearchRepository, TrackingRepository } from '@caliper/persistence';
import { TrackingModule } from '../tracking/tracking.module';
import { TrackingService } from '../tracking/tracking.service';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';
import { OpenApiController } from './openapi.controller';
import { RunsExportController } from './runs-export.controller';

@Module({
  imports: [TrackingModule],
  controllers: [IngestController, OpenApiController, RunsExportController],
  providers: [
    {
      provide: IngestService,
      useFactory: (ds: DataSource, tracking: TrackingService, runs: TrackingRepository, projects: ProjectsRepository) =>
        new IngestService(ds, tracking, runs, projects, new RunSearchRepository(ds), new IdempotencyRepository()),
      inject: [DataSource, TrackingService, TrackingRepository, ProjectsRepository],
    },
    { provide: RunSearchRepository, useFactory: (ds: DataSource) => new RunSearchRepository(ds), inject: [DataSource] },
  ],
})
export class IngestModule {}
