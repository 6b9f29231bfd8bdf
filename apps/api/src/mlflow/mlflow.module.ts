/** The MLflow 2.x tracking API (/api/2.0/mlflow/experiments, runs, metrics) over TrackingService. */
import { Module } from '@nestjs/common';
import { TrackingModule } from '../tracking/tracking.module';
import { MlflowExperimentsController } from './mlflow-experiments.controller';
import { MlflowMetricsController } from './mlflow-metrics.controller';
import { MlflowRunsController } from './mlflow-runs.controller';
import { MlflowTrackingService } from './mlflow-tracking.service';

@Module({
  imports: [TrackingModule],
  controllers: [MlflowExperimentsController, MlflowRunsController, MlflowMetricsController],
  providers: [MlflowTrackingService],
})
export class MlflowModule {}
