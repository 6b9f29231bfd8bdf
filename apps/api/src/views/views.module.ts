/** Saved views of the runs table and the compare page, the runs they name, and each project's metric directions. */
import { Module } from '@nestjs/common';
import { PersistenceModule } from '@caliper/server-kit';
import { TrackingModule } from '../tracking/tracking.module';
import { MetricDirectionEntity } from './metric-directions.entity';
import { MetricDirectionsLoaders } from './metric-directions.loaders';
import { MetricDirectionsRepository } from './metric-directions.repository';
import { LatestMetricBestResolver, MetricDirectionsResolver } from './metric-directions.resolver';
import { MetricDirectionsService } from './metric-directions.service';
import { ViewsResolver } from './views.resolver';
import { ViewsService } from './views.service';

@Module({
  imports: [
    TrackingModule,
    PersistenceModule.forFeature({ entities: [MetricDirectionEntity], repositories: [MetricDirectionsRepository] }),
  ],
  providers: [
    ViewsService,
    ViewsResolver,
    MetricDirectionsService,
    MetricDirectionsResolver,
    LatestMetricBestResolver,
    MetricDirectionsLoaders,
  ],
  exports: [ViewsService, MetricDirectionsService],
})
export class ViewsModule {}
