/** Tracking core: the TrackingService every transport (MLflow, native REST, GraphQL) writes through. */
import { Module } from '@nestjs/common';
import { RunsTableService } from './runs-table.service';
import { TrackingService } from './tracking.service';

@Module({ providers: [TrackingService, RunsTableService], exports: [TrackingService, RunsTableService] })
export class TrackingModule {}
