/** Tracking core: the TrackingService every transport (MLflow, native REST, GraphQL) writes through. */
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRepository, MetricsRepository, TrackingRepository } from '@caliper/persistence';
import { TrackingService } from './tracking.service';

@Module({
  providers: [
    {
      provide: TrackingService,
      useFactory: (ds: DataSource, t: TrackingRepository, m: MetricsRepository, a: AuditRepository) => new TrackingService(ds, t, m, a),
      inject: [DataSource, TrackingRepository, MetricsRepository, AuditRepository],
    },
  ],
  exports: [TrackingService],
})
export class TrackingModule {}
