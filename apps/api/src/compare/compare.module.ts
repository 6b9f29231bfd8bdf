/** Services behind the compare resolvers (registered in graphql/resolvers.ts). */
import { Module } from '@nestjs/common';
import { MetricsRepository } from '@caliper/persistence';
import { SeriesService } from './series.service';

@Module({
  providers: [{ provide: SeriesService, useFactory: (m: MetricsRepository) => new SeriesService(m), inject: [MetricsRepository] }],
  exports: [SeriesService],
})
export class CompareModule {}
