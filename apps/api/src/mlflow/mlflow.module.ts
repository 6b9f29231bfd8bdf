/** The MLflow 2.x tracking API (/api/2.0/mlflow/experiments, runs, metrics) over TrackingService. */
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccountsRepository, ProjectsRepository, RunSearchRepository } from '@caliper/persistence';
import { AccessService } from '../auth/access.service';
import { TrackingModule } from '../tracking/tracking.module';
import { TrackingService } from '../tracking/tracking.service';
import { MlflowExperimentsController } from './mlflow-experiments.controller';
import { MlflowMetricsController } from './mlflow-metrics.controller';
import { MlflowRunsController } from './mlflow-runs.controller';
import { MlflowTrackingService } from './mlflow-tracking.service';

@Module({
  imports: [TrackingModule],
  controllers: [MlflowExperimentsController, MlflowRunsController, MlflowMetricsController],
  providers: [
    { provide: RunSearchRepository, useFactory: (ds: DataSource) => new RunSearchRepository(ds), inject: [DataSource] },
    { provide: AccessService, useFactory: (p: ProjectsRepository) => new AccessService(p), inject: [ProjectsRepository] },
    {
      provide: MlflowTrackingService,
      useFactory: (t: TrackingService, s: RunSearchRepository, a: AccountsRepository) => new MlflowTrackingService(t, s, a),
      inject: [TrackingService, RunSearchRepository, AccountsRepository],
    },
  ],
  exports: [RunSearchRepository],
})
export class MlflowModule {}
