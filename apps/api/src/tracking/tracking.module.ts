/** Tracking core: the TrackingService every transport (MLflow, native REST, GraphQL) writes through. */
import { Module } from '@nestjs/common';
import { MetricHistoryService } from './metric-history.service';
import { RunsTableService } from './runs-table.service';
import { TrackingLoaders } from './tracking.loaders';
import { TrackingService } from './tracking.service';

@Module({
  providers: [TrackingService, RunsTableService, MetricHistoryService, TrackingLoaders],
  exports: [TrackingService, RunsTableService, MetricHistoryService],
})
export class TrackingModule {}
