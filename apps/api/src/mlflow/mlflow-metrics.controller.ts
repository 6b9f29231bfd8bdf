/**
 * MLflow 2.x metric history: get-history (paged) and get-history-bulk-interval, which MLflow
 * 2.10's UI calls under /ajax-api/2.0/mlflow; both prefixes are served as MLflow serves them.
 */
import { AccessService, ReadArgs, ResolvedRun } from '@caliper/server-kit';
import type { Principal } from '@caliper/server-kit';
import { Controller, Get, Res, UseFilters } from '@nestjs/common';
import type { Response } from 'express';
import type { RunRef } from '@caliper/persistence';
import { MlflowTrackingErrorFilter } from './mlflow-error.filter';
import { projectOfFirstRun, projectOfRun } from './mlflow-project';
import { Caller, MlflowArgs, mlflowArgs } from './mlflow-request';
import { MlflowTrackingService } from './mlflow-tracking.service';
import type { WireArgs } from './mlflow-wire';
import { Requires } from '../auth/locators';

@Controller()
@UseFilters(MlflowTrackingErrorFilter)
@ReadArgs(mlflowArgs)
export class MlflowMetricsController {
  constructor(
    private readonly mlflow: MlflowTrackingService,
    private readonly access: AccessService,
  ) {}

  @Get(['api/2.0/mlflow/metrics/get-history', 'ajax-api/2.0/mlflow/metrics/get-history'])
  @Requires('project.read', projectOfRun)
  async history(@ResolvedRun() run: RunRef, @MlflowArgs() args: WireArgs, @Res() res: Response) {
    res.type('application/json').send(await this.mlflow.metricHistory(run, args));
  }

  /** Every run must be readable; the guard checks the first one's project. */
  @Get(['api/2.0/mlflow/metrics/get-history-bulk-interval', 'ajax-api/2.0/mlflow/metrics/get-history-bulk-interval'])
  @Requires('project.read', projectOfFirstRun)
  historyBulkInterval(@Caller() p: Principal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.metricHistoryBulkInterval(args, (projectId) => this.access.allows(p, 'project.read', projectId));
  }
}
