/** The native tracking API (/api/v1 runs, batches, logs, history, search, export) and its OpenAPI document. */
import { Module } from '@nestjs/common';
import { TrackingModule } from '../tracking/tracking.module';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';
import { OpenApiController } from './openapi.controller';
import { RunsExportController } from './runs-export.controller';
import { RunsExportService } from './runs-export.service';

@Module({
  imports: [TrackingModule],
  controllers: [IngestController, OpenApiController, RunsExportController],
  providers: [IngestService, RunsExportService],
})
export class IngestModule {}
