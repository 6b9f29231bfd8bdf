/** Each project's set metric directions, batched per request: what LatestMetric.best reads for every run of a page. */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import type { MetricDirection } from '@caliper/domain';
import { LoaderFactory, RequestLoaders } from '../graphql/loaders';
import { MetricDirectionsService } from './metric-directions.service';

declare module '../graphql/loaders' {
  interface Loaders {
    /** The metric directions set in a project (key → direction), by project id. */
    metricDirections: DataLoader<string, Map<string, MetricDirection>>;
  }
}

@Injectable()
@RequestLoaders()
export class MetricDirectionsLoaders implements LoaderFactory {
  constructor(private readonly directions: MetricDirectionsService) {}

  create() {
    const directions = this.directions;
    return {
      metricDirections: new DataLoader<string, Map<string, MetricDirection>>(async (ids) => {
        const byProject = await directions.ofProjects(ids);
        return ids.map((id) => byProject.get(id) ?? new Map<string, MetricDirection>());
      }),
    };
  }
}
