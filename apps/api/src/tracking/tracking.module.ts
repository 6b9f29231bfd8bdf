/** Tracking core: the TrackingService every transport (MLflow, native REST, GraphQL) writes through. */
import { Module } from '@nestjs/common';
import { TrackingService } from './tracking.service';

@Module({ providers: [TrackingService], exports: [TrackingService] })
export class TrackingModule {}
